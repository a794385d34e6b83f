/**
 * Serialises the linked image as an ELF32 or ELF64 ET_EXEC: header, program headers, section
 * contents at the offsets `segments.ts` chose, `.symtab`/`.strtab`/`.shstrtab`, then the section
 * header table — the same order and alignment GNU ld uses, so `readelf` output lines up with ld's.
 * The two classes differ only in field widths and order (gABI "ELF Header", "Program Header",
 * "Sections", "Symbol Table"); one record writer per table takes the class into account.
 */
import * as E from '../../../shared/elf/constants'
import type { Segment } from './segments'

export interface OutSymbol {
  name: string
  value: bigint
  size: bigint
  bind: number
  type: number
  visibility: number
  shndx: number
}

export interface WriteSection {
  name: string
  type: number
  flags: number
  addr: bigint
  offset: bigint
  size: bigint
  align: bigint
  entsize: number
  /** Bytes for non-NOBITS sections. */
  data?: Uint8Array
}

export interface WriteInput {
  /** ELFCLASS32 or ELFCLASS64. */
  elfClass: number
  /** e_machine. */
  machine: number
  entry: bigint
  flags: number
  segments: Segment[]
  sections: WriteSection[]
  /** Locals first (after the null symbol, which is added here). */
  symbols: OutSymbol[]
  firstGlobal: number
  /** Where the section contents end in the file (before symtab). */
  contentEnd: bigint
}

const ENCODER = new TextEncoder()

class StrTab {
  readonly parts: string[] = ['']
  private size = 1
  private readonly index = new Map<string, number>()
  add(s: string): number {
    if (s === '') return 0
    const hit = this.index.get(s)
    if (hit !== undefined) return hit
    const off = this.size
    this.parts.push(s)
    this.index.set(s, off)
    this.size += ENCODER.encode(s).length + 1
    return off
  }
  bytes(): Uint8Array {
    return ENCODER.encode(this.parts.join('\0') + '\0')
  }
}

const alignUp = (v: bigint, a: bigint) => (a <= 1n ? v : (v + a - 1n) / a * a)

export function writeElf(w: WriteInput): Uint8Array {
  const is32 = w.elfClass === E.ELFCLASS32
  const sz = E.classSizes(w.elfClass)
  const word = BigInt(sz.word)
  const strtab = new StrTab()
  const shstrtab = new StrTab()
  const symNames = w.symbols.map((s) => strtab.add(s.name))
  const strBytes = strtab.bytes()
  const shNames = w.sections.map((s) => shstrtab.add(s.name))
  const symtabName = shstrtab.add('.symtab')
  const strtabName = shstrtab.add('.strtab')
  const shstrName = shstrtab.add('.shstrtab')
  const shBytes = shstrtab.bytes()

  const nSyms = w.symbols.length + 1
  const symtabOff = alignUp(w.contentEnd, word)
  const symtabSize = BigInt(nSyms * sz.sym)
  const strtabOff = symtabOff + symtabSize
  const shstrOff = strtabOff + BigInt(strBytes.length)
  const shoff = alignUp(shstrOff + BigInt(shBytes.length), word)
  const nSections = w.sections.length + 4
  const total = Number(shoff) + nSections * sz.shdr
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)
  const addr = (o: number, v: bigint) => {
    if (is32) dv.setUint32(o, Number(BigInt.asUintN(32, v)), true)
    else dv.setBigUint64(o, BigInt.asUintN(64, v), true)
  }

  // ELF header (gABI "ELF Header"): e_entry, e_phoff and e_shoff are words; the rest follow them.
  out.set([0x7f, 0x45, 0x4c, 0x46, w.elfClass, E.ELFDATA2LSB, E.EV_CURRENT, E.ELFOSABI_NONE])
  dv.setUint16(16, E.ET_EXEC, true)
  dv.setUint16(18, w.machine, true)
  dv.setUint32(20, E.EV_CURRENT, true)
  addr(24, w.entry)
  addr(24 + sz.word, BigInt(sz.ehdr))
  addr(24 + 2 * sz.word, shoff)
  const h = 24 + 3 * sz.word
  dv.setUint32(h, w.flags, true)
  dv.setUint16(h + 4, sz.ehdr, true)
  dv.setUint16(h + 6, sz.phdr, true)
  dv.setUint16(h + 8, w.segments.length, true)
  dv.setUint16(h + 10, sz.shdr, true)
  dv.setUint16(h + 12, nSections, true)
  dv.setUint16(h + 14, nSections - 1, true)

  w.segments.forEach((s, i) => {
    const o = sz.ehdr + i * sz.phdr
    dv.setUint32(o, s.type, true)
    if (is32) {
      // Elf32_Phdr: p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align.
      addr(o + 4, s.offset)
      addr(o + 8, s.vaddr)
      addr(o + 12, s.paddr)
      addr(o + 16, s.filesz)
      addr(o + 20, s.memsz)
      dv.setUint32(o + 24, s.flags, true)
      addr(o + 28, s.align)
    } else {
      dv.setUint32(o + 4, s.flags, true)
      addr(o + 8, s.offset)
      addr(o + 16, s.vaddr)
      addr(o + 24, s.paddr)
      addr(o + 32, s.filesz)
      addr(o + 40, s.memsz)
      addr(o + 48, s.align)
    }
  })

  for (const s of w.sections) if (s.data && s.type !== E.SHT_NOBITS) out.set(s.data, Number(s.offset))

  w.symbols.forEach((s, i) => {
    const o = Number(symtabOff) + (i + 1) * sz.sym
    dv.setUint32(o, symNames[i], true)
    const info = (s.bind << 4) | s.type
    if (is32) {
      // Elf32_Sym: st_name, st_value, st_size, st_info, st_other, st_shndx.
      addr(o + 4, s.value)
      addr(o + 8, s.size)
      dv.setUint8(o + 12, info)
      dv.setUint8(o + 13, s.visibility)
      dv.setUint16(o + 14, s.shndx, true)
    } else {
      dv.setUint8(o + 4, info)
      dv.setUint8(o + 5, s.visibility)
      dv.setUint16(o + 6, s.shndx, true)
      addr(o + 8, s.value)
      addr(o + 16, s.size)
    }
  })
  out.set(strBytes, Number(strtabOff))
  out.set(shBytes, Number(shstrOff))

  const sh = (i: number, name: number, type: number, flags: number, address: bigint, offset: bigint, size: bigint, link: number, info: number, align: bigint, entsize: number) => {
    const o = Number(shoff) + i * sz.shdr
    // Elf32_Shdr and Elf64_Shdr keep one order; sh_flags, sh_addr, sh_offset, sh_size, sh_addralign and sh_entsize are words.
    dv.setUint32(o, name, true)
    dv.setUint32(o + 4, type, true)
    const wd = sz.word
    addr(o + 8, BigInt(flags >>> 0))
    addr(o + 8 + wd, address)
    addr(o + 8 + 2 * wd, offset)
    addr(o + 8 + 3 * wd, size)
    dv.setUint32(o + 8 + 4 * wd, link, true)
    dv.setUint32(o + 12 + 4 * wd, info, true)
    addr(o + 16 + 4 * wd, align)
    addr(o + 16 + 5 * wd, BigInt(entsize))
  }
  w.sections.forEach((s, i) => sh(i + 1, shNames[i], s.type, s.flags, s.addr, s.offset, s.size, 0, 0, s.align, s.entsize))
  const n = w.sections.length
  sh(n + 1, symtabName, E.SHT_SYMTAB, 0, 0n, symtabOff, symtabSize, n + 2, w.firstGlobal, word, sz.sym)
  sh(n + 2, strtabName, E.SHT_STRTAB, 0, 0n, strtabOff, BigInt(strBytes.length), 0, 0, 1n, 0)
  sh(n + 3, shstrName, E.SHT_STRTAB, 0, 0n, shstrOff, BigInt(shBytes.length), 0, 0, 1n, 0)
  return out
}
