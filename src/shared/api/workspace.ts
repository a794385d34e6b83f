/** Workspace files: what the file tree shows and what the editor opens and saves. */

export interface WorkspaceInfo {
  /** Absolute path of the workspace folder on the machine running the core. */
  root: string
  /** Display name (the folder's name). */
  name: string
  /** Files, workspace-relative with `/` separators, sorted; folders implied by paths. */
  files: WorkspaceFile[]
}

export interface WorkspaceFile {
  path: string
  size: number
  /** Editor language id: `riscv-asm`, `nasm`, `gnu-ld`, `markdown`, `plaintext`, … */
  language: string
}

export interface FileEntry {
  path: string
  text: string
  language: string
}

export interface SavedFile {
  path: string
  bytes: number
  /** ISO time of the save. */
  savedAt: string
}

/** Language ids for our editor languages, chosen by file name. */
export function languageOf(path: string): string {
  const lower = path.toLowerCase()
  if (lower.endsWith('.s')) return 'riscv-asm'
  if (lower.endsWith('.asm') || lower.endsWith('.nasm')) return 'nasm'
  if (lower.endsWith('.ld') || lower.endsWith('.lds') || lower.endsWith('.x')) return 'gnu-ld'
  if (lower.endsWith('.md')) return 'markdown'
  if (lower.endsWith('.json')) return 'json'
  return 'plaintext'
}
