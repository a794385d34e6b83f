/** What a build returns to the renderer: diagnostics for the editor, and a summary of the ELF. */
import type { Diagnostic } from './result'

export interface BuildSummary {
  ok: boolean
  diagnostics: Diagnostic[]
  /** Present when the build produced an ELF. */
  elf?: { path: string; bytes: number; entry: string }
  /** The linker's layout report (its type lives with the linker; JSON here). */
  layout?: unknown
  /** Milliseconds the build took. */
  millis: number
}
