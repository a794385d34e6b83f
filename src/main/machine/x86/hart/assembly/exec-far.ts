/**
 * Far transfers that load CS: jmp/call far (pointer or memory), retf, iret/iretd/iretq, and the
 * fast system calls syscall/sysret and sysenter/sysexit — with the privilege rules of the SDM
 * vol. 2 pseudo-code (conforming and non-conforming code, return to an outer privilege level with
 * a stack switch, data segments nulled when the new CPL may not use them, 64-bit iret always
 * popping SS:RSP). Transfers through call gates, task gates and TSSs (task switches) and returns
 * to virtual-8086 mode are not implemented: they stop with an Unimplemented exit naming the
 * instruction rather than doing something wrong.
 */
import * as G from './decode.generated'
import {
  S_RIP, S_CPL, S_FLAGS, S_EFER, S_CR0, S_STAR, S_LSTAR, S_CSTAR, S_FMASK, S_SYSENTER_CS, S_SYSENTER_ESP, S_SYSENTER_EIP,
  S_NMI_BLOCKED, SEG_CS, SEG_SS,
} from './layout'
import { R_OK, R_JUMP, mst, fault, faultErr, sizeMask } from './globals'
import { E_IMM, E_IMM2, E_FLAGS, E_F_REXW, C_MEM } from './decode'
import { rd, wr, segWriteWatched } from './mem'
import { R, setR, rdReg, wrReg, eaOf, segOf, stackWidth, widthMask, setSp, RSP_OFF } from './regs'
import { getFlags, setFlags } from './flags'
import {
  segSel, segAttrs, cpl, isLong64, protectedMode, recomputeMode, readDescriptor, dLo, dHi, attrsOf, baseOf, limitOf,
  setSegCache, dplOf, markAccessed, nullInaccessibleSegments, mode, segAt,
} from './seg'
import { canonical } from './mmu'
import { unimplemented, NOT_MINE } from './exec'
import {
  SEG_ATTR_CODE, SEG_ATTR_DC, SEG_ATTR_S, SEG_ATTR_P, SEG_ATTR_L, SEG_ATTR_DB, SEG_ATTR_RW, SEG_ATTR_G,
  SEG_ATTR_ACCESSED, SEG_ATTR_UNUSABLE, SEG_ATTR_DPL_SHIFT, EFLAGS_IF, EFLAGS_IOPL, EFLAGS_IOPL_SHIFT, EFLAGS_VM,
  EFLAGS_RF, EFLAGS_NT, EFLAGS_TF, EFLAGS_AC, EFLAGS_ID, EFLAGS_VIF, EFLAGS_VIP, EFER_LMA, EFER_SCE, CR0_PE,
  VEC_GP, VEC_NP, VEC_SS, VEC_UD, MODE_LONG64,
} from './spec.generated'
import { TRACING, record, T_FAR, T_IRET } from './trace'

@inline function gp(sel: u64): i32 { return faultErr(VEC_GP, <u32>(sel & 0xfffc)) }
@inline function osz(e: usize): u64 { return <u64>load<u8>(e, 27) }

export function execFar(e: usize, op: u32, npc: u64): i32 {
  switch (op) {
    case G.X_JMP_FAR: case G.X_CALL_FAR:
      return farTransfer(e, load<u64>(e, E_IMM2) & 0xffff, load<u64>(e, E_IMM), op == G.X_CALL_FAR, npc)
    case G.X_JMP_FAR_MEM: case G.X_CALL_FAR_MEM: {
      // m16:16 / m16:32 / m16:64: the offset, then the selector.
      const s = osz(e)
      const ea = eaOf(e, npc)
      const off = rd(segOf(e), ea, s)
      if (mst != R_OK) return mst
      const sel = rd(segOf(e), (ea + s) & sizeMask(<u64>load<u8>(e, 39)), 2)
      if (mst != R_OK) return mst
      return farTransfer(e, sel, off, op == G.X_CALL_FAR_MEM, npc)
    }
    case G.X_RETF: return farReturn(e, load<u64>(e, E_IMM) & 0xffff, false)
    case G.X_IRET: return farReturn(e, 0, true)
    case G.X_SYSCALL: return syscall(npc)
    case G.X_SYSRET: return sysret((load<u8>(e, E_FLAGS) & E_F_REXW) != 0)
    case G.X_SYSENTER: return sysenter()
    case G.X_SYSEXIT: return sysexit((load<u8>(e, E_FLAGS) & E_F_REXW) != 0)
    default: return NOT_MINE
  }
}

/** Records a CS change for the recorder (FAR), with the new mode. */
function traceFar(oldCs: u64, cause: u64, from: u64, to: u64): void {
  if (TRACING) record(T_FAR, <u32>(oldCs | (segSel(SEG_CS) << 16)), from, to, cause, mode())
}

/** RIP width after a transfer (the new code segment's). */
function ipMaskNow(): u64 {
  const m = mode()
  return m == MODE_LONG64 ? <u64>-1 : (m == 2 || m == 4) ? 0xffffffff : 0xffff
}

/** jmp far / call far to sel:off (SDM JMP/CALL "far"): real mode, or a code segment at the current privilege. */
function farTransfer(e: usize, sel: u64, off: u64, call: bool, npc: u64): i32 {
  const s = osz(e)
  const oldCs = segSel(SEG_CS)
  const from = load<u64>(S_RIP)
  const w = stackWidth()
  if (!protectedMode()) {
    if (call) {
      const sp = R(RSP_OFF)
      const a = (sp - s) & widthMask(w), b = (sp - 2 * s) & widthMask(w)
      if (segWriteWatched(SEG_SS, b, 2 * s)) return mst // a debugger's watch: before either push
      wr(SEG_SS, a, s, oldCs); if (mst != R_OK) return mst
      wr(SEG_SS, b, s, npc); if (mst != R_OK) return mst
      setSp(b, w)
    }
    setSegCache(SEG_CS, sel, sel << 4, load<u64>(segAt(SEG_CS), 16), segAttrs(SEG_CS))
    recomputeMode()
    store<u64>(S_RIP, off & (s == 2 ? 0xffff : 0xffffffff))
    traceFar(oldCs, call ? 2 : 1, from, load<u64>(S_RIP))
    return R_JUMP
  }
  if ((sel & 0xfffc) == 0) return faultErr(VEC_GP, 0)
  readDescriptor(sel, false)
  if (mst != R_OK) return mst
  const a = attrsOf(dHi)
  if ((a & SEG_ATTR_S) == 0) return unimplemented(e) // call gate, task gate or TSS: not implemented
  if ((a & SEG_ATTR_CODE) == 0) return gp(sel)
  const c = cpl()
  const dpl = dplOf(a)
  if ((a & SEG_ATTR_DC) != 0 ? dpl > c : ((sel & 3) > c || dpl != c)) return gp(sel)
  if ((a & SEG_ATTR_P) == 0) return faultErr(VEC_NP, <u32>(sel & 0xfffc))
  const long = (load<u64>(S_EFER) & EFER_LMA) != 0
  const target64 = long && (a & SEG_ATTR_L) != 0
  let target = off
  if (!target64) target &= (a & SEG_ATTR_DB) != 0 ? (s == 2 ? 0xffff : 0xffffffff) : 0xffff
  if (target64 ? !canonical(target) : target > limitOf(dLo, dHi)) return faultErr(VEC_GP, 0)
  const lo = dLo, hi = dHi
  if (call) {
    const sp = R(RSP_OFF)
    const wm = widthMask(w)
    if (segWriteWatched(SEG_SS, (sp - 2 * s) & wm, 2 * s)) return mst // a debugger's watch: before either push
    wr(SEG_SS, (sp - s) & wm, s, oldCs); if (mst != R_OK) return mst
    wr(SEG_SS, (sp - 2 * s) & wm, s, npc); if (mst != R_OK) return mst
    setSp((sp - 2 * s) & wm, w)
  }
  markAccessed()
  setSegCache(SEG_CS, (sel & 0xfffc) | c, baseOf(lo, hi), limitOf(lo, hi), attrsOf(hi) | SEG_ATTR_ACCESSED)
  recomputeMode()
  store<u64>(S_RIP, target)
  traceFar(oldCs, call ? 2 : 1, from, target)
  return R_JUMP
}

/**
 * retf [imm16] and iret (SDM RET "far", IRET): pop RIP, CS (and for iret the flags); a return to
 * an outer privilege level (or any 64-bit iret) also pops RSP and SS. Registers change only after
 * every check has passed.
 */
function farReturn(e: usize, extra: u64, iret: bool): i32 {
  const s = osz(e)
  const w = stackWidth()
  const wm = widthMask(w)
  const sp = R(RSP_OFF)
  const from = load<u64>(S_RIP)
  const oldCs = segSel(SEG_CS)
  const c = cpl()
  const newIp = rd(SEG_SS, sp & wm, s); if (mst != R_OK) return mst
  const sel = rd(SEG_SS, (sp + s) & wm, s) & 0xffff; if (mst != R_OK) return mst
  let flags: u64 = 0
  if (iret) { flags = rd(SEG_SS, (sp + 2 * s) & wm, s); if (mst != R_OK) return mst }
  let next = sp + (iret ? 3 : 2) * s
  if (!protectedMode()) {
    setSegCache(SEG_CS, sel, sel << 4, load<u64>(segAt(SEG_CS), 16), segAttrs(SEG_CS))
    setSp(next + extra, w)
    if (iret) restoreFlags(flags, s, 0, 0)
    recomputeMode()
    store<u64>(S_RIP, newIp & (s == 2 ? 0xffff : 0xffffffff))
    finishReturn(iret, c, from, oldCs, s)
    return R_JUMP
  }
  const long = (load<u64>(S_EFER) & EFER_LMA) != 0
  if (iret && (load<u64>(S_FLAGS) & EFLAGS_NT) != 0) {
    if (long) return faultErr(VEC_GP, 0)
    return unimplemented(e) // return from a nested task: task switches are not implemented
  }
  if (iret && !long && c == 0 && (flags & EFLAGS_VM) != 0 && s == 4) return unimplemented(e) // to virtual-8086 mode
  const rpl = sel & 3
  if ((sel & 0xfffc) == 0) return faultErr(VEC_GP, 0)
  if (rpl < c) return gp(sel)
  readDescriptor(sel, false)
  if (mst != R_OK) return mst
  const a = attrsOf(dHi)
  const lo = dLo, hi = dHi
  if ((a & SEG_ATTR_S) == 0 || (a & SEG_ATTR_CODE) == 0) return gp(sel)
  const dpl = dplOf(a)
  if ((a & SEG_ATTR_DC) != 0 ? dpl > rpl : dpl != rpl) return gp(sel)
  if ((a & SEG_ATTR_P) == 0) return faultErr(VEC_NP, <u32>(sel & 0xfffc))
  const target64 = long && (a & SEG_ATTR_L) != 0
  let target = newIp
  if (!target64) target &= (a & SEG_ATTR_DB) != 0 ? 0xffffffff : 0xffff
  if (target64 ? !canonical(target) : target > limitOf(lo, hi)) return faultErr(VEC_GP, 0)
  const outer = rpl > c || (iret && isLong64())
  let newSp: u64 = next + extra
  let ssSel: u64 = 0, ssBase: u64 = 0, ssLimit: u64 = 0, ssAttrs: u64 = 0
  if (outer) {
    newSp = rd(SEG_SS, (next + extra) & wm, s); if (mst != R_OK) return mst
    ssSel = rd(SEG_SS, (next + extra + s) & wm, s) & 0xffff; if (mst != R_OK) return mst
    if ((ssSel & 0xfffc) == 0) {
      // A null SS is allowed only when returning to 64-bit code at CPL < 3 (SDM IRET, RET).
      if (!(target64 && rpl < 3)) return faultErr(VEC_GP, 0)
      ssAttrs = SEG_ATTR_UNUSABLE | (rpl << SEG_ATTR_DPL_SHIFT)
    } else {
      if ((ssSel & 3) != rpl) return gp(ssSel)
      readDescriptor(ssSel, false)
      if (mst != R_OK) return mst
      ssAttrs = attrsOf(dHi)
      if ((ssAttrs & SEG_ATTR_S) == 0 || (ssAttrs & SEG_ATTR_CODE) != 0 || (ssAttrs & SEG_ATTR_RW) == 0 || dplOf(ssAttrs) != rpl) return gp(ssSel)
      if ((ssAttrs & SEG_ATTR_P) == 0) return faultErr(VEC_SS, <u32>(ssSel & 0xfffc))
      markAccessed()
      ssBase = baseOf(dLo, dHi)
      ssLimit = limitOf(dLo, dHi)
      ssAttrs |= SEG_ATTR_ACCESSED
    }
  }
  // Commit.
  if (iret) restoreFlags(flags, s, c, rpl)
  setSegCache(SEG_CS, sel, baseOf(lo, hi), limitOf(lo, hi), a)
  store<u64>(S_CPL, rpl)
  if (outer) {
    setSegCache(SEG_SS, ssSel, ssBase, ssLimit, ssAttrs)
    recomputeMode()
    const nw = stackWidth()
    setSp(newSp + (iret ? 0 : extra), nw)
    if (rpl > c) nullInaccessibleSegments()
  } else {
    setSp(newSp, w)
    recomputeMode()
  }
  store<u64>(S_RIP, target)
  finishReturn(iret, c, from, oldCs, s)
  return R_JUMP
}

function finishReturn(iret: bool, fromCpl: u64, from: u64, oldCs: u64, s: u64): void {
  if (iret) {
    store<u64>(S_NMI_BLOCKED, 0)
    if (TRACING) record(T_IRET, <u32>(fromCpl | (cpl() << 8) | ((s << 3) << 16)), from, load<u64>(S_RIP), segSel(SEG_CS), 0)
  } else if (segSel(SEG_CS) != oldCs) traceFar(oldCs, 3, from, load<u64>(S_RIP))
}

/**
 * The flags iret restores (SDM IRET): at CPL 0 every flag but VM/VIF/VIP as popped; IOPL only
 * at CPL 0; IF only when CPL ≤ IOPL; a 16-bit iret changes only the low 16 bits. `c` is the CPL
 * before the return.
 */
function restoreFlags(v: u64, s: u64, c: u64, _rpl: u64): void {
  const old = getFlags()
  let writable: u64 = 0x3f7fd5 & ~(EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP) // CF PF AF ZF SF TF IF DF OF IOPL NT RF AC ID
  const iopl = (old & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT
  if (protectedMode()) {
    if (c != 0) writable &= ~EFLAGS_IOPL
    if (c > iopl) writable &= ~EFLAGS_IF
  }
  if (s == 2) writable &= 0xffff
  setFlags((old & ~writable) | (v & writable))
}

// ---- fast system calls ------------------------------------------------------------------------------

const FLAT_LIMIT: u64 = 0xffffffff
/** A flat code segment's access rights: type 0xB (execute/read, accessed), S, P, G, DPL, and L or D. */
function codeAttrs(dpl: u64, long: bool): u64 {
  return 0xb | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_G | (dpl << SEG_ATTR_DPL_SHIFT) | (long ? SEG_ATTR_L : SEG_ATTR_DB)
}
/** A flat data segment's: type 3 (read/write, accessed), S, P, G, D/B. */
function dataAttrs(dpl: u64): u64 {
  return 0x3 | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_G | SEG_ATTR_DB | (dpl << SEG_ATTR_DPL_SHIFT)
}

/** syscall (SDM SYSCALL): 64-bit and compatibility mode with EFER.SCE; flat CS/SS from STAR[47:32]. */
function syscall(npc: u64): i32 {
  const efer = load<u64>(S_EFER)
  if ((efer & EFER_LMA) == 0 || (efer & EFER_SCE) == 0) return fault(VEC_UD)
  const from = load<u64>(S_RIP)
  const oldCs = segSel(SEG_CS)
  const was64 = isLong64()
  wrReg(8, 8, npc)
  wrReg(11 * 8, 8, getFlags() & ~EFLAGS_RF)
  const sel = (load<u64>(S_STAR) >> 32) & 0xfffc
  setSegCache(SEG_CS, sel, 0, FLAT_LIMIT, codeAttrs(0, true))
  setSegCache(SEG_SS, sel + 8, 0, FLAT_LIMIT, dataAttrs(0))
  store<u64>(S_CPL, 0)
  setFlags(getFlags() & ~(load<u64>(S_FMASK) | EFLAGS_RF))
  recomputeMode()
  store<u64>(S_RIP, was64 ? load<u64>(S_LSTAR) : load<u64>(S_CSTAR))
  traceFar(oldCs, 4, from, load<u64>(S_RIP))
  return R_JUMP
}

/** sysret (SDM SYSRET): CPL 0 in 64-bit mode; to 64-bit code with REX.W, else to compatibility mode. */
function sysret(to64: bool): i32 {
  const efer = load<u64>(S_EFER)
  if ((efer & EFER_SCE) == 0 || (efer & EFER_LMA) == 0 || !isLong64()) return fault(VEC_UD)
  if (cpl() != 0) return faultErr(VEC_GP, 0)
  const rip = R(8)
  if (to64 && !canonical(rip)) return faultErr(VEC_GP, 0)
  const from = load<u64>(S_RIP)
  const oldCs = segSel(SEG_CS)
  const base = (load<u64>(S_STAR) >> 48) & 0xffff
  setFlags((R(11 * 8) & 0x3c7fd7) | 2)
  if (to64) setSegCache(SEG_CS, (base + 16) | 3, 0, FLAT_LIMIT, codeAttrs(3, true))
  else setSegCache(SEG_CS, base | 3, 0, FLAT_LIMIT, codeAttrs(3, false))
  setSegCache(SEG_SS, (base + 8) | 3, 0, FLAT_LIMIT, dataAttrs(3))
  store<u64>(S_CPL, 3)
  recomputeMode()
  store<u64>(S_RIP, to64 ? rip : rip & 0xffffffff)
  traceFar(oldCs, 5, from, load<u64>(S_RIP))
  return R_JUMP
}

/** sysenter (SDM SYSENTER): protected mode, IA32_SYSENTER_CS ≠ 0; CS = that selector, SS = CS + 8, CPL 0. */
function sysenter(): i32 {
  if ((load<u64>(S_CR0) & CR0_PE) == 0) return faultErr(VEC_GP, 0)
  const cs = load<u64>(S_SYSENTER_CS) & 0xfffc
  if (cs == 0) return faultErr(VEC_GP, 0)
  const long = (load<u64>(S_EFER) & EFER_LMA) != 0
  const from = load<u64>(S_RIP)
  const oldCs = segSel(SEG_CS)
  setFlags(getFlags() & ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF))
  setSegCache(SEG_CS, cs, 0, FLAT_LIMIT, codeAttrs(0, long))
  setSegCache(SEG_SS, cs + 8, 0, FLAT_LIMIT, dataAttrs(0))
  store<u64>(S_CPL, 0)
  recomputeMode()
  setR(RSP_OFF, long ? load<u64>(S_SYSENTER_ESP) : load<u64>(S_SYSENTER_ESP) & 0xffffffff)
  store<u64>(S_RIP, long ? load<u64>(S_SYSENTER_EIP) : load<u64>(S_SYSENTER_EIP) & 0xffffffff)
  traceFar(oldCs, 6, from, load<u64>(S_RIP))
  return R_JUMP
}

/** sysexit (SDM SYSEXIT): CPL 0; to 64-bit code (REX.W: CS = SYSENTER_CS + 32) or 32-bit (+16); RIP = rDX, RSP = rCX. */
function sysexit(to64: bool): i32 {
  if ((load<u64>(S_CR0) & CR0_PE) == 0) return faultErr(VEC_GP, 0)
  const cs = load<u64>(S_SYSENTER_CS) & 0xfffc
  if (cs == 0 || cpl() != 0) return faultErr(VEC_GP, 0)
  const from = load<u64>(S_RIP)
  const oldCs = segSel(SEG_CS)
  if (to64) {
    setSegCache(SEG_CS, (cs + 32) | 3, 0, FLAT_LIMIT, codeAttrs(3, true))
    setSegCache(SEG_SS, (cs + 40) | 3, 0, FLAT_LIMIT, dataAttrs(3))
  } else {
    setSegCache(SEG_CS, (cs + 16) | 3, 0, FLAT_LIMIT, codeAttrs(3, false))
    setSegCache(SEG_SS, (cs + 24) | 3, 0, FLAT_LIMIT, dataAttrs(3))
  }
  store<u64>(S_CPL, 3)
  recomputeMode()
  setR(RSP_OFF, to64 ? R(8) : R(8) & 0xffffffff)
  store<u64>(S_RIP, to64 ? R(16) : R(16) & 0xffffffff)
  traceFar(oldCs, 7, from, load<u64>(S_RIP))
  return R_JUMP
}

