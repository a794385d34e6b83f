/**
 * Segment registers: descriptor reads from the GDT/LDT, the checks of loading a data or stack
 * segment register (SDM vol. 3, 5.10 "Pointer Validation" and the MOV/POP pseudo-code of vol. 2),
 * the hidden descriptor caches, and the operating mode that follows from CR0.PE, EFER.LMA and
 * CS.L/D (real, protected 16/32, compatibility 16/32, 64-bit). After any change the fast-path
 * bounds of every segment are recomputed (SEG_RD_LIM1 / SEG_WR_LIM1 / SEG_EBASE, see mem.ts).
 */
import {
  SEGS, SEG_BYTES, SEG_SEL, SEG_BASE, SEG_LIMIT, SEG_ATTRS, SEG_RD_LIM1, SEG_WR_LIM1, SEG_EBASE, SEG_CS, SEG_SS,
  SEG_FS, SEG_GS, SEG_LDTR, S_CR0, S_EFER, S_CPL, S_MODE, S_GDTR_BASE, S_GDTR_LIMIT, S_RIP,
} from './layout'
import { R_OK, R_FAULT, faultErr, mst, setMst } from './globals'
import {
  CR0_PE, EFER_LMA, SEG_ATTR_UNUSABLE, SEG_ATTR_CODE, SEG_ATTR_RW, SEG_ATTR_DC, SEG_ATTR_S, SEG_ATTR_P,
  SEG_ATTR_L, SEG_ATTR_DB, SEG_ATTR_ACCESSED, SEG_ATTR_DPL_SHIFT, MODE_REAL16, MODE_PROTECTED16,
  MODE_PROTECTED32, MODE_COMPAT16, MODE_COMPAT32, MODE_LONG64, VEC_GP, VEC_SS, VEC_NP,
} from './spec.generated'
import { readLin, writeLin, setAccessContext } from './mem'
import { TRACING, record, T_MODE } from './trace'

@inline export function segAt(i: u32): usize { return SEGS + <usize>i * SEG_BYTES }
@inline export function segSel(i: u32): u64 { return load<u64>(segAt(i), SEG_SEL) }
@inline export function segBase(i: u32): u64 { return load<u64>(segAt(i), SEG_BASE) }
@inline export function segAttrs(i: u32): u64 { return load<u64>(segAt(i), SEG_ATTRS) }
@inline export function dplOf(attrs: u64): u64 { return (attrs >> SEG_ATTR_DPL_SHIFT) & 3 }

@inline export function mode(): u64 { return load<u64>(S_MODE) }
@inline export function isLong64(): bool { return load<u64>(S_MODE) == MODE_LONG64 }
@inline export function protectedMode(): bool { return (load<u64>(S_CR0) & CR0_PE) != 0 }
@inline export function cpl(): u64 { return load<u64>(S_CPL) }

/** Code size in bytes (2, 4 or 8) of a mode code. */
export function codeBytes(m: u64): u64 {
  return m == MODE_LONG64 ? 8 : (m == MODE_PROTECTED32 || m == MODE_COMPAT32) ? 4 : 2
}
/** Stack width in bytes: 8 in 64-bit mode, else SS.B. */
export function stackBytes(): u64 {
  if (isLong64()) return 8
  return (segAttrs(SEG_SS) & SEG_ATTR_DB) != 0 ? 4 : 2
}

/** Loads a cache directly (descriptor already checked) and recomputes its fast-path bounds. */
export function setSegCache(i: u32, sel: u64, base: u64, limit: u64, attrs: u64): void {
  const s = segAt(i)
  store<u64>(s, sel & 0xffff, SEG_SEL)
  store<u64>(s, base, SEG_BASE)
  store<u64>(s, limit, SEG_LIMIT)
  store<u64>(s, attrs, SEG_ATTRS)
  syncSegment(i)
}

/** Recomputes SEG_EBASE and the fast-path bounds of segment i for the current mode. */
export function syncSegment(i: u32): void {
  const s = segAt(i)
  const attrs = load<u64>(s, SEG_ATTRS)
  const lim1 = load<u64>(s, SEG_LIMIT) + 1
  let rdl: u64 = 0
  let wrl: u64 = 0
  let ebase = load<u64>(s, SEG_BASE)
  if (isLong64()) {
    rdl = <u64>-1
    wrl = <u64>-1
    if (i != SEG_FS && i != SEG_GS) ebase = 0
  } else if ((attrs & SEG_ATTR_UNUSABLE) == 0) {
    if ((attrs & SEG_ATTR_CODE) != 0) {
      if ((attrs & SEG_ATTR_RW) != 0) rdl = lim1
    } else if ((attrs & SEG_ATTR_DC) == 0) {
      rdl = lim1
      if ((attrs & SEG_ATTR_RW) != 0) wrl = lim1
    }
    ebase &= 0xffffffff
  }
  store<u64>(s, rdl, SEG_RD_LIM1)
  store<u64>(s, wrl, SEG_WR_LIM1)
  store<u64>(s, ebase, SEG_EBASE)
}

/**
 * Recomputes the mode from CR0.PE, EFER.LMA and CS (SDM vol. 3, 2.2 "Modes of Operation"), the
 * fast-path bounds of every segment, and the data-access context. Returns true when the mode changed.
 */
export function recomputeMode(): bool {
  const old = load<u64>(S_MODE)
  const cs = segAttrs(SEG_CS)
  let m: u64
  if ((load<u64>(S_CR0) & CR0_PE) == 0) m = MODE_REAL16
  else if ((load<u64>(S_EFER) & EFER_LMA) != 0) {
    m = (cs & SEG_ATTR_L) != 0 ? MODE_LONG64 : (cs & SEG_ATTR_DB) != 0 ? MODE_COMPAT32 : MODE_COMPAT16
  } else m = (cs & SEG_ATTR_DB) != 0 ? MODE_PROTECTED32 : MODE_PROTECTED16
  store<u64>(S_MODE, m)
  if (m == MODE_REAL16) store<u64>(S_CPL, 0)
  for (let i: u32 = 0; i < 6; i++) syncSegment(i)
  setAccessContext(load<u64>(S_CPL) == 3 ? 1 : 0, m == MODE_LONG64 ? <u64>-1 : 0xffffffff)
  if (m != old) {
    if (TRACING) record(T_MODE, <u32>(old | (m << 8)), load<u64>(S_RIP), 0, 0, 0)
    return true
  }
  return false
}

// ---- descriptors --------------------------------------------------------------------------------

/** The last descriptor read (low and high dwords; for 16-byte system descriptors dHi2 = bits 127:64). */
export let dLo: u64 = 0
export let dHi: u64 = 0
export let dHi2: u64 = 0
/** Linear address of the last descriptor read (for the accessed bit and triple-fault explanations). */
export let dAddr: u64 = 0

/** Access rights (SDM/VMX layout) from a descriptor's high dword. */
@inline export function attrsOf(hi: u64): u64 { return ((hi >> 8) & 0xff) | (((hi >> 20) & 0xf) << 12) }
@inline export function baseOf(lo: u64, hi: u64): u64 { return ((lo >> 16) & 0xffff) | ((hi & 0xff) << 16) | (hi & 0xff000000) }
export function limitOf(lo: u64, hi: u64): u64 {
  const raw = (lo & 0xffff) | (hi & 0xf0000)
  return (hi & (1 << 23)) != 0 ? (raw << 12) | 0xfff : raw
}

/**
 * Reads the descriptor `sel` names from the GDT or LDT (supervisor access). `sixteen` reads the
 * 16-byte form (system descriptors in long mode). Sets mst: #GP(sel) beyond the table limit or
 * for an LDT reference without an LDT; #PF from the table's page.
 */
export function readDescriptor(sel: u64, sixteen: bool): void {
  const ldt = (sel & 4) != 0
  let base: u64, limit: u64
  if (ldt) {
    const l = segAt(SEG_LDTR)
    if ((load<u64>(l, SEG_ATTRS) & SEG_ATTR_UNUSABLE) != 0) { setMst(faultErr(VEC_GP, <u32>(sel & 0xfffc))); return }
    base = load<u64>(l, SEG_BASE)
    limit = load<u64>(l, SEG_LIMIT)
  } else {
    base = load<u64>(S_GDTR_BASE)
    limit = load<u64>(S_GDTR_LIMIT)
  }
  const off = sel & 0xfff8
  if (off + (sixteen ? 15 : 7) > limit) { setMst(faultErr(VEC_GP, <u32>(sel & 0xfffc))); return }
  dAddr = base + off
  if (!isLong64() && (load<u64>(S_EFER) & EFER_LMA) == 0) dAddr &= 0xffffffff
  const q = readLin(dAddr, 8, false)
  if (mst != R_OK) return
  dLo = q & 0xffffffff
  dHi = q >> 32
  dHi2 = 0
  if (sixteen) {
    dHi2 = readLin(dAddr + 8, 8, false)
    if (mst != R_OK) return
  }
}

/** Sets the accessed bit of the descriptor last read, as the processor does on a segment load. */
export function markAccessed(): void {
  if ((dHi & (1 << 8)) != 0) { setMst(R_OK); return }
  dHi |= 1 << 8
  writeLin(dAddr + 5, 1, (dHi >> 8) & 0xff, false)
}

/**
 * mov/pop/lxs to a data or stack segment register (SDM vol. 2, MOV "IF SS is loaded" / "IF DS,
 * ES, FS, or GS is loaded with non-NULL selector"). Real mode: base = sel × 16, limit and
 * attributes kept (so "unreal mode" works as on hardware and QEMU). Returns R_OK or R_FAULT.
 */
export function loadDataSegment(i: u32, sel: u64): i32 {
  sel &= 0xffff
  if (!protectedMode()) {
    const s = segAt(i)
    store<u64>(s, sel, SEG_SEL)
    store<u64>(s, sel << 4, SEG_BASE)
    syncSegment(i)
    return R_OK
  }
  const c = cpl()
  const rpl = sel & 3
  if ((sel & 0xfffc) == 0) {
    // Null selector: allowed for DS/ES/FS/GS; for SS only in 64-bit mode at CPL < 3 with RPL = CPL.
    if (i == SEG_SS && !(isLong64() && c < 3 && rpl == c)) return faultErr(VEC_GP, 0)
    setSegCache(i, sel, 0, 0, SEG_ATTR_UNUSABLE | (i == SEG_SS ? c << SEG_ATTR_DPL_SHIFT : 0))
    return R_OK
  }
  readDescriptor(sel, false)
  if (mst != R_OK) return mst
  const attrs = attrsOf(dHi)
  const dpl = dplOf(attrs)
  const code = (attrs & SEG_ATTR_CODE) != 0
  if ((attrs & SEG_ATTR_S) == 0) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
  if (i == SEG_SS) {
    if (rpl != c || dpl != c || code || (attrs & SEG_ATTR_RW) == 0) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
    if ((attrs & SEG_ATTR_P) == 0) return faultErr(VEC_SS, <u32>(sel & 0xfffc))
  } else {
    if (code && (attrs & SEG_ATTR_RW) == 0) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
    const conforming = code && (attrs & SEG_ATTR_DC) != 0
    if (!conforming && (rpl > dpl || c > dpl)) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
    if ((attrs & SEG_ATTR_P) == 0) return faultErr(VEC_NP, <u32>(sel & 0xfffc))
  }
  markAccessed()
  if (mst != R_OK) return mst
  setSegCache(i, sel, baseOf(dLo, dHi), limitOf(dLo, dHi), attrsOf(dHi))
  return R_OK
}

/** After a privilege drop (iret, retf, sysret), data segments the new CPL may not use become null (SDM: "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
export function nullInaccessibleSegments(): void {
  const c = cpl()
  for (let i: u32 = 0; i < 6; i++) {
    if (i == SEG_CS || i == SEG_SS) continue
    const a = segAttrs(i)
    const conformingCode = (a & SEG_ATTR_CODE) != 0 && (a & SEG_ATTR_DC) != 0
    if ((a & SEG_ATTR_UNUSABLE) == 0 && !conformingCode && dplOf(a) < c) {
      setSegCache(i, 0, 0, 0, SEG_ATTR_UNUSABLE)
    }
  }
}

/** Attributes of a flat 32-bit data segment / real-mode segment (for reset and the host). */
export const ATTRS_DATA16: u64 = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW | SEG_ATTR_ACCESSED

