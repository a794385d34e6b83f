/**
 * From a program counter to the function it is in, and the inlined calls it is inside: the
 * kernel's DWARF functions (shared/dwarf) as flat ranges, kept in the recording next to the line
 * table so a boot stays explainable after its ELF is gone. Like `SourceMap`, a PC taken before
 * paging (a load address) is carried to its link address through the segments first.
 */
import type { SegmentAddresses } from './source-map'

/** One address range of a function (depth 0) or of an inlined call (depth ≥ 1); addresses in hex. */
export interface FunctionRange {
  low: string
  /** Exclusive. */
  high: string
  name: string
  depth: number
  /** For inlined calls: where the call was written. */
  callFile?: string
  callLine?: number
  /**
   * For a function (depth 0) whose prologue gdb skips: where its prologue ends, which is where
   * gdb's `break FILE:LINE` on the function's opening line stops — the row the compiler marked
   * prologue_end (LLVM), else, in a unit gdb does not trust at entries (no location lists: gcc
   * -O0), the next line-table row after the entry.
   */
  bodyAt?: string
  /**
   * The lexical blocks with code in this function or inlined copy (not in a call inlined into
   * it): their ranges (low, high exclusive) and how deep they nest (1: directly in it). Only
   * breakpoints use them: gdb gives a line one stop per innermost block, not per function.
   */
  blocks?: { ranges: [string, string][]; level: number }[]
}

/** A frame at a PC, innermost first: the inlined callee, then its caller, … then the function. */
export interface FunctionFrame {
  name: string
  /** Where this frame's code was called from, for inlined frames. */
  callFile?: string
  callLine?: number
}

interface Range {
  low: bigint
  high: bigint
  f: FunctionRange
}

export class FunctionMap {
  private readonly ranges: Range[]
  private readonly linkAddress: (pc: bigint) => bigint

  constructor(functions: FunctionRange[], segments: SegmentAddresses[] = []) {
    this.ranges = functions
      .map((f) => ({ low: BigInt(f.low), high: BigInt(f.high), f }))
      .sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : a.f.depth - b.f.depth))
    this.linkAddress = (pc) => {
      if (segments.some((s) => pc >= s.vaddr && pc < s.vaddr + s.memsz)) return pc
      const s = segments.find((s) => s.paddr !== s.vaddr && pc >= s.paddr && pc < s.paddr + s.memsz)
      return s ? s.vaddr + (pc - s.paddr) : pc
    }
  }

  get size(): number {
    return this.ranges.length
  }

  /** The frames at `pc`, innermost first; [] when no function covers it. */
  framesAt(pc: bigint): FunctionFrame[] {
    let frames = this.covering(pc)
    if (!frames.length) {
      const link = this.linkAddress(pc)
      if (link !== pc) frames = this.covering(link)
    }
    return frames
      .sort((a, b) => b.depth - a.depth)
      .map((f) => ({ name: f.name, ...(f.callFile !== undefined ? { callFile: f.callFile, callLine: f.callLine } : {}) }))
  }

  /** The outermost (real, not inlined) function at `pc`. */
  functionAt(pc: bigint): string | undefined {
    const frames = this.framesAt(pc)
    return frames.length ? frames[frames.length - 1].name : undefined
  }

  /** The address ranges of the function named `name` (not of its inlined copies). */
  rangesOf(name: string): { low: bigint; high: bigint }[] {
    return this.ranges.filter((r) => r.f.depth === 0 && r.f.name === name).map((r) => ({ low: r.low, high: r.high }))
  }

  private covering(pc: bigint): FunctionRange[] {
    // Ranges are few (thousands); the ones starting at or before pc are found by bisection, then
    // scanned backward — nested inlined ranges start inside their function's.
    let lo = 0
    let hi = this.ranges.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.ranges[mid].low <= pc) lo = mid + 1
      else hi = mid
    }
    const out: FunctionRange[] = []
    const seenDepth = new Set<number>()
    for (let i = lo - 1; i >= 0; i--) {
      const r = this.ranges[i]
      if (pc < r.high && !seenDepth.has(r.f.depth)) {
        out.push(r.f)
        seenDepth.add(r.f.depth)
        if (r.f.depth === 0) break
      }
    }
    return out
  }
}

/** "kernel_main", or "write_satp (inlined into kernel_main)". */
export function describeFrames(frames: FunctionFrame[]): string | undefined {
  if (!frames.length) return undefined
  if (frames.length === 1) return frames[0].name
  return `${frames[0].name} (inlined into ${frames[frames.length - 1].name})`
}
