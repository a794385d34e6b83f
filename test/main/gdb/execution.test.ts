/**
 * Continue and reverse-continue with the stops checked in the hart (the fast path), on a
 * recording of a few million steps: breakpoints (also on a trap handler's first instruction,
 * which stepping one instruction at a time never sees), write watchpoints (a store at the very
 * start found from the end, across windows the checkpoints let it skip), read and access
 * watchpoints — and the same stops as the one-instruction-at-a-time path where both can see them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProgram, type Program } from '../../support/build-program'
import { debugLoopKernel, DEBUG_LOOP_STEPS_PER_ITERATION } from '../../../bench/debug-kernels'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { RiscvReplayTarget } from '../../../src/main/gdb/riscv64/replay-target'
import { Execution, type StopSet, type WatchKind } from '../../../src/main/gdb/execution'
import type { DebugTarget } from '../../../src/main/gdb/debug-target'
import { RISCV_FIRST_CSR_REGNUM } from '../../../src/main/gdb/riscv64/arch'

const ITERATIONS = 400_000
const TRAP_EVERY = 4096
const INTERVAL = 200_000
const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-exec-'))
const recPath = join(dir, 'loop.sqlite')
let prog: Program
let steps: bigint
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sym = (name: string) => prog.symbols.get(name)!

async function open(): Promise<{ target: DebugTarget; slow: DebugTarget; stops: StopSet; fast: Execution; stepping: Execution }> {
  const session = await ReplaySession.open(recPath, { checkpointInterval: INTERVAL })
  if (!session.ok) throw new Error(session.error.message)
  const target = new RiscvReplayTarget(session.value, recPath)
  // The same target without the hart's stops: the stub then steps one instruction at a time.
  const slow = Object.create(target, { runToStop: { value: undefined } }) as DebugTarget
  const stops: StopSet = { software: new Set(), hardware: new Set(), watches: [] }
  return { target, slow, stops, fast: new Execution(target, stops), stepping: new Execution(slow, stops) }
}

function watch(target: DebugTarget, name: string, kind: WatchKind) {
  const va = sym(name)
  return { va, pa: target.physicalAddress(va)!, length: 8, kind }
}

function u64(target: DebugTarget, name: string): bigint {
  const r = target.read(sym(name), 8, true)
  if (!('bytes' in r)) throw new Error(r.error)
  return Buffer.from(r.bytes).readBigUInt64LE()
}

describe('continue and reverse-continue with stops in the hart', () => {
  beforeAll(async () => {
    prog = await buildProgram(debugLoopKernel(ITERATIONS, TRAP_EVERY))
    const rec = await Recorder.start({ recordingPath: recPath, kernel: { file: 'loop.elf', bytes: prog.elf }, bios: 'none', writtenBy: 'test' })
    if (!rec.ok) throw new Error(rec.error.message)
    const done = await rec.value.run()
    steps = BigInt(done.steps)
    expect(steps).toBeGreaterThan(BigInt(ITERATIONS * DEBUG_LOOP_STEPS_PER_ITERATION))
  }, 120_000)

  it('stops at the same breakpoint hits as stepping, forward and backward', async () => {
    const { target, stops, fast, stepping } = await open()
    stops.software.add(sym('loop'))
    const hits: bigint[] = []
    for (let i = 0; i < 3; i++) {
      expect(await fast.continueForward()).toEqual({ kind: 'breakpoint', hardware: false })
      expect(target.pc()).toBe(sym('loop'))
      hits.push(target.step)
    }
    expect(hits[2] - hits[1]).toBe(BigInt(DEBUG_LOOP_STEPS_PER_ITERATION))
    expect(await fast.continueBackward()).toEqual({ kind: 'breakpoint', hardware: false })
    expect(target.step).toBe(hits[1])
    // Stepping finds the same hits.
    await target.seek(0n)
    for (const h of hits) {
      await stepping.continueForward()
      expect(target.step).toBe(h)
    }
    await stepping.continueBackward()
    expect(target.step).toBe(hits[1])
  }, 120_000)

  it('goes back from the end of the recording to the last loop hit, across checkpoint windows', async () => {
    const { target, stops, fast } = await open()
    await target.seek(steps)
    stops.hardware.add(sym('loop'))
    expect(await fast.continueBackward()).toEqual({ kind: 'breakpoint', hardware: true })
    expect(target.pc()).toBe(sym('loop'))
    expect(u64(target, 'counter')).toBe(BigInt(ITERATIONS - 1)) // the last loop is about to count
  }, 120_000)

  it("stops at a trap handler's first instruction, forward and backward", async () => {
    const { target, stops, fast } = await open()
    stops.software.add(sym('trap_entry'))
    expect(await fast.continueForward()).toEqual({ kind: 'breakpoint', hardware: false })
    expect(target.pc()).toBe(sym('trap_entry'))
    expect(u64(target, 'traps')).toBe(0n)
    expect(target.register(RISCV_FIRST_CSR_REGNUM + 0x341)).toBe(sym('ecall_site')) // mepc
    const first = target.step
    expect(await fast.continueForward()).toEqual({ kind: 'breakpoint', hardware: false })
    expect(u64(target, 'traps')).toBe(1n)
    expect(await fast.continueBackward()).toEqual({ kind: 'breakpoint', hardware: false })
    expect(target.pc()).toBe(sym('trap_entry'))
    expect(target.step).toBe(first)
    expect(u64(target, 'traps')).toBe(0n)
    // From the end: the last trap of the boot.
    await target.seek(steps)
    expect(await fast.continueBackward()).toEqual({ kind: 'breakpoint', hardware: false })
    expect(target.pc()).toBe(sym('trap_entry'))
    expect(u64(target, 'traps')).toBe(BigInt(Math.floor(ITERATIONS / TRAP_EVERY) - 1))
  }, 120_000)

  it('finds the one store to a variable from the end of the recording, and the last store to a busy one', async () => {
    const { target, stops, fast, stepping } = await open()
    await target.seek(steps)
    stops.watches.push(watch(target, 'flag', 'write'))
    const why = await fast.continueBackward()
    expect(why).toMatchObject({ kind: 'watch', watch: { va: sym('flag'), kind: 'write' } })
    expect(target.pc()).toBe(sym('flag_store') + 4n) // just after the store: gdb steps back over it
    expect(u64(target, 'flag')).toBe(0x1234n)
    await target.seek(target.step - 1n)
    expect(target.pc()).toBe(sym('flag_store'))
    expect(u64(target, 'flag')).toBe(0n)

    stops.watches.length = 0
    stops.watches.push(watch(target, 'counter', 'write'))
    await target.seek(1_000_000n)
    const counter = u64(target, 'counter')
    expect(await fast.continueForward()).toMatchObject({ kind: 'watch', watch: { kind: 'write' } })
    expect(target.pc()).toBe(sym('counter_store')) // forward: the store about to run
    const forwardAt = target.step
    await target.seek(1_000_000n)
    await stepping.continueForward()
    expect(target.step).toBe(forwardAt)
    expect(u64(target, 'counter')).toBe(counter)
    await target.seek(1_000_000n)
    expect(await fast.continueBackward()).toMatchObject({ kind: 'watch', watch: { kind: 'write' } })
    expect(target.pc()).toBe(sym('counter_store') + 4n)
    expect(u64(target, 'counter')).toBe(counter)
    const backwardAt = target.step
    await target.seek(1_000_000n)
    await stepping.continueBackward()
    expect(target.step).toBe(backwardAt)
  }, 120_000)

  it('stops read watchpoints at loads and access watchpoints at loads and stores, forward and backward', async () => {
    const { target, stops, fast } = await open()
    stops.watches.push(watch(target, 'flag', 'read'))
    expect(await fast.continueForward()).toMatchObject({ kind: 'watch', watch: { kind: 'read' } })
    expect(target.pc()).toBe(sym('flag_load')) // the load about to run; the store at flag_store was passed
    expect(u64(target, 'traps')).toBe(1n)
    await target.seek(steps)
    expect(await fast.continueBackward()).toMatchObject({ kind: 'watch', watch: { kind: 'read' } })
    expect(target.pc()).toBe(sym('flag_load') + 4n)

    stops.watches.length = 0
    stops.watches.push(watch(target, 'flag', 'access'))
    await target.seek(0n)
    expect(await fast.continueForward()).toMatchObject({ kind: 'watch', watch: { kind: 'access' } })
    expect(target.pc()).toBe(sym('flag_store'))
    await target.seek(target.step + 1n)
    expect(await fast.continueForward()).toMatchObject({ kind: 'watch', watch: { kind: 'access' } })
    expect(target.pc()).toBe(sym('flag_load'))
  }, 120_000)
})
