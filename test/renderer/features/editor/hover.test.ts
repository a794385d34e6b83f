import { describe, expect, it } from 'vitest'
import { asmWordHover, layoutHover, ldWordHover, symbolLma } from '../../../../src/renderer/src/features/editor/hover'
import type { LayoutOutputSection, LayoutReport } from '../../../../src/shared/api/layout'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from '../../../../src/main/toolchain/build'

const section = (name: string, vma: string, lma: string, size = '0x100'): LayoutOutputSection => ({
  name, vma, lma, size, align: 4096, paddingBefore: '0x0', flags: 'AX', type: 'PROGBITS', inputs: [], orphan: false,
})

const layout: LayoutReport = {
  entry: '0xffffffff80200000',
  outputSections: [section('.text', '0xffffffff80200000', '0x80200000'), section('.data', '0x80300000', '0x80300000')],
  symbols: [
    { name: 'rust_main', value: '0xffffffff80200036', section: '.text', definedBy: 'main.o' },
    { name: 'flag', value: '0x80300010', section: '.data', definedBy: 'entry.o' },
    { name: 'BASE_ADDRESS', value: '0xffffffff80200000', section: '*ABS*', definedBy: 'script' },
  ],
  segments: [],
  dot: [],
  warnings: [],
  passes: 1,
}

describe('symbol hovers from the layout', () => {
  it('shows VMA, LMA and section of a higher-half symbol', () => {
    const h = layoutHover('rust_main', layout)!.join('\n')
    expect(h).toContain('VMA `0xffffffff80200036`')
    expect(h).toContain('LMA `0x80200036`')
    expect(h).toContain('`.text`')
    expect(h).toContain('`main.o`')
  })

  it('shows one address when VMA and LMA are the same, and marks absolute symbols', () => {
    expect(layoutHover('flag', layout)!.join('\n')).toContain('VMA = LMA `0x80300010`')
    expect(layoutHover('BASE_ADDRESS', layout)!.join('\n')).toContain('absolute value')
  })

  it('shows an output section’s placement', () => {
    expect(layoutHover('.text', layout)!.join('\n')).toContain('VMA `0xffffffff80200000` · LMA `0x80200000`')
  })

  it('knows the local symbols of the last build, as nm lists them (boot_page_table is a local d)', () => {
    const dir = join(__dirname, '../../../../resources/examples/higher-half')
    const files = ['entry.S', 'main.S', 'linker.ld'].map((path) => ({ path, text: readFileSync(join(dir, path), 'utf8') }))
    const r = build({ files, script: 'linker.ld' })
    expect(r.layout).toBeDefined()
    expect(r.layout!.symbols.find((s) => s.name === 'boot_page_table')).toMatchObject({ local: true, definedBy: 'entry.o', section: '.data', value: '0xffffffff80202000' })
    const h = layoutHover('boot_page_table', r.layout, 'entry.S')!.join('\n')
    expect(h).toContain('VMA `0xffffffff80202000` · LMA `0x80202000`')
    expect(h).toContain('local symbol of `entry.o`')
  })

  it('prefers the local symbol of the hovered file over a global of the same name', () => {
    const both: LayoutReport = {
      ...layout,
      symbols: [
        { name: 'x', value: '0x80300000', section: '.data', definedBy: 'a.o' },
        { name: 'x', value: '0x80300008', section: '.data', definedBy: 'b.o', local: true, loc: { file: 'b.S', line: 3, column: 1 } },
      ],
    }
    expect(layoutHover('x', both, 'b.S')![0]).toContain('0x80300008')
    expect(layoutHover('x', both, 'a.S')![0]).toContain('0x80300000')
  })

  it('knows nothing without a build or for an unknown name', () => {
    expect(layoutHover('rust_main', undefined)).toBeUndefined()
    expect(layoutHover('nowhere', layout)).toBeUndefined()
  })

  it('computes the LMA as the section LMA plus the offset in the section', () => {
    expect(symbolLma({ name: 'x', value: '0xffffffff80200ff8', section: '.text', definedBy: 'a.o' }, layout.outputSections)).toBe('0x80200ff8')
    expect(symbolLma({ name: 'x', value: '0x10', section: '*ABS*', definedBy: 'script' }, layout.outputSections)).toBeUndefined()
  })
})

describe('word hovers', () => {
  it('describes an instruction with its syntax and encoding from the ISA table', () => {
    const h = asmWordHover('sfence.vma')!.join('\n')
    expect(h).toContain('sfence.vma rs1, rs2')
    expect(h).toContain('TLB')
    expect(h).toContain('match `0x12000073`')
    expect(asmWordHover('amoadd.w.aq')!.join('\n')).toContain('acquire')
    expect(asmWordHover('c.addi')!.join('\n')).toContain('`addi`')
  })

  it('describes pseudo-instructions, directives, CSRs and registers', () => {
    expect(asmWordHover('li')!.join('\n')).toContain('Pseudo-instruction')
    expect(asmWordHover('.quad')!.join('\n')).toContain('8-byte')
    expect(asmWordHover('satp')!.join('\n')).toContain('CSR `0x180`')
    expect(asmWordHover('sp')!.join('\n')).toContain('`x2`')
    expect(asmWordHover('fa0')!.join('\n')).toContain('`f10`')
    expect(asmWordHover('rust_main')).toBeUndefined()
  })

  it('describes linker-script words', () => {
    expect(ldWordHover('AT')!.join('\n')).toContain('LMA')
    expect(ldWordHover('kernel_end')).toBeUndefined()
  })
})
