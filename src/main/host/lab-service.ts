/**
 * Labs for the contract: the built-in lab packs, starting one, and "Check my work".
 *
 * A started lab is a workspace of its own, `<home>/.bootscope/labs/<id>/`, where `<home>` is the
 * workspace the app was opened with. The Host keeps its single-workspace model: starting a lab
 * switches the one workspace to that folder (file tree, editor, build, boot and recordings all
 * follow), and `lab.close` switches back. The folder sits inside `.bootscope`, our state folder,
 * so it never shows in the home workspace's tree or build, nothing is written outside the folder
 * the user gave us, and a fresh workspace (every test) starts with fresh labs. Only the starter
 * files are copied, never lab.json (its checks stay with the app) nor the reference solution;
 * a second start keeps the student's edits and only restores files that are missing.
 *
 * Checking builds the workspace as the lab's submission exactly like `bootscope check
 * --submission`: only the files the lab says the student edits come from the workspace, the rest
 * from the lab itself. The run happens in the core worker; its recording is kept in the
 * workspace's recordings so the timeline can open it at the step a check points to.
 */
import type { Events, EventName } from '../../shared/api/contract'
import { copyFileSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { writeFileAtomic } from './atomic-write'
import { basename, join, relative } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import type { LabCheckOutcome, LabInfo, LabSummary } from '../../shared/api/lab'
import type { WorkspaceInfo } from '../../shared/api/workspace'
import { ID_RE } from '../../shared/labs/parse-checks'
import { loadLabFolder, type LabFolder } from '../labs/lab-folder'
import { recordingName } from './boot-service'
import type { CoreWorker } from './core-worker'
import { RECORDINGS_FOLDER, Workspace } from './workspace'
import { LABS_DIR } from './paths'

export interface LabServiceDeps {
  core: CoreWorker
  workspace: Workspace
  /** The workspace the app was opened with: labs live in its `.bootscope/labs/`, and closing a lab returns to it. */
  homeRoot: string
  /** Where the lab packs are (the built-in ones by default). */
  labsDir?: string
  /** Pushes events to the windows (a check's build diagnostics go out as `build.finished`). */
  emit?: <E extends EventName>(event: E, payload: Events[E]) => void
}

/** The folder of a started lab inside the home workspace. */
export function labWorkspaceDir(homeRoot: string, id: string): string {
  return join(homeRoot, '.bootscope', 'labs', id)
}

export class LabService {
  private readonly labsDir: string
  /** The lab open as the workspace, while the workspace is its folder. */
  private open?: { folder: LabFolder; root: string }
  private checking = false

  constructor(private readonly deps: LabServiceDeps) {
    this.labsDir = deps.labsDir ?? LABS_DIR
    this.resume()
  }

  /** Where the open lab's id is kept, so the app reopens it after a restart. */
  private get marker(): string {
    return join(this.deps.homeRoot, '.bootscope', 'open-lab')
  }

  /** Reopens the lab that was open when the app last stopped (if its folder is still there). */
  private resume(): void {
    let id: string
    try {
      id = readFileSync(this.marker, 'utf8').trim()
    } catch {
      return
    }
    const folder = this.folders().find((f) => f.lab.id === id)
    const root = labWorkspaceDir(this.deps.homeRoot, id)
    if (!folder || !existsSync(root)) return
    this.deps.workspace.switchTo(root)
    this.open = { folder, root }
  }

  /** Every valid lab pack of the labs folder (a broken one is left out rather than failing the list). */
  private folders(): LabFolder[] {
    let names: string[]
    try {
      names = readdirSync(this.labsDir).sort()
    } catch {
      return []
    }
    const out: LabFolder[] = []
    for (const name of names) {
      if (!existsSync(join(this.labsDir, name, 'lab.json'))) continue
      const { folder } = loadLabFolder(join(this.labsDir, name))
      if (folder) out.push(folder)
    }
    return out.sort((a, b) => (a.lab.order ?? Infinity) - (b.lab.order ?? Infinity) || a.lab.id.localeCompare(b.lab.id))
  }

  list(): Result<LabSummary[]> {
    return ok(
      this.folders().map(({ lab }) => ({
        id: lab.id,
        title: lab.title,
        summary: lab.summary,
        started: existsSync(labWorkspaceDir(this.deps.homeRoot, lab.id)),
      })),
    )
  }

  start(id: unknown): Result<LabInfo> {
    if (typeof id !== 'string' || !ID_RE.test(id)) return err('lab.bad_id', `'${String(id)}' is not a lab id`, { hint: 'lab ids are kebab-case, as lab.list gives them' })
    const folder = this.folders().find((f) => f.lab.id === id)
    if (!folder) return err('lab.not_found', `there is no lab '${id}'`, { hint: `the labs are: ${this.folders().map((f) => f.lab.id).join(', ')}` })
    // The lab's folder is created inside the home workspace only: never through a link leading out.
    const home = new Workspace(this.deps.homeRoot)
    const made = home.stateFolder(relative(this.deps.homeRoot, labWorkspaceDir(this.deps.homeRoot, id)))
    if (!made.ok) return made
    const root = labWorkspaceDir(this.deps.homeRoot, id)
    try {
      copyStarter(folder, new Workspace(root))
    } catch (e) {
      return err('lab.start_failed', `could not create the lab's folder ${root}: ${(e as Error).message}`)
    }
    this.deps.workspace.switchTo(root)
    this.open = { folder, root }
    try {
      writeFileAtomic(this.marker, id)
    } catch {
      // Not remembering the lab across a restart is not worth failing the start.
    }
    return ok(this.info(this.open))
  }

  current(): Result<LabInfo | null> {
    const o = this.openLab()
    return ok(o ? this.info(o) : null)
  }

  async check(): Promise<Result<LabCheckOutcome>> {
    const o = this.openLab()
    if (!o) return err('lab.none', 'no lab is open', { hint: 'start a lab from the Lab tab first' })
    if (this.checking) return err('lab.busy', 'a check is already running; wait for its results')
    this.checking = true
    try {
      const dir = this.deps.workspace.stateFolder(RECORDINGS_FOLDER)
      if (!dir.ok) return dir
      const name = recordingName(`lab-${o.folder.lab.id}`)
      const r = await this.deps.core.request('lab.check', { labDir: o.folder.dir, submissionDir: o.root, recordingPath: join(dir.value, name) })
      if (!r.ok) return r
      // The build's diagnostics reach the editor and Problems as after Build.
      this.deps.emit?.('build.finished', { ok: r.value.build.ok, diagnostics: r.value.build.diagnostics, millis: Math.round(r.value.seconds * 1000) })
      return ok({ ...r.value, recording: r.value.recording ? basename(r.value.recording) : null })
    } finally {
      this.checking = false
    }
  }

  close(): Result<WorkspaceInfo> {
    this.open = undefined
    rmSync(this.marker, { force: true })
    this.deps.workspace.switchTo(this.deps.homeRoot)
    return ok(this.deps.workspace.info())
  }

  /** The open lab, as long as the workspace is still its folder. */
  private openLab(): { folder: LabFolder; root: string } | undefined {
    return this.open && this.deps.workspace.root === this.open.root ? this.open : undefined
  }

  private info({ folder, root }: { folder: LabFolder; root: string }): LabInfo {
    const { lab, dir } = folder
    const exitCode = lab.checks.find((c) => c.kind === 'shutdown' && c.exitCode !== undefined)
    return {
      id: lab.id,
      title: lab.title,
      summary: lab.summary,
      readme: readFileSync(join(dir, lab.readme), 'utf8'),
      files: [...lab.files],
      root,
      ...(exitCode?.kind === 'shutdown' && exitCode.exitCode !== undefined ? { successExitCode: exitCode.exitCode } : {}),
    }
  }
}

/**
 * Copies the lab's starter files into the lab's workspace: everything but lab.json and the
 * solution folder, and no file that is already there (the student's edits win). Only plain files
 * and folders; a link the student made in the folder is never written through to the outside.
 */
function copyStarter(folder: LabFolder, target: Workspace): void {
  const skip = new Set(['lab.json', folder.lab.solution.replace(/\/+$/, '')])
  const walk = (rel: string) => {
    const dir = target.stateFolder(rel || '.')
    if (!dir.ok) throw new Error(dir.error.message)
    for (const name of readdirSync(join(folder.dir, rel)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name
      if (skip.has(relPath) || name.startsWith('.')) continue
      const st = lstatSync(join(folder.dir, relPath))
      if (st.isDirectory()) walk(relPath)
      else if (st.isFile() && !lexists(join(target.root, relPath))) {
        const to = target.confine(relPath, 'creatable')
        if (!to.ok) throw new Error(to.error.message)
        copyFileSync(join(folder.dir, relPath), to.value)
      }
    }
  }
  walk('')
  if (!target.stateFolder(RECORDINGS_FOLDER).ok) throw new Error(`${RECORDINGS_FOLDER} leads out of the lab's folder`)
}

/** Whether anything — a file, a folder, a link, even a dangling one — is at `path`. */
function lexists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}
