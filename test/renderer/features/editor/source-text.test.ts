import { describe, expect, it } from 'vitest'
import { asmContext, commentStart, wordAt } from '../../../../src/renderer/src/features/editor/source-text'

describe('word at a position', () => {
  const line = '    lui t0, %hi(rust_main)   # jump high'

  it('takes the whole name under the cursor, with 1-based columns', () => {
    const col = line.indexOf('rust_main') + 3
    expect(wordAt(line, col, 'riscv-asm')).toEqual({ word: 'rust_main', start: line.indexOf('rust_main') + 1, end: line.indexOf('rust_main') + 10 })
  })

  it('takes the word just before the cursor when the cursor follows it', () => {
    const end = line.indexOf('rust_main') + 'rust_main'.length + 1
    expect(wordAt(line, end, 'riscv-asm')?.word).toBe('rust_main')
  })

  it('keeps dots in mnemonics and section names and the % of relocation operators', () => {
    expect(wordAt('    sfence.vma', 8, 'riscv-asm')?.word).toBe('sfence.vma')
    expect(wordAt('    .section .text.entry', 16, 'riscv-asm')?.word).toBe('.text.entry')
    expect(wordAt(line, line.indexOf('hi') + 1, 'riscv-asm')?.word).toBe('%hi')
  })

  it('finds nothing in comments, strings or whitespace', () => {
    expect(wordAt(line, line.indexOf('jump') + 2, 'riscv-asm')).toBeUndefined()
    expect(wordAt('    .asciz "Hello from the higher half"', 20, 'riscv-asm')).toBeUndefined()
    expect(wordAt('a    b', 3, 'riscv-asm')).toBeUndefined()
    expect(wordAt('    . = ALIGN(4K); /* kernel_end */', 25, 'gnu-ld')).toBeUndefined()
  })

  it('reads linker-script names', () => {
    const ld = '    .text : AT(ADDR(.text) - 0xffffffff00000000) {'
    expect(wordAt(ld, ld.indexOf('ADDR') + 2, 'gnu-ld')?.word).toBe('ADDR')
    expect(wordAt(ld, ld.indexOf('(.text') + 3, 'gnu-ld')?.word).toBe('.text')
  })
})

describe('comment start', () => {
  it('knows # and // comments in assembly, but not inside strings or on preprocessor lines', () => {
    expect(commentStart('li a0, 1 # one', 'riscv-asm')).toBe(9)
    expect(commentStart('li a0, 1 // one', 'riscv-asm')).toBe(9)
    expect(commentStart('.asciz "a # b"', 'riscv-asm')).toBe(14)
    expect(commentStart('#include "x.h"', 'riscv-asm')).toBe(14)
  })

  it('knows only /* in linker scripts', () => {
    expect(commentStart('x = 1; # not a comment', 'gnu-ld')).toBe(22)
    expect(commentStart('x = 1; /* c */', 'gnu-ld')).toBe(7)
  })
})

describe('assembly context', () => {
  it('is a statement at the start of a line, also after labels', () => {
    expect(asmContext('    sfe')).toEqual({ kind: 'statement', prefix: 'sfe' })
    expect(asmContext('1:  .sec')).toEqual({ kind: 'statement', prefix: '.sec' })
    expect(asmContext('loop: ')).toEqual({ kind: 'statement', prefix: '' })
  })

  it('counts operands by top-level commas', () => {
    expect(asmContext('    csrw sa')).toEqual({ kind: 'operand', mnemonic: 'csrw', index: 0, prefix: 'sa' })
    expect(asmContext('    csrrw a0, ')).toEqual({ kind: 'operand', mnemonic: 'csrrw', index: 1, prefix: '' })
    expect(asmContext('    lw a0, 8(s')).toEqual({ kind: 'operand', mnemonic: 'lw', index: 1, prefix: 's' })
    expect(asmContext('    lui t0, %h')).toEqual({ kind: 'operand', mnemonic: 'lui', index: 1, prefix: '%h' })
  })

  it('is a comment after #', () => {
    expect(asmContext('    li a0, 1 # set ')).toEqual({ kind: 'comment' })
  })
})
