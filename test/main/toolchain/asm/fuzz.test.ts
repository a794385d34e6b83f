/**
 * The GNU assembler must survive any input (issue 10, the fuzz suite): at least 10 000 mutated
 * and random programs (up to 100 000 within a 15 s budget) never throw, never hang (5 s per
 * input, watched from another thread) and end in an object or located one-line errors.
 * Runaway `.rept`/macro recursion is bounded by limits that produce diagnostics.
 */
import { describe, expect, it } from 'vitest'
import { fuzzInWorker } from '../../../support/fuzz'

describe('assembler fuzzing', () => {
  it('never throws or hangs, and explains every failure, on ≥ 10 000 random and mutated inputs', async () => {
    const r = await fuzzInWorker('GNU assembler', new URL('./fuzz-target.ts', import.meta.url), 'gnuAssembler', { min: 10_000, max: 100_000, budgetMs: 15_000 })
    expect(r.failures).toEqual([])
    expect(r.count).toBeGreaterThanOrEqual(10_000)
    // The mutations still produce many valid programs (a fuzzer of only broken inputs tests little).
    expect(r.tally['with an object']).toBeGreaterThan(r.count / 10)
  }, 240_000)
})
