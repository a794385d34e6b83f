import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplayCache } from '../../../src/main/trace/replay-cache'
import { buildFolderWithLines, EXAMPLE } from '../../support/build-workspace'

describe('ReplayCache', () => {
  it('answers state requests in order while the first pass runs in slices, and reports a missing recording', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-cache-')), 'r.sqlite')
    const built = buildFolderWithLines(EXAMPLE)
    const started = await Recorder.start({ recordingPath: path, kernel: { file: 'k.elf', bytes: built.elf }, writtenBy: 'test' })
    if (!started.ok) throw new Error(started.error.message)
    const { steps } = await started.value.run()
    const cache = new ReplayCache()
    const warm = cache.warm(path, 10n) // 10-step slices: the requests below interleave with them
    const states = await Promise.all([100, 3, 50].map((step) => cache.with(path, (s) => s.stateAt({ step }))))
    await warm
    expect(states.map((s) => s.ok && s.value.step)).toEqual([100, 3, 50])
    const last = await cache.with(path, (s) => s.stateAt({ step: steps }))
    expect(last.ok && last.value.endedAt?.reason).toBe('shutdown')
    const past = await cache.with(path, (s) => s.stateAt({ step: steps + 1000 }))
    expect(!past.ok && past.error).toMatchObject({ code: 'replay.past_end', message: expect.stringContaining(`its last step is ${steps}`) })
    const missing = await cache.with(join(tmpdir(), 'no-such-recording.sqlite'), (s) => s.stateAt({ step: 0 }))
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error.code).toBe('trace.open_failed')
  })
})
