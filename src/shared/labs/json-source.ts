/**
 * A JSON parser that remembers where every value came from. `JSON.parse` says neither where a
 * syntax error is in a way we can underline nor where a wrong value sits, and a teacher editing
 * lab.json by hand needs both: every node here carries the 1-based line and column of its first
 * character (and of its end), the way GNU tools and Monaco count. It also rejects what
 * `JSON.parse` silently accepts but is always a mistake in a hand-written file: duplicate keys.
 * It never throws: malformed input becomes a `JsonSyntaxError` value.
 */

export interface JsonPos {
  line: number
  column: number
  endLine: number
  endColumn: number
}

export interface JsonMember {
  key: string
  keyPos: JsonPos
  value: JsonNode
}

export type JsonNode =
  | { type: 'object'; members: JsonMember[]; pos: JsonPos }
  | { type: 'array'; items: JsonNode[]; pos: JsonPos }
  | { type: 'string'; value: string; pos: JsonPos }
  | { type: 'number'; value: number; raw: string; pos: JsonPos }
  | { type: 'boolean'; value: boolean; pos: JsonPos }
  | { type: 'null'; pos: JsonPos }

export interface JsonSyntaxError {
  message: string
  line: number
  column: number
  hint?: string
}

export type JsonParse = { ok: true; node: JsonNode } | { ok: false; error: JsonSyntaxError }

/** Deeper nesting than any lab needs; the limit keeps hostile input from exhausting the stack. */
export const MAX_JSON_DEPTH = 64

class SyntaxFailure {
  constructor(readonly error: JsonSyntaxError) {}
}

/** Parses `text` as one JSON value (RFC 8259), with positions. A leading UTF-8 BOM is allowed. */
export function parseJsonWithPositions(text: string): JsonParse {
  const p = new Parser(text)
  try {
    return { ok: true, node: p.document() }
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error }
    throw e
  }
}

class Parser {
  private i = 0
  private line = 1
  /** Index of the first character of the current line. */
  private lineStart = 0

  constructor(private readonly s: string) {
    if (s.charCodeAt(0) === 0xfeff) {
      this.i = 1
      this.lineStart = 1
    }
  }

  document(): JsonNode {
    this.ws()
    if (this.i >= this.s.length) this.fail('the file is empty: expected a JSON object', 'start with `{` and end with `}`')
    const node = this.value(0)
    this.ws()
    if (this.i < this.s.length) this.fail(`unexpected ${this.describe()} after the end of the JSON value`, 'a lab.json holds exactly one object')
    return node
  }

  private col(): number {
    return this.i - this.lineStart + 1
  }

  private fail(message: string, hint?: string): never {
    throw new SyntaxFailure({ message, line: this.line, column: this.col(), ...(hint ? { hint } : {}) })
  }

  private describe(): string {
    if (this.i >= this.s.length) return 'end of file'
    const c = this.s[this.i]
    return `character ${JSON.stringify(c)}`
  }

  private ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i)
      if (c === 0x0a) {
        this.i++
        this.line++
        this.lineStart = this.i
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.i++
      } else if (c === 0x2f && (this.s[this.i + 1] === '/' || this.s[this.i + 1] === '*')) {
        this.fail('comments are not allowed in JSON', 'put explanations in README.md, or in a "summary" or "message" string')
      } else {
        return
      }
    }
  }

  private start(): { line: number; column: number } {
    return { line: this.line, column: this.col() }
  }

  private end(start: { line: number; column: number }): JsonPos {
    return { ...start, endLine: this.line, endColumn: this.col() }
  }

  private value(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) this.fail(`values are nested more than ${MAX_JSON_DEPTH} deep`)
    const c = this.s[this.i]
    if (c === '{') return this.object(depth)
    if (c === '[') return this.array(depth)
    if (c === '"') {
      const start = this.start()
      const value = this.string()
      return { type: 'string', value, pos: this.end(start) }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number()
    for (const [word, node] of [
      ['true', { type: 'boolean', value: true }],
      ['false', { type: 'boolean', value: false }],
      ['null', { type: 'null' }],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        const start = this.start()
        this.i += word.length
        return { ...node, pos: this.end(start) } as JsonNode
      }
    }
    if (c === "'") this.fail('strings must use double quotes', 'write "text", not \'text\'')
    if (c === undefined) this.fail('unexpected end of file: a value is missing')
    this.fail(`unexpected ${this.describe()}: expected a value (object, array, string, number, true, false or null)`)
  }

  private object(depth: number): JsonNode {
    const start = this.start()
    this.i++ // {
    const members: JsonMember[] = []
    const seen = new Set<string>()
    this.ws()
    if (this.s[this.i] === '}') {
      this.i++
      return { type: 'object', members, pos: this.end(start) }
    }
    for (;;) {
      this.ws()
      if (this.s[this.i] !== '"') {
        if (this.s[this.i] === '}') this.fail('trailing comma before `}`', 'remove the last comma')
        this.fail(`unexpected ${this.describe()}: expected a key in double quotes`)
      }
      const keyStart = this.start()
      const key = this.string()
      const keyPos = this.end(keyStart)
      if (seen.has(key)) {
        throw new SyntaxFailure({ message: `duplicate key "${key}"`, line: keyPos.line, column: keyPos.column, hint: 'each key may appear once in an object' })
      }
      seen.add(key)
      this.ws()
      if (this.s[this.i] !== ':') this.fail(`unexpected ${this.describe()}: expected \`:\` after the key "${key}"`)
      this.i++
      this.ws()
      const value = this.value(depth + 1)
      members.push({ key, keyPos, value })
      this.ws()
      const c = this.s[this.i]
      if (c === ',') {
        this.i++
        continue
      }
      if (c === '}') {
        this.i++
        return { type: 'object', members, pos: this.end(start) }
      }
      this.fail(`unexpected ${this.describe()}: expected \`,\` or \`}\``, c === '"' ? 'a comma is missing between two members' : undefined)
    }
  }

  private array(depth: number): JsonNode {
    const start = this.start()
    this.i++ // [
    const items: JsonNode[] = []
    this.ws()
    if (this.s[this.i] === ']') {
      this.i++
      return { type: 'array', items, pos: this.end(start) }
    }
    for (;;) {
      this.ws()
      if (this.s[this.i] === ']') this.fail('trailing comma before `]`', 'remove the last comma')
      items.push(this.value(depth + 1))
      this.ws()
      const c = this.s[this.i]
      if (c === ',') {
        this.i++
        continue
      }
      if (c === ']') {
        this.i++
        return { type: 'array', items, pos: this.end(start) }
      }
      this.fail(`unexpected ${this.describe()}: expected \`,\` or \`]\``)
    }
  }

  private string(): string {
    this.i++ // opening quote
    let out = ''
    for (;;) {
      const c = this.s[this.i]
      if (c === undefined) this.fail('unterminated string', 'close it with `"`')
      if (c === '"') {
        this.i++
        return out
      }
      if (c === '\n' || c.charCodeAt(0) < 0x20) this.fail('control character (such as a line break) inside a string', 'write it as an escape: \\n, \\t')
      if (c === '\\') {
        const e = this.s[this.i + 1]
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
        if (e !== undefined && e in simple) {
          out += simple[e]
          this.i += 2
          continue
        }
        if (e === 'u') {
          const hex = this.s.slice(this.i + 2, this.i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape: expected four hex digits')
          out += String.fromCharCode(parseInt(hex, 16))
          this.i += 6
          continue
        }
        this.fail(`unknown escape \\${e ?? ''} in a string`, 'JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; a regex backslash is written \\\\')
      }
      out += c
      this.i++
    }
  }

  private number(): JsonNode {
    const start = this.start()
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 400))
    if (!m) this.fail(`unexpected ${this.describe()}: expected a number`)
    const raw = m[0]
    const next = this.s[this.i + raw.length]
    if (raw === '0' && (next === 'x' || next === 'X')) {
      this.fail('hex numbers are not JSON', 'write an address as a string: "0x80200000"')
    }
    if (next !== undefined && /[0-9a-zA-Z_.]/.test(next)) this.fail(`malformed number starting ${JSON.stringify(raw + next)}`)
    this.i += raw.length
    return { type: 'number', value: Number(raw), raw, pos: this.end(start) }
  }
}
