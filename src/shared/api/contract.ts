/**
 * THE contract between the renderer and the main process (ARCHITECTURE.md, "One contract").
 * Every request with its arguments and result, and every pushed event, is declared here; the
 * Electron IPC adapter and the browser-mode WebSocket server are two transports of this same
 * contract, and nothing else crosses the process boundary. Results are `Result` values.
 */
import type { FindQuery, FindResult, MachineState, StateQuery } from './replay'
import type { BootGdbStatus, BootOptions, BootOutcome, BootProgress, RecordingOverview, RecordingSummary } from './boot'
import type { EventKind, TraceEvent } from '../trace/events'
import type { BuildSummary } from './build'
import type { CoreInfo, EngineName } from './core'
import type { FileEntry, SavedFile, WorkspaceInfo } from './workspace'
import type { FileImportArgs, ImportedFile } from './file-import'
import type { ChosenFileRole, GrantedFile } from './file-grant'
import type { LabCheckOutcome, LabInfo, LabSummary } from './lab'
import type { ExampleSummary } from './example'

/** Requests: name → { args, result }. Names are `domain.verb`. */
export interface Requests {
  /** Version, transport and the core worker's state (SQLite version, schema version). */
  'app.info': { args: Record<string, never>; result: AppInfo }
  /** Sets how the core worker's harts execute guest code from now on (boots, replays, lab checks); same results either way. */
  'engine.set': { args: { engine: EngineName }; result: { engine: EngineName } }
  /** The current workspace: root and file tree. */
  'workspace.get': { args: Record<string, never>; result: WorkspaceInfo }
  /**
   * Opens a folder as the workspace (a lab or example open is left first). Without `path` the
   * desktop app shows the system's folder dialog (null when cancelled); browser mode needs the
   * absolute path (`~` is the home folder). An existing, readable folder, else a clear error.
   */
  'workspace.openFolder': { args: { path?: string }; result: WorkspaceInfo | null }
  /** Back to the workspace the app was opened with (from a lab, an example or an opened folder). */
  'workspace.home': { args: Record<string, never>; result: WorkspaceInfo }
  'file.read': { args: { path: string }; result: FileEntry }
  /** A source file a recording's line table names (a kernel's DWARF may name files outside the workspace), to show read-only; only files that table names. */
  'source.read': { args: { recording: string; file: string }; result: FileEntry }
  /** Saves atomically (write to a temporary file, fsync, rename): a crash never leaves half a file. */
  'file.write': { args: { path: string; text: string }; result: SavedFile }
  /** Saves uploaded bytes (a dropped ELF) atomically as `imports/<name>` in the workspace; size-limited. */
  'file.import': { args: FileImportArgs; result: ImportedFile }
  /** Browser mode: lets `boot.start` read the file at this absolute path (typed in Open ELF…) for the session; a regular file within the image cap (file-grant.ts). */
  'file.grant': { args: { path: string; role: ChosenFileRole }; result: GrantedFile }
  /** Desktop app: the system's file dialog (at `defaultPath`); the file the user picks is granted as by `file.grant`; null when the dialog was cancelled. */
  'file.choose': { args: { role: ChosenFileRole; defaultPath?: string }; result: GrantedFile | null }
  /** Builds the workspace's assembly with its linker script: ELF, layout report, diagnostics. */
  'build.run': { args: { script?: string }; result: BuildSummary }
  /** Ends the build in progress (Build's, or the build a Boot starts with): the build command's process group is ended; the console says so. */
  'build.cancel': { args: Record<string, never>; result: { cancelled: boolean } }
  /** Builds, boots and records; progress arrives as `boot.progress` events, the end as `boot.finished`. */
  'boot.start': { args: BootOptions; result: { runId: string } }
  'boot.cancel': { args: { runId: string }; result: { cancelled: boolean } }
  /** Bytes typed by the user, delivered to the guest's UART and recorded with their step. */
  'boot.input': { args: { runId: string; text: string }; result: { queued: number } }
  /** Past boots of this workspace, read from their SQLite files by the core worker. */
  'recording.list': { args: Record<string, never>; result: RecordingSummary[] }
  /** One recording's overview: its summary, the timeline lanes and the notable events. */
  'recording.open': { args: { path: string }; result: RecordingOverview }
  /** Events of some kinds in a step range (history queries, console lines, markers when zoomed in). */
  'recording.events': { args: { path: string; kinds?: EventKind[]; from?: number; to?: number; limit?: number }; result: TraceEvent[] }
  /** The machine's state at a step, replayed from the recording: registers, instruction and source line, address space, a translation, memory. */
  'recording.state': { args: StateQuery; result: MachineState }
  /** History search from a step: where the PC next/last reaches an address, or a value next/last changes. */
  'recording.find': { args: FindQuery; result: FindResult }
  /** The built-in labs (resources/labs), in their order. */
  'lab.list': { args: Record<string, never>; result: LabSummary[] }
  /** Opens a lab as the workspace: its starter files copied into the lab's own folder on first start (never the solution), the student's edits kept after. */
  'lab.start': { args: { id: string }; result: LabInfo }
  /** The lab open as the workspace, or null. */
  'lab.current': { args: Record<string, never>; result: LabInfo | null }
  /** "Check my work": builds the workspace's edited files as the lab's submission, records the boot into the recordings, decides every check. */
  'lab.check': { args: Record<string, never>; result: LabCheckOutcome }
  /** Leaves the lab: the workspace the app was opened with is the workspace again. */
  'lab.close': { args: Record<string, never>; result: WorkspaceInfo }
  /** "New workspace from example": the built-in example workspaces (resources/examples). */
  'example.list': { args: Record<string, never>; result: ExampleSummary[] }
  /** Opens an example as the workspace: copied on first open into the home workspace's `.bootscope/examples/<id>`, the edits kept after; an open lab is left first. */
  'example.open': { args: { id: string }; result: WorkspaceInfo }
  /** Back to the workspace the app was opened with. */
  'example.close': { args: Record<string, never>; result: WorkspaceInfo }
}

/** Pushed events: name → payload. */
export interface Events {
  'boot.progress': BootProgress
  'boot.finished': BootOutcome
  /** Console text of a running boot, as the guest prints it, with the step of its first character. */
  'boot.output': { runId: string; step: number; text: string }
  /** The live gdb stub of a boot started with `gdb`: its address to give gdb, and whether gdb still drives the boot. */
  'boot.gdb': BootGdbStatus
  /** The core worker died; it is being restarted and the recording so far is kept. */
  'core.crashed': { message: string; restarted: boolean }
  /** Every build's result (from Build or from Boot): diagnostics for the editor, layout for the layout view. */
  'build.finished': BuildSummary
  /** Output of the workspace file's build command (bootscope.json), as it comes. */
  'build.output': { text: string }
}

export type RequestName = keyof Requests
export type EventName = keyof Events
export type ArgsOf<N extends RequestName> = Requests[N]['args']
export type ResultOf<N extends RequestName> = Requests[N]['result']

export interface AppInfo {
  name: 'Bootscope'
  version: string
  transport: 'ipc' | 'websocket'
  core: CoreInfo
}

/** The request names, for whitelisting in the preload and the WebSocket server. */
export const REQUEST_NAMES: readonly RequestName[] = [
  'app.info',
  'engine.set',
  'workspace.get',
  'workspace.openFolder',
  'workspace.home',
  'file.read',
  'source.read',
  'file.write',
  'file.import',
  'file.grant',
  'file.choose',
  'build.run',
  'build.cancel',
  'boot.start',
  'boot.cancel',
  'boot.input',
  'recording.list',
  'recording.open',
  'recording.events',
  'recording.state',
  'recording.find',
  'lab.list',
  'lab.start',
  'lab.current',
  'lab.check',
  'lab.close',
  'example.list',
  'example.open',
  'example.close',
]

export const EVENT_NAMES: readonly EventName[] = ['boot.progress', 'boot.finished', 'boot.output', 'boot.gdb', 'core.crashed', 'build.finished', 'build.output']

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && (REQUEST_NAMES as readonly string[]).includes(name)
}

/** IPC channel names: one for requests, one for events, both prefixed so nothing else is reachable. */
export const IPC_INVOKE_CHANNEL = 'bootscope:invoke'
export const IPC_EVENT_CHANNEL = 'bootscope:event'
