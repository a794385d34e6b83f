/**
 * Segment-register and flag instructions: push/pop of segment registers, mov to/from a segment
 * register (mov ss and pop ss inhibit interrupts for one instruction), lds/les/lfs/lgs/lss,
 * pushf/popf with the IOPL rules, cli/sti (sti's one-instruction interrupt shadow), int n / int3 /
 * into / int1, and the descriptor queries lar/lsl/verr/verw and arpl.
 */
import * as G from './decode.generated'
import { S_RIP, S_FLAGS, S_CPL, S_INSTRET, S_SHADOW_AT, S_HALT_ON_INT3, SEG_CS, SEG_SS } from './layout'
import {
  R_OK, R_EXIT, R_RESYNC, R_TRAP, mst, fault, faultErr, softInt, setExit, EXIT_BREAKPOINT, excKind, excVector, sizeMask,
} from './globals'
import { E_IMM, C_REG, C_MEM } from './decode'
import { rd, wr } from './mem'
import { R, rdReg, wrReg, eaOf, segOf, stackWidth, widthMask, setSp, push, peek, readOp, writeOp, RSP_OFF } from './regs'
import { getFlags, setFlags, setArith, arithFlags } from './flags'
import { loadDataSegment, segSel, protectedMode, cpl, readDescriptor, dLo, dHi, attrsOf, limitOf, dplOf, isLong64 } from './seg'
import { NOT_MINE } from './exec'
import {
  EFLAGS_IF, EFLAGS_IOPL, EFLAGS_IOPL_SHIFT, EFLAGS_VM, EFLAGS_RF, EFLAGS_OF, EFLAGS_ZF, EFLAGS_VIF, EFLAGS_VIP,
  SEG_ATTR_S, SEG_ATTR_CODE, SEG_ATTR_DC, SEG_ATTR_RW, SEG_ATTR_P, VEC_GP, VEC_UD, VEC_DB,
} from './spec.generated'
import { setExcKind } from './globals'

@inline function osz(e: usize): u64 { return <u64>load<u8>(e, 27) }
@inline function form(e: usize): u32 { return <u32>load<u8>(e, 28) }
@inline function r0(e: usize): usize { return <usize>load<u8>(e, 29) }
@inline function r1(e: usize): usize { return <usize>load<u8>(e, 30) }

/** Interrupts stay off until after the next instruction (sti, mov ss, pop ss). */
function shadow(): void { store<u64>(S_SHADOW_AT, load<u64>(S_INSTRET) + 1) }

export function execSeg(e: usize, op: u32, npc: u64): i32 {
  switch (op) {
    case G.X_PUSH_SREG: {
      // A 32/64-bit push of a segment register writes the zero-extended selector (as QEMU does).
      push(segSel(<u32>r0(e)), osz(e), stackWidth())
      return mst
    }
    case G.X_POP_SREG: {
      const w = stackWidth()
      const v = peek(osz(e), w, 0)
      if (mst != R_OK) return mst
      const r = loadDataSegment(<u32>r0(e), v)
      if (r != R_OK) return r
      setSp((R(RSP_OFF) + osz(e)) & widthMask(w), w)
      if (<u32>r0(e) == SEG_SS) { shadow(); return R_RESYNC }
      return R_OK
    }
    case G.X_MOV_TO_SREG: {
      const seg = <u32>r0(e)
      if (seg == SEG_CS || seg > 5) return fault(VEC_UD)
      const c1 = (form(e) >> 2) & 3
      const v = readOp(e, c1, r1(e), 2, c1 == C_MEM ? eaOf(e, npc) : 0)
      if (c1 == C_MEM && mst != R_OK) return mst
      const r = loadDataSegment(seg, v)
      if (r != R_OK) return r
      if (seg == SEG_SS) { shadow(); return R_RESYNC }
      return R_OK
    }
    case G.X_MOV_FROM_SREG: {
      const seg = <u32>r1(e)
      if (seg > 5) return fault(VEC_UD)
      const c0 = form(e) & 3
      if (c0 == C_MEM) { wr(segOf(e), eaOf(e, npc), 2, segSel(seg)); return mst }
      wrReg(r0(e), osz(e), segSel(seg))
      return R_OK
    }
    case G.X_LDS: case G.X_LES: case G.X_LFS: case G.X_LGS: case G.X_LSS: {
      const s = osz(e)
      const ea = eaOf(e, npc)
      const off = rd(segOf(e), ea, s)
      if (mst != R_OK) return mst
      const sel = rd(segOf(e), ea + s, 2)
      if (mst != R_OK) return mst
      const seg: u32 = op == G.X_LDS ? 3 : op == G.X_LES ? 0 : op == G.X_LFS ? 4 : op == G.X_LGS ? 5 : SEG_SS
      const r = loadDataSegment(seg, sel)
      if (r != R_OK) return r
      wrReg(r0(e), s, off)
      return seg == SEG_SS ? R_RESYNC : R_OK
    }
    case G.X_PUSHF: {
      // The image has VM and RF clear (SDM PUSHF).
      push(getFlags() & ~(EFLAGS_VM | EFLAGS_RF), osz(e), stackWidth())
      return mst
    }
    case G.X_POPF: {
      const w = stackWidth()
      const s = osz(e)
      const v = peek(s, w, 0)
      if (mst != R_OK) return mst
      popFlags(v, s)
      setSp((R(RSP_OFF) + s) & widthMask(w), w)
      return R_RESYNC
    }
    case G.X_CLI: case G.X_STI: {
      if (protectedMode() && cpl() > ((load<u64>(S_FLAGS) & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT)) return faultErr(VEC_GP, 0)
      const f = load<u64>(S_FLAGS)
      if (op == G.X_CLI) { store<u64>(S_FLAGS, f & ~EFLAGS_IF); return R_OK }
      if ((f & EFLAGS_IF) == 0) shadow()
      store<u64>(S_FLAGS, f | EFLAGS_IF)
      return R_RESYNC
    }
    case G.X_INT: return softInt(<u32>(load<u64>(e, E_IMM) & 0xff))
    case G.X_INT3:
      if (load<u64>(S_HALT_ON_INT3) != 0) { setExit(EXIT_BREAKPOINT); return R_EXIT }
      return softInt(3)
    case G.X_INTO: return (arithFlags() & EFLAGS_OF) != 0 ? softInt(4) : R_OK
    case G.X_INT1: {
      // icebp: a #DB trap that, unlike int n, ignores the gate's DPL.
      const r = softInt(<u32>VEC_DB)
      setExcKind(0)
      return r
    }
    case G.X_LAR: case G.X_LSL: case G.X_VERR: case G.X_VERW: return query(e, op, npc)
    case G.X_ARPL: {
      const c0 = form(e) & 3
      const ea: u64 = c0 == C_MEM ? eaOf(e, npc) : 0
      const d = readOp(e, c0, r0(e), 2, ea)
      if (c0 == C_MEM && mst != R_OK) return mst
      const src = rdReg(r1(e), 2)
      if ((d & 3) < (src & 3)) {
        writeOp(e, c0, r0(e), 2, ea, (d & ~3) | (src & 3))
        if (c0 == C_MEM && mst != R_OK) return mst
        setArith(EFLAGS_ZF, EFLAGS_ZF)
      } else setArith(EFLAGS_ZF, 0)
      return R_OK
    }
    default: return NOT_MINE
  }
}

/**
 * popf (SDM POPF): VM, VIF, VIP and RF never change here; IOPL only at CPL 0 (or in real mode);
 * IF only when CPL ≤ IOPL; a 16-bit popf changes only the low 16 bits.
 */
function popFlags(v: u64, s: u64): void {
  const old = getFlags()
  let writable: u64 = 0x3f7fd5 & ~(EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP | EFLAGS_RF)
  if (protectedMode()) {
    const iopl = (old & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT
    if (cpl() != 0) writable &= ~EFLAGS_IOPL
    if (cpl() > iopl) writable &= ~EFLAGS_IF
  }
  if (s == 2) writable &= 0xffff
  setFlags((old & ~writable) | (v & writable))
}

/** lar/lsl/verr/verw: ZF = 1 when the selector names a descriptor visible at this CPL/RPL (and readable/writable). */
function query(e: usize, op: u32, npc: u64): i32 {
  if (!protectedMode()) return fault(VEC_UD)
  const c1 = op == G.X_VERR || op == G.X_VERW ? form(e) & 3 : (form(e) >> 2) & 3
  const rr = op == G.X_VERR || op == G.X_VERW ? r0(e) : r1(e)
  const sel = readOp(e, c1, rr, 2, c1 == C_MEM ? eaOf(e, npc) : 0)
  if (c1 == C_MEM && mst != R_OK) return mst
  let ok = false
  let a: u64 = 0
  if ((sel & 0xfffc) != 0) {
    readDescriptor(sel, false)
    if (mst != R_OK && excVector != VEC_GP) return mst // a page fault reading the table is raised; a limit violation is just ZF = 0
    if (mst == R_OK) {
      a = attrsOf(dHi)
      const code = (a & SEG_ATTR_CODE) != 0
      const conforming = code && (a & SEG_ATTR_DC) != 0
      const visible = conforming || (dplOf(a) >= cpl() && dplOf(a) >= (sel & 3))
      if ((a & SEG_ATTR_S) != 0) {
        if (op == G.X_VERR) ok = visible && (!code || (a & SEG_ATTR_RW) != 0)
        else if (op == G.X_VERW) ok = visible && !code && (a & SEG_ATTR_RW) != 0
        else ok = visible
      } else {
        // System descriptors: LDT and TSS for both; call and task gates for lar only.
        const t = a & 15
        ok = visible && (t == 1 || t == 2 || t == 3 || t == 9 || t == 11 || (op == G.X_LAR && (t == 4 || t == 5 || t == 12)))
      }
    }
  }
  if (ok && op == G.X_LAR) wrReg(r0(e), osz(e), dHi & 0x00f0ff00)
  if (ok && op == G.X_LSL) wrReg(r0(e), osz(e), limitOf(dLo, dHi))
  setArith(EFLAGS_ZF, ok ? EFLAGS_ZF : 0)
  return R_OK
}

