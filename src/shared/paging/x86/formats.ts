/**
 * The x86 paging structures as data (Intel SDM Vol. 3A chapter 4, "Paging"): which mode CR0, CR4
 * and IA32_EFER select (§4.1.1, Table 4-1), the levels each mode walks with their entry size,
 * index bits and large-page size (§4.3 32-bit paging, §4.4 PAE paging, §4.5 4-level and 5-level
 * paging), the entry bits (Tables 4-4 to 4-20) and how CR3 names the root. The walker
 * (`walk.ts`) reads these tables instead of switching on the mode.
 */
import { CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, CR4_PCIDE, CR4_PSE, CR4_SMEP, EFER_LMA, EFER_NXE } from '../../isa/x86/register-fields'
import { PAGE_ENTRY_BITS } from './entry-bits'
import type { SatpValue } from '../../trace/events'
import { hex } from '../../trace/events'

/** Paging modes (SDM Table 4-1); 'Bare' is paging off (CR0.PG = 0): linear = physical. */
export type X86PagingMode = 'Bare' | '32-bit' | 'PAE' | '4-level' | '5-level'

/** The registers that decide translation. */
export interface X86PagingRegisters {
  cr0: bigint
  cr3: bigint
  cr4: bigint
  efer: bigint
}

const entryBit = (name: string) => 1n << BigInt(PAGE_ENTRY_BITS.find((b) => b.name === name)!.bit)

/** Entry bits (`entry-bits.ts`) as masks. In a large-page entry bit 7 is PS and bit 12 is PAT. */
export const X86_PTE = {
  P: entryBit('P'),
  RW: entryBit('RW'),
  US: entryBit('US'),
  PWT: entryBit('PWT'),
  PCD: entryBit('PCD'),
  A: entryBit('A'),
  D: entryBit('D'),
  PS: entryBit('PS'),
  G: entryBit('G'),
  XD: entryBit('XD'),
} as const

/** Bits a walk reports, in this order, as the SDM spells them. */
const FLAG_NAMES: [bigint, string][] = [
  [X86_PTE.P, 'P'], [X86_PTE.RW, 'R/W'], [X86_PTE.US, 'U/S'], [X86_PTE.PWT, 'PWT'], [X86_PTE.PCD, 'PCD'],
  [X86_PTE.A, 'A'], [X86_PTE.D, 'D'], [X86_PTE.PS, 'PS'], [X86_PTE.G, 'G'], [X86_PTE.XD, 'XD'],
]

/** The set bits of an entry, e.g. `P R/W A PS`. */
export function x86EntryFlags(entry: bigint): string {
  return FLAG_NAMES.filter(([bit]) => (entry & bit) !== 0n).map(([, n]) => n).join(' ')
}

/** One level of a paging structure. */
export interface LevelFormat {
  /** The SDM's name for the table at this level. */
  table: 'PML5' | 'PML4' | 'PDPT' | 'PD' | 'PT'
  /** Lowest VA bit this level indexes. */
  shift: number
  /** Index width: 10 (32-bit), 9 (PAE, 4-level) or 2 (the PAE PDPT). */
  indexBits: number
  entryBytes: 4 | 8
  /** Page size when an entry here maps a page (PS = 1, or always at the last level); undefined when PS is reserved. */
  largePage?: string
}

export interface ModeFormat {
  mode: X86PagingMode
  /** Top level first. */
  levels: LevelFormat[]
  /** Linear-address width: 32, 48 or 57 (canonical check above it). */
  vaBits: number
  /** Entry bits that hold the next table's or the frame's address. */
  addressMask: bigint
}

const ADDR_64 = 0x000f_ffff_ffff_f000n

export const FORMATS: Record<Exclude<X86PagingMode, 'Bare'>, ModeFormat> = {
  '32-bit': {
    mode: '32-bit',
    vaBits: 32,
    addressMask: 0xffff_f000n,
    levels: [
      { table: 'PD', shift: 22, indexBits: 10, entryBytes: 4, largePage: '4 MiB' },
      { table: 'PT', shift: 12, indexBits: 10, entryBytes: 4, largePage: '4 KiB' },
    ],
  },
  PAE: {
    mode: 'PAE',
    vaBits: 32,
    addressMask: ADDR_64,
    levels: [
      { table: 'PDPT', shift: 30, indexBits: 2, entryBytes: 8 },
      { table: 'PD', shift: 21, indexBits: 9, entryBytes: 8, largePage: '2 MiB' },
      { table: 'PT', shift: 12, indexBits: 9, entryBytes: 8, largePage: '4 KiB' },
    ],
  },
  '4-level': {
    mode: '4-level',
    vaBits: 48,
    addressMask: ADDR_64,
    levels: [
      { table: 'PML4', shift: 39, indexBits: 9, entryBytes: 8 },
      { table: 'PDPT', shift: 30, indexBits: 9, entryBytes: 8, largePage: '1 GiB' },
      { table: 'PD', shift: 21, indexBits: 9, entryBytes: 8, largePage: '2 MiB' },
      { table: 'PT', shift: 12, indexBits: 9, entryBytes: 8, largePage: '4 KiB' },
    ],
  },
  '5-level': {
    mode: '5-level',
    vaBits: 57,
    addressMask: ADDR_64,
    levels: [
      { table: 'PML5', shift: 48, indexBits: 9, entryBytes: 8 },
      { table: 'PML4', shift: 39, indexBits: 9, entryBytes: 8 },
      { table: 'PDPT', shift: 30, indexBits: 9, entryBytes: 8, largePage: '1 GiB' },
      { table: 'PD', shift: 21, indexBits: 9, entryBytes: 8, largePage: '2 MiB' },
      { table: 'PT', shift: 12, indexBits: 9, entryBytes: 8, largePage: '4 KiB' },
    ],
  },
}

/** SDM Table 4-1: the mode CR0.PG, CR4.PAE, IA32_EFER.LMA and CR4.LA57 select. */
export function pagingMode(r: X86PagingRegisters): X86PagingMode {
  if (!(r.cr0 & CR0_PG)) return 'Bare'
  if (!(r.cr4 & CR4_PAE)) return '32-bit'
  if (!(r.efer & EFER_LMA)) return 'PAE'
  return r.cr4 & CR4_LA57 ? '5-level' : '4-level'
}

/** The root table's physical address from CR3 (SDM Tables 4-3, 4-7, 4-12). */
export function rootTable(r: X86PagingRegisters, mode = pagingMode(r)): bigint {
  if (mode === '32-bit') return r.cr3 & 0xffff_f000n
  if (mode === 'PAE') return r.cr3 & 0xffff_ffe0n // the PDPT is 32-byte aligned
  return r.cr3 & ADDR_64
}

/** CR3 decoded like satp: the mode it is used in, the root, the PCID (as `asid`). */
export function decodeCr3(r: X86PagingRegisters): SatpValue {
  const mode = pagingMode(r)
  const pcid = mode === '4-level' || mode === '5-level' ? (r.cr4 & CR4_PCIDE ? Number(r.cr3 & 0xfffn) : 0) : 0
  return { mode, asid: pcid, root: hex(rootTable(r, mode === 'Bare' ? (r.cr4 & CR4_PAE ? '4-level' : '32-bit') : mode)), raw: hex(r.cr3) }
}

/** The switches of the permission checks (SDM §4.6) that come from registers. */
export interface X86AccessControls {
  /** CR0.WP: supervisor writes honour R/W. */
  wp: boolean
  /** IA32_EFER.NXE: bit 63 is XD (otherwise reserved in PAE and 4-level entries). */
  nxe: boolean
  /** CR4.PSE: 4 MiB pages in 32-bit paging. */
  pse: boolean
  /** CR4.SMEP: supervisor fetches from user pages fault. */
  smep: boolean
}

export function accessControls(r: X86PagingRegisters): X86AccessControls {
  return { wp: (r.cr0 & CR0_WP) !== 0n, nxe: (r.efer & EFER_NXE) !== 0n, pse: (r.cr4 & CR4_PSE) !== 0n, smep: (r.cr4 & CR4_SMEP) !== 0n }
}
