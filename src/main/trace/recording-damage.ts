/**
 * What a readable recording holds beyond its `schema_version` row: the tables and columns
 * Bootscope writes, `meta` values of the right form, and event and input rows a reader can use.
 * A file that fails is *damaged* — reported in one line naming the table and the row at fault,
 * never as an exception from deep inside a query, a JSON parse or an event's explanation.
 */
import { EVENT_KINDS, type EventKind, type EventPayloads, type TraceEvent } from '../../shared/trace/events'
import { explainEvent } from '../../shared/trace/explain'
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
  return new DamagedRecording(`'${path}' is damaged: ${oneLine(what)}`)
}

/** SQLite's messages can quote a damaged schema's text, line breaks included: one line for an error. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ')
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

/**
 * The form of each field of each event kind's payload (events.ts `EventPayloads`), checked as a
 * row is read so the timeline, the lanes and the explanations only ever see payloads they can use:
 * `s` text, `n` number, `b` boolean, `s|null`, `n|null`, `s?` text or absent, `s[]` a list of
 * text, `satp` a `SatpValue`, `mappings` a list of `MappingRange`, `areas` a list of
 * `BootMemoryArea`, `modules` a list of Multiboot modules (start, end, string).
 */
type FieldForm = 's' | 'n' | 'b' | 's|null' | 'n|null' | 's?' | 's[]' | 'satp' | 'mappings' | 'areas' | 'modules'
const S = 's' as const
const PAYLOAD_FORMS: { [K in EventKind]: Record<keyof EventPayloads[K], FieldForm> } = {
  segment_loaded: { vaddr: S, paddr: S, memsz: S, filesz: S, flags: S, sections: 's[]', file: S },
  firmware_handoff: { firmware: S, mode: S, entry: S, a0: S, a1: S },
  privilege_change: { from: S, to: S },
  trap: { cause: S, causeName: S, interrupt: 'b', tval: S, epc: S, from: S, to: S },
  trap_return: { instruction: S, from: S, to: S, target: S },
  satp_write: { old: 'satp', new: 'satp' },
  sfence_vma: { vaddr: 's|null', asid: 'n|null', instruction: 's?' },
  cr3_write: { old: 'satp', new: 'satp' },
  paging_change: { register: S, old: S, new: S, from: S, to: S, root: S },
  mode_change: { from: S, to: S, rip: S },
  control_bits: { register: S, old: S, new: S, set: 's[]', cleared: 's[]' },
  msr_write: { msr: S, number: S, old: S, new: S, summary: S },
  descriptor_table: { instruction: S, base: S, limit: S, selector: 's|null', entries: 's[]' },
  far_transfer: { instruction: S, fromCs: S, toCs: S, from: S, to: S, mode: S, ring: S },
  boot_info: { protocol: S, address: S, size: S, cmdline: 's|null', bootLoader: 's|null', memoryMap: 'areas', modules: 'modules', elfSections: 'n', tags: 's[]' },
  page_table_activated: { mode: S, root: S, mappings: 'mappings' },
  pte_write: { pa: S, old: S, new: S, flags: S, level: 'n|null', vaRange: 's|null', entry: 's?', recursive: 's?', effect: 's?' },
  region_enter: { region: S, va: S, symbol: 's|null' },
  uart_output: { text: S },
  disk_write: { device: S, sector: 'n', sectors: 'n' },
  stop: { reason: S, exitCode: 'n|null', message: S, hint: 's?' },
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const MAPPING_FIELDS = ['va', 'pa', 'size', 'perms', 'pageSize']
const SATP_FIELDS: [string, string][] = [['mode', 'string'], ['asid', 'number'], ['root', 'string'], ['raw', 'string']]

function fits(v: unknown, form: FieldForm): boolean {
  switch (form) {
    case 's':
      return typeof v === 'string'
    case 'n':
      return typeof v === 'number'
    case 'b':
      return typeof v === 'boolean'
    case 's|null':
      return v === null || typeof v === 'string'
    case 'n|null':
      return v === null || typeof v === 'number'
    case 's?':
      return v === undefined || typeof v === 'string'
    case 's[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string')
    case 'satp':
      return isRecord(v) && SATP_FIELDS.every(([k, t]) => typeof v[k] === t)
    case 'mappings':
      return Array.isArray(v) && v.every((m) => isRecord(m) && MAPPING_FIELDS.every((k) => typeof m[k] === 'string'))
    case 'areas':
      return Array.isArray(v) && v.every((a) => isRecord(a) && typeof a.base === 'string' && typeof a.length === 'string' && typeof a.type === 'number' && typeof a.typeName === 'string')
    case 'modules':
      return Array.isArray(v) && v.every((m) => isRecord(m) && ['start', 'end', 'string'].every((k) => typeof m[k] === 'string'))
  }
}

const FORM_WORDS: Record<FieldForm, string> = {
  s: 'text',
  n: 'a number',
  b: 'true or false',
  's|null': 'text or null',
  'n|null': 'a number or null',
  's?': 'text or absent',
  's[]': 'a list of text',
  satp: 'a satp value',
  mappings: 'a list of mappings',
  areas: 'a list of memory areas',
  modules: 'a list of modules',
}

/** The first field of a payload that does not have its kind's form, in words. */
function badPayload(kind: EventKind, data: Record<string, unknown>): string | undefined {
  for (const [field, form] of Object.entries(PAYLOAD_FORMS[kind]) as [string, FieldForm][]) {
    if (!fits(data[field], form)) return `its data does not fit a ${kind} event: '${field}' is not ${FORM_WORDS[form]}`
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
  if (!isRecord(data)) return 'its data is not a JSON object'
  const wrong = badPayload(r.kind as EventKind, data)
  if (wrong) return wrong
  return { id: r.id as number, step: r.step, kind: r.kind as EventKind, pc: r.pc, data: data as Record<string, unknown> }
}

/** An event in words (`bootscope events`); a payload that does not fit its kind is a damaged row, named. */
export function explainRow(path: string, e: TraceEvent): string {
  try {
    return explainEvent(e)
  } catch (x) {
    throw damaged(path, `events row ${e.id}: its data does not fit a ${e.kind} event (${(x as Error).message})`)
  }
}

/** Checks one inputs row; a string says what is wrong. */
export function badInputRow(r: { step: unknown; kind: unknown; data: unknown }): string | undefined {
  if (!isStep(r.step)) return `its step is not a step count (${String(r.step).slice(0, 40)})`
  if (typeof r.kind !== 'string') return 'its kind is not text'
  if (!(r.data instanceof Uint8Array)) return 'its data is not bytes'
  return undefined
}

/** SQLite's own verdict on a file whose pages are damaged (SQLITE_CORRUPT, SQLITE_NOTADB; SQLITE_IOERR: a file cut inside a page). */
export function isCorruption(e: unknown): boolean {
  const code = (e as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR'))
}
