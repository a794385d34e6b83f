/**
 * Results and errors as values. Every request across a process boundary, and every error a user
 * can cause (bad assembly, bad linker script, bad ELF, a runaway guest), is one of these — never
 * a thrown exception or a stack trace in the UI (ARCHITECTURE.md, "Errors are values").
 */

/** A place in a user's file; lines and columns are 1-based, like GNU tools and Monaco. */
export interface SourceLoc {
  file: string
  line: number
  column: number
  endLine?: number
  endColumn?: number
}

export interface ApiError {
  /** Stable machine-readable code, e.g. `asm.unknown_instruction`, `link.undefined_symbol`, `not_implemented`. */
  code: string
  /** One sentence a user can act on. */
  message: string
  loc?: SourceLoc
  /** How to fix it, when we can tell ("did you mean `addi`?"). */
  hint?: string
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function err<T = never>(code: string, message: string, extra: { loc?: SourceLoc; hint?: string } = {}): Result<T> {
  return { ok: false, error: { code, message, ...extra } }
}

/** Formats an error the way GNU tools do: `file:line:col: error: message`, then the hint. */
export function formatDiagnostic(e: ApiError, severity: 'error' | 'warning' = 'error'): string {
  const where = e.loc ? `${e.loc.file}:${e.loc.line}:${e.loc.column}: ` : ''
  const hint = e.hint ? `\n  hint: ${e.hint}` : ''
  return `${where}${severity}: ${e.message}${hint}`
}

/** A diagnostic from the toolchain: an error or a warning, shown as a marker in the editor. */
export interface Diagnostic extends ApiError {
  severity: 'error' | 'warning'
}
