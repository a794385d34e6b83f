/**
 * `.eh_frame` editing as BFD does it for every link (elf-eh-frame.c: _bfd_elf_parse_eh_frame,
 * _bfd_elf_discard_section_eh_frame, _bfd_elf_write_section_eh_frame; elflink.c
 * bfd_elf_discard_info): gcc and rustc emit one CIE per object and an FDE per function, and ld
 * drops the FDEs of discarded functions, drops CIEs no kept FDE uses, merges identical CIEs
 * across objects, trims the trailing DW_CFA_nop padding of every record (keeping 4-byte records,
 * or the FDE pointer width), pads every input section but the last out to the output section's
 * alignment inside its last record, and rewrites each record's length and each FDE's CIE pointer.
 * Without this a C or Rust kernel's `.eh_frame` — and everything after it — would differ from ld's.
 */
import type { ObjectFile, Reloc } from '../object'
import type { InSec, OutSec } from './input'

/** A CIE pointer that names a CIE merged into another input section: written once addresses are known. */
export interface CiePointerFixup {
  /** Offset of the pointer field within `sec`. */
  at: number
  sec: InSec
  cieSec: InSec
  cieAt: number
}

interface Entry {
  offset: number
  /** Bytes after trimming the trailing DW_CFA_nop padding (4 for a zero terminator). */
  size: number
  cie: boolean
  /** FDE: index of its CIE among `entries`. */
  cieIndex: number
  /** CIE: the FDE pointer encoding from its 'R' augmentation (DW_EH_PE_absptr when absent). */
  fdeEncoding: number
  removed: boolean
  newOffset: number
  /** CIE merged into an earlier one: where that one lives. */
  mergedWith?: { sec: EhSection; entry: number }
}

interface EhSection {
  sec: InSec
  entries: Entry[]
}

const DW_EH_PE_omit = 0xff
const DW_CFA_nop = 0
const DW_CFA_set_loc = 0x01

const u32 = (d: Uint8Array, o: number) => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0

function uleb(d: Uint8Array, o: { at: number }, end: number): number | undefined {
  let v = 0
  let shift = 0
  for (;;) {
    if (o.at >= end) return undefined
    const b = d[o.at++]
    v += (b & 0x7f) * 2 ** shift
    shift += 7
    if (!(b & 0x80)) return v
  }
}

/** Width in bytes of a DW_EH_PE pointer encoding (0 when variable or unknown). */
function encodingWidth(enc: number, ptrSize: number): number {
  if ((enc & 0x60) === 0x60) return 0
  switch (enc & 7) {
    case 0: return ptrSize
    case 2: return 2
    case 3: return 4
    case 4: return 8
    default: return 0
  }
}

/** elf-eh-frame.c skip_cfa_op: the length of one CFA instruction, or undefined when not understood. */
function skipCfaOp(d: Uint8Array, o: { at: number }, end: number, ptrWidth: number): boolean {
  if (o.at >= end) return false
  const op = d[o.at++]
  const hi = op & 0xc0
  const code = hi ? hi : op
  const leb = () => uleb(d, o, end) !== undefined
  switch (code) {
    case 0x00: case 0x40: case 0xc0: case 0x0a: case 0x0b: case 0x2d: return true
    case 0x80: case 0x06: case 0x07: case 0x08: case 0x0d: case 0x0e: case 0x13: case 0x2e: return leb()
    case 0x14: case 0x15: case 0x05: case 0x09: case 0x0c: case 0x11: case 0x2f: case 0x12: return leb() && leb()
    case 0x0f: {
      const n = uleb(d, o, end)
      if (n === undefined || o.at + n > end) return false
      o.at += n
      return true
    }
    case 0x10: case 0x16: {
      if (!leb()) return false
      const n = uleb(d, o, end)
      if (n === undefined || o.at + n > end) return false
      o.at += n
      return true
    }
    case DW_CFA_set_loc: o.at += ptrWidth; return o.at <= end
    case 0x02: o.at += 1; return o.at <= end
    case 0x03: o.at += 2; return o.at <= end
    case 0x04: o.at += 4; return o.at <= end
    case 0x1d: o.at += 8; return o.at <= end
    default: return false
  }
}

/** The end of the last non-nop CFA instruction in [start, end), or undefined when not understood. */
function insnsEnd(d: Uint8Array, start: number, end: number, ptrWidth: number): number | undefined {
  const o = { at: start }
  let last = start
  while (o.at < end) {
    if (d[o.at] === DW_CFA_nop) { o.at++; continue }
    if (!skipCfaOp(d, o, end, ptrWidth)) return undefined
    last = o.at
  }
  return last
}

/** Parses one input `.eh_frame`; undefined when it is not understood (ld then leaves it as it is). */
function parse(sec: InSec, ptrSize: number): Entry[] | undefined {
  const d = sec.data
  const entries: Entry[] = []
  const cieAt = new Map<number, number>()
  let at = 0
  while (at < d.length) {
    if (at + 4 > d.length) return undefined
    const length = u32(d, at)
    if (length === 0xffffffff) return undefined
    if (length === 0) {
      entries.push({ offset: at, size: 4, cie: false, cieIndex: -1, fdeEncoding: 0, removed: false, newOffset: 0 })
      at += 4
      continue
    }
    const end = at + 4 + length
    if (end > d.length) return undefined
    const id = u32(d, at + 4)
    const e: Entry = { offset: at, size: 4 + length, cie: id === 0, cieIndex: -1, fdeEncoding: 0, removed: true, newOffset: 0 }
    let insns: number
    if (e.cie) {
      const o = { at: at + 8 }
      const version = d[o.at++]
      if (version !== 1 && version !== 3 && version !== 4) return undefined
      let aug = ''
      while (o.at < end && d[o.at] !== 0) aug += String.fromCharCode(d[o.at++])
      o.at++
      if (aug.startsWith('eh')) return undefined
      if (version >= 4) o.at += 2
      if (uleb(d, o, end) === undefined || uleb(d, o, end) === undefined) return undefined
      if (version === 1) o.at++
      else if (uleb(d, o, end) === undefined) return undefined
      let fdeEnc = DW_EH_PE_omit
      if (aug.startsWith('z')) {
        const augLen = uleb(d, o, end)
        if (augLen === undefined) return undefined
        const augEnd = o.at + augLen
        for (const ch of aug.slice(1)) {
          if (ch === 'R') fdeEnc = d[o.at++]
          else if (ch === 'L') o.at++
          else if (ch === 'P') {
            const enc = d[o.at++]
            const w = encodingWidth(enc, ptrSize)
            if (!w) return undefined
            if ((enc & 0x70) === 0x50) o.at += -o.at & (w - 1)
            o.at += w
          } else if (ch !== 'S' && ch !== 'B') return undefined
        }
        o.at = augEnd
      } else if (aug !== '') return undefined
      e.fdeEncoding = fdeEnc === DW_EH_PE_omit ? 0 : fdeEnc
      cieAt.set(at, entries.length)
      insns = o.at
      const w = encodingWidth(e.fdeEncoding, ptrSize)
      const last = insnsEnd(d, insns, end, w)
      if (last === undefined) return undefined
      e.size -= end - last
    } else {
      const ci = cieAt.get(at + 4 - id)
      if (ci === undefined) return undefined
      e.cieIndex = ci
      const cie = entries[ci]
      const w = encodingWidth(cie.fdeEncoding, ptrSize)
      if (!w) return undefined
      const o = { at: at + 8 + 2 * w }
      const cieAug = augmentationOf(d, cie.offset)
      if (cieAug.startsWith('z')) {
        const n = uleb(d, o, end)
        if (n === undefined) return undefined
        o.at += n
      }
      insns = o.at
      const last = insnsEnd(d, insns, end, w)
      if (last === undefined) return undefined
      e.size -= end - last
    }
    entries.push(e)
    at = end
  }
  return entries
}

function augmentationOf(d: Uint8Array, cieOffset: number): string {
  let s = ''
  for (let o = cieOffset + 9; o < d.length && d[o] !== 0; o++) s += String.fromCharCode(d[o])
  return s
}

/**
 * Edits the `.eh_frame` inputs of `out` (the output section named `.eh_frame`) in place: their
 * data, size and relocations become what ld writes. `deleted(reloc)` says whether an FDE's
 * pc_begin relocation points into a discarded or garbage-collected section. Returns the CIE
 * pointers that cross input sections, to be written after layout.
 */
export function editEhFrame(out: OutSec, objects: ObjectFile[], ptrSize: number, deleted: (sec: InSec, r: Reloc) => boolean): CiePointerFixup[] {
  const inputs = out.inputs.filter((i) => i.name === '.eh_frame' && i.data.length > 0)
  const parsed: EhSection[] = []
  for (const sec of inputs) {
    const entries = parse(sec, ptrSize)
    if (entries) parsed.push({ sec, entries })
  }
  // CIEs merge across inputs by their (trimmed) bytes and personality relocation.
  const cieKeys = new Map<string, { sec: EhSection; entry: number }>()
  const relocsIn = (s: EhSection, e: Entry) => s.sec.relocs.filter((r) => r.offset >= e.offset && r.offset < e.offset + e.size)
  const keepCie = (s: EhSection, ci: number): void => {
    const cie = s.entries[ci]
    if (!cie.removed || cie.mergedWith) return
    const bytes = Buffer.from(s.sec.data.subarray(cie.offset + 4, cie.offset + cie.size)).toString('hex')
    const obj = objects[s.sec.obj]
    const pers = relocsIn(s, cie).map((r) => {
      const sym = obj.symbols[r.symbol]
      return `${r.type}:${sym && sym.bind !== 'local' ? sym.name : `${s.sec.obj}#${r.symbol}`}:${r.addend}`
    }).join(',')
    const key = `${cie.size}|${bytes}|${pers}`
    const hit = cieKeys.get(key)
    if (hit) {
      cie.mergedWith = hit
      return
    }
    cie.removed = false
    cieKeys.set(key, { sec: s, entry: ci })
  }
  const lastWithData = parsed.length - 1
  parsed.forEach((s, si) => {
    for (const e of s.entries) {
      if (e.size === 4) {
        // Only the last input's zero terminator stays (crtend.o's, in a hosted link).
        e.removed = si !== lastWithData
        continue
      }
      if (e.cie) continue
      const pcBegin = s.sec.relocs.find((r) => r.offset === e.offset + 8)
      const cie = s.entries[e.cieIndex]
      const w = encodingWidth(cie.fdeEncoding, ptrSize)
      // A zero address range with nothing to relocate describes no code (elf-eh-frame.c).
      const rangeBytes = s.sec.data.subarray(e.offset + 8 + w, e.offset + 8 + 2 * w)
      if (!pcBegin && rangeBytes.every((b) => b === 0)) continue
      if (pcBegin && deleted(s.sec, pcBegin)) continue
      e.removed = false
      keepCie(s, e.cieIndex)
    }
  })
  // New offsets: 4-byte records, FDEs aligned to their pointer width.
  const fixups: CiePointerFixup[] = []
  const sizes = parsed.map((s) => {
    let offset = 0
    for (const e of s.entries) {
      if (e.removed) continue
      const align = e.size === 4 || e.cie ? 4 : Math.max(4, encodingWidth(s.entries[e.cieIndex].fdeEncoding, ptrSize))
      offset = (offset + align - 1) & -align
      e.newOffset = offset
      offset += e.size
    }
    return (offset + 3) & -4
  })
  // bfd_elf_discard_info: every input but the last non-empty one pads out to the output alignment.
  let lastNonEmpty = -1
  for (let i = parsed.length - 1; i >= 0; i--) if (sizes[i] > 4) { lastNonEmpty = i; break }
  const outAlign = Number(out.inputs.reduce((a, x) => (x.align > a ? x.align : a), 1n))
  for (let i = 0; i < lastNonEmpty; i++) if (sizes[i] > 0) sizes[i] = (sizes[i] + outAlign - 1) & -outAlign
  parsed.forEach((s, si) => {
    const size = sizes[si]
    const data = new Uint8Array(size)
    const relocs: Reloc[] = []
    const kept = s.entries.filter((e) => !e.removed)
    kept.forEach((e, k) => {
      data.set(s.sec.data.subarray(e.offset, e.offset + e.size), e.newOffset)
      if (e.size === 4) return
      const next = k + 1 < kept.length ? kept[k + 1].newOffset : size
      writeU32(data, e.newOffset, next - e.newOffset - 4)
      if (!e.cie) {
        const cie = s.entries[e.cieIndex]
        const target = cie.mergedWith
        if (target && target.sec !== s) fixups.push({ at: e.newOffset + 4, sec: s.sec, cieSec: target.sec.sec, cieAt: target.sec.entries[target.entry].newOffset })
        else {
          const cieNew = target ? s.entries[target.entry].newOffset : cie.newOffset
          writeU32(data, e.newOffset + 4, e.newOffset + 4 - cieNew)
        }
      }
      for (const r of relocsIn(s, e)) relocs.push({ ...r, offset: r.offset - e.offset + e.newOffset })
    })
    s.sec.data = data
    s.sec.size = BigInt(size)
    s.sec.relocs = relocs
  })
  // An input left empty is excluded (SEC_EXCLUDE): it must not even align the output section.
  const empty = new Set(parsed.filter((s, si) => sizes[si] === 0).map((s) => s.sec))
  if (empty.size) {
    out.inputs = out.inputs.filter((i) => !empty.has(i))
    for (const [k, list] of out.groups) out.groups.set(k, list.filter((i) => !empty.has(i)))
  }
  return fixups
}

function writeU32(d: Uint8Array, o: number, v: number): void {
  d[o] = v & 0xff
  d[o + 1] = (v >>> 8) & 0xff
  d[o + 2] = (v >>> 16) & 0xff
  d[o + 3] = (v >>> 24) & 0xff
}

/** Writes the cross-section CIE pointers once both input sections have their output offsets. */
export function applyCieFixups(fixups: CiePointerFixup[], buf: Uint8Array, out: OutSec): void {
  for (const f of fixups) {
    if (f.sec.out !== out || f.cieSec.out !== out) continue
    const at = Number(f.sec.offset) + f.at
    const value = at - (Number(f.cieSec.offset) + f.cieAt)
    writeU32(buf, at, value)
  }
}
