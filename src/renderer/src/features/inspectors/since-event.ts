/**
 * "Since the previous event": the inspectors highlight what changed between the last event before
 * the cursor and the cursor — memory bytes, page-table entries. PTE writes do not count as a
 * boundary (a kernel filling a table writes hundreds in a row, and the user wants to see them
 * together, since the trap or satp write before them); UART output is not in the overview at all.
 * Events are the overview's, sorted by step.
 */
import type { TraceEvent } from '../../../../shared/trace/events'

/** The last event before `cursor` that is not a PTE write. */
export function previousEvent(events: readonly TraceEvent[], cursor: number): TraceEvent | undefined {
  // Bisect to the first event at or after the cursor, then walk back past PTE writes.
  let lo = 0
  let hi = events.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (events[mid].step < cursor) lo = mid + 1
    else hi = mid
  }
  for (let i = lo - 1; i >= 0; i--) if (events[i].kind !== 'pte_write') return events[i]
  return undefined
}

/** The step of `previousEvent`; 0 (reset) when there is none. */
export function previousEventStep(events: readonly TraceEvent[], cursor: number): number {
  return previousEvent(events, cursor)?.step ?? 0
}

export interface PteWrite {
  step: number
  /** Physical address of the PTE, normalised (`0x` + lowercase, no padding). */
  pa: string
  old: string
  new: string
  /** The VA range the entry maps, when the recorder knew the table's level. */
  vaRange: string | null
}

/** Normalises a hex address so that strings from different sources compare equal. */
export function normHex(h: string): string {
  return `0x${BigInt(h).toString(16)}`
}

/**
 * The PTEs written by instructions retired in [from, to): the PTE writes whose step is in that
 * range (an event's step is the instruction that caused it, retired by step + 1), keyed by the
 * PTE's physical address; a PTE written twice keeps its first old value and its last new one.
 */
export function writtenPtes(events: readonly TraceEvent[], from: number, to: number): Map<string, PteWrite> {
  const out = new Map<string, PteWrite>()
  let lo = 0
  let hi = events.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (events[mid].step < from) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < events.length && events[i].step < to; i++) {
    const e = events[i] as TraceEvent<'pte_write'>
    if (e.kind !== 'pte_write') continue
    const pa = normHex(e.data.pa)
    const earlier = out.get(pa)
    out.set(pa, { step: e.step, pa, old: earlier?.old ?? e.data.old, new: e.data.new, vaRange: e.data.vaRange })
  }
  return out
}
