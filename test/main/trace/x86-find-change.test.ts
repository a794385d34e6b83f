/**
 * `find --change` on an x86 recording sees a change that is undone within one checkpoint window:
 * the x86 hart holds debug stops (a store watch on the bytes), so the search no longer compares
 * checkpoints only. A Multiboot kernel of ours (NASM) writes a byte and puts it back three
 * instructions later, far inside the first window; brute force (the live machine at every step)
 * says where the value changes.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { createMachine } from '../../../src/main/machine/core/create-machine'
import { buildKernel } from '../machine/x86/hart/mb1-harness'
import { ensureX86Wasm } from '../machine/x86/hart/x86-run'
import { nasmOracle } from '../../support/oracles'

const FLAG = 0x200000
const KERNEL = `
section .text
_start:
  mov ecx, 300
.a:
  dec ecx
  jnz .a
  mov byte [${FLAG}], 0x77
  nop
  nop
  mov byte [${FLAG}], 0
  mov ecx, 300
.b:
  dec ecx
  jnz .b
  mov byte [${FLAG}], 0x55
  mov byte [${FLAG}], 0x55
  mov al, 0
  out 0xf4, al
  cli
  hlt
`

let path = ''
const values: number[] = []

const nasmTool = nasmOracle()
describe.skipIf(nasmTool.missing)('find --change on an x86 recording', () => {
  beforeAll(async () => {
    ensureX86Wasm()
    const elf = buildKernel(KERNEL)
    path = join(mkdtempSync(join(tmpdir(), 'x86-find-')), 'k.sqlite')
    const started = await Recorder.start({ recordingPath: path, kernel: { file: 'k.elf', bytes: elf }, writtenBy: 'test' })
    if (!started.ok) throw new Error(started.error.message)
    const result = await started.value.run()
    expect(result.stop.reason).toBe('shutdown')
    const m = await createMachine({ kernel: { file: 'k.elf', bytes: elf } })
    if (!m.ok) throw new Error(m.error.message)
    for (let s = 0; s <= result.steps; s++) {
      await m.value.run({ pauseAt: BigInt(s) })
      values.push(m.value.hart.ram[FLAG])
    }
  }, 120_000)

  it('finds a byte written and restored within one checkpoint window, forward and backward, with the values', async () => {
    const changes = values.flatMap((v, i) => (i > 0 && v !== values[i - 1] ? [i] : []))
    expect(changes.length).toBe(3) // 0x77, back to 0, then 0x55 (its second store changes nothing)
    const s = await ReplaySession.open(path)
    if (!s.ok) throw new Error(s.error.message)
    expect(BigInt(changes[2])).toBeLessThan(s.value.checkpointInterval) // all inside the first window
    const target = { change: { address: `0x${FLAG.toString(16)}`, length: 1, physical: true } }
    const next = await s.value.find({ from: 0, direction: 'forward', target })
    if (!next.ok) throw new Error(next.error.message)
    expect(next.value).toMatchObject({ step: changes[0], before: '00', after: '77' })
    const back = await s.value.find({ from: changes[0], direction: 'forward', target })
    if (!back.ok) throw new Error(back.error.message)
    expect(back.value).toMatchObject({ step: changes[1], before: '77', after: '00' })
    const last = await s.value.find({ from: changes[2] - 1, direction: 'backward', target })
    if (!last.ok) throw new Error(last.error.message)
    expect(last.value).toMatchObject({ step: changes[1], before: '77', after: '00' })
    const end = await s.value.find({ from: values.length - 1, direction: 'backward', target })
    if (!end.ok) throw new Error(end.error.message)
    expect(end.value).toMatchObject({ step: changes[2], before: '00', after: '55' })
  })
})
