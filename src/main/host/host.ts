/**
 * The services behind the contract: one handler per request of `shared/api/contract.ts`, and an
 * event stream. Both transports (Electron IPC in `main/app`, WebSocket in `main/web`) call
 * `invoke` and subscribe to `onEvent`; neither knows anything else about the host. Arguments
 * arrive from another process, so every handler treats them as untrusted.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import { isRequestName, type AppInfo, type ArgsOf, type EventName, type Events, type RequestName, type ResultOf } from '../../shared/api/contract'
import { checkRequestArgs } from '../../shared/api/schemas'
import { CoreWorker, type CoreWorkerOptions } from './core-worker'
import { BootService } from './boot-service'
import { BuildService } from './build-service'
import { ExampleService } from './example-service'
import { FolderService } from './folder-service'
import { LabService } from './lab-service'
import { MAX_FILE_BYTES, RECORDINGS_FOLDER, Workspace } from './workspace'
import { readRegularFile } from '../files/regular-file'
import { languageOf, type FileEntry } from '../../shared/api/workspace'
import { FileGrants } from './file-grants'
import type { ChosenFileRole, GrantedFile } from '../../shared/api/file-grant'
import { importFile } from './file-import'
import { PACKAGE_ROOT } from './paths'

/** Source files a kernel's DWARF may name outside the workspace: C, C++, Rust, Zig, assembly and their headers. */
const SOURCE_FILE = /\.(c|h|cc|cpp|cxx|hh|hpp|rs|zig|s|S|asm|inc)$/

type HostEmit = <E extends EventName>(event: E, payload: Events[E]) => void

export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void

export interface HostOptions {
  workspaceRoot: string
  transport: AppInfo['transport']
  /** Enables the core worker's debug requests (tests). */
  allowDebug?: boolean
  /** Watchdog deadlines instead of the defaults (tests). */
  workerDeadlines?: CoreWorkerOptions['deadlines']
  /**
   * The system's file dialog (the desktop app): the path the user picked, or undefined when the
   * dialog was cancelled. Without it (browser mode) a typed path is granted with `file.grant`.
   */
  chooseFile?: (request: { role: ChosenFileRole; defaultPath?: string }) => Promise<string | undefined>
  /** The system's folder dialog (the desktop app) for Open Folder…; without it `workspace.openFolder` needs a path. */
  chooseFolder?: (request: { defaultPath?: string }) => Promise<string | undefined>
}

type Handlers = { [N in RequestName]: (args: ArgsOf<N>) => Promise<Result<ResultOf<N>>> | Result<ResultOf<N>> }

export class Host {
  readonly workspace: Workspace
  readonly core: CoreWorker
  /**
   * Builds run in a worker of their own, started on the first build: when the watchdog has to
   * stop a build, a boot recording in the core worker goes on untouched.
   */
  private toolchainWorker: CoreWorker | undefined
  private listeners = new Set<EventListener>()
  private readonly handlers: Handlers
  private readonly version: string
  private readonly boots: BootService
  private readonly builds: BuildService
  private readonly labs: LabService
  private readonly examples: ExampleService
  private readonly folders: FolderService
  /** Files outside the workspace the user chose this session (file-grants.ts). */
  private readonly grants = new FileGrants()

  constructor(private readonly opts: HostOptions) {
    this.workspace = Workspace.openOrCreate(opts.workspaceRoot)
    // A workspace whose .bootscope leads out is still opened; recording there is refused when it is tried.
    this.workspace.stateFolder(RECORDINGS_FOLDER)
    this.version = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version
    this.core = new CoreWorker({
      allowDebug: opts.allowDebug,
      deadlines: opts.workerDeadlines,
      onCrash: (message) => this.emit('core.crashed', { message, restarted: true }),
    })
    const emit: HostEmit = (e, p) => this.emit(e, p)
    const toolchain: Pick<CoreWorker, 'request'> = { request: (method, args, o) => this.toolchain().request(method, args, o) }
    this.builds = new BuildService({ core: toolchain, workspace: this.workspace, emit })
    this.boots = new BootService({ core: this.core, workspace: this.workspace, grants: this.grants, emit, buildKernel: () => this.builds.kernel() })
    const homeRoot = this.workspace.root
    this.labs = new LabService({ core: this.core, workspace: this.workspace, homeRoot, emit })
    const leaveLab = () => {
      const open = this.labs.current()
      if (open.ok && open.value) this.labs.close()
    }
    this.examples = new ExampleService({ workspace: this.workspace, homeRoot, leaveLab })
    this.folders = new FolderService({ workspace: this.workspace, homeRoot, leaveLab, chooseFolder: opts.chooseFolder })
    this.handlers = {
      'app.info': async () => {
        const info = await this.core.request('core.info', {})
        if (!info.ok) return info
        return ok({
          name: 'Bootscope',
          version: this.version,
          transport: this.opts.transport,
          core: { state: 'up', restarts: this.core.restarts, ...info.value },
        })
      },
      'engine.set': ({ engine }) => this.core.setEngine(engine),
      'workspace.get': () => ok(this.workspace.info()),
      'workspace.openFolder': ({ path }) => this.folders.open(path),
      'workspace.home': () => this.folders.home(),
      'file.read': ({ path }) => this.workspace.read(path),
      'file.write': ({ path, text }) => this.workspace.write(path, text),
      'file.import': (args) => importFile(this.workspace, args),
      'file.grant': ({ path, role }) => this.grantTyped(path, role),
      'file.choose': (request) => this.choose(request),
      'build.run': async ({ script }) => {
        const r = await this.builds.build(script)
        return r.ok ? ok(r.value.summary) : r
      },
      'build.cancel': () => this.builds.cancel(),
      'boot.start': (opts) => this.boots.start(opts),
      'boot.cancel': ({ runId }) => this.boots.cancel(runId),
      'boot.input': ({ runId, text }) => this.boots.input(runId, text),
      'recording.list': () => {
        const dir = this.workspace.stateFolder(RECORDINGS_FOLDER)
        return dir.ok ? this.core.request('recordings.list', { dir: dir.value }) : dir
      },
      'recording.open': ({ path }) => {
        const abs = this.recordingPath(path)
        return abs.ok ? this.core.request('recording.overview', { path: abs.value, displayPath: path }) : abs
      },
      'recording.state': (q) => {
        const abs = this.recordingPath(q?.path)
        return abs.ok ? this.core.request('recording.state', { ...q, path: abs.value }) : abs
      },
      'recording.find': (q) => {
        const abs = this.recordingPath(q?.path)
        return abs.ok ? this.core.request('recording.find', { ...q, path: abs.value }) : abs
      },
      'source.read': ({ recording, file }) => this.readSource(recording, file),
      'recording.events': ({ path, kinds, from, to, limit }) => {
        const abs = this.recordingPath(path)
        return abs.ok ? this.core.request('recording.events', { path: abs.value, kinds, from, to, limit }) : abs
      },
      'lab.list': () => this.labs.list(),
      'lab.start': ({ id }) => this.labs.start(id),
      'lab.current': () => this.labs.current(),
      'lab.check': () => this.labs.check(),
      'lab.close': () => this.labs.close(),
      'example.list': () => this.examples.list(),
      'example.open': ({ id }) => this.examples.open(id),
      'example.close': () => this.examples.close(),
    }
  }

  private toolchain(): CoreWorker {
    this.toolchainWorker ??= new CoreWorker({
      allowDebug: this.opts.allowDebug,
      deadlines: this.opts.workerDeadlines,
      name: 'toolchain worker',
      onCrash: (message) => this.emit('core.crashed', { message, restarted: true }),
    })
    return this.toolchainWorker
  }

  /**
   * `source.read`: a file the recording's line table names, read-only — a workspace file through
   * the workspace (confined like any), another path only when that table names it exactly.
   */
  private async readSource(recording: string, file: string): Promise<Result<FileEntry>> {
    const abs = this.recordingPath(recording)
    if (!abs.ok) return abs
    if (typeof file !== 'string') return err('bad_arguments', 'file must be a path')
    const named = await this.core.request('recording.sourceFiles', { path: abs.value })
    if (!named.ok) return named
    if (!named.value.some((f) => f === file || (isAbsolute(f) && isAbsolute(file) && resolve(f) === resolve(file)))) return err('source.not_in_recording', `'${file}' is not a source file of this recording's kernel`)
    // A relative name (DWARF without a compilation folder) is a workspace path, confined like any.
    const relative = isAbsolute(file) ? this.workspace.relativeOf(resolve(file)) : file
    if (relative !== undefined) return this.workspace.read(relative)
    // Outside the workspace only what a compiler's line table names as source: never a key or a config file a crafted ELF names.
    if (!SOURCE_FILE.test(file)) return err('source.not_source', `'${file}' is outside the workspace and not a source file (${SOURCE_FILE.source})`)
    const bytes = readRegularFile(file, 'source file', MAX_FILE_BYTES)
    if (!bytes.ok) return bytes
    return ok({ path: file, text: new TextDecoder().decode(bytes.value), language: languageOf(file) })
  }

  /** A recording of this workspace, by its name in the recordings folder (which, like the file, must not lead out). */
  private recordingPath(name: unknown): Result<string> {
    if (typeof name !== 'string' || !/^[\w.-]+\.sqlite$/.test(name) || name.startsWith('.')) {
      return err('recording.bad_name', `'${String(name)}' is not a recording of this workspace`)
    }
    // 'creatable': a missing recording is the worker's to report, in its words.
    return this.workspace.confine(`${RECORDINGS_FOLDER}/${name}`, 'creatable')
  }

  /** `file.grant`: a path typed in browser mode. The desktop app grants only what its file dialog returns. */
  private grantTyped(path: string, role: ChosenFileRole): Promise<Result<GrantedFile>> | Result<GrantedFile> {
    if (this.opts.chooseFile) {
      return err('file.choose_instead', 'in the desktop app a file outside the workspace is chosen in the file dialog', { hint: 'use Browse… in Open ELF…' })
    }
    return this.grants.grant(path, role)
  }

  /** `file.choose`: the system's file dialog; what the user picks is granted. */
  private async choose({ role, defaultPath }: { role: ChosenFileRole; defaultPath?: string }): Promise<Result<GrantedFile | null>> {
    if (!this.opts.chooseFile) {
      return err('file.no_dialog', 'browser mode cannot show a file dialog on your screen', { hint: 'type the file\'s absolute path in Open ELF…' })
    }
    const picked = await this.opts.chooseFile({ role, defaultPath })
    return picked === undefined ? ok(null) : this.grants.grant(picked, role)
  }

  /**
   * Answers one request; both transports call this and nothing else. Unknown names and arguments
   * that do not have the request's shape (`shared/api/schemas.ts`) are error values that never
   * reach a service; this never throws.
   */
  async invoke(name: unknown, args: unknown): Promise<Result<unknown>> {
    if (!isRequestName(name)) return err('unknown_request', `unknown request '${String(name)}'`)
    const checked = checkRequestArgs(name, args)
    if (!checked.ok) return checked
    try {
      const handler = this.handlers[name] as (a: unknown) => Promise<Result<unknown>> | Result<unknown>
      return await handler(checked.value)
    } catch (e) {
      return err('internal', `${name} failed: ${(e as Error).message}`)
    }
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) l(event, payload)
  }

  async dispose(): Promise<void> {
    this.listeners.clear()
    await Promise.all([this.core.dispose(), this.toolchainWorker?.dispose()])
  }
}
