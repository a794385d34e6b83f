/**
 * The debug sections of an ELF file, ready to read: `.debug_*` by name, decompressed when the
 * section is SHF_COMPRESSED (gABI "Compressed Sections": an Elf32/Elf64 Chdr, then zlib or zstd
 * data) or an old GNU `.zdebug_*` ("ZLIB" + 8-byte big-endian size). Decompression itself is
 * the caller's (`inflate`): this folder stays pure TypeScript, and Node's zlib does it in main.
 */
import type { ElfFile } from '../elf/reader'
import { ELFCLASS32 } from '../elf/constants'
import { ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD, SHF_COMPRESSED } from './constants'
import { Cursor, DwarfError } from './cursor'

/** The sections the reader uses, by their name without the leading dot. */
export interface DebugSections {
  debug_info?: Uint8Array
  debug_abbrev?: Uint8Array
  debug_line?: Uint8Array
  debug_line_str?: Uint8Array
  debug_str?: Uint8Array
  debug_str_offsets?: Uint8Array
  debug_addr?: Uint8Array
  debug_aranges?: Uint8Array
  debug_ranges?: Uint8Array
  debug_rnglists?: Uint8Array
}

export const DEBUG_SECTION_NAMES = [
  'debug_info', 'debug_abbrev', 'debug_line', 'debug_line_str', 'debug_str', 'debug_str_offsets', 'debug_addr', 'debug_aranges', 'debug_ranges', 'debug_rnglists',
] as const

export interface Decompressors {
  /** zlib stream → bytes (Node: `zlib.inflateSync`). */
  inflate?: (data: Uint8Array) => Uint8Array
  /** zstd frame → bytes, where the platform has it. */
  zstd?: (data: Uint8Array) => Uint8Array
}

/** The debug sections of `elf`; a compressed one with no decompressor for it throws a `DwarfError`. */
export function debugSections(elf: ElfFile, codecs: Decompressors = {}): DebugSections {
  const out: DebugSections = {}
  for (const s of elf.sections) {
    const gnu = s.name.startsWith('.zdebug_')
    const key = (gnu ? s.name.slice(2) : s.name.slice(1)) as keyof DebugSections
    if (!(DEBUG_SECTION_NAMES as readonly string[]).includes(key) || out[key]) continue
    if (s.flags & SHF_COMPRESSED) out[key] = decompressChdr(s.data, s.name, elf.header.class, codecs)
    else if (gnu) out[key] = decompressGnu(s.data, s.name, codecs)
    else out[key] = s.data
  }
  return out
}

function decompressChdr(data: Uint8Array, name: string, elfClass: number, codecs: Decompressors): Uint8Array {
  const c = new Cursor(data, name)
  const type = c.u32()
  let size: number
  if (elfClass === ELFCLASS32) {
    size = c.u32()
    c.u32() // ch_addralign
  } else {
    c.u32() // ch_reserved
    size = c.u64n()
    c.u64() // ch_addralign
  }
  const body = data.subarray(c.pos)
  let out: Uint8Array
  if (type === ELFCOMPRESS_ZLIB) out = need(codecs.inflate, name, 'zlib')(body)
  else if (type === ELFCOMPRESS_ZSTD) out = need(codecs.zstd, name, 'zstd')(body)
  else throw new DwarfError(name, 0, `unknown compression type ${type} (SHF_COMPRESSED)`)
  if (out.length !== size) throw new DwarfError(name, 0, `decompressed to ${out.length} bytes, the header says ${size}`)
  return out
}

function decompressGnu(data: Uint8Array, name: string, codecs: Decompressors): Uint8Array {
  if (data.length < 12 || String.fromCharCode(...data.subarray(0, 4)) !== 'ZLIB') throw new DwarfError(name, 0, 'a .zdebug section without its "ZLIB" header')
  let size = 0
  for (let i = 4; i < 12; i++) size = size * 256 + data[i]
  const out = need(codecs.inflate, name, 'zlib')(data.subarray(12))
  if (out.length !== size) throw new DwarfError(name, 0, `decompressed to ${out.length} bytes, the header says ${size}`)
  return out
}

function need(f: ((d: Uint8Array) => Uint8Array) | undefined, name: string, codec: string): (d: Uint8Array) => Uint8Array {
  if (!f) throw new DwarfError(name, 0, `the section is ${codec}-compressed and no ${codec} decompressor is available here`)
  return f
}
