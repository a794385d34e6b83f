/**
 * Writes a recording while the machine runs, with bounded memory and bounded loss: events, inputs
 * and checkpoints are committed in batched transactions (WAL), at the latest every
 * `COMMIT_EVERY_MS` through `commit`, which also records the last step the file covers. A writer
 * killed at any moment (kill -9, power cut aside) leaves a file that reads as `incomplete` up to
 * its last committed step. The file is written under a temporary name and renamed over the
 * destination by `finish` (recording-output.ts), so an earlier recording there stays whole until
 * then. A failed write (disk full) is kept in `failure`, and later writes are skipped.
 */
import type Database from 'better-sqlite3'
import type { EventKind, EventPayloads } from '../../shared/trace/events'
import { err, ok, type Result } from '../../shared/api/result'
import { createRecording, finishRecording, recordProgress, type NewRecording } from './recording-file'
import { checkDestination, claimTemporaryPath, moveIntoPlace } from './recording-output'
import { sealedInputs, sha256, type ArtifactIdentity } from './input-hashes'
import { META } from './schema'

/** Events buffered before a commit; small enough that a crash loses little, big enough to batch. */
const EVENTS_PER_COMMIT = 512
/** The recorder commits at least this often (wall clock): a killed recorder loses at most this much. */
export const COMMIT_EVERY_MS = 100

export class RecordingWriter {
  private readonly db: Database.Database
  private readonly insertEvent: Database.Statement
  private readonly insertInput: Database.Statement
  private readonly insertArtifact: Database.Statement
  private pending: [number, string, string | null, string][] = []
  private closed = false
  /** The first write that failed (disk full, file removed): the recording ends there. */
  failure?: Error
  eventCount = 0

  private constructor(
    /** Where the recording ends up. */
    readonly path: string,
    /** Where it is written until it ends. */
    readonly writingPath: string,
    rec: NewRecording,
  ) {
    this.db = createRecording(writingPath, rec)
    this.insertEvent = this.db.prepare('INSERT INTO events (step, kind, pc, data) VALUES (?, ?, ?, ?)')
    this.insertInput = this.db.prepare('INSERT INTO inputs (step, kind, data) VALUES (?, ?, ?)')
    this.insertArtifact = this.db.prepare('INSERT OR REPLACE INTO artifacts (name, role, sha256, size, data) VALUES (?, ?, ?, ?, ?)')
  }

  /** Starts a recording for `path`: refuses a path that holds something other than a recording. */
  static create(path: string, rec: NewRecording): Result<RecordingWriter> {
    const allowed = checkDestination(path)
    if (!allowed.ok) return allowed
    let temporary: string | undefined
    try {
      temporary = claimTemporaryPath(path)
      return ok(new RecordingWriter(path, temporary, rec))
    } catch (e) {
      return err('recording.write_failed', `cannot write the recording ${temporary ?? path}: ${describeWriteError(e)}`)
    }
  }

  /** Stores an input file (kernel, firmware) with its hash; `keepBytes` false stores the identity only. */
  artifact(name: string, role: string, bytes: Uint8Array, keepBytes = true): string {
    const hash = sha256(bytes)
    this.guard(() => this.insertArtifact.run(name, role, hash, bytes.length, keepBytes ? Buffer.from(bytes) : null))
    return hash
  }

  /**
   * Stores an input the recording identifies but does not keep (a disk image read lazily): its
   * hash is computed by the caller, which streams it.
   */
  artifactIdentity(name: string, role: string, sha256: string, size: number): void {
    this.guard(() => this.insertArtifact.run(name, role, sha256, size, null))
  }

  /** Records the configuration's hash and the digest of every input, once all artifacts are written (input-hashes.ts). */
  sealInputs(): void {
    this.guard(() => {
      const config = (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(META.config) as { value: string } | undefined)?.value ?? ''
      const artifacts = this.db.prepare('SELECT name, role, sha256, size FROM artifacts').all() as ArtifactIdentity[]
      const put = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
      this.db.transaction(() => {
        for (const [k, v] of Object.entries(sealedInputs(config, artifacts))) put.run(k, v)
      })()
    })
  }

  event<K extends EventKind>(step: number | bigint, kind: K, pc: string | null, data: EventPayloads[K]): void {
    if (this.failure) return
    this.pending.push([Number(step), kind, pc, JSON.stringify(data)])
    this.eventCount++
    if (this.pending.length >= EVENTS_PER_COMMIT) this.flush()
  }

  input(step: number | bigint, kind: string, data: Uint8Array): void {
    this.flush()
    this.guard(() => this.insertInput.run(Number(step), kind, Buffer.from(data)))
  }

  /** Commits what is buffered. */
  flush(): void {
    if (this.pending.length === 0 || this.failure) return
    const rows = this.pending
    this.pending = []
    this.guard(() =>
      this.db.transaction(() => {
        for (const r of rows) this.insertEvent.run(...r)
      })(),
    )
  }

  /** Commits what is buffered (with the batch `batched` opened) and records that the file covers the boot up to `step`. */
  commit(step: number | bigint): void {
    this.flush()
    this.guard(() => recordProgress(this.db, step))
    this.endBatch()
  }

  /** Runs `fn` inside one transaction (for checkpoints and segments written by the recorder). */
  transaction<T>(fn: (db: Database.Database) => T): T | undefined {
    return this.guard(() => this.db.transaction(() => fn(this.db))())
  }

  /**
   * Runs `fn` as `transaction` does (all or nothing), but left uncommitted until the next `commit`
   * (at most `COMMIT_EVERY_MS` later) with everything else written until then: checkpoints come
   * every few milliseconds of a fast run, and a commit each cost as much as writing one.
   */
  batched<T>(fn: (db: Database.Database) => T): T | undefined {
    return this.guard(() => {
      if (!this.db.inTransaction) this.db.exec('BEGIN')
      return this.db.transaction(() => fn(this.db))() // nested: a savepoint
    })
  }

  /**
   * Commits the batch `batched` opened, if any — also after a failed write: a write that failed
   * in it was rolled back to its savepoint, so what the batch holds is whole and is kept.
   */
  private endBatch(): void {
    if (this.closed || !this.db.inTransaction) return
    try {
      this.db.exec('COMMIT')
    } catch (e) {
      this.failure ??= e as Error
    }
  }

  /** Bytes on disk so far (the file and its write-ahead log). */
  get bytes(): number {
    const pages = this.guard(() => (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number))
    return pages ?? 0
  }

  /**
   * Marks the outcome, closes, and puts the file at its path. Returns where the recording is: its
   * path, or the temporary file when it could not be moved there (the error says why).
   */
  finish(steps: number | bigint, outcome: string): Result<string> {
    if (this.closed) return ok(this.path)
    this.flush()
    this.endBatch()
    this.guard(() => {
      finishRecording(this.db, steps, outcome)
      // One self-contained file: the log is folded in, so the file can be moved and copied alone.
      this.db.pragma('journal_mode = DELETE')
    })
    this.closeDb()
    if (this.failure) return err('recording.write_failed', `the recording could not be written completely: ${describeWriteError(this.failure)} (what was written is in ${this.writingPath})`)
    try {
      const moved = moveIntoPlace(this.writingPath, this.path)
      if (!moved.ok) return err(moved.error.code, `${moved.error.message}; the recording is in ${this.writingPath}`)
    } catch (e) {
      return err('recording.write_failed', `cannot move the recording to ${this.path}: ${describeWriteError(e)}; it is in ${this.writingPath}`)
    }
    return ok(this.path)
  }

  /** Closes without marking an outcome: the file reads as `incomplete` and stays at its temporary path. */
  close(): void {
    if (this.closed) return
    this.flush()
    this.endBatch()
    this.closeDb()
  }

  private closeDb(): void {
    this.closed = true
    try {
      this.db.close()
    } catch (e) {
      this.failure ??= e as Error
    }
  }

  private guard<T>(write: () => T): T | undefined {
    if (this.failure || this.closed) return undefined
    try {
      return write()
    } catch (e) {
      this.failure = e as Error
      return undefined
    }
  }
}

/** SQLite's and the OS's errors in words (disk full is the one people meet). */
export function describeWriteError(e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full'
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') return `permission denied (${(e as Error).message})`
  return (e as Error).message
}
