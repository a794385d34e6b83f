/**
 * Test support: the facts `readelf -W -h -S -l -s -r` prints about an ELF file (header, section
 * headers, program headers, symbols, relocation entries), parsed into plain numbers, and the same
 * facts computed from the project's reader (`shared/elf/reader`). Tests compare the two, so the
 * reader is checked against binutils field by field on real files of both classes. A name or
 * letter this parser does not know fails loudly instead of being skipped.
 */
import { execFileSync } from 'node:child_process'
import { readElf, readRelocations, type ElfFile } from '../../src/shared/elf/reader'
import * as E from '../../src/shared/elf/constants'

export interface ElfFacts {
  header: { class: number; type: number; machine: number; entry: bigint; flags: number; phnum: number; shnum: number; shstrndx: number }
  sections: { name: string; type: number; addr: bigint; offset: number; size: number; entsize: number; flags: number; link: number; info: number; align: number }[]
  segments: { type: number; offset: number; vaddr: bigint; paddr: bigint; filesz: number; memsz: bigint; flags: number; align: bigint }[]
  symbols: { value: bigint; size: bigint; type: number; bind: number; visibility: number; shndx: number; name: string }[]
  relocs: { section: string; offset: bigint; type: number; symbol: number; addend?: bigint }[]
}

const SECTION_TYPES: Record<string, number> = {
  NULL: E.SHT_NULL, PROGBITS: E.SHT_PROGBITS, SYMTAB: E.SHT_SYMTAB, STRTAB: E.SHT_STRTAB, RELA: E.SHT_RELA, HASH: E.SHT_HASH,
  DYNAMIC: E.SHT_DYNAMIC, NOTE: E.SHT_NOTE, NOBITS: E.SHT_NOBITS, REL: E.SHT_REL, DYNSYM: E.SHT_DYNSYM, INIT_ARRAY: E.SHT_INIT_ARRAY,
  FINI_ARRAY: E.SHT_FINI_ARRAY, GROUP: E.SHT_GROUP, SYMTAB_SHNDX: E.SHT_SYMTAB_SHNDX, X86_64_UNWIND: 0x70000001,
}
const SEGMENT_TYPES: Record<string, number> = {
  NULL: E.PT_NULL, LOAD: E.PT_LOAD, DYNAMIC: E.PT_DYNAMIC, INTERP: E.PT_INTERP, NOTE: E.PT_NOTE, PHDR: E.PT_PHDR, TLS: E.PT_TLS,
  GNU_EH_FRAME: E.PT_GNU_EH_FRAME, GNU_STACK: E.PT_GNU_STACK, GNU_RELRO: E.PT_GNU_RELRO, GNU_PROPERTY: 0x6474e553,
}
const SECTION_FLAGS: Record<string, number> = {
  W: E.SHF_WRITE, A: E.SHF_ALLOC, X: E.SHF_EXECINSTR, M: E.SHF_MERGE, S: E.SHF_STRINGS, I: E.SHF_INFO_LINK, L: E.SHF_LINK_ORDER,
  O: 0x100, G: E.SHF_GROUP, T: E.SHF_TLS, C: 0x800, E: E.SHF_EXCLUDE,
}
const SYMBOL_TYPES: Record<string, number> = { NOTYPE: E.STT_NOTYPE, OBJECT: E.STT_OBJECT, FUNC: E.STT_FUNC, SECTION: E.STT_SECTION, FILE: E.STT_FILE, COMMON: E.STT_COMMON, TLS: E.STT_TLS }
const BINDS: Record<string, number> = { LOCAL: E.STB_LOCAL, GLOBAL: E.STB_GLOBAL, WEAK: E.STB_WEAK }
const VISIBILITIES: Record<string, number> = { DEFAULT: E.STV_DEFAULT, INTERNAL: E.STV_INTERNAL, HIDDEN: E.STV_HIDDEN, PROTECTED: E.STV_PROTECTED }
const MACHINES: Record<string, number> = { 'Intel 80386': E.EM_386, 'Advanced Micro Devices X86-64': E.EM_X86_64, 'RISC-V': E.EM_RISCV }
const FILE_TYPES: Record<string, number> = { REL: E.ET_REL, EXEC: E.ET_EXEC, DYN: E.ET_DYN }
const RELOC_MACHINE_NAMES = { ...Object.fromEntries(Object.entries(E.R_386_NAMES).map(([k, v]) => [v, Number(k)])), ...Object.fromEntries(Object.entries(E.R_X86_64_NAMES).map(([k, v]) => [v, Number(k)])) }

function known(table: Record<string, number>, key: string, what: string): number {
  const v = table[key]
  if (v === undefined) throw new Error(`readelf-facts: unknown ${what} '${key}'`)
  return v
}

const big = (h: string) => BigInt('0x' + h.replace(/^0x/, ''))
const num = (h: string) => Number(big(h))

/** Runs `readelf` and parses what it prints about `path`. */
export function readelfFacts(readelf: string, path: string): ElfFacts {
  const text = execFileSync(readelf, ['-W', '-h', '-S', '-l', '-s', '-r', path], { encoding: 'utf8' })
  const field = (label: string) => {
    const m = new RegExp(`^\\s*${label}:\\s*(.*)$`, 'm').exec(text)
    if (!m) throw new Error(`readelf-facts: no '${label}' in readelf's header`)
    return m[1].trim()
  }
  const facts: ElfFacts = {
    header: {
      class: field('Class') === 'ELF32' ? E.ELFCLASS32 : E.ELFCLASS64,
      type: known(FILE_TYPES, field('Type').split(' ')[0], 'file type'),
      machine: known(MACHINES, field('Machine'), 'machine'),
      entry: big(field('Entry point address')),
      flags: num(field('Flags').split(',')[0]),
      phnum: Number(field('Number of program headers')),
      shnum: Number(field('Number of section headers')),
      shstrndx: Number(field('Section header string table index')),
    },
    sections: [], segments: [], symbols: [], relocs: [],
  }
  let relocSection = ''
  for (const line of text.split('\n')) {
    const sec = /^\s*\[\s*\d+\]\s(.*?)\s+([A-Z_0-9]+)\s+([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)\s([A-Za-z ]*?)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line)
    if (sec) {
      const [, name, type, addr, off, size, es, flg, lk, inf, al] = sec
      let flags = 0
      for (const ch of flg.replace(/ /g, '')) flags |= known(SECTION_FLAGS, ch, 'section flag')
      facts.sections.push({
        name: name.trimEnd(), type: known(SECTION_TYPES, type, 'section type'), addr: big(addr), offset: num(off), size: num(size), entsize: num(es),
        flags: flags >>> 0, link: Number(lk), info: Number(inf), align: Number(al),
      })
      continue
    }
    const seg = /^\s+([A-Z_]+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) ([RWE ]{3}) 0x([0-9a-f]+)$/.exec(line)
    if (seg) {
      const [, type, off, va, pa, fs, ms, flg, al] = seg
      facts.segments.push({
        type: known(SEGMENT_TYPES, type, 'segment type'), offset: num(off), vaddr: big(va), paddr: big(pa), filesz: num(fs), memsz: big(ms),
        flags: (flg[0] === 'R' ? E.PF_R : 0) | (flg[1] === 'W' ? E.PF_W : 0) | (flg[2] === 'E' ? E.PF_X : 0), align: big(al),
      })
      continue
    }
    const sym = /^\s*\d+: ([0-9a-f]+)\s+(\d+|0x[0-9a-f]+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/.exec(line)
    if (sym) {
      const [, value, size, type, bind, vis, ndx, name] = sym
      facts.symbols.push({
        value: big(value), size: BigInt(size), type: known(SYMBOL_TYPES, type, 'symbol type'), bind: known(BINDS, bind, 'binding'),
        visibility: known(VISIBILITIES, vis, 'visibility'), shndx: ndx === 'UND' ? E.SHN_UNDEF : ndx === 'ABS' ? E.SHN_ABS : ndx === 'COM' ? E.SHN_COMMON : Number(ndx),
        name,
      })
      continue
    }
    const relHead = /^Relocation section '([^']+)'/.exec(line)
    if (relHead) {
      relocSection = relHead[1]
      continue
    }
    const rel = /^([0-9a-f]{8,16})\s+([0-9a-f]{8,16}) (R_\S+)\s*(.*)$/.exec(line)
    if (rel) {
      const [, off, info, typeName, rest] = rel
      const is32 = facts.header.class === E.ELFCLASS32
      const infoBig = big(info)
      const addend = /([+-]) ([0-9a-f]+)$/.exec(rest)
      const isRela = relocSection.startsWith('.rela')
      facts.relocs.push({
        section: relocSection, offset: big(off), type: known(RELOC_MACHINE_NAMES, typeName, 'relocation type'),
        symbol: Number(is32 ? infoBig >> 8n : infoBig >> 32n),
        ...(isRela ? { addend: addend ? (addend[1] === '-' ? -big(addend[2]) : big(addend[2])) : big(rest.trim().split(/\s+/).pop() ?? '0') } : {}),
      })
    }
  }
  return facts
}

/** The same facts from the project's reader. */
export function ourFacts(bytes: Uint8Array): ElfFacts {
  const r = readElf(bytes)
  if (!r.ok) throw new Error(r.error.message)
  return factsOf(r.value)
}

export function factsOf(f: ElfFile): ElfFacts {
  const h = f.header
  return {
    header: { class: h.class, type: h.type, machine: h.machine, entry: h.entry, flags: h.flags, phnum: h.phnum, shnum: h.shnum, shstrndx: h.shstrndx },
    sections: f.sections.map((s) => ({
      name: s.name, type: s.type, addr: s.addr, offset: s.offset, size: s.size, entsize: s.entsize, flags: s.flags >>> 0, link: s.link, info: s.info, align: s.addralign,
    })),
    segments: f.segments.map((p) => ({ type: p.type, offset: p.offset, vaddr: p.vaddr, paddr: p.paddr, filesz: p.filesz, memsz: p.memsz, flags: p.flags, align: p.align })),
    // readelf names a section symbol after its section.
    symbols: f.symbols.map((s) => ({
      value: s.value, size: s.size, type: s.type, bind: s.bind, visibility: s.visibility, shndx: s.shndx,
      name: s.type === E.STT_SECTION && !s.name ? f.sections[s.shndx]?.name ?? '' : s.name,
    })),
    relocs: f.sections.filter((s) => s.type === E.SHT_REL || s.type === E.SHT_RELA).flatMap((s) =>
      readRelocations(f, s).map((r) => ({ section: s.name, offset: r.offset, type: r.type, symbol: r.symbol, ...(r.addend !== undefined ? { addend: r.addend } : {}) }))),
  }
}
