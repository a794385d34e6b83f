/**
 * The replay sessions of the recordings being inspected: a few are kept warm (moving the cursor
 * forward then continues the same machine), and the requests on one session run one at a time —
 * two seeks interleaved on one machine would each see the other's state.
 */
import { statSync } from 'node:fs'
import type { Result } from '../../shared/api/result'
import { ReplaySession } from './replay'

const KEEP_SESSIONS = 2

interface Entry {
  /** Identifies the file's version: a recording re-written in place gets a new session. */
  stamp: string
  session: Promise<Result<ReplaySession>>
  queue: Promise<unknown>
}

export class ReplayCache {
  private readonly entries = new Map<string, Entry>()

  /** Runs `fn` on the session of `path`, after any request already running on it. */
  async with<T>(path: string, fn: (s: ReplaySession) => Promise<Result<T>>): Promise<Result<T>> {
    const entry = this.entry(path)
    const run = entry.queue.then(async () => {
      const s = await entry.session
      return s.ok ? fn(s.value) : s
    })
    entry.queue = run.catch(() => undefined)
    return run
  }

  /**
   * Runs the first pass over a recording in slices (see `ReplaySession.warmUp`), so requests for
   * the cursor get in between slices instead of waiting for the whole pass.
   */
  async warm(path: string, chunkSteps = 5_000_000n): Promise<void> {
    for (;;) {
      const r = await this.with(path, async (s) => ({ ok: true as const, value: await s.warmUp(chunkSteps) }))
      if (!r.ok || r.value) return
    }
  }

  private entry(path: string): Entry {
    let stamp = ''
    try {
      const st = statSync(path)
      stamp = `${st.size}:${st.mtimeMs}`
    } catch {
      // ReplaySession.open reports the missing file.
    }
    const found = this.entries.get(path)
    if (found && found.stamp === stamp) {
      this.entries.delete(path)
      this.entries.set(path, found) // most recently used last
      return found
    }
    const entry: Entry = { stamp, session: ReplaySession.open(path), queue: Promise.resolve() }
    this.entries.set(path, entry)
    while (this.entries.size > KEEP_SESSIONS) this.entries.delete(this.entries.keys().next().value as string)
    return entry
  }
}
