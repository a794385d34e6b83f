/**
 * Diagnostics for the assembler: every problem a user can cause becomes a value with
 * file:line:column and, when we can tell, a hint ("did you mean `addi`?"). The collector keeps
 * going after an error so one build reports several problems, as GNU `as` does.
 */
import type { Diagnostic, SourceLoc } from '../../../shared/api/result'

/** Where a statement came from: the user's line, even for text produced by a macro or include. */
export interface Origin {
  file: string
  line: number
}

/** Stop collecting after this many diagnostics: a garbage file must not produce megabytes of errors. */
export const MAX_DIAGNOSTICS = 200

export class Diagnostics {
  readonly list: Diagnostic[] = []
  errors = 0

  /** True once MAX_DIAGNOSTICS errors were reported: the assembler stops early then. */
  get full(): boolean {
    return this.errors >= MAX_DIAGNOSTICS
  }

  error(code: string, message: string, loc: SourceLoc, hint?: string): void {
    this.errors++
    if (this.list.length < MAX_DIAGNOSTICS) this.list.push({ severity: 'error', code, message, loc, ...(hint ? { hint } : {}) })
  }

  warning(code: string, message: string, loc: SourceLoc, hint?: string): void {
    if (this.list.length < MAX_DIAGNOSTICS) this.list.push({ severity: 'warning', code, message, loc, ...(hint ? { hint } : {}) })
  }
}

export function locOf(o: Origin, column = 1): SourceLoc {
  return { file: o.file, line: o.line, column }
}

/** Levenshtein distance, bounded: returns > max as soon as the answer exceeds it. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      best = Math.min(best, cur[j])
    }
    if (best > max) return max + 1
    prev = cur
  }
  return prev[b.length]
}

/** The closest candidate by edit distance (at most 2 edits, or 1 for short words), if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 3 ? 1 : 2
  let best: string | undefined
  let bestD = limit + 1
  for (const c of candidates) {
    const d = editDistance(word, c, limit)
    if (d < bestD) {
      bestD = d
      best = c
    }
  }
  return best
}
