/**
 * "Open Folder…": any folder on the machine running the core becomes the workspace — a kernel
 * project with its own `bootscope.json` (docs/workspace-file.md), or plain sources built the
 * built-in way. The desktop app asks the system's folder dialog (`chooseFolder`); browser mode has
 * no dialog on the user's screen, so there the request carries the path the user typed. The path
 * must name an existing, readable folder; `~` is the user's home, and a relative path is refused
 * (relative to what the user cannot see). A lab or example open at the time is left first, as
 * `example.open` does; `home` goes back to the workspace the app was opened with.
 */
import { readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import type { WorkspaceInfo } from '../../shared/api/workspace'
import type { Workspace } from './workspace'

export interface FolderServiceDeps {
  workspace: Workspace
  /** The workspace the app was opened with. */
  homeRoot: string
  /** Leaves an open lab (the lab service's close), before the workspace switches. */
  leaveLab: () => Promise<unknown> | unknown
  /** The system's folder dialog (the desktop app): the folder picked, or undefined when cancelled. */
  chooseFolder?: (request: { defaultPath?: string }) => Promise<string | undefined>
}

/** `path` as an absolute folder path, or why it cannot be the workspace. */
export function checkFolder(path: string): Result<string> {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
  if (!isAbsolute(expanded)) {
    return err('workspace.relative_path', `'${path}' is not an absolute path`, { hint: `write the folder's full path, e.g. ${resolve(homedir(), path)}` })
  }
  const abs = resolve(expanded)
  let isDir: boolean
  try {
    isDir = statSync(abs).isDirectory()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return err('workspace.not_found', `there is no folder ${abs}`, { hint: 'check the path (it is a path on the machine running Bootscope)' })
    return err('workspace.unreadable', `cannot open ${abs}: ${(e as Error).message}`)
  }
  if (!isDir) return err('workspace.not_a_folder', `${abs} is a file, not a folder`, { hint: 'open the folder that holds your kernel project (its Makefile or bootscope.json)' })
  try {
    readdirSync(abs)
  } catch (e) {
    return err('workspace.unreadable', `cannot read the folder ${abs}: ${(e as Error).message}`, { hint: 'check the folder\'s permissions' })
  }
  return ok(abs)
}

export class FolderService {
  constructor(private readonly deps: FolderServiceDeps) {}

  /** Opens `path` (or the folder the dialog returns) as the workspace; null when the dialog was cancelled. */
  async open(path: string | undefined): Promise<Result<WorkspaceInfo | null>> {
    let chosen = path
    if (chosen === undefined) {
      if (!this.deps.chooseFolder) {
        return err('workspace.no_dialog', 'browser mode cannot show a folder dialog on your screen', { hint: 'type the folder\'s absolute path in Open Folder…' })
      }
      chosen = await this.deps.chooseFolder({ defaultPath: this.deps.workspace.root })
      if (chosen === undefined) return ok(null)
    }
    const folder = checkFolder(chosen)
    if (!folder.ok) return folder
    await this.deps.leaveLab()
    this.deps.workspace.switchTo(folder.value)
    return ok(this.deps.workspace.info())
  }

  /** Back to the workspace the app was opened with (leaving a lab, an example or an opened folder). */
  async home(): Promise<Result<WorkspaceInfo>> {
    await this.deps.leaveLab()
    this.deps.workspace.switchTo(this.deps.homeRoot)
    return ok(this.deps.workspace.info())
  }
}
