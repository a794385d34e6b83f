/**
 * The general forms of the common integer instructions — memory and immediate operands, every
 * operand size — that the run loop does not run inline (its inline cases are the register and
 * immediate forms decode.ts picks, and the branches). One function with its own jump table keeps
 * the run loop small enough for the engine to compile well.
 */
import * as G from './decode.generated'
import { S_RIP, S_FL_C, SEG_SS, REGS } from './layout'
import { R_OK, mst, sizeMask, sext } from './globals'
import { E_IMM, E_CC, C_REG, C_MEM, C_IMM } from './decode'
import { rd, wr } from './mem'
import { R, rdReg, wrReg, eaOf, segOf, stackWidth, widthMask, setSp, push, peek, readOp, writeOp, RSP_OFF } from './regs'
import { setLazy, cond, carry, FL_ADD, FL_ADC, FL_SUB, FL_SBB, FL_LOGIC, FL_INC, FL_DEC, FL_SHL, FL_SAR, FL_MUL } from './flags'
import { mulhs } from './index'
import { codeMask } from './exec-int'
import { NOT_MINE, R_BRANCH } from './exec'


export function execCommon(e: usize, op: u32, npc: u64): i32 {
  const osz = <u64>load<u8>(e, 27)
  const form = <u32>load<u8>(e, 28)
  const r0 = <usize>load<u8>(e, 29)
  const r1 = <usize>load<u8>(e, 30)
  const c0 = form & 3
  const c1 = (form >> 2) & 3
  const gSw = stackWidth()
  const gSpMask = widthMask(gSw)
  switch (op) {
    case G.X_MOV: case G.X_MOVNTI: {
      let v: u64
      if (c1 == C_REG) v = rdReg(r1, osz)
      else if (c1 == C_IMM) v = load<u64>(e, E_IMM)
      else { v = rd(segOf(e), eaOf(e, npc), osz); if (mst != R_OK) return mst }
      if (c0 == C_REG) wrReg(r0, osz, v)
      else { wr(segOf(e), eaOf(e, npc), osz, v); if (mst != R_OK) return mst }
      return R_OK
    }
    case G.X_ADD: case G.X_OR: case G.X_ADC: case G.X_SBB: case G.X_AND: case G.X_SUB: case G.X_XOR: case G.X_CMP:
    case G.X_TEST: {
      const mask = sizeMask(osz)
      const ea: u64 = c0 == C_MEM || c1 == C_MEM ? eaOf(e, npc) : 0
      const b = readOp(e, c1, r1, osz, ea) & mask
      if (mst != R_OK && c1 == C_MEM) return mst
      const a = c0 == C_REG ? rdReg(r0, osz) : rd(segOf(e), ea, osz)
      if (c0 == C_MEM && mst != R_OK) return mst
      let res: u64
      switch (op) {
        case G.X_ADD: res = (a + b) & mask; setLazy(FL_ADD, osz, res, a, b); break
        case G.X_SUB: case G.X_CMP: res = (a - b) & mask; setLazy(FL_SUB, osz, res, a, b); break
        case G.X_AND: case G.X_TEST: res = a & b; setLazy(FL_LOGIC, osz, res, 0, 0); break
        case G.X_OR: res = a | b; setLazy(FL_LOGIC, osz, res, 0, 0); break
        case G.X_XOR: res = a ^ b; setLazy(FL_LOGIC, osz, res, 0, 0); break
        case G.X_ADC: { const c = carry(); res = (a + b + c) & mask; setLazy(FL_ADC, osz, res, a, b); store<u64>(S_FL_C, c); break }
        default: { const c = carry(); res = (a - b - c) & mask; setLazy(FL_SBB, osz, res, a, b); store<u64>(S_FL_C, c) }
      }
      if (op != G.X_CMP && op != G.X_TEST) {
        writeOp(e, c0, r0, osz, ea, res)
        if (c0 == C_MEM && mst != R_OK) return mst
      }
      return R_OK
    }
    case G.X_INC: case G.X_DEC: {
      const mask = sizeMask(osz)
      const ea: u64 = c0 == C_MEM ? eaOf(e, npc) : 0
      const a = readOp(e, c0, r0, osz, ea)
      if (c0 == C_MEM && mst != R_OK) return mst
      const res = (op == G.X_INC ? a + 1 : a - 1) & mask
      writeOp(e, c0, r0, osz, ea, res)
      if (c0 == C_MEM && mst != R_OK) return mst
      const c = carry()
      setLazy(op == G.X_INC ? FL_INC : FL_DEC, osz, res, a, 1)
      store<u64>(S_FL_C, c)
      return R_OK
    }
    case G.X_PUSH: {
      let v: u64
      if (c0 == C_REG) v = rdReg(r0, osz)
      else if (c0 == C_IMM) v = load<u64>(e, E_IMM)
      else { v = rd(segOf(e), eaOf(e, npc), osz); if (mst != R_OK) return mst }
      push(v, osz, gSw)
      if (mst != R_OK) return mst
      return R_OK
    }
    case G.X_POP: {
      const v = peek(osz, gSw, 0)
      if (mst != R_OK) return mst
      const sp = R(RSP_OFF)
      if (c0 == C_REG) {
        setSp((sp + osz) & gSpMask, gSw)
        wrReg(r0, osz, v)
      } else {
        // pop [mem] computes the address with RSP already incremented (SDM POP).
        setSp((sp + osz) & gSpMask, gSw)
        wr(segOf(e), eaOf(e, npc), osz, v)
        if (mst != R_OK) { setSp(sp, gSw); return mst }
      }
      return R_OK
    }
    case G.X_JMP_INDIRECT: {
      const t = c0 == C_REG ? rdReg(r0, osz) : rd(segOf(e), eaOf(e, npc), osz)
      if (c0 == C_MEM && mst != R_OK) return mst
      store<u64>(S_RIP, t & codeMask())
      return R_BRANCH
    }
    case G.X_CALL_INDIRECT: {
      const t = c0 == C_REG ? rdReg(r0, osz) : rd(segOf(e), eaOf(e, npc), osz)
      if (c0 == C_MEM && mst != R_OK) return mst
      push(npc, osz, gSw)
      if (mst != R_OK) return mst
      store<u64>(S_RIP, t & codeMask())
      return R_BRANCH
    }
    case G.X_MOVZX: case G.X_MOVSX: case G.X_MOVSXD: {
      const src: u64 = op == G.X_MOVSXD ? 4 : srcSize(e)
      const v = readOp(e, c1, r1, src, c1 == C_MEM ? eaOf(e, npc) : 0)
      if (c1 == C_MEM && mst != R_OK) return mst
      wrReg(r0, osz, op == G.X_MOVZX ? v : sext(v, src))
      return R_OK
    }
    case G.X_CMOVCC: {
      const v = readOp(e, c1, r1, osz, c1 == C_MEM ? eaOf(e, npc) : 0)
      if (c1 == C_MEM && mst != R_OK) return mst
      if (cond(<u32>load<u8>(e, E_CC))) wrReg(r0, osz, v)
      else if (osz == 4) wrReg(r0, 4, rdReg(r0, 4)) // a 32-bit cmov zero-extends even when false
      return R_OK
    }
    case G.X_SETCC: {
      const v: u64 = cond(<u32>load<u8>(e, E_CC)) ? 1 : 0
      writeOp(e, c0, r0, 1, c0 == C_MEM ? eaOf(e, npc) : 0, v)
      if (c0 == C_MEM && mst != R_OK) return mst
      return R_OK
    }
    case G.X_SHL: case G.X_SHR: case G.X_SAR: {
      const cmask: u64 = osz == 8 ? 63 : 31
      const count = (c1 == C_REG ? rdReg(8, 1) : load<u64>(e, E_IMM)) & cmask
      const ea: u64 = c0 == C_MEM ? eaOf(e, npc) : 0
      const a = readOp(e, c0, r0, osz, ea)
      if (c0 == C_MEM && mst != R_OK) return mst
      if (count == 0) { if (c0 == C_REG) wrReg(r0, osz, a); return R_OK } // no flags change; a 32-bit register is still zero-extended (as QEMU)
      const mask = sizeMask(osz)
      let res: u64, prev: u64
      if (op == G.X_SHL) { prev = (a << (count - 1)) & mask; res = (a << count) & mask }
      else if (op == G.X_SHR) { prev = a >> (count - 1); res = a >> count }
      else { const sa = sext(a, osz); prev = <u64>(<i64>sa >> <i64>(count - 1)) & mask; res = <u64>(<i64>sa >> <i64>count) & mask }
      writeOp(e, c0, r0, osz, ea, res)
      if (c0 == C_MEM && mst != R_OK) return mst
      setLazy(op == G.X_SHL ? FL_SHL : FL_SAR, osz, res, prev, 0)
      return R_OK
    }
    case G.X_IMUL: {
      // imul r, r/m (0F AF) or imul r, r/m, imm: the product truncated to osz, CF = OF = it did not fit.
      const ea: u64 = c1 == C_MEM ? eaOf(e, npc) : 0
      const b = readOp(e, c1, r1, osz, ea)
      if (c1 == C_MEM && mst != R_OK) return mst
      const a = ((form >> 4) & 3) == C_IMM ? load<u64>(e, E_IMM) : rdReg(r0, osz)
      const sa = <i64>sext(a, osz), sb = <i64>sext(b, osz)
      const p = sa * sb
      const res = <u64>p & sizeMask(osz)
      let big: bool
      if (osz == 8) {
        const hi = mulhs(sa, sb)
        big = hi != (p >> 63)
      } else big = <i64>sext(<u64>p, osz) != p
      wrReg(r0, osz, res)
      setLazy(FL_MUL, osz, res, 0, big ? 1 : 0)
      return R_OK
    }
    case G.X_XCHG: {
      if (c0 == C_REG && c1 == C_REG) {
        const a = rdReg(r0, osz), b = rdReg(r1, osz)
        wrReg(r0, osz, b)
        wrReg(r1, osz, a)
        return R_OK
      }
      return NOT_MINE // memory form: exec-int.ts
    }
    case G.X_NOT: case G.X_NEG: {
      const ea: u64 = c0 == C_MEM ? eaOf(e, npc) : 0
      const a = readOp(e, c0, r0, osz, ea)
      if (c0 == C_MEM && mst != R_OK) return mst
      const mask = sizeMask(osz)
      const res = op == G.X_NOT ? ~a & mask : (0 - a) & mask
      writeOp(e, c0, r0, osz, ea, res)
      if (c0 == C_MEM && mst != R_OK) return mst
      if (op == G.X_NEG) setLazy(FL_SUB, osz, res, 0, a & mask)
      return R_OK
    }
    case G.X_CBW: {
      // cbw/cwde/cdqe: sign-extend the low half of the accumulator.
      const half = osz >> 1
      wrReg(0, osz, sext(rdReg(0, half), half))
      return R_OK
    }
    case G.X_CWD: {
      // cwd/cdq/cqo: rDX = the sign of rAX.
      wrReg(16, osz, (rdReg(0, osz) >> ((osz << 3) - 1)) & 1 ? <u64>-1 : 0)
      return R_OK
    }
    case G.X_LEAVE: {
      // rSP = rBP, then pop rBP.
      const bp = R(5 * 8) & gSpMask
      const v = rd(SEG_SS, bp, osz)
      if (mst != R_OK) return mst
      setSp((bp + osz) & gSpMask, gSw)
      wrReg(5 * 8, osz, v)
      return R_OK
    }
    default: return NOT_MINE
  }
  return R_OK
}

/** Source size of movzx/movsx: 1 for the r/m8 forms, 2 for r/m16. */
function srcSize(e: usize): u64 {
  const shape = G.ROW_SHAPE[load<u16>(e, 56)]
  return ((shape >> 17) & 32) != 0 ? 1 : 2
}
