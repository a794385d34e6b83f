/**
 * A debugger's stops (`CoreHart.setDebugStops`: breakpoints, write and read watches) with compiled
 * blocks: every stop — its step, pc and the whole hart state (registers, CSRs) — and the run after
 * the stops are removed must be the interpreter's. Covers a breakpoint inside a hot compiled loop
 * (the region is dropped and compiled again with a stop before the breakpoint's instruction),
 * breakpoints at call targets and branch targets, a watch hit from compiled code (the watched page
 * stays out of the TLB: compiled code stops before the access and the interpreter takes the stop),
 * Sv39 (virtual breakpoint pcs, watches on physical addresses), and stops armed after the loop was
 * already compiled, then removed again (the regions are compiled again without the stop).
 */
import { describe, it, expect } from 'vitest'
import { buildProgram, loadProgram, toolchainMissing, type Program } from '../../../support/build-program'
import { ensureWasm } from '../hart/run-asm'
import { computeKernel } from '../../../../bench/hart-kernels'
import { Hart } from '../../../../src/main/machine/hart/hart'
import { STALE_STOP_RUNS } from '../../../../src/main/machine/blocks/block-engine'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import type { DebugStops } from '../../../../src/main/machine/core/boot-machine'
import { serveMmio } from './lockstep'
import { callReturnProgram, sv39LoopProgram } from './programs'

/** Slice lengths cycled through, so stops fall inside slices of every length. */
const SLICES = [1_000_000, 3, 17, 250_000, 1, 1000, 65_536, 7]

interface Stop { step: bigint; pc: bigint; state: string }
interface Run {
  stops: Stop[]
  /** The state after the stops were removed and the program ran to its end. */
  final: string
  ram: Uint8Array
  steps: bigint
  /** Instructions compiled code retired while the stops were armed (0 for the interpreter). */
  compiledWhileArmed: bigint
}

function stateOf(h: Hart): string {
  return Buffer.from(h.saveState()).toString('hex')
}

/** Runs `steps` more steps (or to the first stop / the program's end) in mixed slices; the exit that ended it. */
function runFor(h: Hart, steps: bigint, slice: { n: number }, out: { text: string; finisher?: number }): HartExit {
  const end = h.instret + steps
  while (h.instret < end) {
    const left = end - h.instret
    const want = BigInt(SLICES[slice.n++ % SLICES.length])
    const e = h.run(Number(want < left ? want : left))
    if (e === HartExit.Mmio) {
      serveMmio(h, out)
      if (out.finisher !== undefined) return e
      continue
    }
    if (e !== HartExit.StepsDone) return e
  }
  return HartExit.StepsDone
}

/** Runs with each of `stops` in turn (up to `count` stops each, or the program's end; an empty set: 50 000 steps), then with none to the end. */
function stopsWith(engine: 'interpreter' | 'blocks', prog: Program, stops: DebugStops | DebugStops[], o: { warm: number; count: number; hotThreshold?: number }): Run {
  const h = new Hart({ ramSize: 8 * 1024 * 1024, engine, hotThreshold: o.hotThreshold ?? 1 })
  loadProgram(h, prog)
  h.haltOnEbreak = true
  const out: { text: string; finisher?: number } = { text: '' }
  const slice = { n: 0 }
  expect(runFor(h, BigInt(o.warm), slice, out)).toBe(HartExit.StepsDone)
  const compiledBefore = h.blockStats?.compiledSteps ?? 0n
  const seen: Stop[] = []
  for (const set of Array.isArray(stops) ? stops : [stops]) {
    expect(h.setDebugStops(set)).toBe(true)
    // No stops: 50 000 steps without them.
    if (set.breakpoints.length === 0 && set.watches.length === 0) expect(runFor(h, 50_000n, slice, out)).toBe(HartExit.StepsDone)
    for (let n = 0; n < o.count && set.breakpoints.length + set.watches.length > 0; n++) {
      const e = runFor(h, 50_000_000n, slice, out)
      if (e !== HartExit.DebugStop) break
      seen.push({ step: h.instret, pc: h.pc, state: stateOf(h) })
      h.skipDebugStop({ breakpoint: true, watch: true })
    }
  }
  const compiledWhileArmed = (h.blockStats?.compiledSteps ?? 0n) - compiledBefore
  h.setDebugStops({ breakpoints: [], watches: [] })
  const e = runFor(h, 100_000_000n, slice, out)
  expect(e === HartExit.Halt || out.finisher !== undefined).toBe(true)
  return { stops: seen, final: stateOf(h), ram: h.ram.slice(), steps: h.instret, compiledWhileArmed }
}

/** The pcs the interpreter is at after each of `steps` steps (instructions of the program's hot code). */
function pcsAt(prog: Program, steps: number[]): bigint[] {
  const h = new Hart({ ramSize: 8 * 1024 * 1024, engine: 'interpreter' })
  loadProgram(h, prog)
  h.haltOnEbreak = true
  const pcs: bigint[] = []
  for (const s of steps) {
    expect(runFor(h, BigInt(s) - h.instret, { n: 0 }, { text: '' })).toBe(HartExit.StepsDone)
    pcs.push(h.pc)
  }
  return pcs
}

function expectSameStops(prog: Program, stops: DebugStops | DebugStops[], o: { warm: number; count: number; hotThreshold?: number; minStops: number }): Run {
  const a = stopsWith('interpreter', prog, stops, o)
  const b = stopsWith('blocks', prog, stops, o)
  expect(a.stops.length).toBeGreaterThanOrEqual(o.minStops)
  expect(b.stops.length).toBe(a.stops.length)
  for (let i = 0; i < a.stops.length; i++) {
    expect({ i, step: b.stops[i].step, pc: b.stops[i].pc }).toEqual({ i, step: a.stops[i].step, pc: a.stops[i].pc })
    expect(b.stops[i].state, `state at stop ${i}`).toBe(a.stops[i].state)
  }
  expect(b.steps).toBe(a.steps)
  expect(b.final).toBe(a.final)
  expect(Buffer.from(b.ram).equals(a.ram)).toBe(true)
  // Compiled code ran between the stops (not the interpreter alone).
  expect(b.compiledWhileArmed).toBeGreaterThan(0n)
  return b
}

const sym = (p: Program, name: string): bigint => {
  const v = p.symbols.get(name)
  if (v === undefined) throw new Error(`no symbol ${name}`)
  return v
}

describe.skipIf(toolchainMissing())('debug stops with compiled blocks stop exactly where the interpreter stops', () => {
  it('breakpoints inside a hot loop, armed after the loop was compiled, at both hot thresholds', async () => {
    ensureWasm()
    const prog = await buildProgram(computeKernel(100_000, false))
    const pcs = pcsAt(prog, [100_000, 100_003, 100_011])
    expectSameStops(prog, { breakpoints: pcs, watches: [] }, { warm: 200_000, count: 300, minStops: 300 })
    // At the default threshold the loop is compiled during the warm-up, dropped when the breakpoint is
    // set, and compiled again (with the stop) once hot: 2000 stops, one per iteration.
    expectSameStops(prog, { breakpoints: [pcs[1]], watches: [] }, { warm: 1_000_000, count: 2000, hotThreshold: 512, minStops: 2000 })
    // Moved, removed and set again (as a history search re-arms them interval by interval): regions
    // that stop at a removed breakpoint are dropped at the next run, those that compiled a new one at once.
    const one = (pc: bigint): DebugStops => ({ breakpoints: [pc], watches: [] })
    const none: DebugStops = { breakpoints: [], watches: [] }
    expectSameStops(prog, [one(pcs[0]), one(pcs[2]), none, one(pcs[2]), one(pcs[0]), { breakpoints: pcs, watches: [] }], { warm: 200_000, count: 50, minStops: 250 })
  }, 120_000)

  // Either way out of a stale stop — the engine's drop after STALE_STOP_RUNS runs, or (at threshold 1)
  // the hart's compile request at the stale pc recompiling the page without it — the loop must end up
  // compiled without it, and the breakpoint set again must stop at the interpreter's step.
  it('a removed breakpoint stops costing exits once STALE_STOP_RUNS runs have passed without it', async () => {
    ensureWasm()
    const prog = await buildProgram(computeKernel(100_000, false))
    const [pc] = pcsAt(prog, [100_003])
    const h = new Hart({ ramSize: 8 * 1024 * 1024, engine: 'blocks', hotThreshold: 1 })
    loadProgram(h, prog)
    h.haltOnEbreak = true
    expect(h.run(200_000)).toBe(HartExit.StepsDone)
    h.setDebugStops({ breakpoints: [pc], watches: [] })
    for (let i = 0; i < 10; i++) {
      expect(h.run(1_000_000)).toBe(HartExit.DebugStop)
      h.skipDebugStop({ breakpoint: true, watch: false })
    }
    h.setDebugStops({ breakpoints: [], watches: [] })
    const slowIn = (steps: number): bigint => {
      const before = h.blockStats!.exits.slow
      expect(h.run(steps)).toBe(HartExit.StepsDone)
      return h.blockStats!.exits.slow - before
    }
    // Still compiled with the stop: one exit per loop pass (about 20 steps).
    expect(slowIn(20_000)).toBeGreaterThan(500n)
    for (let i = 0; i < STALE_STOP_RUNS; i++) h.run(0) // runs that execute nothing (no compile request either)
    expect(slowIn(20_000)).toBeLessThan(10n)
    // Set again: stops there again, at the interpreter's step.
    const ref = new Hart({ ramSize: 8 * 1024 * 1024, engine: 'interpreter' })
    loadProgram(ref, prog)
    ref.haltOnEbreak = true
    expect(ref.run(Number(h.instret))).toBe(HartExit.StepsDone)
    for (const x of [h, ref]) {
      x.setDebugStops({ breakpoints: [pc], watches: [] })
      expect(x.run(1_000_000)).toBe(HartExit.DebugStop)
    }
    expect(h.instret).toBe(ref.instret)
    expect(stateOf(h)).toBe(stateOf(ref))
  }, 60_000)

  it('breakpoints at call targets and branch targets of a compiled call/return loop', async () => {
    ensureWasm()
    const prog = await buildProgram(callReturnProgram(5_000))
    const bps = [sym(prog, 'leaf2'), sym(prog, 'odd')]
    expectSameStops(prog, { breakpoints: bps, watches: [] }, { warm: 10_000, count: 200, minStops: 200 })
    // A breakpoint the program never reaches: no stop, compiled code all the way.
    const r = expectSameStops(prog, { breakpoints: [0x8000_0000n + 0x7f_0000n], watches: [] }, { warm: 1_000, count: 1, minStops: 0 })
    expect(r.stops.length).toBe(0)
  }, 120_000)

  it('write and read watches hit from compiled loads and stores', async () => {
    ensureWasm()
    const prog = await buildProgram(computeKernel(20_000, false))
    const buf = sym(prog, 'buf')
    for (const w of [
      { pa: buf + 0x100n, length: 8, write: true, read: false },
      { pa: buf + 0x204n, length: 4, write: false, read: true },
      { pa: buf + 0x3f0n, length: 16, write: true, read: true },
      { pa: sym(prog, 'result'), length: 8, write: true, read: false },
    ]) {
      expectSameStops(prog, { breakpoints: [], watches: [w] }, { warm: 50_000, count: 40, minStops: 1 })
    }
  }, 120_000)

  it('Sv39: breakpoints on virtual pcs and a watch on a physical page, with page faults in the loop', async () => {
    ensureWasm()
    const prog = await buildProgram(sv39LoopProgram(3_000))
    const pcs = pcsAt(prog, [20_000, 20_005])
    expectSameStops(prog, { breakpoints: pcs, watches: [] }, { warm: 30_000, count: 60, minStops: 60 })
    expectSameStops(prog, { breakpoints: [], watches: [{ pa: sym(prog, 'buf') + 0x208n, length: 0x1000, write: true, read: true }] }, { warm: 30_000, count: 60, minStops: 1 })
  }, 120_000)
})
