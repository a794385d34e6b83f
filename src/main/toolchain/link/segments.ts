/**
 * Program headers and file offsets. Without PHDRS this follows BFD's
 * `_bfd_elf_map_sections_to_segments` for a static executable: allocated sections sorted by LMA,
 * a new PT_LOAD when the VMA-LMA delta changes, when a page would be skipped, after a NOBITS
 * section, or when a writable section starts on a fresh page after read-only ones; the ELF and
 * program headers ride in the first PT_LOAD when they fit below it on its page. File offsets are
 * then congruent to addresses modulo the page size, as a demand-paged loader needs.
 */
import { PF_R, PF_W, PF_X, PT_LOAD, PT_NOTE, PT_PHDR, PT_RISCV_ATTRIBUTES, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_NOTE } from '../../../shared/elf/constants'
import type { OutSec } from './input'
import { MAX_PAGE_SIZE_BYTES } from './layout'

export interface Segment {
  type: number
  flags: number
  offset: bigint
  vaddr: bigint
  paddr: bigint
  filesz: bigint
  memsz: bigint
  align: bigint
  sections: OutSec[]
  includesHeaders: boolean
  /** From PHDRS: an explicit p_paddr or p_flags. */
  fixedPaddr?: bigint
  fixedFlags?: number
  name?: string
}

const PAGE = MAX_PAGE_SIZE_BYTES
const alignDown = (v: bigint, a: bigint) => v - (v % a)
const alignUp = (v: bigint, a: bigint) => (a <= 1n ? v : (v + a - 1n) / a * a)

export function headersSize(nPhdrs: number): bigint {
  return 64n + 56n * BigInt(nPhdrs)
}

/** Default segment map (no PHDRS). `attributes` adds PT_RISCV_ATTRIBUTES first, like BFD's RISC-V backend. */
export function mapSegments(alloc: OutSec[], attributes: OutSec | undefined): Segment[] {
  // Empty sections belong to no segment.
  const secs = alloc.filter((s) => s.size > 0n).sort((a, b) => (a.lma < b.lma ? -1 : a.lma > b.lma ? 1 : 0) || (a.vma < b.vma ? -1 : a.vma > b.vma ? 1 : 0) ||
    (a.type === SHT_NOBITS ? 1 : 0) - (b.type === SHT_NOBITS ? 1 : 0))
  const segs: Segment[] = []
  if (attributes) segs.push(newSeg(PT_RISCV_ATTRIBUTES, [attributes]))
  let cur: Segment | undefined
  let last: OutSec | undefined
  let writable = false
  let executable = false
  for (const s of secs) {
    let fresh = false
    if (!last || !cur) fresh = true
    else if (last.lma - last.vma !== s.lma - s.vma) fresh = true
    else if (alignUp(last.lma + last.size, PAGE) < alignUp(s.lma, PAGE)) fresh = true
    else if (last.type === SHT_NOBITS && s.type !== SHT_NOBITS && ((last.lma + last.size - 1n) & ~(PAGE - 1n)) !== (s.lma & ~(PAGE - 1n))) {
      // Loading bytes after a NOBITS section on a later page would force the NOBITS one into the file.
      fresh = true
    } else if (!writable && (s.flags & SHF_WRITE) !== 0) {
      // A writable section joins a read-only segment only when it shares the last page.
      fresh = ((last.lma + last.size - 1n) & ~(PAGE - 1n)) !== (s.lma & ~(PAGE - 1n))
    }
    if (fresh) {
      cur = newSeg(PT_LOAD, [])
      segs.push(cur)
      writable = false
      executable = false
    }
    cur!.sections.push(s)
    if (s.flags & SHF_WRITE) writable = true
    if (s.flags & SHF_EXECINSTR) executable = true
    void executable
    last = s
  }
  // Allocated notes also get a PT_NOTE (after the loads, as ld orders them).
  const notes = secs.filter((s) => s.type === SHT_NOTE)
  if (notes.length) segs.push(newSeg(PT_NOTE, notes))
  return segs
}

function newSeg(type: number, sections: OutSec[]): Segment {
  return { type, flags: 0, offset: 0n, vaddr: 0n, paddr: 0n, filesz: 0n, memsz: 0n, align: type === PT_LOAD ? PAGE : 1n, sections, includesHeaders: false }
}

/**
 * Sets each segment's addresses and sizes and every section's file offset. `outsInOrder` is the
 * section header order (allocated and not); returns the offset where non-section data may start.
 */
export function assignOffsets(segs: Segment[], outsInOrder: OutSec[], offsets: Map<OutSec, bigint>, defaultMap: boolean): bigint {
  const hdr = headersSize(segs.length)
  let off = hdr
  const loads = segs.filter((s) => s.type === PT_LOAD)
  // Headers go in the first PT_LOAD when its first section leaves room for them on its page.
  const first = loads[0]?.sections[0]
  if (defaultMap && first) {
    const lmaInPage = first.lma % PAGE
    if (first.lma >= hdr && lmaInPage >= hdr % PAGE && lmaInPage >= hdr) loads[0].includesHeaders = true
  }
  for (const seg of loads) {
    if (seg.sections.length === 0 && !seg.includesHeaders) continue
    const s0 = seg.sections[0]
    const offBefore = off
    if (seg.includesHeaders) {
      if (defaultMap) {
        seg.vaddr = alignDown(s0.vma, PAGE)
        seg.paddr = alignDown(s0.lma, PAGE)
      } else {
        seg.vaddr = s0 ? s0.vma - hdr : 0n
        seg.paddr = s0 ? s0.lma - hdr : 0n
      }
      seg.offset = 0n
    } else {
      seg.vaddr = s0.vma
      seg.paddr = s0.lma
      off += ((s0.vma - off) % PAGE + PAGE) % PAGE
      seg.offset = off
    }
    if (seg.fixedPaddr !== undefined) seg.paddr = seg.fixedPaddr
    let filesz = seg.includesHeaders ? hdr : 0n
    let memsz = filesz
    let flags = PF_R
    for (const s of seg.sections) {
      const rel = s.vma - seg.vaddr
      offsets.set(s, seg.offset + rel)
      if (s.type !== SHT_NOBITS) filesz = rel + s.size
      if (rel + s.size > memsz) memsz = rel + s.size
      if (s.flags & SHF_WRITE) flags |= PF_W
      if (s.flags & SHF_EXECINSTR) flags |= PF_X
    }
    seg.filesz = filesz
    seg.memsz = memsz
    seg.flags = seg.fixedFlags ?? flags
    if (filesz === 0n && !seg.includesHeaders) {
      // A segment with no file bytes (only NOBITS) does not move the file position; ld gives it
      // the smallest p_offset congruent to p_vaddr.
      seg.offset = seg.vaddr % PAGE
      off = offBefore
      continue
    }
    off = seg.offset + filesz
    if (off < hdr) off = hdr
  }
  // Sections outside every PT_LOAD: allocated ones not in a segment, then the rest, each at its alignment.
  for (const s of outsInOrder) {
    if (offsets.has(s)) continue
    if (s.type === SHT_NOBITS) { offsets.set(s, off); continue }
    off = alignUp(off, s.align)
    offsets.set(s, off)
    off += s.size
  }
  for (const seg of segs) {
    if (seg.type === PT_LOAD) continue
    if (seg.type === PT_PHDR) {
      // The program header table itself, as mapped by the PT_LOAD that carries the headers.
      const carrier = loads.find((l) => l.includesHeaders)
      seg.offset = 64n
      seg.vaddr = (carrier?.vaddr ?? 0n) + 64n
      seg.paddr = (carrier?.paddr ?? 0n) + 64n
      seg.filesz = 56n * BigInt(segs.length)
      seg.memsz = seg.filesz
      seg.flags = seg.fixedFlags ?? PF_R
      seg.align = 8n
      continue
    }
    const s0 = seg.sections[0]
    if (!s0) continue
    seg.offset = offsets.get(s0) ?? 0n
    seg.vaddr = s0.vma
    seg.paddr = seg.fixedPaddr ?? s0.lma
    const end = seg.sections.at(-1)!
    seg.filesz = (offsets.get(end) ?? 0n) + (end.type === SHT_NOBITS ? 0n : end.size) - seg.offset
    seg.memsz = seg.type === PT_RISCV_ATTRIBUTES ? 0n : end.vma + end.size - s0.vma
    seg.flags = seg.fixedFlags ?? PF_R
    if (seg.type === PT_NOTE) seg.align = seg.sections.reduce((a, x) => (x.align > a ? x.align : a), 1n)
  }
  return off
}
