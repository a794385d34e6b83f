/**
 * History search on a replay session (`ReplaySession.find`): the step where the PC next (or last)
 * reaches an address (or one of several: the workbench's breakpoints), or where the value of some bytes of physical memory next (or last) changes.
 *
 * The hart does the looking when it can hold debug stops (`CoreHart.setDebugStops`): a breakpoint
 * at the PC, or a store watch on the bytes, and the machine runs at full speed between stops — a
 * search costs one seek to its start (bounded by the checkpoint interval) plus the steps it
 * examines at hart speed, never a replay from step 0. A watch sees the guest's stores, not the
 * host's writes (DMA, SBI reads into memory): the value at the end of each stretch is compared
 * with what the stores left, and a stretch where they differ is bisected by seeks instead, as it
 * is on harts without debug stops. A value changed and changed back by the host inside one stretch
 * is not seen: this finds where the value differs, not every write.
 */
import type { FindResult } from '../../shared/api/replay'
import type { Result } from '../../shared/api/result'
import { hex } from '../../shared/trace/events'
import type { BootMachine, DebugStops } from '../machine/core/boot-machine'

/** What a search needs of a replay session. */
export interface Searchable {
  /** Steps in the recording. */
  readonly steps: bigint
  readonly checkpointInterval: bigint
  readonly machineAtStep: BootMachine
  /** Set when the boot has ended at the current step. */
  readonly end: unknown
  seek(step: bigint): Promise<Result<void>>
  runToStop(to: bigint, stops: DebugStops, skip: { breakpoint: boolean; watch: boolean }): Promise<'stop' | 'reached' | 'ended' | 'interrupted' | undefined>
}

const min = (a: bigint, b: bigint) => (a < b ? a : b)
const max = (a: bigint, b: bigint) => (a > b ? a : b)

export class HistorySearch {
  constructor(private readonly s: Searchable) {}

  private get machine(): BootMachine {
    return this.s.machineAtStep
  }

  private canStop(): boolean {
    return !!this.machine.hart.setDebugStops && !!this.machine.hart.skipDebugStop
  }

  /**
   * The step at which the PC is one of `targets` (about to run it — a breakpoint hit): the first
   * after `from`, or the last before it.
   */
  async pc(targets: readonly bigint[], from: bigint, direction: 'forward' | 'backward', limit: bigint): Promise<FindResult> {
    const what = targets.length === 1 ? hex(targets[0]) : `one of ${targets.map(hex).join(', ')}`
    const reached = (step: bigint) => `the PC reaches ${hex(this.machine.hart.pc)} at step ${step}`
    if (direction === 'forward') {
      const end = min(from + limit, this.s.steps)
      const hit = await this.nextPc(targets, from, end)
      if (hit !== undefined) return { step: Number(hit), scanned: Number(hit - from), message: reached(hit), pc: hex(this.machine.hart.pc) }
      return { step: null, scanned: Number(this.machine.steps - from), message: `the PC does not reach ${what} between steps ${from} and ${this.machine.steps}` }
    }
    // Backward: scan windows that end where the previous began, keeping the last hit of each.
    const stop = max(from - limit, 0n)
    let hi = from
    while (hi > stop) {
      const lo = max(hi - this.s.checkpointInterval, stop)
      let last: { step: bigint; pc: bigint } | undefined
      await this.s.seek(lo)
      if (targets.includes(this.machine.hart.pc)) last = { step: lo, pc: this.machine.hart.pc }
      for (let at = lo; ; ) {
        const hit = await this.nextPc(targets, at, hi - 1n)
        if (hit === undefined) break
        last = { step: hit, pc: this.machine.hart.pc }
        at = hit
      }
      if (last !== undefined) return { step: Number(last.step), scanned: Number(from - last.step), message: `the PC was last at ${hex(last.pc)} at step ${last.step}`, pc: hex(last.pc) }
      hi = lo
    }
    return { step: null, scanned: Number(from - stop), message: `the PC was not at ${what} between steps ${stop} and ${from}` }
  }

  /** The first step in (from, to] at which the PC is one of `targets`, leaving the machine there; undefined when none. */
  private async nextPc(targets: readonly bigint[], from: bigint, to: bigint): Promise<bigint | undefined> {
    if (to <= from) return undefined
    await this.s.seek(from)
    if (this.canStop()) {
      for (;;) {
        const r = await this.s.runToStop(to, { breakpoints: [...targets], watches: [] }, { breakpoint: true, watch: false })
        const at = this.machine.steps
        // A stop where nothing retired (the instruction trapped into a handler at the target) is not a new step.
        if ((r === 'stop' || r === 'reached') && at > from && at <= to && targets.includes(this.machine.hart.pc)) return at
        if (r !== 'stop' || at >= to) return undefined
      }
    }
    for (let s = from + 1n; s <= to; s++) {
      await this.s.seek(s)
      if (this.machine.steps !== s || this.s.end) return undefined
      if (targets.includes(this.machine.hart.pc)) return s
    }
    return undefined
  }

  /** The value of `n` bytes at `pa` at the current step, as hex. */
  private value(pa: bigint, n: number): string {
    return Buffer.from(this.machine.view.readPhys(pa, n) ?? new Uint8Array(n)).toString('hex')
  }

  private async valueAt(pa: bigint, n: number, step: bigint): Promise<string> {
    await this.s.seek(step)
    return this.value(pa, n)
  }

  /**
   * Where the `n` bytes at `pa` change: forward, the first step after `from` whose value differs
   * from the step before; backward, the last such step at or before `from`. Searched in stretches
   * of a checkpoint interval.
   */
  async change(pa: bigint, n: number, from: bigint, direction: 'forward' | 'backward', limit: bigint): Promise<FindResult> {
    const window = this.s.checkpointInterval
    const end = direction === 'forward' ? min(from + limit, this.s.steps) : max(from - limit, 0n)
    for (let a = from; a !== end; ) {
      const b = direction === 'forward' ? min(a + window, end) : max(a - window, end)
      const [lo, hi] = direction === 'forward' ? [a, b] : [b, a]
      const found = await this.changeIn(pa, n, lo, hi, direction === 'forward' ? 'first' : 'last')
      if (found !== undefined) {
        const [before, after] = [await this.valueAt(pa, n, found - 1n), await this.valueAt(pa, n, found)]
        return {
          step: Number(found),
          scanned: Number(direction === 'forward' ? found - from : from - found),
          message: `the instruction at step ${found - 1n} changed the ${n} bytes at PA ${hex(pa)} from ${before} to ${after}`,
          before,
          after,
        }
      }
      a = b
    }
    return { step: null, scanned: Number(direction === 'forward' ? end - from : from - end), message: `the ${n} bytes at PA ${hex(pa)} do not change between steps ${direction === 'forward' ? from : end} and ${direction === 'forward' ? end : from} (a change by the host undone within ${window} steps is not seen)` }
  }

  /** The first (or last) step in (lo, hi] whose value differs from the step before; undefined when none. */
  private async changeIn(pa: bigint, n: number, lo: bigint, hi: bigint, which: 'first' | 'last'): Promise<bigint | undefined> {
    const start = await this.valueAt(pa, n, lo)
    if (this.canStop()) {
      const stores = await this.watchStores(pa, n, hi, which === 'first')
      const last = stores.at(-1)
      // The guest's stores account for the value at the end: they are the changes (see the file comment).
      if (this.machine.steps === hi && this.value(pa, n) === (last?.after ?? start)) return which === 'first' ? stores[0]?.step : last?.step
      if (which === 'first' && last && stores.length === 1 && last.before === start) return last.step
    }
    return this.bisect(pa, n, lo, hi, start, which)
  }

  /**
   * Runs from the current step to `to` with a store watch on the bytes, listing each store that
   * changed them (the step after it, the values around it); stops at the first when `first`.
   */
  private async watchStores(pa: bigint, n: number, to: bigint, first: boolean): Promise<{ step: bigint; before: string; after: string }[]> {
    const stores: { step: bigint; before: string; after: string }[] = []
    const watch: DebugStops = { breakpoints: [], watches: [{ pa, length: n, write: true, read: false }] }
    while (this.machine.steps < to && !this.s.end) {
      const r = await this.s.runToStop(to, watch, { breakpoint: false, watch: false })
      if (r !== 'stop') break
      // Before a store to the bytes: run it (one instruction, nothing armed) and compare.
      const before = this.value(pa, n)
      await this.s.seek(this.machine.steps + 1n)
      const after = this.value(pa, n)
      if (after !== before) {
        stores.push({ step: this.machine.steps, before, after })
        if (first) break
      }
    }
    return stores
  }

  /** Bisects (lo, hi] by seeks for the first change after lo, or the last change up to hi. */
  private async bisect(pa: bigint, n: number, lo: bigint, hi: bigint, start: string, which: 'first' | 'last'): Promise<bigint | undefined> {
    const endValue = await this.valueAt(pa, n, hi)
    if (endValue === start) return undefined
    // Forward: the first step whose value differs from lo's; backward: the first step of the run of hi's value that ends at hi.
    let [a, b] = [lo, hi]
    while (b - a > 1n) {
      const mid = (a + b) / 2n
      const v = await this.valueAt(pa, n, mid)
      if (which === 'first' ? v === start : v !== endValue) a = mid
      else b = mid
    }
    return b
  }
}
