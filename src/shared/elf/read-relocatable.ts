/**
 * ET_REL → ObjectFile: reads a relocatable object (e.g. from `riscv64-unknown-elf-as`) into the
 * same in-memory shape our assembler produces, so the linker can consume GNU objects and be
 * compared with GNU ld on identical inputs. Symbol-table, string-table and relocation sections
 * are folded into the object; every other section is kept with its ELF type, flags and alignment.
 */
import type { Result } from '../api/result'
import type { ObjectFile, ObjSection, ObjSymbol, Reloc, SymbolBind, SymbolType } from './object-file'
import {
  ET_REL, RELA_SIZE_BYTES, SHN_ABS, SHN_COMMON, SHN_UNDEF, SHT_GROUP, SHT_NULL, SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB,
  SHT_SYMTAB_SHNDX, STB_GLOBAL, STB_WEAK, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION,
} from './constants'
import { readElf, type ElfFile } from './reader'

const FOLDED_TYPES = new Set([SHT_NULL, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_REL, SHT_GROUP, SHT_SYMTAB_SHNDX])

function bindOf(b: number): SymbolBind {
  return b === STB_GLOBAL ? 'global' : b === STB_WEAK ? 'weak' : 'local'
}

function typeOf(t: number): SymbolType {
  return t === STT_OBJECT ? 'object' : t === STT_FUNC ? 'func' : t === STT_SECTION ? 'section' : t === STT_FILE ? 'file' : 'notype'
}

/** Reads ELF bytes that must be ET_REL. `name` becomes `ObjectFile.name` (e.g. `entry.o`). */
export function readRelocatable(bytes: Uint8Array, name: string): Result<ObjectFile> {
  const parsed = readElf(bytes, { file: name })
  if (!parsed.ok) return parsed
  return toObjectFile(parsed.value, name)
}

export function toObjectFile(elf: ElfFile, name: string): Result<ObjectFile> {
  if (elf.header.type !== ET_REL) {
    return { ok: false, error: { code: 'elf.not_relocatable', message: `${name}: e_type is ${elf.header.type}, not ET_REL (1)`, hint: 'link object files (.o), not executables' } }
  }
  const map = new Map<number, number>()
  const sections: ObjSection[] = []
  for (const s of elf.sections) {
    if (FOLDED_TYPES.has(s.type)) continue
    map.set(s.index, sections.length)
    sections.push({ name: s.name, type: s.type, flags: s.flags, align: Math.max(1, s.addralign), data: s.data.slice(), size: s.size, entsize: s.entsize, relocs: [] })
  }
  // Symbols keep their ELF order minus the null symbol, so relocation symbol i maps to i - 1.
  const symbols: ObjSymbol[] = []
  for (const sym of elf.symbols.slice(1)) {
    let section: ObjSymbol['section']
    if (sym.shndx === SHN_UNDEF) section = 'undef'
    else if (sym.shndx === SHN_ABS) section = 'abs'
    else if (sym.shndx === SHN_COMMON) section = 'common'
    else {
      const m = map.get(sym.shndx)
      // A symbol in a folded section (a group signature, say) is kept as absolute: nothing relocates against it.
      section = m === undefined ? 'abs' : m
    }
    const symName = sym.type === STT_SECTION && typeof section === 'number' ? sections[section].name : sym.name
    symbols.push({ name: symName, section, value: sym.value, size: sym.size, bind: bindOf(sym.bind), type: typeOf(sym.type), visibility: sym.visibility })
  }
  const view = new DataView(bytes(elf).buffer, bytes(elf).byteOffset, bytes(elf).byteLength)
  for (const s of elf.sections) {
    if (s.type !== SHT_RELA) continue
    const target = map.get(s.info)
    if (target === undefined) continue
    const relocs: Reloc[] = sections[target].relocs
    const n = Math.floor(s.size / RELA_SIZE_BYTES)
    for (let i = 0; i < n; i++) {
      const o = s.offset + i * RELA_SIZE_BYTES
      const info = view.getBigUint64(o + 8, true)
      const symIndex = Number(info >> 32n)
      // Symbol 0 is legal for R_RISCV_RELAX and R_RISCV_ALIGN, which name no symbol: kept as -1.
      if (symIndex > symbols.length) {
        return { ok: false, error: { code: 'elf.bad_reloc', message: `${name}: relocation ${i} in ${s.name} refers to symbol ${symIndex}, which does not exist (at file offset 0x${o.toString(16)})`, hint: 'the object file is corrupt' } }
      }
      relocs.push({ offset: Number(view.getBigUint64(o, true)), type: Number(info & 0xffffffffn), symbol: symIndex === 0 ? -1 : symIndex - 1, addend: view.getBigInt64(o + 16, true) })
    }
  }
  return { ok: true, value: { name, sections, symbols, lines: [] } }
}

function bytes(elf: ElfFile): Uint8Array {
  return elf.bytes
}
