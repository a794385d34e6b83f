import { describe, expect, it } from 'vitest'
import { asmCompletions, isCsrOperand, ldCompletions } from '../../../../src/renderer/src/features/editor/completions'
import { asmContext } from '../../../../src/renderer/src/features/editor/source-text'
import { PSEUDO_INSTRUCTIONS } from '../../../../src/shared/asm/pseudo-instructions'
import { ASM_DIRECTIVES, ASM_DIRECTIVE_NAMES } from '../../../../src/shared/asm/directives'
import { INSTRUCTIONS } from '../../../../src/shared/isa'
import { PSEUDO_NAMES } from '../../../../src/main/toolchain/asm/instructions'
import { assemble } from '../../../../src/main/toolchain/asm'

const labels = (ctx: string, symbols: string[] = []) => asmCompletions(asmContext(ctx), symbols).map((c) => c.label)

describe('assembly completion', () => {
  it('offers every table instruction and pseudo-instruction, with operand syntax, at the start of a statement', () => {
    const items = asmCompletions(asmContext('    '))
    for (const r of INSTRUCTIONS) expect(items.map((c) => c.label)).toContain(r.name)
    expect(items.find((c) => c.label === 'addi')).toMatchObject({ kind: 'instruction', detail: 'addi rd, rs1, imm' })
    expect(items.find((c) => c.label === 'la')).toMatchObject({ kind: 'pseudo', detail: 'la rd, symbol' })
    expect(items.find((c) => c.label === 'sfence.vma')?.documentation).toContain('TLB')
  })

  it('offers only directives after a dot', () => {
    const items = asmCompletions(asmContext('    .se'))
    expect(items.every((c) => c.kind === 'directive')).toBe(true)
    expect(items.find((c) => c.label === '.section')?.detail).toBe('.section name[, "flags"[, @type]]')
    expect(items.map((c) => c.label)).toEqual(expect.arrayContaining(['.globl', '.quad', '.balign', '.option']))
  })

  it('offers CSR names in the CSR operand of CSR instructions, and only there', () => {
    expect(labels('    csrw ')).toContain('satp')
    expect(labels('    csrw ')).not.toContain('a0')
    expect(labels('    csrrs a0, ')).toContain('sstatus')
    expect(labels('    csrr a0, ')).toContain('mhartid')
    expect(labels('    csrr ')).not.toContain('satp')
    expect(labels('    csrw satp, ')).toContain('t0')
    expect(asmCompletions(asmContext('    csrw s')).find((c) => c.label === 'satp')?.detail).toBe('CSR 0x180')
    expect(isCsrOperand('csrrwi', 1)).toBe(true)
    expect(isCsrOperand('addi', 1)).toBe(false)
  })

  it('offers ABI registers, relocation operators and symbols in operands', () => {
    const l = labels('    lui t0, ', ['rust_main'])
    expect(l).toEqual(expect.arrayContaining(['zero', 'ra', 'sp', 't0', 'a7', 's11', 'fa0', '%hi', '%lo', '%pcrel_hi', '%pcrel_lo', 'rust_main']))
    expect(l).not.toContain('x5')
    const hi = asmCompletions(asmContext('    lui t0, %')).find((c) => c.label === '%hi')
    expect(hi?.insertText).toBe('%hi(')
  })

  it('offers nothing in a comment', () => {
    expect(labels('    nop # ')).toEqual([])
  })
})

describe('linker-script completion', () => {
  it('offers the commands and functions of GNU ld, and the symbols', () => {
    const l = ldCompletions(['kernel_end']).map((c) => c.label)
    expect(l).toEqual(expect.arrayContaining(['SECTIONS', 'MEMORY', 'ENTRY', 'AT', 'ALIGN', 'ADDR', 'LOADADDR', 'SIZEOF', 'KEEP', 'PROVIDE', 'kernel_end']))
    expect(ldCompletions().find((c) => c.label === 'LOADADDR')).toMatchObject({ kind: 'function', detail: 'LOADADDR(section)' })
  })
})

describe('the vocabulary offered is the assembler’s', () => {
  it('lists pseudo-instructions the assembler knows, each one', () => {
    expect([...PSEUDO_NAMES]).toEqual(PSEUDO_INSTRUCTIONS.map((p) => p.name))
    const unknown = PSEUDO_INSTRUCTIONS.filter((p) => assemble(`${p.name}\n`, { file: 'x.s' }).diagnostics.some((d) => d.code === 'asm.unknown_instruction'))
    expect(unknown.map((p) => p.name)).toEqual([])
  })

  it('lists no directive the assembler calls unknown', () => {
    const unknown = ASM_DIRECTIVE_NAMES.filter((name) => {
      const r = assemble(`${name}\n`, { file: 'x.s' })
      return r.diagnostics.some((d) => d.code === 'asm.unknown_directive')
    })
    expect(unknown).toEqual([])
    // …and the check can fail: a made-up directive is unknown.
    expect(assemble('.sectoin .text\n', { file: 'x.s' }).diagnostics.map((d) => d.code)).toContain('asm.unknown_directive')
  })

  it('has one entry per directive name', () => {
    expect(new Set(ASM_DIRECTIVES.map((d) => d.name)).size).toBe(ASM_DIRECTIVES.length)
  })
})
