/**
 * Attribute values by form (DWARF 5 §7.5.5 and table 7.6): one reader for the forms both the
 * DWARF 5 line-table header and .debug_info use. Values a reader may want come back typed
 * (constants, addresses, strings, references, section offsets, indexes into .debug_addr /
 * .debug_str_offsets / the range lists); blocks and expressions are skipped.
 */
import * as C from './constants'
import { Cursor, stringAt } from './cursor'
import type { DebugSections } from './sections'

export type FormValue =
  | { k: 'const'; v: bigint; signed: boolean }
  | { k: 'addr'; v: bigint }
  | { k: 'addrx'; i: number }
  | { k: 'str'; v: string }
  | { k: 'strx'; i: number }
  | { k: 'ref'; offset: number }
  | { k: 'sec'; offset: number }
  | { k: 'rnglistx'; i: number }
  | { k: 'other' }

/** What reading a form needs to know about the unit it is in. */
export interface UnitFormat {
  version: number
  offsetSize: 4 | 8
  addressSize: number
  /** Offset of the unit header in .debug_info (unit-relative references add it). */
  unitOffset: number
}

const OTHER: FormValue = { k: 'other' }

export function readForm(c: Cursor, form: number, u: UnitFormat, s: DebugSections, implicitConst?: bigint): FormValue {
  switch (form) {
    case C.DW_FORM_addr:
      return { k: 'addr', v: c.uint(u.addressSize) }
    case C.DW_FORM_data1:
    case C.DW_FORM_flag:
      return { k: 'const', v: BigInt(c.u8()), signed: false }
    case C.DW_FORM_data2:
      return { k: 'const', v: BigInt(c.u16()), signed: false }
    case C.DW_FORM_data4:
      return { k: 'const', v: BigInt(c.u32()), signed: false }
    case C.DW_FORM_data8:
      return { k: 'const', v: c.u64(), signed: false }
    case C.DW_FORM_data16:
      c.skip(16)
      return OTHER
    case C.DW_FORM_udata:
      return { k: 'const', v: c.uleb(), signed: false }
    case C.DW_FORM_sdata:
      return { k: 'const', v: c.sleb(), signed: true }
    case C.DW_FORM_implicit_const:
      return { k: 'const', v: implicitConst ?? 0n, signed: true }
    case C.DW_FORM_flag_present:
      return { k: 'const', v: 1n, signed: false }
    case C.DW_FORM_string:
      return { k: 'str', v: c.cstr() }
    case C.DW_FORM_strp:
      return { k: 'str', v: stringAt(s.debug_str, '.debug_str', c.offset(u.offsetSize)) }
    case C.DW_FORM_line_strp:
      return { k: 'str', v: stringAt(s.debug_line_str, '.debug_line_str', c.offset(u.offsetSize)) }
    case C.DW_FORM_strp_sup:
    case C.DW_FORM_GNU_strp_alt:
      c.offset(u.offsetSize)
      return OTHER // the string lives in a supplementary file we do not have
    case C.DW_FORM_strx:
    case C.DW_FORM_GNU_str_index:
      return { k: 'strx', i: c.ulebn() }
    case C.DW_FORM_strx1:
      return { k: 'strx', i: c.u8() }
    case C.DW_FORM_strx2:
      return { k: 'strx', i: c.u16() }
    case C.DW_FORM_strx3:
      return { k: 'strx', i: c.u24() }
    case C.DW_FORM_strx4:
      return { k: 'strx', i: c.u32() }
    case C.DW_FORM_addrx:
    case C.DW_FORM_GNU_addr_index:
      return { k: 'addrx', i: c.ulebn() }
    case C.DW_FORM_addrx1:
      return { k: 'addrx', i: c.u8() }
    case C.DW_FORM_addrx2:
      return { k: 'addrx', i: c.u16() }
    case C.DW_FORM_addrx3:
      return { k: 'addrx', i: c.u24() }
    case C.DW_FORM_addrx4:
      return { k: 'addrx', i: c.u32() }
    case C.DW_FORM_ref1:
      return { k: 'ref', offset: u.unitOffset + c.u8() }
    case C.DW_FORM_ref2:
      return { k: 'ref', offset: u.unitOffset + c.u16() }
    case C.DW_FORM_ref4:
      return { k: 'ref', offset: u.unitOffset + c.u32() }
    case C.DW_FORM_ref8:
      return { k: 'ref', offset: u.unitOffset + c.u64n() }
    case C.DW_FORM_ref_udata:
      return { k: 'ref', offset: u.unitOffset + c.ulebn() }
    case C.DW_FORM_ref_addr:
      // DWARF 2 wrote an address-sized offset; DWARF 3 and later an offset-sized one.
      return { k: 'ref', offset: u.version <= 2 ? Number(c.uint(u.addressSize)) : c.offset(u.offsetSize) }
    case C.DW_FORM_ref_sig8:
      c.skip(8)
      return OTHER
    case C.DW_FORM_ref_sup4:
      c.skip(4)
      return OTHER
    case C.DW_FORM_ref_sup8:
      c.skip(8)
      return OTHER
    case C.DW_FORM_GNU_ref_alt:
      c.offset(u.offsetSize)
      return OTHER
    case C.DW_FORM_sec_offset:
      return { k: 'sec', offset: c.offset(u.offsetSize) }
    case C.DW_FORM_rnglistx:
      return { k: 'rnglistx', i: c.ulebn() }
    case C.DW_FORM_loclistx:
      c.uleb()
      return OTHER
    case C.DW_FORM_block1:
      c.skip(c.u8())
      return OTHER
    case C.DW_FORM_block2:
      c.skip(c.u16())
      return OTHER
    case C.DW_FORM_block4:
      c.skip(c.u32())
      return OTHER
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc:
      c.skip(c.ulebn())
      return OTHER
    case C.DW_FORM_indirect:
      return readForm(c, c.ulebn(), u, s, implicitConst)
    default:
      return c.fail(`unknown attribute form 0x${form.toString(16)}`)
  }
}

/** A form value as an unsigned integer (constants, and section offsets). */
export function constOf(v: FormValue | undefined): bigint | undefined {
  if (!v) return undefined
  if (v.k === 'const' || v.k === 'addr') return v.v
  if (v.k === 'sec') return BigInt(v.offset)
  return undefined
}
