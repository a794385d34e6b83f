/**
 * Compressed immediates: encode and decode walk one layout table, so every representable value
 * must survive encode → decode, and every encoding must survive decode → encode.
 */
import { describe, expect, it } from 'vitest'
import { INSTRUCTIONS, rvcImmDecode, rvcImmEncode, type RvcImm } from '../../../src/shared/isa'

const KINDS = [...new Set(INSTRUCTIONS.map((r) => r.imm).filter((k): k is RvcImm => !!k))]

describe('rvc immediates', () => {
  it('cover every compressed row that has an immediate', () => {
    expect(KINDS.length).toBe(13)
  })

  for (const kind of KINDS) {
    it(`${kind}: decode(encode(v)) = v for all encodable v, and encode rejects the rest`, () => {
      let encodable = 0
      for (let v = -5000; v <= 5000; v++) {
        const bits = rvcImmEncode(kind, v)
        if (bits === undefined) continue
        encodable++
        expect(bits & ~0x1ffc).toBe(0) // only bits 12..2 carry immediates
        expect(rvcImmDecode(kind, bits)).toBe(v)
      }
      expect(encodable).toBeGreaterThan(30)
    })

    it(`${kind}: encode(decode(bits)) = bits for every instruction-bit pattern`, () => {
      for (let bits = 0; bits < 1 << 13; bits += 4) {
        const v = rvcImmDecode(kind, bits)
        const again = rvcImmEncode(kind, v)
        expect(again).toBeDefined()
        expect(rvcImmDecode(kind, again!)).toBe(v)
      }
    })
  }

  it('knows the spec ranges of a few layouts', () => {
    expect(rvcImmEncode('rvc_addi16sp_imm', 496)).toBeDefined()
    expect(rvcImmEncode('rvc_addi16sp_imm', 512)).toBeUndefined()
    expect(rvcImmEncode('rvc_addi16sp_imm', 24)).toBeUndefined()
    expect(rvcImmEncode('rvc_ldsp_imm', 504)).toBeDefined()
    expect(rvcImmEncode('rvc_ldsp_imm', 4)).toBeUndefined()
    expect(rvcImmEncode('rvc_b_imm', -256)).toBeDefined()
    expect(rvcImmEncode('rvc_b_imm', 256)).toBeUndefined()
    expect(rvcImmEncode('rvc_j_imm', 2046)).toBeDefined()
  })
})
