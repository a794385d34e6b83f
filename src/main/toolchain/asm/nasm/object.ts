/**
 * The relocatable object `nasm -f elf32/elf64` writes, in the toolchain's in-memory form
 * (ObjectFile): sections in declaration order (the implicit `.text` last unless named), a file
 * symbol, section symbols, every label and equ as a local symbol, then globals and externs.
 * Relocations follow nasm's choices: labels of this file are referenced through their section
 * symbol (`.text + 0x16`, even for globals), externs by name; ELF64 uses RELA (addend in the
 * relocation, zeros in the field), ELF32 uses REL (the addend is written into the field too).
 */
import { R_386_16, R_386_32, R_386_8, R_386_GOT32, R_386_GOTOFF, R_386_GOTPC, R_386_PC16, R_386_PC32, R_386_PC8, R_386_PLT32, R_X86_64_16, R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_8, R_X86_64_GOTPCREL, R_X86_64_PC16, R_X86_64_PC32, R_X86_64_PC64, R_X86_64_PC8, R_X86_64_PLT32 } from '../../../../shared/elf/relocs-x86'
import { EM_386, EM_X86_64 } from '../../../../shared/elf/constants'
import type { SourceLoc } from '../../../../shared/api/result'
import type { LineEntry, ObjSection, ObjSymbol, ObjectFile, Reloc } from '../../object'
import { SHT_NOBITS } from '../state'
import { ExprError, evalNExpr, type NVal } from './expr'
import { PassError, type NasmAssembler, type NSection, type Ref } from './assembler'

/** The relocation type for a field (ELF psABI tables for i386 and x86-64). */
function relocType(format: 'elf32' | 'elf64', size: number, pcrel: boolean, signed: boolean, wrt: string | undefined): number | string {
  if (wrt && wrt !== '..sym') {
    if (format === 'elf64') {
      if (wrt === '..plt' && pcrel && size === 4) return R_X86_64_PLT32
      if (wrt === '..gotpcrel' && pcrel && size === 4) return R_X86_64_GOTPCREL
    } else {
      if (wrt === '..plt' && pcrel && size === 4) return R_386_PLT32
      if (wrt === '..got' && !pcrel && size === 4) return R_386_GOT32
      if (wrt === '..gotoff' && !pcrel && size === 4) return R_386_GOTOFF
      if (wrt === '..gotpc' && !pcrel && size === 4) return R_386_GOTPC
    }
    return `\`wrt ${wrt}\` is not supported here`
  }
  if (format === 'elf64') {
    if (pcrel) return size === 4 ? R_X86_64_PC32 : size === 2 ? R_X86_64_PC16 : size === 1 ? R_X86_64_PC8 : R_X86_64_PC64
    return size === 8 ? R_X86_64_64 : size === 4 ? (signed ? R_X86_64_32S : R_X86_64_32) : size === 2 ? R_X86_64_16 : R_X86_64_8
  }
  if (size === 8) return 'a 64-bit relocation is not possible in an elf32 object'
  if (pcrel) return size === 4 ? R_386_PC32 : size === 2 ? R_386_PC16 : R_386_PC8
  return size === 4 ? R_386_32 : size === 2 ? R_386_16 : R_386_8
}

export function buildNasmObject(asm: NasmAssembler, name: string): ObjectFile {
  const { format, diags } = asm
  const kept = asm.sections.filter((s) => !s.implicit || s.offset > 0).sort((a, b) => a.order - b.order)
  const outIndex = new Map<number, number>()
  kept.forEach((s, i) => outIndex.set(s.index, i))

  const symbols: ObjSymbol[] = [{ name, section: 'abs', value: 0n, size: 0n, bind: 'local', type: 'file', visibility: 0 }]
  const sectionSym = new Map<number, number>()
  kept.forEach((s, i) => {
    sectionSym.set(s.index, symbols.length)
    symbols.push({ name: s.name, section: i, value: 0n, size: 0n, bind: 'local', type: 'section', visibility: 0 })
  })
  const all = [...asm.symbols.values()].sort((a, b) => a.order - b.order)
  const symIndex = new Map<string, number>()
  const sizeOf = (loc: SourceLoc, e: Parameters<typeof evalNExpr>[0]): bigint => {
    try {
      const v = evalNExpr(e, asm.ctx)
      if (v.sec !== undefined || v.ext !== undefined) throw new ExprError('a symbol size must be a constant', loc.column)
      return v.n
    } catch (x) {
      // (A size naming an undefined symbol: `global f:function (f.end - f)` without `.end`.)
      if (x instanceof ExprError || x instanceof PassError) diags.error('nasm.error', x.message, loc, x.hint)
      else throw x
      return 0n
    }
  }
  const add = (s: (typeof all)[number], bind: 'local' | 'global'): void => {
    const section: ObjSymbol['section'] = s.kind === 'extern' ? 'undef' : s.kind === 'common' ? 'common' : s.sec === undefined ? 'abs' : outIndex.get(s.sec) ?? 'abs'
    symIndex.set(s.name, symbols.length)
    symbols.push({
      name: s.name, section, value: s.kind === 'common' ? (s.commonAlign ?? 0n) : s.kind === 'extern' ? 0n : BigInt.asUintN(format === 'elf64' ? 64 : 32, s.value),
      size: s.kind === 'common' ? (s.commonSize ?? 0n) : s.sizeExpr ? sizeOf(s.loc, s.sizeExpr) : 0n,
      bind, type: s.type === 'func' ? 'func' : s.type === 'object' ? 'object' : 'notype', visibility: s.visibility ?? 0, loc: s.loc,
    })
  }
  for (const s of all) if (!s.global && s.pass > 0 && s.kind !== 'extern' && s.kind !== 'common') add(s, 'local')
  for (const s of all) {
    if (!s.global) continue
    if (s.kind !== 'extern' && s.kind !== 'common' && s.pass === 0) {
      diags.error('nasm.error', `symbol \`${s.name}\` declared global but not defined`, s.loc, 'define the label, or declare it `extern` if another file defines it')
      continue
    }
    add(s, 'global')
  }

  const sections: ObjSection[] = kept.map((s) => {
    const nobits = s.attrs.type === SHT_NOBITS
    const data = nobits ? new Uint8Array(0) : s.data.bytes()
    const relocs = relocations(asm, s, data, sectionSym, symIndex)
    return { name: s.name, type: s.attrs.type, flags: s.attrs.flags, align: s.attrs.align, data, size: s.offset, entsize: s.attrs.entsize, relocs }
  })
  const lines: LineEntry[] = []
  for (const s of kept) {
    const section = outIndex.get(s.index)!
    for (const l of s.lines) {
      l.section = section
      lines.push(l)
    }
  }
  return { name, machine: format === 'elf64' ? EM_X86_64 : EM_386, sections, symbols, lines }
}

function relocations(asm: NasmAssembler, s: NSection, data: Uint8Array, sectionSym: Map<number, number>, symIndex: Map<string, number>): Reloc[] {
  const out: Reloc[] = []
  const push = (at: number, size: number, pcrel: boolean, signed: boolean, ref: Ref | NVal, addend: bigint, wrt: string | undefined, loc: SourceLoc): void => {
    if (asm.format === 'elf32' && size === 8 && !pcrel && (wrt === undefined || wrt === '..sym')) {
      // `dq sym` in elf32 (nasm: "64-bit unsigned relocation zero-extended from 32 bits"): an
      // R_386_32 on the low half, the high half zero.
      asm.diags.warning('nasm.warning', '64-bit unsigned relocation zero-extended from 32 bits', loc, 'an elf32 object has no 64-bit relocation: the address is 32 bits')
      data.fill(0, at + 4, at + 8)
      size = 4
    }
    const type = relocType(asm.format, size, pcrel, signed, wrt)
    if (typeof type === 'string') {
      asm.diags.error('nasm.error', type, loc)
      return
    }
    let symbol: number | undefined
    if (ref.ext !== undefined) symbol = symIndex.get(ref.ext)
    else if (ref.sec !== undefined) symbol = sectionSym.get(ref.sec)
    if (symbol === undefined) {
      asm.diags.error('nasm.error', 'relocation against an unknown symbol', loc)
      return
    }
    if (asm.format === 'elf32') {
      // REL: the addend lives in the field, so it is what the field holds (wrapped, as read back).
      addend = BigInt.asIntN(size * 8, addend)
      let v = addend
      for (let i = 0; i < size; i++, v >>= 8n) data[at + i] = Number(BigInt.asUintN(8, v))
    }
    out.push({ offset: at, type, symbol, addend, loc })
  }
  for (const { at, f, loc } of s.fixups) {
    const ref = f.value.sym
    if (!ref) {
      // A relative operand to a constant address (`jmp 0x200`): nasm writes the PC-relative
      // addend (target − bytes to the end) into the field; elf32 also gets a relocation against
      // no symbol (index 0), elf64 none.
      const addend = BigInt.asIntN(f.size * 8, f.value.value - BigInt(f.toEnd))
      let v = addend
      for (let i = 0; i < f.size; i++, v >>= 8n) data[at + i] = Number(BigInt.asUintN(8, v))
      const type = relocType(asm.format, f.size, f.pcrel, f.signed, undefined)
      if (asm.format === 'elf32' && typeof type === 'number') out.push({ offset: at, type, symbol: -1, addend, loc })
      continue
    }
    push(at, f.size, f.pcrel, f.signed, ref, f.value.value - (f.pcrel ? BigInt(f.toEnd) : 0n), ref.wrt, loc)
  }
  // `dd target - $` (PC-relative): S + A - P = target - (here), so A = n + the field's offset.
  for (const d of s.dataRelocs) push(d.at, d.size, d.pcrel ?? false, false, d.v, d.pcrel ? d.v.n + BigInt(d.at) : d.v.n, d.wrt, d.loc)
  return out.sort((a, b) => a.offset - b.offset)
}
