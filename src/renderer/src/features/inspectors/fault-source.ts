/**
 * Where in the source a page-table entry comes from. When a fetch faults because an entry is not
 * valid (the identity mapping left out), the fault points at the instruction that faulted — and,
 * through this, also at the line that should have built the missing entry: the PTE's physical
 * address is mapped back to its link address through the kernel's segments, then to the line of
 * the build's line table that produced those bytes (a `.quad` in the page-table data).
 */
import type { RecordingOverview } from '../../../../shared/api/boot'
import type { SourceLoc } from '../../../../shared/api/result'
import type { Translation, WalkStep } from '../../../../shared/paging/page-walk'
import { segmentsOf } from '../../../../shared/trace/code-place'
import { SourceMap } from '../../../../shared/trace/source-map'

export interface MissingEntry {
  /** The walk step whose entry is not valid. */
  step: WalkStep
  /** The source line that produced that entry's bytes. */
  loc: SourceLoc
}

/** The kernel's line table with its segments (LMA → VMA), from a recording's overview. */
export function sourceMapOf(o: Pick<RecordingOverview, 'sourceLines' | 'events'>): SourceMap {
  return new SourceMap(o.sourceLines, segmentsOf(o.events))
}

/** The invalid entry a failed walk stopped at, and the source line of its bytes; undefined when the walk did not stop at an invalid entry or no line built it. */
export function missingEntrySource(t: Translation | undefined, map: SourceMap): MissingEntry | undefined {
  if (!t || t.ok) return undefined
  const step = t.steps.find((s) => s.kind === 'invalid')
  if (!step) return undefined
  const loc = map.locate(BigInt(step.pteAddr))
  return loc ? { step, loc } : undefined
}
