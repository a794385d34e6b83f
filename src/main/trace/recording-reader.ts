/**
 * Reads a recording: its summary, its artifacts, and its events by kind and step range (the
 * history queries of the timeline and the lab checks). Opens read-only, so a reader never
 * disturbs a recording being written, and refuses files from a newer format. A damaged file (a
 * table or column missing, a row that is not what the writer writes, corrupt pages) is an error
 * naming the table and row (recording-damage.ts): from `open`, or thrown as `DamagedRecording`
 * by the query that meets the row.
 */
import type { SourceLine } from '../../shared/trace/source-map'
import type { FunctionRange } from '../../shared/trace/function-map'
import { FUNCTIONS_ARTIFACT, SOURCE_LINES_ARTIFACT } from './schema'
import Database from 'better-sqlite3'
import { err, ok, type Result } from '../../shared/api/result'
import type { EventKind, TraceEvent } from '../../shared/trace/events'
import { META, SCHEMA_VERSION } from './schema'
import { checkInputs, type ArtifactIdentity } from './input-hashes'
import { badInputRow, badMeta, damaged, isCorruption, missingStructure, oneLine, parseEventRow, type EventRow } from './recording-damage'

export interface EventQuery {
  kinds?: EventKind[]
  from?: number
  to?: number
  limit?: number
}

export class RecordingReader {
  private constructor(
    private readonly db: Database.Database,
    readonly version: number,
    readonly path: string,
  ) {}

  static open(path: string): Result<RecordingReader> {
    let db: Database.Database
    try {
      db = new Database(path, { readonly: true, fileMustExist: true })
    } catch (e) {
      return err('trace.open_failed', `cannot open recording '${path}': ${oneLine((e as Error).message)}`)
    }
    try {
      const row = db.prepare('SELECT version FROM schema_version LIMIT 1').get() as { version: number } | undefined
      if (!row) throw new Error('no schema_version row')
      if (row.version > SCHEMA_VERSION) {
        db.close()
        return err('trace.too_new', `'${path}' was written by a newer Bootscope (format ${row.version}; this one reads up to ${SCHEMA_VERSION})`, {
          hint: 'Update Bootscope to read this recording.',
        })
      }
      const reader = new RecordingReader(db, row.version, path)
      const wrong = typeof row.version !== 'number' ? 'its schema_version row is not a format number' : reader.damage()
      if (wrong) {
        db.close()
        return err('trace.damaged', `'${path}' is damaged: ${wrong}`, { hint: 'record the boot again; the parts of the file that are whole can be read with sqlite3' })
      }
      return ok(reader)
    } catch (e) {
      db.close()
      if (isCorruption(e)) return err('trace.damaged', `'${path}' is damaged: SQLite cannot read its pages (${oneLine((e as Error).message)})`, { hint: 'record the boot again' })
      return err('trace.not_a_recording', `'${path}' is not a Bootscope recording`, { hint: 'Recordings are the .sqlite files Bootscope writes.' })
    }
  }

  /** What makes the file unreadable as a recording (a missing table or column, bad meta values), in words. */
  private damage(): string | undefined {
    const columnsOf = (table: string) => (this.db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name)
    return missingStructure(columnsOf) ?? badMeta(this.meta())
  }

  meta(): Record<string, string> {
    const rows = this.query('meta', () => this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[])
    return Object.fromEntries(rows.map((r) => [r.key, r.value]))
  }

  /** Runs a query on `table`; SQLite finding corrupt pages there is a `DamagedRecording` naming the table. */
  private query<T>(table: string, run: () => T): T {
    try {
      return run()
    } catch (e) {
      if (isCorruption(e)) throw damaged(this.path, `its table '${table}' cannot be read (${(e as Error).message})`)
      throw e
    }
  }

  get steps(): number {
    return Number(this.meta()[META.steps] ?? 0)
  }

  get outcome(): string {
    return this.meta()[META.outcome] ?? 'incomplete'
  }

  /** The line table kept with the recording: the build's, or the kernel's DWARF (empty without either). */
  sourceLines(): SourceLine[] {
    return this.jsonArray<SourceLine>(SOURCE_LINES_ARTIFACT)
  }

  /** The kernel's DWARF functions and inlined calls kept with the recording (empty without DWARF). */
  functions(): FunctionRange[] {
    return this.jsonArray<FunctionRange>(FUNCTIONS_ARTIFACT)
  }

  private jsonArray<T>(name: string): T[] {
    const a = this.artifact(name)
    if (!a?.data) return []
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(a.data))
      return Array.isArray(parsed) ? (parsed as T[]) : []
    } catch {
      return []
    }
  }

  /** Every artifact's identity (not its bytes). */
  artifactList(): ArtifactIdentity[] {
    const rows = this.query('artifacts', () => this.db.prepare('SELECT name, role, sha256, size FROM artifacts ORDER BY name').all() as Record<string, unknown>[])
    for (const r of rows) {
      if (typeof r.name !== 'string' || typeof r.role !== 'string' || typeof r.sha256 !== 'string' || typeof r.size !== 'number') {
        throw damaged(this.path, `artifacts row '${String(r.name)}': its name, role, sha256 or size has the wrong type`)
      }
    }
    return rows as unknown as ArtifactIdentity[]
  }

  /** Checks the inputs against the hashes recorded with them (see input-hashes.ts). */
  checkInputs(): Result<{ checked: boolean }> {
    return checkInputs({ meta: this.meta(), artifacts: this.artifactList(), bytesOf: (name) => this.artifact(name)?.data })
  }

  artifact(name: string): { role: string; sha256: string; size: number; data: Uint8Array | null } | undefined {
    const row = this.query('artifacts', () => this.db.prepare('SELECT role, sha256, size, data FROM artifacts WHERE name = ?').get(name)) as
      | { role: unknown; sha256: unknown; size: unknown; data: unknown }
      | undefined
    if (!row) return undefined
    const wrong =
      typeof row.role !== 'string' || typeof row.sha256 !== 'string' ? 'its role or sha256 is not text'
      : typeof row.size !== 'number' ? 'its size is not a number'
      : row.data !== null && !(row.data instanceof Uint8Array) ? 'its data is not bytes'
      : undefined
    if (wrong) throw damaged(this.path, `artifacts row '${name}': ${wrong}`)
    return row as { role: string; sha256: string; size: number; data: Uint8Array | null }
  }

  events(q: EventQuery = {}): TraceEvent[] {
    const where: string[] = []
    const params: (string | number)[] = []
    if (q.kinds?.length) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ')})`)
      params.push(...q.kinds)
    }
    if (q.from !== undefined) {
      where.push('step >= ?')
      params.push(q.from)
    }
    if (q.to !== undefined) {
      where.push('step <= ?')
      params.push(q.to)
    }
    const sql = `SELECT id, step, kind, pc, data FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY step, id${q.limit ? ' LIMIT ' + Math.floor(q.limit) : ''}`
    const rows = this.query('events', () => this.db.prepare(sql).all(...params) as EventRow[])
    return rows.map((r) => {
      const e = parseEventRow(r)
      if (typeof e === 'string') throw damaged(this.path, `events row ${String(r.id)}: ${e}`)
      return e as TraceEvent
    })
  }

  /** The last stop event: how the boot ended (a boot that waited for input has a stop at each wait before it). */
  lastStop(): { step: number; reason: string } | undefined {
    const row = this.query('events', () => this.db.prepare("SELECT id, step, kind, pc, data FROM events WHERE kind = 'stop' ORDER BY step DESC, id DESC LIMIT 1").get() as EventRow | undefined)
    if (!row) return undefined
    const e = parseEventRow(row)
    if (typeof e === 'string') throw damaged(this.path, `events row ${String(row.id)}: ${e}`)
    return typeof e.data.reason === 'string' ? { step: e.step, reason: e.data.reason } : undefined
  }

  countsByKind(): Record<string, number> {
    const rows = this.query('events', () => this.db.prepare('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind').all() as { kind: string; n: number }[])
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]))
  }

  inputs(): { step: number; kind: string; data: Uint8Array }[] {
    const rows = this.query('inputs', () => this.db.prepare('SELECT id, step, kind, data FROM inputs ORDER BY step, id').all() as { id: unknown; step: unknown; kind: unknown; data: unknown }[])
    for (const r of rows) {
      const wrong = badInputRow(r)
      if (wrong) throw damaged(this.path, `inputs row ${String(r.id)}: ${wrong}`)
    }
    return rows as { step: number; kind: string; data: Uint8Array }[]
  }

  close(): void {
    this.db.close()
  }
}
