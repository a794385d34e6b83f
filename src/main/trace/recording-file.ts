/**
 * Creating and summarising recording files. The core worker calls these; the file is real SQLite
 * (better-sqlite3, WAL) and stays readable if the writer dies, because every change is committed
 * in a transaction and the summary says `incomplete` until the writer marks the outcome.
 */
import Database from 'better-sqlite3'
import { META, SCHEMA_SQL, SCHEMA_VERSION } from './schema'
import type { RecordingSummary } from '../../shared/api/boot'

export interface NewRecording {
  kernel: string
  config: unknown
  writtenBy: string
}

/** Creates a recording file with the schema-version table and its metadata; returns the open database. */
export function createRecording(path: string, rec: NewRecording): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(SCHEMA_SQL)
  const put = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
  db.transaction(() => {
    db.prepare('DELETE FROM schema_version').run()
    db.prepare('INSERT INTO schema_version (version, written_by) VALUES (?, ?)').run(SCHEMA_VERSION, rec.writtenBy)
    put.run(META.createdAt, new Date().toISOString())
    put.run(META.kernel, rec.kernel)
    put.run(META.steps, '0')
    put.run(META.outcome, 'incomplete')
    put.run(META.config, JSON.stringify(rec.config))
  })()
  return db
}

/** Records that the file covers the boot up to `step` (every event and input before it is committed). */
export function recordProgress(db: Database.Database, step: bigint | number): void {
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(META.steps, String(step))
}

/** Records how the boot ended; until this is called the recording reads as `incomplete`. */
export function finishRecording(db: Database.Database, steps: bigint | number, outcome: string): void {
  const put = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
  db.transaction(() => {
    put.run(META.steps, String(steps))
    put.run(META.outcome, outcome)
  })()
}

export type SummaryResult = { ok: true; summary: Omit<RecordingSummary, 'path'> } | { ok: false; message: string }

/** Reads a recording's summary without modifying it; explains files that are not recordings. */
export function readSummary(path: string): SummaryResult {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get()
    if (!hasTable) return { ok: false, message: 'not a Bootscope recording (no schema_version table)' }
    const row = db.prepare('SELECT version FROM schema_version LIMIT 1').get() as { version: number } | undefined
    const version = row?.version ?? 0
    if (version > SCHEMA_VERSION) {
      return { ok: false, message: `written by a newer Bootscope (format ${version}, this one reads up to ${SCHEMA_VERSION})` }
    }
    const meta = new Map(
      (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
    )
    return {
      ok: true,
      summary: {
        createdAt: meta.get(META.createdAt) ?? '',
        kernel: meta.get(META.kernel) ?? '',
        steps: Number(meta.get(META.steps) ?? 0),
        outcome: meta.get(META.outcome) ?? 'incomplete',
        schemaVersion: version,
      },
    }
  } catch (e) {
    return { ok: false, message: `cannot read: ${(e as Error).message}` }
  } finally {
    db?.close()
  }
}

/** SQLite's version, as the worker's proof of life. */
export function sqliteVersion(): string {
  const db = new Database(':memory:')
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  } finally {
    db.close()
  }
}
