/**
 * Builds small RISC-V test programs from assembly text with our own toolchain
 * (src/main/toolchain/build.ts, checked against GNU binutils in its own tests).
 * Also holds a minimal ELF64 reader (PT_LOAD by physical address, symbols) for tests only; the
 * machine's real loader lives in src/main/machine/boot.
 */
import { build } from '../../src/main/toolchain/build'
import { formatDiagnostic } from '../../src/shared/api/result'


export const DEFAULT_SCRIPT = `
OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text : { *(.text.init) *(.text .text.*) }
  . = ALIGN(4096);
  .data : { *(.data .data.* .rodata .rodata.* .sdata .sdata.*) }
  .bss : { *(.bss .bss.* .sbss .sbss.*) }
  _end = .;
}
`

export interface Program {
  elf: Uint8Array
  entry: bigint
  symbols: Map<string, bigint>
  segments: { paddr: bigint; vaddr: bigint; data: Uint8Array; memsz: number }[]
}

/** Our toolchain is always here; kept so callers' `skipIf(toolchainMissing())` reads as before. */
export function toolchainMissing(): boolean {
  return false
}

/** Assembles and links `source` (GNU syntax, rv64gc) with `script` into an ELF. */
export async function buildProgram(source: string, script = DEFAULT_SCRIPT): Promise<Program> {
  const r = build({ files: [{ path: 'test.S', text: source }, { path: 'test.ld', text: script }], script: 'test.ld' })
  if (!r.ok || !r.elf) throw new Error(`our toolchain failed:\n${r.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`)
  return parseElf(r.elf)
}

/** Minimal ELF64 little-endian reader: entry, PT_LOAD segments, symbol table. */
export function parseElf(elf: Uint8Array): Program {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength)
  if (dv.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not an ELF64 LE file')
  const entry = dv.getBigUint64(24, true)
  const phoff = Number(dv.getBigUint64(32, true))
  const shoff = Number(dv.getBigUint64(40, true))
  const phentsize = dv.getUint16(54, true)
  const phnum = dv.getUint16(56, true)
  const shentsize = dv.getUint16(58, true)
  const shnum = dv.getUint16(60, true)
  const segments: Program['segments'] = []
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize
    if (dv.getUint32(o, true) !== 1) continue
    const off = Number(dv.getBigUint64(o + 8, true))
    const vaddr = dv.getBigUint64(o + 16, true)
    const paddr = dv.getBigUint64(o + 24, true)
    const filesz = Number(dv.getBigUint64(o + 32, true))
    const memsz = Number(dv.getBigUint64(o + 40, true))
    segments.push({ paddr, vaddr, data: elf.subarray(off, off + filesz), memsz })
  }
  const symbols = new Map<string, bigint>()
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize
    if (dv.getUint32(o + 4, true) !== 2) continue // SHT_SYMTAB
    const off = Number(dv.getBigUint64(o + 24, true))
    const size = Number(dv.getBigUint64(o + 32, true))
    const link = dv.getUint32(o + 40, true)
    const strOff = Number(dv.getBigUint64(shoff + link * shentsize + 24, true))
    for (let s = off; s < off + size; s += 24) {
      const nameOff = dv.getUint32(s, true)
      let end = strOff + nameOff
      while (elf[end] !== 0) end++
      const name = new TextDecoder().decode(elf.subarray(strOff + nameOff, end))
      if (name) symbols.set(name, dv.getBigUint64(s + 8, true))
    }
  }
  return { elf, entry, symbols, segments }
}

/** The part of a hart the loader needs. */
export interface LoadTarget {
  readonly ram: Uint8Array
  pc: bigint
  invalidateCaches(): void
}

/** Copies PT_LOAD segments to RAM by physical address (bss zeroed) and sets pc to the entry. */
export function loadProgram(hart: LoadTarget, prog: Program, ramBase = 0x8000_0000n): void {
  const ram = hart.ram
  for (const s of prog.segments) {
    const off = Number(s.paddr - ramBase)
    if (off < 0 || off + s.memsz > ram.length) throw new Error(`segment at 0x${s.paddr.toString(16)} is outside RAM`)
    ram.fill(0, off, off + s.memsz)
    ram.set(s.data, off)
  }
  hart.invalidateCaches()
  hart.pc = prog.entry
}
