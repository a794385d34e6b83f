/**
 * The linker-script parser and the linker must survive any script (issue 10, the fuzz suite):
 * at least 10 000 mutated and random scripts (up to 100 000 within a 15 s budget), linked
 * against real objects, never throw, never hang (5 s per input, watched from another thread)
 * and end in an ELF or one-line errors.
 */
import { describe, expect, it } from 'vitest'
import { fuzzInWorker } from '../../../support/fuzz'

describe('linker script fuzzing', () => {
  it('never throws or hangs, and explains every failure, on ≥ 10 000 random and mutated scripts', async () => {
    const r = await fuzzInWorker('linker script', new URL('./fuzz-target.ts', import.meta.url), 'linkerScript', { min: 10_000, max: 100_000, budgetMs: 15_000 })
    expect(r.failures).toEqual([])
    expect(r.count).toBeGreaterThanOrEqual(10_000)
    expect(r.tally['with an ELF']).toBeGreaterThan(r.count / 20)
  }, 240_000)
})
