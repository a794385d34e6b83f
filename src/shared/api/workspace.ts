/** Workspace files: what the file tree shows and what the editor opens and saves. */
import { X86_GAS_LANGUAGE, isX86GasSource } from '../asm/x86-gas'

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
  /**
   * Set while the workspace is the one Bootscope created at this start (nothing was there), with
   * the built-in example it was copied from (`higher-half`): the workbench offers the others.
   */
  firstStart?: { example: string }
  /**
   * Set while another folder than the one the app was opened with is the workspace (a lab, an
   * example, a folder opened with Open Folder…): that first folder, where `workspace.home` goes back.
   */
  home?: string
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
  /** Editor language id: `riscv-asm`, `x86-gas`, `nasm`, `gnu-ld`, `markdown`, `plaintext`, … */
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

/**
 * What tells a `.s`/`.S` file's architecture when its name cannot: its text, and whether the
 * workspace is an x86 project (it has NASM sources).
 */
export interface LanguageHints {
  text?: string
  x86Project?: boolean
}

/** AT&T x86 mnemonics that name no RISC-V instruction (beyond shared/asm/x86-gas.ts's directives and registers). */
const X86_GAS_MNEMONICS = /^\s*(?:[\w.$]+:\s*)*(?:movl|movq|pushl|popl|ljmp|lgdt|lidt|iret|hlt|cli)\b/m
const RISCV_MARKS = /^\s*\.option\b|^\s*(?:[\w.$]+:\s*)*(?:la|li|lui|auipc|addi|csrr|csrw|csrs|csrc|sd|ld|sw|lw|jal|jalr|ecall|mret|sret|wfi|beqz|bnez)\s/m

/** `x86-gas` or `riscv-asm` for a GNU assembly file, from its text; undefined when the text does not say. */
export function gasArchOfText(text: string): 'x86-gas' | 'riscv-asm' | undefined {
  const sample = text.slice(0, 64 * 1024)
  const riscv = RISCV_MARKS.test(sample)
  const x86 = isX86GasSource(sample) || X86_GAS_MNEMONICS.test(sample)
  return x86 && !riscv ? X86_GAS_LANGUAGE : riscv && !x86 ? 'riscv-asm' : undefined
}

/**
 * Language ids for our editor languages, chosen by file name; GNU assembly (`.s`, `.S`) is
 * `x86-gas` when its text or the project says x86, else `riscv-asm`.
 */
export function languageOf(path: string, hints: LanguageHints = {}): string {
  const lower = path.toLowerCase()
  if (lower.endsWith('.s')) return (hints.text !== undefined ? gasArchOfText(hints.text) : undefined) ?? (hints.x86Project ? X86_GAS_LANGUAGE : 'riscv-asm')
  if (lower.endsWith('.asm') || lower.endsWith('.nasm')) return 'nasm'
  if (lower.endsWith('.ld') || lower.endsWith('.lds') || lower.endsWith('.x')) return 'gnu-ld'
  if (lower.endsWith('.md')) return 'markdown'
  if (lower.endsWith('.json')) return 'json'
  return 'plaintext'
}
