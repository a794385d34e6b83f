/**
 * Tokenizer for GNU ld scripts. The language has two lexical modes, like ld's own lexer: in an
 * expression `a-b` is three tokens and `*` multiplies, while in a section or file pattern
 * `*(.text.*)` and `*crtbegin?.o` are names. The parser says which mode it wants at each point,
 * so tokens are produced on demand from a position rather than all up front.
 */
import type { SourceLoc } from '../../../shared/api/result'

export interface Token {
  /** '' at end of input. Strings keep their quotes stripped and `str` set. */
  text: string
  str?: boolean
  start: number
  end: number
}

/**
 * Thrown inside the parser and caught at its boundary (never reaches a user). Not an Error
 * subclass on purpose: a stack trace per syntax error made parsing as-you-type 3× slower.
 */
export class ScriptSyntaxError {
  constructor(readonly message: string, readonly loc: SourceLoc, readonly hint?: string) {}
}

const OPERATORS = ['<<=', '>>=', '+=', '-=', '*=', '/=', '&=', '|=', '<<', '>>', '==', '!=', '<=', '>=', '&&', '||',
  '(', ')', '{', '}', ',', ';', ':', '?', '!', '~', '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', '=']

/** Operators by first character, longest first. */
const OPERATORS_BY_CHAR = new Map<string, string[]>()
for (const op of OPERATORS) {
  const list = OPERATORS_BY_CHAR.get(op[0]) ?? []
  list.push(op)
  OPERATORS_BY_CHAR.set(op[0], list)
}

/** Character classes as bit masks over ASCII, for a lexer that runs on every keystroke. */
const NAME_START = 1
const NAME_CHAR = 2
const PATTERN = 4
const DIGIT = 8
const SPACE = 16
const CLASS = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z_.$]/.test(ch)) CLASS[c] |= NAME_START
  if (/[A-Za-z0-9_.$]/.test(ch)) CLASS[c] |= NAME_CHAR
  // Characters of a name in pattern mode: file and section names with wildcards.
  if (/[A-Za-z0-9_.$/\\~*?[\]\-+!^@#]/.test(ch)) CLASS[c] |= PATTERN
  if (/[0-9]/.test(ch)) CLASS[c] |= DIGIT
  if (/\s/.test(ch)) CLASS[c] |= SPACE
}
const is = (code: number, cls: number) => code < 128 && (CLASS[code] & cls) !== 0

export class Lexer {
  pos = 0
  private lineStarts: number[] = [0]

  constructor(readonly text: string, readonly file: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1)
  }

  loc(offset: number): SourceLoc {
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.lineStarts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return { file: this.file, line: lo + 1, column: offset - this.lineStarts[lo] + 1 }
  }

  /** Skips blanks and C comments from `p`; returns the next significant offset. */
  private skip(p: number): number {
    const t = this.text
    for (;;) {
      while (p < t.length && (is(t.charCodeAt(p), SPACE) || t.charCodeAt(p) === 0xa0)) p++
      if (t.startsWith('/*', p)) {
        const end = t.indexOf('*/', p + 2)
        if (end < 0) throw new ScriptSyntaxError('unterminated comment', this.loc(p), 'close the comment with */')
        p = end + 2
        continue
      }
      // `//` is not an ld comment, but `#` lines are accepted by ld only in some contexts; we do not.
      return p
    }
  }

  peek(mode: 'expr' | 'pattern' = 'expr'): Token {
    return this.scan(this.pos, mode)
  }

  next(mode: 'expr' | 'pattern' = 'expr'): Token {
    const tok = this.scan(this.pos, mode)
    this.pos = tok.end
    return tok
  }

  atEnd(): boolean {
    return this.skip(this.pos) >= this.text.length
  }

  private memoFrom = -1
  private memoMode = ''
  private memoTok: Token = { text: '', start: 0, end: 0 }

  scan(from: number, mode: 'expr' | 'pattern'): Token {
    // The parser peeks before it consumes: remember the last scan.
    if (from === this.memoFrom && mode === this.memoMode) return this.memoTok
    const tok = this.scanUncached(from, mode)
    this.memoFrom = from
    this.memoMode = mode
    this.memoTok = tok
    return tok
  }

  private scanUncached(from: number, mode: 'expr' | 'pattern'): Token {
    const t = this.text
    const p = this.skip(from)
    if (p >= t.length) return { text: '', start: p, end: p }
    const c = t[p]
    if (c === '"') {
      const end = t.indexOf('"', p + 1)
      if (end < 0) throw new ScriptSyntaxError('unterminated string', this.loc(p), 'close the string with "')
      return { text: t.slice(p + 1, end), str: true, start: p, end: end + 1 }
    }
    const code = t.charCodeAt(p)
    if (mode === 'pattern' && is(code, PATTERN)) {
      let e = p
      while (e < t.length && is(t.charCodeAt(e), PATTERN)) {
        if (t.startsWith('/*', e)) break
        e++
      }
      return { text: t.slice(p, e), start: p, end: e }
    }
    if (is(code, DIGIT)) {
      let e = p
      while (e < t.length && is(t.charCodeAt(e), NAME_CHAR) && t[e] !== '.' && t[e] !== '$') e++
      return { text: t.slice(p, e), start: p, end: e }
    }
    if (is(code, NAME_START)) {
      let e = p + 1
      while (e < t.length && is(t.charCodeAt(e), NAME_CHAR)) e++
      // `/DISCARD/` and similar names with slashes are only meaningful in pattern mode.
      return { text: t.slice(p, e), start: p, end: e }
    }
    for (const op of OPERATORS_BY_CHAR.get(c) ?? []) {
      if (t.startsWith(op, p)) return { text: op, start: p, end: p + op.length }
    }
    throw new ScriptSyntaxError(`unexpected character '${c}'`, this.loc(p), 'linker scripts use C comments (/* */), names, numbers and operators')
  }
}
