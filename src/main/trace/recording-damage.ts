/**
 * What a readable recording holds beyond its `schema_version` row: the tables and columns
 * Bootscope writes, `meta` values of the right form, and event and input rows a reader can use.
 * A file that fails is *damaged* — reported in one line naming the table and the row at fault,
 * never as an exception from deep inside a query, a JSON parse or an event's explanation.
 */
import { EVENT_KINDS, type EventKind } from '../../shared/trace/events'
import { META } from './schema'

/** The columns each table must have for a reader (the writer's schema, schema.ts). */
const REQUIRED_COLUMNS: Record<string, readonly string[]> = {
  meta: ['key', 'value'],
  artifacts: ['name', 'role', 'sha256', 'size', 'data'],
  inputs: ['id', 'step', 'kind', 'data'],
  events: ['id', 'step', 'kind', 'pc', 'data'],
}

/** Thrown by a reader's queries when a row is damaged; its message names the file, table and row. */
export class DamagedRecording extends Error {
  readonly code = 'trace.damaged'
}

export function damaged(path: string, what: string): DamagedRecording {
  return new DamagedRecording(`'${path}' is damaged: ${what}`)
}

/** The first missing table or column, in words; undefined when the layout is whole. */
export function missingStructure(columnsOf: (table: string) => string[]): string | undefined {
  for (const [table, wanted] of Object.entries(REQUIRED_COLUMNS)) {
    const have = columnsOf(table)
    if (have.length === 0) return `its table '${table}' is missing`
    const lost = wanted.filter((c) => !have.includes(c))
    if (lost.length) return `its table '${table}' has no column ${lost.map((c) => `'${c}'`).join(', ')}`
  }
  return undefined
}

const isStep = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** What is wrong with the `meta` values a reader relies on, if anything. */
export function badMeta(meta: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(meta)) if (typeof value !== 'string') return `meta row '${key}' is not text`
  const steps = meta[META.steps]
  if (steps !== undefined && !/^\d{1,16}$/.test(steps as string)) return `meta row '${META.steps}' is not a step count (${JSON.stringify(steps).slice(0, 40)})`
  const config = meta[META.config]
  if (config !== undefined) {
    let parsed: unknown
    try {
      parsed = JSON.parse(config as string)
    } catch (e) {
      return `meta row '${META.config}' is not JSON (${(e as Error).message})`
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `meta row '${META.config}' is not a JSON object`
  }
  return undefined
}

/** An events row as stored. */
export interface EventRow {
  id: unknown
  step: unknown
  kind: unknown
  pc: unknown
  data: unknown
}

/** Checks one events row and parses its payload; a string says what is wrong. */
export function parseEventRow(r: EventRow): { id: number; step: number; kind: EventKind; pc: string | null; data: Record<string, unknown> } | string {
  if (!isStep(r.step)) return `its step is not a step count (${String(r.step).slice(0, 40)})`
  if (typeof r.kind !== 'string' || !EVENT_KINDS.includes(r.kind as EventKind)) return `its kind ${JSON.stringify(r.kind)?.slice(0, 40)} is not an event kind`
  if (r.pc !== null && typeof r.pc !== 'string') return 'its pc is not text'
  if (typeof r.data !== 'string') return 'its data is not JSON text'
  let data: unknown
  try {
    data = JSON.parse(r.data)
  } catch (e) {
    return `its data is not JSON (${(e as Error).message})`
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'its data is not a JSON object'
  return { id: r.id as number, step: r.step, kind: r.kind as EventKind, pc: r.pc, data: data as Record<string, unknown> }
}

/** Checks one inputs row; a string says what is wrong. */
export function badInputRow(r: { step: unknown; kind: unknown; data: unknown }): string | undefined {
  if (!isStep(r.step)) return `its step is not a step count (${String(r.step).slice(0, 40)})`
  if (typeof r.kind !== 'string') return 'its kind is not text'
  if (!(r.data instanceof Uint8Array)) return 'its data is not bytes'
  return undefined
}

/** SQLite's own verdict on a file whose pages are damaged (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function isCorruption(e: unknown): boolean {
  const code = (e as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}
