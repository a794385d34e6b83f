/**
 * .debug_info through .debug_abbrev (DWARF 5 §7.5; versions 2–5): the compilation units, and in
 * each the functions (DW_TAG_subprogram with code) and the inlined calls in them
 * (DW_TAG_inlined_subroutine, at any depth, also inside lexical blocks), with their address
 * ranges. Names come from DW_AT_name, else through DW_AT_abstract_origin / DW_AT_specification
 * (how gcc, clang and rustc describe inlined and out-of-line copies). Everything else a DIE holds
 * is skipped by form.
 */
import * as C from './constants'
import { Cursor, DwarfError, stringAt } from './cursor'
import { constOf, readForm, type FormValue, type UnitFormat } from './forms'
import { addressOf, readRanges, type AddressRange, type UnitBases } from './ranges'
import type { DebugSections } from './sections'

export interface CompileUnit {
  offset: number
  version: number
  name: string
  compDir: string
  /** DW_AT_stmt_list: the unit's line program in .debug_line. */
  stmtList?: number
  ranges: AddressRange[]
  /**
   * Whether gdb trusts the unit's code addresses at a function's entry (its `locations_valid`: gcc
   * 4.5 or later that wrote location lists, as optimized code has). Otherwise gdb's `break FILE:LINE`
   * on a function's opening line skips its prologue.
   */
  locationsValid: boolean
}

/** A function's code, or an inlined call's. */
export interface DwarfScope {
  name: string
  ranges: AddressRange[]
  /** Inlined calls directly inside this scope (not through another inlined call). */
  inlined: DwarfInlined[]
  /** Lexical blocks with code inside this scope (not inside an inlined call), `level` 1 directly in it, 2 in one of those, … */
  blocks: DwarfBlock[]
}

export interface DwarfBlock {
  ranges: AddressRange[]
  level: number
}

export interface DwarfInlined extends DwarfScope {
  /** Where the call was written: index into the unit's line-table files, and the line. */
  callFile: number
  callLine: number
}

export interface DwarfFunction extends DwarfScope {
  /** The line program (offset in .debug_line) its unit's files come from. */
  stmtList?: number
}

export interface DebugInfo {
  units: CompileUnit[]
  functions: DwarfFunction[]
}

interface AbbrevAttr {
  name: number
  form: number
  implicitConst?: bigint
}
interface Abbrev {
  tag: number
  children: boolean
  attrs: AbbrevAttr[]
}

/** What a DIE's references may lead to: enough to name it. */
interface NameInfo {
  name?: string
  linkage?: string
  origin?: number
}

export function readDebugInfo(s: DebugSections): DebugInfo {
  const out: DebugInfo = { units: [], functions: [] }
  if (!s.debug_info) return out
  const abbrevCache = new Map<number, Map<number, Abbrev>>()
  const names = new Map<number, NameInfo>()
  const pending: { fn: DwarfScope; die: number }[] = []
  const c = new Cursor(s.debug_info, '.debug_info')
  while (!c.atEnd) {
    const unitOffset = c.pos
    const { offsetSize, end } = c.initialLength()
    const version = c.u16()
    if (version < 2 || version > 5) c.fail(`unit version ${version} (this reader knows 2 to 5)`, unitOffset)
    let addressSize: number
    let abbrevOffset: number
    if (version >= 5) {
      const unitType = c.u8()
      addressSize = c.u8()
      abbrevOffset = c.offset(offsetSize)
      if (unitType === C.DW_UT_skeleton || unitType === C.DW_UT_split_compile) c.skip(8)
      else if (unitType === C.DW_UT_type || unitType === C.DW_UT_split_type) {
        c.skip(8)
        c.offset(offsetSize)
      }
    } else {
      abbrevOffset = c.offset(offsetSize)
      addressSize = c.u8()
    }
    let abbrevs = abbrevCache.get(abbrevOffset)
    if (!abbrevs) abbrevCache.set(abbrevOffset, (abbrevs = readAbbrevs(s, abbrevOffset)))
    const u: UnitFormat = { version, offsetSize, addressSize, unitOffset }
    const unit = readUnit(c, end, u, abbrevs, s, names, pending)
    if (unit) out.units.push(unit.unit)
    if (unit) out.functions.push(...unit.functions)
    c.pos = end
  }
  for (const p of pending) if (!p.fn.name) p.fn.name = nameOf(p.die, names) ?? '??'
  return out
}

function readAbbrevs(s: DebugSections, offset: number): Map<number, Abbrev> {
  if (!s.debug_abbrev) throw new DwarfError('.debug_abbrev', offset, 'the section is missing')
  const c = new Cursor(s.debug_abbrev, '.debug_abbrev', offset)
  const out = new Map<number, Abbrev>()
  for (;;) {
    const code = c.ulebn()
    if (code === 0) return out
    const tag = c.ulebn()
    const children = c.u8() !== 0
    const attrs: AbbrevAttr[] = []
    for (;;) {
      const name = c.ulebn()
      const form = c.ulebn()
      if (name === 0 && form === 0) break
      attrs.push({ name, form, implicitConst: form === C.DW_FORM_implicit_const ? c.sleb() : undefined })
    }
    out.set(code, { tag, children, attrs })
  }
}

/** A DIE's name, following abstract_origin / specification (a few hops at most). */
function nameOf(die: number, names: Map<number, NameInfo>): string | undefined {
  let at: number | undefined = die
  for (let hops = 0; at !== undefined && hops < 8; hops++) {
    const n = names.get(at)
    if (!n) return undefined
    if (n.name) return n.name
    if (n.linkage) return n.linkage
    at = n.origin
  }
  return undefined
}

interface Frame {
  tag: number
  /** Lexical blocks between this DIE and its scope, itself included. */
  level: number
  /** The scope DIEs below this one add their inlined calls to. */
  scope?: DwarfScope
  /** `a::b::` inside namespaces and types (Rust, C++), as gdb and `addr2line -C` qualify names. */
  prefix: string
}

/** Tags whose name qualifies the names of the DIEs inside them. */
const QUALIFYING_TAGS = new Set([C.DW_TAG_namespace, C.DW_TAG_structure_type, C.DW_TAG_class_type, C.DW_TAG_union_type, C.DW_TAG_enumeration_type])

function readUnit(
  c: Cursor,
  end: number,
  u: UnitFormat,
  abbrevs: Map<number, Abbrev>,
  s: DebugSections,
  names: Map<number, NameInfo>,
  pending: { fn: DwarfScope; die: number }[],
): { unit: CompileUnit; functions: DwarfFunction[] } | undefined {
  const functions: DwarfFunction[] = []
  const bases: UnitBases = { base: 0n }
  let unit: CompileUnit | undefined
  let strOffsetsBase = 0
  let gccAtLeast45 = false
  const stack: Frame[] = []
  // Attributes needing the unit DIE's bases (strx, addrx, rnglistx) are resolved after it is read.
  const str = (v: FormValue | undefined): string | undefined => {
    if (v?.k === 'str') return v.v
    if (v?.k === 'strx') {
      if (!s.debug_str_offsets) throw new DwarfError('.debug_str_offsets', 0, 'the section is missing (DW_FORM_strx)')
      const off = new Cursor(s.debug_str_offsets, '.debug_str_offsets', strOffsetsBase + v.i * u.offsetSize).offset(u.offsetSize)
      return stringAt(s.debug_str, '.debug_str', off)
    }
    return undefined
  }
  while (c.pos < end) {
    const dieOffset = c.pos
    const code = c.ulebn()
    if (code === 0) {
      stack.pop()
      if (!stack.length && unit) break
      continue
    }
    const ab = abbrevs.get(code)
    if (!ab) c.fail(`abbreviation ${code} is not defined`, dieOffset)
    const values = new Map<number, FormValue>()
    for (const a of ab.attrs) values.set(a.name, readForm(c, a.form, u, s, a.implicitConst))
    const tag = ab.tag
    if (unit && gccAtLeast45 && !unit.locationsValid && ab.attrs.some((a) => a.name === C.DW_AT_location && (a.form === C.DW_FORM_sec_offset || a.form === C.DW_FORM_loclistx))) unit.locationsValid = true
    if (!unit) {
      if (tag !== C.DW_TAG_compile_unit && tag !== C.DW_TAG_partial_unit && tag !== C.DW_TAG_skeleton_unit) return undefined // type units: nothing we need
      strOffsetsBase = Number(constOf(values.get(C.DW_AT_str_offsets_base)) ?? (u.version >= 5 ? 8n : 0n))
      const addrBase = constOf(values.get(C.DW_AT_addr_base))
      const rnglistsBase = constOf(values.get(C.DW_AT_rnglists_base))
      bases.addrBase = addrBase === undefined ? undefined : Number(addrBase)
      bases.rnglistsBase = rnglistsBase === undefined ? undefined : Number(rnglistsBase)
      bases.base = addressOf(values.get(C.DW_AT_low_pc), s, u, bases) ?? 0n
      const stmt = constOf(values.get(C.DW_AT_stmt_list))
      unit = {
        offset: u.unitOffset,
        version: u.version,
        name: str(values.get(C.DW_AT_name)) ?? '',
        compDir: str(values.get(C.DW_AT_comp_dir)) ?? '',
        stmtList: stmt === undefined ? undefined : Number(stmt),
        ranges: rangesOf(values, s, u, bases),
        locationsValid: false,
      }
      gccAtLeast45 = isGccAtLeast45(str(values.get(C.DW_AT_producer)) ?? '')
      if (ab.children) stack.push({ tag, level: 0, prefix: '' })
      continue
    }
    const origin = values.get(C.DW_AT_abstract_origin) ?? values.get(C.DW_AT_specification)
    const prefix = stack.length ? stack[stack.length - 1].prefix : ''
    const ownName = str(values.get(C.DW_AT_name))
    const info: NameInfo = { name: ownName === undefined ? undefined : prefix + ownName, linkage: str(values.get(C.DW_AT_linkage_name) ?? values.get(C.DW_AT_MIPS_linkage_name)) }
    if (origin?.k === 'ref') info.origin = origin.offset
    if (info.name || info.linkage || info.origin !== undefined) names.set(dieOffset, info)
    let scope: DwarfScope | undefined
    const parentScope = [...stack].reverse().find((f) => f.scope)?.scope
    if (tag === C.DW_TAG_subprogram || tag === C.DW_TAG_inlined_subroutine) {
      const ranges = rangesOf(values, s, u, bases)
      if (ranges.length) {
        const name = info.name ?? ''
        if (tag === C.DW_TAG_inlined_subroutine && parentScope) {
          const inl: DwarfInlined = {
            name,
            ranges,
            inlined: [],
            blocks: [],
            callFile: Number(constOf(values.get(C.DW_AT_call_file)) ?? 0n),
            callLine: Number(constOf(values.get(C.DW_AT_call_line)) ?? 0n),
          }
          parentScope.inlined.push(inl)
          scope = inl
        } else {
          const fn: DwarfFunction = { name, ranges, inlined: [], blocks: [], stmtList: unit.stmtList }
          functions.push(fn)
          scope = fn
        }
        if (!name) pending.push({ fn: scope, die: dieOffset })
      }
    }
    const parentLevel = stack.length ? stack[stack.length - 1].level : 0
    let level = scope ? 0 : parentLevel
    if (tag === C.DW_TAG_lexical_block && parentScope) {
      level = parentLevel + 1
      const ranges = rangesOf(values, s, u, bases)
      if (ranges.length) parentScope.blocks.push({ ranges, level })
    }
    if (ab.children) stack.push({ tag, scope, level, prefix: QUALIFYING_TAGS.has(tag) && ownName !== undefined ? `${prefix}${ownName}::` : prefix })
  }
  return unit ? { unit, functions } : undefined
}

/** gdb's producer_is_gcc_ge_4 ≥ 5: "GNU C17 13.2.0 …" yes, "GNU C 4.4.7" no, clang and rustc no. */
function isGccAtLeast45(producer: string): boolean {
  const m = /^GNU .*? (\d+)\.(\d+)/.exec(producer)
  if (!m || / clang|LLVM/i.test(producer)) return false
  const major = Number(m[1])
  return major > 4 || (major === 4 && Number(m[2]) >= 5)
}

function rangesOf(values: Map<number, FormValue>, s: DebugSections, u: UnitFormat, bases: UnitBases): AddressRange[] {
  const r = values.get(C.DW_AT_ranges)
  if (r) return readRanges(r, s, u, bases)
  const low = addressOf(values.get(C.DW_AT_low_pc), s, u, bases)
  const highV = values.get(C.DW_AT_high_pc)
  if (low === undefined || !highV) return []
  const high = highV.k === 'const' ? low + highV.v : addressOf(highV, s, u, bases)
  return high !== undefined && high > low ? [{ low, high }] : []
}
