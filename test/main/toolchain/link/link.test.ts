import { describe, expect, it } from 'vitest'
import { link } from '../../../../src/main/toolchain/link/index'
import { readElf } from '../../../../src/shared/elf/reader'
import { PT_LOAD, R_RISCV_64, R_RISCV_BRANCH, R_RISCV_CALL_PLT, R_RISCV_HI20, R_RISCV_JAL } from '../../../../src/shared/elf/constants'
import type { ObjectFile } from '../../../../src/main/toolchain/object'
import { reloc, section, sym, tinyKernel } from './objects'

const script = (text: string) => ({ script: { file: 'kernel.ld', text } })

function elfOf(r: ReturnType<typeof link>) {
  if (!r.elf) throw new Error(JSON.stringify(r.diagnostics, null, 1))
  const e = readElf(r.elf)
  if (!e.ok) throw new Error(e.error.message)
  return e.value
}

describe('link: layout', () => {
  it('places a higher-half kernel with AT() at physical load addresses', () => {
    const r = link([tinyKernel()], script(`ENTRY(_start)
      SECTIONS {
        . = 0xffffffff80200000;
        .text : AT(0x80200000) { *(.text) }
        . = ALIGN(4K);
        .data : AT(ADDR(.data) - 0xffffffff00000000) { *(.data) }
        .bss : { *(.bss) }
        kernel_end = .;
      }`))
    const f = elfOf(r)
    const loads = f.segments.filter((s) => s.type === PT_LOAD)
    expect(loads.map((s) => s.paddr)).toEqual([0x80200000n, 0x80201000n])
    expect(f.symbols.find((s) => s.name === 'kernel_end')?.value).toBe(0xffffffff80201044n)
    expect(r.layout!.warnings.filter((w) => w.code === 'link.higher_half_lma')).toEqual([])
  })

  it('relocates a jal to its target', () => {
    const f = elfOf(link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) } }')))
    const text = f.sections.find((s) => s.name === '.text')!
    // j _start from offset 8: -8 → imm[20|10:1|11|19:12] = 1 1111111100 1 11111111
    expect(new DataView(text.data.buffer, text.data.byteOffset).getUint32(8, true)).toBe(0xff9ff06f)
  })

  it('reports the location counter after each statement with its script line', () => {
    const r = link([tinyKernel()], script('SECTIONS {\n  . = 0x80000000;\n  .text : { *(.text) }\n  . = ALIGN(4K);\n  marker = .;\n}'))
    expect(r.layout!.dot.map((d) => [d.statement, d.dot, d.loc.file, d.loc.line])).toEqual([
      ['. = 0x80000000', '0x80000000', 'kernel.ld', 2],
      ['.text', '0x8000000c', 'kernel.ld', 3],
      ['. = ALIGN(4K)', '0x80001000', 'kernel.ld', 4],
      ['marker = .', '0x80001000', 'kernel.ld', 5],
      ['.data (orphan)', '0x80001004', 'entry.o', 1],
      ['.bss (orphan)', '0x80001044', 'entry.o', 1],
    ])
  })

  it('lists input sections per output section and the padding before each', () => {
    const r = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) } . = ALIGN(0x100); .data : { *(.data) } .bss : { *(.bss) } }'))
    const data = r.layout!.outputSections.find((s) => s.name === '.data')!
    expect(data).toMatchObject({ vma: '0x80000100', paddingBefore: '0xf4', inputs: [{ object: 'entry.o', name: '.data', offset: '0x0', size: '0x4' }] })
    expect(r.layout!.symbols.find((s) => s.name === 'stack')).toMatchObject({ value: '0x80000104', section: '.bss', definedBy: 'entry.o' })
    expect(JSON.parse(JSON.stringify(r.layout))).toEqual(r.layout)
  })
})

describe('link: warnings a kernel author wants', () => {
  it('warns that a higher-half section without AT() will not load', () => {
    const r = link([tinyKernel()], script('SECTIONS {\n . = 0xffffffff80200000;\n .text : { *(.text) }\n}'))
    const w = r.layout!.warnings.find((x) => x.code === 'link.higher_half_lma')!
    expect(w.message).toMatch(/p_paddr = 0xffffffff80200000/)
    expect(w.loc).toMatchObject({ file: 'kernel.ld', line: 3 })
    expect(w.hint).toMatch(/AT\(/)
    expect(r.diagnostics.some((d) => d.code === 'link.higher_half_lma' && d.severity === 'warning')).toBe(true)
  })

  it('warns when code and writable data share a 4 KiB page', () => {
    const r = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) } .data : { *(.data) } }'))
    expect(r.layout!.warnings.map((w) => w.code)).toContain('link.shared_page_permissions')
    const fixed = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) } . = ALIGN(4K); .data : { *(.data) } }'))
    expect(fixed.layout!.warnings.map((w) => w.code)).not.toContain('link.shared_page_permissions')
  })

  it('warns about a load address outside every MEMORY region', () => {
    const r = link([tinyKernel()], script(`MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 1M }
      SECTIONS { .text : { *(.text) } > RAM .data : AT(0x10000000) { *(.data) } > RAM }`))
    expect(r.layout!.warnings.find((w) => w.code === 'link.lma_outside_memory')?.message).toMatch(/\.data/)
  })

  it('rejects sections whose load images overlap', () => {
    const r = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) } .data : AT(0x80000004) { *(.data) } }'))
    expect(r.elf).toBeUndefined()
    expect(r.diagnostics.find((d) => d.code === 'link.lma_overlap')?.message).toMatch(/overlaps section \.text/)
  })
})

describe('link: errors point at the script or the source line', () => {
  it('names an undefined symbol in an expression with its script location', () => {
    const r = link([tinyKernel()], script('SECTIONS {\n  . = 0x80000000;\n  .text : { *(.text) }\n  x = kernel_edn + 4;\n}'))
    expect(r.elf).toBeUndefined()
    expect(r.diagnostics[0]).toMatchObject({ code: 'link.undefined_symbol', loc: { file: 'kernel.ld', line: 4, column: 7 } })
    expect(r.diagnostics[0].message).toContain('kernel_edn')
  })

  it('reports a failed ASSERT with its message', () => {
    const r = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) }\n ASSERT(SIZEOF(.text) > 0x100, "text is too small") }'))
    expect(r.diagnostics[0]).toMatchObject({ code: 'link.assert_failed', loc: { line: 2, column: 2 } })
    expect(r.diagnostics[0].message).toContain('text is too small')
  })

  it('reports a region overflow by how many bytes', () => {
    const r = link([tinyKernel()], script('MEMORY { TINY (rwx) : ORIGIN = 0x80000000, LENGTH = 8 }\nSECTIONS { .text : { *(.text) } > TINY }'))
    expect(r.diagnostics[0]).toMatchObject({ code: 'link.region_overflow', loc: { line: 2 } })
    expect(r.diagnostics[0].message).toMatch(/overflowed by 4 bytes/)
  })

  it('gives up on a layout that never converges', () => {
    const r = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) }\n  a = b + 1;\n  b = a + 1; }'))
    expect(r.diagnostics[0].code).toBe('link.layout_not_converging')
    expect(r.diagnostics[0].message).toMatch(/'a' keeps changing/)
    expect(r.diagnostics[0].loc).toMatchObject({ file: 'kernel.ld', line: 2, column: 3 })
    expect(r.diagnostics[0].hint).toMatch(/depends on itself/)
  })

  it('points an undefined reference from code at the source line of the relocation', () => {
    const o: ObjectFile = {
      name: 'main.o',
      sections: [section('.text', [0x97, 0, 0, 0, 0xe7, 0x80, 0, 0])],
      symbols: [sym('_start', 0), sym('kmain', 'undef')],
      lines: [],
    }
    o.sections[0].relocs.push(reloc(0, R_RISCV_CALL_PLT, 1, 0n, { file: 'main.S', line: 7, column: 5 }))
    const r = link([o], script('SECTIONS { . = 0x80000000; .text : { *(.text) } }'))
    expect(r.diagnostics[0]).toMatchObject({ code: 'link.undefined_symbol', loc: { file: 'main.S', line: 7, column: 5 } })
    expect(r.diagnostics[0].message).toContain("'kmain'")
  })

  it('names symbol, section and line when a branch cannot reach', () => {
    const o: ObjectFile = {
      name: 'far.o',
      sections: [section('.text', [0x63, 0, 0, 0]), section('.far', [0x67, 0x80, 0, 0])],
      symbols: [sym('_start', 0), sym('far_away', 1)],
      lines: [],
    }
    o.sections[0].relocs.push(reloc(0, R_RISCV_BRANCH, 1, 0n, { file: 'far.S', line: 3, column: 5 }))
    const r = link([o], script('SECTIONS { . = 0x80000000; .text : { *(.text) } . = 0x80100000; .far : { *(.far) } }'))
    expect(r.diagnostics[0]).toMatchObject({ code: 'link.reloc_out_of_range', loc: { file: 'far.S', line: 3 } })
    expect(r.diagnostics[0].message).toMatch(/R_RISCV_BRANCH against 'far_away' in \.text of far\.o/)
    expect(r.diagnostics[0].hint).toBeTruthy()
  })

  it('rejects %hi of an address beyond ±2 GiB, and two strong definitions', () => {
    const o: ObjectFile = { name: 'hi.o', sections: [section('.text', [0x37, 0, 0, 0])], symbols: [sym('_start', 0), sym('big', 'abs', 0x80000000n)], lines: [] }
    o.sections[0].relocs.push(reloc(0, R_RISCV_HI20, 1))
    expect(link([o], script('SECTIONS { .text : { *(.text) } }')).diagnostics[0].code).toBe('link.reloc_out_of_range')
    const a: ObjectFile = { name: 'a.o', sections: [section('.text', [1, 0])], symbols: [sym('dup', 0)], lines: [] }
    const b: ObjectFile = { name: 'b.o', sections: [section('.text', [1, 0])], symbols: [sym('dup', 0)], lines: [] }
    expect(link([a, b]).diagnostics[0].message).toMatch(/multiple definition of 'dup'/)
  })

  it('writes 64-bit absolute addresses and JAL offsets', () => {
    const o: ObjectFile = {
      name: 'p.o',
      sections: [section('.text', [0x6f, 0, 0, 0]), section('.data', new Array(8).fill(0))],
      symbols: [sym('_start', 0), sym('target', 0, 0n, 'local')],
      lines: [],
    }
    o.sections[0].relocs.push(reloc(0, R_RISCV_JAL, 1))
    o.sections[1].relocs.push(reloc(0, R_RISCV_64, 0, 0x10n))
    const f = elfOf(link([o], script('SECTIONS { . = 0xffffffff80200000; .text : { *(.text) } .data : { *(.data) } }')))
    const data = f.sections.find((s) => s.name === '.data')!
    expect(new DataView(data.data.buffer, data.data.byteOffset).getBigUint64(0, true)).toBe(0xffffffff80200010n)
  })
})

describe('link: robustness', () => {
  const BASE = `ENTRY(_start)
MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 16M }
SECTIONS {
  . = 0xffffffff80200000;
  .text : AT(0x80200000) { *(.text) . = ALIGN(16); } =0x13
  . = ALIGN(4K);
  .data : AT(ADDR(.data) - 0xffffffff00000000) { *(.data) LONG(SIZEOF(.text)) }
  .bss (NOLOAD) : { *(.bss) . += 0x1000; }
  PROVIDE(end = .);
  ASSERT(end > 0, "end");
  x = MAX(ADDR(.text), LOADADDR(.data)) + ORIGIN(RAM) % 7;
}
`
  it('refuses an absurd section size instead of allocating it', () => {
    const r = link([tinyKernel()], script('SECTIONS { . = 0x80000000; .text : { *(.text) . += 0x100000000; } }'))
    expect(r.diagnostics[0].code).toBe('link.section_too_large')
  })

  it('never throws and never fails internally on 3 000 mutated scripts', () => {
    let seed = 0x5eed
    const rand = (n: number) => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) % n
    }
    const tokens = BASE.split(/(\s+)/)
    const SPARE = ['.', '=', '+', '-', '*', '/', '0', '0x10', '0xffffffffffffffff', '(', ')', ';', '}', '{', 'ALIGN(4K)', 'SIZEOF(.bss)', '. = 0;', 'x', 'end']
    for (let i = 0; i < 3000; i++) {
      const t = tokens.slice()
      for (let k = 0, n = 1 + rand(3); k < n; k++) {
        const at = rand(t.length)
        if (rand(2)) t.splice(at, 1)
        else t.splice(at, 0, SPARE[rand(SPARE.length)])
      }
      const r = link([tinyKernel()], script(t.join('')))
      const internal = r.diagnostics.find((d) => d.code === 'link.internal')
      if (internal) throw new Error(`script ${i} broke the linker: ${internal.message}\n${t.join('')}`)
      expect(r.elf !== undefined || r.diagnostics.some((d) => d.severity === 'error')).toBe(true)
    }
  })
})
