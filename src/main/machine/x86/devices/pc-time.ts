/**
 * Deterministic time on the PC: every clock a device shows (the 8254's 1.193182 MHz, the local
 * APIC timer's bus clock, the RTC's seconds) is derived from the hart's `time` — retired steps
 * plus the idle steps skipped while halted — at a nominal 100 million steps per second, the same
 * nominal speed as the RISC-V machine (10 MHz timebase, 10 steps per tick). Nothing reads the
 * host clock, so the same inputs give the same boot.
 */

/** Nominal guest speed: steps (instructions) per second of guest time. */
export const STEPS_PER_SECOND = 100_000_000n
export const NS_PER_STEP = 1_000_000_000n / STEPS_PER_SECOND

/** The 8254's input clock (REFERENCE.md "x86 PC": 1 193 182 Hz). */
export const PIT_HZ = 1_193_182n

/** Ticks of an `hz` clock that have passed at guest time `step` (rounded down). */
export function ticksAt(step: bigint, hz: bigint): bigint {
  return (step * hz) / STEPS_PER_SECOND
}

/** The first guest step at which an `hz` clock has reached tick `tick`. */
export function stepOfTick(tick: bigint, hz: bigint): bigint {
  return (tick * STEPS_PER_SECOND + hz - 1n) / hz
}
