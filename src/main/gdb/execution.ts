/**
 * Running a debug target forward and backward to the next stop: a breakpoint PC, a watched memory
 * range (a write watchpoint: the store that changed it; read and access watchpoints: the load or
 * store that touched it), the end or the start of the history, or an interrupt.
 *
 * Fast path (a target with `runToStop`: the hart checks breakpoints and watched ranges itself and
 * runs between them at full speed). Forward runs to the next hart stop and looks at it: a
 * breakpoint, or an access to a watched range — a read/access watch stops there; a write watch
 * steps the store and stops only when the value changed. Backward replays windows of a checkpoint
 * interval, newest first, each from its checkpoint to where the previous began, and keeps the last
 * stop of the newest window that has one; a window whose checkpoints show no write to the watched
 * pages is skipped without running when only write watches are set. Changes no instruction makes
 * (the page walker setting A/D bits, a device) are caught by comparing the values at the end of
 * each stretch, which is then stepped one instruction at a time. Targets without `runToStop` are
 * stepped one instruction at a time throughout (the slow path).
 *
 * Watchpoints stop as RISC-V debug triggers do, and as gdb expects on RISC-V ("non-steppable"
 * watchpoints): forward, with the access about to run (gdb then steps it and shows old and new
 * values); backward, just after it (gdb steps back over it). Single steps report no watchpoint.
 * Stores that write the value already there do not stop a write watchpoint: it is a change of value.
 */
import type { DebugStops } from '../machine/core/boot-machine'
import type { DebugTarget } from './debug-target'

export type WatchKind = 'write' | 'read' | 'access'

export interface Watchpoint {
  /** The address gdb set it on (reported back in the stop reply). */
  va: bigint
  /** Where it was in physical memory when set: the bytes watched. */
  pa: bigint
  length: number
  kind: WatchKind
}

export type StopWhy =
  | { kind: 'breakpoint'; hardware: boolean }
  | { kind: 'watch'; watch: Watchpoint }
  | { kind: 'step' }
  | { kind: 'history-end' }
  | { kind: 'history-begin' }
  | { kind: 'interrupted' }
  | { kind: 'ended' }

export interface StopSet {
  software: Set<bigint>
  hardware: Set<bigint>
  watches: Watchpoint[]
}

/** Steps between looks at the interrupt flag on the slow path (a yield to the event loop lets Ctrl-C in). */
const YIELD_EVERY = 4096
/** The window a backward scan replays at a time when the target names none: a recording's checkpoint interval. */
export const BACKWARD_WINDOW = 1_000_000n

/** A hit found while replaying a window forward: the step to go back to, and the PC expected there. */
interface Hit {
  step: bigint
  why: StopWhy
  /** For a breakpoint: the PC at that step (a trap taken at the same step moves it; see `goTo`). */
  pc?: bigint
}

export class Execution {
  interrupted = false

  constructor(
    private readonly target: DebugTarget,
    private readonly stops: StopSet,
  ) {}

  private get window(): bigint {
    return this.target.window ?? BACKWARD_WINDOW
  }

  private breakpointAt(): StopWhy | undefined {
    const pc = this.target.pc()
    const link = this.target.linkAddress(pc)
    for (const [set, hardware] of [[this.stops.software, false], [this.stops.hardware, true]] as const) {
      if (set.has(pc) || set.has(link)) return { kind: 'breakpoint', hardware }
    }
    return undefined
  }

  /** The values of the write watches (the others are not about values). */
  private watched(): string[] {
    return this.stops.watches.map((w) => {
      if (w.kind === 'read') return ''
      const r = this.target.read(w.pa, w.length, true)
      return 'bytes' in r ? Buffer.from(r.bytes).toString('hex') : ''
    })
  }

  /** The first write/access watch whose value differs between two `watched()` results. */
  private changed(before: string[], after: string[]): Watchpoint | undefined {
    const i = before.findIndex((v, k) => v !== after[k])
    return i < 0 ? undefined : this.stops.watches[i]
  }

  /** The stops as the hart holds them: every PC a breakpoint stops at, the watched physical ranges. */
  private machineStops(only?: { watch: Watchpoint; read: boolean; write: boolean }): DebugStops {
    if (only) return { breakpoints: [], watches: [{ pa: only.watch.pa, length: only.watch.length, read: only.read, write: only.write }] }
    const breakpoints = new Set<bigint>()
    for (const set of [this.stops.software, this.stops.hardware]) for (const a of set) for (const pc of this.target.breakpointPcs(a)) breakpoints.add(pc)
    return {
      breakpoints: [...breakpoints],
      watches: this.stops.watches.map((w) => ({ pa: w.pa, length: w.length, write: w.kind !== 'read', read: w.kind !== 'write' })),
    }
  }

  private fast(): boolean {
    return !!this.target.runToStop
  }

  async stepForward(): Promise<StopWhy> {
    if (this.target.step >= this.target.lastStep) return { kind: 'history-end' }
    return (await this.target.seek(this.target.step + 1n)) ? { kind: 'step' } : { kind: 'ended' }
  }

  async stepBackward(): Promise<StopWhy> {
    if (this.target.step === 0n) return { kind: 'history-begin' }
    await this.target.seek(this.target.step - 1n)
    return { kind: 'step' }
  }

  async continueForward(): Promise<StopWhy> {
    this.interrupted = false
    if (this.fast()) {
      const r = await this.fastForward()
      if (r) return r
    }
    return this.slowForward()
  }

  async continueBackward(): Promise<StopWhy> {
    this.interrupted = false
    let hi = this.target.step
    let valuesAtHi = this.watched()
    while (hi > 0n) {
      const lo = ((hi - 1n) / this.window) * this.window
      if (this.skippable(lo, hi)) {
        hi = lo
        continue
      }
      await this.target.seek(lo)
      const valuesAtLo = this.watched()
      let last = this.fast() ? await this.fastWindow(lo, hi) : undefined
      if (last === undefined) last = await this.slowWindow(lo, hi, valuesAtHi)
      if (last === 'interrupted') return { kind: 'interrupted' }
      if (last) {
        await this.goTo(last)
        return last.why
      }
      await yieldToEvents()
      if (this.interrupted) return { kind: 'interrupted' }
      hi = lo
      valuesAtHi = valuesAtLo
    }
    await this.target.seek(0n)
    return { kind: 'history-begin' }
  }

  // ---- the fast path: the hart checks the stops ----

  /** Where the last hart run started when it skipped the breakpoint there. */
  private skippedAt?: { step: bigint; pc: bigint }

  /** Runs to the hart's next stop from here; `skip` passes the stop at the starting point. */
  private async runToStop(to: bigint, stops: DebugStops, skip: { breakpoint: boolean; watch: boolean }) {
    this.skippedAt = skip.breakpoint ? { step: this.target.step, pc: this.target.pc() } : undefined
    return this.target.runToStop!(to, stops, skip, () => this.interrupted)
  }

  /** The hart stopped at a breakpoint (not one it was told to pass), rather than at a watched access. */
  private breakpointStop(): StopWhy | undefined {
    const at = this.skippedAt
    if (at && at.step === this.target.step && at.pc === this.target.pc()) return undefined
    return this.breakpointAt()
  }

  /** Forward, fast. Undefined when the hart cannot hold these stops (the caller steps instead). */
  private async fastForward(): Promise<StopWhy | undefined> {
    const stops = this.machineStops()
    let values = this.watched()
    let skip = { breakpoint: true, watch: true } // continuing never stops where it starts
    for (;;) {
      if (this.target.step >= this.target.lastStep) return { kind: 'history-end' }
      const from = this.target.step
      // Stretches of a checkpoint interval at most, so a change no instruction made is found nearby.
      const boundary = (from / this.window + 1n) * this.window
      const to = boundary < this.target.lastStep ? boundary : this.target.lastStep
      const r = await this.runToStop(to, stops, skip)
      if (r === undefined) return undefined
      if (r === 'ended') return { kind: 'ended' }
      if (r === 'interrupted') return { kind: 'interrupted' }
      skip = { breakpoint: false, watch: false }
      if (r === 'reached') {
        await yieldToEvents() // a Ctrl-C from gdb arrives here
        if (this.interrupted) return { kind: 'interrupted' }
        if (this.changed(values, this.watched())) {
          // Something other than an instruction's store changed a watched value: step this stretch.
          await this.target.seek(from)
          return this.slowForward(to)
        }
        continue
      }
      const bp = this.breakpointStop()
      if (bp) return bp
      // A watched access about to run: a read/access watch stops here; a write watch when the
      // store changes the value (the machine goes back before it: gdb steps it again).
      const touched = await this.touchedHere()
      if (touched) return { kind: 'watch', watch: touched }
      const before = this.watched()
      if (!(await this.target.seek(this.target.step + 1n))) return { kind: 'ended' }
      values = this.watched()
      const w = this.changed(before, values)
      if (w) {
        await this.target.seek(this.target.step - 1n)
        return { kind: 'watch', watch: w }
      }
    }
  }

  /**
   * The read or access watch the instruction about to run touches, if any: each is armed alone
   * and the instruction run once (then the machine goes back here).
   */
  private async touchedHere(): Promise<Watchpoint | undefined> {
    const step = this.target.step
    for (const w of this.stops.watches) {
      if (w.kind === 'write') continue
      const r = await this.runToStop(step + 1n, this.machineStops({ watch: w, read: true, write: w.kind === 'access' }), { breakpoint: false, watch: false })
      const hit = r === 'stop' && this.target.step === step
      if (this.target.step !== step) await this.target.seek(step)
      if (hit) return w
    }
    return undefined
  }

  /** Only write watches, and the checkpoints say nothing wrote their pages in [lo, hi): nothing to find there. */
  private skippable(lo: bigint, hi: bigint): boolean {
    const s = this.stops
    if (s.software.size || s.hardware.size || !s.watches.length || s.watches.some((w) => w.kind !== 'write')) return false
    return !!this.target.unwrittenBetween?.(lo, hi, s.watches)
  }

  /**
   * Replays [lo, hi) at full speed from lo (the machine is there) and returns its last stop, or
   * null when there is none; undefined when the hart cannot hold the stops, or a value changed
   * without a store the hart saw (the caller steps the window).
   */
  private async fastWindow(lo: bigint, hi: bigint): Promise<Hit | null | 'interrupted' | undefined> {
    const stops = this.machineStops()
    let last: Hit | undefined
    let values = this.watched()
    let skip = { breakpoint: false, watch: false }
    for (;;) {
      const r = await this.runToStop(hi, stops, skip)
      if (r === undefined) return undefined
      if (r === 'interrupted') return 'interrupted'
      if (r === 'reached' || r === 'ended') break
      const s = this.target.step
      const bp = this.breakpointStop()
      if (bp) {
        last = { step: s, why: bp, pc: this.target.pc() }
        skip = { breakpoint: true, watch: false } // the same instruction may still touch a watch
        continue
      }
      // A watched access: backward, the stop is just after it (gdb steps back over it).
      const touched = await this.touchedHere()
      const before = this.watched()
      if (!(await this.target.seek(s + 1n))) break
      values = this.watched()
      const w = touched ?? this.changed(before, values)
      if (w) last = { step: s + 1n, why: { kind: 'watch', watch: w } }
      skip = { breakpoint: false, watch: false }
    }
    if (this.changed(values, this.watched())) {
      await this.target.seek(lo)
      return undefined
    }
    return last ?? null
  }

  /**
   * Goes to a hit found replaying forward. A breakpoint on the first instruction of a trap handler
   * is reached at the step of the instruction that trapped (it did not retire): seeking there
   * gives that instruction, so the hart runs on to the breakpoint.
   */
  private async goTo(hit: Hit): Promise<void> {
    await this.target.seek(hit.step)
    if (hit.pc !== undefined && this.target.pc() !== hit.pc && this.target.runToStop) {
      await this.runToStop(hit.step + 1n, { breakpoints: [hit.pc], watches: [] }, { breakpoint: false, watch: false })
    }
  }

  // ---- the slow path: one instruction at a time ----

  private async slowForward(end = this.target.lastStep): Promise<StopWhy> {
    let values = this.watched()
    for (let n = 1; ; n++) {
      if (this.target.step >= end) {
        if (end >= this.target.lastStep) return { kind: 'history-end' }
        const r = await this.fastForward() // past the stretch that needed stepping
        if (r) return r
        end = this.target.lastStep
        continue
      }
      if (!(await this.target.seek(this.target.step + 1n))) return { kind: 'ended' }
      const bp = this.breakpointAt()
      if (bp) return bp
      if (this.stops.watches.length) {
        const now = this.watched()
        const w = this.changed(values, now)
        if (w) {
          await this.target.seek(this.target.step - 1n) // back to the store, about to run
          return { kind: 'watch', watch: w }
        }
        values = now
      }
      if (n % YIELD_EVERY === 0) {
        await yieldToEvents()
        if (this.interrupted) return { kind: 'interrupted' }
      }
    }
  }

  /**
   * The last stop in [lo, hi), one instruction at a time from lo: a state whose PC is a
   * breakpoint, or the state just after a store that changed a watched range.
   */
  private async slowWindow(lo: bigint, hi: bigint, valuesAtHi: string[]): Promise<Hit | null | 'interrupted'> {
    let last: Hit | undefined
    const hit = (step: bigint, why: StopWhy) => {
      if (!last || step >= last.step) last = { step, why }
    }
    let previous = this.watched()
    for (let s = lo; s <= hi; s++) {
      if (s > lo && s < hi && !(await this.target.seek(s))) break
      // The instruction at step s − 1 changed a watched value between states s − 1 and s: stop
      // at s, just after it (gdb steps back over the store).
      if (s > lo && this.stops.watches.length) {
        const now = s < hi ? this.watched() : valuesAtHi
        const w = this.changed(previous, now)
        if (w) hit(s, { kind: 'watch', watch: w })
        previous = now
      }
      if (s === hi) break
      const bp = this.breakpointAt()
      if (bp) hit(s, bp)
      if ((s - lo) % BigInt(YIELD_EVERY) === 0n) {
        await yieldToEvents()
        if (this.interrupted) return 'interrupted'
      }
    }
    return last ?? null
  }
}

/** Lets the event loop in (socket data: gdb's Ctrl-C) between stretches of running. */
function yieldToEvents(): Promise<void> {
  return new Promise((r) => setImmediate(r))
}
