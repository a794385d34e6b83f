/**
 * GNU as for x86 against Debian's `as --32` / `as --64`: every program in test/fixtures/gas-x86/
 * (boot code in the style of both seeds, 16/32/64-bit, AT&T and Intel syntax, relocations,
 * relaxation, alignment) and every GNU as source of the linker fixtures (test/fixtures/link-x86/)
 * gives the same section bytes, symbols and relocations.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assembleGasX86 } from '../../../../../src/main/toolchain/asm/gas-x86'
import { oracle, x86As } from '../../../../support/oracles'
import { summarize } from '../gnu-object'
import { elfOf, x86AsAssemble } from './x86-as'

const FIXTURES = join(__dirname, '../../../../fixtures/gas-x86')
const LINK_FIXTURES = join(__dirname, '../../../../fixtures/link-x86')

interface Program { name: string; path: string; elf: 32 | 64 }
const own: Program[] = readdirSync(FIXTURES).filter((f) => /\.(s|S)$/.test(f)).sort().map((f) => {
  const path = join(FIXTURES, f)
  return { name: f, path, elf: elfOf(readFileSync(path, 'utf8')) }
})
const fromLinker: Program[] = readdirSync(LINK_FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => {
  const dir = join(LINK_FIXTURES, d.name)
  const elf = readFileSync(join(dir, 'target'), 'utf8').trim() === 'x86_64' ? 64 : 32
  return readdirSync(dir).filter((f) => /\.(s|S)$/.test(f)).map((f) => ({ name: `link-x86/${d.name}/${f}`, path: join(dir, f), elf }) as Program)
})

describe('GNU as x86 fixture corpus', () => {
  it('has seed-style boot code: Multiboot 1 and 2, the higher-half stub, the long-mode switch, 16-bit code, Intel syntax', () => {
    expect([...own, ...fromLinker].map((p) => p.name)).toEqual(expect.arrayContaining([
      'link-x86/seed-000-higher-half-i386/boot.S', 'link-x86/osdev-bare-bones-i386/boot.s', 'multiboot2-long-mode.s', 'real-mode-16.s', 'intel-syntax.s',
    ]))
    expect(own.length + fromLinker.length).toBeGreaterThanOrEqual(30)
  })
})

const as = x86As()
const cpp = oracle('cpp', 'cpp')
describe.skipIf(as.missing || cpp.missing)('GNU as x86 front end output equals as --32/--64', () => {
  for (const p of [...own, ...fromLinker]) {
    it(`${p.name} (--${p.elf}): same sections, symbols and relocations`, () => {
      const src = readFileSync(p.path, 'utf8')
      const ours = assembleGasX86(src, { file: p.name.split('/').pop()!, elf: p.elf })
      expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
      const theirs = x86AsAssemble(as.path!, src, p.elf, p.name.split('/').pop())
      expect(theirs.object, theirs.stderr).toBeDefined()
      expect(summarize(ours.object!)).toEqual(summarize(theirs.object!))
    }, 30_000)
  }
})
