/**
 * Behaviour of assemble() beyond byte equality with GNU: the object's shape, the line table,
 * includes and .incbin through the caller's readFile, -D defines, expression evaluation.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../src/main/toolchain/asm'

const enc = (s: string) => new TextEncoder().encode(s)
const text = (src: string, opts: Parameters<typeof assemble>[1] = { file: 't.s' }) => {
  const r = assemble(src, opts)
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return r.object!
}
const hex = (d: Uint8Array) => Buffer.from(d).toString('hex')

describe('assemble', () => {
  it('always has .text, .data, .bss first, each with a section symbol', () => {
    const o = text('nop\n')
    expect(o.sections.slice(0, 3).map((s) => s.name)).toEqual(['.text', '.data', '.bss'])
    expect(o.symbols.filter((s) => s.type === 'section').map((s) => s.name)).toEqual(['.text', '.data', '.bss'])
  })

  it('maps every emitted byte range to its source line, macros to the invoking line', () => {
    const o = text('.macro two\nnop\nnop\n.endm\n  li a0, 1\n  two\n  .rept 2\n  addi a0, a0, 1\n  .endr\n')
    expect(o.lines).toEqual([
      { section: 0, offset: 0, size: 2, file: 't.s', line: 5 },
      { section: 0, offset: 2, size: 4, file: 't.s', line: 6 },
      { section: 0, offset: 6, size: 4, file: 't.s', line: 7 },
    ])
  })

  it('attributes included lines to the included file and line', () => {
    const files: Record<string, string> = { 'inc/regs.h': '#define ARG a0\n  addi ARG, ARG, 1\n' }
    const o = text('#include "inc/regs.h"\n  mv ARG, a1\n', { file: 'main.S', readFile: (p) => (files[p] ? enc(files[p]) : undefined) })
    expect(o.lines.map((l) => `${l.file}:${l.line}`)).toEqual(['inc/regs.h:2', 'main.S:2'])
    expect(hex(o.sections[0].data)).toBe('0505' + '2e85')
  })

  it('reads .incbin data through readFile, with skip and count', () => {
    const o = text('.data\n.incbin "blob.bin"\n.incbin "blob.bin", 1, 2\n', { file: 'a.s', readFile: (p) => (p === 'blob.bin' ? Uint8Array.of(1, 2, 3, 4) : undefined) })
    expect(hex(o.sections[1].data)).toBe('010203040203')
  })

  it('applies -D defines in .S files and leaves .s files alone', () => {
    expect(hex(text('li a0, VALUE\n', { file: 'x.S', defines: { VALUE: '7' } }).sections[0].data)).toBe('1d45')
    expect(assemble('li a0, VALUE\n', { file: 'x.s', defines: { VALUE: '7' } }).object).toBeUndefined()
  })

  it('folds label differences inside a data section, keeps ADD/SUB pairs in code', () => {
    const o = text('.data\na: .word b - a\nb: .byte 0\n.text\nc: nop\nd: .word d - c\n')
    expect(hex(o.sections[1].data)).toBe('0400000000')
    expect(o.sections[0].relocs.map((r) => r.type)).toEqual([35, 39])
  })

  it('resolves .equ defined after use in data, and .set redefinitions in order', () => {
    const o = text('.data\n.word LATER\n.set n, 1\n.byte n\n.set n, n + 1\n.byte n\n.equ LATER, 0x1234\n')
    expect(hex(o.sections[1].data)).toBe('341200000102')
  })

  it('evaluates GNU operator precedence: | binds tighter than +', () => {
    expect(hex(text('.data\n.byte 1 | 2 + 4\n').sections[1].data)).toBe('07')
    expect(hex(text('.data\n.byte (1 | 2) * 3 == 9\n').sections[1].data)).toBe('ff')
  })

  it('records relocations with their source location', () => {
    const o = text('nop\ncall printf@plt\n')
    expect(o.sections[0].relocs[0]).toMatchObject({ offset: 2, type: 19, loc: { file: 't.s', line: 2 } })
    expect(o.symbols[o.sections[0].relocs[0].symbol]).toMatchObject({ name: 'printf', section: 'undef', bind: 'global' })
  })

  it('gives symbols sizes and types from .size and .type', () => {
    const o = text('.globl f\n.type f, @function\nf: nop\nret\n.size f, . - f\n')
    expect(o.symbols.find((s) => s.name === 'f')).toMatchObject({ section: 0, value: 0n, size: 4n, bind: 'global', type: 'func' })
  })

  it('accepts ; as a statement separator and # comments', () => {
    expect(hex(text('nop; nop # two nops ; not a third\n').sections[0].data)).toBe('01000100')
  })
})
