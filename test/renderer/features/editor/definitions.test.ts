import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { findDefinitions, findLocalLabel, type SourceText } from '../../../../src/renderer/src/features/editor/definitions'
import { EXAMPLE_DIR } from '../../../../src/main/host/paths'

const example: SourceText[] = [
  { path: 'entry.S', language: 'riscv-asm' },
  { path: 'main.S', language: 'riscv-asm' },
  { path: 'linker.ld', language: 'gnu-ld' },
].map((f) => ({ ...f, text: readFileSync(join(EXAMPLE_DIR, f.path), 'utf8') }))

const lineOf = (path: string, text: string) => example.find((f) => f.path === path)!.text.split('\n').findIndex((l) => l.startsWith(text)) + 1

describe('definitions in the example kernel', () => {
  it('finds a label defined in another file', () => {
    expect(findDefinitions('rust_main', example)).toEqual([{ path: 'main.S', line: lineOf('main.S', 'rust_main:'), column: 1, endColumn: 10 }])
  })

  it('finds a linker-script symbol assignment, not its uses', () => {
    expect(findDefinitions('BASE_ADDRESS', example)).toEqual([{ path: 'linker.ld', line: lineOf('linker.ld', 'BASE_ADDRESS ='), column: 1, endColumn: 13 }])
    const end = findDefinitions('kernel_end', example)
    expect(end).toHaveLength(1)
    expect(end[0]).toMatchObject({ path: 'linker.ld', column: 5 })
  })

  it('finds an output section in the script', () => {
    const d = findDefinitions('.rodata', example)
    expect(d).toEqual([{ path: 'linker.ld', line: lineOf('linker.ld', '    .rodata :'), column: 5, endColumn: 12 }])
  })

  it('ignores comments, uses and longer names', () => {
    expect(findDefinitions('boot_stack', example).map((d) => `${d.path}:${d.line}`)).toEqual([`entry.S:${lineOf('entry.S', 'boot_stack:')}`])
    expect(findDefinitions('_start', example).map((d) => d.path)).toEqual(['entry.S'])
  })
})

describe('definition forms', () => {
  const asm = (text: string): SourceText[] => [{ path: 'a.S', language: 'riscv-asm', text }]
  it('knows labels after other labels, .set/.equ and = assignments', () => {
    expect(findDefinitions('b', asm('a: b: nop'))[0]).toMatchObject({ line: 1, column: 4 })
    expect(findDefinitions('N', asm('  .equ N, 4'))[0]).toMatchObject({ line: 1, column: 8 })
    expect(findDefinitions('M', asm('M = 3'))[0]).toMatchObject({ line: 1, column: 1 })
    expect(findDefinitions('x', asm('# x: not here\n  li a0, x'))).toEqual([])
  })

  it('knows PROVIDE and skips block comments in scripts', () => {
    const ld: SourceText[] = [{ path: 's.ld', language: 'gnu-ld', text: '/* end = 1;\n   still comment */\nPROVIDE(end = .);\nx == end;' }]
    expect(findDefinitions('end', ld)).toEqual([{ path: 's.ld', line: 3, column: 9, endColumn: 12 }])
  })
})

describe('numeric local labels', () => {
  const text = ['1:  nop', '    j 1b', '    j 1f', '1:  nop', '2:  j 2b', '    j 1b'].join('\n')
  it('resolves 1b to the nearest 1: before and 1f to the next one after', () => {
    expect(findLocalLabel('1b', text, 2, 'a.S')).toMatchObject({ line: 1, column: 1 })
    expect(findLocalLabel('1f', text, 3, 'a.S')).toMatchObject({ line: 4 })
    expect(findLocalLabel('1b', text, 6, 'a.S')).toMatchObject({ line: 4 })
  })

  it('takes a label on the reference’s own line for b', () => {
    expect(findLocalLabel('2b', text, 5, 'a.S')).toMatchObject({ line: 5, column: 1 })
    expect(findLocalLabel('3f', text, 1, 'a.S')).toBeUndefined()
  })
})
