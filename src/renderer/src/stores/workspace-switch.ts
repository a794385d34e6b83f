/**
 * After the backend switched workspaces (a lab started or left, an example opened or closed):
 * the old workspace's editor tabs, open recording (and its line highlight), last build and boot
 * go, the new one's files and recordings are loaded, and `open` files are opened in the editor.
 */
import { useWorkspaceStore } from './workspace'
import { useRecordingsStore } from './recordings'
import { useReplayStore } from './replay'
import { useBuildStore } from './build'
import { useBootStore } from './boot'
import { useLabStore } from './lab'
import type { Result } from '../../../shared/api/result'

export async function reloadSwitchedWorkspace(open: readonly string[]): Promise<void> {
  const ws = useWorkspaceStore()
  for (const f of [...ws.open]) ws.close(f.path)
  useReplayStore().close()
  useBuildStore().last = undefined
  useBootStore().forgetWorkspace()
  await Promise.all([ws.load(), useRecordingsStore().load()])
  for (const path of [...open].reverse()) await ws.openFile(path)
}

/**
 * Switches the workspace through the backend (an example opened or closed, a folder opened, home
 * again): the open files are saved first; when `request` switched (its value is not null — null is
 * a cancelled folder dialog), a lab the backend left is forgotten and the new workspace loaded.
 */
export async function switchWorkspace<T>(request: () => Promise<Result<T | null>>): Promise<Result<T | null>> {
  await useWorkspaceStore().saveAll()
  const r = await request()
  if (r.ok && r.value !== null) {
    useLabStore().current = null
    await reloadSwitchedWorkspace([])
  }
  return r
}
