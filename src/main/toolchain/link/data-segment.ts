/**
 * DATA_SEGMENT_ALIGN / DATA_SEGMENT_RELRO_END / DATA_SEGMENT_END as ld evaluates them (ldexp.c
 * fold_binary, ldlang.c lang_size_relro_segment and lang_size_segment). A first layout records
 * where the data segment starts, where its RELRO part ends and where it ends; then, once that
 * layout is stable, ld moves the start once: with `-z relro` (x86 Linux ld's default) so the RELRO
 * part ends on a page boundary, otherwise to save a page when the data fits in one. The layout is
 * then redone with the start fixed. Default scripts use these; kernel scripts rarely do.
 */
export type DataSegPhase = 'none' | 'adjust' | 'relro_adjust' | 'done'

export interface DataSegment {
  phase: DataSegPhase
  /** Recorded by the last pass in phase 'none' (or set by the adjustment for 'relro_adjust'). */
  base: bigint
  alignSeen: boolean
  relroEnd: bigint
  relroOffset: bigint
  relroSeen: boolean
  end: bigint
  endSeen: boolean
  maxPage: bigint
  commonPage: bigint
}

export function newDataSegment(): DataSegment {
  return { phase: 'none', base: 0n, alignSeen: false, relroEnd: 0n, relroOffset: 0n, relroSeen: false, end: 0n, endSeen: false, maxPage: 0x1000n, commonPage: 0x1000n }
}

/** Forgets what the previous pass recorded (only while the start is not fixed yet). */
export function beginPass(seg: DataSegment): void {
  if (seg.phase !== 'none') return
  seg.alignSeen = false
  seg.relroSeen = false
  seg.endSeen = false
}

const alignUp = (v: bigint, a: bigint) => (a <= 1n ? v : (v + a - 1n) / a * a)

export function dataSegmentAlign(seg: DataSegment, dot: bigint, maxPage: bigint, commonPage: bigint): bigint {
  const aligned = alignUp(dot, maxPage)
  if (seg.phase === 'relro_adjust') return seg.base
  if (seg.phase === 'adjust') return aligned + (commonPage < maxPage ? (dot + commonPage - 1n) & (maxPage - commonPage) : 0n)
  const v = aligned + (dot & (maxPage - 1n))
  if (seg.phase === 'none' && !seg.alignSeen) {
    seg.alignSeen = true
    seg.base = v
    seg.maxPage = maxPage
    seg.commonPage = commonPage
  }
  return v
}

/** `DATA_SEGMENT_RELRO_END(offset, exp)`: the value of `exp`, pushed up in 'relro_adjust' so RELRO ends on a page. */
export function dataSegmentRelroEnd(seg: DataSegment, offset: bigint, exp: bigint): bigint {
  seg.relroOffset = offset
  if (seg.phase === 'none' || seg.phase === 'relro_adjust') {
    seg.relroEnd = exp + offset
    seg.relroSeen = true
  }
  if (seg.phase === 'relro_adjust' && seg.relroEnd % seg.maxPage !== 0n) {
    seg.relroEnd = alignUp(seg.relroEnd, seg.maxPage)
    return seg.relroEnd - offset
  }
  return exp
}

export function dataSegmentEnd(seg: DataSegment, exp: bigint): bigint {
  if (seg.phase === 'none') {
    seg.end = exp
    seg.endSeen = true
  }
  return exp
}

/** An allocated output section as the RELRO adjustment sees it. */
export interface PlacedSection {
  vma: bigint
  size: bigint
  align: bigint
  tbss: boolean
}

/**
 * After the first stable layout: fixes the data segment's start. `relro` is whether `-z relro`
 * is in force and the script has something between DATA_SEGMENT_ALIGN and DATA_SEGMENT_RELRO_END
 * (ld's lang_find_relro_sections). Returns true when the layout must be redone.
 */
export function adjustDataSegment(seg: DataSegment, relro: boolean, sections: PlacedSection[]): boolean {
  if (seg.phase !== 'none' || !seg.alignSeen || !seg.endSeen) {
    seg.phase = 'done'
    return false
  }
  if (relro && seg.relroSeen) {
    // lang_size_relro_segment_1: move sections up so the RELRO part ends on a page boundary.
    const page = seg.maxPage
    let desired = alignUp(seg.relroEnd, page) - seg.relroOffset
    const limit = seg.relroEnd - seg.relroOffset
    let found = false
    for (let i = sections.length - 1; i >= 0; i--) {
      const s = sections[i]
      if (s.vma < seg.base || s.vma >= limit) continue
      found = true
      const end = s.tbss ? s.vma : s.vma + s.size
      const a = s.align > 1n ? s.align : 1n
      desired = (s.vma + (desired - end)) & ~(a - 1n)
    }
    if (!found) {
      // Nothing lies in the RELRO part: ld 2.40 then starts the data segment on a page boundary
      // (measured: DATA_SEGMENT_ALIGN evaluates to ALIGN(MAXPAGESIZE) whatever `.` was).
      seg.phase = 'adjust'
      return true
    }
    seg.phase = 'relro_adjust'
    if (desired >= seg.base) seg.base = desired
    return true
  }
  // lang_size_segment: save a page when the data segment's first and last pages could be one.
  const common = seg.commonPage
  const first = (-seg.base) & (common - 1n)
  const last = seg.end & (common - 1n)
  if (first !== 0n && last !== 0n && (seg.base & ~(common - 1n)) !== (seg.end & ~(common - 1n)) && first + last <= common) {
    seg.phase = 'adjust'
    return true
  }
  seg.phase = 'done'
  return false
}
