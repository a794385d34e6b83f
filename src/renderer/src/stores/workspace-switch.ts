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

export async function reloadSwitchedWorkspace(open: readonly string[]): Promise<void> {
  const ws = useWorkspaceStore()
  for (const f of [...ws.open]) ws.close(f.path)
  useReplayStore().close()
  useBuildStore().last = undefined
  useBootStore().forgetWorkspace()
  await Promise.all([ws.load(), useRecordingsStore().load()])
  for (const path of [...open].reverse()) await ws.openFile(path)
}
