/**
 * Hand-built relocatable objects for linker unit tests: real ObjectFile values (what the
 * assembler produces), written out byte by byte so the tests need no assembler.
 */
import type { ObjectFile, ObjSection, ObjSymbol, Reloc } from '../../../../src/main/toolchain/object'

export function section(name: string, bytes: number[] | number, opts: Partial<ObjSection> = {}): ObjSection {
  const nobits = typeof bytes === 'number'
  const data = nobits ? new Uint8Array(0) : new Uint8Array(bytes)
  const flags = name.startsWith('.text') ? 6 : name.startsWith('.rodata') ? 2 : 3
  return { name, type: nobits ? 8 : 1, flags, align: 4, data, size: nobits ? bytes : data.length, entsize: 0, relocs: [], ...opts }
}

export function sym(name: string, sectionIndex: ObjSymbol['section'], value = 0n, bind: ObjSymbol['bind'] = 'global'): ObjSymbol {
  return { name, section: sectionIndex, value, size: 0n, bind, type: 'notype', visibility: 0 }
}

export function reloc(offset: number, type: number, symbol: number, addend = 0n, loc?: Reloc['loc']): Reloc {
  return { offset, type, symbol, addend, ...(loc ? { loc } : {}) }
}

/** `_start: nop; nop; j _start` in .text, a word in .data, 64 bytes of .bss. */
export function tinyKernel(): ObjectFile {
  const text = section('.text', [0x13, 0, 0, 0, 0x13, 0, 0, 0, 0x6f, 0, 0, 0])
  text.relocs.push(reloc(8, 17, 0))
  return {
    name: 'entry.o',
    sections: [text, section('.data', [1, 2, 3, 4]), section('.bss', 64)],
    symbols: [sym('_start', 0), sym('counter', 1, 0n, 'local'), sym('stack', 2)],
    lines: [{ section: 0, offset: 0, size: 4, file: 'entry.S', line: 3 }],
  }
}
