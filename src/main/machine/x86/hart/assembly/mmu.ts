/**
 * Paging (linear → physical), the three direct-mapped TLBs, the strict-TLB second level and
 * physical memory classification (RAM, device pages, everything above RAM = MMIO). The hot
 * loop only ever compares a TLB tag; everything here runs on a miss.
 *
 * The walk follows the SDM, vol. 3, chapter 4 ("Paging"):
 * - 32-bit paging (4.3): CR3[31:12] → PDE at bits 31:22 of the linear address; a PDE with PS = 1
 *   and CR4.PSE = 1 maps a 4-MByte page (PSE-36: PDE bits 20:13 are physical bits 39:32, bit 21
 *   reserved); otherwise the PDE's bits 31:12 locate the page table, PTE at bits 21:12.
 * - PAE paging (4.4): CR3[31:5] → 4 PDPTEs (bits 31:30); PDE (29:21) with PS = 1 maps 2 MBytes;
 *   PTE (20:12). PDPTEs are read at each walk (as QEMU does) and have no A bit.
 * - 4-level paging (4.5): CR3[51:12] → PML4E (47:39) → PDPTE (38:30; PS = 1: 1 GByte) → PDE
 *   (29:21; PS = 1: 2 MBytes) → PTE (20:12).
 * - Access rights (4.6): R/W and U/S are ANDed over every level, XD ORed (with EFER.NXE).
 *   User-mode (CPL 3) accesses need U/S = 1 everywhere, and R/W = 1 to write; supervisor writes
 *   need R/W = 1 only when CR0.WP = 1; fetches fault on XD = 1.
 * - Accessed and dirty flags (4.8): A is set in each paging-structure entry used (non-leaf ones as
 *   the walk passes them, the leaf only when the access is allowed), D in the leaf on a write.
 * - Page-fault error code (4.7): P (protection violation rather than not-present), W/R, U/S,
 *   RSVD (a reserved bit was set), I/D (fetch, with PAE/4-level paging and EFER.NXE).
 * MAXPHYADDR is 40 (CPUID 0x80000008, as QEMU's qemu64): entry bits 51:40 are reserved.
 *
 * TLB tags are `(linear & ~0xfff) | ctx` with ctx bit 0 = CPL 3, so supervisor and user
 * permissions never share an entry. Entries remember the leaf's G bit (with CR4.PGE): a CR3
 * write flushes all but global entries, invlpg one page, and changes to CR0.PG/WP, CR4.PSE/PAE/PGE
 * or EFER.NXE flush everything.
 */
import {
  S_CR0, S_CR3, S_CR4, S_EFER, S_RAM_SIZE, S_STRICT_TLB, S_TRACE_WALKS, TLB_FETCH, TLB_READ, TLB_WRITE,
  TLB_STRICT, STRICT_ENTRIES, TLB_ENTRIES, TLB_INDEX_MASK, RAM, PAGE_FLAGS, CODE_MAP, PF_CODE, PF_WATCHED, PF_DIRTY, PF_DEVICE, DCACHE, DC_MASK,
  DC_ENTRY_BYTES,
} from './layout'
import { ACC_FETCH, ACC_READ, ACC_WRITE } from './globals'
import {
  CR0_PG, CR0_WP, CR4_PSE, CR4_PAE, CR4_PGE, EFER_LMA, EFER_NXE, PTE_P, PTE_RW, PTE_US, PTE_A, PTE_D, PTE_PS,
  PTE_G, PTE_XD, PF_ERR_P, PF_ERR_WR, PF_ERR_US, PF_ERR_RSVD, PF_ERR_ID,
} from './spec.generated'
import { TRACING, record, T_WALK, T_STORE } from './trace'
import { debugWatchedPage } from './debug-stops'

export const PAGE_MASK: u64 = 0xfff
/** Never produced by (linear & ~0xfff) | ctx with ctx ≤ 1. */
export const TAG_INVALID: u64 = 0xfff
/**
 * Set in a write-TLB tag whose page holds decoded instructions: the inline compare misses, and
 * the store takes a short path that updates RAM through the entry and drops the decoded
 * instructions it overwrites (mem.ts writeCodePage) — no page walk on every store near code.
 */
export const TAG_CODE: u64 = 2
/** Physical-address bits 39:12 of a 64-bit paging entry (MAXPHYADDR = 40). */
const ADDR_MASK_64: u64 = 0x000000fffffff000
/** Entry bits 51:40, reserved with MAXPHYADDR = 40. */
const RSVD_HIGH_64: u64 = 0x000fff0000000000

// Results of translate().
export let xPa: u64 = 0
/** Host address of the page start, or 0 when the page is not RAM (MMIO / device page). */
export let xHost: usize = 0
export let xGlobal: bool = false
/** The access rights would also allow a write, and the leaf's D bit is set: a write needs no walk (set by the walk). */
export let xWriteReady: bool = false
/** #PF error code when translate() returned false. */
export let xErr: u32 = 0

// ---- physical memory ------------------------------------------------------------------------

/** Host address of the 4 KiB physical page holding pa, or 0 when it is not plain RAM. */
export function hostPage(pa: u64): usize {
  const page = pa & ~PAGE_MASK
  if (page >= load<u64>(S_RAM_SIZE)) return 0
  if (load<u8>(PAGE_FLAGS + <usize>(page >> 12)) & PF_DEVICE) return 0
  return RAM + <usize>page
}

/** Reads a paging-structure entry (4 or 8 bytes); entries outside RAM read as 0 (not present). */
function readEntry(pa: u64, size: u64): u64 {
  const h = hostPage(pa)
  if (h == 0) return 0
  const a = h + <usize>(pa & PAGE_MASK)
  return size == 8 ? load<u64>(a) : <u64>load<u32>(a)
}

/** Sets bits in a paging-structure entry (A/D updates), with the bookkeeping of any RAM store. */
function setEntryBits(pa: u64, size: u64, old: u64, bits: u64): void {
  const h = hostPage(pa)
  if (h == 0) return
  const a = h + <usize>(pa & PAGE_MASK)
  const nv = old | bits
  if (size == 8) store<u64>(a, nv)
  else store<u32>(a, <u32>nv)
  noteStore(a, pa, pa, size, old, nv)
}

/** Bookkeeping of a store into RAM: dirty bit, decode-cache invalidation, watched-page trace. */
export function noteStore(host: usize, pa: u64, lin: u64, size: u64, oldv: u64, newv: u64): void {
  if (host < RAM) return
  const page = (host - RAM) >> 12
  const f = load<u8>(PAGE_FLAGS + page)
  if (f & PF_CODE) invalidateCode(pa, size)
  if (TRACING) {
    if (f & PF_WATCHED) record(T_STORE, <u32>size, pa, lin, oldv, newv)
  }
  store<u8>(PAGE_FLAGS + page, f | PF_DIRTY)
}

/** A decoded instruction may start in the 512-byte granule of `pa` (CODE_MAP). */
@inline function codeGranule(pa: u64): bool {
  return ((<u32>load<u8>(CODE_MAP + <usize>(pa >> 12)) >> <u32>((pa >> 9) & 7)) & 1) != 0
}

/** Drops decoded instructions overlapping [pa, pa + size): one may start up to 14 bytes before. */
export function invalidateCode(pa: u64, size: u64): void {
  const from = pa >= 14 ? pa - 14 : 0
  if (!codeGranule(from) && !codeGranule(pa + size - 1)) return
  for (let a = from; a < pa + size; a++) {
    const e = DCACHE + <usize>((a & DC_MASK) * DC_ENTRY_BYTES)
    if ((load<u64>(e) & 0x00ffffffffffffff) == a) store<u64>(e, <u64>-1)
  }
}

/** Marks the RAM page of `pa` as holding decoded code (stores to it take the code-page path from now on), and pa's CODE_MAP granule. */
export function markCodePage(pa: u64): void {
  if (pa >= load<u64>(S_RAM_SIZE)) return
  const g = CODE_MAP + <usize>(pa >> 12)
  store<u8>(g, <u8>(<u32>load<u8>(g) | (<u32>1 << <u32>((pa >> 9) & 7))))
  const pagePa = pa & ~PAGE_MASK
  const p = PAGE_FLAGS + <usize>(pagePa >> 12)
  const f = load<u8>(p)
  if (f & PF_CODE) return
  store<u8>(p, f | PF_CODE)
  for (let i: usize = 0; i < <usize>TLB_ENTRIES; i++) {
    const e = TLB_WRITE + (i << 5)
    if (load<u64>(e, 16) == pagePa && load<u64>(e) != TAG_INVALID) store<u64>(e, load<u64>(e) | TAG_CODE)
  }
}

/** Removes write-TLB entries that point at a physical page (it became code or watched, or was cleaned). */
export function evictWritePage(pagePa: u64): void {
  for (let i: usize = 0; i < <usize>TLB_ENTRIES; i++) {
    const e = TLB_WRITE + (i << 5)
    if (load<u64>(e, 16) == pagePa) store<u64>(e, TAG_INVALID)
  }
}

// ---- TLB ----------------------------------------------------------------------------------------

@inline export function tlbBase(acc: i32): usize {
  return acc == ACC_FETCH ? TLB_FETCH : acc == ACC_WRITE ? TLB_WRITE : TLB_READ
}
@inline function strictBase(acc: i32): usize {
  return TLB_STRICT + <usize>acc * <usize>(STRICT_ENTRIES * 32)
}

/** The strict level may hold entries (it was filled since the last full flush): flushes skip it otherwise. */
let strictFilled = true

/** Flushes every entry (global ones too), both levels. */
export function tlbFlushAll(): void {
  for (let i: usize = 0; i < 3 * <usize>TLB_ENTRIES; i++) store<u64>(TLB_FETCH + (i << 5), TAG_INVALID)
  if (strictFilled) {
    for (let i: usize = 0; i < 3 * <usize>STRICT_ENTRIES; i++) store<u64>(TLB_STRICT + (i << 5), TAG_INVALID)
    strictFilled = false
  }
}

/** A CR3 write: every entry but the global ones goes. */
export function tlbFlushNonGlobal(): void {
  for (let i: usize = 0; i < 3 * <usize>TLB_ENTRIES; i++) {
    const e = TLB_FETCH + (i << 5)
    if ((load<u64>(e, 24) & 1) == 0) store<u64>(e, TAG_INVALID)
  }
  if (strictFilled) {
    for (let i: usize = 0; i < 3 * <usize>STRICT_ENTRIES; i++) {
      const e = TLB_STRICT + (i << 5)
      if ((load<u64>(e, 24) & 1) == 0) store<u64>(e, TAG_INVALID)
    }
  }
}

/** invlpg: the page of `lin` in every context (global entries too). */
export function tlbFlushPage(lin: u64): void {
  const page = lin & ~PAGE_MASK
  for (let k: i32 = 0; k < 3; k++) {
    const e = tlbBase(k) + <usize>(((lin >> 12) & TLB_INDEX_MASK) << 5)
    if ((load<u64>(e) & ~PAGE_MASK) == page) store<u64>(e, TAG_INVALID)
    const s = strictBase(k) + <usize>(((lin >> 12) & (STRICT_ENTRIES - 1)) << 5)
    if ((load<u64>(s) & ~PAGE_MASK) == page) store<u64>(s, TAG_INVALID)
  }
}

/** Puts the last successful translation of `lin` into the TLB of its kind (if the page may be cached there). */
export function tlbFill(acc: i32, lin: u64, ctx: u64): void {
  if (load<u64>(S_STRICT_TLB) != 0) {
    strictFilled = true
    const s = strictBase(acc) + <usize>(((lin >> 12) & (STRICT_ENTRIES - 1)) << 5)
    store<u64>(s, (lin & ~PAGE_MASK) | ctx)
    store<u64>(s, xPa & ~PAGE_MASK, 16)
    store<u64>(s, xGlobal ? 1 : 0, 24)
  }
  fillFirstLevel(acc, lin, ctx)
}

/**
 * After a walk for a read or a write (non-strict mode): the other of the two data TLBs gets the
 * page too when that needs no walk — a write's rights imply a read's; a read's leaf already
 * dirty (D = 1), writable at this privilege, on a page already marked dirty, can take writes
 * (what a hardware TLB caches; QEMU does the same). So a read-modify-write walks once, not twice.
 */
export function tlbFillPartner(acc: i32, lin: u64, ctx: u64): void {
  if (load<u64>(S_STRICT_TLB) != 0 || xHost == 0) return
  if (acc == ACC_WRITE) { fillFirstLevel(ACC_READ, lin, ctx); return }
  if (!xWriteReady) return
  if ((load<u8>(PAGE_FLAGS + ((xHost - RAM) >> 12)) & PF_DIRTY) == 0) return
  fillFirstLevel(ACC_WRITE, lin, ctx)
}

/** The first-level TLB's translation of `lin` for `acc`, when cached: sets xPa and xHost (RAM pages only are cached). */
export function tlbLookup(acc: i32, lin: u64, ctx: u64): bool {
  const e = tlbBase(acc) + <usize>(((lin >> 12) & TLB_INDEX_MASK) << 5)
  if ((load<u64>(e) & ~TAG_CODE) != ((lin & ~PAGE_MASK) | ctx)) return false
  xPa = load<u64>(e, 16) | (lin & PAGE_MASK)
  xHost = <usize>(load<u64>(e, 8) + (lin & ~PAGE_MASK))
  return true
}

function fillFirstLevel(acc: i32, lin: u64, ctx: u64): void {
  if (xHost == 0) return
  if (acc != ACC_FETCH && debugWatchedPage(xHost, acc == ACC_WRITE)) return // a debugger's watch: accesses take the slow path (debug-stops.ts)
  let flag: u64 = 0
  if (acc == ACC_WRITE) {
    const page = (xHost - RAM) >> 12
    const f = load<u8>(PAGE_FLAGS + page)
    if (f & PF_WATCHED) return // recorded stores must see the slow path
    if (f & PF_CODE) flag = TAG_CODE
    store<u8>(PAGE_FLAGS + page, f | PF_DIRTY)
  }
  const e = tlbBase(acc) + <usize>(((lin >> 12) & TLB_INDEX_MASK) << 5)
  const lpage = lin & ~PAGE_MASK
  store<u64>(e, lpage | ctx | flag)
  store<u64>(e, <u64>xHost - lpage, 8)
  store<u64>(e, xPa & ~PAGE_MASK, 16)
  store<u64>(e, xGlobal ? 1 : 0, 24)
}

/** Strict mode: a translation cached earlier (possibly stale) is used before walking again. */
function strictHit(acc: i32, lin: u64, ctx: u64): bool {
  if (load<u64>(S_STRICT_TLB) == 0) return false
  const s = strictBase(acc) + <usize>(((lin >> 12) & (STRICT_ENTRIES - 1)) << 5)
  if (load<u64>(s) != ((lin & ~PAGE_MASK) | ctx)) return false
  xPa = load<u64>(s, 16) | (lin & PAGE_MASK)
  xGlobal = (load<u64>(s, 24) & 1) != 0
  xWriteReady = false
  xHost = hostPage(xPa)
  fillFirstLevel(acc, lin, ctx)
  return true
}

// ---- the walk ----------------------------------------------------------------------------------

let walkLin: u64 = 0

@inline function traceWalk(level: u32, entryPa: u64, entry: u64): void {
  if (TRACING) {
    if (load<u64>(S_TRACE_WALKS) != 0) record(T_WALK, level, walkLin, entryPa, entry, 0)
  }
}

/** The page-fault error code for a failed access (P set by the caller for protection violations). */
function pfError(acc: i32, user: bool, extra: u32): u32 {
  let e = extra
  if (acc == ACC_WRITE) e |= <u32>PF_ERR_WR
  if (user) e |= <u32>PF_ERR_US
  if (acc == ACC_FETCH && (load<u64>(S_EFER) & EFER_NXE) != 0 && (load<u64>(S_CR4) & CR4_PAE) != 0) e |= <u32>PF_ERR_ID
  return e
}

/**
 * Translates `lin` for an access of kind `acc` at CPL 3 (`user`) or supervisor. On success sets
 * xPa/xHost/xGlobal (and A/D bits when `setAD`); on a page fault returns false with xErr set.
 * Uses the strict second-level TLB first when that mode is on.
 */
export function translate(lin: u64, acc: i32, user: bool, setAD: bool, ctx: u64): bool {
  const cr0 = load<u64>(S_CR0)
  if ((cr0 & CR0_PG) == 0) {
    xPa = (load<u64>(S_EFER) & EFER_LMA) != 0 ? lin : lin & 0xffffffff
    xHost = hostPage(xPa)
    xGlobal = false
    xWriteReady = true
    return true
  }
  if (setAD && strictHit(acc, lin, ctx)) return true
  walkLin = lin
  const cr4 = load<u64>(S_CR4)
  if ((load<u64>(S_EFER) & EFER_LMA) != 0) return walk4(lin, acc, user, setAD, cr0, cr4)
  if ((cr4 & CR4_PAE) != 0) return walkPae(lin, acc, user, setAD, cr0, cr4)
  return walk32(lin, acc, user, setAD, cr0, cr4)
}

/** The rights just checked by `allowed` would also permit a write. */
let writable = false

/** Final access-rights check (SDM 4.6) on the combined R/W, U/S and XD; sets xErr on failure. */
function allowed(acc: i32, user: bool, rw: bool, us: bool, xd: bool, cr0: u64): bool {
  writable = (!user || us) && (rw || (!user && (cr0 & CR0_WP) == 0))
  let ok = true
  if (user && !us) ok = false
  else if (acc == ACC_WRITE && !rw && (user || (cr0 & CR0_WP) != 0)) ok = false
  else if (acc == ACC_FETCH && xd) ok = false
  if (!ok) xErr = pfError(acc, user, <u32>PF_ERR_P)
  return ok
}

/** Sets the leaf's A (and D on writes), then the result registers. */
function leaf(entryPa: u64, size: u64, entry: u64, acc: i32, setAD: bool, pa: u64, cr4: u64): bool {
  if (setAD) {
    const want = PTE_A | (acc == ACC_WRITE ? PTE_D : 0)
    if ((entry & want) != want) setEntryBits(entryPa, size, entry, want)
  }
  xPa = pa
  xHost = hostPage(pa)
  xGlobal = (entry & PTE_G) != 0 && (cr4 & CR4_PGE) != 0
  xWriteReady = writable && (acc == ACC_WRITE || (entry & PTE_D) != 0)
  return true
}

/** Sets A in a non-leaf entry as the walk passes it. */
@inline function touch(entryPa: u64, size: u64, entry: u64, setAD: bool): void {
  if (setAD && (entry & PTE_A) == 0) setEntryBits(entryPa, size, entry, PTE_A)
}

function notPresent(acc: i32, user: bool): bool {
  xErr = pfError(acc, user, 0)
  return false
}
function reserved(acc: i32, user: bool): bool {
  xErr = pfError(acc, user, <u32>(PF_ERR_P | PF_ERR_RSVD))
  return false
}

/** 32-bit paging (SDM 4.3). */
function walk32(lin: u64, acc: i32, user: bool, setAD: bool, cr0: u64, cr4: u64): bool {
  const l = lin & 0xffffffff
  const pdeAddr = (load<u64>(S_CR3) & 0xfffff000) | ((l >> 22) << 2)
  const pde = readEntry(pdeAddr, 4)
  traceWalk(2, pdeAddr, pde)
  if ((pde & PTE_P) == 0) return notPresent(acc, user)
  if ((pde & PTE_PS) != 0 && (cr4 & CR4_PSE) != 0) {
    if ((pde & (<u64>1 << 21)) != 0) return reserved(acc, user)
    if (!allowed(acc, user, (pde & PTE_RW) != 0, (pde & PTE_US) != 0, false, cr0)) return false
    const pa = (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32) | (l & 0x3fffff)
    return leaf(pdeAddr, 4, pde, acc, setAD, pa, cr4)
  }
  touch(pdeAddr, 4, pde, setAD)
  const pteAddr = (pde & 0xfffff000) | (((l >> 12) & 0x3ff) << 2)
  const pte = readEntry(pteAddr, 4)
  traceWalk(1, pteAddr, pte)
  if ((pte & PTE_P) == 0) return notPresent(acc, user)
  const rw = (pde & pte & PTE_RW) != 0
  const us = (pde & pte & PTE_US) != 0
  if (!allowed(acc, user, rw, us, false, cr0)) return false
  return leaf(pteAddr, 4, pte, acc, setAD, (pte & 0xfffff000) | (l & PAGE_MASK), cr4)
}

/** Reserved bits of a 64-bit entry: high physical bits, and XD without EFER.NXE. */
@inline function rsvd64(e: u64): bool {
  if ((e & RSVD_HIGH_64) != 0) return true
  return (e & PTE_XD) != 0 && (load<u64>(S_EFER) & EFER_NXE) == 0
}

/** The PDE and PTE levels shared by PAE and 4-level paging, from the page directory at `pdBase`. */
function walkPdPt(lin: u64, acc: i32, user: bool, setAD: bool, cr0: u64, cr4: u64, pdBase: u64, rwIn: bool, usIn: bool, xdIn: bool): bool {
  const pdeAddr = pdBase | (((lin >> 21) & 0x1ff) << 3)
  const pde = readEntry(pdeAddr, 8)
  traceWalk(2, pdeAddr, pde)
  if ((pde & PTE_P) == 0) return notPresent(acc, user)
  if (rsvd64(pde)) return reserved(acc, user)
  const rw = rwIn && (pde & PTE_RW) != 0
  const us = usIn && (pde & PTE_US) != 0
  const xd = xdIn || (pde & PTE_XD) != 0
  if ((pde & PTE_PS) != 0) {
    if ((pde & 0x1fe000) != 0) return reserved(acc, user) // bits 20:13 of a 2-MByte page
    if (!allowed(acc, user, rw, us, xd, cr0)) return false
    return leaf(pdeAddr, 8, pde, acc, setAD, (pde & ADDR_MASK_64 & ~(<u64>0x1fffff)) | (lin & 0x1fffff), cr4)
  }
  touch(pdeAddr, 8, pde, setAD)
  const pteAddr = (pde & ADDR_MASK_64) | (((lin >> 12) & 0x1ff) << 3)
  const pte = readEntry(pteAddr, 8)
  traceWalk(1, pteAddr, pte)
  if ((pte & PTE_P) == 0) return notPresent(acc, user)
  if (rsvd64(pte)) return reserved(acc, user)
  if (!allowed(acc, user, rw && (pte & PTE_RW) != 0, us && (pte & PTE_US) != 0, xd || (pte & PTE_XD) != 0, cr0)) return false
  return leaf(pteAddr, 8, pte, acc, setAD, (pte & ADDR_MASK_64) | (lin & PAGE_MASK), cr4)
}

/** PAE paging (SDM 4.4): PDPTEs have no R/W, U/S, XD or A bits. */
function walkPae(lin: u64, acc: i32, user: bool, setAD: bool, cr0: u64, cr4: u64): bool {
  const l = lin & 0xffffffff
  const pdpteAddr = (load<u64>(S_CR3) & 0xffffffe0) | ((l >> 30) << 3)
  const pdpte = readEntry(pdpteAddr, 8)
  traceWalk(3, pdpteAddr, pdpte)
  if ((pdpte & PTE_P) == 0) return notPresent(acc, user)
  if ((pdpte & (RSVD_HIGH_64 | 0x1e6 | PTE_XD)) != 0) return reserved(acc, user)
  return walkPdPt(l, acc, user, setAD, cr0, cr4, pdpte & ADDR_MASK_64, true, true, false)
}

/** 4-level paging (SDM 4.5). */
function walk4(lin: u64, acc: i32, user: bool, setAD: bool, cr0: u64, cr4: u64): bool {
  const pml4eAddr = (load<u64>(S_CR3) & ADDR_MASK_64) | (((lin >> 39) & 0x1ff) << 3)
  const pml4e = readEntry(pml4eAddr, 8)
  traceWalk(4, pml4eAddr, pml4e)
  if ((pml4e & PTE_P) == 0) return notPresent(acc, user)
  if (rsvd64(pml4e) || (pml4e & PTE_PS) != 0) return reserved(acc, user)
  touch(pml4eAddr, 8, pml4e, setAD)
  const pdpteAddr = (pml4e & ADDR_MASK_64) | (((lin >> 30) & 0x1ff) << 3)
  const pdpte = readEntry(pdpteAddr, 8)
  traceWalk(3, pdpteAddr, pdpte)
  if ((pdpte & PTE_P) == 0) return notPresent(acc, user)
  if (rsvd64(pdpte)) return reserved(acc, user)
  const rw = (pml4e & pdpte & PTE_RW) != 0
  const us = (pml4e & pdpte & PTE_US) != 0
  const xd = ((pml4e | pdpte) & PTE_XD) != 0
  if ((pdpte & PTE_PS) != 0) {
    if ((pdpte & 0x3fffe000) != 0) return reserved(acc, user) // bits 29:13 of a 1-GByte page
    if (!allowed(acc, user, rw, us, xd, cr0)) return false
    return leaf(pdpteAddr, 8, pdpte, acc, setAD, (pdpte & ADDR_MASK_64 & ~(<u64>0x3fffffff)) | (lin & 0x3fffffff), cr4)
  }
  touch(pdpteAddr, 8, pdpte, setAD)
  return walkPdPt(lin, acc, user, setAD, cr0, cr4, pdpte & ADDR_MASK_64, rw, us, xd)
}

/** Canonical: bits 63:47 all equal (48-bit linear addresses). */
@inline export function canonical(lin: u64): bool {
  return <u64>((<i64>(lin << 16)) >> 16) == lin
}
