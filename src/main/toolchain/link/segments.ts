/**
 * Program headers and file offsets. Without PHDRS this follows BFD's
 * `_bfd_elf_map_sections_to_segments` for a static executable: allocated sections sorted by LMA,
 * a new PT_LOAD when the VMA-LMA delta changes, when a page would be skipped, after a NOBITS
 * section, when a writable section starts on a fresh page after read-only ones, and — with `-z
 * separate-code`, x86 ld's default — when code and non-code meet on a fresh page. The ELF and
 * program headers ride in the first PT_LOAD when they fit below it on its page (or the script
 * asked for SIZEOF_HEADERS); with separate-code and code first they get a read-only PT_LOAD of
 * their own. File offsets are congruent to addresses modulo the page size, as a demand-paged
 * loader needs; with `ld -n` (nmagic) the file is not demand paged: one segment runs across page
 * boundaries and only the sections' own alignment is kept in the file.
 */
import {
  PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD, PT_NOTE, PT_PHDR, PT_RISCV_ATTRIBUTES, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_NOTE, type ElfClassSizes,
} from '../../../shared/elf/constants'
import type { OutSec } from './input'
import { MAX_PAGE_SIZE_BYTES } from './layout'
import type { SegmentRules } from './targets/target'

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
  /** A PT_LOAD holding only the headers (separate-code): its p_vaddr. */
  headersVaddr?: bigint
  name?: string
}

/** How the default segment map is made: the target's rules and what the headers need. */
export interface SegmentMapOptions {
  rules: SegmentRules
  sizes: ElfClassSizes
  /** The script used SIZEOF_HEADERS: ld then tries to load the headers (BFD's `load_phdrs`). */
  loadPhdrs: boolean
  /** PT_GNU_STACK p_flags, or undefined for no such header. */
  stackFlags?: number
  stackAlign: bigint
}

const PAGE = MAX_PAGE_SIZE_BYTES
const alignDown = (v: bigint, a: bigint) => v - (v % a)
const alignUp = (v: bigint, a: bigint) => (a <= 1n ? v : (v + a - 1n) / a * a)
const pageOf = (v: bigint) => v & ~(PAGE - 1n)

export function headersSize(nPhdrs: number, sizes: ElfClassSizes): bigint {
  return BigInt(sizes.ehdr) + BigInt(sizes.phdr) * BigInt(nPhdrs)
}

function newSeg(type: number, sections: OutSec[]): Segment {
  return { type, flags: 0, offset: 0n, vaddr: 0n, paddr: 0n, filesz: 0n, memsz: 0n, align: type === PT_LOAD ? PAGE : 1n, sections, includesHeaders: false }
}

/** Default segment map (no PHDRS). `attributes` adds PT_RISCV_ATTRIBUTES first, like BFD's RISC-V backend. */
export function mapSegments(alloc: OutSec[], attributes: OutSec | undefined, opts: SegmentMapOptions): Segment[] {
  const paged = !opts.rules.nmagic
  // Empty sections belong to no segment.
  const secs = alloc.filter((s) => s.size > 0n).sort((a, b) => (a.lma < b.lma ? -1 : a.lma > b.lma ? 1 : 0) || (a.vma < b.vma ? -1 : a.vma > b.vma ? 1 : 0) ||
    (a.type === SHT_NOBITS ? 1 : 0) - (b.type === SHT_NOBITS ? 1 : 0))
  const loads: Segment[] = []
  let cur: Segment | undefined
  let last: OutSec | undefined
  let writable = false
  let executable = false
  for (const s of secs) {
    const code = (s.flags & SHF_EXECINSTR) !== 0
    let fresh = false
    if (!last || !cur) fresh = true
    else if (last.lma - last.vma !== s.lma - s.vma) fresh = true
    else if (s.lma < last.lma + last.size) fresh = true
    else if (paged && pageOf(last.lma + last.size - 1n) === pageOf(s.lma)) fresh = false
    else if (alignUp(last.lma + last.size, PAGE) + PAGE <= s.lma) fresh = true
    else if (last.type === SHT_NOBITS && s.type !== SHT_NOBITS) {
      // Loading bytes after a NOBITS section would force the NOBITS one into the file.
      fresh = true
    } else if (!paged) fresh = false
    else if (opts.rules.separateCode && executable !== code) fresh = true
    else if (!writable && (s.flags & SHF_WRITE) !== 0) fresh = true
    if (fresh) {
      cur = newSeg(PT_LOAD, [])
      loads.push(cur)
      writable = false
      executable = false
    }
    cur!.sections.push(s)
    if (s.flags & SHF_WRITE) writable = true
    if (code) executable = true
    last = s
  }
  const others: Segment[] = []
  // Allocated notes also get a PT_NOTE (after the loads, as ld orders them).
  const notes = secs.filter((s) => s.type === SHT_NOTE)
  if (notes.length) others.push(newSeg(PT_NOTE, notes))
  if (opts.stackFlags !== undefined) {
    const stack = newSeg(PT_GNU_STACK, [])
    stack.flags = opts.stackFlags
    stack.align = opts.stackAlign
    others.push(stack)
  }
  const lead: Segment[] = attributes ? [newSeg(PT_RISCV_ATTRIBUTES, [attributes])] : []
  if (paged && secs.length) placeHeaders(secs[0], loads, lead.length + loads.length + others.length, opts)
  return [...lead, ...loads, ...others]
}

/**
 * Where the ELF and program headers go (elf.c, "Deal with -Ttext or something similar"): into the
 * first PT_LOAD when they fit below its first section, or into a read-only PT_LOAD of their own
 * when separate-code keeps them out of a code segment; nowhere when neither works.
 */
function placeHeaders(first: OutSec, loads: Segment[], count: number, opts: SegmentMapOptions): void {
  const separate = opts.rules.separateCode && (first.flags & SHF_EXECINSTR) !== 0
  // The headers-only segment, if there is one, is one more program header.
  const hdr = headersSize(count + (separate ? 1 : 0), opts.sizes)
  const inPage = first.lma % PAGE
  if (!opts.loadPhdrs && !(inPage >= hdr && first.lma >= hdr)) return
  let phdrLma = alignDown(first.lma - hdr, PAGE)
  let ownSegment = separate
  if (ownSegment && pageOf(phdrLma + hdr - 1n) === pageOf(first.lma)) {
    // On the first section's page: one page down, if there is one.
    if (phdrLma >= PAGE) phdrLma -= PAGE
    else ownSegment = false
  }
  if (first.lma < phdrLma || first.lma < hdr) return
  if (ownSegment) {
    const seg = newSeg(PT_LOAD, [])
    seg.includesHeaders = true
    seg.fixedPaddr = phdrLma
    seg.headersVaddr = alignDown(first.vma - hdr, PAGE)
    loads.unshift(seg)
    return
  }
  loads[0].includesHeaders = true
}

/**
 * Sets each segment's addresses and sizes and every section's file offset. `outsInOrder` is the
 * section header order (allocated and not); returns the offset where non-section data may start.
 */
export function assignOffsets(segs: Segment[], outsInOrder: OutSec[], offsets: Map<OutSec, bigint>, defaultMap: boolean, opts: { sizes: ElfClassSizes; nmagic: boolean }): bigint {
  const hdr = headersSize(segs.length, opts.sizes)
  let off = hdr
  const loads = segs.filter((s) => s.type === PT_LOAD)
  for (const seg of loads) {
    if (seg.sections.length === 0 && !seg.includesHeaders) continue
    const s0 = seg.sections[0]
    const offBefore = off
    // Demand paging keeps offsets congruent to addresses modulo the page; nmagic only to the sections' alignment.
    const align = opts.nmagic ? seg.sections.reduce((a, x) => (x.align > a ? x.align : a), 1n) : PAGE
    if (opts.nmagic && seg.fixedPaddr === undefined) seg.align = align
    if (seg.includesHeaders) {
      if (seg.headersVaddr !== undefined) {
        seg.vaddr = seg.headersVaddr
        seg.paddr = seg.fixedPaddr ?? seg.headersVaddr
      } else if (defaultMap) {
        seg.vaddr = alignDown(s0.vma - hdr, PAGE)
        seg.paddr = alignDown(s0.lma - hdr, PAGE)
      } else {
        seg.vaddr = s0 ? s0.vma - hdr : 0n
        seg.paddr = s0 ? s0.lma - hdr : 0n
      }
      seg.offset = 0n
    } else {
      seg.vaddr = s0.vma
      seg.paddr = s0.lma
      off += ((s0.vma - off) % align + align) % align
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
      seg.offset = seg.vaddr % align
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
    if (seg.type === PT_LOAD || seg.type === PT_GNU_STACK) continue
    if (seg.type === PT_PHDR) {
      // The program header table itself, as mapped by the PT_LOAD that carries the headers.
      const carrier = loads.find((l) => l.includesHeaders)
      const ehdr = BigInt(opts.sizes.ehdr)
      seg.offset = ehdr
      seg.vaddr = (carrier?.vaddr ?? 0n) + ehdr
      seg.paddr = (carrier?.paddr ?? 0n) + ehdr
      seg.filesz = BigInt(opts.sizes.phdr) * BigInt(segs.length)
      seg.memsz = seg.filesz
      seg.flags = seg.fixedFlags ?? PF_R
      seg.align = BigInt(opts.sizes.word)
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
