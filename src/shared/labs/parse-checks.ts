/**
 * Validation of the `checks` of a lab.json: one reader per check kind, each accepting exactly
 * the keys its kind documents (docs/labs.md), plus the event selectors and address references
 * that several kinds share. Event kinds and their filters use the names of
 * `shared/trace/events.ts`, so a check reads like the timeline the student looks at.
 */
import type { StopReason, TranslationMode } from '../trace/events'
import { EVENT_KINDS, type EventKind } from '../trace/events'
import { EXCEPTION_NAMES, INTERRUPT_NAMES } from '../trace/causes'
import type { JsonNode } from './json-source'
import {
  didYouMean,
  enumValue,
  fields,
  hexValue,
  integerValue,
  Issues,
  member,
  readBoolean,
  readEnum,
  readHex,
  readInteger,
  readString,
  typeName,
  wrongType,
  type Fields,
} from './json-fields'
import type { AddressRef, Check, CheckBase, CheckKind, EventSelector, TranslateExpect } from './lab-format'
import { MULTIBOOT_KIND_KEYS, readFramesCheck, readMultibootTagCheck } from './parse-multiboot-checks'
import { FUNCTION_KIND_KEYS, readFaultInFunctionCheck, readFunctionReachedCheck } from './parse-function-checks'
import { CONTROL_BIT_NAMES, readFaultCheck, readModeCheck, readRegisterCheck, X86_KIND_KEYS, X86_MODES, type SharedReaders } from './parse-x86-checks'

export const CHECK_KINDS: readonly CheckKind[] = [
  'console',
  'satp_write',
  'region_enter',
  'trap',
  'no_trap',
  'order',
  'translate',
  'section',
  'segment',
  'symbol',
  'shutdown',
  'mode',
  'fault',
  'register',
  'vga_text',
  'multiboot_tag',
  'frames',
  'function_reached',
  'fault_in_function',
]

/** Ids of labs and checks: kebab-case, so they work as folder names and report columns. */
export const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

const COMMON_KEYS = ['kind', 'id', 'title', 'message', 'hint', 'points'] as const

/** The keys each kind adds to the common ones. */
const KIND_KEYS: Record<CheckKind, readonly string[]> = {
  console: ['contains', 'regex', 'flags', 'absent'],
  satp_write: ['mode'],
  region_enter: ['from', 'to'],
  trap: ['cause', 'interrupt', 'at'],
  no_trap: ['causes'],
  order: ['first', 'then'],
  translate: ['va', 'when', 'pa', 'perms', 'pageSize', 'unmapped'],
  section: ['name', 'exists', 'vma', 'lma', 'align'],
  segment: ['section', 'vaddr', 'paddr', 'flags'],
  symbol: ['name', 'value', 'section', 'align'],
  shutdown: ['maxSteps', 'exitCode'],
  ...X86_KIND_KEYS,
  ...MULTIBOOT_KIND_KEYS,
  ...FUNCTION_KIND_KEYS,
}

/** The filters each event kind accepts in a selector, besides `event` and `occurrence`. */
const SELECTOR_FILTERS: Partial<Record<EventKind, readonly string[]>> = {
  satp_write: ['mode'],
  region_enter: ['from', 'to'],
  trap: ['cause', 'interrupt', 'at'],
  pte_write: ['new'],
  uart_output: ['contains'],
  stop: ['reason'],
  mode_change: ['to'],
  control_bits: ['set', 'cleared'],
}

export const TRANSLATION_MODES: readonly TranslationMode[] = ['Bare', 'Sv39', 'Sv48', 'Sv57']

/** Every `StopReason`; the `satisfies` line fails to compile if events.ts gains one we miss. */
export const STOP_REASONS = [
  'shutdown',
  'reset',
  'tohost',
  'budget',
  'cancelled',
  'interrupted',
  'size-limit',
  'paused',
  'trap-loop',
  'wfi-deadlock',
  'triple-fault',
  'waiting-for-input',
  'hart-stopped',
  'halt',
  'guest-error',
  'crashed',
] as const satisfies readonly StopReason[]
type MissingStopReason = Exclude<StopReason, (typeof STOP_REASONS)[number]>
const STOP_REASONS_COMPLETE: MissingStopReason extends never ? true : false = true
void STOP_REASONS_COMPLETE

/** Leaf sizes of Sv39/Sv48/Sv57 pages, in bytes: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
export const PAGE_SIZES_BYTES: readonly number[] = [4096, 2 * 1024 * 1024, 1024 * 1024 * 1024, 512 * 1024 * 1024 * 1024]

const REGEX_FLAGS = 'imsu'
const MAX_CAUSE = 63

/** Parses one element of `checks`; undefined when it has errors (already recorded). */
export function parseCheck(issues: Issues, node: JsonNode): Check | undefined {
  if (node.type !== 'object') return issues.add('lab.wrong_type', `a check must be an object, not ${typeName(node)}`, node.pos)
  const kindMember = node.members.find((m) => m.key === 'kind')
  const idMember = node.members.find((m) => m.key === 'id')
  const named = idMember?.value.type === 'string' ? `the check "${idMember.value.value}"` : 'a check'
  if (!kindMember) {
    return issues.add('lab.missing_key', `${named} needs "kind"`, node.pos, `one of: ${CHECK_KINDS.join(', ')}`)
  }
  const kindNode = kindMember.value
  if (kindNode.type !== 'string') return issues.add('lab.wrong_type', `"kind" of ${named} must be a string, not ${typeName(kindNode)}`, kindNode.pos)
  const kind = kindNode.value as CheckKind
  if (!CHECK_KINDS.includes(kind)) {
    return issues.add('lab.unknown_check_kind', `unknown check kind ${JSON.stringify(kindNode.value)}`, kindNode.pos, `${didYouMean(kindNode.value, CHECK_KINDS)}kinds: ${CHECK_KINDS.join(', ')}`)
  }
  const f = fields(issues, node, `${named} (${kind})`, [...COMMON_KEYS, ...KIND_KEYS[kind]])
  if (!f) return undefined
  const before = issues.errors.length
  const base = readBase(issues, f)
  const specific = readKind(issues, f, kind)
  if (!base || !specific || issues.errors.length > before) return undefined
  return { ...base, ...specific } as Check
}

function readBase(issues: Issues, f: Fields): CheckBase | undefined {
  const id = readString(issues, f, 'id', true)
  if (id !== undefined && !ID_RE.test(id)) {
    issues.add('lab.bad_value', `the check id ${JSON.stringify(id)} must be kebab-case`, f.byKey.get('id')!.value.pos, 'lowercase letters, digits and single dashes, e.g. "paging-on"')
  }
  const title = readString(issues, f, 'title', true)
  const message = readString(issues, f, 'message', true)
  const hint = readString(issues, f, 'hint', false)
  const points = readInteger(issues, f, 'points', false, { min: 0, max: 1000 })
  if (id === undefined || title === undefined || message === undefined) return undefined
  return { id, title, message, ...(hint !== undefined ? { hint } : {}), points: points ?? 1 }
}

/** A check without its common fields, per kind (Omit distributed over the union). */
type KindFields = Check extends infer C ? (C extends Check ? Omit<C, keyof CheckBase> : never) : never

function readKind(issues: Issues, f: Fields, kind: CheckKind): KindFields | undefined {
  switch (kind) {
    case 'console':
      return readConsole(issues, f)
    case 'satp_write': {
      const mode = readEnum(issues, f, 'mode', TRANSLATION_MODES, true)
      return mode && { kind, mode }
    }
    case 'region_enter': {
      const range = readRange(issues, f, true)
      return range && { kind, ...range }
    }
    case 'trap': {
      const interrupt = readBoolean(issues, f, 'interrupt') ?? false
      const cause = readCause(issues, f, 'cause', true, interrupt)
      const atNode = member(issues, f, 'at', false)
      const at = atNode && addressRef(issues, '"at"', atNode)
      if (cause === undefined || (atNode && !at)) return undefined
      return { kind, cause, interrupt, ...(at !== undefined ? { at } : {}) }
    }
    case 'no_trap': {
      const node = member(issues, f, 'causes', true, 'e.g. "causes": [12, 13, 15] for the page faults')
      if (!node) return undefined
      if (node.type !== 'array') return wrongType(issues, f, 'causes', node, 'an array of exception cause numbers')
      if (node.items.length === 0) return issues.add('lab.bad_value', '"causes" must list at least one cause', node.pos, 'a boot always traps (every SBI call is an ecall, cause 9): name the causes that must not happen')
      const causes = node.items.map((n) => causeValue(issues, 'an entry of "causes"', n, false))
      if (causes.some((c) => c === undefined)) return undefined
      return { kind, causes: causes as number[] }
    }
    case 'order': {
      const first = readSelector(issues, f, 'first', true)
      const then = readSelector(issues, f, 'then', true)
      return first && then && { kind, first, then }
    }
    case 'translate':
      return readTranslate(issues, f)
    case 'section': {
      const name = readString(issues, f, 'name', true)
      const exists = readBoolean(issues, f, 'exists') ?? true
      const vma = readHex(issues, f, 'vma', false)
      const lma = readHex(issues, f, 'lma', false)
      const align = readInteger(issues, f, 'align', false, { min: 1, powerOfTwo: true })
      if (!exists && (vma ?? lma ?? align) !== undefined) {
        return issues.add('lab.bad_value', `${f.what} says the section does not exist, so it cannot also give "vma", "lma" or "align"`, f.pos)
      }
      return name === undefined ? undefined : { kind, name, exists, ...opt({ vma, lma, align }) }
    }
    case 'segment': {
      const section = readString(issues, f, 'section', true)
      const vaddr = readHex(issues, f, 'vaddr', false)
      const paddr = readHex(issues, f, 'paddr', false)
      const flags = readLetters(issues, f, 'flags', 'RWX')
      return section === undefined ? undefined : { kind, section, ...opt({ vaddr, paddr, flags }) }
    }
    case 'symbol': {
      const name = readString(issues, f, 'name', true)
      const value = readHex(issues, f, 'value', false)
      const section = readString(issues, f, 'section', false)
      const align = readInteger(issues, f, 'align', false, { min: 1, powerOfTwo: true })
      return name === undefined ? undefined : { kind, name, ...opt({ value, section, align }) }
    }
    case 'shutdown': {
      const maxSteps = readInteger(issues, f, 'maxSteps', true, { min: 1, max: 10_000_000_000 })
      const exitCode = readInteger(issues, f, 'exitCode', false, { min: 0, max: 255 })
      return maxSteps === undefined ? undefined : { kind, maxSteps, ...opt({ exitCode }) }
    }
    case 'mode':
      return readModeCheck(issues, f)
    case 'fault':
      return readFaultCheck(issues, f, SHARED)
    case 'register':
      return readRegisterCheck(issues, f, SHARED)
    case 'vga_text': {
      const c = readConsole(issues, f)
      return c && c.kind === 'console' ? { kind: 'vga_text', match: c.match, absent: c.absent } : undefined
    }
    case 'multiboot_tag':
      return readMultibootTagCheck(issues, f)
    case 'frames':
      return readFramesCheck(issues, f)
    case 'function_reached':
      return readFunctionReachedCheck(issues, f)
    case 'fault_in_function':
      return readFaultInFunctionCheck(issues, f)
  }
}

const SHARED: SharedReaders = { addressRef: (issues, what, node) => addressRef(issues, what, node), when: (issues, f) => readWhen(issues, f) }

/** Drops undefined values, so a parsed check has only the keys its author wrote. */
function opt<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

export function readConsole(issues: Issues, f: Fields): KindFields | undefined {
  const contains = readString(issues, f, 'contains', false)
  const regex = readString(issues, f, 'regex', false)
  const flagsNode = member(issues, f, 'flags', false)
  const absent = readBoolean(issues, f, 'absent') ?? false
  if ((contains === undefined) === (regex === undefined)) {
    if (f.byKey.has('contains') || f.byKey.has('regex')) {
      if (contains !== undefined && regex !== undefined) issues.add('lab.bad_value', `${f.what} gives both "contains" and "regex": use one`, f.pos, 'split it into two checks')
      return undefined
    }
    return issues.add('lab.missing_key', `${f.what} needs "contains" (a substring) or "regex" (a JavaScript regular expression)`, f.pos)
  }
  let flags = ''
  if (flagsNode) {
    if (regex === undefined) return issues.add('lab.bad_value', '"flags" applies to "regex" only', flagsNode.pos)
    if (flagsNode.type !== 'string') return wrongType(issues, f, 'flags', flagsNode, 'a string of regex flags')
    flags = flagsNode.value
    const bad = [...flags].find((c, i) => !REGEX_FLAGS.includes(c) || flags.indexOf(c) !== i)
    if (bad !== undefined) return issues.add('lab.bad_value', `regex flag ${JSON.stringify(bad)} is unknown or repeated`, flagsNode.pos, `flags are among "${REGEX_FLAGS}" (i: ignore case, m: ^ and $ match at line breaks, s: . matches line breaks, u: Unicode)`)
  }
  if (regex !== undefined) {
    try {
      new RegExp(regex, flags)
    } catch (e) {
      return issues.add('lab.bad_regex', `"regex" is not a valid regular expression: ${(e as Error).message}`, f.byKey.get('regex')!.value.pos, 'in JSON a backslash is written twice: "\\\\d+" for \\d+')
    }
    return { kind: 'console', match: { regex, flags }, absent }
  }
  return { kind: 'console', match: { contains: contains! }, absent }
}

function readTranslate(issues: Issues, f: Fields): KindFields | undefined {
  const vaNode = member(issues, f, 'va', true, 'e.g. "va": "0xffffffff80200000" or "va": { "symbol": "text_start" }')
  const va = vaNode && addressRef(issues, '"va"', vaNode)
  const when = readWhen(issues, f)
  const unmapped = readBoolean(issues, f, 'unmapped')
  const pa = readHex(issues, f, 'pa', false)
  const perms = readLetters(issues, f, 'perms', 'RWXU')
  const pageSize = readInteger(issues, f, 'pageSize', false, { min: 4096, max: PAGE_SIZES_BYTES[3] })
  if (pageSize !== undefined && !PAGE_SIZES_BYTES.includes(pageSize)) {
    issues.add('lab.bad_value', `"pageSize" must be a leaf size in bytes: ${PAGE_SIZES_BYTES.join(', ')}`, f.byKey.get('pageSize')!.value.pos, '4096 is 4 KiB, 2097152 is 2 MiB, 1073741824 is 1 GiB')
    return undefined
  }
  let expect: TranslateExpect
  if (unmapped === true) {
    if ((pa ?? perms ?? pageSize) !== undefined) return issues.add('lab.bad_value', `${f.what} says "unmapped": true, so it cannot also expect "pa", "perms" or "pageSize"`, f.pos)
    expect = { mapped: false }
  } else {
    if (pa === undefined && perms === undefined && pageSize === undefined && !f.byKey.has('pa') && !f.byKey.has('perms')) {
      return issues.add('lab.missing_key', `${f.what} needs what to expect: "pa", "perms" and/or "pageSize", or "unmapped": true`, f.pos)
    }
    expect = { mapped: true, ...opt({ pa, perms, pageSize }) }
  }
  if (!va || !when) return undefined
  return { kind: 'translate', va, when, expect }
}

/** `"when"`: "end" (the default) or an event selector: the moment a translate or register check looks at. */
function readWhen(issues: Issues, f: Fields): 'end' | EventSelector | undefined {
  const whenNode = member(issues, f, 'when', false)
  if (!whenNode) return 'end'
  if (whenNode.type === 'string') {
    return whenNode.value === 'end' ? 'end' : issues.add('lab.bad_value', `"when" must be "end" or an event selector, not ${JSON.stringify(whenNode.value)}`, whenNode.pos, 'e.g. "when": { "event": "satp_write", "mode": "Sv39" }')
  }
  return selectorValue(issues, '"when"', whenNode)
}

/** A set of permission letters among `allowed`, returned in canonical order ("XR" → "RX"). */
function readLetters(issues: Issues, f: Fields, key: string, allowed: string): string | undefined {
  const node = member(issues, f, key, false)
  if (!node) return undefined
  if (node.type !== 'string') return wrongType(issues, f, key, node, `a string of letters among ${allowed.split('').join(' ')}`)
  const letters = node.value.toUpperCase()
  const bad = [...letters].find((c, i) => !allowed.includes(c) || letters.indexOf(c) !== i)
  if (letters === '' || bad !== undefined) {
    return issues.add('lab.bad_value', `"${key}" must be letters among ${allowed.split('').join(' ')}, each once, not ${JSON.stringify(node.value)}`, node.pos, key === 'perms' ? 'e.g. "RX" for code, "R" for constants, "RW" for data' : 'e.g. "RX"')
  }
  return [...allowed].filter((c) => letters.includes(c)).join('')
}

function readRange(issues: Issues, f: Fields, required: boolean): { from: string; to: string } | undefined {
  const from = readHex(issues, f, 'from', required)
  const to = readHex(issues, f, 'to', required)
  if (from === undefined || to === undefined) return undefined
  if (BigInt(from) > BigInt(to)) return issues.add('lab.bad_value', `the range ends (${to}) before it starts (${from})`, f.byKey.get('to')!.value.pos, '"from" and "to" are both inclusive')
  return { from, to }
}

function readCause(issues: Issues, f: Fields, key: string, required: boolean, interrupt: boolean): number | undefined {
  const node = member(issues, f, key, required, 'e.g. "cause": 12 (instruction page fault)')
  return node && causeValue(issues, `"${key}"`, node, interrupt)
}

function causeValue(issues: Issues, what: string, node: JsonNode, interrupt: boolean): number | undefined {
  const cause = integerValue(issues, what, node, { min: 0, max: MAX_CAUSE })
  if (cause === undefined) return undefined
  const names = interrupt ? INTERRUPT_NAMES : EXCEPTION_NAMES
  if (!(cause in names)) {
    const known = Object.entries(names).map(([n, name]) => `${n} ${name}`).join(', ')
    return issues.add('lab.bad_value', `${what}: ${cause} is not a standard ${interrupt ? 'interrupt' : 'exception'} cause`, node.pos, `causes: ${known}`)
  }
  return cause
}

/** A hex string, or `{ "symbol": name, "offset": bytes }`. */
export function addressRef(issues: Issues, what: string, node: JsonNode): AddressRef | undefined {
  if (node.type === 'object') {
    const f = fields(issues, node, what, ['symbol', 'offset'])
    if (!f) return undefined
    const symbol = readString(issues, f, 'symbol', true)
    const offset = readInteger(issues, f, 'offset', false, { min: -(2 ** 32), max: 2 ** 32 })
    if (symbol === undefined || (f.byKey.has('offset') && offset === undefined)) return undefined
    return { symbol, offset: offset ?? 0 }
  }
  if (node.type === 'string' || node.type === 'number') return hexValue(issues, what, node)
  return issues.add('lab.wrong_type', `${what} must be a hex address string or { "symbol": … }, not ${typeName(node)}`, node.pos)
}

function readSelector(issues: Issues, f: Fields, key: string, required: boolean): EventSelector | undefined {
  const node = member(issues, f, key, required, 'e.g. { "event": "satp_write", "mode": "Sv39" }')
  return node && selectorValue(issues, `"${key}"`, node)
}

/** An event selector: `{ "event": kind, filters…, "occurrence"?: "first" | "last" }`. */
export function selectorValue(issues: Issues, what: string, node: JsonNode): EventSelector | undefined {
  if (node.type !== 'object') return issues.add('lab.wrong_type', `${what} must be an event selector object, not ${typeName(node)}`, node.pos, 'e.g. { "event": "satp_write", "mode": "Sv39" }')
  const eventMember = node.members.find((m) => m.key === 'event')
  if (!eventMember) return issues.add('lab.missing_key', `${what} needs "event"`, node.pos, `one of: ${EVENT_KINDS.join(', ')}`)
  const event = enumValue(issues, `"event" in ${what}`, eventMember.value, EVENT_KINDS)
  if (!event) return undefined
  const filters = SELECTOR_FILTERS[event] ?? []
  const f = fields(issues, node, `${what} (${event})`, ['event', 'occurrence', ...filters])
  if (!f) return undefined
  const before = issues.errors.length
  const occurrence = readEnum(issues, f, 'occurrence', ['first', 'last'] as const, false) ?? 'first'
  let sel: EventSelector | undefined
  switch (event) {
    case 'satp_write':
      sel = { event, occurrence, ...opt({ mode: readEnum(issues, f, 'mode', TRANSLATION_MODES, false) }) }
      break
    case 'region_enter':
      sel = { event, occurrence, ...opt({ from: readHex(issues, f, 'from', false), to: readHex(issues, f, 'to', false) }) }
      break
    case 'trap': {
      const interrupt = readBoolean(issues, f, 'interrupt')
      const cause = readCause(issues, f, 'cause', false, interrupt ?? false)
      const atNode = member(issues, f, 'at', false)
      sel = { event, occurrence, ...opt({ cause, interrupt, at: atNode && addressRef(issues, '"at"', atNode) }) }
      break
    }
    case 'pte_write':
      sel = { event, occurrence, ...opt({ new: readHex(issues, f, 'new', false) }) }
      break
    case 'uart_output':
      sel = { event, occurrence, ...opt({ contains: readString(issues, f, 'contains', false) }) }
      break
    case 'stop':
      sel = { event, occurrence, ...opt({ reason: readEnum(issues, f, 'reason', STOP_REASONS, false) }) }
      break
    case 'mode_change':
      sel = { event, occurrence, ...opt({ to: readEnum(issues, f, 'to', X86_MODES, false) }) }
      break
    case 'control_bits':
      sel = { event, occurrence, ...opt({ set: readEnum(issues, f, 'set', CONTROL_BIT_NAMES, false), cleared: readEnum(issues, f, 'cleared', CONTROL_BIT_NAMES, false) }) }
      break
    default:
      sel = { event, occurrence }
  }
  return issues.errors.length > before ? undefined : sel
}
