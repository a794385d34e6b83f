/** Workspace files: what the file tree shows and what the editor opens and saves. */

export interface WorkspaceInfo {
  /** Absolute path of the workspace folder on the machine running the core. */
  root: string
  /** Display name (the folder's name). */
  name: string
  /** Files, workspace-relative with `/` separators, sorted; folders implied by paths. */
  files: WorkspaceFile[]
  /**
   * Symbolic links that are not followed: `outside` leads out of the workspace (reading or
   * writing through it is refused), `folder` is a folder of the workspace (listed where it is).
   * A link to a file inside the workspace is simply one of `files`.
   */
  links: WorkspaceLink[]
  /** What the listing left out, with why: a dangling link, a link loop, a folder that cannot be read. */
  skipped: { path: string; reason: string }[]
}

export interface WorkspaceLink {
  path: string
  /** The link's text. */
  target: string
  kind: 'outside' | 'folder'
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
