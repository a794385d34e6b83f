/**
 * Writes a recording while the machine runs, with bounded memory: events, inputs and segments are
 * buffered and committed in batched transactions, so a crash or cancel loses at most the last
 * batch and the file stays readable (it says `incomplete` until `finish`).
 */
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { EventKind, EventPayloads } from '../../shared/trace/events'
import { createRecording, finishRecording, type NewRecording } from './recording-file'

/** Events buffered before a commit; small enough that a crash loses little, big enough to batch. */
const EVENTS_PER_COMMIT = 512

export class RecordingWriter {
  private readonly db: Database.Database
  private readonly insertEvent: Database.Statement
  private readonly insertInput: Database.Statement
  private readonly insertArtifact: Database.Statement
  private pending: [number, string, string | null, string][] = []
  private closed = false
  eventCount = 0

  constructor(readonly path: string, rec: NewRecording) {
    this.db = createRecording(path, rec)
    this.insertEvent = this.db.prepare('INSERT INTO events (step, kind, pc, data) VALUES (?, ?, ?, ?)')
    this.insertInput = this.db.prepare('INSERT INTO inputs (step, kind, data) VALUES (?, ?, ?)')
    this.insertArtifact = this.db.prepare('INSERT OR REPLACE INTO artifacts (name, role, sha256, size, data) VALUES (?, ?, ?, ?, ?)')
  }

  /** Stores an input file (kernel, firmware) with its hash; `keepBytes` false stores the identity only (disk images). */
  artifact(name: string, role: string, bytes: Uint8Array, keepBytes = true): string {
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    this.insertArtifact.run(name, role, sha256, bytes.length, keepBytes ? Buffer.from(bytes) : null)
    return sha256
  }

  event<K extends EventKind>(step: number | bigint, kind: K, pc: string | null, data: EventPayloads[K]): void {
    this.pending.push([Number(step), kind, pc, JSON.stringify(data)])
    this.eventCount++
    if (this.pending.length >= EVENTS_PER_COMMIT) this.flush()
  }

  input(step: number | bigint, kind: string, data: Uint8Array): void {
    this.flush()
    this.insertInput.run(Number(step), kind, Buffer.from(data))
  }

  /** Commits what is buffered. */
  flush(): void {
    if (this.pending.length === 0) return
    const rows = this.pending
    this.pending = []
    this.db.transaction(() => {
      for (const r of rows) this.insertEvent.run(...r)
    })()
  }

  /** Runs `fn` inside one transaction (for checkpoints and segments written by the recorder). */
  transaction<T>(fn: (db: Database.Database) => T): T {
    return this.db.transaction(() => fn(this.db))()
  }

  finish(steps: number | bigint, outcome: string): void {
    if (this.closed) return
    this.flush()
    finishRecording(this.db, steps, outcome)
    this.close()
  }

  /** Closes without marking an outcome: the file reads as `incomplete` (cancel, crash). */
  close(): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    this.db.close()
  }
}
