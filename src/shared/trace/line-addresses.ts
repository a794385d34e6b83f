/**
 * From a source line to the addresses where its code starts — the inverse of `SourceMap`, for
 * breakpoints set on a line (the editor's gutter) and run to on the timeline. Like gdb, a line
 * without code (a comment, a blank line) moves to the next line of the same file that has some,
 * and a line gives one address per function it was compiled into — each inlined copy of a
 * function is one (a `static inline` helper called twice breaks in both), and so is each lexical
 * block in them (a `for` with its own variables) — the lowest address
 * where a statement of it begins there, not every stretch of it (a loop's test is not a second
 * stop). Only rows where a statement begins (DWARF is_stmt) count, as in gdb: an instruction of
 * the line the compiler scheduled before its statement starts is no stop, and a line whose rows
 * are all non-statements has no code of its own. Recordings without the flag (written before it
 * was kept) count every row. A line whose address is a function's entry stops where the
 * prologue ends, on the body's first line, where gdb skips the prologue (a prologue_end mark from
 * LLVM, or code without location lists: gcc -O0; `FunctionRange.bodyAt`). Each address comes with the load
 * addresses it runs at before paging (a kernel linked in the higher half starts at its physical
 * load address).
 */
import type { SegmentAddresses, SourceLine } from './source-map'
import { SourceMap } from './source-map'
import type { FunctionRange } from './function-map'

export interface LineAddresses {
  /** The line the code is on: the line asked for, or the next one with code. */
  line: number
  /** Where each place of that line's code starts (link address first, then its load addresses), hex. */
  addresses: string[]
}

/** Rows of the line table, for several lookups (one per breakpoint). */
export class LineIndex {
  /** The statement rows (a breakpoint can stop at one), in address order. */
  private readonly rows: { from: bigint; file: string; line: number }[]
  private readonly map: SourceMap
  private readonly functions: { low: bigint; high: bigint; depth: number; blocks: { ranges: [bigint, bigint][]; level: number }[] }[]
  /** Function entry → where its prologue ends, for the functions gdb skips the prologue of. */
  private readonly bodyAt: Map<bigint, bigint>

  constructor(lines: readonly SourceLine[], segments: SegmentAddresses[] = [], functions: readonly FunctionRange[] = []) {
    this.functions = functions.map((f) => ({
      low: BigInt(f.low),
      high: BigInt(f.high),
      depth: f.depth,
      blocks: (f.blocks ?? []).map((b) => ({ ranges: b.ranges.map(([lo, hi]) => [BigInt(lo), BigInt(hi)] as [bigint, bigint]), level: b.level })),
    }))
    this.rows = lines
      .filter((l) => l.stmt !== false)
      .map((l) => ({ from: BigInt(l.address), file: l.file, line: l.line }))
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
    this.map = new SourceMap(lines as SourceLine[], segments)
    this.bodyAt = new Map(functions.filter((f) => f.depth === 0 && f.bodyAt).map((f) => [BigInt(f.low), BigInt(f.bodyAt!)]))
  }

  /**
   * The addresses of `line` in the file `sameFile` accepts (the caller decides how a table's
   * file name matches: absolute, workspace-relative); undefined when the file has no code there
   * or after it.
   */
  addressesOf(sameFile: (file: string) => boolean, line: number): LineAddresses | undefined {
    let at: number | undefined
    for (const r of this.rows) if (r.line >= line && (at === undefined || r.line < at) && sameFile(r.file)) at = r.line
    if (at === undefined) return undefined
    // The lowest address of the line in each function (inlined copy) it is in: rows are in address order.
    const firstIn = new Map<string, bigint>()
    for (const r of this.rows) {
      if (r.line !== at || !sameFile(r.file)) continue
      const key = this.functionOf(r.from)
      if (!firstIn.has(key)) firstIn.set(key, r.from)
    }
    // gdb's prologue skip: a line at a function's entry, in a unit gdb does not trust there (gcc -O0), stops after the prologue.
    let shown = at
    const links = [...firstIn.values()].map((link, i) => {
      const body = this.bodyAt.get(link)
      if (body === undefined) return link
      if (i === 0) shown = this.map.locate(body)?.line ?? at
      return body
    })
    const addresses: string[] = []
    for (const link of links) {
      for (const a of this.map.loadAddresses(link)) {
        const h = `0x${a.toString(16)}`
        if (!addresses.includes(h)) addresses.push(h)
      }
    }
    return { line: shown, addresses }
  }

  /**
   * The innermost block covering `pc`, as a key: the innermost function range (an inlined copy's
   * own), and in it the innermost lexical block; '' outside every function. gdb keeps one stop of
   * a line per such block.
   */
  private functionOf(pc: bigint): string {
    let best: LineIndex['functions'][number] | undefined
    for (const f of this.functions) if (pc >= f.low && pc < f.high && (!best || f.depth > best.depth)) best = f
    if (!best) return ''
    let block = -1
    best.blocks.forEach((b, i) => {
      if ((block < 0 || b.level > best.blocks[block].level) && b.ranges.some(([lo, hi]) => pc >= lo && pc < hi)) block = i
    })
    return `${best.low}:${best.high}:${best.depth}:${block}`
  }
}
