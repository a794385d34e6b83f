/**
 * Where a new recording goes: a temporary file beside the destination (`rec.partial-PID.sqlite`
 * for `rec.sqlite`), renamed over the destination only when the recording ends. Until then an
 * existing recording at that path stays intact; two writers on one path each write their own
 * file and the last to finish wins as a whole. A destination that exists and is not a Bootscope
 * recording (another program's SQLite database, a text file, a folder) is never replaced.
 */
import { closeSync, existsSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import Database from 'better-sqlite3'
import { err, ok, type Result } from '../../shared/api/result'

/** Explains why `path` may not receive a new recording (ok when it is absent or a recording). */
export function checkDestination(path: string): Result<void> {
  const dir = dirname(path)
  let st: ReturnType<typeof statSync> | undefined
  try {
    if (!statSync(dir).isDirectory()) return err('recording.bad_path', `cannot write the recording ${path}: ${dir} is not a folder`)
  } catch {
    return err('recording.bad_path', `cannot write the recording ${path}: the folder ${dir} does not exist`, { hint: 'create the folder first, or pick another path' })
  }
  try {
    st = statSync(path)
  } catch {
    return ok(undefined)
  }
  if (st.isDirectory()) return err('recording.bad_path', `cannot write the recording ${path}: it is a folder`, { hint: 'give a file name, e.g. -o rec.sqlite' })
  if (!st.isFile()) return err('recording.bad_path', `cannot write the recording ${path}: it is not a regular file`)
  if (!isRecording(path)) {
    return err('recording.not_ours', `${path} exists and is not a Bootscope recording: it is left untouched`, {
      hint: 'pick another output path; only an earlier recording is replaced',
    })
  }
  return ok(undefined)
}

/** True when `path` is a SQLite file with our `schema_version` and `meta` tables (read-only look). */
export function isRecording(path: string): boolean {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name))
    return names.has('schema_version') && names.has('meta') && names.has('events')
  } catch {
    return false
  } finally {
    try {
      db?.close()
    } catch {
      // closing a file that never opened
    }
  }
}

/** A fresh temporary path beside `path`, created empty so no other writer picks the same one. */
export function claimTemporaryPath(path: string): string {
  const ext = extname(path)
  const stem = basename(path, ext)
  for (let n = 0; ; n++) {
    const candidate = join(dirname(path), `${stem}.partial-${process.pid}${n ? `-${n}` : ''}${ext || '.sqlite'}`)
    try {
      closeSync(openSync(candidate, 'wx'))
      return candidate
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
}

/** Puts the finished temporary file in place of `path` (whose stale -wal/-shm files would otherwise apply to it). */
export function moveIntoPlace(temporary: string, path: string): Result<void> {
  const allowed = checkDestination(path)
  if (!allowed.ok) return allowed
  for (const side of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(side)) unlinkSync(side)
  }
  renameSync(temporary, path)
  return ok(undefined)
}
