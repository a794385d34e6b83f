/**
 * The GNU as x86 front end's per-file encoding cache (gas-x86/encoding-cache.ts) is only a
 * shortcut: assembling with it must give exactly what assembling every line afresh gives — the
 * same object (bytes, fixups resolved into relocations, symbols in the same order, line table) or
 * the same diagnostics. Checked on every fixture with each instruction line written twice (so
 * the second copy comes from the cache) and on mutated and random programs from the fuzz target,
 * each followed by a copy of itself.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assembleGasX86, type GasX86Options } from '../../../../../src/main/toolchain/asm/gas-x86'
import { elfOf } from './x86-as'
import { gasX86 } from './fuzz-target'

const FIXTURES = join(__dirname, '../../../../fixtures/gas-x86')
const fixtures = readdirSync(FIXTURES).filter((f) => /\.(s|S)$/.test(f)).sort()

/** Every line that is an instruction (a tab, then a letter) written twice. */
function doubled(src: string): string {
  return src.split('\n').flatMap((l) => (/^\t[a-z]/.test(l) ? [l, l] : [l])).join('\n')
}

function same(src: string, opts: GasX86Options): void {
  const cached = assembleGasX86(src, opts)
  const fresh = assembleGasX86(src, { ...opts, encodingCache: false })
  expect(cached.diagnostics).toEqual(fresh.diagnostics)
  expect(cached.object).toEqual(fresh.object)
}

describe('GNU as x86 encoding cache', () => {
  for (const f of fixtures) {
    it(`${f} with every instruction line twice: the same object as without the cache`, () => {
      const src = readFileSync(join(FIXTURES, f), 'utf8')
      const opts = { file: f, elf: elfOf(src) }
      const twice = doubled(src)
      // The doubled program is a real test only if it assembles (a fixture that does not is still compared).
      same(twice, opts)
      same(src, opts)
    })
  }

  it('changes nothing on 3 000 mutated and random programs, each followed by a copy of itself', () => {
    let objects = 0
    for (let i = 0; i < 3000; i++) {
      const { src, file, elf } = gasX86.input(i)
      const twice = `${src}\n${src}`
      same(twice, { file, elf })
      if (assembleGasX86(twice, { file, elf }).object) objects++
    }
    // Enough of them assemble for the comparison to reach the object writer.
    expect(objects).toBeGreaterThan(300)
  }, 120_000)
})
