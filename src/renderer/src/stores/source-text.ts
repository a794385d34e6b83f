/**
 * The text of the source files a recording's line table names, for showing source lines next to
 * the instructions they compiled to (the disassembly, objdump -S style): an open editor tab's
 * text when the file is open, else read once through `source.read` (a workspace file, or one
 * outside it the recording's DWARF names) and kept until another recording opens.
 */
import { defineStore } from 'pinia'
import { reactive, watch } from 'vue'
import { api } from '../api/client'
import { useWorkspaceStore } from './workspace'
import { useReplayStore } from './replay'

export const useSourceTextStore = defineStore('source-text', () => {
  const ws = useWorkspaceStore()
  const replay = useReplayStore()
  /** file (as the line table names it) → its lines; null while reading or when it cannot be read. */
  const files = reactive(new Map<string, string[] | null>())

  watch(
    () => replay.overview?.path,
    () => files.clear(),
  )

  /** Line `line` (1-based) of `file`, trimmed; undefined until the file is read, or when there is no such line. */
  function lineOf(file: string, line: number): string | undefined {
    const open = ws.open.find((f) => f.path === ws.sourcePath(file))
    if (open) return open.text.split('\n')[line - 1]?.trim()
    // Read after this evaluation (a computed may be asking): the map changes when the text arrives.
    if (!files.has(file)) queueMicrotask(() => void read(file))
    return files.get(file)?.[line - 1]?.trim()
  }

  async function read(file: string): Promise<void> {
    const recording = replay.overview?.path
    if (files.has(file) || !recording) return
    files.set(file, null)
    const r = await api.invoke('source.read', { recording, file })
    if (r.ok && replay.overview?.path === recording) files.set(file, r.value.text.split('\n'))
  }

  return { lineOf }
})
