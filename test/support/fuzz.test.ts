/**
 * The fuzz runner itself (test/support/fuzz.ts): a suite whose watchdog could not fire would
 * pass on a parser that hangs. A target stuck in a synchronous loop is reported as a hang at its
 * index within the deadline, a throw as a crash, a bad outcome as one; the counts come back.
 */
import { describe, expect, it } from 'vitest'
import { fuzzAsync, fuzzInWorker } from './fuzz'

describe('the fuzz runner', () => {
  it('terminates a worker stuck on one input and reports the hang at that index', async () => {
    const t0 = performance.now()
    const r = await fuzzInWorker('hangs at 3', new URL('./fuzz-check-targets.ts', import.meta.url), 'hangsAtThree', { min: 10, max: 10, budgetMs: 60_000, hangMs: 500 })
    expect(r.failures).toHaveLength(1)
    expect(r.failures[0]).toMatchObject({ index: 3, kind: 'hang', input: '3' })
    expect(performance.now() - t0).toBeLessThan(60_000)
  }, 120_000)

  it('reports a throw as a crash with its stack, and a bad outcome, and goes on counting', async () => {
    const r = await fuzzInWorker('throws at 2', new URL('./fuzz-check-targets.ts', import.meta.url), 'throwsAtTwo', { min: 10, max: 10, budgetMs: 60_000 })
    expect(r.failures.map((f) => [f.index, f.kind])).toEqual([
      [2, 'crash'],
      [4, 'bad outcome'],
    ])
    expect(r.failures[0].message).toMatch(/TypeError: f is not a function\n\s+at /)
    expect(r.count).toBe(10)
    expect(r.tally.fine).toBe(8)
  }, 120_000)

  it('runs at least the minimum whatever the budget, and stops at the budget past it', async () => {
    const target = { input: (i: number) => i, run: async () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2)) }
    const r = await fuzzAsync('budget', target, { min: 50, max: 1_000_000, budgetMs: 0 })
    expect(r.count).toBe(50)
    expect(r.failures).toEqual([])
  })

  it('reports an I/O target that never answers as a hang', async () => {
    const target = { input: (i: number) => i, run: (i: number) => (i === 1 ? new Promise<undefined>(() => {}) : undefined) }
    const r = await fuzzAsync('never answers', target, { min: 3, max: 3, budgetMs: 60_000, hangMs: 200 })
    expect(r.failures).toEqual([{ index: 1, kind: 'hang', message: 'no outcome within 200 ms', input: '1' }])
  })
})
