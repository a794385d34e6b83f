/**
 * GNU's pseudo-instructions and aliases (riscv-opc.c rows marked INSN_MACRO or INSN_ALIAS):
 * `nop li la lla call tail jump mv not neg negw j jr ret beqz…bgtz bgt ble bgtu bleu seqz snez
 * sltz sgtz sgt sgtu csrr csrw csrs csrc csrwi csrsi csrci rdcycle rdtime rdinstret sext.w
 * zext.b fmv.s/d fabs.s/d fneg.s/d frcsr fscsr frrm fsrm fsrmi frflags fsflags fsflagsi unimp`,
 * plus loads/stores of a symbol (`lw a0, sym`, `sw a0, sym, t0`) through auipc + %pcrel_lo.
 */
import { csrNumber, rowByName, type IsaRow } from '../../../shared/isa'
import { AsmError } from './assembler'
import { compress } from './compress'
import { encode16, encode32, type Fields } from './encode'
import type { Expr } from './expr'
import { Ctx, RA, T1, ZERO, branch, csrOperand, emit, fixupFor, immediate } from './instructions'
import { liSequence } from './li'
import type { Fixup } from './state'

/** `auipc` + a second instruction with %pcrel_lo against a `.L0 ` label at the auipc (GNU's la/lla/lw sym). */
function pcrelPair(c: Ctx, tmp: number, target: Expr, col: number, second: (lo: Fixup) => void): void {
  const anchor = c.asm.hereLabel('.L0 ')
  c.asm.emitInsn(encode32(rowByName('auipc')!, { rd: tmp, imm: 0 }), 4, [fixupFor(c, 'pcrel_hi', target, col)])
  const idx = anchor.hiddenIndex!
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
function r(name: string): IsaRow {
  return rowByName(name)!
}

export function pseudo(c: Ctx): boolean {
  const m = c.mnemonic
  const asm = c.asm
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
