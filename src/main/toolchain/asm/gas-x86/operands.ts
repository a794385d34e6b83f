/**
 * Operands of GNU as for x86, in both of its syntaxes (GNU as manual, "i386-Dependent
 * Features": "AT&T Syntax versus Intel Syntax", "Memory References"):
 * - AT&T (the default): `%eax`, `$imm`, `disp(base, index, scale)` with an optional `%fs:`
 *   segment, `*` before an indirect branch target, `sym@GOTPCREL(%rip)` relocation operators;
 * - Intel (`.intel_syntax noprefix`): `eax`, `5`, `dword ptr [ebx + ecx*4 + 8]`, `fs:[0]`,
 *   `offset sym`, where a bare symbol is a memory operand.
 * The result keeps expressions unevaluated (`Expr`); the instruction builder turns them into the
 * shared operand model once it knows which are constants.
 */
import { x86Register, type X86Register } from '../../../../shared/isa/x86'
import { AsmError } from '../assembler'
import { parseExpr, type Expr } from '../expr'

/** Relocation operators GNU as accepts after a symbol (`foo@PLT`). */
export type RelocOp = 'PLT' | 'GOTPCREL' | 'GOT' | 'GOTOFF' | 'GOTPC' | 'GOTPCRELX' | 'REX_GOTPCRELX' | TlsOp
/** Thread-local storage operators (ELF TLS ABI, Drepper "ELF Handling For Thread-Local Storage" 4). */
export type TlsOp = 'TPOFF' | 'NTPOFF' | 'DTPOFF' | 'GOTTPOFF' | 'GOTNTPOFF' | 'INDNTPOFF' | 'TLSGD' | 'TLSLDM' | 'TLSLD'
export const TLS_OPS = new Set<string>(['TPOFF', 'NTPOFF', 'DTPOFF', 'GOTTPOFF', 'GOTNTPOFF', 'INDNTPOFF', 'TLSGD', 'TLSLDM', 'TLSLD'])
const RELOC_OPS = new Set<string>(['PLT', 'GOTPCREL', 'GOT', 'GOTOFF', 'GOTPC', ...TLS_OPS])

export interface GasValue {
  expr: Expr
  reloc?: RelocOp
}

export type GasOperand =
  | { kind: 'reg'; reg: X86Register; col: number; star: boolean }
  | { kind: 'imm'; value: GasValue; col: number; star: false }
  | {
    kind: 'mem'; col: number; star: boolean
    seg?: X86Register; disp?: GasValue; base?: X86Register; index?: X86Register; scale: 1 | 2 | 4 | 8
    /** A size written in Intel syntax (`dword ptr`). */
    size?: number
    /** Intel `[…]` or AT&T `(…)` was written: not a bare symbol. */
    bracketed: boolean
  }

/** Splits an operand list at top-level commas (not inside parentheses, brackets or quotes). */
export function splitGasOperands(text: string, col0: number): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = []
  let depth = 0
  let start = 0
  let quote = false
  for (let i = 0; i <= text.length; i++) {
    const c = text[i]
    if (c === '"') quote = !quote
    if (quote) continue
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    if ((c === ',' && depth === 0) || i === text.length) {
      const raw = text.slice(start, i)
      const lead = raw.length - raw.trimStart().length
      if (raw.trim() || i < text.length || out.length) out.push({ text: raw.trim(), col: col0 + start + lead })
      start = i + 1
    }
  }
  return out.length === 1 && out[0].text === '' ? [] : out
}

/** A register by its GNU as name: also `%st` / `%st(3)` (x87) and `%db0` (debug, objdump's spelling). */
export function gasRegister(name: string): X86Register | undefined {
  const n = name.toLowerCase().replace(/\s+/g, '')
  const st = /^st(?:\(([0-7])\))?$/.exec(n)
  if (st) return x86Register(`st${st[1] ?? 0}`)
  if (/^db[0-7]$/.test(n)) return x86Register(`dr${n[2]}`)
  return x86Register(n)
}

function reg(name: string, col: number): X86Register {
  const r = gasRegister(name)
  if (!r) throw new AsmError(`bad register name \`%${name}\``, col, 'asm.bad_operand', 'x86 registers are written %eax, %rsp, %cr3, %xmm0 …')
  return r
}

/** `sym@PLT` → the expression and the operator. */
export function withReloc(text: string, col: number): GasValue {
  const at = text.lastIndexOf('@')
  if (at < 0) return { expr: parseExpr(text, col) }
  const m = /^@([A-Za-z_]+)(.*)$/.exec(text.slice(at))
  const op = m?.[1].toUpperCase()
  if (!m || !op || !RELOC_OPS.has(op)) throw new AsmError(`unknown relocation operator \`${text.slice(at).split(/[^@A-Za-z_]/)[0]}\``, col + at, 'asm.bad_operand', 'GNU as knows @PLT, @GOTPCREL, @GOT, @GOTOFF, @GOTPC and the TLS ones (@TPOFF, @NTPOFF, @DTPOFF, @GOTTPOFF, @GOTNTPOFF, @INDNTPOFF, @TLSGD, @TLSLDM, @TLSLD)')
  // `foo@PLT+4` / `foo@GOTPCREL-8`: the addend may follow the operator.
  const expr = parseExpr(text.slice(0, at) + m[2], col)
  return { expr, reloc: op as RelocOp }
}

/** One AT&T operand. */
export function parseAttOperand(text: string, col: number): GasOperand {
  let t = text
  let c = col
  let star = false
  if (t.startsWith('*')) {
    star = true
    t = t.slice(1).trimStart()
    c += text.length - t.length
  }
  if (t.startsWith('$')) {
    if (star) throw new AsmError('an immediate cannot be an indirect branch target', c, 'asm.bad_operand')
    return { kind: 'imm', value: withReloc(t.slice(1).trim(), c + 1), col: c, star: false }
  }
  let seg: X86Register | undefined
  const segm = /^%([a-z]s)\s*:\s*/i.exec(t)
  if (segm) {
    seg = reg(segm[1], c + 1)
    if (seg.cls !== 'seg') throw new AsmError(`\`%${segm[1]}\` is not a segment register`, c + 1, 'asm.bad_operand')
    c += segm[0].length
    t = t.slice(segm[0].length)
  }
  if (!seg && /^%[a-z0-9]+(\s*\(\s*[0-7]\s*\))?$/i.test(t)) return { kind: 'reg', reg: reg(t.slice(1), c + 1), col: c, star }
  // disp(base, index, scale)
  let disp: GasValue | undefined
  let base: X86Register | undefined
  let index: X86Register | undefined
  let scale: 1 | 2 | 4 | 8 = 1
  let bracketed = false
  const open = t.endsWith(')') ? matchingOpen(t) : -1
  const inner = open >= 0 ? t.slice(open + 1, -1) : undefined
  if (inner !== undefined && (/^\s*%/.test(inner) || /^\s*,/.test(inner))) {
    bracketed = true
    const parts = inner.split(',').map((p) => p.trim())
    if (parts.length > 3) throw new AsmError(`too many parts in the memory reference \`(${inner})\``, c + open, 'asm.bad_operand', 'write (base, index, scale)')
    if (parts[0]) base = reg(parts[0].replace(/^%/, ''), c + open + 1)
    if (parts[1]) index = reg(parts[1].replace(/^%/, ''), c + open + 1)
    if (parts[2]) {
      const s = Number(parts[2])
      if (s !== 1 && s !== 2 && s !== 4 && s !== 8) throw new AsmError(`scale factor of ${parts[2]} is not one of 1, 2, 4 or 8`, c + open + 1, 'asm.bad_operand')
      scale = s
    }
    const d = t.slice(0, open).trim()
    if (d) disp = withReloc(d, c)
  } else {
    if (!t) throw new AsmError('missing operand', c, 'asm.bad_operand')
    if (t.startsWith('%')) throw new AsmError(`bad register \`${t}\``, c, 'asm.bad_operand', 'registers are written %eax; a memory reference through one is written (%eax)')
    disp = withReloc(t, c)
  }
  return { kind: 'mem', col: c, star, seg, disp, base, index, scale, bracketed }
}

function matchingOpen(t: string): number {
  let depth = 0
  for (let i = t.length - 1; i >= 0; i--) {
    if (t[i] === ')') depth++
    else if (t[i] === '(') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/** Intel `size ptr` names, in bits (GNU as: `fword` is 48, `tbyte` 80, `xmmword`/`oword` 128). */
const INTEL_SIZES: Record<string, number> = { byte: 8, word: 16, dword: 32, fword: 48, qword: 64, tbyte: 80, oword: 128, xmmword: 128 }

/** One operand in `.intel_syntax noprefix` (or `prefix`, with `%` registers). */
export function parseIntelOperand(text: string, col: number): GasOperand {
  let t = text.trim()
  let c = col
  let size: number | undefined
  const sm = /^(byte|word|dword|fword|qword|tbyte|oword|xmmword)\s+ptr\b\s*/i.exec(t)
  if (sm) {
    size = INTEL_SIZES[sm[1].toLowerCase()]
    c += sm[0].length
    t = t.slice(sm[0].length)
  }
  const regName = (s: string) => gasRegister(s.replace(/^%/, ''))
  if (!size && regName(t)) return { kind: 'reg', reg: regName(t)!, col: c, star: false }
  const off = /^offset\s+/i.exec(t)
  if (off) return { kind: 'imm', value: withReloc(t.slice(off[0].length), c + off[0].length), col: c, star: false }
  let seg: X86Register | undefined
  const segm = /^%?([a-z]s)\s*:\s*/i.exec(t)
  if (segm && regName(segm[1])?.cls === 'seg') {
    seg = regName(segm[1])
    c += segm[0].length
    t = t.slice(segm[0].length)
  }
  const lb = t.indexOf('[')
  if (lb < 0) {
    // A constant is an immediate; anything naming a symbol is a memory operand (GNU as Intel rules).
    const v = withReloc(t, c)
    if (!seg && !size && isConstant(v.expr)) return { kind: 'imm', value: v, col: c, star: false }
    return { kind: 'mem', col: c, star: false, seg, disp: v, scale: 1, size, bracketed: false }
  }
  if (!t.endsWith(']')) throw new AsmError(`expected \`]\` at the end of \`${t}\``, c + t.length, 'asm.bad_operand')
  const outside = t.slice(0, lb).trim()
  const terms: { sign: 1 | -1; text: string; col: number }[] = []
  if (outside) terms.push({ sign: 1, text: outside, col: c })
  const body = t.slice(lb + 1, -1)
  let sign: 1 | -1 = 1
  let start = 0
  let depth = 0
  for (let i = 0; i <= body.length; i++) {
    const ch = body[i]
    if (ch === '(') depth++
    else if (ch === ')') depth--
    if (i === body.length || (depth === 0 && (ch === '+' || ch === '-') && i > start && !/[*/]\s*$/.test(body.slice(start, i)))) {
      const part = body.slice(start, i).trim()
      if (part) terms.push({ sign, text: part, col: c + lb + 1 + start })
      if (i < body.length) sign = ch === '-' ? -1 : 1
      start = i + 1
    }
  }
  let base: X86Register | undefined
  let index: X86Register | undefined
  let scale: 1 | 2 | 4 | 8 = 1
  let disp: Expr | undefined
  let reloc: RelocOp | undefined
  for (const term of terms) {
    const ms = /^(%?[a-z0-9]+)\s*\*\s*(\d+)$|^(\d+)\s*\*\s*(%?[a-z0-9]+)$/i.exec(term.text)
    const r = ms ? regName(ms[1] ?? ms[4]) : regName(term.text)
    if (r && r.cls !== 'seg') {
      if (term.sign < 0) throw new AsmError(`a register cannot be subtracted in \`[${body}]\``, term.col, 'asm.bad_operand')
      const s = ms ? Number(ms[2] ?? ms[3]) : 1
      if (ms && s !== 1 && s !== 2 && s !== 4 && s !== 8) throw new AsmError(`scale factor of ${s} is not one of 1, 2, 4 or 8`, term.col, 'asm.bad_operand')
      if (!ms && !base && r.cls !== 'ip') base = r
      else if (!ms && r.cls === 'ip') base = r
      else if (!index) {
        index = r
        scale = s as 1 | 2 | 4 | 8
      } else throw new AsmError(`too many registers in \`[${body}]\``, term.col, 'asm.bad_operand')
      continue
    }
    const v = withReloc(term.text, term.col)
    if (v.reloc) reloc = v.reloc
    const e: Expr = term.sign < 0 ? { k: 'un', op: '-', e: v.expr } : v.expr
    disp = disp ? { k: 'bin', op: '+', l: disp, r: e, col: term.col } : e
  }
  return { kind: 'mem', col: c, star: false, seg, disp: disp ? { expr: disp, reloc } : undefined, base, index, scale, size, bracketed: true }
}

function isConstant(e: Expr): boolean {
  switch (e.k) {
    case 'num': return true
    case 'un': return isConstant(e.e)
    case 'bin': return isConstant(e.l) && isConstant(e.r)
    default: return false
  }
}
