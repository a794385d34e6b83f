/**
 * .debug_line: the line-number programs (DWARF 5 §6.2; versions 2–5), run as the state machine
 * the specification describes, giving the rows of each sequence (address, file, line, column,
 * is_stmt, end_sequence). DWARF 5 headers describe their directory and file entries with
 * DW_LNCT formats and may point into .debug_line_str; DWARF 4 ones list C strings, and their
 * directory 0 is the unit's DW_AT_comp_dir, which the caller passes in when it knows it.
 */
import * as C from './constants'
import { Cursor } from './cursor'
import { readForm, type UnitFormat } from './forms'
import { joinPath } from './paths'
import type { DebugSections } from './sections'

export interface LineRow {
  address: bigint
  /** Full path as the compiler recorded it (absolute when the unit's directories are). */
  file: string
  line: number
  column: number
  isStmt: boolean
  /** DW_LNS_set_prologue_end before this row (LLVM marks where a function's body begins). */
  prologueEnd: boolean
  endSequence: boolean
}

export interface LineProgram {
  /** Offset of this program's header in .debug_line (what DW_AT_stmt_list names). */
  offset: number
  version: number
  files: string[]
  /** Rows in program order; each sequence ends with an `endSequence` row. */
  rows: LineRow[]
}

interface Header {
  version: number
  format: UnitFormat
  minInstLength: number
  maxOps: number
  defaultIsStmt: boolean
  lineBase: number
  lineRange: number
  opcodeBase: number
  stdLengths: number[]
  dirs: string[]
  files: string[]
  programStart: number
  end: number
}

/** Every line program in .debug_line; `compDirs` maps a program's offset to its unit's DW_AT_comp_dir. */
export function readLinePrograms(s: DebugSections, compDirs: Map<number, string> = new Map()): LineProgram[] {
  const data = s.debug_line
  if (!data) return []
  const out: LineProgram[] = []
  const c = new Cursor(data, '.debug_line')
  while (!c.atEnd) {
    const offset = c.pos
    const h = readHeader(c, s, compDirs.get(offset) ?? '')
    out.push({ offset, version: h.version, files: h.files, rows: run(c, h) })
    c.pos = h.end
  }
  return out
}

/** The line program at `offset` alone. */
export function readLineProgramAt(s: DebugSections, offset: number, compDir = ''): LineProgram {
  const c = new Cursor(s.debug_line ?? new Uint8Array(), '.debug_line', offset)
  const h = readHeader(c, s, compDir)
  return { offset, version: h.version, files: h.files, rows: run(c, h) }
}

function readHeader(c: Cursor, s: DebugSections, compDir: string): Header {
  const start = c.pos
  const { offsetSize, end } = c.initialLength()
  const version = c.u16()
  if (version < 2 || version > 5) c.fail(`line table version ${version} (this reader knows 2 to 5)`, start)
  let addressSize = 8
  if (version >= 5) {
    addressSize = c.u8()
    c.u8() // segment_selector_size
  }
  const headerLength = c.offset(offsetSize)
  const programStart = c.pos + headerLength
  const minInstLength = c.u8()
  const maxOps = version >= 4 ? c.u8() : 1
  const defaultIsStmt = c.u8() !== 0
  const lineBase = c.i8()
  const lineRange = c.u8()
  const opcodeBase = c.u8()
  if (lineRange === 0) c.fail('line_range is 0')
  const stdLengths: number[] = []
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(c.u8())
  const format: UnitFormat = { version, offsetSize, addressSize, unitOffset: 0 }
  const h: Header = { version, format, minInstLength, maxOps: maxOps || 1, defaultIsStmt, lineBase, lineRange, opcodeBase, stdLengths, dirs: [], files: [], programStart, end }
  if (version >= 5) {
    h.dirs = entryTable(c, s, format).map((e) => e.path)
    const base = h.dirs[0] ?? compDir
    h.dirs = h.dirs.map((d, i) => (i === 0 ? d : joinPath(base, d)))
    h.files = entryTable(c, s, format).map((e) => joinPath(h.dirs[e.dir] ?? base, e.path))
  } else {
    h.dirs = [compDir]
    for (let d = c.cstr(); d !== ''; d = c.cstr()) h.dirs.push(joinPath(compDir, d))
    h.files = [''] // DWARF 4 numbers files from 1
    for (let f = c.cstr(); f !== ''; f = c.cstr()) {
      const dir = c.ulebn()
      c.uleb() // mtime
      c.uleb() // length
      h.files.push(joinPath(h.dirs[dir] ?? compDir, f))
    }
  }
  c.pos = programStart
  return h
}

/** A DWARF 5 directory or file-name table: its entry format, then the entries. */
function entryTable(c: Cursor, s: DebugSections, format: UnitFormat): { path: string; dir: number }[] {
  const kinds: { type: number; form: number }[] = []
  const formatCount = c.u8()
  for (let i = 0; i < formatCount; i++) kinds.push({ type: c.ulebn(), form: c.ulebn() })
  const count = c.ulebn()
  const out: { path: string; dir: number }[] = []
  for (let i = 0; i < count; i++) {
    const e = { path: '', dir: 0 }
    for (const k of kinds) {
      const v = readForm(c, k.form, format, s)
      if (k.type === C.DW_LNCT_path && v.k === 'str') e.path = v.v
      else if (k.type === C.DW_LNCT_directory_index && v.k === 'const') e.dir = Number(v.v)
    }
    out.push(e)
  }
  return out
}

/** Runs the line-number program (DWARF 5 §6.2.5) up to the unit's end. */
function run(c: Cursor, h: Header): LineRow[] {
  const rows: LineRow[] = []
  const fileOf = (i: number) => h.files[i] ?? `<file ${i}>`
  let address = 0n
  let opIndex = 0
  let file = 1
  let line = 1
  let column = 0
  let isStmt = h.defaultIsStmt
  let prologueEnd = false
  const reset = () => {
    address = 0n
    opIndex = 0
    file = 1
    line = 1
    column = 0
    isStmt = h.defaultIsStmt
  }
  const emit = (endSequence: boolean) => {
    rows.push({ address, file: fileOf(file), line, column, isStmt, prologueEnd, endSequence })
    prologueEnd = false
  }
  const advance = (operationAdvance: number) => {
    if (h.maxOps === 1) address += BigInt(h.minInstLength * operationAdvance)
    else {
      address += BigInt(h.minInstLength * Math.floor((opIndex + operationAdvance) / h.maxOps))
      opIndex = (opIndex + operationAdvance) % h.maxOps
    }
  }
  while (c.pos < h.end) {
    const op = c.u8()
    if (op >= h.opcodeBase) {
      const adjusted = op - h.opcodeBase
      advance(Math.floor(adjusted / h.lineRange))
      line += h.lineBase + (adjusted % h.lineRange)
      emit(false)
      continue
    }
    switch (op) {
      case 0: {
        const len = c.ulebn()
        const next = c.pos + len
        const sub = len > 0 ? c.u8() : -1
        if (sub === C.DW_LNE_end_sequence) {
          emit(true)
          reset()
        } else if (sub === C.DW_LNE_set_address) {
          address = c.uint(len - 1)
          opIndex = 0
        }
        // DW_LNE_define_file (DWARF ≤ 4, unused by current compilers), set_discriminator and vendor opcodes: skipped.
        c.pos = next
        break
      }
      case C.DW_LNS_copy:
        emit(false)
        break
      case C.DW_LNS_advance_pc:
        advance(c.ulebn())
        break
      case C.DW_LNS_advance_line:
        line += Number(c.sleb())
        break
      case C.DW_LNS_set_file:
        file = c.ulebn()
        break
      case C.DW_LNS_set_column:
        column = c.ulebn()
        break
      case C.DW_LNS_negate_stmt:
        isStmt = !isStmt
        break
      case C.DW_LNS_const_add_pc:
        advance(Math.floor((255 - h.opcodeBase) / h.lineRange))
        break
      case C.DW_LNS_fixed_advance_pc:
        address += BigInt(c.u16())
        opIndex = 0
        break
      case C.DW_LNS_set_prologue_end:
        prologueEnd = true
        break
      case C.DW_LNS_set_basic_block:
      case C.DW_LNS_set_epilogue_begin:
        break
      case C.DW_LNS_set_isa:
        c.uleb()
        break
      default:
        // An opcode this reader does not know: its header says how many LEB128 operands to skip.
        for (let i = 0; i < (h.stdLengths[op - 1] ?? 0); i++) c.uleb()
    }
  }
  return rows
}
