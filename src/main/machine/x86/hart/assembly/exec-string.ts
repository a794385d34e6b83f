/**
 * String instructions (movs, cmps, stos, lods, scas, ins, outs) with rep/repe/repne, and port
 * I/O (in, out). Each iteration of a repeated string instruction is one step: RIP stays on the
 * instruction until rCX reaches 0 (or the repe/repne condition ends it), so interrupts, MMIO and
 * port exits can fall between iterations exactly as on hardware (SDM vol. 2, "REP/REPE/REPZ/
 * REPNE/REPNZ"). Port accesses check IOPL and the TSS I/O permission bitmap (SDM vol. 1, 19.5)
 * and leave the loop with an Io exit (mem.ts `outside`).
 */
import * as G from './decode.generated'
import {
  S_FLAGS, S_CPL, S_CR0, S_IO_PORT, S_IO_SIZE, S_IO_WRITE, S_IO_VALUE, S_IO_STRING, S_IO_REP, SEG_ES, SEG_TR,
  SEG_ATTRS, SEG_LIMIT, SEG_BASE,
} from './layout'
import { R_OK, mst, setMst, faultErr, sizeMask, EXIT_IO } from './globals'
import { E_ASZ, E_FLAGS, E_F_REP, E_F_REPNE, E_IMM, C_IMM } from './decode'
import { rd, wr, probeWrite, outside, readLin } from './mem'
import { R, rdReg, wrReg, segOf } from './regs'
import { setLazy, FL_SUB } from './flags'
import { segAt, isLong64 } from './seg'
import { EFLAGS_DF, EFLAGS_IOPL, EFLAGS_IOPL_SHIFT, EFLAGS_ZF, CR0_PE, VEC_GP, SEG_ATTR_UNUSABLE } from './spec.generated'
import { arithFlags } from './flags'
import { NOT_MINE, R_STAY } from './exec'

@inline function osz(e: usize): u64 { return <u64>load<u8>(e, 27) }

export function execString(e: usize, op: u32, npc: u64): i32 {
  switch (op) {
    case G.X_MOVS: case G.X_CMPS: case G.X_STOS: case G.X_LODS: case G.X_SCAS: case G.X_INS: case G.X_OUTS:
      return stringOp(e, op)
    case G.X_IN: case G.X_OUT: return portOp(e, op)
    default: return NOT_MINE
  }
}

/** One iteration of a string instruction; R_STAY while a rep prefix has more to do. */
function stringOp(e: usize, op: u32): i32 {
  const s = osz(e)
  const asz = <u64>load<u8>(e, E_ASZ)
  const amask = sizeMask(asz)
  const flags = load<u8>(e, E_FLAGS)
  const rep = (flags & (E_F_REP | E_F_REPNE)) != 0
  let count = rdReg(8, asz)
  if (rep && count == 0) return R_OK
  const step: u64 = (load<u64>(S_FLAGS) & EFLAGS_DF) != 0 ? 0 - s : s
  const si = R(6 * 8) & amask
  const di = R(7 * 8) & amask
  const src = segOf(e)
  let advSi = false, advDi = false
  switch (op) {
    case G.X_MOVS: {
      const v = rd(src, si, s)
      if (mst != R_OK) return mst
      wr(SEG_ES, di, s, v)
      if (mst != R_OK) return mst
      advSi = true; advDi = true
      break
    }
    case G.X_STOS: {
      wr(SEG_ES, di, s, rdReg(0, s))
      if (mst != R_OK) return mst
      advDi = true
      break
    }
    case G.X_LODS: {
      const v = rd(src, si, s)
      if (mst != R_OK) return mst
      wrReg(0, s, v)
      advSi = true
      break
    }
    case G.X_CMPS: {
      const a = rd(src, si, s)
      if (mst != R_OK) return mst
      const b = rd(SEG_ES, di, s)
      if (mst != R_OK) return mst
      setLazy(FL_SUB, s, (a - b) & sizeMask(s), a, b)
      advSi = true; advDi = true
      break
    }
    case G.X_SCAS: {
      const b = rd(SEG_ES, di, s)
      if (mst != R_OK) return mst
      const a = rdReg(0, s)
      setLazy(FL_SUB, s, (a - b) & sizeMask(s), a, b)
      advDi = true
      break
    }
    case G.X_INS: {
      const port = rdReg(16, 2)
      if (!ioAllowed(port, s)) return mst
      probeWrite(SEG_ES, di, s)
      if (mst != R_OK) return mst
      const v = ioAccess(port, s, false, 0, true, rep)
      if (mst != R_OK) return mst
      wr(SEG_ES, di, s, v)
      if (mst != R_OK) return mst
      advDi = true
      break
    }
    default: { // outs
      const port = rdReg(16, 2)
      if (!ioAllowed(port, s)) return mst
      const v = rd(src, si, s)
      if (mst != R_OK) return mst
      ioAccess(port, s, true, v, true, rep)
      if (mst != R_OK) return mst
      advSi = true
    }
  }
  if (advSi) wrReg(6 * 8, asz, si + step)
  if (advDi) wrReg(7 * 8, asz, di + step)
  if (!rep) return R_OK
  count = (count - 1) & amask
  wrReg(8, asz, count)
  if (count == 0) return R_OK
  if (op == G.X_CMPS || op == G.X_SCAS) {
    const zf = (arithFlags() & EFLAGS_ZF) != 0
    if ((flags & E_F_REP) != 0 ? !zf : zf) return R_OK // repe stops on ZF = 0, repne on ZF = 1
  }
  return R_STAY
}

/** in/out with an imm8 or DX port. */
function portOp(e: usize, op: u32): i32 {
  const s = osz(e)
  const f = <u32>load<u8>(e, 28)
  // in acc, port: the port is operand 1; out port, acc: operand 0.
  const portCls = op == G.X_IN ? (f >> 2) & 3 : f & 3
  const port = portCls == C_IMM ? load<u64>(e, E_IMM) & 0xff : rdReg(16, 2)
  if (!ioAllowed(port, s)) return mst
  if (op == G.X_IN) {
    const v = ioAccess(port, s, false, 0, false, false)
    if (mst != R_OK) return mst
    wrReg(0, s, v)
  } else {
    ioAccess(port, s, true, rdReg(0, s), false, false)
    if (mst != R_OK) return mst
  }
  return R_OK
}

/** A port access through the platform (an Io exit unless answered). Sets mst. */
function ioAccess(port: u64, size: u64, write: bool, value: u64, str: bool, rep: bool): u64 {
  store<u64>(S_IO_PORT, port)
  store<u64>(S_IO_SIZE, size)
  store<u64>(S_IO_WRITE, write ? 1 : 0)
  store<u64>(S_IO_VALUE, value & sizeMask(size))
  store<u64>(S_IO_STRING, str ? 1 : 0)
  store<u64>(S_IO_REP, rep ? 1 : 0)
  return outside(EXIT_IO, port, size, write, value)
}

/**
 * I/O permission (SDM vol. 1, 19.5.2): in protected mode with CPL > IOPL, every bit for
 * port … port + size − 1 in the TSS's I/O permission bitmap must be 0, else #GP(0). Sets mst.
 */
function ioAllowed(port: u64, size: u64): bool {
  if ((load<u64>(S_CR0) & CR0_PE) == 0) return true
  const iopl = (load<u64>(S_FLAGS) & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT
  if (load<u64>(S_CPL) <= iopl) return true
  const tr = segAt(SEG_TR)
  const type = load<u64>(tr, SEG_ATTRS) & 0xf
  const limit = load<u64>(tr, SEG_LIMIT)
  if ((load<u64>(tr, SEG_ATTRS) & SEG_ATTR_UNUSABLE) != 0 || (type != 9 && type != 11) || limit < 0x67) { setMst(faultErr(VEC_GP, 0)); return false }
  const base = load<u64>(tr, SEG_BASE)
  const mapBase = readLin(isLong64() ? base + 0x66 : (base + 0x66) & 0xffffffff, 2, false)
  if (mst != R_OK) return false
  const byteOff = mapBase + (port >> 3)
  if (byteOff + 1 > limit) { setMst(faultErr(VEC_GP, 0)); return false }
  const bits = readLin(isLong64() ? base + byteOff : (base + byteOff) & 0xffffffff, 2, false)
  if (mst != R_OK) return false
  const mask: u64 = (((<u64>1) << size) - 1) << (port & 7)
  if ((bits & mask) != 0) { setMst(faultErr(VEC_GP, 0)); return false }
  return true
}

