/**
 * The workspace and the editor's open files: the file tree, open tabs with their text and dirty
 * state, and saving (atomically, by the host). Text lives here so tabs survive switching.
 * A source line from a kernel's DWARF names its file by absolute path: one inside the workspace
 * opens as that workspace file, one outside it (a library, another checkout) opens read-only,
 * read through the recording that names it (`source.read`).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api } from '../api/client'
import type { WorkspaceInfo } from '../../../shared/api/workspace'
import type { ApiError } from '../../../shared/api/result'
import { normalPath } from '../../../shared/trace/code-place'
import { initialFiles } from './initial-files'

export interface OpenFile {
  path: string
  language: string
  /** Text as last saved. */
  saved: string
  /** Text in the editor. */
  text: string
  /** A source file outside the workspace, shown from a recording's line table: never saved. */
  readOnly?: boolean
}

export const useWorkspaceStore = defineStore('workspace', () => {
  const info = shallowRef<WorkspaceInfo>()
  const open = ref<OpenFile[]>([])
  const activePath = ref<string>()
  const error = ref<ApiError>()
  /** A place the editor should show (a problem clicked, a timeline step's source line). */
  const reveal = ref<{ path: string; line: number; column: number; seq: number }>()
  let revealSeq = 0

  const active = computed(() => open.value.find((f) => f.path === activePath.value))
  const isDirty = (f: OpenFile) => f.text !== f.saved

  async function load(): Promise<void> {
    const r = await api.invoke('workspace.get', {})
    if (!r.ok) {
      error.value = r.error
      return
    }
    info.value = r.value
    for (const p of initialFiles(r.value.files.map((f) => f.path)).reverse()) await openFile(p)
  }

  async function openFile(path: string): Promise<void> {
    const existing = open.value.find((f) => f.path === path)
    if (existing) {
      activePath.value = path
      return
    }
    const r = await api.invoke('file.read', { path })
    if (!r.ok) {
      error.value = r.error
      return
    }
    open.value.push({ path, language: r.value.language, saved: r.value.text, text: r.value.text })
    activePath.value = path
  }

  async function goTo(path: string, line: number, column = 1): Promise<void> {
    await openFile(path)
    reveal.value = { path, line, column, seq: ++revealSeq }
  }

  /** A source path as the workspace names it: workspace-relative when it is inside (DWARF gives absolute paths). */
  function sourcePath(file: string): string {
    const root = info.value?.root
    const path = normalPath(file)
    return root && path.startsWith(root + '/') ? path.slice(root.length + 1) : path
  }

  /**
   * Opens a source line (an instruction's, an event's): a workspace file in the editor, a file
   * outside the workspace read-only, read through `recording`'s line table.
   */
  async function openSource(file: string, line: number, column = 1, recording?: string): Promise<void> {
    const path = sourcePath(file)
    if (!path.startsWith('/') || !recording) return goTo(path, line, column)
    if (!open.value.some((f) => f.path === path)) {
      const r = await api.invoke('source.read', { recording, file: path })
      if (!r.ok) {
        error.value = r.error
        return
      }
      open.value.push({ path, language: r.value.language, saved: r.value.text, text: r.value.text, readOnly: true })
    }
    activePath.value = path
    reveal.value = { path, line, column, seq: ++revealSeq }
  }

  function close(path: string): void {
    const i = open.value.findIndex((f) => f.path === path)
    if (i < 0) return
    open.value.splice(i, 1)
    if (activePath.value === path) activePath.value = open.value[Math.max(0, i - 1)]?.path
  }

  function setText(path: string, text: string): void {
    const f = open.value.find((x) => x.path === path)
    if (f) f.text = text
  }

  async function save(path = activePath.value): Promise<boolean> {
    const f = open.value.find((x) => x.path === path)
    if (!f || f.readOnly) return false
    const text = f.text
    const r = await api.invoke('file.write', { path: f.path, text })
    if (!r.ok) {
      error.value = r.error
      return false
    }
    f.saved = text
    return true
  }

  async function saveAll(): Promise<boolean> {
    let allSaved = true
    for (const f of open.value) if (isDirty(f) && !f.readOnly) allSaved = (await save(f.path)) && allSaved
    return allSaved
  }

  return { info, open, activePath, active, error, reveal, isDirty, load, openFile, goTo, openSource, sourcePath, close, setText, save, saveAll }
})
