/**
 * What a benchmark returns: named measurements, each with its unit, an optional peer measured in
 * the same run (QEMU, GNU binutils) so the harness can print a ratio, and the goal it serves.
 */
export interface BenchResult {
  name: string
  value: number
  unit: string
  /** The same work done by the real peer in this run, in the same unit. */
  peer?: { name: string; value: number }
  /** The goal, in words (e.g. "≤ 10 ms warm"). */
  goal?: string
  /** Whether the goal is met, when the benchmark can tell. */
  met?: boolean
}

export type Benchmark = () => Promise<BenchResult[]>

/** Median of repeated timings, in milliseconds. */
export async function medianMillis(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}
