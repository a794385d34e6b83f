/**
 * A reader for little-endian ELF files, both classes: ELF64 (RISC-V and x86-64 kernels and
 * objects) and ELF32 (i386 kernels, which QEMU's and GRUB's Multiboot loaders want, and the
 * objects `as --32`, `nasm -felf32` and `gcc -m32` write). It reads the file header, program
 * headers, section headers and the symbol table into one class-neutral shape (addresses as
 * bigint), so nothing downstream cares which class it got. The emulators' loaders use it to place
 * segments, the timeline to name addresses, and `read-relocatable.ts` to turn a GNU `.o` into an
 * `ObjectFile`. Users hand us kernels built by gcc or rustc, so anything malformed comes back as
 * an error value naming what is wrong and at which file offset — never an exception.
 */
import type { ApiError, Result } from '../api/result'
import {
  SHN_ABS, ELFCLASS32, ELFCLASS64, ELFDATA2LSB, PT_LOAD, SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS, SHT_NULL, SHT_RELA, SHT_SYMTAB,
  classSizes, type ElfClassSizes,
} from './constants'

export interface ElfHeader {
  /** EI_CLASS: ELFCLASS32 (1) or ELFCLASS64 (2). */
  class: number
  /** e_type: ET_REL, ET_EXEC, ET_DYN … */
  type: number
  machine: number
  version: number
  entry: bigint
  phoff: number
  shoff: number
  flags: number
  phentsize: number
  phnum: number
  shentsize: number
  shnum: number
  shstrndx: number
  osabi: number
}

export interface ElfSegment {
  index: number
  type: number
  flags: number
  offset: number
  vaddr: bigint
  paddr: bigint
  filesz: number
  memsz: bigint
  align: bigint
}

export interface ElfSection {
  index: number
  name: string
  type: number
  flags: number
  addr: bigint
  offset: number
  size: number
  link: number
  info: number
  addralign: number
  entsize: number
  /** The section's bytes (a view into the file); empty for SHT_NOBITS and SHT_NULL. */
  data: Uint8Array
}

export interface ElfSymbol {
  /** Index in the symbol table (0 is the null symbol, which is included). */
  index: number
  name: string
  value: bigint
  size: bigint
  /** STB_* */
  bind: number
  /** STT_* */
  type: number
  /** STV_* (st_other & 3) */
  visibility: number
  /** st_shndx (SHN_UNDEF, SHN_ABS, SHN_COMMON or a section index). */
  shndx: number
}

export interface ElfFile {
  header: ElfHeader
  segments: ElfSegment[]
  sections: ElfSection[]
  /** The `.symtab` entries, or [] when the file is stripped. */
  symbols: ElfSymbol[]
  bytes: Uint8Array
}

export interface ReadElfOptions {
  /** Name used in error messages (the file the bytes came from). */
  file?: string
}

/** Thrown only inside this module and turned into a Result at the boundary. */
class ElfFormatError extends Error {
  constructor(readonly code: string, message: string, readonly offset: number, readonly hint?: string) {
    super(message)
  }
}

/** Bounds-checked little-endian reads over the file bytes. */
class Cursor {
  private readonly view: DataView
  /** Record sizes of the file's class; set once the identification bytes are read. */
  sizes: ElfClassSizes = classSizes(ELFCLASS64)
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  get is32(): boolean {
    return this.sizes.word === 4
  }
  need(offset: number, size: number, what: string): void {
    if (offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw new ElfFormatError(
        'elf.truncated',
        `${what} at offset 0x${offset.toString(16)} (${size} bytes) runs past the end of the file (${this.bytes.length} bytes)`,
        offset,
        'the file is truncated or a header field points outside it; was it copied completely?',
      )
    }
  }
  u8(o: number): number { return this.view.getUint8(o) }
  u16(o: number): number { return this.view.getUint16(o, true) }
  u32(o: number): number { return this.view.getUint32(o, true) }
  u64(o: number): bigint { return this.view.getBigUint64(o, true) }
  /** An Elf32_Addr/Elf64_Addr (or Xword) field, by the file's class. */
  addr(o: number): bigint { return this.is32 ? BigInt(this.u32(o)) : this.u64(o) }
  /** A size or offset (Elf32_Off/Elf64_Off) that must fit in the file, as a number. */
  off(o: number, what: string): number {
    const v = this.addr(o)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfFormatError('elf.bad_offset', `${what} (0x${v.toString(16)}) at offset 0x${o.toString(16)} is impossibly large`, o,
        'the header is corrupt')
    }
    return Number(v)
  }
}

/** Field offsets in Elf32_Ehdr and Elf64_Ehdr (gABI "ELF Header"). */
const EHDR_FIELDS = {
  32: { entry: 24, phoff: 28, shoff: 32, flags: 36, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 },
  64: { entry: 24, phoff: 32, shoff: 40, flags: 48, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 },
} as const

function readHeader(c: Cursor): ElfHeader {
  const b = c.bytes
  if (b.length < 16 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw new ElfFormatError('elf.bad_magic', 'not an ELF file: the first four bytes are not 0x7f "ELF"', 0,
      'pass an ELF file (a kernel linked by ld/lld, or a .o from as/gcc/nasm), not a raw binary or a text file')
  }
  if (b[4] !== ELFCLASS64 && b[4] !== ELFCLASS32) {
    throw new ElfFormatError('elf.unsupported_class', `ELF class ${b[4]} is neither ELFCLASS32 (1) nor ELFCLASS64 (2)`, 4,
      'the identification bytes are corrupt')
  }
  if (b[5] !== ELFDATA2LSB) {
    throw new ElfFormatError('elf.unsupported_data', `ELF data encoding ${b[5]} is not little-endian (ELFDATA2LSB = 1)`, 5,
      'RISC-V and x86 kernels are little-endian; check the target you built for')
  }
  c.sizes = classSizes(b[4])
  const f = EHDR_FIELDS[c.is32 ? 32 : 64]
  c.need(0, c.sizes.ehdr, 'the ELF header')
  const h: ElfHeader = {
    class: b[4],
    osabi: c.u8(7),
    type: c.u16(16),
    machine: c.u16(18),
    version: c.u32(20),
    entry: c.addr(f.entry),
    phoff: c.off(f.phoff, 'e_phoff'),
    shoff: c.off(f.shoff, 'e_shoff'),
    flags: c.u32(f.flags),
    phentsize: c.u16(f.phentsize),
    phnum: c.u16(f.phnum),
    shentsize: c.u16(f.shentsize),
    shnum: c.u16(f.shnum),
    shstrndx: c.u16(f.shstrndx),
  }
  const cls = c.is32 ? 'ELF32' : 'ELF64'
  if (h.phnum > 0 && h.phentsize !== c.sizes.phdr) {
    throw new ElfFormatError('elf.bad_phentsize', `e_phentsize is ${h.phentsize}, expected ${c.sizes.phdr} for ${cls}`, f.phentsize, 'the header is corrupt')
  }
  if ((h.shnum > 0 || h.shoff !== 0) && h.shentsize !== c.sizes.shdr) {
    throw new ElfFormatError('elf.bad_shentsize', `e_shentsize is ${h.shentsize}, expected ${c.sizes.shdr} for ${cls}`, f.shentsize, 'the header is corrupt')
  }
  return h
}

/** Field offsets in Elf32_Phdr and Elf64_Phdr: p_flags moves after p_memsz in ELF32. */
const PHDR_FIELDS = {
  32: { type: 0, offset: 4, vaddr: 8, paddr: 12, filesz: 16, memsz: 20, flags: 24, align: 28 },
  64: { type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, align: 48 },
} as const

function readSegments(c: Cursor, h: ElfHeader): ElfSegment[] {
  if (h.phnum === 0) return []
  const size = c.sizes.phdr
  const f = PHDR_FIELDS[c.is32 ? 32 : 64]
  c.need(h.phoff, h.phnum * size, 'the program header table')
  const out: ElfSegment[] = []
  for (let i = 0; i < h.phnum; i++) {
    const o = h.phoff + i * size
    const seg: ElfSegment = {
      index: i,
      type: c.u32(o + f.type),
      flags: c.u32(o + f.flags),
      offset: c.off(o + f.offset, `p_offset of program header ${i}`),
      vaddr: c.addr(o + f.vaddr),
      paddr: c.addr(o + f.paddr),
      filesz: c.off(o + f.filesz, `p_filesz of program header ${i}`),
      memsz: c.addr(o + f.memsz),
      align: c.addr(o + f.align),
    }
    if (seg.filesz > 0) c.need(seg.offset, seg.filesz, `the contents of program header ${i}`)
    // Only a loadable segment must fit its file bytes in memory; PT_RISCV_ATTRIBUTES has p_memsz 0.
    if (seg.type === PT_LOAD && BigInt(seg.filesz) > seg.memsz) {
      throw new ElfFormatError('elf.bad_segment', `program header ${i} has p_filesz (0x${seg.filesz.toString(16)}) larger than p_memsz (0x${seg.memsz.toString(16)})`,
        o + f.filesz, 'the program header is corrupt')
    }
    out.push(seg)
  }
  return out
}

function cString(bytes: Uint8Array, start: number, end: number): string | undefined {
  let i = start
  while (i < end && bytes[i] !== 0) i++
  if (i >= end) return undefined
  let s = ''
  for (let j = start; j < i; j++) s += String.fromCharCode(bytes[j])
  // Names are ASCII in practice; decode UTF-8 only when needed.
  if (/[\x80-\xff]/.test(s)) s = new TextDecoder().decode(bytes.subarray(start, i))
  return s
}

/** Field offsets in Elf32_Shdr and Elf64_Shdr (gABI "Sections"). */
const SHDR_FIELDS = {
  32: { name: 0, type: 4, flags: 8, addr: 12, offset: 16, size: 20, link: 24, info: 28, addralign: 32, entsize: 36 },
  64: { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 },
} as const

function readSections(c: Cursor, h: ElfHeader): ElfSection[] {
  if (h.shoff === 0) return []
  const size = c.sizes.shdr
  const f = SHDR_FIELDS[c.is32 ? 32 : 64]
  let shnum = h.shnum
  // A file with more than SHN_LORESERVE sections keeps the count in section 0's sh_size (gABI).
  if (shnum === 0) {
    c.need(h.shoff, size, 'section header 0')
    shnum = c.off(h.shoff + f.size, 'the extended section count')
  }
  c.need(h.shoff, shnum * size, 'the section header table')
  const raw: (ElfSection & { nameOff: number })[] = []
  for (let i = 0; i < shnum; i++) {
    const o = h.shoff + i * size
    const type = c.u32(o + f.type)
    const offset = c.off(o + f.offset, `sh_offset of section ${i}`)
    const secSize = c.off(o + f.size, `sh_size of section ${i}`)
    const alignBig = c.addr(o + f.addralign)
    const entBig = c.addr(o + f.entsize)
    if (type !== SHT_NOBITS && type !== SHT_NULL && secSize > 0) c.need(offset, secSize, `the contents of section ${i}`)
    raw.push({
      index: i,
      nameOff: c.u32(o + f.name),
      name: '',
      type,
      flags: Number(c.addr(o + f.flags) & 0xffffffffn),
      addr: c.addr(o + f.addr),
      offset,
      size: secSize,
      link: c.u32(o + f.link),
      info: c.u32(o + f.info),
      addralign: alignBig > 0x40000000n ? 0x40000000 : Number(alignBig),
      entsize: entBig > 0xffffn ? 0xffff : Number(entBig),
      data: type === SHT_NOBITS || type === SHT_NULL ? new Uint8Array(0) : c.bytes.subarray(offset, offset + secSize),
    })
  }
  let shstrndx = h.shstrndx
  if (shstrndx === SHN_XINDEX && raw.length > 0) shstrndx = raw[0].link
  if (shstrndx !== 0) {
    const strtab = raw[shstrndx]
    if (!strtab) {
      throw new ElfFormatError('elf.bad_shstrndx', `e_shstrndx ${shstrndx} names no section (there are ${raw.length})`, 62, 'the header is corrupt')
    }
    for (const s of raw) {
      if (s.nameOff === 0 && s.index === 0) continue
      const name = cString(strtab.data, s.nameOff, strtab.data.length)
      if (name === undefined) {
        throw new ElfFormatError('elf.bad_name', `section ${s.index}'s name offset 0x${s.nameOff.toString(16)} is outside the section-name table`,
          h.shoff + s.index * c.sizes.shdr, 'the section headers or .shstrtab are corrupt')
      }
      s.name = name
    }
  }
  return raw.map(({ nameOff: _n, ...s }) => s)
}

/** Field offsets in Elf32_Sym and Elf64_Sym: ELF64 moves st_info/st_other/st_shndx before the value. */
const SYM_FIELDS = {
  32: { name: 0, value: 4, size: 8, info: 12, other: 13, shndx: 14 },
  64: { name: 0, info: 4, other: 5, shndx: 6, value: 8, size: 16 },
} as const

function readSymbols(c: Cursor, sections: ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB)
  if (!symtab) return []
  const strtab = sections[symtab.link]
  if (!strtab || strtab.type === SHT_NOBITS) {
    throw new ElfFormatError('elf.bad_symtab', `.symtab's sh_link (${symtab.link}) does not name a string table`, symtab.offset,
      'the section headers are corrupt')
  }
  const size = c.sizes.sym
  const f = SYM_FIELDS[c.is32 ? 32 : 64]
  const n = Math.floor(symtab.size / size)
  const out: ElfSymbol[] = []
  for (let i = 0; i < n; i++) {
    const o = symtab.offset + i * size
    const nameOff = c.u32(o + f.name)
    const info = c.u8(o + f.info)
    const name = nameOff === 0 ? '' : cString(strtab.data, nameOff, strtab.data.length)
    if (name === undefined) {
      throw new ElfFormatError('elf.bad_name', `symbol ${i}'s name offset 0x${nameOff.toString(16)} is outside the string table`, o,
        'the symbol table or its string table is corrupt')
    }
    const shndx = c.u16(o + f.shndx)
    if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new ElfFormatError('elf.bad_symbol', `symbol ${i} (${name || 'unnamed'}) is in section ${shndx}, which does not exist`, o + f.shndx,
        'the symbol table is corrupt')
    }
    out.push({
      index: i, name, value: c.addr(o + f.value), size: c.addr(o + f.size), bind: info >> 4, type: info & 0xf, visibility: c.u8(o + f.other) & 3, shndx,
    })
  }
  return out
}

/** Parses a little-endian ELF32 or ELF64 file. Never throws: malformed input is an `elf.*` error value. */
export function readElf(bytes: Uint8Array, opts: ReadElfOptions = {}): Result<ElfFile> {
  try {
    const c = new Cursor(bytes)
    const header = readHeader(c)
    const segments = readSegments(c, header)
    const sections = readSections(c, header)
    const symbols = readSymbols(c, sections)
    return { ok: true, value: { header, segments, sections, symbols, bytes } }
  } catch (e) {
    if (e instanceof ElfFormatError) return { ok: false, error: elfError(e, opts.file) }
    // A RangeError from a DataView means a bounds check is missing above; still a value, not a crash.
    return {
      ok: false,
      error: { code: 'elf.malformed', message: `${opts.file ? opts.file + ': ' : ''}malformed ELF (${(e as Error).message})`, hint: 'the file is corrupt or not an ELF file' },
    }
  }
}

function elfError(e: ElfFormatError, file?: string): ApiError {
  return {
    code: e.code,
    message: `${file ? file + ': ' : ''}${e.message} (at file offset 0x${e.offset.toString(16)})`,
    ...(e.hint ? { hint: e.hint } : {}),
  }
}

/** One entry of an SHT_REL or SHT_RELA section, class-neutral. */
export interface ElfRelocation {
  offset: bigint
  type: number
  /** Symbol-table index (0: no symbol). */
  symbol: number
  /** r_addend for SHT_RELA; undefined for SHT_REL, whose addend is in the patched field. */
  addend?: bigint
}

/**
 * The entries of a relocation section. ELF32 packs r_info as (sym << 8) | type, ELF64 as
 * (sym << 32) | type (gABI "Relocation"). `section` must be SHT_REL or SHT_RELA of `file`; its
 * bounds were checked when the file was read.
 */
export function readRelocations(file: ElfFile, section: ElfSection): ElfRelocation[] {
  const is32 = file.header.class === ELFCLASS32
  const sizes = classSizes(file.header.class)
  const rela = section.type === SHT_RELA
  const entry = rela ? sizes.rela : sizes.rel
  const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength)
  const out: ElfRelocation[] = []
  for (let o = 0; o + entry <= section.data.length; o += entry) {
    if (is32) {
      const info = view.getUint32(o + 4, true)
      out.push({ offset: BigInt(view.getUint32(o, true)), type: info & 0xff, symbol: info >>> 8, ...(rela ? { addend: BigInt(view.getInt32(o + 8, true)) } : {}) })
    } else {
      const info = view.getBigUint64(o + 8, true)
      out.push({ offset: view.getBigUint64(o, true), type: Number(info & 0xffffffffn), symbol: Number(info >> 32n), ...(rela ? { addend: view.getBigInt64(o + 16, true) } : {}) })
    }
  }
  return out
}

/**
 * Whether a symbol names a place in the program (a label, function or object): not undefined or
 * absolute (`BASE_ADDRESS = …`), not a section or file symbol, not a mapping symbol (`$x`) or an
 * assembler-local label (`.L…`).
 */
export function isPlaceSymbol(s: ElfSymbol): boolean {
  return !!s.name && s.shndx !== 0 && s.shndx !== SHN_ABS && s.type !== 3 && s.type !== 4 && !s.name.startsWith('$') && !s.name.startsWith('.L')
}

/**
 * How well a symbol names code at its address, among several there: functions and objects first;
 * boundary markers a linker script defines (`kernel_start`, `text_start`, `bss_end`) last, so
 * `_start+0x20` is shown rather than `kernel_start+0x20`.
 */
function nameScore(s: ElfSymbol): number {
  const typed = s.type === 2 ? 4 : s.type === 1 ? 2 : 0
  const marker = s.name !== '_start' && /(^|_)(start|end|begin)$/.test(s.name) ? -1 : 0
  return typed + marker
}

/** The symbol's name for an address, for the timeline and inspectors: the closest place symbol at or below `addr`. */
export function symbolAt(file: ElfFile, addr: bigint): { symbol: ElfSymbol; offset: bigint } | undefined {
  let best: ElfSymbol | undefined
  for (const s of file.symbols) {
    if (!isPlaceSymbol(s) || s.value > addr) continue
    if (!best || s.value > best.value || (s.value === best.value && nameScore(s) > nameScore(best))) best = s
  }
  return best ? { symbol: best, offset: addr - best.value } : undefined
}
