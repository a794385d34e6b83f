/**
 * The location counter's limits (issue 10, item 12): a section whose addresses run past
 * 0xffffffffffffffff, or whose aligned start wraps to 0, and `.` moved backwards inside an output
 * section, are errors located at the script line that caused them — never a section at
 * 0x10000000000000000 or at 0. The same cases against GNU ld are fixtures in
 * test/fixtures/link/err-{dot-backwards-*,section-*-wraps}.
 */
import { describe, expect, it } from 'vitest'
import { link } from '../../../../src/main/toolchain/link/index'
import { tinyKernel } from './objects'

function errorsOf(text: string) {
  const r = link([tinyKernel()], { script: { file: 'kernel.ld', text } })
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  return { elf: r.elf, errors: errors.map((d) => ({ code: d.code, line: d.loc?.line, column: d.loc?.column, message: d.message, hint: d.hint })) }
}

describe('link: addresses stay inside the 64-bit address space', () => {
  it('refuses `. = 0xffffffffffffffff` before an aligned section (its start would wrap to 0), at the section, naming the assignment', () => {
    const { elf, errors } = errorsOf('SECTIONS {\n  . = 0xffffffffffffffff;\n  .text : { *(.text) }\n}')
    expect(elf).toBeUndefined()
    expect(errors[0]).toMatchObject({ code: 'link.address_wraps', line: 3, column: 3 })
    expect(errors[0].message).toBe('section .text VMA wraps around the address space: its start is past 0xffffffffffffffff (`.` was set at kernel.ld:2)')
    expect(errors[0].hint).toBeTruthy()
  })

  it('refuses a section that starts below the top but runs past it', () => {
    const { elf, errors } = errorsOf('SECTIONS {\n  . = 0xfffffffffffffffc;\n  .text : { *(.text) }\n}')
    expect(elf).toBeUndefined()
    expect(errors[0]).toMatchObject({ code: 'link.address_wraps', line: 3 })
    expect(errors[0].message).toContain('0xfffffffffffffffc + 12 bytes passes 0xffffffffffffffff')
  })

  it('refuses a load address (AT) that runs past the top, as an LMA wrap', () => {
    const { errors } = errorsOf('SECTIONS {\n  . = 0x80000000;\n  .text : AT(0xfffffffffffffff8) { *(.text) }\n}')
    expect(errors[0]).toMatchObject({ code: 'link.address_wraps', line: 3 })
    expect(errors[0].message).toMatch(/^section \.text LMA wraps/)
  })

  it('accepts a section that ends exactly at the top of the address space', () => {
    const { elf, errors } = errorsOf('SECTIONS {\n  . = 0xfffffffffffffff4;\n  .text : { *(.text) }\n  /DISCARD/ : { *(.data) *(.bss) }\n}')
    expect(errors.filter((e) => e.code === 'link.address_wraps')).toEqual([])
    expect(elf).toBeDefined()
  })
})

describe('link: `.` never moves backwards inside an output section', () => {
  const cases: [string, string, number, number][] = [
    ['`. -= 4` after the inputs', '  .text : { *(.text) . -= 4; }', 3, 22],
    ['`. = . - 8`', '  .text : { *(.text) . = . - 8; }', 3, 22],
    ['back to an absolute address', '  .text : { *(.text) . = ABSOLUTE(0x80000000); }', 3, 22],
    ['back to a symbol at the section start', '  .text : { start = .; *(.text) . = start; }', 3, 33],
    ['a section-relative offset behind the inputs', '  .text : { *(.text) . = 0x4; }', 3, 22],
    ['into the previous section', '  .text : { *(.text) }\n  .data : { . = ADDR(.text); *(.data) }', 4, 13],
    ['by wrapping past the top', '  .text : { *(.text) . = . + 0xffffffffffffffff; }', 3, 22],
  ]
  it.each(cases)('refuses %s, at the assignment', (_what, body, line, column) => {
    const { elf, errors } = errorsOf(`SECTIONS {\n  . = 0x80000000;\n${body}\n}`)
    expect(elf).toBeUndefined()
    expect(errors[0]).toMatchObject({ code: 'link.dot_backwards', line, column })
    expect(errors[0].message).toMatch(/^cannot move the location counter backwards \(from 0x[0-9a-f]+ to 0x[0-9a-f]+\) inside \.(text|data)$/)
  })

  it('lets `.` move backwards between sections, as GNU ld does', () => {
    const { errors } = errorsOf('SECTIONS {\n  . = 0x80000000;\n  .text : { *(.text) }\n  . = 0x70000000;\n  .data : { *(.data) }\n}')
    expect(errors.filter((e) => e.code === 'link.dot_backwards')).toEqual([])
  })
})
