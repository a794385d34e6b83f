/**
 * The CLINT timer, kept inside the hart so timer interrupts are exact to the instruction and
 * deterministic: time is derived from retired instructions, never from the host clock.
 *
 * TIME_RATIO = 10 retired instructions per mtime tick. QEMU virt's timebase is 10 MHz, so this
 * models a hart retiring 100 M instructions per second of guest time — the same order as a real
 * in-order core and as our interpreter, so guest-visible delays (a 1-second sleep) cost about a
 * second of host time, and a timer-driven kernel gets a reasonable number of instructions per tick.
 */
import { S_INSTRET, S_MTIME_OFFSET, S_MTIMECMP, S_MSIP } from './layout'

export const TIME_RATIO: u64 = 10

@inline export function mtimeAt(instret: u64): u64 {
  return instret / TIME_RATIO + load<u64>(S_MTIME_OFFSET)
}
export function mtime(): u64 {
  return mtimeAt(load<u64>(S_INSTRET))
}
export function setMtime(v: u64): void {
  store<u64>(S_MTIME_OFFSET, v - load<u64>(S_INSTRET) / TIME_RATIO)
}
export function mtipPending(): bool {
  return mtime() >= load<u64>(S_MTIMECMP)
}
export function msipPending(): bool {
  return load<u64>(S_MSIP) != 0
}

/** The smallest instret at which mtime ≥ mtimecmp (u64 max when that never happens in range). */
export function timerDeadline(): u64 {
  const cmp = load<u64>(S_MTIMECMP)
  const off = load<u64>(S_MTIME_OFFSET)
  const ticks = cmp - off // mtime ticks needed from instret 0 (wrapping)
  if (<i64>ticks <= 0) return 0
  if (ticks > (<u64>-1) / TIME_RATIO) return <u64>-1
  return ticks * TIME_RATIO
}
