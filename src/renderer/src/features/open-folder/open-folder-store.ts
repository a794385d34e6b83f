/**
 * "Open Folder…": any folder — a kernel project of your own — becomes the workspace
 * (`workspace.openFolder`, host/folder-service.ts). The desktop app asks the system's folder
 * dialog; browser mode cannot show one on the user's screen (the server may be another machine),
 * so there a small dialog takes the folder's absolute path and shows what is wrong with it
 * inline. "Your workspace" goes back to the folder the app was opened with (`workspace.home`).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../../api/client'
import type { ApiError } from '../../../../shared/api/result'
import { switchWorkspace } from '../../stores/workspace-switch'

export const useOpenFolderStore = defineStore('openFolder', () => {
  const dialogOpen = ref(false)
  const path = ref('')
  const error = ref<ApiError>()
  const busy = ref(false)
  /** The desktop app can show the system's folder dialog; browser mode cannot. */
  const canBrowse = api.transport === 'ipc'

  async function request(args: { path?: string }): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    try {
      const r = await switchWorkspace(() => api.invoke('workspace.openFolder', args))
      if (!r.ok) {
        error.value = r.error
        return false
      }
      error.value = undefined
      return r.value !== null
    } finally {
      busy.value = false
    }
  }

  /** The top-bar button: the system's dialog in the desktop app (its error, if any, in our dialog), else our dialog. */
  async function open(): Promise<void> {
    if (canBrowse) {
      const opened = await request({})
      if (!opened && error.value) dialogOpen.value = true
      return
    }
    error.value = undefined
    dialogOpen.value = true
  }

  /** Opens the folder typed in the dialog. */
  async function submit(): Promise<void> {
    const typed = path.value.trim()
    if (!typed) {
      error.value = { code: 'workspace.no_path', message: "type the folder's absolute path", hint: 'e.g. /home/you/my-kernel (~ is your home folder)' }
      return
    }
    if (await request({ path: typed })) dialogOpen.value = false
  }

  /** Browse… in the dialog (desktop app): the system's folder dialog again. */
  async function browse(): Promise<void> {
    if (await request({})) dialogOpen.value = false
  }

  function close(): void {
    dialogOpen.value = false
  }

  /** Back to the workspace the app was opened with. */
  async function home(): Promise<void> {
    if (busy.value) return
    busy.value = true
    try {
      const r = await switchWorkspace(() => api.invoke('workspace.home', {}))
      error.value = r.ok ? undefined : r.error
    } finally {
      busy.value = false
    }
  }

  return { dialogOpen, path, error, busy, canBrowse, open, submit, browse, close, home }
})
