/**
 * A minimal ELF64 little-endian parse (header, program headers, section names, symbols) used only
 * when `shared/elf/reader.ts` refuses a file that loaders accept: today that reader rejects every
 * GNU-ld RISC-V executable, because its `PT_RISCV_ATTRIBUTES` header has p_filesz > p_memsz = 0,
 * which the gABI allows for segments that are not loaded. Delete this once the reader checks
 * that rule for PT_LOAD only. Returns undefined on anything malformed (the reader's error stands).
 */
import type { ElfFile, ElfSection, ElfSegment, ElfSymbol } from '../../../shared/elf/reader'

export function parseElfFallback(bytes: Uint8Array): ElfFile | undefined {
  try {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (v.getUint32(0, false) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) return undefined
    const u16 = (o: number) => v.getUint16(o, true)
    const u32 = (o: number) => v.getUint32(o, true)
    const u64 = (o: number) => v.getBigUint64(o, true)
    const header = {
      type: u16(16), machine: u16(18), version: u32(20), entry: u64(24), phoff: Number(u64(32)), shoff: Number(u64(40)),
      flags: u32(48), phentsize: u16(54), phnum: u16(56), shentsize: u16(58), shnum: u16(60), shstrndx: u16(62), osabi: bytes[7],
    }
    const segments: ElfSegment[] = []
    for (let i = 0; i < header.phnum; i++) {
      const o = header.phoff + i * 56
      const seg: ElfSegment = {
        index: i, type: u32(o), flags: u32(o + 4), offset: Number(u64(o + 8)), vaddr: u64(o + 16), paddr: u64(o + 24),
        filesz: Number(u64(o + 32)), memsz: u64(o + 40), align: u64(o + 48),
      }
      if (seg.type === 1 && (BigInt(seg.filesz) > seg.memsz || seg.offset + seg.filesz > bytes.length)) return undefined
      segments.push(seg)
    }
    const raw: (ElfSection & { nameOff: number })[] = []
    for (let i = 0; i < header.shnum; i++) {
      const o = header.shoff + i * 64
      const type = u32(o + 4)
      const offset = Number(u64(o + 24))
      const size = Number(u64(o + 32))
      raw.push({
        index: i, nameOff: u32(o), name: '', type, flags: Number(u64(o + 8) & 0xffff_ffffn), addr: u64(o + 16), offset, size,
        link: u32(o + 40), info: u32(o + 44), addralign: Number(u64(o + 48)), entsize: Number(u64(o + 56)),
        data: type === 8 || type === 0 ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
      })
    }
    const cstr = (data: Uint8Array, at: number) => {
      let end = at
      while (end < data.length && data[end] !== 0) end++
      return new TextDecoder().decode(data.subarray(at, end))
    }
    const shstr = raw[header.shstrndx]
    if (shstr) for (const s of raw) s.name = cstr(shstr.data, s.nameOff)
    const sections: ElfSection[] = raw.map(({ nameOff: _n, ...s }) => s)
    const symbols: ElfSymbol[] = []
    const symtab = sections.find((s) => s.type === 2)
    const strtab = symtab && sections[symtab.link]
    if (symtab && strtab) {
      for (let i = 0; i < Math.floor(symtab.size / 24); i++) {
        const o = symtab.offset + i * 24
        const info = bytes[o + 4]
        symbols.push({ index: i, name: cstr(strtab.data, u32(o)), value: u64(o + 8), size: u64(o + 16), bind: info >> 4, type: info & 0xf, visibility: bytes[o + 5] & 3, shndx: u16(o + 6) })
      }
    }
    return { header, segments, sections, symbols, bytes }
  } catch {
    return undefined
  }
}
