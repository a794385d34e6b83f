/**
 * Errors are values with file:line:column, a stable code and a hint; several per file.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../src/main/toolchain/asm'

function diag(src: string, file = 'bad.s') {
  const r = assemble(src, { file })
  return { object: r.object, list: r.diagnostics.map((d) => ({ code: d.code, line: d.loc?.line, column: d.loc?.column, message: d.message, hint: d.hint })) }
}

describe('assembler diagnostics', () => {
  it('suggests the closest mnemonic for an unknown instruction', () => {
    const { object, list } = diag('  addd a0, a1, a2\n')
    expect(object).toBeUndefined()
    expect(list).toEqual([{ code: 'asm.unknown_instruction', line: 1, column: 3, message: 'unknown instruction `addd`', hint: 'did you mean `addi`?' }])
  })

  it('reports a wrong operand count with the usage', () => {
    const { list } = diag('addi a0, a1\n')
    expect(list[0]).toMatchObject({ code: 'asm.operand_count', line: 1, hint: 'usage: addi rd,rs1,imm' })
  })

  it('says the range of an out-of-range immediate', () => {
    const { list } = diag('nop\naddi a0, a1, 5000\n')
    expect(list[0]).toMatchObject({ code: 'asm.imm_range', line: 2, column: 14 })
    expect(list[0].message).toContain('-2048..2047')
  })

  it('names a bad register operand', () => {
    expect(diag('lw a0, 4(a9)\n').list[0]).toMatchObject({ code: 'asm.bad_expression', message: 'unknown register `a9`' })
    expect(diag('add a0, a1, mstatus\n').list[0].code).toBe('asm.bad_operand')
    expect(diag('c.lw a0, 4(sp)\n').list[0].code).toBe('asm.bad_operand')
  })

  it('reports undefined local labels, backward at the use and forward at the end', () => {
    const { list } = diag('beqz a0, 2b\nj 1f\nnop\n')
    expect(list.map((d) => [d.code, d.line])).toEqual([['asm.undefined_local_label', 1], ['asm.undefined_local_label', 2]])
  })

  it('reports unterminated .rept, .macro and #if', () => {
    expect(diag('.rept 2\nnop\n').list[0]).toMatchObject({ code: 'asm.unterminated_block', line: 1 })
    expect(diag('.macro m\nnop\n').list[0]).toMatchObject({ code: 'asm.unterminated_block', line: 1 })
    expect(diag('#if 1\nnop\n', 'x.S').list[0]).toMatchObject({ code: 'asm.unterminated_if', line: 1 })
  })

  it('suggests a directive for a misspelled one', () => {
    expect(diag('.quadd 1\n').list[0]).toMatchObject({ code: 'asm.unknown_directive', hint: 'did you mean `.quad`?' })
  })

  it('stops runaway macro recursion and huge .rept with a diagnostic', () => {
    expect(diag('.macro r\nr\n.endm\nr\n').list[0].code).toBe('asm.recursion')
    expect(diag('.rept 1 << 40\nnop\n.endr\n').list[0].code).toBe('asm.bad_directive')
  })

  it('collects several errors in one file', () => {
    const { list } = diag('addd a0\nli a0, undefined_later\n.foo\nsub a0, a1\nnop\nbeq a0, a1, 7\n')
    expect(list.map((d) => d.line)).toEqual([1, 2, 3, 4, 6])
  })

  it('rejects li of a symbol and points to la', () => {
    expect(diag('li a0, msg\nmsg: nop\n').list[0].hint).toContain('la rd, symbol')
  })

  it('reports a symbol defined twice with the first location', () => {
    expect(diag('a: nop\na: nop\n').list[0]).toMatchObject({ code: 'asm.symbol_redefined', line: 2, hint: 'first defined at bad.s:1' })
  })

  it('rejects data in a @nobits section', () => {
    expect(diag('.bss\n.word 1\n').list[0]).toMatchObject({ code: 'asm.nobits_data', message: 'attempt to store non-zero value in section `.bss`' })
    expect(diag('.bss\n.word 0\n.byte 0, 0\n').list).toEqual([])
  })

  it('reports a missing include with the path', () => {
    const r = assemble('#include "nope.h"\n', { file: 'a.S', readFile: () => undefined })
    expect(r.diagnostics[0]).toMatchObject({ code: 'asm.include_missing', loc: { file: 'a.S', line: 1 } })
  })

  it('reports an out-of-range branch', () => {
    const { list } = diag('beq a0, a1, far\n.space 5000\nfar: nop\n'.replace('.space', '.option norvc\n.space'))
    expect(list).toEqual([])
    const far = diag('1: nop\n.space 1<<21\nj 1b\n')
    expect(far.list[0]).toMatchObject({ code: 'asm.branch_range', line: 3 })
  })
})
