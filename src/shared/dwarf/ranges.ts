/**
 * Address ranges of a DIE (DWARF 5 §2.17): DW_AT_low_pc/high_pc (high_pc an offset when its form
 * is a constant), or DW_AT_ranges into .debug_ranges (DWARF ≤ 4: address pairs, base-address
 * selection entries, 0/0 ends) or .debug_rnglists (DWARF 5 §7.25, DW_RLE_* entries, with
 * DW_FORM_rnglistx indexes through the unit's offsets table at DW_AT_rnglists_base).
 */
import * as C from './constants'
import { Cursor, DwarfError } from './cursor'
import type { FormValue, UnitFormat } from './forms'
import type { DebugSections } from './sections'

export interface AddressRange {
  low: bigint
  /** Exclusive. */
  high: bigint
}

export interface UnitBases {
  /** The unit's DW_AT_low_pc: the default base address of its range lists. */
  base: bigint
  addrBase?: number
  rnglistsBase?: number
}

export function addressAt(s: DebugSections, u: UnitFormat, bases: UnitBases, index: number): bigint {
  const at = (bases.addrBase ?? 0) + index * u.addressSize
  if (!s.debug_addr) throw new DwarfError('.debug_addr', at, 'the section is missing (DW_FORM_addrx)')
  return new Cursor(s.debug_addr, '.debug_addr', at).uint(u.addressSize)
}

export function addressOf(v: FormValue | undefined, s: DebugSections, u: UnitFormat, bases: UnitBases): bigint | undefined {
  if (v?.k === 'addr') return v.v
  if (v?.k === 'addrx') return addressAt(s, u, bases, v.i)
  return undefined
}

/** The ranges named by a DW_AT_ranges value. */
export function readRanges(v: FormValue, s: DebugSections, u: UnitFormat, bases: UnitBases): AddressRange[] {
  if (u.version >= 5) {
    let offset: number
    if (v.k === 'rnglistx') {
      const base = bases.rnglistsBase ?? 0
      if (!s.debug_rnglists) throw new DwarfError('.debug_rnglists', base, 'the section is missing')
      offset = base + new Cursor(s.debug_rnglists, '.debug_rnglists', base + v.i * u.offsetSize).offset(u.offsetSize)
    } else if (v.k === 'sec' || v.k === 'const') offset = v.k === 'sec' ? v.offset : Number(v.v)
    else return []
    return rnglist(s, u, bases, offset)
  }
  const offset = v.k === 'sec' ? v.offset : v.k === 'const' ? Number(v.v) : undefined
  return offset === undefined ? [] : debugRanges(s, u, bases, offset)
}

function debugRanges(s: DebugSections, u: UnitFormat, bases: UnitBases, offset: number): AddressRange[] {
  if (!s.debug_ranges) throw new DwarfError('.debug_ranges', offset, 'the section is missing')
  const c = new Cursor(s.debug_ranges, '.debug_ranges', offset)
  const max = (1n << BigInt(u.addressSize * 8)) - 1n
  const out: AddressRange[] = []
  let base = bases.base
  for (;;) {
    const a = c.uint(u.addressSize)
    const b = c.uint(u.addressSize)
    if (a === 0n && b === 0n) return out
    if (a === max) base = b
    else if (b > a) out.push({ low: base + a, high: base + b })
  }
}

function rnglist(s: DebugSections, u: UnitFormat, bases: UnitBases, offset: number): AddressRange[] {
  if (!s.debug_rnglists) throw new DwarfError('.debug_rnglists', offset, 'the section is missing')
  const c = new Cursor(s.debug_rnglists, '.debug_rnglists', offset)
  const out: AddressRange[] = []
  let base = bases.base
  const add = (low: bigint, high: bigint) => {
    if (high > low) out.push({ low, high })
  }
  for (;;) {
    const kind = c.u8()
    switch (kind) {
      case C.DW_RLE_end_of_list:
        return out
      case C.DW_RLE_base_addressx:
        base = addressAt(s, u, bases, c.ulebn())
        break
      case C.DW_RLE_startx_endx: {
        const a = addressAt(s, u, bases, c.ulebn())
        add(a, addressAt(s, u, bases, c.ulebn()))
        break
      }
      case C.DW_RLE_startx_length: {
        const a = addressAt(s, u, bases, c.ulebn())
        add(a, a + c.uleb())
        break
      }
      case C.DW_RLE_offset_pair: {
        const a = c.uleb()
        add(base + a, base + c.uleb())
        break
      }
      case C.DW_RLE_base_address:
        base = c.uint(u.addressSize)
        break
      case C.DW_RLE_start_end: {
        const a = c.uint(u.addressSize)
        add(a, c.uint(u.addressSize))
        break
      }
      case C.DW_RLE_start_length: {
        const a = c.uint(u.addressSize)
        add(a, a + c.uleb())
        break
      }
      default:
        c.fail(`unknown range list entry kind ${kind}`)
    }
  }
}

/** .debug_aranges (DWARF 5 §6.1.2): for each unit, the address ranges it covers. */
export function readAranges(s: DebugSections): { unitOffset: number; ranges: AddressRange[] }[] {
  if (!s.debug_aranges) return []
  const c = new Cursor(s.debug_aranges, '.debug_aranges')
  const out: { unitOffset: number; ranges: AddressRange[] }[] = []
  while (!c.atEnd) {
    const start = c.pos
    const { offsetSize, end } = c.initialLength()
    c.u16() // version 2
    const unitOffset = c.offset(offsetSize)
    const addressSize = c.u8()
    const segmentSize = c.u8()
    const tuple = addressSize * 2 + segmentSize
    // The first tuple is aligned to twice the address size from the set's start.
    const header = c.pos - start
    c.pos = start + Math.ceil(header / tuple) * tuple
    const ranges: AddressRange[] = []
    while (c.pos + tuple <= end) {
      if (segmentSize) c.skip(segmentSize)
      const a = c.uint(addressSize)
      const len = c.uint(addressSize)
      if (a === 0n && len === 0n) break
      ranges.push({ low: a, high: a + len })
    }
    out.push({ unitOffset, ranges })
    c.pos = end
  }
  return out
}
