/**
 * Macro, #define, .rept and .irp expansion is bounded (issue 10, item 8): text that would double
 * at every level stops with one error at the line that started it, instead of running for hours.
 * Each of these ran for minutes or exhausted memory before the bounds.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../src/main/toolchain/asm'
import { MAX_EXPANDED_CHARS, MAX_EXPANDED_STATEMENTS } from '../../../../src/main/toolchain/asm/assembler'

function errorsOf(src: string, file = 'bomb.S') {
  const r = assemble(src, { file })
  expect(r.object).toBeUndefined()
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.loc?.line, column: d.loc?.column, message: d.message, hint: d.hint }))
}

const doubling = (levels: number) => {
  let s = '#define A0 1\n'
  for (let n = 0; n < levels; n++) s += `#define A${n + 1} A${n}+A${n}\n`
  return s + `  .word A${levels}\n`
}

describe('bounded expansion', () => {
  it('stops doubling #defines (A40 = 2^40 copies) with one error at the use, naming the macro', () => {
    const errors = errorsOf(doubling(40))
    expect(errors).toEqual([
      expect.objectContaining({ code: 'asm.macro_too_large', line: 42, column: 9, message: 'expanding `A40` produces more than 1 MiB of text' }),
    ])
    expect(errors[0].hint).toMatch(/doubles/)
  })

  it('still expands a #define chain of reasonable size', () => {
    const r = assemble(doubling(10), { file: 'ok.S' })
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(r.object).toBeDefined()
  })

  it('stops a GNU macro whose argument doubles at every level, at the invocation', () => {
    const errors = errorsOf('.macro m a\n  m \\a\\a\n.endm\n  m x\n', 'double.s')
    expect(errors[0]).toMatchObject({ code: 'asm.too_large', line: 4, message: `macros, .rept and .irp expand to more than ${MAX_EXPANDED_CHARS / (1 << 20)} MiB of text` })
  })

  it('stops a macro that invokes itself twice per level (2^40 invocations), at the invocation', () => {
    const errors = errorsOf('.macro m d\n.if \\d\n  m \\d-1\n  m \\d-1\n.endif\n.endm\n  m 40\n', 'fanout.s')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'asm.too_large', line: 7 })
  })

  it('stops nested .rept blocks at the line budget', () => {
    const errors = errorsOf('.rept 100000\n.rept 100000\nnop\n.endr\n.endr\n', 'rept.s')
    expect(errors).toEqual([expect.objectContaining({ code: 'asm.too_large', line: 1, message: `macros, .rept and .irp expand to more than ${MAX_EXPANDED_STATEMENTS} lines` })])
  })
})
