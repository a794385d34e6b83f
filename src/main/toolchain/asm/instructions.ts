/**
 * Instructions: the table rows (encoded from `shared/isa`), GNU's pseudo-instructions and
 * aliases (riscv-opc.c: `li`, `la`, `call`, `beqz`, `csrr`, …), memory operands with a symbol
 * (`lw a0, sym` / `sw a0, sym, t0`), and automatic compression through `compress.ts`.
 * Branches and jumps to symbols become relaxable items sized later, as in GNU.
 */
import { INSTRUCTIONS, csrNumber, rowByName, rvcImmEncode, type IsaRow } from '../../../shared/isa'
import { AsmError, type Assembler } from './assembler'
import { compress } from './compress'
import { closest } from './diagnostics'
import { encode16, encode32, isPrime, type Fields } from './encode'
import type { Expr } from './expr'
import { liSequence } from './li'
import { parseOperand, splitOperands, type Operand } from './operands'
import type { Fixup, FixupKind } from './state'

const ROUNDING_MODES: Record<string, number> = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4, dyn: 7 }
const ZERO = 0
const RA = 1
const SP = 2
const T1 = 6

/** Mnemonics that are not table rows but that we accept (pseudo-instructions and aliases). */
export const PSEUDO_NAMES = [
  'nop', 'li', 'la', 'lla', 'call', 'tail', 'jump', 'mv', 'move', 'not', 'neg', 'negw', 'j', 'jr', 'ret',
  'beqz', 'bnez', 'blez', 'bgez', 'bltz', 'bgtz', 'bgt', 'ble', 'bgtu', 'bleu', 'seqz', 'snez', 'sltz', 'sgtz',
  'sgt', 'sgtu', 'csrr', 'csrw', 'csrs', 'csrc', 'csrwi', 'csrsi', 'csrci', 'rdcycle', 'rdtime', 'rdinstret',
  'sext.w', 'zext.b', 'fmv.s', 'fmv.d', 'fabs.s', 'fabs.d', 'fneg.s', 'fneg.d', 'frcsr', 'fscsr', 'frrm', 'fsrm',
  'fsrmi', 'frflags', 'fsflags', 'fsflagsi', 'unimp', 'scall', 'sbreak',
]
const KNOWN = new Set([...INSTRUCTIONS.map((r) => r.name), ...PSEUDO_NAMES])

/** The immediate alias of a register-register mnemonic (`add a0,a0,5` is `addi`), as GNU accepts. */
const IMM_ALIAS: Record<string, string> = {
  add: 'addi', and: 'andi', or: 'ori', xor: 'xori', sll: 'slli', srl: 'srli', sra: 'srai', slt: 'slti', sltu: 'sltiu',
  addw: 'addiw', sllw: 'slliw', srlw: 'srliw', sraw: 'sraiw',
}
const INVERT_BRANCH: Record<string, string> = { beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu' }
export { INVERT_BRANCH }

class Ctx {
  ops: Operand[]
  constructor(readonly asm: Assembler, readonly mnemonic: string, args: string, readonly col: number) {
    this.ops = splitOperands(args, col).map((o) => {
      if (!o.text) throw new AsmError('empty operand', o.col, 'asm.bad_operand')
      const op = parseOperand(o.text, o.col)
      if (op.k === 'expr') op.e = asm.bind(op.e)
      if (op.k === 'mem' && op.off) op.off = asm.bind(op.off)
      return op
    })
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
function emit(c: Ctx, row: IsaRow, f: Fields, mnemonic: string, regImm: 'reg' | 'imm', fixups?: Fixup[], compressible = true): void {
  if (compressible && c.asm.rvc && !fixups) {
    const z = compress(mnemonic, f, regImm)
    if (z) {
      c.asm.emitInsn(encode16(rowByName(z.row)!, z.fields), 2)
      return
    }
  }
  c.asm.emitInsn(encode32(row, f), 4, fixups)
}

function fixupFor(c: Ctx, kind: FixupKind, e: Expr, col: number): Fixup {
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
function immediate(c: Ctx, row: IsaRow, e: Expr | undefined, col: number): { imm: number; fixup?: Fixup; plain: boolean } {
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

function csrOperand(c: Ctx, i: number): number {
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
  spec.forEach((s, i) => {
    if (i >= c.ops.length) return
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
  })
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
function branch(c: Ctx, rowName: string, rs1: number, rs2: number, target: Expr, col: number, rd = 0): void {
  if (target.k === 'mod') throw new AsmError('relocation modifiers are not allowed on branch targets', col, 'asm.bad_operand')
  const v = c.asm.eval(target, false)
  if (!v.add) throw new AsmError(`branch target must be a label, not the number ${v.n}`, col, 'asm.bad_operand', 'write a label, or `.+offset` for a relative target')
  const jump = rowName === 'jal'
  const rvc = c.asm.rvc && (jump ? rd === 0 : (rowName === 'beq' || rowName === 'bne') && rs2 === 0 && isPrime(rs1))
  c.asm.emitBranch({ row: rowName, rs1, rs2, rd, rvc, target, loc: c.asm.loc(col) }, rvc ? 2 : 4)
}

/** `auipc` + a second instruction with %pcrel_lo against a `.L0 ` label at the auipc (GNU's la/lla/lw sym). */
function pcrelPair(c: Ctx, tmp: number, target: Expr, col: number, second: (lo: Fixup) => void): void {
  const anchor = c.asm.hereLabel('.L0 ')
  c.asm.emitInsn(encode32(rowByName('auipc')!, { rd: tmp, imm: 0 }), 4, [fixupFor(c, 'pcrel_hi', target, col)])
  const idx = c.asm.hidden.indexOf(anchor)
  second(fixupFor(c, 'pcrel_lo_i', { k: 'sym', name: '\0' + idx, col }, col))
}

function symbolTarget(c: Ctx, i: number): Expr {
  const e = c.expr(i)
  if (e.k === 'mod') throw new AsmError(`\`${c.mnemonic}\` takes a symbol, not a relocation modifier`, c.colOf(i), 'asm.bad_operand')
  return e
}

const LOADS = new Set(['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', 'flw', 'fld'])
const STORES = new Set(['sb', 'sh', 'sw', 'sd', 'fsw', 'fsd'])

/** Pseudo-instructions and aliases; returns false when `mnemonic` is an ordinary row. */
function pseudo(c: Ctx): boolean {
  const m = c.mnemonic
  const asm = c.asm
  const r = (name: string) => rowByName(name)!
  switch (m) {
    case 'nop':
      c.count(0)
      emit(c, r('addi'), { rd: 0, rs1: 0, imm: 0 }, 'nop', 'imm')
      return true
    case 'li': {
      c.count(2)
      const rd = c.reg(0)
      const e = c.expr(1)
      if (e.k === 'mod') throw new AsmError('`li` takes a constant; use `lui`/`addi` with %hi/%lo for symbols', c.colOf(1), 'asm.bad_operand')
      const v = asm.evalNow(e)
      if (v === undefined) throw new AsmError('`li` needs a constant known at this point', c.colOf(1), 'asm.bad_operand', 'use `la rd, symbol` to load an address; a constant defined later with .equ must move above this line')
      if (v >= -2048n && v <= 2047n) {
        emit(c, r('addi'), { rd, rs1: 0, imm: Number(v) }, 'li', 'imm', undefined, true)
        return true
      }
      if (asm.rvc && v >= -(1n << 31n) && v < 1n << 31n) {
        const z = compress('li', { rd, imm: Number(v) }, 'imm')
        if (z?.row === 'c.lui') {
          asm.emitInsn(encode16(r('c.lui'), z.fields), 2)
          return true
        }
      }
      for (const step of liSequence(rd, v)) {
        const row = r(step.mnemonic)
        const f: Fields = step.mnemonic === 'lui' ? { rd, imm: Number(step.imm) } : { rd, rs1: step.rs1, imm: Number(step.imm) }
        emit(c, row, f, step.mnemonic, 'imm')
      }
      return true
    }
    case 'la': case 'lla': {
      c.count(2)
      const rd = c.reg(0)
      pcrelPair(c, rd, symbolTarget(c, 1), c.colOf(1), (lo) => asm.emitInsn(encode32(r('addi'), { rd, rs1: rd, imm: 0 }), 4, [lo]))
      return true
    }
    case 'call': case 'tail': case 'jump': {
      let rd = m === 'call' ? RA : ZERO
      let tmp = m === 'call' ? RA : T1
      let target: Expr
      if (m === 'jump') {
        c.count(2)
        target = symbolTarget(c, 0)
        tmp = c.reg(1)
      } else if (m === 'call' && c.ops.length === 2) {
        // riscv-opc.c: `call rd, sym` goes through t1, like tail.
        rd = c.reg(0)
        tmp = T1
        target = symbolTarget(c, 1)
      } else {
        c.count(1)
        target = symbolTarget(c, 0)
      }
      const col = c.colOf(c.ops.length - (m === 'jump' ? 2 : 1))
      asm.emitInsn(encode32(r('auipc'), { rd: tmp, imm: 0 }), 4, [fixupFor(c, 'call', target, col)])
      asm.emitInsn(encode32(r('jalr'), { rd, rs1: tmp, imm: 0 }), 4)
      return true
    }
    case 'mv': case 'move':
      c.count(2)
      emit(c, r('addi'), { rd: c.reg(0), rs1: c.reg(1), imm: 0 }, 'mv', 'reg')
      return true
    case 'not':
      c.count(2)
      emit(c, r('xori'), { rd: c.reg(0), rs1: c.reg(1), imm: -1 }, 'not', 'imm', undefined, false)
      return true
    case 'neg': case 'negw':
      c.count(2)
      emit(c, r(m === 'neg' ? 'sub' : 'subw'), { rd: c.reg(0), rs1: 0, rs2: c.reg(1) }, m, 'reg', undefined, false)
      return true
    case 'j':
      c.count(1)
      branch(c, 'jal', 0, 0, c.expr(0), c.colOf(0), 0)
      return true
    case 'jr': {
      const n = c.count(1, 2)
      const o = c.ops[0]
      if (n === 1 && o.k === 'reg') emit(c, r('jalr'), { rd: 0, rs1: c.reg(0), imm: 0 }, 'jr', 'reg')
      else if (n === 1 && o.k === 'mem') {
        const x = immediate(c, r('jalr'), o.off, o.col)
        emit(c, r('jalr'), { rd: 0, rs1: o.base, imm: x.imm }, 'jr', 'imm', x.fixup ? [x.fixup] : undefined, false)
      } else if (n === 2) {
        const x = immediate(c, r('jalr'), c.expr(1), c.colOf(1))
        emit(c, r('jalr'), { rd: 0, rs1: c.reg(0), imm: x.imm }, 'jr', 'imm', x.fixup ? [x.fixup] : undefined, false)
      } else throw new AsmError('`jr` needs a register', o.col, 'asm.bad_operand', 'use `j label` or `tail symbol` to jump to a label')
      return true
    }
    case 'ret':
      c.count(0)
      emit(c, r('jalr'), { rd: 0, rs1: RA, imm: 0 }, 'ret', 'reg')
      return true
    case 'beqz': case 'bnez': case 'bltz': case 'bgez': case 'blez': case 'bgtz': {
      c.count(2)
      const rs = c.reg(0)
      const t = c.expr(1)
      const col = c.colOf(1)
      if (m === 'beqz') branch(c, 'beq', rs, 0, t, col)
      else if (m === 'bnez') branch(c, 'bne', rs, 0, t, col)
      else if (m === 'bltz') branch(c, 'blt', rs, 0, t, col)
      else if (m === 'bgez') branch(c, 'bge', rs, 0, t, col)
      else if (m === 'blez') branch(c, 'bge', 0, rs, t, col)
      else branch(c, 'blt', 0, rs, t, col)
      return true
    }
    case 'bgt': case 'ble': case 'bgtu': case 'bleu': {
      c.count(3)
      const base = { bgt: 'blt', ble: 'bge', bgtu: 'bltu', bleu: 'bgeu' }[m]
      branch(c, base, c.reg(1), c.reg(0), c.expr(2), c.colOf(2))
      return true
    }
    case 'seqz': c.count(2); emit(c, r('sltiu'), { rd: c.reg(0), rs1: c.reg(1), imm: 1 }, m, 'imm', undefined, false); return true
    case 'snez': c.count(2); emit(c, r('sltu'), { rd: c.reg(0), rs1: 0, rs2: c.reg(1) }, m, 'reg', undefined, false); return true
    case 'sltz': c.count(2); emit(c, r('slt'), { rd: c.reg(0), rs1: c.reg(1), rs2: 0 }, m, 'reg', undefined, false); return true
    case 'sgtz': c.count(2); emit(c, r('slt'), { rd: c.reg(0), rs1: 0, rs2: c.reg(1) }, m, 'reg', undefined, false); return true
    case 'sgt': case 'sgtu':
      c.count(3)
      emit(c, r(m === 'sgt' ? 'slt' : 'sltu'), { rd: c.reg(0), rs1: c.reg(2), rs2: c.reg(1) }, m, 'reg', undefined, false)
      return true
    case 'csrr':
      c.count(2)
      emit(c, r('csrrs'), { rd: c.reg(0), csr: csrOperand(c, 1), rs1: 0 }, m, 'reg', undefined, false)
      return true
    case 'csrw': case 'csrs': case 'csrc': case 'csrwi': case 'csrsi': case 'csrci': {
      c.count(2)
      const base = { csrw: 'csrrw', csrs: 'csrrs', csrc: 'csrrc', csrwi: 'csrrwi', csrsi: 'csrrsi', csrci: 'csrrci' }[m]!
      const csr = csrOperand(c, 0)
      if (c.isReg(1) && !m.endsWith('i')) emit(c, r(base), { rd: 0, csr, rs1: c.reg(1) }, m, 'reg', undefined, false)
      else emit(c, r(base.endsWith('i') ? base : base + 'i'), { rd: 0, csr, imm: c.constant(1, 0, 31, 'CSR immediate') }, m, 'imm', undefined, false)
      return true
    }
    case 'csrrw': case 'csrrs': case 'csrrc':
      if (c.ops.length === 3 && !c.isReg(2)) {
        emit(c, r(m + 'i'), { rd: c.reg(0), csr: csrOperand(c, 1), imm: c.constant(2, 0, 31, 'CSR immediate') }, m, 'imm', undefined, false)
        return true
      }
      return false
    case 'rdcycle': case 'rdtime': case 'rdinstret':
      c.count(1)
      emit(c, r('csrrs'), { rd: c.reg(0), csr: csrNumber(m.slice(2))!, rs1: 0 }, m, 'reg', undefined, false)
      return true
    case 'frcsr': case 'frrm': case 'frflags':
      c.count(1)
      emit(c, r('csrrs'), { rd: c.reg(0), csr: { frcsr: 3, frrm: 2, frflags: 1 }[m], rs1: 0 }, m, 'reg', undefined, false)
      return true
    case 'fscsr': case 'fsrm': case 'fsflags': {
      const csr = { fscsr: 3, fsrm: 2, fsflags: 1 }[m]
      if (c.count(1, 2) === 1) emit(c, r('csrrw'), { rd: 0, csr, rs1: c.reg(0) }, m, 'reg', undefined, false)
      else emit(c, r('csrrw'), { rd: c.reg(0), csr, rs1: c.reg(1) }, m, 'reg', undefined, false)
      return true
    }
    case 'fsrmi': case 'fsflagsi': {
      const csr = m === 'fsrmi' ? 2 : 1
      if (c.count(1, 2) === 1) emit(c, r('csrrwi'), { rd: 0, csr, imm: c.constant(0, 0, 31) }, m, 'imm', undefined, false)
      else emit(c, r('csrrwi'), { rd: c.reg(0), csr, imm: c.constant(1, 0, 31) }, m, 'imm', undefined, false)
      return true
    }
    case 'sext.w':
      c.count(2)
      emit(c, r('addiw'), { rd: c.reg(0), rs1: c.reg(1), imm: 0 }, m, 'reg')
      return true
    case 'zext.b':
      c.count(2)
      emit(c, r('andi'), { rd: c.reg(0), rs1: c.reg(1), imm: 255 }, m, 'imm', undefined, false)
      return true
    case 'fmv.s': case 'fmv.d': case 'fabs.s': case 'fabs.d': case 'fneg.s': case 'fneg.d': {
      c.count(2)
      const p = m.slice(-1)
      const base = m.startsWith('fmv') ? 'fsgnj' : m.startsWith('fabs') ? 'fsgnjx' : 'fsgnjn'
      const rs = c.freg(1)
      emit(c, r(`${base}.${p}`), { rd: c.freg(0), rs1: rs, rs2: rs }, m, 'reg', undefined, false)
      return true
    }
    case 'unimp':
      c.count(0)
      if (asm.rvc) asm.emitInsn(0, 2)
      else asm.emitInsn(0xc0001073, 4)
      return true
    case 'scall': case 'sbreak':
      c.count(0)
      emit(c, r(m === 'scall' ? 'ecall' : 'ebreak'), {}, m === 'scall' ? 'ecall' : 'ebreak', 'reg')
      return true
    case 'ebreak':
      c.count(0)
      emit(c, r('ebreak'), {}, 'ebreak', 'reg')
      return true
    case 'sfence.vma': {
      const n = c.count(0, 1, 2)
      emit(c, r('sfence.vma'), { rs1: n > 0 ? c.reg(0) : 0, rs2: n > 1 ? c.reg(1) : 0 }, m, 'reg', undefined, false)
      return true
    }
    case 'fence':
      if (c.ops.length === 0) {
        emit(c, r('fence'), { pred: 15, succ: 15 }, m, 'reg', undefined, false)
        return true
      }
      return false
  }
  if (LOADS.has(m) && c.ops.length === 2 && c.ops[1].k === 'expr') {
    const float = m.startsWith('f')
    if (float) throw new AsmError(`\`${m}\` with a symbol needs a temporary register: \`${m} ${c.ops[0].text}, ${c.ops[1].text}, t0\``, c.colOf(1), 'asm.bad_operand')
    const rd = c.reg(0)
    pcrelPair(c, rd, symbolTarget(c, 1), c.colOf(1), (lo) => asm.emitInsn(encode32(r(m), { rd, rs1: rd, imm: 0 }), 4, [lo]))
    return true
  }
  if ((LOADS.has(m) && m.startsWith('f') && c.ops.length === 3 && c.ops[1].k === 'expr') || (STORES.has(m) && c.ops.length === 3 && c.ops[1].k === 'expr')) {
    const store = STORES.has(m)
    const val = m.startsWith('f') ? c.freg(0) : c.reg(0)
    const tmp = c.reg(2)
    pcrelPair(c, tmp, symbolTarget(c, 1), c.colOf(1), (lo) => {
      lo.kind = store ? 'pcrel_lo_s' : 'pcrel_lo_i'
      asm.emitInsn(encode32(r(m), store ? { rs2: val, rs1: tmp, imm: 0 } : { rd: val, rs1: tmp, imm: 0 }), 4, [lo])
    })
    return true
  }
  return false
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
