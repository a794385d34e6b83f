/**
 * Serialises the linked image as an ELF64 ET_EXEC: header, program headers, section contents at
 * the offsets `segments.ts` chose, `.symtab`/`.strtab`/`.shstrtab`, then the section header
 * table — the same order and alignment GNU ld uses, so `readelf` output lines up with ld's.
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
  const symtabOff = alignUp(w.contentEnd, 8n)
  const symtabSize = BigInt(nSyms * E.SYM_SIZE_BYTES)
  const strtabOff = symtabOff + symtabSize
  const shstrOff = strtabOff + BigInt(strBytes.length)
  const shoff = alignUp(shstrOff + BigInt(shBytes.length), 8n)
  const nSections = w.sections.length + 4
  const total = Number(shoff) + nSections * E.SHDR_SIZE_BYTES
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)

  // ELF header (gABI "ELF Header").
  out.set([0x7f, 0x45, 0x4c, 0x46, E.ELFCLASS64, E.ELFDATA2LSB, E.EV_CURRENT, E.ELFOSABI_NONE])
  dv.setUint16(16, E.ET_EXEC, true)
  dv.setUint16(18, E.EM_RISCV, true)
  dv.setUint32(20, E.EV_CURRENT, true)
  dv.setBigUint64(24, w.entry, true)
  dv.setBigUint64(32, BigInt(E.EHDR_SIZE_BYTES), true)
  dv.setBigUint64(40, shoff, true)
  dv.setUint32(48, w.flags, true)
  dv.setUint16(52, E.EHDR_SIZE_BYTES, true)
  dv.setUint16(54, E.PHDR_SIZE_BYTES, true)
  dv.setUint16(56, w.segments.length, true)
  dv.setUint16(58, E.SHDR_SIZE_BYTES, true)
  dv.setUint16(60, nSections, true)
  dv.setUint16(62, nSections - 1, true)

  w.segments.forEach((s, i) => {
    const o = E.EHDR_SIZE_BYTES + i * E.PHDR_SIZE_BYTES
    dv.setUint32(o, s.type, true)
    dv.setUint32(o + 4, s.flags, true)
    dv.setBigUint64(o + 8, s.offset, true)
    dv.setBigUint64(o + 16, BigInt.asUintN(64, s.vaddr), true)
    dv.setBigUint64(o + 24, BigInt.asUintN(64, s.paddr), true)
    dv.setBigUint64(o + 32, s.filesz, true)
    dv.setBigUint64(o + 40, s.memsz, true)
    dv.setBigUint64(o + 48, s.align, true)
  })

  for (const s of w.sections) if (s.data && s.type !== E.SHT_NOBITS) out.set(s.data, Number(s.offset))

  w.symbols.forEach((s, i) => {
    const o = Number(symtabOff) + (i + 1) * E.SYM_SIZE_BYTES
    dv.setUint32(o, symNames[i], true)
    dv.setUint8(o + 4, (s.bind << 4) | s.type)
    dv.setUint8(o + 5, s.visibility)
    dv.setUint16(o + 6, s.shndx, true)
    dv.setBigUint64(o + 8, BigInt.asUintN(64, s.value), true)
    dv.setBigUint64(o + 16, s.size, true)
  })
  out.set(strBytes, Number(strtabOff))
  out.set(shBytes, Number(shstrOff))

  const sh = (i: number, name: number, type: number, flags: number, addr: bigint, offset: bigint, size: bigint, link: number, info: number, align: bigint, entsize: number) => {
    const o = Number(shoff) + i * E.SHDR_SIZE_BYTES
    dv.setUint32(o, name, true)
    dv.setUint32(o + 4, type, true)
    dv.setBigUint64(o + 8, BigInt(flags >>> 0), true)
    dv.setBigUint64(o + 16, BigInt.asUintN(64, addr), true)
    dv.setBigUint64(o + 24, offset, true)
    dv.setBigUint64(o + 32, size, true)
    dv.setUint32(o + 40, link, true)
    dv.setUint32(o + 44, info, true)
    dv.setBigUint64(o + 48, align, true)
    dv.setBigUint64(o + 56, BigInt(entsize), true)
  }
  w.sections.forEach((s, i) => sh(i + 1, shNames[i], s.type, s.flags, s.addr, s.offset, s.size, 0, 0, s.align, s.entsize))
  const n = w.sections.length
  sh(n + 1, symtabName, E.SHT_SYMTAB, 0, 0n, symtabOff, symtabSize, n + 2, w.firstGlobal, 8n, E.SYM_SIZE_BYTES)
  sh(n + 2, strtabName, E.SHT_STRTAB, 0, 0n, strtabOff, BigInt(strBytes.length), 0, 0, 1n, 0)
  sh(n + 3, shstrName, E.SHT_STRTAB, 0, 0n, shstrOff, BigInt(shBytes.length), 0, 0, 1n, 0)
  return out
}
