/**
 * Phase 2 of the differential suite: the same fixtures built entirely by us (`build`: our
 * assembler + our linker) against GNU as + GNU ld --no-relax. Fixtures assembled with
 * relaxation on (their own `as-flags`) are phase-1 only: our assembler never emits R_RISCV_ALIGN.
 */
import { describe, expect, it } from 'vitest'
import { gnuAs, gnuLd } from '../../../support/oracles'
import { listFixtures, runFixtureOurs, SYMBOL_SECTION_GAPS } from './gnu'

const as = gnuAs()
const ld = gnuLd()

/**
 * Fixtures our assembler cannot yet reproduce, with the reason. Each is still run and must still
 * differ: when the assembler catches up the test fails and asks for the entry to be removed.
 */
const ASSEMBLER_GAPS: Record<string, string> = {
}

const fixtures = listFixtures().filter((f) => f.asFlags.join(' ') === '-march=rv64gc -mno-relax')

describe.skipIf(as.missing || ld.missing)('our as + our ld against GNU as + GNU ld', () => {
  for (const fx of fixtures) {
    const gap = ASSEMBLER_GAPS[fx.name]
    if (gap) {
      it(`${fx.name}: still differs (${gap})`, () => {
        const r = runFixtureOurs(fx, as.path!, ld.path!)
        const errs = r.buildDiagnostics.filter((d) => d.severity === 'error')
        expect(errs.length + r.differences.length, 'the gap is closed: remove it from ASSEMBLER_GAPS').toBeGreaterThan(0)
      })
    } else if (fx.expectError) {
      it(`${fx.name}: fails like GNU, with ${fx.expectError}`, () => {
        const r = runFixtureOurs(fx, as.path!, ld.path!)
        expect(r.gnuOk).toBe(false)
        expect(r.buildDiagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toContain(fx.expectError)
      })
    } else {
      it(`${fx.name}: identical sections, bytes, symbols and program headers`, () => {
        const r = runFixtureOurs(fx, as.path!, ld.path!, { ignoreSymbolSections: fx.name in SYMBOL_SECTION_GAPS })
        expect(r.gnuOk).toBe(true)
        expect(r.buildDiagnostics.filter((d) => d.severity === 'error')).toEqual([])
        expect(r.differences).toEqual([])
      })
    }
  }
})
