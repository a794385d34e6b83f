/**
 * The core worker's typed message protocol: requests with ids, responses as `Result` values,
 * progress messages tied to a request id, and cancellation. The main process never blocks on
 * emulation; everything slow runs behind this protocol in the worker (ARCHITECTURE.md).
 */
import type { FindQuery, FindResult, MachineState, StateQuery } from '../../shared/api/replay'
import type { Result, SourceLoc } from '../../shared/api/result'
import type { SourceLine } from '../../shared/trace/source-map'
import type { RecordingOverview, RecordingSummary } from '../../shared/api/boot'
import type { EventKind, TraceEvent } from '../../shared/trace/events'
import type { Diagnostic } from '../../shared/api/result'
import type { LayoutReport } from '../../shared/api/layout'
import type { LabCheckOutcome } from '../../shared/api/lab'
import type { EngineName } from '../../shared/api/core'

export interface WorkerMethods {
  /** Proof of life: SQLite's version and the recording format version. */
  'core.info': { args: Record<string, never>; result: { sqliteVersion: string; schemaVersion: number; engine: EngineName } }
  /** The engine the worker's harts use from now on (BOOTSCOPE_ENGINE in the worker thread; replays already open keep theirs). */
  'core.setEngine': { args: { engine: EngineName }; result: { engine: EngineName } }
  /** Lists the recordings in a folder, reading each file's summary. */
  'recordings.list': { args: { dir: string }; result: RecordingSummary[] }
  /** Creates an empty recording file (schema + metadata). */
  'recordings.create': { args: { path: string; kernel: string; config: unknown }; result: { path: string } }
  /** A recording's summary, lanes and notable events. */
  'recording.overview': { args: { path: string; displayPath: string }; result: RecordingOverview }
  /** Events by kind and step range. */
  'recording.events': { args: { path: string; kinds?: EventKind[]; from?: number; to?: number; limit?: number }; result: TraceEvent[] }
  /** Replays a recording to a step (sessions are kept for the recently inspected recordings). */
  'recording.state': { args: StateQuery; result: MachineState }
  'recording.find': { args: FindQuery; result: FindResult }
  /** The source files the recording's line table names (to read only those outside the workspace). */
  'recording.sourceFiles': { args: { path: string }; result: string[] }
  /** Boots a kernel and records it; progress messages are `BootRunProgress`; cancel stops the guest and keeps the recording. */
  'boot.run': { args: BootRunArgs; result: BootRunResult }
  /** Bytes typed by the user for a running boot. */
  'boot.input': { args: { runId: string; text: string }; result: { queued: number } }
  /** The host is shutting down: every running boot ends its recording cleanly (outcome `interrupted`); answers once they are written. */
  'boot.interruptAll': { args: { why: string }; result: { interrupted: number } }
  /** Assembles and links workspace files with our toolchain. */
  'build.run': { args: { files: { path: string; text: string }[]; script?: string }; result: WorkerBuildResult }
  /** "Check my work": builds a lab with the submission's edited files, records the boot to `recordingPath`, decides the checks. `recording` in the result is the absolute path, or null. */
  'lab.check': { args: { labDir: string; submissionDir: string; recordingPath: string }; result: LabCheckOutcome }
  /** Test hook (only when the worker was started with `allowDebug`): crash the worker thread. */
  'debug.crash': { args: { how: 'throw' | 'exit' }; result: never }
  /** Test hook: blocks the worker thread in a loop that never looks at cancellation (what the watchdog is for). */
  'debug.hang': { args: { millis: number }; result: { hung: number } }
  /** Test hook: a long task that reports progress until cancelled. */
  'debug.spin': { args: { millis: number }; result: { iterations: number; cancelled: boolean } }
}

export type WorkerMethod = keyof WorkerMethods

export type ToWorker =
  | { type: 'request'; id: number; method: WorkerMethod; args: unknown }
  | { type: 'cancel'; id: number }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'progress'; id: number; progress: unknown }

export interface WorkerData {
  allowDebug: boolean
  /** The engine its harts use (the app setting); else BOOTSCOPE_ENGINE as the process has it. */
  engine?: EngineName
}

export interface ImageBytes {
  file: string
  bytes: Uint8Array
}

export interface BootRunArgs {
  runId: string
  recordingPath: string
  kernel: ImageBytes & { rawAddr?: bigint }
  bios: 'none' | 'builtin' | ImageBytes
  initrd?: ImageBytes
  /** The kernel command line. */
  append?: string
  memBytes?: number
  maxSteps?: number
  strictTlb?: boolean
  /** Multiboot modules (x86) with their strings: the workspace file's `modules`. */
  modules?: (ImageBytes & { string?: string })[]
  /** The build's line table when the kernel is the workspace's build. */
  sourceLines?: SourceLine[]
  /** A machine preset (`riscv64-virt`, `x86-pc`); default: the one the kernel calls for. */
  machine?: string
  /** Serve the boot to gdb on this port (0: a free one) — `BootOptions.gdb`. */
  gdb?: { port: number }
}

export interface BootRunResult {
  recordingPath: string
  steps: number
  stop: { reason: string; exitCode?: number; message: string; hint?: string; pc: string; loc?: SourceLoc }
}

export type BootRunProgress =
  | { kind: 'progress'; steps: number; stepsPerSecond: number; bytesWritten: number; waiting: boolean }
  | { kind: 'output'; step: number; text: string }
  | { kind: 'gdb'; address: string; state: 'listening' | 'detached' | 'closed' }

export interface WorkerBuildResult {
  ok: boolean
  elf?: Uint8Array
  layout?: LayoutReport
  diagnostics: Diagnostic[]
  /** The line table at link addresses, for source lines in recordings. */
  sourceLines: SourceLine[]
}
