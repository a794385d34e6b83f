/**
 * The x86 differential suite: every fixture in test/fixtures/link-x86 is built by the real tools
 * (as --32/--64, nasm -felf32/-felf64, gcc -m32/-m64 -ffreestanding -c), then linked by Debian's
 * ld -m elf_i386/elf_x86_64 and by our linker from the same objects. Allocated sections, bytes,
 * symbols (values and sections), program headers, entry, class and machine must be identical;
 * fixtures with an `expect-error` file must fail in both, ours with that error code.
 */
import { describe, expect, it } from 'vitest'
import { gccX86, nasmOracle, rustcOracle, x86Ar, x86As, x86Ld } from '../../../support/oracles'
import { listX86Fixtures, runX86Fixture } from './x86-gnu'

const as = x86As()
const ld = x86Ld()
const nasm = nasmOracle()
const gcc = gccX86()
const ar = x86Ar()
const fixtures = listX86Fixtures()
const rustc = fixtures.some((f) => f.sources.some((s) => s.endsWith('.rs'))) ? rustcOracle() : undefined
const missing = as.missing || ld.missing || nasm.missing || gcc.missing || ar.missing

describe.skipIf(missing)('our linker against GNU ld -m elf_i386 / elf_x86_64', () => {
  const tools = () => ({ as: as.path!, ld: ld.path!, nasm: nasm.path!, gcc: gcc.path!, ar: ar.path!, rustc: rustc?.path })

  for (const fx of fixtures) {
    const needsRust = fx.sources.some((s) => s.endsWith('.rs'))
    if (needsRust && rustc?.missing) continue
    if (fx.expectError) {
      it(`${fx.name}: fails like GNU ld, with ${fx.expectError}`, () => {
        const r = runX86Fixture(fx, tools())
        expect(r.gnuOk, 'GNU ld should reject this fixture too').toBe(false)
        const errors = r.ours.diagnostics.filter((d) => d.severity === 'error')
        expect(errors.map((d) => d.code)).toContain(fx.expectError)
        for (const e of errors) expect(e.hint, `${e.code} should carry a hint`).toBeTruthy()
      })
    } else {
      it(`${fx.name}: same sections, bytes, symbols and program headers`, () => {
        const r = runX86Fixture(fx, tools())
        expect(r.gnuOk, r.gnuStderr).toBe(true)
        expect(r.ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        expect(r.differences).toEqual([])
      })
    }
  }
})
