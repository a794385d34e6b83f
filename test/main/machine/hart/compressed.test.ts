import { describe, it, expect } from 'vitest'
import { INSTRUCTIONS, rvcImmDecode, findRow } from '../../../../src/shared/isa/index'
import { Hart } from '../../../../src/main/machine/hart/hart'
import { ensureWasm } from './run-asm'

/** Deterministic pseudo-random 16-bit words. */
function* words(seed: number, n: number): Generator<number> {
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    yield s >>> 16
  }
}

describe('compressed expansion', () => {
  it('extracts the same immediate as the ISA table for every compressed row with an immediate', () => {
    ensureWasm()
    const hart = new Hart({ ramSize: 1 << 16 })
    const rows = INSTRUCTIONS.filter((r) => r.length === 2 && r.imm)
    const mismatches: string[] = []
    for (const row of rows) {
      for (const w of words(row.match, 400)) {
        const h = ((w & ~row.mask) | row.match) & 0xffff
        if (findRow(h) !== row) continue // a more specific row owns this word (c.lui with rd = sp is c.addi16sp)
        const d = hart.decode(h)
        if (d.op === 0) continue // reserved encoding (e.g. a zero immediate where it must be nonzero)
        let want = BigInt(rvcImmDecode(row.imm!, h))
        if (row.imm === 'rvc_lui_imm') want <<= 12n
        if (d.imm !== want) mismatches.push(`${row.name} 0x${h.toString(16)}: ${d.imm} ≠ ${want}`)
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([])
  })

  it('treats the reserved encodings as illegal', () => {
    ensureWasm()
    const hart = new Hart({ ramSize: 1 << 16 })
    expect(hart.decode(0x0000).op).toBe(0) // all-zero parcel
    expect(hart.decode(0x6101 & ~0x107c).op).toBe(0) // c.addi16sp with nzimm = 0
    expect(hart.decode(0x4002).op).toBe(0) // c.lwsp rd = x0
    expect(hart.decode(0x8002).op).toBe(0) // c.jr rs1 = x0
    expect(hart.decode(0x6001).op).toBe(0) // c.lui with nzimm = 0
    expect(hart.decode(0x0001).op).not.toBe(0) // c.nop is legal
    expect(hart.decode(0x0001).len).toBe(2)
  })
})
