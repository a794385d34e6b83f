/**
 * NASM's tokens (NASM manual 3.4 "Constants", 3.1 "Layout of a NASM Source Line"): numbers in
 * every radix spelling (`0x1F`, `1Fh`, `$1F`, `0b101`, `101b`, `777q`, `0o777`, `0d99`, with `_`
 * separators), character and string constants in '…', "…" and `…` (backquote with C escapes),
 * identifiers (letters, `_ . ? $ # @ ~`, `$name` escapes a keyword), `$` and `$$`, and
 * operators. One tokenizer serves the preprocessor, the expression parser and the statement
 * parser, so they agree on where a string or a comment starts.
 */

export type Tok =
  | { t: 'id'; s: string; col: number }
  | { t: 'num'; v: bigint; col: number; text: string }
  | { t: 'float'; text: string; col: number }
  | { t: 'str'; bytes: number[]; q: string; col: number; text: string }
  | { t: 'op'; s: string; col: number }

export class LexError extends Error {
  constructor(message: string, readonly col: number) {
    super(message)
  }
}

/** Character classes by char code (the tokenizer runs on every source line). */
const CLASS = new Uint8Array(128)
const DIGIT = 1
const ID_START = 2
const ID_CHAR = 4
const NUM_CHAR = 8
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[0-9]/.test(ch)) CLASS[c] |= DIGIT
  if (/[A-Za-z_.?@]/.test(ch)) CLASS[c] |= ID_START
  if (/[A-Za-z0-9_$#@~.?]/.test(ch)) CLASS[c] |= ID_CHAR
  if (/[0-9A-Za-z_.$]/.test(ch)) CLASS[c] |= NUM_CHAR
}
const is = (line: string, i: number, cls: number): boolean => {
  const c = line.charCodeAt(i)
  return c < 128 && (CLASS[c] & cls) !== 0
}
/** Hexadecimal floating point (NASM manual 3.4.6): `0x1.8p1`, `0x1p-3`. */
export const HEX_FLOAT = /^0x[0-9a-f_]*(\.[0-9a-f_]*)?p[+-]?[0-9]+$/i
/** Operators, longest first. */
const OPS = ['<<<', '>>>', '<=>', '||', '&&', '^^', '<<', '>>', '//', '%%', '==', '!=', '<>', '<=', '>=', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', ':', '~', '!', '|', '&', '^', '<', '>', '=', '{', '}', '?']

/** Operators by their first character, longest first. */
const OPS_BY_FIRST = new Map<string, string[]>()
for (const o of OPS) OPS_BY_FIRST.set(o[0], [...(OPS_BY_FIRST.get(o[0]) ?? []), o])

function operatorAt(line: string, i: number): string | undefined {
  const candidates = OPS_BY_FIRST.get(line[i])
  if (!candidates) return undefined
  for (const o of candidates) if (o.length === 1 || line.startsWith(o, i)) return o
  return undefined
}

/** The common case of a number literal: plain decimal digits that fit a double exactly. */
function smallDecimal(text: string): bigint | undefined {
  if (text.length > 15) return undefined
  for (let k = 0; k < text.length; k++) if (!is(text, k, DIGIT)) return undefined
  return BigInt(Number(text))
}

/** Parses a NASM number literal, or returns undefined when `text` is not one. */
export function parseNumber(text: string): bigint | undefined {
  let s = text.replace(/_/g, '').toLowerCase()
  if (s === '') return undefined
  const radix = (digits: string, base: number): bigint | undefined => {
    if (digits === '') return undefined
    const valid = base === 16 ? /^[0-9a-f]+$/ : base === 10 ? /^[0-9]+$/ : base === 8 ? /^[0-7]+$/ : /^[01]+$/
    if (!valid.test(digits)) return undefined
    let v = 0n
    const b = BigInt(base)
    for (const ch of digits) v = v * b + BigInt(parseInt(ch, base))
    return v
  }
  if (s.startsWith('$')) return /^\$[0-9]/.test(s) ? radix(s.slice(1), 16) : undefined
  if (/^0[xh]/.test(s)) return radix(s.slice(2), 16)
  if (/^0[dt]/.test(s)) return radix(s.slice(2), 10)
  if (/^0[oq]/.test(s)) return radix(s.slice(2), 8)
  if (/^0[by]/.test(s)) return radix(s.slice(2), 2)
  if (!/^[0-9]/.test(s)) return undefined
  const last = s[s.length - 1]
  if (last === 'h' || last === 'x') return radix(s.slice(0, -1), 16)
  if (last === 'q' || last === 'o') return radix(s.slice(0, -1), 8)
  if (last === 'b' || last === 'y') return radix(s.slice(0, -1), 2)
  if (last === 'd' || last === 't') s = s.slice(0, -1)
  return radix(s, 10)
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '`': 96, '?': 63, '0': 0 }

function utf8(code: number): number[] {
  return [...new TextEncoder().encode(String.fromCodePoint(code))]
}

/** The bytes of a string literal body (`q` = its quote); backquotes process C escapes (manual 3.4.2). */
function stringBytes(body: string, q: string, col: number): number[] {
  const out: number[] = []
  if (q !== '`') {
    for (const b of new TextEncoder().encode(body)) out.push(b)
    return out
  }
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c !== '\\') {
      out.push(...utf8(body.codePointAt(i)!))
      if (body.codePointAt(i)! > 0xffff) i++
      continue
    }
    const e = body[++i]
    if (e === undefined) throw new LexError('backslash at the end of a string', col)
    if (e === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))
      if (!m) throw new LexError('`\\x` needs hex digits', col)
      out.push(parseInt(m[0], 16))
      i += m[0].length
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))!
      out.push(parseInt(m[0], 8) & 0xff)
      i += m[0].length - 1
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8
      const h = body.slice(i + 1, i + 1 + n)
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) throw new LexError(`\`\\${e}\` needs ${n} hex digits`, col)
      out.push(...utf8(parseInt(h, 16)))
      i += n
    } else if (e in ESCAPES) out.push(ESCAPES[e])
    else out.push(e.charCodeAt(0))
  }
  return out
}

/** Index of the `;` starting a comment in `line`, or -1 (quotes are skipped). */
export function commentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === ';') return i
    if (c === "'" || c === '"' || c === '`') {
      const end = closingQuote(line, i)
      if (end < 0) return -1
      i = end
    }
  }
  return -1
}

/** Index of the quote closing the string opened at `start`, or -1. */
export function closingQuote(line: string, start: number): number {
  const q = line[start]
  for (let i = start + 1; i < line.length; i++) {
    if (q === '`' && line[i] === '\\') {
      i++
      continue
    }
    if (line[i] === q) return i
  }
  return -1
}

/** Tokenizes one line (no comment). `col0` is the 1-based column of `line[0]`. */
export function tokenize(line: string, col0 = 1): Tok[] {
  const out: Tok[] = []
  let i = 0
  const n = line.length
  while (i < n) {
    const c = line[i]
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++
      continue
    }
    const col = col0 + i
    if (c === "'" || c === '"' || c === '`') {
      const end = closingQuote(line, i)
      if (end < 0) throw new LexError(`unterminated string`, col)
      const body = line.slice(i + 1, end)
      out.push({ t: 'str', bytes: stringBytes(body, c, col), q: c, col, text: line.slice(i, end + 1) })
      i = end + 1
      continue
    }
    if (is(line, i, DIGIT) || (c === '$' && is(line, i + 1, DIGIT))) {
      let j = i + 1
      while (j < n && is(line, j, NUM_CHAR)) {
        // An exponent sign belongs to a float: 1.5e-3, 0x1.8p-3.
        const sign = line[j + 1] === '+' || line[j + 1] === '-'
        const hexFloat = sign && (line[j] === 'p' || line[j] === 'P') && /^0x/i.test(line.slice(i, j))
        if (sign && (hexFloat || ((line[j] === 'e' || line[j] === 'E') && line.slice(i, j).includes('.')))) j += 2
        else j++
      }
      const text = line.slice(i, j)
      const v = smallDecimal(text) ?? parseNumber(text)
      if (v !== undefined) out.push({ t: 'num', v, col, text })
      else if (/^[0-9][0-9_]*\.[0-9_]*(e[+-]?[0-9]+)?$/i.test(text) || /^[0-9]+e[+-]?[0-9]+$/i.test(text) || HEX_FLOAT.test(text)) out.push({ t: 'float', text, col })
      else throw new LexError(`\`${text}\` is not a valid number`, col)
      i = j
      continue
    }
    if (c === '$') {
      if (line[i + 1] === '$') {
        out.push({ t: 'op', s: '$$', col })
        i += 2
        continue
      }
      if (is(line, i + 1, ID_START) || line[i + 1] === '$') {
        // `$name`: an identifier that would otherwise be a keyword (manual 3.1).
        let j = i + 1
        while (j < n && is(line, j, ID_CHAR)) j++
        out.push({ t: 'id', s: line.slice(i + 1, j), col })
        i = j
        continue
      }
      out.push({ t: 'op', s: '$', col })
      i++
      continue
    }
    if (is(line, i, ID_START) || (c === '%' && line[i + 1] === '%' && is(line, i + 2, ID_START))) {
      let j = c === '%' ? i + 2 : i + 1
      while (j < n && is(line, j, ID_CHAR)) j++
      // A lone `?` is an operator (the conditional `c ? a : b`, and `db ?`), not a name.
      out.push(j === i + 1 && c === '?' ? { t: 'op', s: '?', col } : { t: 'id', s: line.slice(i, j), col })
      i = j
      continue
    }
    const op = operatorAt(line, i)
    if (!op) throw new LexError(`unexpected character \`${c}\``, col)
    out.push({ t: 'op', s: op, col })
    i += op.length
  }
  return out
}
