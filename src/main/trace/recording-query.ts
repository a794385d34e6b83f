/**
 * One read-only query on a recording file, opened for it and closed after (a replay session holds
 * no file open between seeks). SQLite failing on the tables asked about (a column missing, pages
 * it cannot read) is damage, reported in one line naming what could not be read.
 */
import Database from 'better-sqlite3'
import { damaged, DamagedRecording } from './recording-damage'

/** Runs `fn` on the recording at `path`, read-only; `what` names the tables for the damage message ("its checkpoints"). */
export function queryRecording<T>(path: string, what: string, fn: (db: Database.Database) => T): T {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    return fn(db)
  } catch (e) {
    if (e instanceof DamagedRecording) throw e
    throw damaged(path, `${what} cannot be read (${(e as Error).message})`)
  } finally {
    db?.close()
  }
}

/** Whether the file has table `name` (files written before it existed do not). */
export function hasTable(db: Database.Database, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)
}
