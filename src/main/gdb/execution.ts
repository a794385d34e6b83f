/**
 * Running a debug target forward and backward to the next stop: a breakpoint PC, a change of a
 * watched memory range (a write watchpoint: the store that changed it), the end or the start of
 * the history, or an interrupt. Forward is one step at a time from here. Backward scans windows
 * that end where the previous began (each replayed forward from its start, which a recording
 * reaches by restoring a checkpoint) and keeps the last stop in the window nearest the start point.
 * Stores that write the value already there are not seen: a watchpoint is a change of value.
 *
 * Watchpoints stop as RISC-V debug triggers do, and as gdb expects on RISC-V ("non-steppable"
 * watchpoints): forward, with the store about to run (gdb then steps it and shows old and new
 * values); backward, just after it (gdb steps back over it). Single steps report no watchpoint.
 */
import type { DebugTarget } from './debug-target'

export interface Watchpoint {
  /** The address gdb set it on (reported back in the stop reply). */
  va: bigint
  /** Where it was in physical memory when set: the bytes watched. */
  pa: bigint
  length: number
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

/** Steps between looks at the interrupt flag (a yield to the event loop lets Ctrl-C in). */
const YIELD_EVERY = 4096
/** The window a backward scan replays at a time: a recording's checkpoint interval. */
export const BACKWARD_WINDOW = 1_000_000n

export class Execution {
  interrupted = false

  constructor(
    private readonly target: DebugTarget,
    private readonly stops: StopSet,
  ) {}

  private breakpointAt(): StopWhy | undefined {
    const pc = this.target.pc()
    const link = this.target.linkAddress(pc)
    for (const [set, hardware] of [[this.stops.software, false], [this.stops.hardware, true]] as const) {
      if (set.has(pc) || set.has(link)) return { kind: 'breakpoint', hardware }
    }
    return undefined
  }

  private watched(): string[] {
    return this.stops.watches.map((w) => {
      const r = this.target.read(w.pa, w.length, true)
      return 'bytes' in r ? Buffer.from(r.bytes).toString('hex') : ''
    })
  }

  private changed(before: string[], after: string[]): Watchpoint | undefined {
    const i = before.findIndex((v, k) => v !== after[k])
    return i < 0 ? undefined : this.stops.watches[i]
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
    let values = this.watched()
    for (let n = 1; ; n++) {
      if (this.target.step >= this.target.lastStep) return { kind: 'history-end' }
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
        await new Promise((r) => setImmediate(r))
        if (this.interrupted) return { kind: 'interrupted' }
      }
    }
  }

  /**
   * The last stop before the current step: a state whose PC is a breakpoint, or the state just
   * before a store that changed a watched range (gdb shows the store about to run).
   */
  async continueBackward(): Promise<StopWhy> {
    this.interrupted = false
    let hi = this.target.step
    let valuesAtHi = this.watched()
    while (hi > 0n) {
      const lo = ((hi - 1n) / BACKWARD_WINDOW) * BACKWARD_WINDOW
      let last: { step: bigint; why: StopWhy } | undefined
      const hit = (step: bigint, why: StopWhy) => {
        if (!last || step >= last.step) last = { step, why }
      }
      await this.target.seek(lo)
      const valuesAtLo = this.watched()
      let previous = valuesAtLo
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
          await new Promise((r) => setImmediate(r))
          if (this.interrupted) return { kind: 'interrupted' }
        }
      }
      if (last) {
        await this.target.seek(last.step)
        return last.why
      }
      hi = lo
      valuesAtHi = valuesAtLo
    }
    await this.target.seek(0n)
    return { kind: 'history-begin' }
  }
}
