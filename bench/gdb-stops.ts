/**
 * The GDB stub's continue/reverse-continue speeds on a long recording of a debug-loop kernel
 * (gdb.bench.ts on riscv64, gdb-x86.bench.ts on x86): from the end, reverse-continue to the one
 * store of `flag` (a write watchpoint) and to the last trap handler entry (a breakpoint); from step
 * 0, continue to the trap handler; then a read watchpoint on `flag` forward. The peer is the stub
 * stepping one instruction at a time (what it did before the hart checked the stops), measured
 * over a stretch and given as steps per second.
 */
import { Execution, type StopSet } from '../src/main/gdb/execution'
import type { DebugTarget } from '../src/main/gdb/debug-target'
import type { BenchResult } from './bench-types'

const STEPPING_MS = 3000

export interface DebugLoopMarks {
  flag: bigint
  flagLength: number
  /** The PC just after the store to `flag` (where a reverse-continue to its write watchpoint stops). */
  afterFlagStore: bigint
  trapEntry: bigint
}

export async function stubSpeeds(target: DebugTarget, steps: bigint, m: DebugLoopMarks, prefix = ''): Promise<BenchResult[]> {
  let t0 = performance.now()
  await target.seek(steps) // the first pass
  const firstPassMs = performance.now() - t0
  const stops: StopSet = { software: new Set(), hardware: new Set(), watches: [] }
  const exec = new Execution(target, stops)
  const timed = async (what: string, run: () => Promise<unknown>, check: () => boolean) => {
    t0 = performance.now()
    await run()
    const ms = performance.now() - t0
    if (!check()) throw new Error(`${what}: stopped at step ${target.step}, pc 0x${target.pc().toString(16)}`)
    return ms
  }
  stops.watches.push({ va: m.flag, pa: m.flag, length: m.flagLength, kind: 'write' })
  const watchMs = await timed('reverse-continue to the watchpoint', () => exec.continueBackward(), () => target.pc() === m.afterFlagStore)

  stops.watches.length = 0
  await target.seek(steps)
  stops.software.add(m.trapEntry)
  const backBpMs = await timed('reverse-continue to the breakpoint', () => exec.continueBackward(), () => target.pc() === m.trapEntry)
  const backBpDistance = Number(steps - target.step)

  await target.seek(0n)
  const fwdBpMs = await timed('continue to the breakpoint', () => exec.continueForward(), () => target.pc() === m.trapEntry)
  const fwdBpDistance = Number(target.step)

  // A read watchpoint on `flag` (read once per trap, never before the first): from step 0 to that load.
  stops.software.clear()
  stops.watches.push({ va: m.flag, pa: m.flag, length: m.flagLength, kind: 'read' })
  await target.seek(0n)
  const rwatchMs = await timed('continue to the read watchpoint', () => exec.continueForward(), () => target.step >= BigInt(fwdBpDistance)) // no read before the first trap
  const rwatchDistance = Number(target.step)
  stops.watches.length = 0

  // The peer: the same stub stepping one instruction at a time (no stop for millions of steps),
  // interrupted after STEPPING_MS as Ctrl-C would.
  stops.software.add(m.trapEntry)
  const slow = Object.create(target, { runToStop: { value: undefined } }) as DebugTarget
  await target.seek(1000n)
  const stepping = new Execution(slow, stops)
  t0 = performance.now()
  const timer = setTimeout(() => (stepping.interrupted = true), STEPPING_MS)
  const why = await stepping.continueForward()
  clearTimeout(timer)
  if (why.kind !== 'interrupted') throw new Error(`stepping stopped: ${why.kind}`)
  const peer = { name: 'stepping (before)', value: Number(target.step - 1000n) / ((performance.now() - t0) / 1000) }
  const rate = (distance: number, ms: number) => distance / (ms / 1000)
  return [
    { name: `${prefix}recording: ${steps} steps, first replay pass`, value: firstPassMs, unit: 'ms' },
    { name: `${prefix}reverse-continue to a write watchpoint ${steps} steps back`, value: watchMs, unit: 'ms', goal: '≤ 1000 ms on a 100 M-step recording', met: watchMs <= 1000 },
    { name: `${prefix}reverse-continue to a breakpoint (${backBpDistance} steps back)`, value: rate(backBpDistance, backBpMs), unit: 'steps/s', peer },
    { name: `${prefix}continue to a breakpoint (${fwdBpDistance} steps on)`, value: rate(fwdBpDistance, fwdBpMs), unit: 'steps/s', peer },
    { name: `${prefix}continue to a read watchpoint (${rwatchDistance} steps on)`, value: rate(rwatchDistance, rwatchMs), unit: 'steps/s', peer },
  ]
}
