/**
 * The workspace's sources as the editor features read them: every assembly file and linker
 * script, with the editor's unsaved text for open files and the saved text (read through the
 * API) for the others. Go to definition and hovers search these; they are read on demand,
 * since a workspace holds a handful of small files and any may have changed on disk.
 */
import { defineStore } from 'pinia'
import { api } from '../../api/client'
import { useWorkspaceStore } from '../../stores/workspace'
import type { SourceText } from './definitions'

const SOURCE_LANGUAGES = ['riscv-asm', 'x86-gas', 'nasm', 'gnu-ld']

export const useEditorSourcesStore = defineStore('editor-sources', () => {
  async function all(): Promise<SourceText[]> {
    const ws = useWorkspaceStore()
    const out: SourceText[] = ws.open.filter((f) => SOURCE_LANGUAGES.includes(f.language)).map((f) => ({ path: f.path, text: f.text, language: f.language }))
    const closed = (ws.info?.files ?? []).filter((f) => SOURCE_LANGUAGES.includes(f.language) && !out.some((o) => o.path === f.path))
    const read = await Promise.all(closed.map((f) => api.invoke('file.read', { path: f.path })))
    for (const r of read) if (r.ok) out.push({ path: r.value.path, text: r.value.text, language: r.value.language })
    return out.sort((a, b) => a.path.localeCompare(b.path))
  }

  return { all }
})
