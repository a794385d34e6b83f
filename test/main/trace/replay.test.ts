/**
 * Replay re-creates a boot from its recording alone; the state it finds at a step must be the
 * state the live machine had at that step (a property checked at random steps, forward and
 * backward), and the inspectors' facts (mappings, instruction, source line) must follow.
 */
import { readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { Machine, type MachineConfig } from '../../../src/main/machine/machine'
import { INT_ABI_NAMES } from '../../../src/shared/isa/registers'
import { buildFolderWithLines, EXAMPLE } from '../../support/build-workspace'
import { buildKernel, binutilsMissing } from '../../fixtures/machine/build-kernel'
import { openSbiFwJump } from '../../support/oracles'

const dir = mkdtempSync(join(tmpdir(), 'bootscope-replay-'))
const hex = (v: bigint) => `0x${v.toString(16)}`

/** A small deterministic PRNG, so a failure names steps that can be replayed by hand. */
function randomSteps(seed: number, count: number, max: number): number[] {
  let s = seed >>> 0
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out.push(s % max)
  }
  return out
}

/** The live machine's registers at each of `steps` (sorted), run with the same configuration. */
async function liveStates(config: MachineConfig, steps: number[]): Promise<Map<number, { pc: string; x: string[]; satp: string }>> {
  const created = await Machine.create({ ...config, trace: true })
  if (!created.ok) throw new Error(created.error.message)
  const m = created.value
  const out = new Map<number, { pc: string; x: string[]; satp: string }>()
  for (const step of [...new Set(steps)].sort((a, b) => a - b)) {
    const stop = await m.run({ pauseAt: BigInt(step) })
    expect(stop.reason, `live run to step ${step}`).toBe('paused')
    const h = m.hart
    out.set(step, { pc: hex(h.pc), x: Array.from({ length: 32 }, (_, i) => hex(h.getX(i))), satp: hex(h.getCsr(0x180) ?? 0n) })
  }
  return out
}

async function record(name: string, config: { kernel: { file: string; bytes: Uint8Array }; bios?: MachineConfig['bios']; sourceLines?: never[] | Parameters<typeof Recorder.start>[0]['sourceLines'] }) {
  const path = join(dir, name)
  const started = await Recorder.start({ recordingPath: path, writtenBy: 'test', ...config })
  if (!started.ok) throw new Error(started.error.message)
  const result = await started.value.run()
  return { path, result }
}

describe('replay', () => {
  it('finds the live state of the example kernel at every step, and what each instruction changed', async () => {
    const built = buildFolderWithLines(EXAMPLE)
    const kernel = { file: 'kernel.elf', bytes: built.elf }
    const { path, result } = await record('example.sqlite', { kernel, sourceLines: built.sourceLines })
    expect(result.stop.reason).toBe('shutdown')
    const steps = Array.from({ length: result.steps }, (_, i) => i)
    const live = await liveStates({ kernel }, steps)
    // Checkpoints every 16 steps: seeks restore them backward and forward, in a shuffled order.
    const opened = await ReplaySession.open(path, { checkpointInterval: 16 })
    if (!opened.ok) throw new Error(opened.error.message)
    const replay = opened.value
    for (const step of randomSteps(7, 60, result.steps)) {
      const s = await replay.stateAt({ step })
      if (!s.ok) throw new Error(s.error.message)
      const want = live.get(step)!
      expect({ step: s.value.step, pc: s.value.pc, x: s.value.x.slice(0, 32).map((r) => r.value) }, `step ${step}`).toEqual({ step, pc: want.pc, x: want.x })
      expect(s.value.csrs.find((c) => c.name === 'satp')?.value).toBe(want.satp)
      const prev = live.get(step - 1)
      if (prev) {
        const changed = s.value.x.slice(0, 32).filter((r) => r.changed).map((r) => r.name)
        expect(changed).toEqual(INT_ABI_NAMES.filter((_, i) => prev.x[i] !== want.x[i]))
      }
    }
  })

  it('shows the instruction at the satp write with its source line, and the two 1 GiB mappings after it', async () => {
    const built = buildFolderWithLines(EXAMPLE)
    const { path } = await record('satp.sqlite', { kernel: { file: 'kernel.elf', bytes: built.elf }, sourceLines: built.sourceLines })
    const opened = await ReplaySession.open(path)
    if (!opened.ok) throw new Error(opened.error.message)
    const entry = readFileSync(join(EXAMPLE, 'entry.S'), 'utf8').split('\n')
    const csrwLine = entry.findIndex((l) => l.trim() === 'csrw satp, t0') + 1
    // Find the step whose instruction is the csrw.
    let at = -1
    for (let step = 0; step < 20 && at < 0; step++) {
      const s = await opened.value.stateAt({ step })
      if (s.ok && s.value.instruction.loc?.line === csrwLine) at = step
    }
    expect(at).toBeGreaterThan(0)
    const before = await opened.value.stateAt({ step: at })
    if (!before.ok) throw new Error(before.error.message)
    expect(before.value.instruction).toMatchObject({ text: 'csrw\tsatp,t0', loc: { file: 'entry.S', line: csrwLine }, pa: before.value.pc })
    expect(before.value.satp.mode).toBe('Bare')
    expect(before.value.addressSpace.mappings).toEqual([])
    const window = await opened.value.stateAt({ step: at, disassembly: { before: 3, after: 2 } })
    if (!window.ok) throw new Error(window.error.message)
    // Three before (the line table gives instruction boundaries), the PC, two after.
    const texts = window.value.disassembly!.map((i) => i.text)
    expect(texts).toHaveLength(6)
    expect(texts.slice(2, 5)).toEqual(['or\tt0,t0,t1', 'csrw\tsatp,t0', 'sfence.vma'])
    expect(window.value.disassembly![3].address).toBe(window.value.pc)
    expect(window.value.disassembly!.find((i) => i.address === window.value.pc)?.loc?.line).toBe(csrwLine)
    const after = await opened.value.stateAt({ step: at + 1, translate: '0xffffffff80200000', memory: { address: '0xffffffff80200000', length: 8 } })
    if (!after.ok) throw new Error(after.error.message)
    expect(after.value.satp.mode).toBe('Sv39')
    expect(after.value.csrs.find((c) => c.name === 'satp')?.changed).toBe(true)
    expect(after.value.addressSpace.mappings.map((m) => [m.va, m.pa, m.pageSize])).toEqual([
      ['0x80000000', '0x80000000', '1 GiB'],
      ['0xffffffff80000000', '0x80000000', '1 GiB'],
    ])
    expect(after.value.translation).toMatchObject({ ok: true, pa: '0x80200000', pageSize: '1 GiB' })
    // The memory read goes through the page table: the kernel's first instruction word.
    const firstWord = Buffer.from(built.elf.subarray(0x1000, 0x1008)).toString('hex')
    expect(after.value.memory).toEqual({ address: '0xffffffff80200000', bytes: firstWord })
    const physical = await opened.value.stateAt({ step: at + 1, memory: { address: '0x80200000', length: 8, physical: true } })
    expect(physical.ok && physical.value.memory).toEqual({ address: '0x80200000', bytes: firstWord })
    const root = after.value.addressSpace.tables[0]
    const table = await opened.value.stateAt({ step: at + 1, table: root })
    expect(table.ok && table.value.tableEntries!.map((e) => [e.index, e.kind, e.va])).toEqual([
      [2, 'leaf', '0x80000000'],
      [510, 'leaf', '0xffffffff80000000'],
    ])
  })

  const openSbi = openSbiFwJump()
  it.skipIf(binutilsMissing || openSbi.missing)("matches the live machine through Debian's OpenSBI at random steps", async () => {
    const k = buildKernel(['sbi-hello.S'], 's-mode.ld')
    const kernel = { file: 'hello.elf', bytes: k.bytes }
    const bios = { file: openSbi.path!, bytes: new Uint8Array(readFileSync(openSbi.path!)) }
    const { path, result } = await record('opensbi.sqlite', { kernel, bios })
    expect(result.stop.reason).toBe('shutdown')
    const steps = randomSteps(11, 16, result.steps)
    const live = await liveStates({ kernel, bios }, steps)
    // OpenSBI relocates, zeroes its BSS and writes the device tree: RAM pages change between checkpoints.
    const opened = await ReplaySession.open(path, { checkpointInterval: 250_000 })
    if (!opened.ok) throw new Error(opened.error.message)
    for (const step of steps) {
      const s = await opened.value.stateAt({ step })
      if (!s.ok) throw new Error(s.error.message)
      expect({ pc: s.value.pc, x: s.value.x.slice(0, 32).map((r) => r.value) }, `step ${step}`).toEqual({ pc: live.get(step)!.pc, x: live.get(step)!.x })
    }
  })
})
