/**
 * Differential test against Debian's `nasm -f elf64` / `-f elf32` (NASM 2.16): every program
 * in test/fixtures/nasm/ must give the same section bytes, symbols (name, section, value,
 * binding, type, size) and relocations (offset, type, symbol, addend) as nasm's object file.
 * A fixture whose first lines say `; format: elf32` is assembled as elf32.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assembleNasm } from '../../../../../src/main/toolchain/asm/nasm'
import { nasmOracle } from '../../../../support/oracles'
import { summarize } from '../gnu-object'
import { nasmAssemble } from './nasm-object'

const FIXTURES = join(__dirname, '../../../../fixtures/nasm')
const files = readdirSync(FIXTURES).filter((f) => /\.(asm|nasm)$/.test(f)).sort()
const formatOf = (src: string): 'elf32' | 'elf64' => (/^;\s*format:\s*elf32/m.test(src.slice(0, 200)) ? 'elf32' : 'elf64')

describe('NASM fixture corpus', () => {
  it('has the seed 002 boot code: Multiboot 2 header, 32-bit entry with the long-mode switch, 64-bit init', () => {
    expect(files).toEqual(expect.arrayContaining(['seed-002-multiboot-header.asm', 'seed-002-boot.asm', 'seed-002-long-mode-init.asm', 'real-mode-16.asm']))
  })
})

const nasm = nasmOracle()
describe.skipIf(nasm.missing)('NASM front end output equals nasm', () => {
  for (const f of files) {
    it(`${f}: same sections, symbols and relocations`, () => {
      const src = readFileSync(join(FIXTURES, f), 'utf8')
      const format = formatOf(src)
      const ours = assembleNasm(src, { file: f, format })
      expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
      const theirs = nasmAssemble(nasm.path!, src, format, f)
      expect(theirs.object, theirs.stderr).toBeDefined()
      expect(summarize(ours.object!)).toEqual(summarize(theirs.object!))
    })
  }
})
