/**
 * What a running machine reports: the semantic events the timeline and the CLI show (segments
 * loaded, firmware hand-off, UART bytes, input delivered, warnings) and why a run stopped. Steps are
 * retired-instruction counts, the position of record and replay (ARCHITECTURE.md).
 */
import type { StopReason as TraceStopReason } from '../../shared/trace/events'
import type { LoadedSegment } from './boot/loader'

/** Why a run stopped: the shared list (shared/trace/events.ts) without the recorder's own 'crashed'. */
export type StopReason = Exclude<TraceStopReason, 'crashed'>

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
  /** A 'paused' stop at a debugger's breakpoint or watch (`CoreHart.setDebugStops`), not at `pauseAt`. */
  debugStop?: boolean
}

export type MachineEvent =
  | { kind: 'segment-loaded'; step: bigint; segment: LoadedSegment }
  /**
   * Control passes to the next stage. `exact` is false when a firmware file handed over inside a
   * slice: then `step` is where the hand-off was first seen, and a0/a1 are what the firmware itself
   * was given (hart id, our FDT address) — it may pass on another FDT address (fw_jump: its own copy).
   * On x86, a0/a1 are EAX/EBX: the Multiboot magic and the boot information's address.
   */
  | { kind: 'firmware-handoff'; step: bigint; from: string; /** The privilege the kernel starts in: RISC-V 'M' or 'S', x86 'ring 0'. */ mode: string; entry: bigint; a0: bigint; a1: bigint; exact: boolean }
  | { kind: 'uart'; step: bigint; byte: number }
  | { kind: 'input'; step: bigint; bytes: Uint8Array }
  | { kind: 'warning'; step: bigint; message: string }
  /** The guest wrote one 512-byte sector of its disk (virtio-blk), at this step. */
  | { kind: 'disk-write'; step: bigint; sector: number; data: Uint8Array }
  | { kind: 'stop'; step: bigint; stop: StopInfo }

export type MachineListener = (event: MachineEvent) => void
