/**
 * ET_REL → ObjectFile: reads a relocatable object (from `riscv64-unknown-elf-as`, `as --32/--64`,
 * `nasm -felf32/-felf64`, `gcc -c`, rustc) into the same in-memory shape our assemblers produce,
 * so the linker can consume foreign objects and be compared with GNU ld on identical inputs.
 * Symbol-table, string-table and relocation sections are folded into the object; every other
 * section is kept with its ELF type, flags and alignment. i386 objects carry SHT_REL relocations
 * whose addend is the patched field's contents: it is read out so every Reloc has an explicit addend.
 */
import type { Result } from '../api/result'
import type { ObjectFile, ObjSection, ObjSymbol, Reloc, SymbolBind, SymbolType } from './object-file'
import {
  EM_386, EM_X86_64, ET_REL, GRP_COMDAT, SHN_ABS, SHN_COMMON, SHN_UNDEF, SHT_GROUP, SHT_NULL, SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB,
  SHT_SYMTAB_SHNDX, STB_GLOBAL, STB_WEAK, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION, STT_TLS, r386FieldBytes, rX86_64FieldBytes, relocName,
} from './constants'
import { readElf, readRelocations, type ElfFile } from './reader'

const FOLDED_TYPES = new Set([SHT_NULL, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_REL, SHT_GROUP, SHT_SYMTAB_SHNDX])

function bindOf(b: number): SymbolBind {
  return b === STB_GLOBAL ? 'global' : b === STB_WEAK ? 'weak' : 'local'
}

function typeOf(t: number): SymbolType {
  return t === STT_OBJECT ? 'object' : t === STT_FUNC ? 'func' : t === STT_SECTION ? 'section' : t === STT_FILE ? 'file' : t === STT_TLS ? 'tls' : 'notype'
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
  // COMDAT groups: the signature is the name of the symbol sh_info names (gABI "Section Groups").
  for (const g of elf.sections) {
    if (g.type !== SHT_GROUP || g.data.length < 4) continue
    const view = new DataView(g.data.buffer, g.data.byteOffset, g.data.byteLength)
    if ((view.getUint32(0, true) & GRP_COMDAT) === 0) continue
    const signature = elf.symbols[g.info]?.name
    if (!signature) continue
    for (let o = 4; o + 4 <= g.data.length; o += 4) {
      const member = map.get(view.getUint32(o, true))
      if (member !== undefined) sections[member].group = signature
    }
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
  for (const s of elf.sections) {
    if (s.type !== SHT_RELA && s.type !== SHT_REL) continue
    const target = map.get(s.info)
    if (target === undefined) continue
    const relocs: Reloc[] = sections[target].relocs
    const entries = readRelocations(elf, s)
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]
      // Symbol 0 is legal for R_RISCV_RELAX and R_RISCV_ALIGN, which name no symbol: kept as -1.
      if (e.symbol > symbols.length) {
        return { ok: false, error: { code: 'elf.bad_reloc', message: `${name}: relocation ${i} in ${s.name} refers to symbol ${e.symbol}, which does not exist (at file offset 0x${(s.offset + i * (s.size / entries.length)).toString(16)})`, hint: 'the object file is corrupt' } }
      }
      const offset = Number(e.offset)
      let addend = e.addend
      if (addend === undefined) {
        const implicit = implicitAddend(elf.header.machine, e.type, sections[target], offset)
        if (typeof implicit === 'string') {
          return { ok: false, error: { code: 'elf.bad_reloc', message: `${name}: relocation ${i} in ${s.name} (${relocName(e.type, elf.header.machine)} at 0x${offset.toString(16)}): ${implicit}`, hint: 'the object file is corrupt or for an unsupported machine' } }
        }
        addend = implicit
      }
      relocs.push({ offset, type: e.type, symbol: e.symbol === 0 ? -1 : e.symbol - 1, addend })
    }
  }
  return { ok: true, value: { name, machine: elf.header.machine, sections, symbols, lines: [] } }
}

/**
 * The addend of an SHT_REL entry: the patched field's own contents, sign-extended (i386 psABI:
 * "the addend is stored in the location to be modified"). A string explains why it cannot be read.
 */
function implicitAddend(machine: number, type: number, section: ObjSection, offset: number): bigint | string {
  const width = machine === EM_386 ? r386FieldBytes(type) : machine === EM_X86_64 ? rX86_64FieldBytes(type) : undefined
  if (width === undefined) return 'SHT_REL relocations are only read for i386 and x86-64 objects'
  if (width === 0) return 0n
  if (offset + width > section.data.length) return `the ${width}-byte field runs past the end of ${section.name} (${section.data.length} bytes)`
  let v = 0n
  for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(section.data[offset + k])
  return BigInt.asIntN(width * 8, v)
}
