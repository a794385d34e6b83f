/**
 * What a benchmark returns: named measurements, each with its unit, an optional peer measured in
 * the same run (QEMU, GNU binutils) so the harness can print a ratio, and the goal it serves; and
 * the timing helpers they share (medians of wall and CPU time, a peer process's CPU time).
 */
import { execFileSync } from 'node:child_process'
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

export interface Times {
  /** Wall-clock milliseconds (includes waiting for a core on a shared machine). */
  wallMs: number
  /** CPU milliseconds (user + system) of this process: the fairer figure under load. */
  cpuMs: number
}

/** Medians of wall and CPU time of repeated in-process runs. */
export async function medianTimes(runs: number, fn: () => unknown | Promise<unknown>): Promise<Times> {
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await fn()
    wall.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return { wallMs: median(wall), cpuMs: median(cpu) }
}

/** Calls on a 50 000-line file before its warm times are taken (see warmTimes). */
export const LARGE_WARMUPS = 5

/** Wall and CPU time of one call, and what it returned. */
export function timeOnce<T>(fn: () => T): Times & { result: T } {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const result = fn()
  const wallMs = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { wallMs, cpuMs: (c.user + c.system) / 1000, result }
}

/**
 * Steady-state ("warm") times: V8 needs several calls on a large input before its optimised code
 * settles (measured on the 50 000-line files: the 2nd–4th calls cost 2–4× the 6th), so `warmups`
 * calls first, then the medians of `runs`.
 */
export async function warmTimes(warmups: number, runs: number, fn: () => unknown): Promise<Times> {
  for (let i = 0; i < warmups; i++) fn()
  return medianTimes(runs, fn)
}

/**
 * CPU milliseconds (user + system) per run of a shell command line run `runs` times by bash,
 * from bash's `times` (the children's rusage, millisecond resolution): a peer process's CPU time.
 */
export function peerCpuMillis(commandLine: string, runs: number): number {
  const out = execFileSync('bash', ['-c', `for i in $(seq ${runs}); do ${commandLine} >/dev/null 2>&1; done; times`], { encoding: 'utf8' })
  const children = out.trim().split('\n').at(-1)!.match(/(\d+)m([\d.]+)s/g) ?? []
  const ms = children.map((t) => {
    const [, m, s] = /(\d+)m([\d.]+)s/.exec(t)!
    return (Number(m) * 60 + Number(s)) * 1000
  })
  return ms.reduce((a, b) => a + b, 0) / runs
}
