/**
 * Instructions: table rows encoded from `shared/isa` with operands checked against the row's
 * spec, branches and jumps to symbols as relaxable items sized later (as GNU does), explicitly
 * written `c.*` forms, and automatic compression through `compress.ts`. GNU's
 * pseudo-instructions live in `pseudo.ts`; this module owns the shared operand helpers.
 */
import { PSEUDO_INSTRUCTIONS } from '../../../shared/asm/pseudo-instructions'
import { INSTRUCTIONS, csrNumber, rowByName, rvcImmEncode, type IsaRow } from '../../../shared/isa'
import { AsmError, type Assembler } from './assembler'
import { compress } from './compress'
import { closest } from './diagnostics'
import { encode16, encode32, isPrime, type Fields } from './encode'
import type { Expr } from './expr'
import { pseudo } from './pseudo'
import { parseOperand, splitOperands, type Operand } from './operands'
import type { Fixup, FixupKind } from './state'

const ROUNDING_MODES: Record<string, number> = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4, dyn: 7 }
export const ZERO = 0
export const RA = 1
const SP = 2
export const T1 = 6

/** Mnemonics that are not table rows but that we accept (pseudo-instructions and aliases): the editor's list. */
export const PSEUDO_NAMES: readonly string[] = PSEUDO_INSTRUCTIONS.map((p) => p.name)
const KNOWN = new Set([...INSTRUCTIONS.map((r) => r.name), ...PSEUDO_NAMES])

/** The immediate alias of a register-register mnemonic (`add a0,a0,5` is `addi`), as GNU accepts. */
const IMM_ALIAS: Record<string, string> = {
  add: 'addi', and: 'andi', or: 'ori', xor: 'xori', sll: 'slli', srl: 'srli', sra: 'srai', slt: 'slti', sltu: 'sltiu',
  addw: 'addiw', sllw: 'slliw', srlw: 'srliw', sraw: 'sraiw',
}
const INVERT_BRANCH: Record<string, string> = { beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu' }
export { INVERT_BRANCH }

export class Ctx {
  ops: Operand[]
  constructor(readonly asm: Assembler, readonly mnemonic: string, args: string, readonly col: number) {
    const parts = splitOperands(args, col)
    this.ops = []
    for (const o of parts) {
      if (!o.text) throw new AsmError('empty operand', o.col, 'asm.bad_operand')
      const op = parseOperand(o.text, o.col)
      if (op.k === 'expr') op.e = asm.bind(op.e)
      if (op.k === 'mem' && op.off) op.off = asm.bind(op.off)
      this.ops.push(op)
    }
  }

  count(...allowed: number[]): number {
    if (!allowed.includes(this.ops.length)) {
      throw new AsmError(`\`${this.mnemonic}\` takes ${allowed.join(' or ')} operand(s), got ${this.ops.length}`, this.col, 'asm.operand_count', usage(this.mnemonic))
    }
    return this.ops.length
  }

  reg(i: number): number {
    const o = this.ops[i]
    if (o.k !== 'reg' || o.float) throw new AsmError(`operand ${i + 1} of \`${this.mnemonic}\` must be an integer register, got \`${o.text}\``, o.col, 'asm.bad_operand', usage(this.mnemonic))
    return o.r
  }

  freg(i: number): number {
    const o = this.ops[i]
    if (o.k !== 'reg' || !o.float) throw new AsmError(`operand ${i + 1} of \`${this.mnemonic}\` must be a floating-point register, got \`${o.text}\``, o.col, 'asm.bad_operand', usage(this.mnemonic))
    return o.r
  }

  isReg(i: number): boolean {
    return this.ops[i]?.k === 'reg'
  }

  expr(i: number): Expr {
    const o = this.ops[i]
    // Where an expression is expected, a register name is a symbol (GNU as: `f0: …` / `j f0`).
    if (o.k === 'reg' && /^[A-Za-z_.$][\w.$]*$/.test(o.text)) return { k: 'sym', name: o.text, col: o.col }
    if (o.k !== 'expr') throw new AsmError(`operand ${i + 1} of \`${this.mnemonic}\` must be an expression, got \`${o.text}\``, o.col, 'asm.bad_operand', usage(this.mnemonic))
    return o.e
  }

  /** A plain constant operand (no relocation), range-checked. */
  constant(i: number, lo: number, hi: number, what = 'immediate'): number {
    const e = this.expr(i)
    if (e.k === 'mod') throw new AsmError(`\`%${e.mod}\` is not allowed for this ${what}`, this.ops[i].col, 'asm.bad_operand')
    const v = this.asm.evalNow(e)
    if (v === undefined) throw new AsmError(`${what} of \`${this.mnemonic}\` must be a constant`, this.ops[i].col, 'asm.bad_operand', 'symbols need %hi/%lo, la, or a label operand on a branch')
    if (v < BigInt(lo) || v > BigInt(hi)) throw new AsmError(`${what} ${v} is out of range for \`${this.mnemonic}\` (${lo}..${hi})`, this.ops[i].col, 'asm.imm_range')
    return Number(v)
  }

  colOf(i: number): number {
    return this.ops[i]?.col ?? this.col
  }
}

function usage(m: string): string | undefined {
  const row = rowByName(m)
  return row ? `usage: ${m} ${row.operands.replace(/,rm$/, '[,rm]')}` : undefined
}

const sext12 = (v: bigint) => BigInt.asIntN(12, v)
const hi20 = (v: bigint) => Number(((v + 0x800n) >> 12n) & 0xfffffn)

/** Entry point: assemble one instruction statement. */
export function instruction(asm: Assembler, mnemonic: string, args: string, col: number): void {
  if (!asm.isCode() && asm.cur.type === 8) {
    throw new AsmError(`instructions cannot go in \`${asm.cur.name}\` (@nobits)`, col, 'asm.nobits_data')
  }
  // `call f@plt` is what compilers write; GNU emits the same R_RISCV_CALL_PLT either way.
  if ((mnemonic === 'call' || mnemonic === 'tail') && args.includes('@')) args = args.replace(/@plt\b/gi, '')
  const c = new Ctx(asm, mnemonic, args, col)
  if (pseudo(c)) return
  const row = rowByName(mnemonic)
  if (!row) {
    const guess = closest(mnemonic, KNOWN)
    throw new AsmError(`unknown instruction \`${mnemonic}\``, col - mnemonic.length, 'asm.unknown_instruction', guess ? `did you mean \`${guess}\`?` : undefined)
  }
  if (row.length === 2) return explicitCompressed(c, row)
  if (row.format === 'B') {
    c.count(3)
    return branch(c, row.name, c.reg(0), c.reg(1), c.expr(2), c.colOf(2))
  }
  if (row.name === 'jal') {
    if (c.count(1, 2) === 1) return branch(c, 'jal', 0, 0, c.expr(0), c.colOf(0), RA)
    return branch(c, 'jal', 0, 0, c.expr(1), c.colOf(1), c.reg(0))
  }
  const alias = IMM_ALIAS[mnemonic]
  if (alias && c.ops.length === 3 && !c.isReg(2)) return generic(c, rowByName(alias)!, mnemonic)
  if (row.name === 'jalr') return jalr(c)
  generic(c, row, mnemonic)
}

/** Emits a 32-bit row (compressed when GNU would), from already-known fields. */
export function emit(c: Ctx, row: IsaRow, f: Fields, mnemonic: string, regImm: 'reg' | 'imm', fixups?: Fixup[], compressible = true): void {
  if (compressible && c.asm.rvc && !fixups) {
    const z = compress(mnemonic, f, regImm)
    if (z) {
      c.asm.emitInsn(encode16(rowByName(z.row)!, z.fields), 2)
      return
    }
  }
  c.asm.emitInsn(encode32(row, f), 4, fixups)
}

export function fixupFor(c: Ctx, kind: FixupKind, e: Expr, col: number): Fixup {
  return { at: 0, kind, expr: e, loc: c.asm.loc(col) }
}

/** Range of the immediate for a 32-bit format. */
function immRange(row: IsaRow): [number, number] {
  switch (row.format) {
    case 'U': return [0, 0xfffff]
    case 'SHIFT64': return [0, 63]
    case 'SHIFT32': return [0, 31]
    case 'CSRI': return [0, 31]
    default: return [-2048, 2047]
  }
}

/**
 * Immediate operand of an I/S/U row: a constant (range-checked), or a `%hi`/`%lo`/`%pcrel_*`
 * relocation. Returns the field value and an optional fixup; `plain` is false when a
 * modifier was written (GNU never compresses those).
 */
export function immediate(c: Ctx, row: IsaRow, e: Expr | undefined, col: number): { imm: number; fixup?: Fixup; plain: boolean } {
  if (!e) return { imm: 0, plain: true }
  const store = row.format === 'S'
  if (e.k === 'mod') {
    const inner = c.asm.evalNow(e.e)
    if (e.mod === 'hi' || e.mod === 'lo') {
      if (inner !== undefined) return { imm: e.mod === 'hi' ? hi20(inner) : Number(sext12(inner)), plain: false }
      if (e.mod === 'hi' && row.format !== 'U') throw new AsmError('`%hi` goes with `lui` (a U-type immediate)', col, 'asm.bad_operand')
      if (e.mod === 'lo' && row.format === 'U') throw new AsmError('`%lo` goes with an I- or S-type immediate', col, 'asm.bad_operand')
      return { imm: 0, fixup: fixupFor(c, e.mod === 'hi' ? 'hi' : store ? 'lo_s' : 'lo_i', e.e, col), plain: false }
    }
    if (e.mod === 'pcrel_hi') {
      if (row.format !== 'U') throw new AsmError('`%pcrel_hi` goes with `auipc`', col, 'asm.bad_operand')
      return { imm: 0, fixup: fixupFor(c, 'pcrel_hi', e.e, col), plain: false }
    }
    if (row.format === 'U') throw new AsmError('`%pcrel_lo` goes with an I- or S-type immediate', col, 'asm.bad_operand')
    return { imm: 0, fixup: fixupFor(c, store ? 'pcrel_lo_s' : 'pcrel_lo_i', e.e, col), plain: false }
  }
  const v = c.asm.evalNow(e)
  const [lo, hi] = immRange(row)
  if (v === undefined) throw new AsmError(`immediate of \`${c.mnemonic}\` must be a constant`, col, 'asm.bad_operand', row.format === 'U' ? 'use %hi(symbol) or %pcrel_hi(symbol)' : 'use %lo(symbol), or la/lla to load an address')
  if (v < BigInt(lo) || v > BigInt(hi)) throw new AsmError(`immediate ${v} is out of range for \`${c.mnemonic}\` (${lo}..${hi})`, col, 'asm.imm_range', row.format === 'I' || row.format === 'S' ? 'use li to build larger constants' : undefined)
  return { imm: Number(v), plain: true }
}

export function csrOperand(c: Ctx, i: number): number {
  const e = c.expr(i)
  if (e.k === 'sym') {
    const n = csrNumber(e.name)
    if (n !== undefined) return n
  }
  return c.constant(i, 0, 4095, 'CSR number')
}

function fenceSet(c: Ctx, i: number): number {
  const o = c.ops[i]
  const t = o.text.toLowerCase()
  if (t === '0') return 0
  if (!/^[iorw]+$/.test(t)) throw new AsmError(`bad fence operand \`${o.text}\``, o.col, 'asm.bad_operand', 'use a combination of i, o, r, w (e.g. `fence rw, rw`)')
  return (t.includes('i') ? 8 : 0) | (t.includes('o') ? 4 : 0) | (t.includes('r') ? 2 : 0) | (t.includes('w') ? 1 : 0)
}

/** A row whose operands follow its `operands` spec (everything except branches/pseudos). */
function generic(c: Ctx, row: IsaRow, mnemonic: string): void {
  const spec = row.operands ? row.operands.split(',') : []
  const hasRm = spec[spec.length - 1] === 'rm'
  const needed = hasRm ? [spec.length - 1, spec.length] : [spec.length]
  if (row.format === 'FENCE' && spec.length === 2) needed.unshift(0)
  c.count(...needed)
  const f: Fields = {}
  let fixup: Fixup | undefined
  let plain = true
  let regImm: 'reg' | 'imm' = 'reg'
  if (row.format === 'FENCE' && spec.length === 2 && c.ops.length === 0) {
    f.pred = 15
    f.succ = 15
  }
  for (let i = 0; i < spec.length && i < c.ops.length; i++) {
    const s = spec[i]
    switch (s) {
      case 'rd': f.rd = c.reg(i); break
      case 'rs1': f.rs1 = c.reg(i); break
      case 'rs2': f.rs2 = c.reg(i); break
      case 'fd': f.rd = c.freg(i); break
      case 'fs1': f.rs1 = c.freg(i); break
      case 'fs2': f.rs2 = c.freg(i); break
      case 'fs3': f.rs3 = c.freg(i); break
      case 'csr': f.csr = csrOperand(c, i); break
      case 'pred': f.pred = fenceSet(c, i); break
      case 'succ': f.succ = fenceSet(c, i); break
      case 'rm': {
        const o = c.ops[i]
        const m = ROUNDING_MODES[o.text.toLowerCase()]
        if (m === undefined) throw new AsmError(`bad rounding mode \`${o.text}\``, o.col, 'asm.bad_operand', 'use rne, rtz, rdn, rup, rmm or dyn')
        f.rm = m
        break
      }
      case 'imm': case 'uimm': case 'shamt': {
        regImm = 'imm'
        const r = immediate(c, row, c.expr(i), c.colOf(i))
        f.imm = r.imm
        fixup = r.fixup
        plain &&= r.plain
        break
      }
      case 'imm(rs1)': case '(rs1)': {
        const o = c.ops[i]
        if (o.k === 'expr' && s === 'imm(rs1)') throw new AsmError(`\`${mnemonic}\` with a symbol needs a temporary register: \`${mnemonic} ${c.ops[0].text}, ${o.text}, t0\``, o.col, 'asm.bad_operand')
        if (o.k !== 'mem') throw new AsmError(`operand ${i + 1} of \`${mnemonic}\` must be a memory operand like \`0(a0)\`, got \`${o.text}\``, o.col, 'asm.bad_operand', usage(mnemonic))
        f.rs1 = o.base
        if (s === '(rs1)') {
          if (o.off && c.asm.evalNow(o.off) !== 0n) throw new AsmError(`\`${mnemonic}\` takes no offset: write \`(${o.text.split('(').pop()}\``, o.col, 'asm.bad_operand')
        } else {
          const r = immediate(c, row, o.off, o.col)
          f.imm = r.imm
          fixup = r.fixup
          plain &&= r.plain
          regImm = 'imm'
        }
        break
      }
      default:
        throw new AsmError(`internal: operand kind ${s}`, c.col)
    }
  }
  if (hasRm && f.rm === undefined) f.rm = defaultRm(row.name)
  emit(c, row, f, mnemonic, regImm, fixup ? [fixup] : undefined, plain)
}

/** Rounding mode when none is written: dyn. (Exact conversions such as fcvt.d.w take no rm.) */
function defaultRm(_name: string): number {
  return 7
}

function jalr(c: Ctx): void {
  const row = rowByName('jalr')!
  const n = c.count(1, 2, 3)
  if (n === 1) {
    const o = c.ops[0]
    if (o.k === 'reg') return emit(c, row, { rd: RA, rs1: c.reg(0), imm: 0 }, 'jalr', 'reg')
    if (o.k === 'mem') {
      const r = immediate(c, row, o.off, o.col)
      return emit(c, row, { rd: RA, rs1: o.base, imm: r.imm }, 'jalr', 'imm', r.fixup ? [r.fixup] : undefined, false)
    }
    throw new AsmError('`jalr` needs a register', o.col, 'asm.bad_operand', 'use `call symbol` to call a function by name')
  }
  const rd = c.reg(0)
  const o = c.ops[1]
  if (n === 2 && o.k === 'reg') return emit(c, row, { rd, rs1: c.reg(1), imm: 0 }, 'jalr', 'imm', undefined, false)
  if (n === 2 && o.k === 'mem') {
    const r = immediate(c, row, o.off, o.col)
    return emit(c, row, { rd, rs1: o.base, imm: r.imm }, 'jalr', 'imm', r.fixup ? [r.fixup] : undefined, false)
  }
  if (n === 3) {
    const r = immediate(c, row, c.expr(2), c.colOf(2))
    return emit(c, row, { rd, rs1: c.reg(1), imm: r.imm }, 'jalr', 'imm', r.fixup ? [r.fixup] : undefined, false)
  }
  throw new AsmError('bad operands for `jalr`', c.col, 'asm.bad_operand', 'usage: jalr rd, offset(rs1)')
}

/** A conditional branch or jal to an expression: a relaxable item (see layout.ts). */
export function branch(c: Ctx, rowName: string, rs1: number, rs2: number, target: Expr, col: number, rd = 0): void {
  if (target.k === 'mod') throw new AsmError('relocation modifiers are not allowed on branch targets', col, 'asm.bad_operand')
  const v = c.asm.eval(target, false)
  if (!v.add) throw new AsmError(`branch target must be a label, not the number ${v.n}`, col, 'asm.bad_operand', 'write a label, or `.+offset` for a relative target')
  const jump = rowName === 'jal'
  const rvc = c.asm.rvc && (jump ? rd === 0 : (rowName === 'beq' || rowName === 'bne') && rs2 === 0 && isPrime(rs1))
  c.asm.emitBranch({ row: rowName, rs1, rs2, rd, rvc, target, loc: c.asm.loc(col) }, rvc ? 2 : 4)
}

/** An explicitly written `c.*` instruction: operands per the row, immediates range-checked. */
function explicitCompressed(c: Ctx, row: IsaRow): void {
  const spec = row.operands ? row.operands.split(',') : []
  c.count(spec.length)
  const f: Fields = {}
  const regOf = (i: number, s: string) => {
    const float = s.startsWith('f')
    const v = float ? c.freg(i) : c.reg(i)
    if (s.endsWith("'") && !isPrime(v)) throw new AsmError(`\`${row.name}\` needs a register from x8..x15 (s0, s1, a0..a5) for operand ${i + 1}`, c.colOf(i), 'asm.bad_operand')
    return v
  }
  let target: Expr | undefined
  spec.forEach((s, i) => {
    const base = s.replace(/'$/, '')
    if (s === 'sp') {
      if (c.reg(i) !== SP) throw new AsmError(`operand ${i + 1} of \`${row.name}\` must be sp`, c.colOf(i), 'asm.bad_operand')
      return
    }
    if (/^(rd|rs1|rs2|fd|fs2)'?$/.test(s)) {
      const v = regOf(i, s)
      if (base === 'rd' || base === 'fd') f.rd = v
      else if (base === 'rs1') f.rs1 = v
      else f.rs2 = v
      return
    }
    if (s.includes('(')) {
      const o = c.ops[i]
      if (o.k !== 'mem') throw new AsmError(`operand ${i + 1} of \`${row.name}\` must be a memory operand`, o.col, 'asm.bad_operand')
      if (s.endsWith('(sp)')) {
        if (o.base !== SP) throw new AsmError(`\`${row.name}\` addresses through sp`, o.col, 'asm.bad_operand')
      } else {
        if (!isPrime(o.base)) throw new AsmError(`\`${row.name}\` needs a base register from x8..x15`, o.col, 'asm.bad_operand')
        f.rs1 = o.base
      }
      f.imm = o.off ? Number(c.asm.constant(o.off, 'offset', o.col)) : 0
      return
    }
    // imm / uimm / shamt
    if (row.imm === 'rvc_b_imm' || row.imm === 'rvc_j_imm') {
      target = c.expr(i)
      return
    }
    f.imm = c.constant(i, -(2 ** 31), 2 ** 32 - 1)
  })
  if (target) {
    const jump = row.imm === 'rvc_j_imm'
    const v = c.asm.eval(target, false)
    if (!v.add) throw new AsmError('branch target must be a label', c.col, 'asm.bad_operand')
    c.asm.emitBranch({ row: jump ? 'jal' : row.name === 'c.beqz' ? 'beq' : 'bne', rs1: f.rs1 ?? 0, rs2: 0, rd: 0, rvc: true, target, loc: c.asm.loc(c.col) }, 2)
    return
  }
  if (row.name === 'c.lui' && f.imm !== undefined && f.imm >= 0xfffe0) f.imm -= 0x100000
  if (row.imm && rvcImmEncode(row.imm, f.imm ?? 0) === undefined) {
    throw new AsmError(`immediate ${f.imm} is out of range for \`${row.name}\``, c.col, 'asm.imm_range', rvcRangeHint(row))
  }
  if (row.nonZero?.includes('imm') && !f.imm) throw new AsmError(`\`${row.name}\` needs a non-zero immediate`, c.col, 'asm.imm_range')
  c.asm.emitInsn(encode16(row, f), 2)
}

function rvcRangeHint(row: IsaRow): string {
  switch (row.imm) {
    case 'rvc_imm': return 'range -32..31'
    case 'rvc_shamt': return 'range 1..63'
    case 'rvc_lui_imm': return 'range 1..31 or 0xfffe0..0xfffff'
    case 'rvc_addi16sp_imm': return 'a multiple of 16 in -512..496'
    case 'rvc_addi4spn_imm': return 'a multiple of 4 in 4..1020'
    case 'rvc_lw_imm': case 'rvc_lwsp_imm': case 'rvc_swsp_imm': return 'a multiple of 4 (0..124, or 0..252 for sp-relative)'
    default: return 'a multiple of 8 (0..248, or 0..504 for sp-relative)'
  }
}
