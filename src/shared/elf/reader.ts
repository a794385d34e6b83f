/**
 * A reader for little-endian ELF64 files (RISC-V first, but nothing here is RISC-V specific):
 * the file header, program headers, section headers and the symbol table. The emulator's loader
 * uses it to place segments, the timeline to name addresses, and `read-relocatable.ts` to turn a
 * GNU `.o` into an `ObjectFile`. Users hand us kernels built by gcc or rustc, so anything malformed
 * comes back as an error value naming what is wrong and at which file offset — never an exception.
 */
import type { ApiError, Result } from '../api/result'
import {
  SHN_ABS,
  EHDR_SIZE_BYTES, ELFCLASS64, ELFDATA2LSB, PHDR_SIZE_BYTES, PT_LOAD, SHDR_SIZE_BYTES, SHN_LORESERVE, SHN_XINDEX,
  SHT_NOBITS, SHT_NULL, SHT_SYMTAB, SYM_SIZE_BYTES,
} from './constants'

export interface ElfHeader {
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
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
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
  /** A 64-bit size or offset that must fit in the file, as a number. */
  off(o: number, what: string): number {
    const v = this.u64(o)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfFormatError('elf.bad_offset', `${what} (0x${v.toString(16)}) at offset 0x${o.toString(16)} is impossibly large`, o,
        'the header is corrupt')
    }
    return Number(v)
  }
}

function readHeader(c: Cursor): ElfHeader {
  const b = c.bytes
  if (b.length < 16 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw new ElfFormatError('elf.bad_magic', 'not an ELF file: the first four bytes are not 0x7f "ELF"', 0,
      'pass an ELF file (a kernel linked by ld/lld, or a .o from as/gcc), not a raw binary or a text file')
  }
  if (b[4] !== ELFCLASS64) {
    throw new ElfFormatError('elf.unsupported_class', `ELF class ${b[4]} is not ELFCLASS64 (2)`, 4,
      b[4] === 1 ? 'this is a 32-bit ELF; build for rv64 (-march=rv64gc, target riscv64gc-unknown-none-elf)' : 'the identification bytes are corrupt')
  }
  if (b[5] !== ELFDATA2LSB) {
    throw new ElfFormatError('elf.unsupported_data', `ELF data encoding ${b[5]} is not little-endian (ELFDATA2LSB = 1)`, 5,
      'RISC-V kernels are little-endian; check the target you built for')
  }
  c.need(0, EHDR_SIZE_BYTES, 'the ELF header')
  const h: ElfHeader = {
    osabi: c.u8(7),
    type: c.u16(16),
    machine: c.u16(18),
    version: c.u32(20),
    entry: c.u64(24),
    phoff: c.off(32, 'e_phoff'),
    shoff: c.off(40, 'e_shoff'),
    flags: c.u32(48),
    phentsize: c.u16(54),
    phnum: c.u16(56),
    shentsize: c.u16(58),
    shnum: c.u16(60),
    shstrndx: c.u16(62),
  }
  if (h.phnum > 0 && h.phentsize !== PHDR_SIZE_BYTES) {
    throw new ElfFormatError('elf.bad_phentsize', `e_phentsize is ${h.phentsize}, expected ${PHDR_SIZE_BYTES} for ELF64`, 54, 'the header is corrupt')
  }
  if ((h.shnum > 0 || h.shoff !== 0) && h.shentsize !== SHDR_SIZE_BYTES) {
    throw new ElfFormatError('elf.bad_shentsize', `e_shentsize is ${h.shentsize}, expected ${SHDR_SIZE_BYTES} for ELF64`, 58, 'the header is corrupt')
  }
  return h
}

function readSegments(c: Cursor, h: ElfHeader): ElfSegment[] {
  if (h.phnum === 0) return []
  c.need(h.phoff, h.phnum * PHDR_SIZE_BYTES, 'the program header table')
  const out: ElfSegment[] = []
  for (let i = 0; i < h.phnum; i++) {
    const o = h.phoff + i * PHDR_SIZE_BYTES
    const seg: ElfSegment = {
      index: i,
      type: c.u32(o),
      flags: c.u32(o + 4),
      offset: c.off(o + 8, `p_offset of program header ${i}`),
      vaddr: c.u64(o + 16),
      paddr: c.u64(o + 24),
      filesz: c.off(o + 32, `p_filesz of program header ${i}`),
      memsz: c.u64(o + 40),
      align: c.u64(o + 48),
    }
    if (seg.filesz > 0) c.need(seg.offset, seg.filesz, `the contents of program header ${i}`)
    // Only a loadable segment must fit its file bytes in memory; PT_RISCV_ATTRIBUTES has p_memsz 0.
    if (seg.type === PT_LOAD && BigInt(seg.filesz) > seg.memsz) {
      throw new ElfFormatError('elf.bad_segment', `program header ${i} has p_filesz (0x${seg.filesz.toString(16)}) larger than p_memsz (0x${seg.memsz.toString(16)})`,
        o + 32, 'the program header is corrupt')
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

function readSections(c: Cursor, h: ElfHeader): ElfSection[] {
  if (h.shoff === 0) return []
  let shnum = h.shnum
  // A file with more than SHN_LORESERVE sections keeps the count in section 0's sh_size (gABI).
  if (shnum === 0) {
    c.need(h.shoff, SHDR_SIZE_BYTES, 'section header 0')
    shnum = c.off(h.shoff + 32, 'the extended section count')
  }
  c.need(h.shoff, shnum * SHDR_SIZE_BYTES, 'the section header table')
  const raw: (ElfSection & { nameOff: number })[] = []
  for (let i = 0; i < shnum; i++) {
    const o = h.shoff + i * SHDR_SIZE_BYTES
    const type = c.u32(o + 4)
    const offset = c.off(o + 24, `sh_offset of section ${i}`)
    const size = c.off(o + 32, `sh_size of section ${i}`)
    const alignBig = c.u64(o + 48)
    const entBig = c.u64(o + 56)
    if (type !== SHT_NOBITS && type !== SHT_NULL && size > 0) c.need(offset, size, `the contents of section ${i}`)
    raw.push({
      index: i,
      nameOff: c.u32(o),
      name: '',
      type,
      flags: Number(c.u64(o + 8) & 0xffffffffn),
      addr: c.u64(o + 16),
      offset,
      size,
      link: c.u32(o + 40),
      info: c.u32(o + 44),
      addralign: alignBig > 0x40000000n ? 0x40000000 : Number(alignBig),
      entsize: entBig > 0xffffn ? 0xffff : Number(entBig),
      data: type === SHT_NOBITS || type === SHT_NULL ? new Uint8Array(0) : c.bytes.subarray(offset, offset + size),
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
          h.shoff + s.index * SHDR_SIZE_BYTES, 'the section headers or .shstrtab are corrupt')
      }
      s.name = name
    }
  }
  return raw.map(({ nameOff: _n, ...s }) => s)
}

function readSymbols(c: Cursor, sections: ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB)
  if (!symtab) return []
  const strtab = sections[symtab.link]
  if (!strtab || strtab.type === SHT_NOBITS) {
    throw new ElfFormatError('elf.bad_symtab', `.symtab's sh_link (${symtab.link}) does not name a string table`, symtab.offset,
      'the section headers are corrupt')
  }
  const n = Math.floor(symtab.size / SYM_SIZE_BYTES)
  const out: ElfSymbol[] = []
  for (let i = 0; i < n; i++) {
    const o = symtab.offset + i * SYM_SIZE_BYTES
    const nameOff = c.u32(o)
    const info = c.u8(o + 4)
    const name = nameOff === 0 ? '' : cString(strtab.data, nameOff, strtab.data.length)
    if (name === undefined) {
      throw new ElfFormatError('elf.bad_name', `symbol ${i}'s name offset 0x${nameOff.toString(16)} is outside the string table`, o,
        'the symbol table or its string table is corrupt')
    }
    const shndx = c.u16(o + 6)
    if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new ElfFormatError('elf.bad_symbol', `symbol ${i} (${name || 'unnamed'}) is in section ${shndx}, which does not exist`, o + 6,
        'the symbol table is corrupt')
    }
    out.push({ index: i, name, value: c.u64(o + 8), size: c.u64(o + 16), bind: info >> 4, type: info & 0xf, visibility: c.u8(o + 5) & 3, shndx })
  }
  return out
}

/** Parses an ELF64 little-endian file. Never throws: malformed input is an `elf.*` error value. */
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
      error: { code: 'elf.malformed', message: `${opts.file ? opts.file + ': ' : ''}malformed ELF (${(e as Error).message})`, hint: 'the file is corrupt or not an ELF64 file' },
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
