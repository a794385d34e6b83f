/**
 * Phase 1 of the differential suite: every program + script in test/fixtures/link is assembled
 * by GNU as, then linked by GNU ld --no-relax and by our linker. Allocated section addresses,
 * sizes and bytes, symbol values, PT_LOAD headers and the entry point must be identical.
 * Fixtures with an `expect-error` file must fail in both linkers, ours with that error code.
 */
import { describe, expect, it } from 'vitest'
import { gnuAs, gnuLd } from '../../../support/oracles'
import { listFixtures, runFixture, SYMBOL_SECTION_GAPS } from './gnu'

const as = gnuAs()
const ld = gnuLd()
const fixtures = listFixtures()

describe.skipIf(as.missing || ld.missing)('our linker against GNU ld --no-relax (GNU as objects)', () => {
  it('has a corpus of at least 40 programs', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40)
  })

  for (const fx of fixtures) {
    if (fx.expectError) {
      it(`${fx.name}: fails like GNU ld, with ${fx.expectError}`, () => {
        const r = runFixture(fx, as.path!, ld.path!)
        expect(r.gnuOk, 'GNU ld should reject this fixture too').toBe(false)
        const errors = r.ours.diagnostics.filter((d) => d.severity === 'error')
        expect(errors.map((d) => d.code)).toContain(fx.expectError)
        for (const e of errors) {
          expect(e.hint, `${e.code} should carry a hint`).toBeTruthy()
          // GNU objects carry no source lines, so relocation errors name object, section and offset instead.
          if (fx.script && /script|assert|region|expression/.test(e.code + e.message)) expect(e.loc?.file).toBe('script.ld')
          else expect(e.loc ?? /\.o at offset 0x|in \S+ of \S+\.o/.test(e.message)).toBeTruthy()
        }
      })
    } else {
      const gap = SYMBOL_SECTION_GAPS[fx.name]
      it(`${fx.name}: same sections, bytes, symbols${gap ? ' (values only)' : ' (values and sections)'} and program headers`, () => {
        const r = runFixture(fx, as.path!, ld.path!, { ignoreSymbolSections: !!gap })
        expect(r.gnuStderr.replace(/.*LOAD segment with RWX permissions\n?/g, '')).toBe('')
        expect(r.gnuOk).toBe(true)
        expect(r.ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        expect(r.differences).toEqual([])
        if (gap) expect(runFixture(fx, as.path!, ld.path!).differences.length, `fixed? remove ${fx.name} from SYMBOL_SECTION_GAPS`).toBeGreaterThan(0)
      })
    }
  }
})
