import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { latestWins } from '../../../src/renderer/src/stores/latest-wins'

/** A backend whose answers the test releases by hand, in any order. */
function controlledBackend() {
  const calls: { args: number; resolve: (r: string) => void; reject: (e: unknown) => void }[] = []
  const run = (args: number) => new Promise<string>((resolve, reject) => calls.push({ args, resolve, reject }))
  return { calls, run }
}

describe('latest-wins requests', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends only the last of a burst of requests, after the quiet time', async () => {
    const be = controlledBackend()
    const got: string[] = []
    const q = latestWins({ run: be.run, deliver: (r) => got.push(r), delayMs: 20 })
    for (let step = 0; step < 50; step++) q.request(step)
    await vi.advanceTimersByTimeAsync(19)
    expect(be.calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(be.calls.map((c) => c.args)).toEqual([49])
    be.calls[0].resolve('state 49')
    await vi.runAllTimersAsync()
    expect(got).toEqual(['state 49'])
  })

  it('keeps one request in flight and coalesces what arrives meanwhile into the newest', async () => {
    const be = controlledBackend()
    const got: string[] = []
    const q = latestWins({ run: be.run, deliver: (r) => got.push(r), delayMs: 5 })
    q.request(1)
    await vi.advanceTimersByTimeAsync(5)
    q.request(2)
    q.request(3)
    await vi.advanceTimersByTimeAsync(50)
    // Step 1 is still being replayed: nothing else may be sent.
    expect(be.calls.map((c) => c.args)).toEqual([1])
    be.calls[0].resolve('state 1')
    await vi.advanceTimersByTimeAsync(0)
    expect(be.calls.map((c) => c.args)).toEqual([1, 3])
    be.calls[1].resolve('state 3')
    await vi.advanceTimersByTimeAsync(0)
    // The answer for step 1 arrived after step 3 was asked for: dropped.
    expect(got).toEqual(['state 3'])
  })

  it('reports a failure of the latest request only', async () => {
    const be = controlledBackend()
    const failed: number[] = []
    const q = latestWins({ run: be.run, deliver: () => {}, fail: (_e, a) => failed.push(a), delayMs: 0 })
    q.request(1)
    await vi.advanceTimersByTimeAsync(0)
    q.request(2)
    be.calls[0].reject(new Error('stale'))
    await vi.advanceTimersByTimeAsync(0)
    be.calls[1].reject(new Error('fresh'))
    await vi.advanceTimersByTimeAsync(0)
    expect(failed).toEqual([2])
  })

  it('delivers nothing after cancel', async () => {
    const be = controlledBackend()
    const got: string[] = []
    const q = latestWins({ run: be.run, deliver: (r) => got.push(r), delayMs: 0 })
    q.request(1)
    await vi.advanceTimersByTimeAsync(0)
    q.cancel()
    be.calls[0].resolve('state 1')
    q.request(2)
    await vi.advanceTimersByTimeAsync(0)
    expect(got).toEqual([])
    expect(be.calls.map((c) => c.args)).toEqual([1, 2])
  })
})
