/**
 * Typed readers over positioned JSON (json-source.ts) for validating a lab.json: each reader
 * takes a node, checks its type and range, and either returns the value or records an error
 * pointing at that node, then lets validation go on so a teacher sees every mistake at once.
 * Unknown keys get a "did you mean" hint, because a misspelled optional key would otherwise be
 * silently ignored and the check would not test what its author meant.
 */
import type { ApiError } from '../api/result'
import type { JsonMember, JsonNode, JsonPos } from './json-source'

export class Issues {
  readonly errors: ApiError[] = []
  constructor(readonly file: string) {}

  add(code: string, message: string, pos: JsonPos, hint?: string): undefined {
    this.errors.push({
      code,
      message,
      loc: { file: this.file, line: pos.line, column: pos.column, endLine: pos.endLine, endColumn: pos.endColumn },
      ...(hint ? { hint } : {}),
    })
    return undefined
  }
}

/** The members of one JSON object, by key, with where the object is (for "missing key" errors). */
export interface Fields {
  what: string
  pos: JsonPos
  byKey: Map<string, JsonMember>
}

const TYPE_NAMES: Record<JsonNode['type'], string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
}

export function typeName(node: JsonNode): string {
  return TYPE_NAMES[node.type]
}

/** Levenshtein distance, for "did you mean" hints; names here are short. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length]
}

/** The closest name among `names`, when it is close enough to be a plausible typo. */
export function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase())
    if (d < bestDistance) {
      best = n
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined
}

export function didYouMean(name: string, names: readonly string[]): string {
  const c = closest(name, names)
  return c ? `did you mean "${c}"? ` : ''
}

/** Reads `node` as an object whose keys must all be in `allowed`. */
export function fields(issues: Issues, node: JsonNode, what: string, allowed: readonly string[]): Fields | undefined {
  if (node.type !== 'object') {
    return issues.add('lab.wrong_type', `${what} must be an object, not ${typeName(node)}`, node.pos)
  }
  const byKey = new Map<string, JsonMember>()
  for (const m of node.members) {
    if (!allowed.includes(m.key)) {
      issues.add('lab.unknown_key', `unknown key "${m.key}" in ${what}`, m.keyPos, `${didYouMean(m.key, allowed)}allowed keys: ${allowed.join(', ')}`)
      continue
    }
    byKey.set(m.key, m)
  }
  return { what, pos: node.pos, byKey }
}

function missing(issues: Issues, f: Fields, key: string, hint?: string): undefined {
  return issues.add('lab.missing_key', `${f.what} needs "${key}"`, f.pos, hint)
}

/** The raw node of `key`, or undefined (recording an error when required). */
export function member(issues: Issues, f: Fields, key: string, required: boolean, hint?: string): JsonNode | undefined {
  const m = f.byKey.get(key)
  if (!m) return required ? missing(issues, f, key, hint) : undefined
  return m.value
}

export function wrongType(issues: Issues, f: Fields, key: string, node: JsonNode, expected: string, hint?: string): undefined {
  return issues.add('lab.wrong_type', `"${key}" in ${f.what} must be ${expected}, not ${typeName(node)}`, node.pos, hint)
}

export function readString(issues: Issues, f: Fields, key: string, required: boolean, opts: { nonEmpty?: boolean } = {}): string | undefined {
  const node = member(issues, f, key, required)
  if (!node) return undefined
  if (node.type !== 'string') return wrongType(issues, f, key, node, 'a string')
  if (opts.nonEmpty !== false && node.value.trim() === '') return issues.add('lab.bad_value', `"${key}" in ${f.what} must not be empty`, node.pos)
  return node.value
}

export function readBoolean(issues: Issues, f: Fields, key: string): boolean | undefined {
  const node = member(issues, f, key, false)
  if (!node) return undefined
  if (node.type !== 'boolean') return wrongType(issues, f, key, node, 'true or false')
  return node.value
}

/** An integer in [min, max]; JSON numbers are exact up to 2^53, plenty for counts and sizes. */
export function readInteger(
  issues: Issues,
  f: Fields,
  key: string,
  required: boolean,
  range: { min: number; max?: number; powerOfTwo?: boolean },
): number | undefined {
  const node = member(issues, f, key, required)
  if (!node) return undefined
  return integerValue(issues, `"${key}" in ${f.what}`, node, range)
}

export function integerValue(issues: Issues, what: string, node: JsonNode, range: { min: number; max?: number; powerOfTwo?: boolean }): number | undefined {
  if (node.type !== 'number') {
    const hint = node.type === 'string' && /^0x/i.test(node.value) ? 'write this count as a plain JSON number, e.g. 4096' : undefined
    return issues.add('lab.wrong_type', `${what} must be a number, not ${typeName(node)}`, node.pos, hint)
  }
  const max = range.max ?? Number.MAX_SAFE_INTEGER
  if (!Number.isInteger(node.value)) return issues.add('lab.bad_value', `${what} must be a whole number, not ${node.raw}`, node.pos)
  if (node.value < range.min || node.value > max) {
    return issues.add('lab.bad_value', `${what} must be between ${range.min} and ${max}, not ${node.raw}`, node.pos)
  }
  if (range.powerOfTwo && (node.value < 1 || (node.value & (node.value - 1)) !== 0 || node.value > 2 ** 30)) {
    // `&` is 32-bit, hence the cap; alignments past 1 GiB mean nothing here.
    return issues.add('lab.bad_value', `${what} must be a power of two (1, 2, 4, … 4096, …), not ${node.raw}`, node.pos)
  }
  return node.value
}

const HEX_RE = /^0x[0-9a-f]+(?:_[0-9a-f]+)*$/i

/**
 * A 64-bit address or value written as a hex string ("0xffffffff80200000", underscores
 * allowed between digits like "0xffff_ffff_8020_0000"), returned normalized the way trace
 * events print them: lowercase, no leading zeros ("0x0" for zero). Strings, because JSON
 * numbers lose precision past 2^53 and kernel addresses are 64-bit.
 */
export function hexValue(issues: Issues, what: string, node: JsonNode): string | undefined {
  if (node.type === 'number') {
    return issues.add('lab.bad_hex', `${what} must be a hex string, not a number`, node.pos, `write "0x${Number.isSafeInteger(node.value) && node.value >= 0 ? node.value.toString(16) : '…'}": JSON numbers cannot hold every 64-bit address`)
  }
  if (node.type !== 'string') return issues.add('lab.wrong_type', `${what} must be a hex string like "0x80200000", not ${typeName(node)}`, node.pos)
  if (!HEX_RE.test(node.value)) {
    return issues.add('lab.bad_hex', `${what} is not a hex number: ${JSON.stringify(node.value)}`, node.pos, 'write 0x followed by hex digits, e.g. "0xffffffff80200000" (underscores may separate digit groups)')
  }
  const v = BigInt(node.value.replace(/_/g, ''))
  if (v >= 1n << 64n) return issues.add('lab.bad_hex', `${what} does not fit in 64 bits: ${node.value}`, node.pos, 'an address has at most 16 hex digits')
  return '0x' + v.toString(16)
}

export function readHex(issues: Issues, f: Fields, key: string, required: boolean): string | undefined {
  const node = member(issues, f, key, required)
  if (!node) return undefined
  return hexValue(issues, `"${key}" in ${f.what}`, node)
}

/** A string that must be one of `values`. */
export function readEnum<T extends string>(issues: Issues, f: Fields, key: string, values: readonly T[], required: boolean): T | undefined {
  const node = member(issues, f, key, required)
  if (!node) return undefined
  return enumValue(issues, `"${key}" in ${f.what}`, node, values)
}

export function enumValue<T extends string>(issues: Issues, what: string, node: JsonNode, values: readonly T[]): T | undefined {
  if (node.type !== 'string') return issues.add('lab.wrong_type', `${what} must be one of ${values.map((v) => `"${v}"`).join(', ')}, not ${typeName(node)}`, node.pos)
  if (!(values as readonly string[]).includes(node.value)) {
    return issues.add('lab.bad_value', `${what} must be one of ${values.map((v) => `"${v}"`).join(', ')}, not ${JSON.stringify(node.value)}`, node.pos, didYouMean(node.value, values).trim() || undefined)
  }
  return node.value as T
}

/** An array whose items each go through `item`; undefined items (already reported) are dropped. */
export function readArray<T>(
  issues: Issues,
  f: Fields,
  key: string,
  required: boolean,
  item: (node: JsonNode, index: number) => T | undefined,
  opts: { nonEmpty?: boolean } = {},
): T[] | undefined {
  const node = member(issues, f, key, required)
  if (!node) return undefined
  if (node.type !== 'array') return wrongType(issues, f, key, node, 'an array')
  if (opts.nonEmpty && node.items.length === 0) return issues.add('lab.bad_value', `"${key}" in ${f.what} must not be empty`, node.pos)
  const out: T[] = []
  node.items.forEach((n, i) => {
    const v = item(n, i)
    if (v !== undefined) out.push(v)
  })
  return out
}
