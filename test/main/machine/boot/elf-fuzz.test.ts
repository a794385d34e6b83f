/**
 * The ELF reader and loader must survive any file (issue 10, the fuzz suite): at least 10 000
 * damaged kernels (up to 100 000 within a 15 s budget) never throw, never hang (5 s per input,
 * watched from another thread), and either load or are refused with a one-line error.
 */
import { describe, expect, it } from 'vitest'
import { fuzzInWorker } from '../../../support/fuzz'

describe('ELF loader fuzzing', () => {
  it('loads or refuses in one line ≥ 10 000 damaged kernels, never throwing or hanging', async () => {
    const r = await fuzzInWorker('ELF loader', new URL('./fuzz-target.ts', import.meta.url), 'elfLoader', { min: 10_000, max: 100_000, budgetMs: 15_000 })
    expect(r.failures).toEqual([])
    expect(r.count).toBeGreaterThanOrEqual(10_000)
    // Both outcomes are exercised: damage the loader tolerates and damage it refuses.
    expect(r.tally.loaded).toBeGreaterThan(r.count / 20)
    expect(r.tally.refused).toBeGreaterThan(r.count / 20)
  }, 240_000)
})
