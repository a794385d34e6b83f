/**
 * NASM expressions (NASM manual 3.5 "Expressions"): the operators and their precedence —
 * `?:` below `||` below `^^` below `&&` below comparisons (`= == != <> < <= > >= <=>`) below
 * `|` below `^` below `&` below shifts (`<< >> <<< >>>`) below `+ -` below `* / // % %%` below
 * the unary `- + ~ ! seg` — `$` (this line), `$$` (this section's start), symbols, numbers and
 * character constants. Parsed once into a tree; evaluated in every pass with the symbol values
 * that pass knows.
 */
import { LexError, type Tok } from './lexer'

export type NExpr =
  | { k: 'num'; v: bigint }
  | { k: 'float'; text: string; col: number }
  | { k: 'sym'; name: string; col: number }
  | { k: 'here'; col: number }
  | { k: 'base'; col: number }
  | { k: 'un'; op: string; e: NExpr; col: number }
  | { k: 'bin'; op: string; l: NExpr; r: NExpr; col: number }
  | { k: 'cond'; c: NExpr; a: NExpr; b: NExpr }

/** A value: a number, possibly relative to a section start or to an external symbol. */
export interface NVal {
  n: bigint
  /** Section index when the value is an address in that section. */
  sec?: number
  /** External (or common) symbol the value is relative to. */
  ext?: string
  /** The value is exactly this label plus `n - label offset` (relocations against global labels use the symbol). */
  label?: string
  /** A symbol was not known yet (earlier pass): the value is a guess. */
  unknown?: boolean
  /**
   * `target - $`, `target - here`: an address of this section (`sub`, its offset already taken
   * from `n`) is subtracted from one of another section or an external symbol. Only data can
   * hold it, as a PC-relative relocation (R_386_PC32, R_X86_64_PC32/PC64…).
   */
  sub?: number
}

export class ExprError extends Error {
  constructor(message: string, readonly col: number, readonly hint?: string) {
    super(message)
  }
}

const MAX_DEPTH = 200

/** Binary precedence levels, lowest first. */
const LEVELS: readonly (readonly string[])[] = [
  ['||'], ['^^'], ['&&'], ['=', '==', '!=', '<>', '<', '<=', '>', '>=', '<=>'], ['|'], ['^'], ['&'], ['<<', '>>', '<<<', '>>>'], ['+', '-'], ['*', '/', '//', '%', '%%'],
]

/** Parses tokens[from..to) as one expression; symbol names go through `name` (local-label prefixing). */
export function parseNExpr(toks: readonly Tok[], from = 0, to = toks.length, name: (s: string) => string = (s) => s): NExpr {
  let i = from
  let depth = 0
  const peek = (): Tok | undefined => (i < to ? toks[i] : undefined)
  const isOp = (s: string): boolean => {
    const t = peek()
    return t !== undefined && t.t === 'op' && t.s === s
  }
  const colNow = (): number => peek()?.col ?? (toks[to - 1]?.col ?? 1)

  function cond(): NExpr {
    if (++depth > MAX_DEPTH) throw new ExprError('expression nested too deeply', colNow())
    const c = level(0)
    if (isOp('?')) {
      i++
      const a = cond()
      if (!isOp(':')) throw new ExprError('expected `:` in `?:`', colNow())
      i++
      const b = cond()
      depth--
      return { k: 'cond', c, a, b }
    }
    depth--
    return c
  }

  function level(n: number): NExpr {
    if (n === LEVELS.length) return unary()
    let l = level(n + 1)
    for (;;) {
      const t = peek()
      if (!t || t.t !== 'op' || !LEVELS[n].includes(t.s)) return l
      i++
      const r = level(n + 1)
      l = { k: 'bin', op: t.s, l, r, col: t.col }
    }
  }

  function unary(): NExpr {
    const t = peek()
    if (!t) throw new ExprError('expected an expression', colNow())
    if (t.t === 'op' && (t.s === '-' || t.s === '+' || t.s === '~' || t.s === '!')) {
      i++
      if (++depth > MAX_DEPTH) throw new ExprError('expression nested too deeply', t.col)
      const e = unary()
      depth--
      return { k: 'un', op: t.s, e, col: t.col }
    }
    if (t.t === 'id' && t.s.toLowerCase() === 'seg') {
      i++
      return { k: 'un', op: 'seg', e: unary(), col: t.col }
    }
    return primary()
  }

  function primary(): NExpr {
    const t = peek()!
    i++
    switch (t.t) {
      case 'num': return { k: 'num', v: t.v }
      case 'float': return { k: 'float', text: t.text, col: t.col }
      case 'str': {
        if (t.bytes.length > 8) throw new ExprError('character constant longer than 8 bytes', t.col)
        let v = 0n
        t.bytes.forEach((b, k) => (v |= BigInt(b) << BigInt(8 * k)))
        return { k: 'num', v }
      }
      case 'id': return { k: 'sym', name: name(t.s), col: t.col }
      case 'op':
        if (t.s === '$') return { k: 'here', col: t.col }
        if (t.s === '$$') return { k: 'base', col: t.col }
        if (t.s === '(') {
          const e = cond()
          if (!isOp(')')) throw new ExprError('missing `)`', colNow())
          i++
          return e
        }
    }
    throw new ExprError(`unexpected \`${(t as { s?: string }).s ?? ''}\` in expression`, (t as Tok).col)
  }

  const e = cond()
  if (i < to) {
    const t = toks[i]
    throw new ExprError(`unexpected \`${t.t === 'op' || t.t === 'id' ? t.s : t.t === 'num' ? t.text : t.t === 'str' ? t.text : t.text}\` after expression`, t.col)
  }
  return e
}

export interface EvalContext {
  /** The value of a symbol (label, equ, extern); unknown symbols give `{ n: 0n, unknown: true }` or throw. */
  symbol(name: string, col: number): NVal
  here(): NVal
  base(): NVal
}

const abs = (v: NVal): boolean => v.sec === undefined && v.ext === undefined
const num = (n: bigint, unknown?: boolean): NVal => (unknown ? { n, unknown } : { n })

/** Evaluates to a value; relocatable operands are allowed where NASM allows them (`+`, `-`). */
export function evalNExpr(e: NExpr, ctx: EvalContext): NVal {
  switch (e.k) {
    case 'num': return { n: e.v }
    case 'float': throw new ExprError('floating-point constant in an integer expression', e.col)
    case 'sym': return ctx.symbol(e.name, e.col)
    case 'here': return ctx.here()
    case 'base': return ctx.base()
    case 'cond': {
      const c = evalNExpr(e.c, ctx)
      return c.n !== 0n ? evalNExpr(e.a, ctx) : evalNExpr(e.b, ctx)
    }
    case 'un': {
      const v = evalNExpr(e.e, ctx)
      if (e.op === '+') return v
      if (e.op === 'seg') throw new ExprError('`seg` is not supported in ELF output', e.col)
      if (!abs(v)) throw new ExprError(`\`${e.op}\` of an address is not a constant`, e.col, 'NASM can only add or subtract constants to addresses')
      if (e.op === '-') return num(-v.n, v.unknown)
      if (e.op === '~') return num(~v.n, v.unknown)
      return num(v.n === 0n ? 1n : 0n, v.unknown)
    }
    case 'bin': return binary(e, evalNExpr(e.l, ctx), evalNExpr(e.r, ctx))
  }
}

function binary(e: NExpr & { k: 'bin' }, l: NVal, r: NVal): NVal {
  const unknown = l.unknown || r.unknown
  if (e.op === '+') {
    if (!abs(l) && !abs(r)) {
      if (unknown) return { ...l, n: l.n + r.n, unknown }
      throw new ExprError('cannot add two addresses', e.col)
    }
    const rel = abs(l) ? r : l
    return { ...rel, n: l.n + r.n, label: undefined, unknown, ...(rel.label && l.n + r.n === rel.n ? { label: rel.label } : {}) }
  }
  if (e.op === '-') {
    if (abs(r)) return { ...l, n: l.n - r.n, label: undefined, unknown }
    if (l.sec !== undefined && l.sec === r.sec && !l.ext && !r.ext) return num(l.n - r.n, unknown)
    if (unknown) return num(l.n - r.n, unknown)
    if (r.sec !== undefined && !r.ext && l.sub === undefined && r.sub === undefined) return { ...l, n: l.n - r.n, label: undefined, sub: r.sec }
    throw new ExprError('the difference of addresses in different sections (or of external symbols) is not a constant', e.col)
  }
  if (!abs(l) || !abs(r)) {
    if (unknown) return num(0n, true)
    throw new ExprError(`\`${e.op}\` of an address is not a constant`, e.col, 'NASM can only add or subtract constants to addresses')
  }
  const a = l.n
  const b = r.n
  const bool = (x: boolean): NVal => num(x ? 1n : 0n, unknown)
  const u64 = (x: bigint): bigint => BigInt.asUintN(64, x)
  switch (e.op) {
    case '*': return num(a * b, unknown)
    case '/': case '//': case '%': case '%%': {
      if (b === 0n) {
        if (unknown) return num(0n, true)
        throw new ExprError('division by zero', e.col)
      }
      // `/` and `%` are unsigned, `//` and `%%` signed (manual 3.5.6).
      const signed = e.op === '//' || e.op === '%%'
      const x = signed ? BigInt.asIntN(64, a) : u64(a)
      const y = signed ? BigInt.asIntN(64, b) : u64(b)
      return num(e.op.startsWith('/') ? x / y : x % y, unknown)
    }
    case '<<': case '<<<': return num(BigInt.asIntN(64, a << (b & 63n)), unknown)
    case '>>': return num(u64(a) >> (b & 63n), unknown)
    case '>>>': return num(BigInt.asIntN(64, a) >> (b & 63n), unknown)
    case '&': return num(a & b, unknown)
    case '|': return num(a | b, unknown)
    case '^': return num(a ^ b, unknown)
    case '&&': return bool(a !== 0n && b !== 0n)
    case '||': return bool(a !== 0n || b !== 0n)
    case '^^': return bool((a !== 0n) !== (b !== 0n))
    case '=': case '==': return bool(a === b)
    case '!=': case '<>': return bool(a !== b)
    case '<': return bool(BigInt.asIntN(64, a) < BigInt.asIntN(64, b))
    case '<=': return bool(BigInt.asIntN(64, a) <= BigInt.asIntN(64, b))
    case '>': return bool(BigInt.asIntN(64, a) > BigInt.asIntN(64, b))
    case '>=': return bool(BigInt.asIntN(64, a) >= BigInt.asIntN(64, b))
    case '<=>': return num(a < b ? -1n : a > b ? 1n : 0n, unknown)
  }
  throw new ExprError(`unknown operator \`${e.op}\``, e.col)
}

export { LexError }
