/**
 * The host interface of the x86 hart (exported from the wasm module, used by `../hart.ts`):
 * setup and reset, completions of exits, interrupt lines, register and segment access with the
 * side effects a debugger write needs (mode recomputation, TLB flushes), MSRs, CPUID, side-effect-
 * free translation, time, device pages, dirty pages and trace controls, and layout getters so the
 * host never hard-codes an offset.
 */
import {
  BASE, REGS, XMM, FPR, SEGS, STATE_START, STATE_BYTES, S_RIP, S_FLAGS, S_CR0, S_CR3, S_CR4, S_EFER, S_CPL,
  S_RAM_SIZE, S_INSTRET, S_TIME_OFFSET, S_ACK_VECTOR, S_NMI_PENDING, S_INTR_LINE, S_EXIT_WAITING, S_APIC_BASE,
  S_PAT, S_MISC_ENABLE, S_MXCSR, S_FCW, S_GDTR_LIMIT, S_IDTR_LIMIT, S_STOP_ON_UNIMPL, TLB_WRITE, TLB_ENTRIES, DCACHE, DC_SCRATCH, FETCH_BUF,
  PAGE_FLAGS, PAGE_FLAGS_BYTES, PF_DIRTY, PF_WATCHED, PF_DEVICE, RING, RING_RECORDS, RING_RECORD_BYTES, RAM,
  SEG_CS, SEG_LDTR, SEG_TR, S_ANS_COUNT, S_MODE, S_SHUTDOWN,
} from './layout'
import { ACC_READ, ACC_WRITE, ACC_FETCH, queueException, EXIT_MSR } from './globals'
import { tlbFlushAll, evictWritePage, translate, xPa, xErr } from './mmu'
import { answer, clearAnswers } from './mem'
import { getFlags, setFlags } from './flags'
import { setSegCache, recomputeMode, ATTRS_DATA16 } from './seg'
import { readMsr, writeMsr, msrValue } from './exec-system'
import { cpuid as cpuidImpl, cpuidEax, cpuidEbx, cpuidEcx, cpuidEdx } from './cpu-model'
import { decode } from './decode'
import { NOT_MINE } from './exec'
import { VEC_GP, SEG_ATTR_S, SEG_ATTR_P, SEG_ATTR_CODE, SEG_ATTR_RW, SEG_ATTR_ACCESSED } from './spec.generated'
import { TRACING } from './trace'
import {
  debugStopsClear as clearDebugStops, debugBreakpointAdd as addDebugBreakpoint, debugWatchAdd as addDebugWatch, debugSkip as skipDebugStop,
} from './debug-stops'

/** Sets up memory for `ramSize` bytes of RAM at physical 0; returns 0, 1 when memory cannot grow, 2 when static data overlaps. */
export function init(ramSize: u64): i32 {
  if (__heap_base > BASE) return 2
  const need = RAM + <usize>ramSize
  const have = <usize>memory.size() << 16
  if (need > have) {
    if (memory.grow(<i32>((need - have + 0xffff) >> 16)) < 0) return 1
  }
  memory.fill(STATE_START, 0, STATE_BYTES)
  store<u64>(S_RAM_SIZE, ramSize)
  memory.fill(PAGE_FLAGS, 0, PAGE_FLAGS_BYTES)
  reset()
  return 0
}

/**
 * Processor state after reset (SDM vol. 3, 9.1.1, Table 9-1): real mode, CS = F000 with base
 * FFFF0000, IP = FFF0, EFLAGS = 2, CR0 = 60000010, segment limits FFFF, GDTR/IDTR limit FFFF,
 * EDX = the family/model/stepping signature; plus MXCSR 1F80, x87 control word 037F, the local
 * APIC enabled at FEE00000 as the BSP, PAT's power-up value. RAM and device pages are kept.
 */
export function reset(): void {
  const ram = load<u64>(S_RAM_SIZE)
  const stopOnUnimpl: u64 = 1
  memory.fill(STATE_START, 0, STATE_BYTES)
  store<u64>(S_RAM_SIZE, ram)
  store<u64>(S_STOP_ON_UNIMPL, stopOnUnimpl)
  store<u64>(S_CR0, 0x60000010)
  setFlags(2)
  for (let i: u32 = 0; i < 6; i++) setSegCache(i, 0, 0, 0xffff, ATTRS_DATA16)
  setSegCache(SEG_CS, 0xf000, 0xffff0000, 0xffff, SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_CODE | SEG_ATTR_RW | SEG_ATTR_ACCESSED)
  setSegCache(SEG_LDTR, 0, 0, 0xffff, SEG_ATTR_P | 2)
  setSegCache(SEG_TR, 0, 0, 0xffff, SEG_ATTR_P | 3)
  store<u64>(S_GDTR_LIMIT, 0xffff)
  store<u64>(S_IDTR_LIMIT, 0xffff)
  store<u64>(S_RIP, 0xfff0)
  store<u64>(REGS + 2 * 8, 0x623)
  store<u64>(S_MXCSR, 0x1f80)
  store<u64>(S_FCW, 0x37f)
  store<u64>(S_APIC_BASE, 0xfee00900)
  store<u64>(S_PAT, 0x0007040600070406)
  store<u64>(S_MISC_ENABLE, 1) // fast-string operation enabled, as QEMU resets it (msr-kernels.ts)
  recomputeMode()
  invalidateCaches()
}

/** After the host changed RAM behind the hart's back (loading a kernel, restore): drop TLBs and decoded code. */
export function invalidateCaches(): void {
  tlbFlushAll()
  memory.fill(DCACHE, 0xff, <usize>(DC_SCRATCH - DCACHE))
}

// ---- completions and interrupt lines ---------------------------------------------------------------

export function completeIo(value: u64): void { answer(value) }
export function completeMmio(value: u64): void { answer(value) }
/** rdmsr result or wrmsr acknowledgement; `fault` raises #GP(0) at the rdmsr/wrmsr instead. */
export function completeMsr(value: u64, fault: bool): void {
  if (load<u64>(S_EXIT_WAITING) != <u64>EXIT_MSR) return
  if (!fault) { answer(value); return }
  store<u64>(S_EXIT_WAITING, 0)
  clearAnswers()
  queueException(VEC_GP, 0)
}
export function acknowledgeInterrupt(vector: i32): void { store<u64>(S_ACK_VECTOR, vector < 0 ? 0 : <u64>vector + 1) }
export function raiseNmi(): void { store<u64>(S_NMI_PENDING, 1) }
export function setIntrLine(level: bool): void { store<u64>(S_INTR_LINE, level ? 1 : 0) }

// ---- registers ----------------------------------------------------------------------------------

export function getRflags(): u64 { return getFlags() }
export function setRflags(v: u64): void { setFlags(v) }

/** Loads a segment register and its cache directly; CS also sets CPL (its RPL; 0 in real mode) and the mode. */
export function setSegment(i: u32, sel: u64, base: u64, limit: u64, attrs: u64): void {
  setSegCache(i, sel, base, limit, attrs)
  if (i == SEG_CS) store<u64>(S_CPL, (load<u64>(S_CR0) & 1) != 0 ? sel & 3 : 0)
  recomputeMode()
}

/** Writes CR0/CR3/CR4/EFER as a debugger would (no #GP checks): the TLB is flushed and the mode recomputed. */
export function setControl(which: u32, v: u64): void {
  const slot = which == 0 ? S_CR0 : which == 3 ? S_CR3 : which == 4 ? S_CR4 : S_EFER
  store<u64>(slot, v)
  tlbFlushAll()
  recomputeMode()
}

/** A hart-owned MSR's value, or -1 with msrKnown() false. */
let known: bool = false
export function getMsr(num: u32): u64 {
  known = readMsr(num)
  return known ? msrValue : 0
}
export function msrKnown(): bool { return known }
export function setMsr(num: u32, v: u64): bool { return writeMsr(num, v, false) != NOT_MINE }

export function cpuid(leaf: u32, subleaf: u32): void { cpuidImpl(leaf, subleaf) }
export function cpuidA(): u32 { return cpuidEax }
export function cpuidB(): u32 { return cpuidEbx }
export function cpuidC(): u32 { return cpuidEcx }
export function cpuidD(): u32 { return cpuidEdx }

/** Translates without side effects: 0 and probePa() on success, else the #PF error code + 1. */
export function probe(lin: u64, write: bool, fetch: bool, user: bool): u32 {
  if (!translate(lin, fetch ? ACC_FETCH : write ? ACC_WRITE : ACC_READ, user, false, 0)) return xErr + 1
  return 0
}
export function probePa(): u64 { return xPa }

// ---- time, memory, tracing --------------------------------------------------------------------------

export function time(): u64 { return load<u64>(S_INSTRET) + load<u64>(S_TIME_OFFSET) }
export function advanceTime(steps: u64): void { store<u64>(S_TIME_OFFSET, load<u64>(S_TIME_OFFSET) + steps) }

/** Marks RAM pages [first, first + count) as device pages (MMIO exits) or RAM again. */
export function setDevicePages(first: u32, count: u32, on: bool): void {
  const n = <u32>(load<u64>(S_RAM_SIZE) >> 12)
  for (let p = first; p < first + count && p < n; p++) {
    const f = load<u8>(PAGE_FLAGS + p)
    store<u8>(PAGE_FLAGS + p, on ? f | PF_DEVICE : f & ~PF_DEVICE)
  }
  tlbFlushAll()
}

/** Watches (or unwatches) a RAM page: its stores are recorded in the traced build. */
export function setWatchedPage(page: u32, on: bool): void {
  if (<u64>page >= load<u64>(S_RAM_SIZE) >> 12) return
  const f = load<u8>(PAGE_FLAGS + page)
  store<u8>(PAGE_FLAGS + page, on ? f | PF_WATCHED : f & ~PF_WATCHED)
  if (on) evictWritePage((<u64>page) << 12)
}

/** Clears every page's dirty bit; the write TLB is dropped so the next store marks its page again. */
export function clearDirty(): void {
  const n = <usize>(load<u64>(S_RAM_SIZE) >> 12)
  for (let i: usize = 0; i < n; i++) store<u8>(PAGE_FLAGS + i, load<u8>(PAGE_FLAGS + i) & ~PF_DIRTY)
  for (let i: usize = 0; i < <usize>TLB_ENTRIES; i++) store<u64>(TLB_WRITE + (i << 5), 0xfff)
}

/** After loadState/restore: caches and the mode-derived values follow the restored state. */
export function afterStateLoad(): void {
  store<u64>(S_ANS_COUNT, load<u64>(S_ANS_COUNT)) // answers are part of the state
  recomputeMode()
  invalidateCaches()
}

// Layout, for the host.
export function layoutRegs(): usize { return REGS }
export function layoutXmm(): usize { return XMM }
export function layoutFpr(): usize { return FPR }
export function layoutSegs(): usize { return SEGS }
export function layoutState(): usize { return STATE_START }
export function layoutStateBytes(): usize { return STATE_BYTES }
export function layoutRam(): usize { return RAM }
export function layoutPageFlags(): usize { return PAGE_FLAGS }
export function layoutRing(): usize { return RING }
export function layoutRingRecords(): u64 { return RING_RECORDS }
export function layoutRingRecordBytes(): usize { return RING_RECORD_BYTES }
export function layoutStateSlot(i: u32): usize { return S_RIP + (<usize>i << 3) }
export function layoutFetchBuf(): usize { return FETCH_BUF }
export function isTraced(): bool { return TRACING }

/** Decodes the bytes the host put in FETCH_BUF for a mode code into the scratch entry; returns the length or a DEC_* code. */
export function decodeBytes(n: u32, modeCode: u64): i32 { return decode(DC_SCRATCH, n, modeCode) }
export function layoutScratch(): usize { return DC_SCRATCH }


/** A debugger's stops (debug-stops.ts): the host sets them all again after each change. */
export function debugStopsClear(): void { clearDebugStops(); tlbFlushAll() }
/** A breakpoint on a linear address (CS.base + RIP). */
export function debugBreakpointAdd(lin: u64): bool { return addDebugBreakpoint(lin) }
/** Watches [pa, pa + length) for writes (kinds bit 0) and/or reads (bit 1); accesses there leave the TLBs. */
export function debugWatchAdd(pa: u64, length: u32, kinds: u32): bool {
  const r = addDebugWatch(pa, length, kinds)
  tlbFlushAll()
  return r
}
export function debugSkip(rip: u64, instret: u64, breakpoint: bool, watch: bool): void { skipDebugStop(rip, instret, breakpoint, watch) }
