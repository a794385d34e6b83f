/**
 * x86 page-table walks over physical memory, for the inspectors, the events and the stop
 * explanations: translate one linear address level by level (with the #PF error code and the
 * reason when it faults), walk a whole table into merged VA → PA ranges with the effective
 * permissions, and decode one table page. Same result shapes as the RISC-V walker
 * (`../page-walk.ts`), so the CLI and the UI show both.
 *
 * Follows the SDM Vol. 3A chapter 4: the walk starts at the table CR3 names (§4.3, §4.4, §4.5),
 * takes index bits of the linear address at each level, stops at a not-present entry (P = 0), a
 * reserved bit set (§4.3–4.5 "reserved bits", RSVD in the error code), or an entry that maps a
 * page (PS = 1, or the last level). Access rights combine over all levels (§4.6): a write needs
 * R/W = 1 everywhere (for supervisor writes only with CR0.WP = 1), a user access U/S = 1
 * everywhere, a fetch XD = 0 everywhere (with IA32_EFER.NXE). A recursive entry — one pointing
 * at a table already on the walk's path (seed 002's PML4[511] → the PML4 itself) — is named, not
 * expanded: it maps the page tables themselves.
 */
import type { MappingRange } from '../../trace/events'
import { hex } from '../../trace/events'
import { PF_ERROR } from '../../isa/x86/exceptions'
import type { Access, PhysReader, TableEntry, Translation, WalkStep } from '../page-walk'
import { FORMATS, X86_PTE, accessControls, pagingMode, rootTable, x86EntryFlags, type ModeFormat, type X86AccessControls, type X86PagingRegisters } from './formats'

/** Physical-address width the walker assumes for reserved-bit checks (QEMU's default CPU: 40 bits). */
export const DEFAULT_MAXPHYADDR = 40

export interface X86TranslateOptions {
  access?: Access
  /** Current privilege level: 3 is a user access, 0–2 supervisor (SDM §4.6). */
  cpl?: number
  maxPhysAddr?: number
}

/** Reads an entry of 4 or 8 bytes (a PhysReader reads aligned 8-byte words). */
function readEntry(mem: PhysReader, pa: bigint, bytes: 4 | 8): bigint | undefined {
  if (bytes === 8) return mem(pa)
  const word = mem(pa & ~7n)
  return word === undefined ? undefined : (word >> ((pa & 4n) * 8n)) & 0xffff_ffffn
}

const pageBytes = (f: ModeFormat, depth: number) => 1n << BigInt(f.levels[depth].shift)
const levelOf = (f: ModeFormat, depth: number) => f.levels.length - 1 - depth

/**
 * PAE's page directories by physical address → their PDPT index. A PAE root (the PDPT) is not a
 * page, so no entry can point back at it: a recursive mapping in PAE is a PD entry pointing at one
 * of the four page directories (the usual one: PD 3's entries 508–511 → PD 0–3, so the page tables
 * appear at 0xFF800000 and the directories at 0xFFFFC000).
 */
function paeDirectories(mem: PhysReader, f: ModeFormat, root: bigint, c: X86AccessControls): Map<bigint, number> {
  const dirs = new Map<bigint, number>()
  if (f.mode !== 'PAE') return dirs
  for (let i = 0; i < 4; i++) {
    const e = readEntry(mem, root + BigInt(i * 8), 8)
    if (e !== undefined && e & X86_PTE.P && !reservedBits(f, 0, e, c, DEFAULT_MAXPHYADDR) && !dirs.has(e & f.addressMask)) dirs.set(e & f.addressMask, i)
  }
  return dirs
}

/** In words, what a PAE PD entry at `va` pointing at page directory `k` makes visible. */
function paeRecursiveNote(va: bigint, k: number): string {
  const tables = BigInt(k) << 30n
  return `recursive: this PD entry points at page directory ${k} (PDPT entry ${k}), so the page tables of ${hex(tables)}–${hex(tables + (1n << 30n) - 1n)} appear as pages at ${hex(va)}–${hex(va + (1n << 21n) - 1n)}, one 4 KiB page per 2 MiB`
}

/** Does this entry map a page (rather than point at the next table)? */
function mapsPage(f: ModeFormat, depth: number, entry: bigint, c: X86AccessControls): boolean {
  if (depth === f.levels.length - 1) return true
  if (!(entry & X86_PTE.PS) || !f.levels[depth].largePage) return false
  return f.mode !== '32-bit' || c.pse
}

/** The reserved bits set in a present entry, named (SDM Tables 4-5 … 4-20), or undefined. */
function reservedBits(f: ModeFormat, depth: number, entry: bigint, c: X86AccessControls, maxPhys: number): string | undefined {
  const lv = f.levels[depth]
  if (f.mode === '32-bit') {
    // A 4 MiB PDE: bit 21 is reserved (bits 20:13 hold PA[39:32] with PSE-36).
    if (depth === 0 && mapsPage(f, depth, entry, c) && entry & (1n << 21n)) return 'bit 21 of a 4 MiB PDE'
    return undefined
  }
  if (f.mode === 'PAE' && depth === 0) {
    // PAE PDPTEs: bits 2:1, 8:5 and 63 are reserved (Table 4-8).
    if (entry & 0x1e6n) return 'bits 2:1 or 8:5 of a PAE PDPTE'
    if (entry & X86_PTE.XD) return 'bit 63 of a PAE PDPTE'
  }
  const highMask = ((1n << 52n) - 1n) & ~((1n << BigInt(maxPhys)) - 1n)
  if (entry & highMask) return `address bits 51:${maxPhys} (above MAXPHYADDR ${maxPhys})`
  if (!c.nxe && entry & X86_PTE.XD) return 'bit 63 (XD) while IA32_EFER.NXE = 0'
  if (!lv.largePage && entry & X86_PTE.PS && f.mode !== 'PAE') return `PS in a ${lv.table}E`
  if (mapsPage(f, depth, entry, c) && depth < f.levels.length - 1) {
    // A large page's address must be aligned: bits (shift-1):13 are reserved (bit 12 is PAT).
    const low = ((1n << BigInt(lv.shift)) - 1n) & ~0x1fffn
    if (entry & low) return `bits ${lv.shift - 1}:13 of a ${lv.largePage} page entry (its frame is not ${lv.largePage}-aligned)`
  }
  return undefined
}

/** The frame (or next table) address an entry holds. */
function entryAddress(f: ModeFormat, depth: number, entry: bigint, isPage: boolean): bigint {
  const lv = f.levels[depth]
  if (!isPage || depth === f.levels.length - 1) return entry & f.addressMask
  if (f.mode === '32-bit') {
    // 4 MiB page: PA[31:22] from bits 31:22, PA[39:32] from bits 20:13 (PSE-36).
    return (entry & 0xffc0_0000n) | (((entry >> 13n) & 0xffn) << 32n)
  }
  return entry & f.addressMask & ~((1n << BigInt(lv.shift)) - 1n)
}

/** Effective rights over the walk so far. */
interface Rights {
  write: boolean
  user: boolean
  exec: boolean
}

function combine(r: Rights, entry: bigint, c: X86AccessControls, f: ModeFormat): Rights {
  const xd = c.nxe && f.mode !== '32-bit' && (entry & X86_PTE.XD) !== 0n
  return { write: r.write && (entry & X86_PTE.RW) !== 0n, user: r.user && (entry & X86_PTE.US) !== 0n, exec: r.exec && !xd }
}
const FULL: Rights = { write: true, user: true, exec: true }

/** R, W, X, U, G, A, D letters, as MappingRange.perms spells them, for a page's effective rights. */
function permLetters(r: Rights, leaf: bigint): string {
  return ['R', r.write && 'W', r.exec && 'X', r.user && 'U', leaf & X86_PTE.G && 'G', leaf & X86_PTE.A && 'A', leaf & X86_PTE.D && 'D'].filter(Boolean).join('')
}

/** Rights for one step of the walk: PAE PDPTEs carry no R/W, U/S or XD (Table 4-8), so they do not restrict access. */
function stepRights(r: Rights, f: ModeFormat, depth: number, entry: bigint, c: X86AccessControls): Rights {
  if (f.mode === 'PAE' && depth === 0) return r
  return combine(r, entry, c, f)
}

/** Why the access is denied under the effective rights (SDM §4.6), or undefined. */
function denied(r: Rights, access: Access, user: boolean, c: X86AccessControls): string | undefined {
  if (user && !r.user) return 'the page is a supervisor page (U/S = 0 at some level) and the access is from CPL 3'
  if (access === 'store' && !r.write && (user || c.wp)) {
    return `the page is read-only (R/W = 0 at some level)${user ? '' : ' and CR0.WP = 1'}`
  }
  if (access === 'fetch' && !r.exec) return 'the page is not executable (XD = 1 at some level)'
  if (access === 'fetch' && !user && r.user && c.smep) return 'CR4.SMEP forbids supervisor fetches from a user page'
  return undefined
}

function canonical(va: bigint, vaBits: number): boolean {
  if (vaBits >= 64 || vaBits === 32) return vaBits === 32 ? va >> 32n === 0n : true
  const top = va >> BigInt(vaBits - 1)
  return top === 0n || top === (1n << BigInt(64 - vaBits + 1)) - 1n
}

/** Translates linear address `va` under `regs` as the processor would, reporting each level. */
export function translateX86(mem: PhysReader, regs: X86PagingRegisters, vaIn: bigint, opts: X86TranslateOptions = {}): Translation {
  const access = opts.access ?? 'load'
  const user = (opts.cpl ?? 0) === 3
  const mode = pagingMode(regs)
  if (mode === 'Bare') {
    const va = BigInt.asUintN(32, vaIn)
    return { ok: true, mode, va: hex(va), pa: hex(va), steps: [], level: 0, pageSize: 'none', flags: 'RWX' }
  }
  const f = FORMATS[mode]
  const c = accessControls(regs)
  const maxPhys = opts.maxPhysAddr ?? DEFAULT_MAXPHYADDR
  const va = f.vaBits === 32 ? BigInt.asUintN(32, vaIn) : BigInt.asUintN(64, vaIn)
  const steps: WalkStep[] = []
  const errorCode = (present: boolean, rsvd = false) =>
    (present ? PF_ERROR.P : 0) |
    (access === 'store' ? PF_ERROR.W : 0) |
    (user ? PF_ERROR.U : 0) |
    (rsvd ? PF_ERROR.RSVD : 0) |
    (access === 'fetch' && (c.nxe || c.smep) && mode !== '32-bit' ? PF_ERROR.I : 0)
  const fault = (reason: string, present: boolean, rsvd = false): Translation => ({ ok: false, mode, va: hex(va), steps, cause: 14, reason, errorCode: errorCode(present, rsvd) })
  if (!canonical(vaIn, f.vaBits)) {
    // Not a #PF: a non-canonical address raises #GP (or #SS) before any walk (SDM §3.3.7.1).
    return { ok: false, mode, va: hex(va), steps, cause: 13, reason: `${hex(va)} is not canonical: bits 63:${f.vaBits} must equal bit ${f.vaBits - 1} (#GP, not a page fault)` }
  }
  let table = rootTable(regs, mode)
  let rights = FULL
  for (let depth = 0; depth < f.levels.length; depth++) {
    const lv = f.levels[depth]
    const index = Number((va >> BigInt(lv.shift)) & ((1n << BigInt(lv.indexBits)) - 1n))
    const at = table + BigInt(index * lv.entryBytes)
    const entry = readEntry(mem, at, lv.entryBytes)
    const level = levelOf(f, depth)
    if (entry === undefined) {
      steps.push({ level, vpn: index, pteAddr: hex(at), pte: '?', kind: 'unreadable', flags: '', table: lv.table })
      return fault(`the ${lv.table} entry ${index} at ${hex(at)} is outside physical memory`, false)
    }
    const step: WalkStep = { level, vpn: index, pteAddr: hex(at), pte: hex(entry), kind: 'invalid', flags: x86EntryFlags(entry), table: lv.table }
    steps.push(step)
    if (!(entry & X86_PTE.P)) return fault(`${lv.table}[${index}] at ${hex(at)} is not present (P = 0): nothing is mapped there`, false)
    const rsvd = reservedBits(f, depth, entry, c, maxPhys)
    if (rsvd) return fault(`${lv.table}[${index}] at ${hex(at)} has a reserved bit set: ${rsvd}`, true, true)
    rights = stepRights(rights, f, depth, entry, c)
    const isPage = mapsPage(f, depth, entry, c)
    if (!isPage) {
      step.kind = 'pointer'
      table = entryAddress(f, depth, entry, false)
      continue
    }
    step.kind = 'leaf'
    const why = denied(rights, access, user, c)
    if (why) return fault(why, true)
    const size = pageBytes(f, depth)
    const pa = entryAddress(f, depth, entry, true) | (va & (size - 1n))
    return { ok: true, mode, va: hex(va), pa: hex(pa), steps, level, pageSize: lv.largePage!, flags: permLetters(rights, entry) }
  }
  return fault('the walk ran out of levels', false)
}

export interface X86TableWalk {
  mode: string
  root: string
  mappings: MappingRange[]
  /** Physical addresses of every table page reached (root first). */
  tablePages: bigint[]
  tables: { pa: bigint; level: number; vaBase: bigint }[]
  leafCount: number
  truncated: boolean
}

const signExtend = (va: bigint, vaBits: number) => (vaBits === 32 ? va : BigInt.asUintN(64, BigInt.asIntN(vaBits, va)))

/** Walks the whole table CR3 names; stops after `maxLeaves` pages. */
export function walkTableX86(mem: PhysReader, regs: X86PagingRegisters, maxLeaves = 1 << 16): X86TableWalk {
  const mode = pagingMode(regs)
  const result: X86TableWalk = { mode, root: hex(rootTable(regs, mode)), mappings: [], tablePages: [], tables: [], leafCount: 0, truncated: false }
  if (mode === 'Bare') return result
  const f = FORMATS[mode]
  const c = accessControls(regs)
  const seen = new Set<bigint>()
  const paeDirs = paeDirectories(mem, f, rootTable(regs, mode), c)
  const leaves: { va: bigint; pa: bigint; size: bigint; perms: string; pageSize: string; note?: string }[] = []
  const visit = (table: bigint, depth: number, vaPrefix: bigint, rights: Rights, path: bigint[]) => {
    if (result.truncated) return
    const lv = f.levels[depth]
    if (!seen.has(table)) {
      seen.add(table)
      result.tablePages.push(table)
      result.tables.push({ pa: table, level: levelOf(f, depth), vaBase: signExtend(vaPrefix, f.vaBits) })
    }
    for (let index = 0; index < 1 << lv.indexBits; index++) {
      const entry = readEntry(mem, table + BigInt(index * lv.entryBytes), lv.entryBytes)
      if (entry === undefined) return
      if (!(entry & X86_PTE.P) || reservedBits(f, depth, entry, c, DEFAULT_MAXPHYADDR)) continue
      const va = vaPrefix | (BigInt(index) << BigInt(lv.shift))
      const r = stepRights(rights, f, depth, entry, c)
      const isPage = mapsPage(f, depth, entry, c)
      const target = entryAddress(f, depth, entry, isPage)
      const paeDir = depth === 1 ? paeDirs.get(target) : undefined
      if (!isPage && (path.includes(target) || paeDir !== undefined)) {
        // A recursive entry: the tables themselves become visible as pages under this VA range.
        if (leaves.length >= maxLeaves) return void (result.truncated = true)
        leaves.push({
          va: signExtend(va, f.vaBits),
          pa: target,
          size: pageBytes(f, depth),
          perms: permLetters(r, entry),
          pageSize: 'recursive',
          note:
            paeDir !== undefined
              ? paeRecursiveNote(va, paeDir)
              : `recursive: ${lv.table}[${index}] points at the ${f.levels[path.indexOf(target)].table} at ${hex(target)} itself, so the paging structures appear as pages here`,
        })
        continue
      }
      if (!isPage) {
        visit(target, depth + 1, va, r, [...path, target])
        continue
      }
      if (leaves.length >= maxLeaves) return void (result.truncated = true)
      leaves.push({ va: signExtend(va, f.vaBits), pa: target, size: pageBytes(f, depth), perms: permLetters(r, entry), pageSize: lv.largePage! })
    }
  }
  const root = rootTable(regs, mode)
  visit(root, 0, 0n, FULL, [root])
  result.leafCount = leaves.length
  leaves.sort((x, y) => (x.va < y.va ? -1 : x.va > y.va ? 1 : 0))
  let cur: (typeof leaves)[number] | undefined
  const flush = () => {
    if (cur) result.mappings.push({ va: hex(cur.va), pa: hex(cur.pa), size: hex(cur.size), perms: cur.perms, pageSize: cur.pageSize, ...(cur.note ? { note: cur.note } : {}) })
  }
  for (const l of leaves) {
    if (cur && !l.note && !cur.note && cur.va + cur.size === l.va && cur.pa + cur.size === l.pa && cur.perms === l.perms && cur.pageSize === l.pageSize) cur.size += l.size
    else {
      flush()
      cur = { ...l }
    }
  }
  flush()
  return result
}

/** The present entries of one table page at `level` whose first entry maps `vaBase`, for the page-table tree. */
export function readTablePageX86(mem: PhysReader, regs: X86PagingRegisters, tablePa: bigint, level: number, vaBase: bigint): TableEntry[] {
  const mode = pagingMode(regs)
  if (mode === 'Bare') return []
  const f = FORMATS[mode]
  const c = accessControls(regs)
  const depth = f.levels.length - 1 - level
  const lv = f.levels[depth]
  if (!lv) return []
  const paeDirs = depth === 1 ? paeDirectories(mem, f, rootTable(regs, mode), c) : new Map<bigint, number>()
  const out: TableEntry[] = []
  for (let index = 0; index < 1 << lv.indexBits; index++) {
    const entry = readEntry(mem, tablePa + BigInt(index * lv.entryBytes), lv.entryBytes)
    if (entry === undefined) break
    if (!(entry & X86_PTE.P)) continue
    const va = signExtend(BigInt.asUintN(f.vaBits, vaBase) | (BigInt(index) << BigInt(lv.shift)), f.vaBits)
    const isPage = mapsPage(f, depth, entry, c)
    const kind = reservedBits(f, depth, entry, c, DEFAULT_MAXPHYADDR) ? 'reserved' : isPage ? 'leaf' : 'pointer'
    const target = entryAddress(f, depth, entry, isPage)
    out.push({
      index,
      pte: hex(entry),
      kind,
      flags: x86EntryFlags(entry),
      va: hex(va),
      pa: hex(target),
      pageSize: kind === 'leaf' ? lv.largePage! : null,
      ...(kind === 'pointer' && target === tablePa ? { recursive: true } : {}),
      ...(kind === 'pointer' && paeDirs.has(target) ? { recursive: true, recursiveNote: paeRecursiveNote(va, paeDirs.get(target)!).replace(/^recursive: /, '') } : {}),
    })
  }
  return out
}
