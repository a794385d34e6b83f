/** What a build returns to the renderer: diagnostics for the editor, and a summary of the ELF. */
import type { Diagnostic } from './result'
import type { LayoutReport } from './layout'

export interface BuildSummary {
  ok: boolean
  diagnostics: Diagnostic[]
  /** Present when the build produced an ELF. */
  elf?: { path: string; bytes: number; entry: string }
  /** The linker's layout report. */
  layout?: LayoutReport
  /** The build was cancelled (`build.cancel`) before it ended. */
  cancelled?: boolean
  /** Milliseconds the build took. */
  millis: number
}
