/**
 * The recording reader must survive any damaged file (issue 10, the fuzz suite): at least 10 000
 * damaged recordings (up to 100 000 within a 15 s budget) through the reader and the overview, and
 * 100 through replay (`bootscope at`'s path), never throw anything but a one-line
 * DamagedRecording, never hang (5 s per input, watched from another thread), and are read or
 * refused in one line.
 */
import { describe, expect, it } from 'vitest'
import { fuzzInWorker } from '../../support/fuzz'

const TARGET = new URL('./recording-fuzz-target.ts', import.meta.url)

describe('recording reader fuzzing', () => {
  it('reads or refuses in one line ≥ 10 000 damaged recordings, never throwing or hanging', async () => {
    const r = await fuzzInWorker('recording reader', TARGET, 'recordingReader', { min: 10_000, max: 100_000, budgetMs: 15_000 })
    expect(r.failures).toEqual([])
    expect(r.count).toBeGreaterThanOrEqual(10_000)
    // Both outcomes are exercised: damage the reader reads through, and damage it reports.
    expect(r.tally.read).toBeGreaterThan(r.count / 20)
    expect(r.tally.damaged + r.tally.refused).toBeGreaterThan(r.count / 20)
  }, 480_000) // 10 000 inputs took 97 s alone at load 15 and over 240 s inside the full suite

  it('replays or refuses in one line 100 damaged recordings', async () => {
    const r = await fuzzInWorker('recording replay', TARGET, 'recordingReplay', { min: 100, max: 100, budgetMs: 0 })
    expect(r.failures).toEqual([])
    expect(r.count).toBe(100)
    expect(r.tally.replayed).toBeGreaterThan(5)
    expect(r.tally.replayRefused).toBeGreaterThan(5)
  }, 240_000)
})
