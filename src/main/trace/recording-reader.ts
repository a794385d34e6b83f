/**
 * Reads a recording: its summary, its artifacts, and its events by kind and step range (the
 * history queries of the timeline and the lab checks). Opens read-only, so a reader never
 * disturbs a recording being written, and refuses files from a newer format.
 */
import type { SourceLine } from '../../shared/trace/source-map'
import type { FunctionRange } from '../../shared/trace/function-map'
import { FUNCTIONS_ARTIFACT, SOURCE_LINES_ARTIFACT } from './schema'
import Database from 'better-sqlite3'
import { err, ok, type Result } from '../../shared/api/result'
import type { EventKind, TraceEvent } from '../../shared/trace/events'
import { META, SCHEMA_VERSION } from './schema'
import { checkInputs, type ArtifactIdentity } from './input-hashes'

export interface EventQuery {
  kinds?: EventKind[]
  from?: number
  to?: number
  limit?: number
}

export class RecordingReader {
  private constructor(private readonly db: Database.Database, readonly version: number) {}

  static open(path: string): Result<RecordingReader> {
    let db: Database.Database
    try {
      db = new Database(path, { readonly: true, fileMustExist: true })
    } catch (e) {
      return err('trace.open_failed', `cannot open recording '${path}': ${(e as Error).message}`)
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
      return ok(new RecordingReader(db, row.version))
    } catch {
      db.close()
      return err('trace.not_a_recording', `'${path}' is not a Bootscope recording`, { hint: 'Recordings are the .sqlite files Bootscope writes.' })
    }
  }

  meta(): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]
    return Object.fromEntries(rows.map((r) => [r.key, r.value]))
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
    return this.db.prepare('SELECT name, role, sha256, size FROM artifacts ORDER BY name').all() as ArtifactIdentity[]
  }

  /** Checks the inputs against the hashes recorded with them (see input-hashes.ts). */
  checkInputs(): Result<{ checked: boolean }> {
    return checkInputs({ meta: this.meta(), artifacts: this.artifactList(), bytesOf: (name) => this.artifact(name)?.data })
  }

  artifact(name: string): { role: string; sha256: string; size: number; data: Uint8Array | null } | undefined {
    return this.db.prepare('SELECT role, sha256, size, data FROM artifacts WHERE name = ?').get(name) as never
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
    const rows = this.db.prepare(sql).all(...params) as { id: number; step: number; kind: EventKind; pc: string | null; data: string }[]
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) }))
  }

  /** The last stop event: how the boot ended (a boot that waited for input has a stop at each wait before it). */
  lastStop(): { step: number; reason: string } | undefined {
    const row = this.db.prepare("SELECT step, data FROM events WHERE kind = 'stop' ORDER BY step DESC, id DESC LIMIT 1").get() as { step: number; data: string } | undefined
    if (!row) return undefined
    const data = JSON.parse(row.data) as { reason?: unknown }
    return typeof data.reason === 'string' ? { step: row.step, reason: data.reason } : undefined
  }

  countsByKind(): Record<string, number> {
    const rows = this.db.prepare('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind').all() as { kind: string; n: number }[]
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]))
  }

  inputs(): { step: number; kind: string; data: Uint8Array }[] {
    return this.db.prepare('SELECT step, kind, data FROM inputs ORDER BY step, id').all() as never
  }

  close(): void {
    this.db.close()
  }
}
