/**
 * The ISA table is the single source of encodings for the assembler, the disassembler and the
 * hart's decoder, so its invariants are checked here: well-formed rows, no undeclared overlaps,
 * and agreement with GNU binutils on every row.
 */
import { describe, expect, it } from 'vitest'
import { ALLOWED_OVERLAPS, INSTRUCTIONS, findRow, rowByName } from '../../../src/shared/isa'
import { gnuAs } from '../../support/oracles'
import { gnuDisassemble } from './gnu-tools'
import { sampleLine } from './samples'

describe('ISA table rows', () => {
  it('have no match bits outside their mask', () => {
    for (const r of INSTRUCTIONS) expect({ name: r.name, stray: (r.match & ~r.mask) >>> 0 }).toEqual({ name: r.name, stray: 0 })
  })

  it('have unique names and a length matching their low bits', () => {
    expect(new Set(INSTRUCTIONS.map((r) => r.name)).size).toBe(INSTRUCTIONS.length)
    for (const r of INSTRUCTIONS) expect([r.name, (r.match & 3) === 3 ? 4 : 2]).toEqual([r.name, r.length])
  })

  it('cover RV64GC: counts per extension', () => {
    const count = (ext: string) => INSTRUCTIONS.filter((r) => r.ext === ext).length
    expect(count('A')).toBe(88) // 22 operations × {'', .aq, .rl, .aqrl}
    expect(count('M')).toBe(13)
    expect(count('F')).toBe(30)
    expect(count('D')).toBe(32)
    expect(count('Zicsr')).toBe(6)
    for (const n of ['c.ld', 'c.sd', 'c.ldsp', 'c.sdsp', 'c.fld', 'c.fsd', 'c.addiw', 'c.subw', 'c.addw', 'c.nop', 'c.ebreak', 'fence.i', 'sfence.vma', 'amoadd.w.aqrl', 'fcvt.l.d', 'wfi', 'mret', 'sret'])
      expect(rowByName(n), n).toBeDefined()
  })

  it('do not overlap unless the overlap is declared', () => {
    const allowed = new Set(ALLOWED_OVERLAPS.map(([a, b]) => `${a}|${b}`))
    const bad: string[] = []
    for (const a of INSTRUCTIONS) {
      for (const b of INSTRUCTIONS) {
        if (a === b || a.length !== b.length) continue
        const common = a.mask & b.mask
        if (((a.match & common) >>> 0) !== ((b.match & common) >>> 0)) continue
        // Overlap: some word matches both. The more specific must be declared against the other.
        const specific = a.mask !== b.mask && ((a.mask | b.mask) >>> 0) === a.mask >>> 0 ? a : b
        const general = specific === a ? b : a
        if (!allowed.has(`${specific.name}|${general.name}`)) bad.push(`${a.name} ~ ${b.name}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('findRow returns the most specific row for overlapping encodings', () => {
    expect(findRow(0x0001)?.name).toBe('c.nop')
    expect(findRow(0x0505)?.name).toBe('c.addi') // addi a0,a0,1
    expect(findRow(0x9002)?.name).toBe('c.ebreak')
    expect(findRow(0x9502)?.name).toBe('c.jalr') // jalr a0
    expect(findRow(0x8082)?.name).toBe('c.jr') // ret
    expect(findRow(0x852e)?.name).toBe('c.mv')
    expect(findRow(0x6141)?.name).toBe('c.addi16sp')
    expect(findRow(0x8330000f)?.name).toBe('fence.tso')
    expect(findRow(0x0ff0000f)?.name).toBe('fence')
    expect(findRow(0x0000)).toBeUndefined()
    expect(findRow(0xffffffff)).toBeUndefined()
  })
})

/** Where GNU's `-M no-aliases` name differs from the table's spec name, and why. */
const GNU_NO_ALIAS_NAME: Record<string, string> = {
  'c.nop': 'c.addi', // binutils has no separate no-alias row for c.nop: it prints `c.addi zero,0`
}

/** Deterministic xorshift32, so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5
    return (x >>>= 0)
  }
}

const as = gnuAs()
describe.skipIf(as.missing)('ISA table agrees with GNU binutils', () => {
  it('every row assembles with GNU as and findRow names what objdump -M no-aliases names', () => {
    const src = INSTRUCTIONS.map((r) => `.option ${r.length === 2 ? 'rvc' : 'norvc'}\n${sampleLine(r)}`).join('\n') + '\n'
    const dis = gnuDisassemble(as.path!, src, ['-M', 'no-aliases'])
    expect(dis.length).toBe(INSTRUCTIONS.length)
    const mismatches: string[] = []
    dis.forEach((d, i) => {
      const want = INSTRUCTIONS[i]
      const got = findRow(d.word)
      if (d.mnemonic !== (GNU_NO_ALIAS_NAME[want.name] ?? want.name) || got?.name !== want.name) mismatches.push(`${sampleLine(want)} → objdump ${d.text}, findRow ${got?.name}`)
    })
    expect(mismatches).toEqual([])
  })

  it('decodes random words exactly as objdump does (same row, or both reject)', () => {
    const next = rng(0xb007)
    const opcodes = [...new Set(INSTRUCTIONS.filter((r) => r.length === 4).map((r) => r.match & 0x7f))]
    const words: number[] = []
    for (let i = 0; i < 20000; i++) {
      const w = next()
      if (i % 2 === 0) words.push(((w & ~0x7f) | opcodes[w % opcodes.length]) >>> 0)
      else words.push((w & 0xffff) === 0 || (w & 3) === 3 ? 0x0001 : w & 0xffff)
    }
    const src = words.map((w) => (w & 3) === 3 ? `.insn 4, 0x${w.toString(16)}` : `.insn 2, 0x${w.toString(16)}`).join('\n') + '\n'
    const dis = gnuDisassemble(as.path!, src, ['-M', 'no-aliases'])
    expect(dis.length).toBe(words.length)
    const mismatches: string[] = []
    for (const d of dis) {
      const gnuName = d.mnemonic.startsWith('.') ? undefined : d.mnemonic
      const row = findRow(d.word)
      const ours = row ? (GNU_NO_ALIAS_NAME[row.name] ?? row.name) : undefined
      if (gnuName !== ours) mismatches.push(`0x${d.word.toString(16)}: objdump ${d.text}, findRow ${row?.name}`)
    }
    expect(mismatches.slice(0, 40)).toEqual([])
  })
})
