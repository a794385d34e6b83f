/**
 * Expressions in GNU `as` syntax: numbers (decimal, 0x, 0b, leading-0 octal, 'c'), symbols,
 * `.`, numeric local labels (`1b`, `1f`), the operators of the GNU manual ("Infix Operators",
 * with its precedence: `* / % << >>` above `| & ^ !` above `+ - == != < > <= >=` above `&&`
 * above `||`), and RISC-V modifiers `%hi %lo %pcrel_hi %pcrel_lo`. Parsing produces a small
 * tree; evaluation is done later by the assembler, once symbols have offsets.
 */

export type Modifier = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo'
const MODIFIERS = new Set<string>(['hi', 'lo', 'pcrel_hi', 'pcrel_lo'])

export type Expr =
  | { k: 'num'; v: bigint }
  /**
   * `ref`: what the assembler resolved the name to, kept by the assembler that did (assembler.ts
   * eval), so an expression evaluated again (in layout passes, by the object writer) does not
   * look the name up again.
   */
  | { k: 'sym'; name: string; col: number; ref?: { owner: object; sym: object } }
  | { k: 'dot'; col: number }
  | { k: 'local'; n: string; dir: 'b' | 'f'; col: number }
  | { k: 'un'; op: string; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr; col: number }
  | { k: 'mod'; mod: Modifier; e: Expr; col: number }

export class ExprError extends Error {
  constructor(message: string, readonly col: number) {
    super(message)
  }
}

const SYM_START = /[A-Za-z_.$]/
const SYM_CHAR = /[A-Za-z0-9_.$]/

/** Binary operator precedence, GNU as manual ("Infix Operators"); higher binds tighter. */
const PREC: Record<string, number> = {
  '*': 5, '/': 5, '%': 5, '<<': 5, '>>': 5,
  '|': 4, '&': 4, '^': 4, '!': 4,
  '+': 3, '-': 3, '==': 3, '!=': 3, '<>': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  '&&': 2, '||': 1,
}
const BIN_OPS = ['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||', '*', '/', '%', '|', '&', '^', '!', '+', '-', '<', '>']

/** Maximum nesting of parentheses/unary operators: deeper input is an error, not a stack overflow. */
const MAX_DEPTH = 200

/** Parses `text` (columns reported relative to `col0`, 1-based) as one expression spanning it all. */
export function parseExpr(text: string, col0: number): Expr {
  const p = new Parser(text, col0)
  const e = p.expr(0)
  p.ws()
  if (p.i < text.length) throw new ExprError(`unexpected \`${text.slice(p.i, p.i + 10)}\` in expression`, col0 + p.i)
  return e
}

class Parser {
  i = 0
  depth = 0
  constructor(readonly s: string, readonly col0: number) {}

  ws(): void {
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t')) this.i++
  }

  expr(minPrec: number): Expr {
    if (++this.depth > MAX_DEPTH) throw new ExprError('expression nested too deeply', this.col0 + this.i)
    let l = this.unary()
    for (;;) {
      this.ws()
      const at = this.i
      const op = BIN_OPS.find((o) => this.s.startsWith(o, this.i))
      if (!op || PREC[op] < minPrec) break
      this.i += op.length
      const r = this.expr(PREC[op] + 1)
      l = { k: 'bin', op, l, r, col: this.col0 + at }
    }
    this.depth--
    return l
  }

  unary(): Expr {
    this.ws()
    const c = this.s[this.i]
    if (c === '-' || c === '~' || c === '!' || c === '+') {
      this.i++
      if (++this.depth > MAX_DEPTH) throw new ExprError('expression nested too deeply', this.col0 + this.i)
      const e = this.unary()
      this.depth--
      return c === '+' ? e : { k: 'un', op: c, e }
    }
    return this.primary()
  }

  primary(): Expr {
    this.ws()
    const s = this.s
    const start = this.i
    const col = this.col0 + start
    const c = s[start]
    if (c === undefined) throw new ExprError('missing expression', col)
    if (c === '(') {
      this.i++
      const e = this.expr(0)
      this.ws()
      if (s[this.i] !== ')') throw new ExprError('missing `)` in expression', this.col0 + this.i)
      this.i++
      return e
    }
    if (c === '%') {
      let j = start + 1
      while (j < s.length && /[a-z_]/.test(s[j])) j++
      const name = s.slice(start + 1, j)
      if (!MODIFIERS.has(name)) throw new ExprError(`unknown relocation modifier \`%${name}\``, col)
      this.i = j
      this.ws()
      if (s[this.i] !== '(') throw new ExprError(`\`%${name}\` needs a parenthesised operand`, this.col0 + this.i)
      this.i++
      const e = this.expr(0)
      this.ws()
      if (s[this.i] !== ')') throw new ExprError('missing `)` after relocation operand', this.col0 + this.i)
      this.i++
      return { k: 'mod', mod: name as Modifier, e, col }
    }
    if (c === "'") {
      // GNU: 'c is the character code; a closing quote is optional. Escapes as in strings.
      let j = start + 1
      let v: number
      if (s[j] === '\\') {
        const esc = s[j + 1]
        v = ({ n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 } as Record<string, number>)[esc] ?? (esc ? esc.charCodeAt(0) : 0)
        j += 2
      } else {
        if (j >= s.length) throw new ExprError('missing character after `\'`', col)
        v = s.charCodeAt(j)
        j++
      }
      if (s[j] === "'") j++
      this.i = j
      return { k: 'num', v: BigInt(v) }
    }
    if (c >= '0' && c <= '9') {
      let j = start
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j])) j++
      const word = s.slice(start, j)
      this.i = j
      const m = /^([0-9]+)([bf])$/.exec(word)
      if (m && !(word.startsWith('0b') && word.length > 2)) return { k: 'local', n: m[1], dir: m[2] as 'b' | 'f', col }
      let v: bigint
      try {
        if (/^0[xX][0-9a-fA-F]+$/.test(word)) v = BigInt(word)
        else if (/^0[bB][01]+$/.test(word)) v = BigInt(word)
        else if (/^0[0-7]+$/.test(word)) v = BigInt('0o' + word.slice(1))
        else if (/^[0-9]+$/.test(word)) v = BigInt(word)
        else throw new Error()
      } catch {
        throw new ExprError(`bad number \`${word}\``, col)
      }
      if (v >= 1n << 64n) throw new ExprError(`number \`${word}\` does not fit in 64 bits`, col)
      return { k: 'num', v: BigInt.asIntN(64, v) }
    }
    if (SYM_START.test(c)) {
      let j = start + 1
      while (j < s.length && SYM_CHAR.test(s[j])) j++
      const name = s.slice(start, j)
      this.i = j
      if (name === '.') return { k: 'dot', col }
      return { k: 'sym', name, col }
    }
    if (c === '"') {
      // A quoted symbol name, as GNU allows.
      const j = s.indexOf('"', start + 1)
      if (j < 0) throw new ExprError('unterminated quoted symbol', col)
      this.i = j + 1
      return { k: 'sym', name: s.slice(start + 1, j), col }
    }
    throw new ExprError(`unexpected \`${c}\` in expression`, col)
  }
}

/** True when the tree contains a relocation modifier anywhere (such operands are never compressed). */
export function hasModifier(e: Expr): boolean {
  switch (e.k) {
    case 'mod': return true
    case 'un': return hasModifier(e.e)
    case 'bin': return hasModifier(e.l) || hasModifier(e.r)
    default: return false
  }
}

/** Applies a constant binary operator with GNU semantics (64-bit, comparisons give -1/0). */
export function constBinary(op: string, a: bigint, b: bigint, col: number): bigint {
  const t = (x: boolean) => (x ? -1n : 0n)
  let r: bigint
  switch (op) {
    case '*': r = a * b; break
    case '/':
      if (b === 0n) throw new ExprError('division by zero', col)
      r = a / b
      break
    case '%':
      if (b === 0n) throw new ExprError('division by zero', col)
      r = a % b
      break
    case '<<': r = b >= 64n || b < 0n ? 0n : a << b; break
    case '>>': r = b >= 64n || b < 0n ? 0n : BigInt.asUintN(64, a) >> b; break // GNU shifts unsigned
    case '|': r = a | b; break
    case '&': r = a & b; break
    case '^': r = a ^ b; break
    case '!': r = a | ~b; break
    case '+': r = a + b; break
    case '-': r = a - b; break
    case '==': r = t(a === b); break
    case '!=': case '<>': r = t(a !== b); break
    case '<': r = t(a < b); break
    case '>': r = t(a > b); break
    case '<=': r = t(a <= b); break
    case '>=': r = t(a >= b); break
    case '&&': r = a !== 0n && b !== 0n ? 1n : 0n; break
    case '||': r = a !== 0n || b !== 0n ? 1n : 0n; break
    default: throw new ExprError(`unknown operator \`${op}\``, col)
  }
  return BigInt.asIntN(64, r)
}
