import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { INSTRUCTIONS, ALLOWED_OVERLAPS } from '../../../../src/shared/isa/index'
import { generateDecoder, executedOps, compressedOps, opName } from '../../../../src/main/machine/hart/gen-decoder'

const hartDir = new URL('../../../../src/main/machine/hart/assembly/', import.meta.url)
const read = (f: string): string => readFileSync(fileURLToPath(new URL(f, hartDir)), 'utf8')
const cases = (src: string): Set<string> => new Set([...src.matchAll(/case G\.(OP_[A-Z0-9_]+):/g)].map((m) => m[1]))

describe('generated decoder', () => {
  it('the checked-in decode.generated.ts is what the generator makes from the ISA table today', () => {
    expect(read('decode.generated.ts')).toBe(generateDecoder())
  })

  it('gives every table row its own op constant', () => {
    const text = generateDecoder()
    for (const row of INSTRUCTIONS) expect(text).toContain(`export const ${opName(row.name)}: u16 =`)
  })

  it('executes every 32-bit row in the run loop (or in the FP unit)', () => {
    const handled = new Set([...cases(read('index.ts')), ...cases(read('fp.ts'))])
    const missing = executedOps().filter((op) => !handled.has(op))
    expect(missing).toEqual([])
  })

  it('expands every compressed row', () => {
    const handled = cases(read('decode.ts'))
    expect(compressedOps().filter((op) => !handled.has(op))).toEqual([])
  })

  it('has no two rows matching the same word unless the table declares the overlap', () => {
    const allowed = new Set(ALLOWED_OVERLAPS.map(([a, b]) => `${a}|${b}`))
    const bad: string[] = []
    for (const a of INSTRUCTIONS) {
      for (const b of INSTRUCTIONS) {
        if (a === b || a.length !== b.length) continue
        // Overlap: some word satisfies both (they agree on the bits both fix).
        const both = (a.mask & b.mask) >>> 0
        if (((a.match & both) >>> 0) !== ((b.match & both) >>> 0)) continue
        // The more specific row must be declared (ordering-suffixed AMOs are distinct: their aq/rl bits differ).
        const [spec, gen] = a.mask !== b.mask && ((a.mask & b.mask) >>> 0) === b.mask >>> 0 ? [a, b] : [b, a]
        if (!allowed.has(`${spec.name}|${gen.name}`)) bad.push(`${spec.name} ~ ${gen.name}`)
      }
    }
    expect([...new Set(bad)]).toEqual([])
  })
})
