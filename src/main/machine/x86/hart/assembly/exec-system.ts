/**
 * System instructions: control and debug registers (CR0 with the protection and long-mode
 * activation rules of SDM vol. 3, 9.8.5 "Initializing IA-32e Mode"; CR3 with the TLB flush that
 * keeps global pages; CR4; CR8 → a Tpr exit), descriptor-table registers (lgdt/lidt/sgdt/sidt,
 * lldt/sldt, ltr/str marking the TSS busy), lmsw/smsw/clts, invlpg, caches, cpuid, rdtsc/rdtscp
 * (deterministic: guest time + the IA32_TSC offset), rdmsr/wrmsr (hart-owned MSRs here, others an
 * Msr exit), swapgs, hlt, ud2 and the no-ops (fences, prefetch, clflush).
 */
import * as G from './decode.generated'
import {
  S_CR0, S_CR2, S_CR3, S_CR4, S_CR8, S_EFER, S_DR0, S_DR6, S_DR7, S_CPL, S_GDTR_BASE, S_GDTR_LIMIT,
  S_IDTR_BASE, S_IDTR_LIMIT, S_INSTRET, S_TIME_OFFSET, S_TSC_OFFSET, S_TSC_AUX, S_STAR, S_LSTAR, S_CSTAR, S_FMASK,
  S_KERNEL_GS_BASE, S_SYSENTER_CS, S_SYSENTER_ESP, S_SYSENTER_EIP, S_PAT, S_APIC_BASE, S_MISC_ENABLE, S_MSR_NUM,
  S_MSR_WRITE, S_MSR_VALUE, S_RIP, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_BASE,
} from './layout'
import { R_OK, R_RESYNC, R_HLT, mst, setMst, fault, faultErr, setExit, EXIT_MSR, EXIT_TPR, sizeMask, setRingNearlyFull } from './globals'
import { E_MODRM, E_K0, C_REG, C_MEM } from './decode'
import { rd, wr, outside, linearOf, writeLin } from './mem'
import { rdReg, wrReg, eaOf, segOf, readOp, writeOp } from './regs'
import { tlbFlushAll, tlbFlushNonGlobal, tlbFlushPage, canonical } from './mmu'
import {
  segAt, cpl, isLong64, protectedMode, recomputeMode, readDescriptor, dLo, dHi, dHi2, dAddr, attrsOf, baseOf, limitOf,
  setSegCache, syncSegment, dplOf,
} from './seg'
import { cpuid, cpuidEax, cpuidEbx, cpuidEcx, cpuidEdx } from './cpu-model'
import { noteUndefined, UD_INVALID, NOT_MINE, R_DONE_EXIT } from './exec'
import {
  CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_NW, CR0_CD, CR0_PG, CR4_PAE, CR4_PSE, CR4_PGE,
  CR4_DE, CR4_TSD, CR4_MCE, CR4_PCE, CR4_OSFXSR, CR4_OSXMMEXCPT, EFER_SCE, EFER_LME, EFER_LMA, EFER_NXE,
  SEG_ATTR_L, SEG_ATTR_UNUSABLE, SEG_ATTR_S, SEG_ATTR_P, VEC_GP, VEC_UD, VEC_NP, MSR_IA32_TSC, MSR_IA32_APIC_BASE,
  MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_MISC_ENABLE, MSR_IA32_PAT,
  MSR_IA32_EFER, MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_FS_BASE, MSR_IA32_GS_BASE,
  MSR_IA32_KERNEL_GS_BASE, MSR_IA32_TSC_AUX, DESC_LDT, DESC_TSS_AVAILABLE, DESC_TSS16_AVAILABLE,
} from './spec.generated'
import { SEGS, SEG_CS } from './layout'
import { TRACING, record, traced, T_CR, T_DTR, T_INVLPG, T_MSR } from './trace'

const CR0_WRITABLE: u64 = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG
const CR4_WRITABLE: u64 = CR4_DE | CR4_TSD | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT
const EFER_WRITABLE: u64 = EFER_SCE | EFER_LME | EFER_NXE

@inline function gp0(): i32 { return faultErr(VEC_GP, 0) }
@inline function r0(e: usize): usize { return <usize>load<u8>(e, 29) }
@inline function r1(e: usize): usize { return <usize>load<u8>(e, 30) }
@inline function form(e: usize): u32 { return <u32>load<u8>(e, 28) }

export function execSystem(e: usize, op: u32, npc: u64): i32 {
  switch (op) {
    case G.X_MOV_TO_CR: return movToCr(e)
    case G.X_MOV_FROM_CR: return movFromCr(e)
    case G.X_MOV_TO_DR: case G.X_MOV_FROM_DR: return movDr(e, op == G.X_MOV_TO_DR)
    case G.X_LGDT: case G.X_LIDT: return loadTableRegister(e, op == G.X_LIDT, npc)
    case G.X_SGDT: case G.X_SIDT: return storeTableRegister(e, op == G.X_SIDT, npc)
    case G.X_LLDT: return loadLdt(e, npc)
    case G.X_LTR: return loadTr(e, npc)
    case G.X_SLDT: case G.X_STR: {
      const sel = load<u64>(segAt(op == G.X_SLDT ? SEG_LDTR : SEG_TR))
      const c0 = form(e) & 3
      writeOp(e, c0, r0(e), c0 == C_MEM ? 2 : <u64>load<u8>(e, 27), c0 == C_MEM ? eaOf(e, npc) : 0, sel)
      return c0 == C_MEM ? mst : R_OK
    }
    case G.X_SMSW: {
      const c0 = form(e) & 3
      writeOp(e, c0, r0(e), c0 == C_MEM ? 2 : <u64>load<u8>(e, 27), c0 == C_MEM ? eaOf(e, npc) : 0, load<u64>(S_CR0))
      return c0 == C_MEM ? mst : R_OK
    }
    case G.X_LMSW: {
      if (cpl() != 0) return gp0()
      const c0 = form(e) & 3
      const v = readOp(e, c0, r0(e), 2, c0 == C_MEM ? eaOf(e, npc) : 0)
      if (c0 == C_MEM && mst != R_OK) return mst
      // lmsw loads PE, MP, EM, TS; it can set PE but never clear it.
      const old = load<u64>(S_CR0)
      return writeCr0((old & ~(CR0_MP | CR0_EM | CR0_TS)) | (v & (CR0_PE | CR0_MP | CR0_EM | CR0_TS)) | (old & CR0_PE))
    }
    case G.X_CLTS:
      if (cpl() != 0) return gp0()
      store<u64>(S_CR0, load<u64>(S_CR0) & ~CR0_TS)
      return R_OK
    case G.X_INVLPG: {
      if (cpl() != 0) return gp0()
      const lin = isLong64() ? load<u64>(segAt(segOf(e)), 48) + eaOf(e, npc) : (load<u64>(segAt(segOf(e)), 48) + eaOf(e, npc)) & 0xffffffff
      tlbFlushPage(lin)
      if (TRACING) record(T_INVLPG, 0, lin, 0, 0, 0)
      return R_RESYNC
    }
    case G.X_INVD: case G.X_WBINVD: return cpl() != 0 ? gp0() : R_OK
    case G.X_CPUID: {
      cpuid(<u32>rdReg(0, 4), <u32>rdReg(8, 4))
      wrReg(0, 4, cpuidEax); wrReg(3 * 8, 4, cpuidEbx); wrReg(8, 4, cpuidEcx); wrReg(16, 4, cpuidEdx)
      return R_OK
    }
    case G.X_RDTSC: case G.X_RDTSCP: {
      if ((load<u64>(S_CR4) & CR4_TSD) != 0 && cpl() != 0) return gp0()
      const t = tsc()
      wrReg(0, 4, t); wrReg(16, 4, t >> 32)
      if (op == G.X_RDTSCP) wrReg(8, 4, load<u64>(S_TSC_AUX))
      return R_OK
    }
    case G.X_RDPMC: return gp0()
    case G.X_RDMSR: case G.X_WRMSR: return msrAccess(op == G.X_WRMSR)
    case G.X_SWAPGS: {
      if (cpl() != 0) return gp0()
      const gs = segAt(SEG_GS)
      const cur = load<u64>(gs, SEG_BASE)
      store<u64>(gs, load<u64>(S_KERNEL_GS_BASE), SEG_BASE)
      store<u64>(S_KERNEL_GS_BASE, cur)
      syncSegment(SEG_GS)
      return R_OK
    }
    case G.X_HLT: return cpl() != 0 ? gp0() : R_HLT
    // xgetbv/xsetbv: #UD while CR4.OSXSAVE = 0 (SDM), which it always is here (CPUID has no XSAVE; CR4 refuses the bit).
    case G.X_UD2: case G.X_RSM: case G.X_XGETBV: case G.X_XSETBV:
      noteUndefined(load<u64>(S_RIP), UD_INVALID, <i32>load<u16>(e, 56))
      return fault(VEC_UD)
    case G.X_LFENCE: case G.X_MFENCE: case G.X_SFENCE: case G.X_PREFETCHNTA: case G.X_PREFETCHT0: case G.X_PREFETCHT1:
    case G.X_PREFETCHT2: case G.X_CLFLUSH: case G.X_EMMS:
      return R_OK // one in-order hart: nothing to order or cache
    default: return NOT_MINE
  }
}

/** Guest TSC: time in steps (instret + idle) plus the IA32_TSC offset. */
export function tsc(): u64 { return load<u64>(S_INSTRET) + load<u64>(S_TIME_OFFSET) + load<u64>(S_TSC_OFFSET) }

// ---- control registers ---------------------------------------------------------------------------

function movToCr(e: usize): i32 {
  if (cpl() != 0) return gp0()
  const n = r0(e)
  const v = rdReg(r1(e), isLong64() ? 8 : 4)
  switch (<u32>n) {
    case 0: return writeCr0(v)
    case 2: traceCr(2, load<u64>(S_CR2), v); store<u64>(S_CR2, v); return R_OK
    case 3: {
      if (isLong64() && (v >> 52) != 0) return gp0()
      traceCr(3, load<u64>(S_CR3), v)
      store<u64>(S_CR3, v)
      tlbFlushNonGlobal() // SDM 4.10.4.1: a CR3 write invalidates all but global translations (strict mode too)
      return R_RESYNC
    }
    case 4: return writeCr4(v)
    case 8: {
      if ((v >> 4) != 0) return gp0()
      traceCr(8, load<u64>(S_CR8), v)
      store<u64>(S_CR8, v)
      setExit(EXIT_TPR)
      return R_DONE_EXIT
    }
    default: return fault(VEC_UD)
  }
}

function movFromCr(e: usize): i32 {
  if (cpl() != 0) return gp0()
  const n = <u32>r1(e)
  let v: u64
  switch (n) {
    case 0: v = load<u64>(S_CR0); break
    case 2: v = load<u64>(S_CR2); break
    case 3: v = load<u64>(S_CR3); break
    case 4: v = load<u64>(S_CR4); break
    case 8: v = load<u64>(S_CR8); break
    default: return fault(VEC_UD)
  }
  wrReg(r0(e), isLong64() ? 8 : 4, v)
  return R_OK
}

@inline function traceCr(n: u32, old: u64, v: u64): void {
  if (TRACING) {
    record(T_CR, n, 0, 0, old, v)
    // The run ends after this instruction, so the host walks the table it selects at this step (as after a satp write on RV64).
    if (n == 0 || n == 3 || n == 4) setRingNearlyFull(true)
  }
}

/**
 * mov cr0 (SDM vol. 2 "MOV—Move to/from Control Registers", vol. 3 9.8.5): #GP for PG without PE,
 * NW without CD, or bits 63:32 set; turning PG on with EFER.LME needs CR4.PAE and activates long
 * mode (EFER.LMA = 1); turning PG off in 64-bit mode is #GP. Paging changes flush the TLB.
 */
export function writeCr0(v: u64): i32 {
  const old = load<u64>(S_CR0)
  if ((v >> 32) != 0) return gp0()
  v = (v & CR0_WRITABLE) | CR0_ET
  if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) return gp0()
  if ((v & CR0_NW) != 0 && (v & CR0_CD) == 0) return gp0()
  let efer = load<u64>(S_EFER)
  const pgOn = (v & CR0_PG) != 0 && (old & CR0_PG) == 0
  const pgOff = (v & CR0_PG) == 0 && (old & CR0_PG) != 0
  if (pgOn && (efer & EFER_LME) != 0) {
    if ((load<u64>(S_CR4) & CR4_PAE) == 0) return gp0()
    if ((load<u64>(SEGS + <usize>SEG_CS * 64 + 24) & SEG_ATTR_L) != 0) return gp0()
    efer |= EFER_LMA
  }
  if (pgOff && (efer & EFER_LMA) != 0) {
    if (isLong64()) return gp0()
    efer &= ~EFER_LMA
  }
  traceCr(0, old, v)
  if (efer != load<u64>(S_EFER)) {
    if (TRACING) record(T_MSR, 0, MSR_IA32_EFER, 0, load<u64>(S_EFER), efer)
    store<u64>(S_EFER, efer)
  }
  store<u64>(S_CR0, v)
  if (((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) != 0) tlbFlushAll()
  recomputeMode()
  return R_RESYNC
}

/** mov cr4: unsupported bits are #GP; clearing PAE in long mode is #GP; paging-structure bits flush the TLB. */
export function writeCr4(v: u64): i32 {
  const old = load<u64>(S_CR4)
  if ((v & ~CR4_WRITABLE) != 0) return gp0()
  if ((v & CR4_PAE) == 0 && (load<u64>(S_EFER) & EFER_LMA) != 0) return gp0()
  traceCr(4, old, v)
  store<u64>(S_CR4, v)
  if (((old ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE)) != 0) tlbFlushAll()
  return R_RESYNC
}

/** mov to/from dr0-3, dr6, dr7 (dr4/dr5 alias dr6/dr7 unless CR4.DE). Breakpoints are stored, not armed. */
function movDr(e: usize, toDr: bool): i32 {
  if (cpl() != 0) return gp0()
  let n = <u32>(toDr ? r0(e) : r1(e))
  if (n == 4 || n == 5) {
    if ((load<u64>(S_CR4) & CR4_DE) != 0) return fault(VEC_UD)
    n += 2
  }
  if (n > 7) return fault(VEC_UD)
  const slot = n < 4 ? S_DR0 + <usize>n * 8 : n == 6 ? S_DR6 : S_DR7
  const size: u64 = isLong64() ? 8 : 4
  if (toDr) store<u64>(slot, rdReg(r1(e), size))
  else wrReg(r0(e), size, load<u64>(slot))
  return R_OK
}

// ---- descriptor-table registers -------------------------------------------------------------------

/** lgdt/lidt m16&32 (m16&64 in 64-bit mode; a 16-bit operand size keeps 24 base bits). */
function loadTableRegister(e: usize, idt: bool, npc: u64): i32 {
  if (cpl() != 0) return gp0()
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  const limit = rd(seg, ea, 2)
  if (mst != R_OK) return mst
  let base = rd(seg, ea + 2, isLong64() ? 8 : 4)
  if (mst != R_OK) return mst
  if (!isLong64() && load<u8>(e, 27) == 2) base &= 0xffffff
  store<u64>(idt ? S_IDTR_BASE : S_GDTR_BASE, base)
  store<u64>(idt ? S_IDTR_LIMIT : S_GDTR_LIMIT, limit)
  if (TRACING) {
    record(T_DTR, idt ? 1 : 0, base, limit, 0, 0)
    if (traced(T_DTR)) setRingNearlyFull(true) // the recorder decodes the table at this step
  }
  return R_OK
}

function storeTableRegister(e: usize, idt: bool, npc: u64): i32 {
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  wr(seg, ea, 2, load<u64>(idt ? S_IDTR_LIMIT : S_GDTR_LIMIT))
  if (mst != R_OK) return mst
  wr(seg, ea + 2, isLong64() ? 8 : 4, load<u64>(idt ? S_IDTR_BASE : S_GDTR_BASE))
  return mst
}

/** lldt: a null selector leaves LDTR unusable; otherwise an LDT descriptor from the GDT (16 bytes in long mode). */
function loadLdt(e: usize, npc: u64): i32 {
  if (!protectedMode()) return fault(VEC_UD)
  if (cpl() != 0) return gp0()
  const c0 = form(e) & 3
  const sel = readOp(e, c0, r0(e), 2, c0 == C_MEM ? eaOf(e, npc) : 0)
  if (c0 == C_MEM && mst != R_OK) return mst
  if ((sel & 0xfffc) == 0) {
    setSegCache(SEG_LDTR, sel, 0, 0, SEG_ATTR_UNUSABLE)
  } else {
    if ((sel & 4) != 0) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
    const long = (load<u64>(S_EFER) & EFER_LMA) != 0
    readDescriptor(sel, long)
    if (mst != R_OK) return mst
    const a = attrsOf(dHi)
    if ((a & SEG_ATTR_S) != 0 || (a & 0xf) != DESC_LDT) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
    if ((a & SEG_ATTR_P) == 0) return faultErr(VEC_NP, <u32>(sel & 0xfffc))
    setSegCache(SEG_LDTR, sel, baseOf(dLo, dHi) | (long ? (dHi2 & 0xffffffff) << 32 : 0), limitOf(dLo, dHi), a)
  }
  if (TRACING) {
    record(T_DTR, 2, load<u64>(segAt(SEG_LDTR), SEG_BASE), load<u64>(segAt(SEG_LDTR), 16), sel, 0)
    if (traced(T_DTR)) setRingNearlyFull(true) // the recorder decodes the table at this step
  }
  return R_OK
}

/** ltr: an available TSS from the GDT; it is marked busy in the descriptor. */
function loadTr(e: usize, npc: u64): i32 {
  if (!protectedMode()) return fault(VEC_UD)
  if (cpl() != 0) return gp0()
  const c0 = form(e) & 3
  const sel = readOp(e, c0, r0(e), 2, c0 == C_MEM ? eaOf(e, npc) : 0)
  if (c0 == C_MEM && mst != R_OK) return mst
  if ((sel & 0xfffc) == 0 || (sel & 4) != 0) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
  const long = (load<u64>(S_EFER) & EFER_LMA) != 0
  readDescriptor(sel, long)
  if (mst != R_OK) return mst
  const a = attrsOf(dHi)
  const type = a & 0xf
  const ok = (a & SEG_ATTR_S) == 0 && (type == DESC_TSS_AVAILABLE || (!long && type == DESC_TSS16_AVAILABLE))
  if (!ok) return faultErr(VEC_GP, <u32>(sel & 0xfffc))
  if ((a & SEG_ATTR_P) == 0) return faultErr(VEC_NP, <u32>(sel & 0xfffc))
  writeLin(dAddr + 5, 1, ((dHi >> 8) & 0xff) | 2, false) // busy
  if (mst != R_OK) return mst
  setSegCache(SEG_TR, sel, baseOf(dLo, dHi) | (long ? (dHi2 & 0xffffffff) << 32 : 0), limitOf(dLo, dHi), a | 2)
  if (TRACING) {
    record(T_DTR, 3, load<u64>(segAt(SEG_TR), SEG_BASE), load<u64>(segAt(SEG_TR), 16), sel, 0)
    if (traced(T_DTR)) setRingNearlyFull(true) // the recorder decodes the table at this step
  }
  return R_OK
}

// ---- MSRs ------------------------------------------------------------------------------------------

/** rdmsr/wrmsr (CPL 0, ECX = number, EDX:EAX = value): hart-owned MSRs here, any other is an Msr exit. */
function msrAccess(write: bool): i32 {
  if (cpl() != 0) return gp0()
  const num = <u32>rdReg(8, 4)
  const value = (rdReg(16, 4) << 32) | rdReg(0, 4)
  if (write) {
    const r = writeMsr(num, value, true)
    if (r != NOT_MINE) return r
  } else {
    if (readMsr(num)) {
      wrReg(0, 4, msrValue); wrReg(16, 4, msrValue >> 32)
      return R_OK
    }
  }
  store<u64>(S_MSR_NUM, num)
  store<u64>(S_MSR_WRITE, write ? 1 : 0)
  store<u64>(S_MSR_VALUE, value)
  const v = outside(EXIT_MSR, num, 8, write, value)
  if (mst != R_OK) return mst
  if (!write) { wrReg(0, 4, v); wrReg(16, 4, v >> 32) }
  return R_OK
}

export let msrValue: u64 = 0

/** Reads a hart-owned MSR into msrValue; false for any other number. */
export function readMsr(num: u32): bool {
  let v: u64
  switch (num) {
    case MSR_IA32_TSC: v = tsc(); break
    case MSR_IA32_APIC_BASE: v = load<u64>(S_APIC_BASE); break
    case MSR_IA32_SYSENTER_CS: v = load<u64>(S_SYSENTER_CS); break
    case MSR_IA32_SYSENTER_ESP: v = load<u64>(S_SYSENTER_ESP); break
    case MSR_IA32_SYSENTER_EIP: v = load<u64>(S_SYSENTER_EIP); break
    case MSR_IA32_MISC_ENABLE: v = load<u64>(S_MISC_ENABLE); break
    case MSR_IA32_PAT: v = load<u64>(S_PAT); break
    case MSR_IA32_EFER: v = load<u64>(S_EFER); break
    case MSR_IA32_STAR: v = load<u64>(S_STAR); break
    case MSR_IA32_LSTAR: v = load<u64>(S_LSTAR); break
    case MSR_IA32_CSTAR: v = load<u64>(S_CSTAR); break
    case MSR_IA32_FMASK: v = load<u64>(S_FMASK); break
    case MSR_IA32_FS_BASE: v = load<u64>(segAt(SEG_FS), SEG_BASE); break
    case MSR_IA32_GS_BASE: v = load<u64>(segAt(SEG_GS), SEG_BASE); break
    case MSR_IA32_KERNEL_GS_BASE: v = load<u64>(S_KERNEL_GS_BASE); break
    case MSR_IA32_TSC_AUX: v = load<u64>(S_TSC_AUX); break
    default: return false
  }
  msrValue = v
  return true
}

/**
 * Writes a hart-owned MSR; NOT_MINE for any other number. With `checked` (wrmsr), invalid values
 * raise #GP(0): reserved EFER bits or LME changed while paging is on, non-canonical bases.
 */
export function writeMsr(num: u32, v: u64, checked: bool): i32 {
  let slot: usize = 0
  switch (num) {
    case MSR_IA32_TSC: store<u64>(S_TSC_OFFSET, v - load<u64>(S_INSTRET) - load<u64>(S_TIME_OFFSET)); return R_OK
    case MSR_IA32_EFER: {
      const old = load<u64>(S_EFER)
      if (checked && (v & ~(EFER_WRITABLE | EFER_LMA)) != 0) return gp0()
      if (checked && ((old ^ v) & EFER_LME) != 0 && (load<u64>(S_CR0) & CR0_PG) != 0) return gp0()
      const nv = (v & EFER_WRITABLE) | (old & EFER_LMA)
      if (TRACING) {
        record(T_MSR, 0, num, 0, old, nv)
        setRingNearlyFull(true)
      }
      store<u64>(S_EFER, nv)
      if (((old ^ nv) & EFER_NXE) != 0) tlbFlushAll()
      return R_RESYNC
    }
    case MSR_IA32_FS_BASE: case MSR_IA32_GS_BASE: {
      if (checked && !canonical(v)) return gp0()
      const s = segAt(num == MSR_IA32_FS_BASE ? SEG_FS : SEG_GS)
      store<u64>(s, v, SEG_BASE)
      syncSegment(num == MSR_IA32_FS_BASE ? SEG_FS : SEG_GS)
      if (TRACING) record(T_MSR, 0, num, 0, 0, v)
      return R_OK
    }
    case MSR_IA32_KERNEL_GS_BASE: case MSR_IA32_LSTAR: case MSR_IA32_CSTAR:
      if (checked && !canonical(v)) return gp0()
      slot = num == MSR_IA32_KERNEL_GS_BASE ? S_KERNEL_GS_BASE : num == MSR_IA32_LSTAR ? S_LSTAR : S_CSTAR
      break
    case MSR_IA32_APIC_BASE: slot = S_APIC_BASE; break
    case MSR_IA32_SYSENTER_CS: slot = S_SYSENTER_CS; break
    case MSR_IA32_SYSENTER_ESP: slot = S_SYSENTER_ESP; break
    case MSR_IA32_SYSENTER_EIP: slot = S_SYSENTER_EIP; break
    case MSR_IA32_MISC_ENABLE: slot = S_MISC_ENABLE; break
    case MSR_IA32_PAT: slot = S_PAT; break
    case MSR_IA32_STAR: slot = S_STAR; break
    case MSR_IA32_FMASK: slot = S_FMASK; v &= 0xffffffff; break
    case MSR_IA32_TSC_AUX: slot = S_TSC_AUX; v &= 0xffffffff; break
    default: return NOT_MINE
  }
  if (TRACING) record(T_MSR, 0, num, 0, load<u64>(slot), v)
  store<u64>(slot, v)
  return R_OK
}

