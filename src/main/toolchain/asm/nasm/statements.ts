/**
 * NASM source lines → statements (NASM manual 3.1 "Layout of a NASM Source Line": `label:
 * instruction operands ; comment`): labels (with or without a colon; `.x` local labels
 * prefixed with the last non-local label), `equ`, `times`, data (`db`…`dz`, `resb`…`resz`),
 * `incbin`, instructions with prefixes, and the directives (with or without brackets:
 * `bits 32` / `[bits 32]`). Parsing happens once; the passes only evaluate.
 */
import { NASM_DIRECTIVES } from '../../../../shared/asm/nasm-vocabulary'
import { x86Register, x86RowsByMnemonic, type X86Prefix } from '../../../../shared/isa/x86'
import { ExprError, parseNExpr, type NExpr } from './expr'
import { FLOAT_SPECIALS } from './floats'
import { LexError, tokenize, type Tok } from './lexer'
import { parseOperand, splitOperands, type NOperand } from './operands'

export type DataItem = { k: 'expr'; e: NExpr; col: number; wrt?: string } | { k: 'str'; bytes: number[] } | { k: 'float'; text: string; neg: boolean; col: number } | { k: 'undef' }

export type Stmt =
  | { k: 'insn'; mnemonic: string; prefixes: X86Prefix[]; operands: NOperand[]; col: number; memo?: object }
  | { k: 'data'; width: number; items: DataItem[]; col: number }
  | { k: 'res'; width: number; count: NExpr; col: number }
  | { k: 'times'; count: NExpr; stmt: Stmt; col: number }
  | { k: 'equ'; e: NExpr; col: number }
  | { k: 'incbin'; file: string; skip?: NExpr; len?: NExpr; col: number }
  | { k: 'dir'; name: string; args: string; toks: Tok[]; col: number }
  | { k: 'align'; n: NExpr; fill?: Stmt; b: boolean; col: number }
  | { k: 'struc'; name: string; base?: NExpr; col: number }
  | { k: 'endstruc'; name: string; col: number }
  | { k: 'istruc'; name: string; label?: string; col: number }
  | { k: 'at'; name: string; field: NExpr; stmt?: Stmt; col: number }
  | { k: 'iend'; name: string; col: number }

export interface Line {
  label?: { name: string; col: number }
  stmt?: Stmt
  file: string
  line: number
}

/** (Maps, not object literals: `w in {…}` would take `constructor` or `toString` for a keyword.) */
export const DATA_WIDTH = new Map(Object.entries({ db: 1, dw: 2, dd: 4, dq: 8, dt: 10, do: 16, dy: 32, dz: 64 }))
export const RES_WIDTH = new Map(Object.entries({ resb: 1, resw: 2, resd: 4, resq: 8, rest: 10, reso: 16, resy: 32, resz: 64 }))
const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64', 'es', 'cs', 'ss', 'ds', 'fs', 'gs'])
/** Directives NASM recognises by name: the shared vocabulary the editor completes (manual chapters 5, 7, 8). */
export const DIRECTIVES = new Set(NASM_DIRECTIVES.map((d) => d.name))

export class StmtError extends Error {
  constructor(message: string, readonly col: number, readonly hint?: string) {
    super(message)
  }
}

/** Whether `word` can start an instruction (mnemonic or prefix). */
export function isMnemonic(word: string): boolean {
  const w = word.toLowerCase()
  return PREFIXES.has(w) || w === 'wait' || x86RowsByMnemonic(w).length > 0
}

/** Tracks the last non-local label, which `.x` labels hang from (manual 3.9). */
export class LabelScope {
  base = ''
  /** Open `struc` / `istruc` blocks (the names `endstruc`, `at` and `iend` refer to). */
  strucs: string[] = []
  istrucs: string[] = []
  name(s: string): string {
    if (s.startsWith('.') && !s.startsWith('..')) return this.base + s
    return s
  }
  define(s: string): string {
    const full = this.name(s)
    if (!s.startsWith('.') && !s.startsWith('..@')) this.base = s
    return full
  }
}

/** Parses one preprocessed line. Throws StmtError/ExprError/LexError with a column. */
export function parseLine(text: string, scope: LabelScope, file: string, line: number, uniq?: number): Line {
  const out: Line = { file, line }
  let toks = tokenize(text)
  if (toks.length === 0) return out
  // `[directive args]` primitive form.
  if (toks[0].t === 'op' && toks[0].s === '[' && toks[1]?.t === 'id' && DIRECTIVES.has(toks[1].s.toLowerCase())) {
    const close = toks.length - 1
    if (toks[close].t !== 'op' || (toks[close] as { s: string }).s !== ']') throw new StmtError('missing `]` after the directive', toks[close].col)
    toks = toks.slice(1, close)
  }
  let i = 0
  const t0 = toks[0]
  const name = t0.t === 'id' ? t0.s : undefined
  const word = name?.toLowerCase()
  // `name equ expr`, `name: equ expr`
  const colon = toks[1]?.t === 'op' && (toks[1] as { s: string }).s === ':'
  const afterLabel = colon ? 2 : 1
  if (name && lowerAt(toks, afterLabel) === 'equ') {
    out.label = { name: scope.define(name), col: t0.col }
    out.stmt = { k: 'equ', e: parseNExpr(toks, afterLabel + 1, toks.length, (s) => scope.name(s)), col: toks[afterLabel].col }
    return out
  }
  const isKeyword = (w: string | undefined): boolean => w !== undefined && (isMnemonic(w) || DATA_WIDTH.has(w) || RES_WIDTH.has(w) || w === 'times' || w === 'incbin' || DIRECTIVES.has(w))
  // A first word that is not a keyword is a label, with or without its colon (manual 3.1).
  // …but only when what follows is a statement: `movzbl eax, [x]` is an unknown instruction.
  const next = toks[afterLabel - (colon ? 0 : 0)]
  if (name && !colon && !isKeyword(word) && next !== undefined && !(next.t === 'id' && isKeyword(next.s.toLowerCase()))) throw unknownInstruction(name, t0.col)
  if (name && (colon || !isKeyword(word))) {
    if (x86Register(name) && t0.t === 'id' && !t0.s.startsWith('$')) throw new StmtError(`\`${name}\` is a register, not a label or instruction`, t0.col, 'write `$' + name + '` to use it as a label name')
    out.label = { name: scope.define(name), col: t0.col }
    i = colon ? 2 : 1
  }
  if (i >= toks.length) return out
  out.stmt = parseStatement(toks, i, scope)
  // nasm's istruc defines a context-local label `%$strucstart` (its context is unique number + 1).
  if (out.stmt.k === 'istruc' && uniq !== undefined) out.stmt.label = `..@${uniq + 1}.strucstart`
  return out
}

function lowerAt(toks: Tok[], i: number): string | undefined {
  const t = toks[i]
  return t && t.t === 'id' ? t.s.toLowerCase() : undefined
}

function parseStatement(toks: Tok[], i: number, scope: LabelScope): Stmt {
  const t = toks[i]
  if (t.t !== 'id') throw new StmtError(`expected an instruction or directive, found \`${t.t === 'op' ? t.s : t.t === 'num' ? t.text : t.t === 'str' ? t.text : t.text}\``, t.col)
  const w = t.s.toLowerCase()
  const nm = (s: string) => scope.name(s)
  if (w === 'times') {
    // The count is an expression up to the statement that follows it.
    let j = i + 1
    let depth = 0
    for (; j < toks.length; j++) {
      const u = toks[j]
      if (u.t === 'op' && u.s === '(') depth++
      if (u.t === 'op' && u.s === ')') depth--
      if (depth === 0 && u.t === 'id' && j > i + 1 && (isMnemonic(u.s) || DATA_WIDTH.has(u.s.toLowerCase()) || RES_WIDTH.has(u.s.toLowerCase()) || u.s.toLowerCase() === 'incbin') && !x86Register(u.s) && prevIsOperand(toks[j - 1])) break
    }
    if (j >= toks.length) throw new StmtError('`times` needs a count and an instruction or data', t.col, 'e.g. `times 510-($-$$) db 0`')
    return { k: 'times', count: parseNExpr(toks, i + 1, j, nm), stmt: parseStatement(toks, j, scope), col: t.col }
  }
  const dataWidth = DATA_WIDTH.get(w)
  if (dataWidth !== undefined) return { k: 'data', width: dataWidth, items: dataItems(toks, i + 1, nm, t.col), col: t.col }
  const resWidth = RES_WIDTH.get(w)
  if (resWidth !== undefined) {
    if (i + 1 >= toks.length) throw new StmtError(`\`${w}\` needs a count`, t.col)
    return { k: 'res', width: resWidth, count: parseNExpr(toks, i + 1, toks.length, nm), col: t.col }
  }
  if (w === 'incbin') {
    const ops = splitOperands(toks, i + 1)
    const f = ops[0]?.[0]
    if (!f || f.t !== 'str' || ops[0].length !== 1) throw new StmtError('`incbin` needs a file name in quotes', t.col)
    return {
      k: 'incbin', file: new TextDecoder().decode(Uint8Array.from(f.bytes)), col: t.col,
      skip: ops[1] ? parseNExpr(ops[1], 0, ops[1].length, nm) : undefined, len: ops[2] ? parseNExpr(ops[2], 0, ops[2].length, nm) : undefined,
    }
  }
  if (DIRECTIVES.has(w)) {
    const rest = toks.slice(i + 1)
    const special = blockDirective(w, rest, scope, t.col)
    if (special) return special
    return { k: 'dir', name: w, args: rest.map(tokText).join(' '), toks: rest, col: t.col }
  }
  // Instruction with prefixes.
  const prefixes: X86Prefix[] = []
  let j = i
  while (j < toks.length && toks[j].t === 'id' && PREFIXES.has((toks[j] as { s: string }).s.toLowerCase())) {
    const next = toks[j + 1]
    // A segment register followed by `:` starts an operand, not a prefix.
    if (next && next.t === 'op' && next.s === ':') break
    prefixes.push((toks[j] as { s: string }).s.toLowerCase() as X86Prefix)
    j++
  }
  if (j >= toks.length) {
    if (prefixes.length) return { k: 'insn', mnemonic: '', prefixes, operands: [], col: t.col }
    throw new StmtError('expected an instruction', t.col)
  }
  const m = toks[j]
  if (m.t !== 'id') throw new StmtError('expected an instruction after the prefix', m.col)
  const mnemonic = m.s.toLowerCase()
  if (mnemonic === 'wait' && j === toks.length - 1) return { k: 'insn', mnemonic: 'fwait', prefixes, operands: [], col: m.col }
  if (x86RowsByMnemonic(mnemonic).length === 0) throw unknownInstruction(m.s, m.col)
  const operands = splitOperands(toks, j + 1).map((op) => parseOperand(op, nm, op[0]?.col ?? m.col))
  // x87 `fadd to st1` is `fadd st1, st0`.
  if (operands.length === 1 && operands[0].kind === 'reg' && toks.some((u, k) => k > j && u.t === 'id' && u.s.toLowerCase() === 'to'))
    operands.push({ kind: 'reg', reg: x86Register('st0')!, col: operands[0].col })
  return { k: 'insn', mnemonic, prefixes, operands, col: m.col }
}

/**
 * nasm's standard macros that structure data (manual 5.9 "STRUC and ENDSTRUC", 5.10 "ISTRUC, AT
 * and IEND", 5.10.x `ALIGN`/`ALIGNB`), parsed here because they name labels and statements.
 */
function blockDirective(w: string, rest: Tok[], scope: LabelScope, col: number): Stmt | undefined {
  const nm = (s: string) => scope.name(s)
  const ops = () => splitOperands(rest, 0)
  const ident = (what: string): string => {
    const t = rest[0]
    if (!t || t.t !== 'id') throw new StmtError(`\`${w}\` needs ${what}`, col)
    return t.s
  }
  switch (w) {
    case 'align': case 'alignb': {
      const parts = ops()
      if (!parts[0]?.length) throw new StmtError(`\`${w}\` needs an alignment`, col)
      const fillToks = parts.length > 1 ? rest.slice(parts[0].length + 1) : undefined
      return { k: 'align', n: parseNExpr(parts[0], 0, parts[0].length, nm), fill: fillToks?.length ? parseStatement(fillToks, 0, scope) : undefined, b: w === 'alignb', col }
    }
    case 'struc': {
      const name = ident('a structure name')
      const parts = ops()
      scope.strucs.push(name)
      scope.define(name)
      return { k: 'struc', name, base: parts[1] ? parseNExpr(parts[1], 0, parts[1].length, nm) : undefined, col }
    }
    case 'endstruc': {
      const name = scope.strucs.pop()
      if (!name) throw new StmtError('`endstruc` without `struc`', col)
      return { k: 'endstruc', name, col }
    }
    case 'istruc': {
      const name = ident('a structure name')
      scope.istrucs.push(name)
      return { k: 'istruc', name, col }
    }
    case 'at': {
      const name = scope.istrucs[scope.istrucs.length - 1]
      if (!name) throw new StmtError('`at` outside `istruc`', col)
      const parts = ops()
      if (!parts[0]?.length) throw new StmtError('`at` needs a field name', col)
      const stmtToks = parts.length > 1 ? rest.slice(parts[0].length + 1) : []
      return { k: 'at', name, field: parseNExpr(parts[0], 0, parts[0].length, nm), stmt: stmtToks.length ? parseStatement(stmtToks, 0, scope) : undefined, col }
    }
    case 'iend': {
      const name = scope.istrucs.pop()
      if (!name) throw new StmtError('`iend` without `istruc`', col)
      return { k: 'iend', name, col }
    }
  }
  return undefined
}

function prevIsOperand(t: Tok): boolean {
  return t.t === 'num' || t.t === 'id' || (t.t === 'op' && (t.s === ')' || t.s === '$' || t.s === '$$'))
}

function tokText(t: Tok): string {
  switch (t.t) {
    case 'id': return t.s
    case 'op': return t.s
    case 'num': return t.text
    case 'str': return t.text
    case 'float': return t.text
  }
}

/** Suggestions for mnemonics of other assemblers (GNU as suffixes) and typos. */
const DID_YOU_MEAN: Record<string, string> = {
  movzbl: 'movzx', movzwl: 'movzx', movzbw: 'movzx', movsbl: 'movsx', movswl: 'movsx', movslq: 'movsxd', movabs: 'mov', ljmp: 'jmp far', lcall: 'call far', lret: 'retf',
  movl: 'mov', movq: 'mov', movw: 'mov', movb: 'mov', addl: 'add', subl: 'sub', pushl: 'push', popl: 'pop', pushq: 'push', popq: 'pop', cltq: 'cdqe', cqto: 'cqo', cltd: 'cdq',
  iretl: 'iretd', sysretl: 'sysret', lgdtl: 'lgdt', lidtl: 'lidt',
}

function unknownInstruction(word: string, col: number): StmtError {
  const w = word.toLowerCase()
  const alt = DID_YOU_MEAN[w]
  return new StmtError(`unknown instruction \`${word}\``, col, alt ? `did you mean \`${alt}\`? (NASM uses Intel mnemonics without size suffixes)` : undefined)
}

function dataItems(toks: Tok[], from: number, nm: (s: string) => string, col: number): DataItem[] {
  const parts = splitOperands(toks, from)
  if (parts.length === 0) throw new StmtError('data directive needs values', col)
  return parts.map((p) => {
    if (p.length === 0) throw new StmtError('empty value in data list', col)
    if (p.length === 1 && p[0].t === 'str') return { k: 'str', bytes: p[0].bytes }
    if (p.length === 1 && p[0].t === 'op' && p[0].s === '?') return { k: 'undef' }
    const float = (t: Tok): string | undefined => (t.t === 'float' ? t.text : t.t === 'id' && FLOAT_SPECIALS[t.s.toLowerCase()] ? t.s : undefined)
    const f1 = p.length === 1 ? float(p[0]) : undefined
    if (f1 !== undefined) return { k: 'float', text: f1, neg: false, col: p[0].col }
    const f2 = p.length === 2 && p[0].t === 'op' && (p[0].s === '-' || p[0].s === '+') ? float(p[1]) : undefined
    if (f2 !== undefined) return { k: 'float', text: f2, neg: p[0].t === 'op' && p[0].s === '-', col: p[0].col }
    let wrt: string | undefined
    let end = p.length
    const k = p.findIndex((u) => u.t === 'id' && u.s.toLowerCase() === 'wrt')
    if (k >= 0) {
      const w = p[k + 1]
      if (!w || w.t !== 'id') throw new StmtError('`wrt` needs a target such as `..sym`', p[k].col)
      wrt = w.s.toLowerCase()
      end = k
    }
    return { k: 'expr', e: parseNExpr(p, 0, end, nm), col: p[0].col, wrt }
  })
}

export { ExprError, LexError }
