/**
 * DWARF debug information of a kernel, in the shapes the rest of Bootscope keeps: the line table
 * as `SourceLine` runs (address, size, file, line — what the recording stores and `SourceMap`
 * looks up) and the functions with their inlined calls as flat `FunctionRange`s (what
 * `FunctionMap` looks up). Reads DWARF 2–5 from gcc, clang and rustc ELF files of either class,
 * compressed sections included; a malformed section is an error value naming it and the offset.
 */
import { err, ok, type Result } from '../api/result'
import type { ElfFile } from '../elf/reader'
import type { SourceLine } from '../trace/source-map'
import type { FunctionRange } from '../trace/function-map'
import { DwarfError } from './cursor'
import { readDebugInfo, type DwarfScope } from './info'
import { readLinePrograms, type LineProgram, type LineRow } from './line-program'
import { debugSections, type Decompressors } from './sections'

export { debugSections, type DebugSections, type Decompressors } from './sections'
export { readLinePrograms, type LineProgram, type LineRow } from './line-program'
export { readDebugInfo, type CompileUnit, type DwarfFunction, type DwarfInlined } from './info'
export { readAranges, type AddressRange } from './ranges'
export { DwarfError } from './cursor'

export interface KernelDebugInfo {
  lines: SourceLine[]
  functions: FunctionRange[]
  /** Compilation units (their primary source file), for what a kernel was built from. */
  units: string[]
}

const hex = (v: bigint) => `0x${v.toString(16)}`

/** The line table and function ranges of `elf`; empty tables when it has no DWARF. */
export function readKernelDebugInfo(elf: ElfFile, codecs: Decompressors = {}): Result<KernelDebugInfo> {
  try {
    const s = debugSections(elf, codecs)
    const info = readDebugInfo(s)
    const compDirs = new Map<number, string>()
    for (const u of info.units) if (u.stmtList !== undefined) compDirs.set(u.stmtList, u.compDir)
    const programs = readLinePrograms(s, compDirs)
    for (const u of info.units) {
      const p = programs.find((x) => x.offset === u.stmtList)
      const low = u.ranges.filter((r) => r.low > 0n).reduce<bigint | undefined>((m, r) => (m === undefined || r.low < m ? r.low : m), undefined)
      if (p && low !== undefined) p.rows = withoutCollectedSequences(p.rows)
    }
    const byOffset = new Map(programs.map((p) => [p.offset, p]))
    const skipsPrologue = new Set(info.units.filter((u) => !u.locationsValid && u.stmtList !== undefined).map((u) => u.stmtList))
    const functions: FunctionRange[] = []
    for (const f of info.functions) {
      const program = byOffset.get(f.stmtList ?? -1)
      const at = functions.length
      flatten(f, 0, program, undefined, functions)
      const entry = f.ranges[0]
      const body = entry && program ? (markedBody(program, entry.low, entry.high) ?? (skipsPrologue.has(f.stmtList) ? prologueEnd(program, entry.low, entry.high) : undefined)) : undefined
      if (body !== undefined) functions[at].bodyAt = hex(body)
    }
    return ok({ lines: lineRuns(programs), functions, units: info.units.map((u) => u.name) })
  } catch (e) {
    if (e instanceof DwarfError) return err('dwarf.malformed', `bad DWARF in ${e.message}`, { hint: 'rebuild the kernel, or boot it without source lines (strip -g)' })
    throw e
  }
}

/**
 * Where gdb takes a function's prologue to end when it does not trust the entry (gdb's
 * skip_prologue_using_sal): the end of the line-table row at the entry — the next row's address in
 * its sequence, when that is still inside the function.
 */
function prologueEnd(program: LineProgram, low: bigint, high: bigint): bigint | undefined {
  const rows = program.rows
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].endSequence || rows[i].address !== low) continue
    for (let j = i + 1; j < rows.length; j++) {
      if (rows[j].address > low) return rows[j].endSequence || rows[j].address >= high ? undefined : rows[j].address
      if (rows[j].endSequence) break
    }
  }
  return undefined
}

/**
 * The rows without the sequences at address 0 of a unit whose code is elsewhere: the code of
 * functions the linker collected (--gc-sections) keeps its line rows, relocated to 0; gdb drops
 * them (PR gdb/12528), or a breakpoint on their lines would be at 0.
 */
function withoutCollectedSequences(rows: LineRow[]): LineRow[] {
  const out: LineRow[] = []
  let start = 0
  for (let i = 0; i < rows.length; i++) {
    if (!rows[i].endSequence) continue
    if (rows[start].address !== 0n) out.push(...rows.slice(start, i + 1))
    start = i + 1
  }
  out.push(...rows.slice(start))
  return out
}

/** The first row in [low, high) the compiler marked prologue_end (LLVM: clang, rustc), which gdb breaks at before any other rule. */
function markedBody(program: LineProgram, low: bigint, high: bigint): bigint | undefined {
  let best: bigint | undefined
  for (const r of program.rows) if (r.prologueEnd && !r.endSequence && r.address >= low && r.address < high && (best === undefined || r.address < best)) best = r.address
  return best
}

function flatten(scope: DwarfScope, depth: number, program: LineProgram | undefined, call: { file: number; line: number } | undefined, out: FunctionRange[]): void {
  for (const r of scope.ranges) {
    const f: FunctionRange = { low: hex(r.low), high: hex(r.high), name: scope.name, depth }
    if (call) {
      f.callFile = program?.files[call.file] ?? ''
      f.callLine = call.line
    }
    if (scope.blocks.length) f.blocks = scope.blocks.map((b) => ({ ranges: b.ranges.map((x) => [hex(x.low), hex(x.high)] as [string, string]), level: b.level }))
    out.push(f)
  }
  for (const i of scope.inlined) flatten(i, depth + 1, program, { file: i.callFile, line: i.callLine }, out)
}

/**
 * Each row covers the bytes up to the next row of its sequence; of several rows at one address
 * the last counts (as addr2line and gdb read it). Rows with line 0 (no source) cover nothing.
 * The is_stmt flag is kept as gdb keeps it: a run is a statement when a row of its line at its
 * address has the flag, and a statement row hidden by a later row at the same address (main.c:42
 * at the address where its inlined callee's line 19 begins) stays as a run of size 0, so a
 * breakpoint on its line still finds it. Rows at the address that ends their sequence cover
 * nothing and mark nothing (gdb drops them too).
 */
export function lineRuns(programs: LineProgram[]): SourceLine[] {
  const out: SourceLine[] = []
  for (const p of programs) {
    const rows = p.rows
    let hidden: LineRow[] = []
    for (let i = 0; i + 1 < rows.length; i++) {
      const r = rows[i]
      if (r.endSequence) {
        hidden = []
        continue
      }
      const next = rows[i + 1]
      if (next.address < r.address) continue
      if (next.address === r.address) {
        if (r.isStmt && r.line !== 0) hidden.push(r)
        continue
      }
      const sameLine = (h: LineRow) => h.file === r.file && h.line === r.line
      const marks = hidden.filter((h, k) => !sameLine(h) && hidden.findIndex((o) => o.file === h.file && o.line === h.line) === k)
      for (const h of marks) out.push({ address: hex(h.address), size: 0, file: h.file, line: h.line, column: h.column || undefined })
      if (r.line !== 0) {
        const run: SourceLine = { address: hex(r.address), size: Number(next.address - r.address), file: r.file, line: r.line, column: r.column || undefined }
        if (!r.isStmt && !hidden.some(sameLine)) run.stmt = false
        out.push(run)
      }
      hidden = []
    }
  }
  return out
}
