/**
 * NASM operands (NASM manual 3.2 "Pseudo-Instructions", 3.3 "Effective Addresses", 3.7
 * "STRICT"): registers, immediates with size and `strict`/`short`/`near`, memory operands
 * `size [seg:base+index*scale+disp]` with `rel`/`abs`/`nosplit` and displacement sizes, and far
 * pointers `seg:offset`. Addresses are split here into register terms and a displacement
 * expression; the displacement is evaluated in every pass. nasm's address normalisation
 * (`[eax*2]` → `[eax+eax]`, esp never an index) happens in `normaliseAddress`.
 */
import { x86Register, type MemSize, type X86Register } from '../../../../shared/isa/x86'
import { ExprError, evalNExpr, parseNExpr, type NExpr } from './expr'
import type { Tok } from './lexer'

export const SIZE_KEYWORDS = new Map<string, MemSize | 256 | 512>([['byte', 8], ['word', 16], ['dword', 32], ['qword', 64], ['tword', 80], ['oword', 128], ['yword', 256], ['zword', 512]])

export type NOperand =
  | { kind: 'reg'; reg: X86Register; col: number }
  | { kind: 'imm'; expr: NExpr; size?: 8 | 16 | 32 | 64; strict?: boolean; jump?: 'short' | 'near'; wrt?: string; col: number }
  | { kind: 'mem'; size?: MemSize; far?: boolean; seg?: X86Register; base?: X86Register; index?: X86Register; scale: 1 | 2 | 4 | 8; disp?: NExpr; dispSize?: 8 | 16 | 32 | 64; rel?: boolean; nosplit?: boolean; wrt?: string; col: number }
  | { kind: 'far'; selector: NExpr; offset: NExpr; size?: 16 | 32 | 64; col: number }

const lower = (t: Tok | undefined): string | undefined => (t && t.t === 'id' ? t.s.toLowerCase() : undefined)

/** Splits the tokens of an operand list at top-level commas. */
export function splitOperands(toks: readonly Tok[], from: number): Tok[][] {
  const out: Tok[][] = []
  let cur: Tok[] = []
  let depth = 0
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]
    if (t.t === 'op' && (t.s === '[' || t.s === '(')) depth++
    if (t.t === 'op' && (t.s === ']' || t.s === ')')) depth--
    if (t.t === 'op' && t.s === ',' && depth === 0) {
      out.push(cur)
      cur = []
      continue
    }
    cur.push(t)
  }
  if (cur.length || out.length) out.push(cur)
  return out
}

/** Parses one operand's tokens. `name` prefixes local labels. */
export function parseOperand(toks: Tok[], name: (s: string) => string, col: number): NOperand {
  if (toks.length === 0) throw new ExprError('missing operand', col)
  let i = 0
  let size: number | undefined
  let strict = false
  let jump: 'short' | 'near' | undefined
  let far = false
  for (;;) {
    const w = lower(toks[i])
    if (w === undefined) break
    const sized = SIZE_KEYWORDS.get(w)
    if (sized !== undefined && i + 1 < toks.length) size = sized
    else if (w === 'strict') strict = true
    else if (w === 'short') jump = 'short'
    else if (w === 'near') jump = 'near'
    else if (w === 'far') far = true
    else if (w === 'to') {
      /* x87 `fadd to st1`: the `to` form is the st(i),st0 row, handled by the caller */
    } else break
    i++
  }
  const first = toks[i]
  if (!first) throw new ExprError('operand has only a size', col)
  const c0 = toks[0].col
  // Memory operand: optional segment prefix outside the brackets (`fs:[x]`) or inside.
  let seg: X86Register | undefined
  if (first.t === 'id' && toks[i + 1]?.t === 'op' && (toks[i + 1] as { s: string }).s === ':' && isSeg(first.s) && toks[i + 2]?.t === 'op' && (toks[i + 2] as { s: string }).s === '[') {
    seg = x86Register(first.s)
    i += 2
  }
  const t = toks[i]
  if (t.t === 'op' && t.s === '[') {
    const close = toks.length - 1
    const last = toks[close]
    if (last.t !== 'op' || last.s !== ']') throw new ExprError('missing `]`', last.col)
    if (size === 256 || size === 512) throw new ExprError('yword/zword operands are not supported', c0)
    return parseMemory(toks.slice(i + 1, close), name, { size: size as MemSize | undefined, far, seg, col: c0 })
  }
  // Register.
  if (t.t === 'id' && i === toks.length - 1) {
    const reg = x86Register(t.s)
    if (reg) {
      if (size !== undefined) throw new ExprError(`a size cannot be given to register \`${t.s}\``, c0)
      return { kind: 'reg', reg, col: c0 }
    }
    // nasm also spells x87 registers st(0).
  }
  if (t.t === 'id' && t.s.toLowerCase() === 'st' && toks.length === i + 4) {
    const n = toks[i + 2]
    if (n.t === 'num' && n.v < 8n) return { kind: 'reg', reg: x86Register(`st${n.v}`)!, col: c0 }
  }
  // Far pointer `seg:offset`, or an immediate `expr [wrt ..x]`.
  let colon = -1
  let depth = 0
  for (let k = i; k < toks.length; k++) {
    const u = toks[k]
    if (u.t === 'op' && u.s === '(') depth++
    if (u.t === 'op' && u.s === ')') depth--
    if (u.t === 'op' && u.s === ':' && depth === 0) {
      colon = k
      break
    }
  }
  if (colon >= 0) {
    const selector = parseNExpr(toks, i, colon, name)
    const offset = parseNExpr(toks, colon + 1, toks.length, name)
    return { kind: 'far', selector, offset, size: size as 16, col: c0 }
  }
  const { expr, wrt } = exprWithWrt(toks, i, toks.length, name)
  if (size === 80 || size === 128 || (size !== undefined && size > 64)) throw new ExprError('an immediate can be byte, word, dword or qword', c0)
  return { kind: 'imm', expr, size: size as 8, strict: strict || undefined, jump, wrt, col: c0 }
}

function exprWithWrt(toks: Tok[], from: number, to: number, name: (s: string) => string): { expr: NExpr; wrt?: string } {
  for (let k = from; k < to; k++) {
    if (lower(toks[k]) === 'wrt') {
      const w = toks[k + 1]
      if (!w || w.t !== 'id' || k + 2 !== to) throw new ExprError('`wrt` needs `..plt`, `..got`, `..gotpcrel`, `..gotoff` or `..sym`', toks[k].col)
      return { expr: parseNExpr(toks, from, k, name), wrt: w.s.toLowerCase() }
    }
  }
  return { expr: parseNExpr(toks, from, to, name) }
}

const isSeg = (s: string): boolean => ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].includes(s.toLowerCase())

interface Term {
  reg?: X86Register
  scale: bigint
  expr?: NExpr
  neg?: boolean
}

function parseMemory(toks: Tok[], name: (s: string) => string, outer: { size?: MemSize; far: boolean; seg?: X86Register; col: number }): NOperand {
  let i = 0
  let rel: boolean | undefined
  let nosplit = false
  let dispSize: 8 | 16 | 32 | 64 | undefined
  let seg = outer.seg
  for (;;) {
    const w = lower(toks[i])
    if (w === 'rel') rel = true
    else if (w === 'abs') rel = false
    else if (w === 'nosplit') nosplit = true
    else if (w === 'byte') dispSize = 8
    else if (w === 'word') dispSize = 16
    else if (w === 'dword') dispSize = 32
    else if (w === 'qword') dispSize = 64
    else if (w !== undefined && isSeg(w) && toks[i + 1]?.t === 'op' && (toks[i + 1] as { s: string }).s === ':') {
      seg = x86Register(w)
      i++
    } else break
    i++
  }
  if (i >= toks.length) throw new ExprError('empty address `[]`', outer.col)
  const { expr, wrt } = exprWithWrt(toks, i, toks.length, name)
  const terms: Term[] = []
  collect(expr, 1n, terms)
  const regs = terms.filter((x) => x.reg)
  const dispTerms = terms.filter((x) => !x.reg)
  let disp: NExpr | undefined
  for (const d of dispTerms) {
    const e = d.neg ? ({ k: 'un', op: '-', e: d.expr!, col: outer.col } as NExpr) : d.expr!
    disp = disp ? { k: 'bin', op: '+', l: disp, r: e, col: outer.col } : e
  }
  // Merge repeated registers (`[eax+eax*2]` keeps two terms; `[eax*2+eax*1]` is eax*3).
  let base: X86Register | undefined
  let index: X86Register | undefined
  let scale: bigint = 1n
  const merged = new Map<string, { reg: X86Register; scale: bigint; order: number }>()
  regs.forEach((r, k) => {
    const m = merged.get(r.reg!.name)
    if (m) m.scale += r.scale
    else merged.set(r.reg!.name, { reg: r.reg!, scale: r.scale, order: k })
  })
  const list = [...merged.values()].filter((m) => m.scale !== 0n)
  if (list.length > 2) throw new ExprError('an address has at most a base and an index register', outer.col)
  // nasm: the first unscaled register is the base, a scaled one the index.
  const scaled = list.filter((m) => m.scale !== 1n)
  if (scaled.length > 1) throw new ExprError('only one register of an address can be scaled', outer.col)
  if (scaled.length === 1) {
    index = scaled[0].reg
    scale = scaled[0].scale
    base = list.find((m) => m !== scaled[0])?.reg
  } else if (list.length === 2) {
    base = list[0].reg
    index = list[1].reg
  } else if (list.length === 1) {
    // `[eax*1]` keeps the index position (normaliseAddress makes it the base unless `nosplit`).
    if (hasExplicitScale(expr)) index = list[0].reg
    else base = list[0].reg
  }
  if (index && scale < 0n) throw new ExprError('a register cannot be subtracted in an address', outer.col)
  if (![1n, 2n, 3n, 4n, 5n, 8n, 9n].includes(scale)) throw new ExprError(`scale ${scale} is not 1, 2, 4 or 8`, outer.col)
  for (const r of [base, index]) if (r && r.cls !== 'gpr' && r.cls !== 'ip') throw new ExprError(`\`${r.name}\` cannot be used in an address`, outer.col)
  return { kind: 'mem', size: outer.size, far: outer.far || undefined, seg, base, index, scale: Number(scale) as 1, disp, dispSize, rel, nosplit: nosplit || undefined, wrt, col: outer.col }
}

function hasExplicitScale(e: NExpr): boolean {
  if (e.k === 'bin' && e.op === '*') return true
  if (e.k === 'bin' && (e.op === '+' || e.op === '-')) return hasExplicitScale(e.l) || hasExplicitScale(e.r)
  return false
}

const constEval = (e: NExpr): bigint =>
  evalNExpr(e, {
    symbol: (n, c) => {
      throw new ExprError(`scale \`${n}\` must be a constant number`, c)
    },
    here: () => ({ n: 0n }),
    base: () => ({ n: 0n }),
  }).n

function containsReg(e: NExpr): boolean {
  switch (e.k) {
    case 'sym': return x86Register(e.name) !== undefined
    case 'un': return containsReg(e.e)
    case 'bin': return containsReg(e.l) || containsReg(e.r)
    case 'cond': return containsReg(e.c) || containsReg(e.a) || containsReg(e.b)
    default: return false
  }
}

/** Flattens an address expression into register terms (with scales) and displacement terms. */
function collect(e: NExpr, sign: bigint, out: Term[]): void {
  if (!containsReg(e)) {
    out.push({ scale: 0n, expr: e, neg: sign < 0n })
    return
  }
  if (e.k === 'sym') {
    out.push({ reg: x86Register(e.name), scale: sign })
    return
  }
  if (e.k === 'bin' && (e.op === '+' || e.op === '-')) {
    collect(e.l, sign, out)
    collect(e.r, e.op === '-' ? -sign : sign, out)
    return
  }
  if (e.k === 'un' && (e.op === '+' || e.op === '-')) {
    collect(e.e, e.op === '-' ? -sign : sign, out)
    return
  }
  if (e.k === 'bin' && e.op === '*') {
    const [r, k] = containsReg(e.l) ? [e.l, e.r] : [e.r, e.l]
    if (containsReg(k)) throw new ExprError('registers cannot be multiplied together', e.col)
    const n = constEval(k)
    const inner: Term[] = []
    collect(r, 1n, inner)
    for (const t of inner) {
      if (!t.reg) throw new ExprError('a scale can only multiply registers', e.col)
      out.push({ reg: t.reg, scale: t.scale * n * sign })
    }
    return
  }
  throw new ExprError('registers can only be added, subtracted or scaled in an address', 'col' in e ? (e as { col: number }).col : 1)
}

/**
 * nasm's effective-address choices (NASM manual 3.3): `[eax*1]` is `[eax]`, `[eax*2]` is
 * `[eax+eax]` and `[eax*3/5/9]` `[eax+eax*2/4/8]` unless `nosplit`; esp cannot be an index, so
 * `[eax+esp]` swaps them; `[ebp*1]`-style single registers become the base.
 */
export function normaliseAddress(m: { base?: X86Register; index?: X86Register; scale: number; nosplit?: boolean }): { base?: X86Register; index?: X86Register; scale: 1 | 2 | 4 | 8 } {
  let { base, index, scale } = m
  if (index && !base) {
    if (scale === 1 && !m.nosplit) return { base: index, scale: 1 }
    if (scale === 3 || scale === 5 || scale === 9 || (scale === 2 && !m.nosplit)) {
      base = index
      scale = scale === 2 ? 1 : scale - 1
    }
  } else if (index && base && (scale === 3 || scale === 5 || scale === 9)) throw new Error(`scale ${scale} needs a register without a base`)
  if (index && base && scale === 1 && (index.num === 4 && index.cls === 'gpr') && !(base.num === 4)) [base, index] = [index, base]
  return { base, index, scale: scale as 1 }
}
