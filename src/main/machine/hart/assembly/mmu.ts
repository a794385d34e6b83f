/**
 * Address translation (Bare, Sv39, Sv48), PMP, the three direct-mapped TLBs and physical memory
 * classification (RAM, boot ROM, everything else = MMIO). The hot loop only ever looks at a TLB
 * tag; everything here runs on a miss.
 *
 * Privileged spec 4.3.2, "Virtual Address Translation Process" (Sv39: LEVELS=3, Sv48: LEVELS=4;
 * PAGESIZE=2^12, PTESIZE=8), implemented step by step in `walk`:
 *  1. Let a be satp.ppn × PAGESIZE, and let i = LEVELS − 1.
 *  2. Let pte be the value of the PTE at address a + va.vpn[i] × PTESIZE. If accessing pte
 *     violates a PMA or PMP check, raise an access-fault exception corresponding to the
 *     original access type.
 *  3. If pte.v = 0, or if pte.r = 0 and pte.w = 1, or if any bits or encodings that are reserved
 *     for future standard use are set within pte, stop and raise a page-fault exception
 *     corresponding to the original access type.
 *  4. Otherwise, the PTE is valid. If pte.r = 1 or pte.x = 1, go to step 5. Otherwise, this PTE
 *     is a pointer to the next level of the page table. Let i = i − 1. If i < 0, stop and raise
 *     a page-fault exception corresponding to the original access type. Otherwise, let
 *     a = pte.ppn × PAGESIZE and go to step 2.
 *  5. A leaf PTE has been found. Determine if the requested memory access is allowed by the
 *     pte.r, pte.w, pte.x, and pte.u bits, given the current privilege mode and the value of
 *     the SUM and MXR fields of the mstatus register. If not, stop and raise a page-fault
 *     exception corresponding to the original access type.
 *  6. If i > 0 and pte.ppn[i − 1 : 0] ≠ 0, this is a misaligned superpage; stop and raise a
 *     page-fault exception corresponding to the original access type.
 *  7. If pte.a = 0, or if the original memory access is a store and pte.d = 0, [...] set pte.a
 *     to 1 and, if the original memory access is a store, also set pte.d to 1 (hardware A/D
 *     update, as QEMU does).
 *  8. The translation is successful. The translated physical address is given as follows:
 *     pa.pgoff = va.pgoff. If i > 0, then this is a superpage translation and
 *     pa.ppn[i − 1 : 0] = va.vpn[i − 1 : 0]. pa.ppn[LEVELS − 1 : i] = pte.ppn[LEVELS − 1 : i].
 * Plus (4.4.1/4.5.1): a virtual address whose bits 63..VALEN must all equal bit VALEN−1 is
 * otherwise non-canonical and raises a page fault.
 *
 * TLB tags are `(va & ~0xfff) | ctx` where ctx is the ASID (11 bits implemented; satp.ASID is
 * WARL) or CTX_BARE for untranslated accesses, so a tag can never hit across contexts. Entries
 * also remember the PTE's G bit: a global entry matches any ASID (checked on the slow path).
 * Cached permissions depend on privilege, SUM, MXR and MPRV/MPP, so changing those flushes.
 * By default a satp write flushes everything (as QEMU); in strict mode only sfence.vma does,
 * so a kernel that forgets its fence sees the stale translations real hardware may keep.
 */
import {
  S_SATP, S_PRIV, S_MSTATUS, S_RAM_BASE, S_RAM_SIZE, S_PMPCFG0, S_PMPADDR0, S_TRACE_WALKS,
  TLB_FETCH, TLB_LOAD, TLB_STORE, RAM, ROM, ROM_PA, ROM_SIZE, PAGE_FLAGS, PF_CODE, PF_WATCHED, PF_EXIT, PF_DIRTY,
  PRV_M, PRV_S, PRV_U, DCACHE, DC_MASK, ASID_OWNERS,
} from './layout'
import {
  ACC_FETCH, ACC_LOAD, ACC_STORE, MSTATUS_MPRV, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_SUM, MSTATUS_MXR,
  CAUSE_FETCH_ACCESS, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS, CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_PAGE_FAULT, setStoreExit,
} from './globals'
import { TRACING, record, T_WALK, T_STORE } from './trace'
import { dataTriggerPage } from './triggers'
import { debugWatchedPage } from './debug-stops'
import { disarmOnStore } from './blocks'

export const CTX_BARE: u64 = 0x800
export const ASID_MASK: u64 = 0x7ff
export const PAGE_SHIFT: u64 = 12
export const PAGE_MASK: u64 = 0xfff
const TAG_INVALID: u64 = 0xfff // no (va & ~0xfff) | ctx can produce an all-ones low 12 bits with ctx ≤ 0x800... except 0xfff is never a ctx

// PTE bits.
const PTE_V: u64 = 1
const PTE_R: u64 = 2
const PTE_W: u64 = 4
const PTE_X: u64 = 8
const PTE_U: u64 = 16
const PTE_G: u64 = 32
const PTE_A: u64 = 64
const PTE_D: u64 = 128
/** Bits 63..54 (N, PBMT, reserved): not implemented, so a set bit is a page fault (step 3). */
const PTE_RESERVED: u64 = 0xffc0000000000000

// Results of translate().
export let xPa: u64 = 0
/** Host address of the page start, or 0 for MMIO. */
export let xHostPage: usize = 0
export let xGlobal: bool = false
/** Whether the page may be cached in a TLB (PMP uniform over the page, not MMIO). */
export let xCacheable: bool = false
export let xCause: u64 = 0

// ---- physical memory -------------------------------------------------------------------

/** Host address for [pa, pa+size) when it lies entirely in RAM or ROM, else 0 (MMIO). */
export function hostAddr(pa: u64, size: u64): usize {
  const base = load<u64>(S_RAM_BASE)
  const off = pa - base
  if (pa >= base && off + size <= load<u64>(S_RAM_SIZE)) return RAM + <usize>off
  const roff = pa - ROM_PA
  if (pa >= ROM_PA && roff + size <= ROM_SIZE) return ROM + <usize>roff
  return 0
}
@inline export function isRom(host: usize): bool { return host >= ROM && host < ROM + <usize>ROM_SIZE }

/** Records a store into RAM page bookkeeping: dirty bit, decode-cache invalidation, watched-page trace. */
export function noteStore(host: usize, pa: u64, va: u64, size: u64, oldv: u64, newv: u64): void {
  if (host < RAM) return
  const page = (host - RAM) >> 12
  let f = load<u8>(PAGE_FLAGS + page)
  if (f & PF_CODE) {
    invalidateCode(pa, size)
    f = disarmOnStore(f)
  }
  if (f & PF_EXIT) setStoreExit(true)
  if (TRACING) {
    if (f & PF_WATCHED) record(T_STORE, <u32>size, pa, va, oldv, newv)
  }
  store<u8>(PAGE_FLAGS + page, f | PF_DIRTY)
}

/**
 * Drops the decoded instructions that overlap [pa, pa + size): an instruction starts at most 2
 * bytes before (a 4-byte one at pa − 2). Precise, so firmware that keeps data next to its code
 * does not re-decode the whole page on every store.
 */
function invalidateCode(pa: u64, size: u64): void {
  for (let a = (pa - 2) & ~(<u64>1); a < pa + size; a += 2) {
    const e = DCACHE + <usize>(((a >> 1) & DC_MASK) << 5)
    if (load<u64>(e) == a) store<u64>(e, 0)
  }
}

/** Marks a RAM page as holding decoded code: stores to it must take the slow path from now on. */
export function markCodePage(host: usize, pagePa: u64): void {
  if (host < RAM) return
  const page = (host - RAM) >> 12
  const f = load<u8>(PAGE_FLAGS + page)
  if (f & PF_CODE) return
  store<u8>(PAGE_FLAGS + page, f | PF_CODE)
  evictStorePage(pagePa)
}

/** Removes store-TLB entries that point at a physical page (it became code or watched, or was un-dirtied). */
export function evictStorePage(pagePa: u64): void {
  for (let i: usize = 0; i < 256; i++) {
    const e = TLB_STORE + (i << 5)
    if (load<u64>(e, 16) == pagePa) store<u64>(e, TAG_INVALID)
  }
}

// ---- TLB ---------------------------------------------------------------------------------

export function tlbFlushAll(): void {
  for (let i: usize = 0; i < 768; i++) store<u64>(TLB_FETCH + (i << 5), TAG_INVALID)
}

/** sfence.vma: rs1 = x0 means all addresses, rs2 = x0 all ASIDs; global entries survive an ASID flush. */
export function tlbFlush(va: u64, allVa: bool, asid: u64, allAsid: bool): void {
  if (allVa && allAsid) { tlbFlushAll(); return }
  for (let t: usize = 0; t < 3; t++) {
    for (let i: usize = 0; i < 256; i++) {
      const e = TLB_FETCH + t * 8192 + (i << 5)
      const tag = load<u64>(e)
      if (tag == TAG_INVALID) continue
      const flags = load<u64>(e, 24)
      if ((tag & PAGE_MASK) == CTX_BARE) continue // untranslated entries are not address-space caches
      const vaOk = allVa || (tag & ~PAGE_MASK) == (va & ~PAGE_MASK)
      const asidOk = allAsid || ((flags & 1) == 0 && ((flags >> 16) & ASID_MASK) == (asid & ASID_MASK))
      if (vaOk && asidOk) store<u64>(e, TAG_INVALID)
    }
  }
}

@inline export function tlbBase(acc: i32): usize {
  return acc == ACC_FETCH ? TLB_FETCH : acc == ACC_LOAD ? TLB_LOAD : TLB_STORE
}

export function tlbFill(acc: i32, va: u64, ctx: u64): void {
  if (!xCacheable || xHostPage == 0) return
  if (acc != ACC_FETCH && dataTriggerPage(va)) return // loads and stores there must meet the trigger check
  if (acc != ACC_FETCH && debugWatchedPage(xHostPage, acc == ACC_STORE)) return // and a debugger's watch (debug-stops.ts)
  if (acc == ACC_STORE) {
    if (isRom(xHostPage)) return
    const page = (xHostPage - RAM) >> 12
    const f = load<u8>(PAGE_FLAGS + page)
    if (f & (PF_CODE | PF_WATCHED | PF_EXIT)) return // stores there must see the slow path
    store<u8>(PAGE_FLAGS + page, f | PF_DIRTY)
  }
  const e = tlbBase(acc) + <usize>(((va >> PAGE_SHIFT) & 255) << 5)
  const vpage = va & ~PAGE_MASK
  store<u64>(e, vpage | ctx)
  store<u64>(e, <u64>xHostPage - vpage, 8)
  store<u64>(e, xPa & ~PAGE_MASK, 16)
  store<u64>(e, (xGlobal ? 1 : 0) | ((ctx & ASID_MASK) << 16), 24)
}

/** A global entry cached under another ASID still matches (slow-path check). */
export function tlbGlobalHit(acc: i32, va: u64, ctx: u64): bool {
  if (ctx == CTX_BARE) return false
  const e = tlbBase(acc) + <usize>(((va >> PAGE_SHIFT) & 255) << 5)
  const tag = load<u64>(e)
  if ((tag & ~PAGE_MASK) != (va & ~PAGE_MASK) || (tag & PAGE_MASK) == CTX_BARE || (load<u64>(e, 24) & 1) == 0) return false
  store<u64>(e, (va & ~PAGE_MASK) | ctx)
  return true
}

/**
 * TLB tags carry only the low 11 bits of the ASID. Before entries tagged with a slot can be
 * used for a new full ASID, the slot's previous owner's entries must go: flush when it changes.
 */
export function claimAsid(asid: u64): void {
  const slot = ASID_OWNERS + <usize>((asid & ASID_MASK) << 1)
  if (<u64>load<u16>(slot) != asid) {
    tlbFlushAll()
    store<u16>(slot, <u16>asid)
  }
}

// ---- privilege and context ------------------------------------------------------------------

/** Privilege used for data accesses: MPRV makes M-mode loads/stores use MPP's. */
export function dataPriv(): u64 {
  const priv = load<u64>(S_PRIV)
  const ms = load<u64>(S_MSTATUS)
  if (priv == PRV_M && (ms & MSTATUS_MPRV)) return (ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT
  return priv
}

/** The TLB context for accesses made at privilege `p`. */
export function ctxFor(p: u64): u64 {
  const satp = load<u64>(S_SATP)
  if (p == PRV_M || (satp >> 60) == 0) return CTX_BARE
  return (satp >> 44) & ASID_MASK
}

// ---- PMP --------------------------------------------------------------------------------

@inline function pmpCfg(i: u64): u64 {
  return (load<u64>(S_PMPCFG0 + <usize>((i >> 3) << 3)) >> ((i & 7) << 3)) & 0xff
}

/** Region [lo, hi) of entry i, or lo == hi when off. */
let pmpLo: u64 = 0
let pmpHi: u64 = 0
function pmpRange(i: u64): void {
  const cfg = pmpCfg(i)
  const a = (cfg >> 3) & 3
  const addr = load<u64>(S_PMPADDR0 + <usize>(i << 3))
  if (a == 0) { pmpLo = 0; pmpHi = 0; return }
  if (a == 1) { // TOR
    pmpLo = i == 0 ? 0 : load<u64>(S_PMPADDR0 + <usize>((i - 1) << 3)) << 2
    pmpHi = addr << 2
  } else if (a == 2) { // NA4
    pmpLo = addr << 2
    pmpHi = pmpLo + 4
  } else { // NAPOT: trailing ones of pmpaddr give the size
    const t = <u64>ctz(~addr)
    const size: u64 = t >= 61 ? 0 : (<u64>1) << (t + 3)
    pmpLo = (addr & ~(((<u64>1) << t) - 1)) << 2
    pmpHi = size == 0 ? <u64>-1 : pmpLo + size
  }
}

export function pmpAnyActive(): bool {
  return ((load<u64>(S_PMPCFG0) | load<u64>(S_PMPCFG0 + 8)) & 0x1818181818181818) != 0
}

/** PMP check for [lo, hi] (inclusive) at privilege p; spec "Priority and Matching Logic". */
export function pmpAllows(lo: u64, hi: u64, acc: i32, p: u64): bool {
  if (!pmpAnyActive()) return true // QEMU: no rules configured means full access for every mode
  for (let i: u64 = 0; i < 16; i++) {
    pmpRange(i)
    if (pmpLo >= pmpHi) continue
    const inLo = lo >= pmpLo && lo < pmpHi
    const inHi = hi >= pmpLo && hi < pmpHi
    if (!inLo && !inHi && !(lo < pmpLo && hi >= pmpHi)) continue
    if (!(inLo && inHi)) return false // partial match fails
    const cfg = pmpCfg(i)
    if (p == PRV_M && (cfg & 0x80) == 0) return true
    if (acc == ACC_FETCH) return (cfg & 4) != 0
    if (acc == ACC_LOAD) return (cfg & 1) != 0
    return (cfg & 2) != 0
  }
  return p == PRV_M
}

// ---- translation ------------------------------------------------------------------------------

@inline function accessFault(acc: i32): u64 {
  return acc == ACC_FETCH ? CAUSE_FETCH_ACCESS : acc == ACC_LOAD ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS
}
@inline function pageFault(acc: i32): u64 {
  return acc == ACC_FETCH ? CAUSE_FETCH_PAGE_FAULT : acc == ACC_LOAD ? CAUSE_LOAD_PAGE_FAULT : CAUSE_STORE_PAGE_FAULT
}

/** Translates va for an access of `size` bytes at privilege p. Sets x* results; false with xCause on a fault. */
export function translate(va: u64, acc: i32, p: u64, size: u64): bool {
  const satp = load<u64>(S_SATP)
  const mode = satp >> 60
  let pa = va
  xGlobal = false
  if (p != PRV_M && mode != 0) {
    if (!walk(va, acc, p, satp, mode)) return false
    pa = xPa
  }
  // PMP, and whether the whole page may be cached.
  const page = pa & ~PAGE_MASK
  if (pmpAllows(page, page + PAGE_MASK, acc, p)) {
    xCacheable = true
  } else {
    xCacheable = false
    if (!pmpAllows(pa, pa + size - 1, acc, p)) { xCause = accessFault(acc); return false }
  }
  xPa = pa
  xHostPage = hostAddr(page, 4096)
  return true
}

/** Physical 64-bit read for the page walker: RAM/ROM only (a PTE in MMIO is an access fault). */
function walk(va: u64, acc: i32, p: u64, satp: u64, mode: u64): bool {
  let levels: i32
  if (mode == 8) levels = 3
  else if (mode == 9) levels = 4
  else { xCause = pageFault(acc); return false }
  const vaBits = <u64>(12 + 9 * levels)
  // Canonical: bits 63..vaBits-1 all equal.
  const top = <i64>va >> (vaBits - 1)
  if (top != 0 && top != -1) { xCause = pageFault(acc); return false }
  const ms = load<u64>(S_MSTATUS)
  let a = (satp & 0xfffffffffff) << 12
  let i = levels - 1
  let pte: u64 = 0
  let pteAddr: u64 = 0
  while (true) {
    pteAddr = a + (((va >> (12 + 9 * <u64>i)) & 0x1ff) << 3)
    const host = hostAddr(pteAddr, 8)
    if (host == 0 || !pmpAllows(pteAddr, pteAddr + 7, ACC_LOAD, PRV_S)) { xCause = accessFault(acc); return false }
    pte = load<u64>(host)
    if (TRACING) {
      if (load<u64>(S_TRACE_WALKS) != 0) record(T_WALK, <u32>i, va, pteAddr, pte, 0)
    }
    if ((pte & PTE_V) == 0 || ((pte & PTE_R) == 0 && (pte & PTE_W) != 0) || (pte & PTE_RESERVED) != 0) {
      xCause = pageFault(acc); return false
    }
    if ((pte & (PTE_R | PTE_X)) != 0) break
    i--
    if (i < 0) { xCause = pageFault(acc); return false }
    a = ((pte >> 10) & 0xfffffffffff) << 12
  }
  // Step 5: permissions.
  const u = (pte & PTE_U) != 0
  if (p == PRV_U && !u) { xCause = pageFault(acc); return false }
  if (p == PRV_S && u && (acc == ACC_FETCH || (ms & MSTATUS_SUM) == 0)) { xCause = pageFault(acc); return false }
  if (acc == ACC_FETCH && (pte & PTE_X) == 0) { xCause = pageFault(acc); return false }
  if (acc == ACC_LOAD && (pte & PTE_R) == 0 && !((ms & MSTATUS_MXR) != 0 && (pte & PTE_X) != 0)) { xCause = pageFault(acc); return false }
  if (acc == ACC_STORE && (pte & PTE_W) == 0) { xCause = pageFault(acc); return false }
  // Step 6: misaligned superpage.
  const ppn = (pte >> 10) & 0xfffffffffff
  if (i > 0 && (ppn & (((<u64>1) << (9 * <u64>i)) - 1)) != 0) { xCause = pageFault(acc); return false }
  // Step 7: hardware A/D update.
  let npte = pte | PTE_A
  if (acc == ACC_STORE) npte |= PTE_D
  if (npte != pte) {
    const host = hostAddr(pteAddr, 8)
    if (isRom(host) || !pmpAllows(pteAddr, pteAddr + 7, ACC_STORE, PRV_S)) { xCause = accessFault(acc); return false }
    store<u64>(host, npte)
    noteStore(host, pteAddr, pteAddr, 8, pte, npte)
  }
  // Step 8.
  const offMask = ((<u64>1) << (12 + 9 * <u64>i)) - 1
  xPa = ((ppn << 12) & ~offMask) | (va & offMask)
  xGlobal = (pte & PTE_G) != 0
  return true
}
