/**
 * When a running machine lets the event loop in: every `YIELD_EVERY_MS` of wall time, so
 * `cancel()`, typed input, requests, the recorder's commits and its Ctrl-C handler get a turn.
 * One pacer lives as long as its machine, not one `run` call: a caller that runs many short calls
 * back to back (the recorder pausing at every checkpoint, each call < 25 ms) must still yield
 * (9752020, e79e198; test/main/cli/record-durable.test.ts). Used by `Machine` and `PcMachine`.
 */
export const YIELD_EVERY_MS = 25

export class YieldPacer {
  private last = performance.now()

  constructor(private readonly everyMs: number = YIELD_EVERY_MS) {}

  /** The event loop has waited longer than the pace since the last yield. */
  get due(): boolean {
    return performance.now() - this.last > this.everyMs
  }

  /** Yields to the event loop now (one `setImmediate` turn) and restarts the clock. */
  async yieldNow(): Promise<void> {
    await new Promise((r) => setImmediate(r))
    this.last = performance.now()
  }

  /** Yields when due. */
  async pace(): Promise<void> {
    if (this.due) await this.yieldNow()
  }
}
