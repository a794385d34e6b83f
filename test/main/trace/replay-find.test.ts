/**
 * History search on a replayed recording, checked against brute force (the state at every step):
 * where the PC next/last reaches an address, where a value in memory next/last changes — across
 * checkpoint windows (a small interval), forward and backward.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { Machine } from '../../../src/main/machine/machine'
import { build } from '../../../src/main/toolchain/build'
import { EXAMPLE } from '../../support/build-workspace'

/** The example with a loop in rust_main that stores a counter to a word of .data 40 times. */
const LOOP = 'rust_main:\n    li t2, 40\n    la t4, counter\n1:  sw t2, 0(t4)\n    addi t2, t2, -1\n    bnez t2, 1b\n'
let path = ''
let elf: Uint8Array
const pcs: bigint[] = []
const counter: number[] = []
let counterPa = 0n

beforeAll(async () => {
  const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8').replace(/^rust_main:\n/m, LOOP) + '\n    .section .data\n    .balign 8\n    .globl counter\ncounter: .word 0\n'
  const files = ['entry.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
  const r = build({ files: [...files, { path: 'main.S', text: main }], script: 'linker.ld' })
  if (!r.ok || !r.elf) throw new Error(r.diagnostics.map((d) => d.message).join('; '))
  elf = r.elf
  const va = r.symbols.find((s) => s.name === 'counter')!.value
  counterPa = va - 0xffffffff00000000n
  path = join(mkdtempSync(join(tmpdir(), 'bootscope-find-')), 'find.sqlite')
  const started = await Recorder.start({ recordingPath: path, kernel: { file: 'k.elf', bytes: elf }, writtenBy: 'test' })
  if (!started.ok) throw new Error(started.error.message)
  const result = await started.value.run()
  expect(result.stop.reason).toBe('shutdown')
  // Brute force: the PC and the counter's value at every step.
  const m = await Machine.create({ kernel: { file: 'k.elf', bytes: elf } })
  if (!m.ok) throw new Error(m.error.message)
  for (let s = 0; s < result.steps; s++) {
    await m.value.run({ pauseAt: BigInt(s) })
    pcs.push(m.value.hart.pc)
    const off = Number(counterPa - 0x8000_0000n)
    counter.push(new DataView(m.value.hart.ram.buffer, m.value.hart.ram.byteOffset).getUint32(off, true))
  }
})

describe('replay history search', () => {
  it('finds where the PC next and last reaches an address, like stepping does', async () => {
    const s = await ReplaySession.open(path, { checkpointInterval: 16 })
    if (!s.ok) throw new Error(s.error.message)
    const target = pcs[60] // inside the loop: reached 40 times
    const hits = pcs.flatMap((pc, i) => (pc === target ? [i] : []))
    expect(hits.length).toBeGreaterThan(10)
    for (const from of [0, hits[3], hits[3] + 1, pcs.length - 1]) {
      const next = await s.value.find({ from, direction: 'forward', target: { pc: `0x${target.toString(16)}` } })
      expect(next.ok && next.value.step, `forward from ${from}`).toBe(hits.find((h) => h > from) ?? null)
      const last = await s.value.find({ from, direction: 'backward', target: { pc: `0x${target.toString(16)}` } })
      expect(last.ok && last.value.step, `backward from ${from}`).toBe([...hits].reverse().find((h) => h < from) ?? null)
    }
  })

  it('finds where the PC next and last reaches any of several addresses (breakpoints), like stepping does', async () => {
    const s = await ReplaySession.open(path, { checkpointInterval: 16 })
    if (!s.ok) throw new Error(s.error.message)
    // Two addresses: one in the loop (40 hits) and one run once, after it.
    const loop = pcs[60]
    const after = pcs[pcs.findLastIndex((pc) => pc === loop) + 3]
    const targets = [loop, after]
    const hits = pcs.flatMap((pc, i) => (targets.includes(pc) ? [i] : []))
    expect(hits.filter((h) => pcs[h] === after).length).toBeGreaterThan(0)
    const pcsTarget = { pcs: targets.map((t) => `0x${t.toString(16)}`) }
    for (const from of [0, hits[3], hits.at(-2)!, hits.at(-1)!, pcs.length - 1]) {
      const next = await s.value.find({ from, direction: 'forward', target: pcsTarget })
      const want = hits.find((h) => h > from) ?? null
      expect(next.ok && next.value.step, `forward from ${from}`).toBe(want)
      if (want !== null) expect(next.ok && next.value.message).toBe(`the PC reaches 0x${pcs[want].toString(16)} at step ${want}`)
      const last = await s.value.find({ from, direction: 'backward', target: pcsTarget })
      expect(last.ok && last.value.step, `backward from ${from}`).toBe([...hits].reverse().find((h) => h < from) ?? null)
    }
    const none = await s.value.find({ from: 0, direction: 'forward', target: { pcs: [] } })
    expect(!none.ok && none.error.message).toMatch(/at least one PC/)
  })

  it('finds where a value next and last changes, naming the instruction and the values', async () => {
    const s = await ReplaySession.open(path, { checkpointInterval: 16 })
    if (!s.ok) throw new Error(s.error.message)
    const changes = counter.flatMap((v, i) => (i > 0 && v !== counter[i - 1] ? [i] : []))
    expect(changes.length).toBe(40)
    const address = `0x${counterPa.toString(16)}`
    for (const from of [0, changes[5], changes[5] + 1, changes[39] + 3]) {
      const next = await s.value.find({ from, direction: 'forward', target: { change: { address, length: 4, physical: true } } })
      if (!next.ok) throw new Error(next.error.message)
      const want = changes.find((c) => c > from) ?? null
      expect(next.value.step, `forward from ${from}`).toBe(want)
      if (want !== null) expect(next.value.after).toBe(Buffer.from(new Uint32Array([counter[want]]).buffer).toString('hex'))
      const last = await s.value.find({ from, direction: 'backward', target: { change: { address, length: 4, physical: true } } })
      if (!last.ok) throw new Error(last.error.message)
      expect(last.value.step, `backward from ${from}`).toBe([...changes].reverse().find((c) => c <= from) ?? null)
    }
    const bad = await s.value.find({ from: 0, direction: 'forward', target: { pc: 'rust_main' } })
    expect(bad.ok).toBe(false)
  })
})
