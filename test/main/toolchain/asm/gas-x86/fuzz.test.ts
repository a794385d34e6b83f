/**
 * GNU as for x86 must survive any input (issues 10 and 14): at least 10 000 mutated and random
 * programs (up to 100 000 within a 15 s budget) never throw, never hang (5 s per input, watched
 * from another thread) and end in an object or located one-line errors.
 */
import { describe, expect, it } from 'vitest'
import { fuzzInWorker } from '../../../../support/fuzz'

describe('GNU as x86 fuzzing', () => {
  it('never throws or hangs, and explains every failure, on ≥ 10 000 random and mutated inputs', async () => {
    const r = await fuzzInWorker('GNU as x86', new URL('./fuzz-target.ts', import.meta.url), 'gasX86', { min: 10_000, max: 100_000, budgetMs: 15_000 })
    expect(r.failures).toEqual([])
    expect(r.count).toBeGreaterThanOrEqual(10_000)
    // The mutations still produce many valid programs (a fuzzer of only broken inputs tests little).
    expect(r.tally['with an object']).toBeGreaterThan(r.count / 10)
  }, 240_000)
})
