/**
 * What a running machine reports: the semantic events the timeline and the CLI show (segments
 * loaded, firmware hand-off, UART bytes, input delivered, warnings) and why a run stopped. Steps are
 * retired-instruction counts, the position of record and replay (ARCHITECTURE.md).
 */
import type { LoadedSegment } from './boot/loader'

export type StopReason =
  /** SBI SRST / legacy shutdown or the test finisher: `exitCode` is the guest's. */
  | 'shutdown'
  /** SBI reboot or finisher 0x7777: the guest asked for a reset; Bootscope stops there. */
  | 'reset'
  /** riscv-tests `tohost` protocol: 1 = pass, (n << 1) | 1 = fail n. */
  | 'tohost'
  | 'budget'
  | 'cancelled'
  /** `pause()` was called (e.g. a test waiting for a prompt): `run` may be called again. */
  | 'paused'
  /** The guest is stuck taking the same trap: explained in `message`. */
  | 'trap-loop'
  /** `wfi` that nothing can ever wake. */
  | 'wfi-deadlock'
  /** `wfi` that only host input can wake, and no input is queued: `sendInput`, then `run` again. */
  | 'waiting-for-input'
  /** HSM hart_stop of the only hart. */
  | 'hart-stopped'
  /** ebreak with haltOnEbreak, or an M-mode trap the built-in firmware cannot handle. */
  | 'halt'
  | 'guest-error'

export interface StopInfo {
  reason: StopReason
  /** The process exit code the CLI should use (guest exit code for shutdown/tohost). */
  exitCode?: number
  /** One or two sentences for a person. */
  message: string
  /** What to change, when Bootscope knows (trap loops). */
  hint?: string
  step: bigint
  pc: bigint
}

export type MachineEvent =
  | { kind: 'segment-loaded'; step: bigint; segment: LoadedSegment }
  /**
   * Control passes to the next stage. `exact` is false when a firmware file handed over inside a
   * slice: then `step` is where the hand-off was first seen, and a0/a1 are what the firmware itself
   * was given (hart id, our FDT address) — it may pass on another FDT address (fw_jump: its own copy).
   */
  | { kind: 'firmware-handoff'; step: bigint; from: string; mode: 'M' | 'S'; entry: bigint; a0: bigint; a1: bigint; exact: boolean }
  | { kind: 'uart'; step: bigint; byte: number }
  | { kind: 'input'; step: bigint; bytes: Uint8Array }
  | { kind: 'warning'; step: bigint; message: string }
  | { kind: 'stop'; step: bigint; stop: StopInfo }

export type MachineListener = (event: MachineEvent) => void
