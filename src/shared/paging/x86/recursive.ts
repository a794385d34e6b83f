/**
 * The recursive mapping in virtual addresses: when entry `r` of the root table points at the root
 * itself (seed 002's P4[511]; a 32-bit kernel's PD[1023]), every paging structure becomes a page
 * at an address made of `r` repeated. The root is at `r` in every index field (0xFFFFFFFFFFFFF000
 * for P4[511], 0xFFFFF000 for PD[1023]); one level down, the tables the root's entries point at
 * follow each other 4 KiB apart from `r` repeated one time fewer; and so on down to the last level,
 * whose tables fill the whole range the entry maps. The inspectors name the range with these
 * addresses, and the page-table tree labels the entry with them.
 */
import { FORMATS, type ModeFormat, type X86PagingMode } from './formats'

/** Where the tables of one level appear through the recursive entry. */
export interface RecursiveWindow {
  /** The SDM's name of the tables seen there (PML4, PDPT, PD, PT). */
  table: string
  /** The VA of the first table of the level (the root's own, for the root). */
  first: bigint
  /** How many tables of that level the window holds (1 for the root). */
  count: bigint
}

/** Table entries the root of a format has. */
function rootEntries(f: ModeFormat): number {
  return 1 << f.levels[0].indexBits
}

/** 48- and 57-bit linear addresses are sign-extended to 64 bits; 32-bit ones are not. */
const canonical = (va: bigint, vaBits: number) => (vaBits === 32 ? va : BigInt.asUintN(64, BigInt.asIntN(vaBits, va)))

/**
 * The windows the root's entry `index` opens when it points back at the root, root first; empty
 * for a mode where a root entry cannot point at the root (PAE's four PDPTEs are not a page) or an
 * index out of the table.
 */
export function recursiveWindows(mode: X86PagingMode | string, index: number): RecursiveWindow[] {
  const f = FORMATS[mode as Exclude<X86PagingMode, 'Bare'>]
  if (!f || f.mode === 'PAE' || index < 0 || index >= rootEntries(f)) return []
  const levels = f.levels
  const r = BigInt(index)
  const out: RecursiveWindow[] = []
  // The tables at depth t (0 = root) are reached with r in the top (levels − t) index fields.
  for (let t = 0; t < levels.length; t++) {
    let va = 0n
    for (let j = 0; j < levels.length - t; j++) va |= r << BigInt(levels[j].shift)
    // The root's own page (t = 0) is va with r in the last field too: done by the loop above.
    let count = 1n
    for (let j = levels.length - t; j < levels.length; j++) count <<= BigInt(levels[j].indexBits)
    out.push({ table: levels[t].table, first: canonical(va, f.vaBits), count })
  }
  return out
}

/** The table names x86-64 kernels use (P4…P1, as seed 002 does) beside the SDM's. */
export const SHORT_TABLE_NAMES: Record<string, string> = { PML5: 'P5', PML4: 'P4', PDPT: 'P3', PD: 'P2', PT: 'P1' }

/** A table's name for people: `P4 (PML4)` in 4- and 5-level paging, the SDM's (`PD`) in 32-bit and PAE paging. */
export function tableName(mode: string, table: string): string {
  return (mode === '4-level' || mode === '5-level') && SHORT_TABLE_NAMES[table] ? `${SHORT_TABLE_NAMES[table]} (${table})` : table
}
