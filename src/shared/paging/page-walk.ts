/**
 * Page-table walks over recorded memory, for the inspectors and the events: translate one VA
 * step by step (with the reason when it faults), walk a whole table into merged VA → PA ranges
 * with permissions, and list a table's pages (so the recorder can watch them for PTE writes).
 *
 * Follows the privileged specification, "Virtual Address Translation Process" (Sv39 / Sv48):
 *  1. Let a be satp.ppn × PAGESIZE, and let i = LEVELS − 1.
 *  2. Let pte be the value of the PTE at address a + va.vpn[i] × PTESIZE.
 *  3. If pte.v = 0, or if pte.r = 0 and pte.w = 1, stop and raise a page-fault exception.
 *  4. Otherwise the PTE is valid. If pte.r = 1 or pte.x = 1, go to step 5. Otherwise this PTE is a
 *     pointer to the next level: let i = i − 1; if i < 0, page fault; else a = pte.ppn × PAGESIZE, go to 2.
 *  5. A leaf PTE has been found. Check the access against pte.r/w/x/u, SUM and MXR; fault if denied.
 *  6. If i > 0 and pte.ppn[i − 1 : 0] ≠ 0, this is a misaligned superpage; page fault.
 *  7. (A/D: hardware sets them, as QEMU does; a walk here only reports them.)
 *  8. The translation is pa.pgoff = va.pgoff, pa.ppn[i−1:0] = va.vpn[i−1:0] for superpages,
 *     pa.ppn[LEVELS−1:i] = pte.ppn[LEVELS−1:i].
 */
import type { MappingRange, SatpValue, TranslationMode } from '../trace/events'
import { hex } from '../trace/events'

/** Reads 8 bytes of physical memory, little-endian; undefined outside memory (an access fault). */
export type PhysReader = (pa: bigint) => bigint | undefined

export const PAGE_SHIFT = 12n
const PTE_BYTES = 8n
const PPN_MASK = (1n << 44n) - 1n
const PTE_V = 1n << 0n
const PTE_R = 1n << 1n
const PTE_W = 1n << 2n
const PTE_X = 1n << 3n
const PTE_U = 1n << 4n
const PTE_G = 1n << 5n
const PTE_A = 1n << 6n
const PTE_D = 1n << 7n

const MODES: Record<number, { name: TranslationMode; levels: number }> = {
  0: { name: 'Bare', levels: 0 },
  8: { name: 'Sv39', levels: 3 },
  9: { name: 'Sv48', levels: 4 },
  10: { name: 'Sv57', levels: 5 },
}

export function decodeSatp(raw: bigint): SatpValue {
  const mode = Number((raw >> 60n) & 0xfn)
  return {
    mode: MODES[mode]?.name ?? 'Bare',
    asid: Number((raw >> 44n) & 0xffffn),
    root: hex((raw & PPN_MASK) << PAGE_SHIFT),
    raw: hex(raw),
  }
}

export interface PteFields {
  v: boolean
  r: boolean
  w: boolean
  x: boolean
  u: boolean
  g: boolean
  a: boolean
  d: boolean
  ppn: bigint
}

export function decodePte(pte: bigint): PteFields {
  return {
    v: (pte & PTE_V) !== 0n,
    r: (pte & PTE_R) !== 0n,
    w: (pte & PTE_W) !== 0n,
    x: (pte & PTE_X) !== 0n,
    u: (pte & PTE_U) !== 0n,
    g: (pte & PTE_G) !== 0n,
    a: (pte & PTE_A) !== 0n,
    d: (pte & PTE_D) !== 0n,
    ppn: (pte >> 10n) & PPN_MASK,
  }
}

/** `RWXUGAD` letters that are set, e.g. `RWXAD`; `V` is implied for leaves. */
export function pteFlags(pte: bigint): string {
  const f = decodePte(pte)
  return [f.r && 'R', f.w && 'W', f.x && 'X', f.u && 'U', f.g && 'G', f.a && 'A', f.d && 'D'].filter(Boolean).join('')
}

export function pageSizeName(level: number): string {
  return ['4 KiB', '2 MiB', '1 GiB', '512 GiB', '256 TiB'][level] ?? `level ${level}`
}

export type Access = 'fetch' | 'load' | 'store'

export interface WalkStep {
  /** 0 = the last level (4 KiB pages); the root has the highest number. */
  level: number
  vpn: number
  pteAddr: string
  pte: string
  kind: 'pointer' | 'leaf' | 'invalid' | 'unreadable'
  flags: string
  /** x86: the table's name in the SDM (PML4, PDPT, PD, PT); RISC-V steps are named by level. */
  table?: string
}

export type Translation =
  | { ok: true; mode: TranslationMode; va: string; pa: string; steps: WalkStep[]; level: number; pageSize: string; flags: string }
  | { ok: false; mode: TranslationMode; va: string; steps: WalkStep[]; cause: number; reason: string; /** x86: the #PF error code. */ errorCode?: number }

const FAULT_CAUSE: Record<Access, number> = { fetch: 12, load: 13, store: 15 }
const ACCESS_FAULT_CAUSE: Record<Access, number> = { fetch: 1, load: 5, store: 7 }

export interface TranslateOptions {
  access?: Access
  /** Privilege of the access: 0 U, 1 S (default). */
  priv?: number
  sum?: boolean
  mxr?: boolean
}

/** Translates `va` under `satp` as the hart would, reporting each level of the walk. */
export function translate(mem: PhysReader, satpRaw: bigint, vaIn: bigint, opts: TranslateOptions = {}): Translation {
  const access = opts.access ?? 'load'
  const priv = opts.priv ?? 1
  const satp = decodeSatp(satpRaw)
  const va = BigInt.asUintN(64, vaIn)
  const mode = MODES[Number((satpRaw >> 60n) & 0xfn)] ?? MODES[0]
  if (mode.levels === 0) {
    return { ok: true, mode: 'Bare', va: hex(va), pa: hex(va), steps: [], level: 0, pageSize: 'none', flags: 'RWX' }
  }
  const vaBits = BigInt(12 + 9 * mode.levels)
  const fault = (steps: WalkStep[], reason: string, cause = FAULT_CAUSE[access]): Translation => ({ ok: false, mode: satp.mode, va: hex(va), steps, cause, reason })
  // Bits 63..vaBits must all equal bit vaBits-1 (canonical form).
  const top = va >> (vaBits - 1n)
  if (top !== 0n && top !== (1n << (64n - vaBits + 1n)) - 1n) {
    return fault([], `${hex(va)} is not canonical for ${satp.mode}: bits 63..${vaBits} must equal bit ${vaBits - 1n}`)
  }
  let a = (satpRaw & PPN_MASK) << PAGE_SHIFT
  const steps: WalkStep[] = []
  for (let i = mode.levels - 1; i >= 0; i--) {
    const vpn = Number((va >> (PAGE_SHIFT + 9n * BigInt(i))) & 0x1ffn)
    const pteAddr = a + BigInt(vpn) * PTE_BYTES
    const pte = mem(pteAddr)
    if (pte === undefined) {
      steps.push({ level: i, vpn, pteAddr: hex(pteAddr), pte: '?', kind: 'unreadable', flags: '' })
      return fault(steps, `the level-${i} PTE at ${hex(pteAddr)} is outside physical memory`, ACCESS_FAULT_CAUSE[access])
    }
    const f = decodePte(pte)
    const step: WalkStep = { level: i, vpn, pteAddr: hex(pteAddr), pte: hex(pte), kind: 'invalid', flags: pteFlags(pte) }
    steps.push(step)
    if (!f.v) return fault(steps, `the level-${i} PTE (index ${vpn} at ${hex(pteAddr)}) is not valid (V=0): nothing is mapped there`)
    if (!f.r && f.w) return fault(steps, `the level-${i} PTE at ${hex(pteAddr)} is writable but not readable (W=1, R=0), which is reserved`)
    if (!f.r && !f.x) {
      step.kind = 'pointer'
      if (i === 0) return fault(steps, 'the last-level PTE is a pointer (R=W=X=0): the walk ran out of levels')
      a = f.ppn << PAGE_SHIFT
      continue
    }
    step.kind = 'leaf'
    const denied = permissionDenied(f, access, priv, !!opts.sum, !!opts.mxr)
    if (denied) return fault(steps, denied)
    if (i > 0 && (f.ppn & ((1n << (9n * BigInt(i))) - 1n)) !== 0n) {
      return fault(steps, `misaligned superpage: a level-${i} leaf (${pageSizeName(i)}) must have its low ${9 * i} PPN bits zero, but its PPN is ${hex(f.ppn)}`)
    }
    if (!f.a || (access === 'store' && !f.d)) {
      // Hardware sets A/D (as QEMU does); reported here, not a fault.
    }
    const offsetBits = PAGE_SHIFT + 9n * BigInt(i)
    const pa = ((f.ppn >> (9n * BigInt(i))) << offsetBits) | (va & ((1n << offsetBits) - 1n))
    return { ok: true, mode: satp.mode, va: hex(va), pa: hex(pa), steps, level: i, pageSize: pageSizeName(i), flags: pteFlags(pte) }
  }
  return fault(steps, 'the walk ran out of levels')
}

function permissionDenied(f: PteFields, access: Access, priv: number, sum: boolean, mxr: boolean): string | undefined {
  if (priv === 0 && !f.u) return 'the page is not accessible from U-mode (U=0)'
  if (priv === 1 && f.u && (access === 'fetch' || !sum)) {
    return access === 'fetch' ? 'S-mode may never execute a U page (U=1)' : 'the page is a U page and sstatus.SUM is 0'
  }
  if (access === 'fetch' && !f.x) return 'the page is not executable (X=0)'
  if (access === 'load' && !(f.r || (mxr && f.x))) return 'the page is not readable (R=0)'
  if (access === 'store' && !f.w) return 'the page is not writable (W=0)'
  return undefined
}

export interface TableWalk {
  mode: TranslationMode
  root: string
  /** Leaves merged into contiguous VA → PA ranges with identical permissions and page size. */
  mappings: MappingRange[]
  /** Physical addresses of every page-table page reached (root first). */
  tablePages: bigint[]
  /** The same pages with their level and the first VA their entries map (canonical), for naming PTE edits. */
  tables: { pa: bigint; level: number; vaBase: bigint }[]
  /** Leaves found (before merging); capped by `maxLeaves`. */
  leafCount: number
  truncated: boolean
}

/** Walks the whole table under `satp`; stops after `maxLeaves` leaves (a table can map 2^27 pages). */
export function walkTable(mem: PhysReader, satpRaw: bigint, maxLeaves = 1 << 16): TableWalk {
  const satp = decodeSatp(satpRaw)
  const mode = MODES[Number((satpRaw >> 60n) & 0xfn)] ?? MODES[0]
  const result: TableWalk = { mode: satp.mode, root: satp.root, mappings: [], tablePages: [], tables: [], leafCount: 0, truncated: false }
  if (mode.levels === 0) return result
  const vaBits = BigInt(12 + 9 * mode.levels)
  const seen = new Set<bigint>()
  const leaves: { va: bigint; pa: bigint; size: bigint; perms: string; level: number }[] = []
  const visit = (table: bigint, level: number, vaPrefix: bigint) => {
    if (seen.has(table) || result.truncated) return
    seen.add(table)
    result.tablePages.push(table)
    result.tables.push({ pa: table, level, vaBase: BigInt.asUintN(64, BigInt.asIntN(Number(vaBits), vaPrefix)) })
    for (let idx = 0n; idx < 512n; idx++) {
      const pte = mem(table + idx * PTE_BYTES)
      if (pte === undefined) return
      const f = decodePte(pte)
      if (!f.v || (!f.r && f.w)) continue
      const shift = PAGE_SHIFT + 9n * BigInt(level)
      const va = vaPrefix | (idx << shift)
      if (!f.r && !f.x) {
        if (level > 0) visit(f.ppn << PAGE_SHIFT, level - 1, va)
        continue
      }
      if (level > 0 && (f.ppn & ((1n << (9n * BigInt(level))) - 1n)) !== 0n) continue // misaligned superpage: faults, maps nothing
      if (leaves.length >= maxLeaves) {
        result.truncated = true
        return
      }
      // Sign-extend from the top VA bit to get the canonical address.
      const canonical = BigInt.asUintN(64, BigInt.asIntN(Number(vaBits), va))
      leaves.push({ va: canonical, pa: f.ppn << PAGE_SHIFT, size: 1n << shift, perms: pteFlags(pte), level })
    }
  }
  visit((satpRaw & PPN_MASK) << PAGE_SHIFT, mode.levels - 1, 0n)
  result.leafCount = leaves.length
  leaves.sort((x, y) => (x.va < y.va ? -1 : x.va > y.va ? 1 : 0))
  let cur: (typeof leaves)[number] | undefined
  const flush = () => {
    if (cur) result.mappings.push({ va: hex(cur.va), pa: hex(cur.pa), size: hex(cur.size), perms: cur.perms, pageSize: pageSizeName(cur.level) })
  }
  for (const l of leaves) {
    if (cur && cur.va + cur.size === l.va && cur.pa + cur.size === l.pa && cur.perms === l.perms && cur.level === l.level) {
      cur.size += l.size
    } else {
      flush()
      cur = { ...l }
    }
  }
  flush()
  return result
}

/** A PhysReader over a RAM image at `base` (for recorded memory and tests). */
export function ramReader(ram: Uint8Array, base: bigint): PhysReader {
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength)
  const size = BigInt(ram.byteLength)
  return (pa) => {
    const off = pa - base
    if (off < 0n || off + 8n > size || (pa & 7n) !== 0n) return undefined
    return view.getBigUint64(Number(off), true)
  }
}

/** One valid entry of a page-table page, decoded for the page-table tree. */
export interface TableEntry {
  index: number
  pte: string
  kind: 'pointer' | 'leaf' | 'reserved'
  flags: string
  /** First virtual address the entry maps (canonical). */
  va: string
  /** The next-level table (pointer) or the mapped frame (leaf). */
  pa: string
  /** Leaves only: 4 KiB, 2 MiB, 1 GiB, … */
  pageSize: string | null
  /** x86: a pointer to this very table, or (PAE) to one of the page directories: a recursive mapping. */
  recursive?: boolean
  /** x86 PAE: what the recursive entry makes visible, in words (a PD entry pointing at page directory k). */
  recursiveNote?: string
}

/**
 * The valid entries of one page-table page at `level`, whose first entry maps `vaBase` (as
 * `walkTable`'s `tables` give them): for an inspector that expands the tree one page at a time.
 */
export function readTablePage(mem: PhysReader, satpRaw: bigint, tablePa: bigint, level: number, vaBase: bigint): TableEntry[] {
  const mode = MODES[Number((satpRaw >> 60n) & 0xfn)] ?? MODES[0]
  if (mode.levels === 0) return []
  const vaBits = BigInt(12 + 9 * mode.levels)
  const shift = PAGE_SHIFT + 9n * BigInt(level)
  const out: TableEntry[] = []
  for (let index = 0; index < 512; index++) {
    const pte = mem(tablePa + BigInt(index) * PTE_BYTES)
    if (pte === undefined) break
    const f = decodePte(pte)
    if (!f.v) continue
    const va = BigInt.asUintN(64, BigInt.asIntN(Number(vaBits), BigInt.asUintN(Number(vaBits), vaBase) | (BigInt(index) << shift)))
    const kind = !f.r && f.w ? 'reserved' : !f.r && !f.x ? 'pointer' : 'leaf'
    out.push({ index, pte: hex(pte), kind, flags: pteFlags(pte), va: hex(va), pa: hex(f.ppn << PAGE_SHIFT), pageSize: kind === 'leaf' ? pageSizeName(level) : null })
  }
  return out
}
