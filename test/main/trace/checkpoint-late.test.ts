/**
 * Seeks late in a long recording (issue 11 item 9), with the recorder's default checkpoint
 * interval: a kernel of our own (test/support/long-kernel.ts: 24 MiB of data nobody can
 * deduplicate, timer interrupts, a page written somewhere every round) runs ~40 M steps. A seek
 * from a new session re-executes at most one interval whatever the step — counted in steps
 * (`ReplaySession.stepsRun`), not timed — and finds the state replay from step 0 finds.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { DEFAULT_CHECKPOINT_EVERY } from '../../../src/main/trace/checkpoint-file'
import { longKernel, roundsFor } from '../../support/long-kernel'
import { readElf } from '../../../src/shared/elf/reader'

const EVERY = BigInt(DEFAULT_CHECKPOINT_EVERY)
let path = ''
let steps = 0n
let elf: Uint8Array

async function open(diskCheckpoints = true): Promise<ReplaySession> {
  const s = await ReplaySession.open(path, { diskCheckpoints })
  if (!s.ok) throw new Error(s.error.message)
  return s.value
}

/** PC, every register and a hash of RAM after `step`. */
async function stateOf(s: ReplaySession, step: bigint): Promise<string> {
  const r = await s.stateAt({ step: Number(step) })
  if (!r.ok) throw new Error(r.error.message)
  const m = s.machineAtStep
  const regs = m.view.registers().flatMap((g) => g.registers.map((x) => `${x.name}=${x.value.toString(16)}`))
  return `${m.steps} ${m.hart.pc.toString(16)} ${regs.join(' ')} ${createHash('sha256').update(m.hart.ram).digest('hex')}`
}

beforeAll(async () => {
  path = join(mkdtempSync(join(tmpdir(), 'bootscope-late-')), 'long.sqlite')
  elf = longKernel(roundsFor(40_000_000))
  const started = await Recorder.start({ recordingPath: path, kernel: { file: 'long.elf', bytes: elf }, bios: 'none', writtenBy: 'test' })
  if (!started.ok) throw new Error(started.error.message)
  const r = await started.value.run()
  expect(r.stop.reason).toBe('shutdown')
  steps = BigInt(r.steps)
  expect(started.value.checkpointCount).toBe(Number(steps / EVERY))
}, 300_000)

describe('a long recording', () => {
  it('seeks near its end from a new session by restoring the last checkpoint and re-executing only the rest', async () => {
    const s = await open()
    const target = steps - 1000n
    expect((await s.stateAt({ step: Number(target) })).ok).toBe(true)
    const last = (target / EVERY) * EVERY
    expect(BigInt(s.restoredFrom!)).toBe(last)
    expect(s.stepsRun).toBe(target - last)
    expect(s.stepsRun).toBeLessThan(EVERY)
  }, 120_000)

  it('goes back from its end to its start re-executing less than one interval each time', async () => {
    const s = await open()
    for (const target of [steps, steps / 2n + 12_345n, 3n, EVERY * 3n - 1n, steps - 1n]) {
      const before = s.stepsRun
      expect((await s.stateAt({ step: Number(target) })).ok).toBe(true)
      expect(s.stepsRun - before, `step ${target}`).toBeLessThanOrEqual(((target - 1n) % EVERY) + 1n)
    }
  }, 120_000)

  it('has at its late steps the state replay from step 0 finds: registers, PC and every RAM byte', async () => {
    const fromZero = await open(false)
    const picks = [steps / 2n + 7n, steps - 4_321n, steps]
    const expected = new Map<bigint, string>()
    for (const step of picks) expected.set(step, await stateOf(fromZero, step))
    expect(fromZero.stepsRun).toBeGreaterThanOrEqual(steps - 1n)
    const fromDisk = await open()
    for (const step of [...picks].reverse()) expect(await stateOf(fromDisk, step), `step ${step}`).toBe(expected.get(step))
  }, 300_000)

  it('finds the next timer trap and tick from a late step as stepping does, re-executing from the nearest checkpoint only', async () => {
    const symbols = readElf(elf)
    if (!symbols.ok) throw new Error(symbols.error.message)
    const at = (name: string) => symbols.value.symbols.find((x) => x.name === name)!.value
    const [trap, ticks] = [at('trap'), at('ticks')]
    const from = steps - 3_000_000n
    // Stepping: the state after every step from `from` until both have happened.
    const stepper = await open()
    await stepper.seek(from)
    const tickValue = () => Buffer.from(stepper.machineAtStep.view.readPhys(ticks, 8)!).toString('hex')
    const start = tickValue()
    let trapAt: bigint | undefined
    let tickAt: bigint | undefined
    for (let s = from + 1n; trapAt === undefined || tickAt === undefined; s++) {
      await stepper.seek(s)
      if (trapAt === undefined && stepper.machineAtStep.hart.pc === trap) trapAt = s
      if (tickAt === undefined && tickValue() !== start) tickAt = s
    }
    const s = await open()
    const pc = await s.find({ from: Number(from), direction: 'forward', target: { pc: `0x${trap.toString(16)}` } })
    expect(pc.ok && pc.value.step).toBe(Number(trapAt))
    expect(s.stepsRun).toBeLessThan(EVERY + (trapAt! - from) + 2n)
    const change = await s.find({ from: Number(from), direction: 'forward', target: { change: { address: `0x${ticks.toString(16)}`, length: 8, physical: true } } })
    expect(change.ok && change.value.step).toBe(Number(tickAt))
    const back = await s.find({ from: Number(trapAt! + 10n), direction: 'backward', target: { pc: `0x${trap.toString(16)}` } })
    expect(back.ok && back.value.step).toBe(Number(trapAt))
    const backChange = await s.find({ from: Number(tickAt! + 10n), direction: 'backward', target: { change: { address: `0x${ticks.toString(16)}`, length: 8, physical: true } } })
    expect(backChange.ok && backChange.value.step).toBe(Number(tickAt))
  }, 300_000)
})
