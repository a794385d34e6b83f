/**
 * From a program counter back to the source line that produced the instruction: the build's
 * line table (our toolchain writes one for every emitted byte range), kept in the recording so
 * that any event, stop or cursor position can show its line. A PC taken before paging is a
 * physical address; the ELF's program headers (VMA ↔ LMA) carry it to the link address first.
 */
import type { SourceLoc } from '../api/result'

/**
 * One run of bytes at its link (virtual) address; addresses are hex strings so the table is JSON.
 * A run of size 0 is a DWARF row the next row at the same address hides: a statement of its line
 * begins there (a breakpoint on that line stops there) while the bytes belong to the next row's.
 */
export interface SourceLine {
  address: string
  size: number
  file: string
  line: number
  /** Column from DWARF (1-based), when the compiler recorded one. */
  column?: number
  /**
   * false when no DWARF row of this line at this address has is_stmt (not where a statement of
   * the line begins: gdb does not break there). Absent means a statement — our toolchain's rows and
   * recordings written before the flag was kept.
   */
  stmt?: false
}

/** A loaded segment: where it is linked (vaddr) and where it sits in memory (paddr). */
export interface SegmentAddresses {
  vaddr: bigint
  paddr: bigint
  memsz: bigint
}

interface Range {
  from: bigint
  to: bigint
  file: string
  line: number
  column: number
}

export class SourceMap {
  private readonly ranges: Range[]

  constructor(
    lines: SourceLine[],
    private readonly segments: SegmentAddresses[] = [],
  ) {
    this.ranges = lines
      .map((l) => ({ from: BigInt(l.address), to: BigInt(l.address) + BigInt(l.size), file: l.file, line: l.line, column: l.column ?? 1 }))
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
  }

  get size(): number {
    return this.ranges.length
  }

  /** The source line of the instruction at `pc` (a link address, or a physical one inside a segment). */
  locate(pc: bigint): SourceLoc | undefined {
    const direct = this.find(pc)
    if (direct) return direct
    const linked = this.linkAddress(pc)
    return linked === pc ? undefined : this.find(linked)
  }

  /** The link address of `pc`: itself, unless it is a load address of a segment linked elsewhere (and not its own link address). */
  linkAddress(pc: bigint): bigint {
    if (this.segments.some((s) => pc >= s.vaddr && pc < s.vaddr + s.memsz)) return pc
    for (const s of this.segments) {
      if (s.paddr !== s.vaddr && pc >= s.paddr && pc < s.paddr + s.memsz) return s.vaddr + (pc - s.paddr)
    }
    return pc
  }

  /** The inverse of `linkAddress`: `link` itself and every load address whose link address it is. */
  loadAddresses(link: bigint): bigint[] {
    const out = [link]
    for (const s of this.segments) {
      if (s.paddr === s.vaddr || link < s.vaddr || link >= s.vaddr + s.memsz) continue
      const pa = s.paddr + (link - s.vaddr)
      if (this.linkAddress(pa) === link && !out.includes(pa)) out.push(pa)
    }
    return out
  }

  /**
   * An instruction boundary at or before `address`: the start of the line `lines` lines earlier
   * in the same contiguous run of code (a disassembly window can start there), or undefined when
   * the table does not cover `address`.
   */
  startBefore(address: bigint, lines: number): bigint | undefined {
    let i = this.indexOf(address)
    if (i < 0) return undefined
    for (let n = 0; n < lines && i > 0 && this.ranges[i - 1].to === this.ranges[i].from; n++) i--
    return this.ranges[i].from
  }

  private indexOf(address: bigint): number {
    let lo = 0
    let hi = this.ranges.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const r = this.ranges[mid]
      if (address < r.from) hi = mid - 1
      else if (address >= r.to) lo = mid + 1
      else return mid
    }
    return -1
  }

  private find(address: bigint): SourceLoc | undefined {
    const i = this.indexOf(address)
    return i < 0 ? undefined : { file: this.ranges[i].file, line: this.ranges[i].line, column: this.ranges[i].column }
  }
}
