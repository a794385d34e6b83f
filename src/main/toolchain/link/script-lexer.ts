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

export class ScriptSyntaxError extends Error {
  constructor(message: string, readonly loc: SourceLoc, readonly hint?: string) {
    super(message)
  }
}

const OPERATORS = ['<<=', '>>=', '+=', '-=', '*=', '/=', '&=', '|=', '<<', '>>', '==', '!=', '<=', '>=', '&&', '||',
  '(', ')', '{', '}', ',', ';', ':', '?', '!', '~', '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', '=']

const EXPR_NAME_START = /[A-Za-z_.$]/
const EXPR_NAME = /[A-Za-z0-9_.$]/
/** Characters of a name in pattern mode: file and section names with wildcards. */
const PATTERN_CHAR = /[A-Za-z0-9_.$/\\~*?[\]\-+!^@#]/

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
      while (p < t.length && /\s/.test(t[p])) p++
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

  scan(from: number, mode: 'expr' | 'pattern'): Token {
    const t = this.text
    const p = this.skip(from)
    if (p >= t.length) return { text: '', start: p, end: p }
    const c = t[p]
    if (c === '"') {
      const end = t.indexOf('"', p + 1)
      if (end < 0) throw new ScriptSyntaxError('unterminated string', this.loc(p), 'close the string with "')
      return { text: t.slice(p + 1, end), str: true, start: p, end: end + 1 }
    }
    if (mode === 'pattern' && PATTERN_CHAR.test(c)) {
      let e = p
      while (e < t.length && PATTERN_CHAR.test(t[e])) {
        if (t.startsWith('/*', e)) break
        e++
      }
      return { text: t.slice(p, e), start: p, end: e }
    }
    if (/[0-9]/.test(c)) {
      let e = p
      while (e < t.length && /[0-9A-Za-z_]/.test(t[e])) e++
      return { text: t.slice(p, e), start: p, end: e }
    }
    if (EXPR_NAME_START.test(c)) {
      let e = p + 1
      while (e < t.length && EXPR_NAME.test(t[e])) e++
      // `/DISCARD/` and similar names with slashes are only meaningful in pattern mode.
      return { text: t.slice(p, e), start: p, end: e }
    }
    for (const op of OPERATORS) {
      if (t.startsWith(op, p)) return { text: op, start: p, end: p + op.length }
    }
    throw new ScriptSyntaxError(`unexpected character '${c}'`, this.loc(p), 'linker scripts use C comments (/* */), names, numbers and operators')
  }
}
