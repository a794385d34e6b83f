/**
 * Differential test against GNU `as -march=rv64gc -mno-relax` (binutils 2.40): every program in
 * test/fixtures/asm/ must give the same section bytes, symbols (name, section, value, binding,
 * type, size) and relocations (offset, type, symbol name, addend) as GNU's object file.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../src/main/toolchain/asm'
import { gnuAs } from '../../../support/oracles'
import { gnuAssemble, summarize } from './gnu-object'

const FIXTURES = join(__dirname, '../../../fixtures/asm')
const files = readdirSync(FIXTURES).filter((f) => /\.(s|S)$/.test(f)).sort()

describe('fixture corpus', () => {
  it('has at least 20 programs, including the seed 004 kernel entry', () => {
    expect(files.length).toBeGreaterThanOrEqual(20)
    expect(files).toContain('seed-004-entry.S')
  })
})

const as = gnuAs()
describe.skipIf(as.missing)('assembler output equals GNU as', () => {
  for (const f of files) {
    it(`${f}: same sections, symbols and relocations`, () => {
      const src = readFileSync(join(FIXTURES, f), 'utf8')
      const ours = assemble(src, { file: f })
      expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
      const gnu = gnuAssemble(as.path!, src, f)
      expect(gnu.stderr).toBe('')
      expect(summarize(ours.object!)).toEqual(summarize(gnu.object!))
    })
  }
})
