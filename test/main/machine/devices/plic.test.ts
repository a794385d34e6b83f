import { describe, expect, it } from 'vitest'
import { Plic, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE_BYTES, PLIC_ENABLE, PLIC_ENABLE_STRIDE_BYTES, PLIC_PENDING } from '../../../../src/main/machine/devices/plic'

const ctxReg = (ctx: number, reg: number) => PLIC_CONTEXT + ctx * PLIC_CONTEXT_STRIDE_BYTES + reg

function setup() {
  const lines = new Map<number, boolean>()
  const plic = new Plic((bit, level) => lines.set(bit, level))
  return { plic, lines, w: (off: number, v: number) => plic.write(off, 4, BigInt(v)), r: (off: number) => Number(plic.read(off, 4)) }
}

describe('Plic', () => {
  it('shows a raised source in the pending bitmap', () => {
    const p = setup()
    p.plic.setSourceLevel(10, true)
    expect(p.r(PLIC_PENDING) >>> 10).toBe(1)
  })

  it('asserts SEIP for context 1 only when the source is enabled there with priority above threshold', () => {
    const p = setup()
    p.plic.setSourceLevel(10, true)
    expect(p.lines.get(9)).toBeUndefined()
    p.w(10 * 4, 1) // priority
    expect(p.lines.get(9)).toBeUndefined()
    p.w(PLIC_ENABLE + PLIC_ENABLE_STRIDE_BYTES, 1 << 10)
    expect(p.lines.get(9)).toBe(true)
    expect(p.lines.get(11)).toBeUndefined()
    p.w(ctxReg(1, 0), 1) // threshold 1 masks priority 1
    expect(p.lines.get(9)).toBe(false)
  })

  it('claims the highest-priority source and holds it until complete', () => {
    const p = setup()
    p.w(1 * 4, 2)
    p.w(10 * 4, 5)
    p.w(PLIC_ENABLE, (1 << 1) | (1 << 10)) // context 0 (M)
    p.plic.setSourceLevel(1, true)
    p.plic.setSourceLevel(10, true)
    expect(p.lines.get(11)).toBe(true)
    expect(p.r(ctxReg(0, 4))).toBe(10)
    expect(p.r(ctxReg(0, 4))).toBe(1)
    expect(p.r(ctxReg(0, 4))).toBe(0)
    expect(p.lines.get(11)).toBe(false)
    p.w(ctxReg(0, 4), 1)
    p.w(ctxReg(0, 4), 10)
    expect(p.lines.get(11)).toBe(false)
  })

  it('does not re-raise a source on completion while its wire stays high (QEMU’s gateway)', () => {
    const p = setup()
    p.w(10 * 4, 1)
    p.w(PLIC_ENABLE, 1 << 10)
    p.plic.setSourceLevel(10, true)
    expect(p.r(ctxReg(0, 4))).toBe(10)
    p.w(ctxReg(0, 4), 10) // complete: the wire is still high, but nobody drove it again
    expect(p.lines.get(11)).toBe(false)
    expect(p.r(ctxReg(0, 4))).toBe(0)
    expect(p.r(PLIC_PENDING) >>> 10).toBe(0)
  })

  it('makes a source pending again each time its device drives the wire high, even while claimed', () => {
    const p = setup()
    p.w(10 * 4, 1)
    p.w(PLIC_ENABLE, 1 << 10)
    p.plic.setSourceLevel(10, true)
    expect(p.r(ctxReg(0, 4))).toBe(10)
    p.plic.setSourceLevel(10, true) // driven again during the handler (a THR write)
    expect(p.lines.get(11)).toBe(false) // still claimed: not offered yet
    p.w(ctxReg(0, 4), 10)
    expect(p.lines.get(11)).toBe(true)
    expect(p.r(ctxReg(0, 4))).toBe(10)
  })

  it('drops a pending request when the device lowers its wire before the claim', () => {
    const p = setup()
    p.w(10 * 4, 1)
    p.w(PLIC_ENABLE, 1 << 10)
    p.plic.setSourceLevel(10, true)
    p.plic.setSourceLevel(10, false)
    expect(p.lines.get(11)).toBe(false)
    expect(p.r(ctxReg(0, 4))).toBe(0)
  })

  it('clamps priorities to 3 bits and keeps source 0 unusable', () => {
    const p = setup()
    p.w(3 * 4, 0xff)
    expect(p.r(3 * 4)).toBe(7)
    p.w(PLIC_ENABLE, 0xffff_ffff)
    expect(p.r(PLIC_ENABLE) & 1).toBe(0)
  })

  it('ignores a completion for a source not enabled in that context', () => {
    const p = setup()
    p.w(5 * 4, 1)
    p.w(PLIC_ENABLE, 1 << 5)
    p.plic.setSourceLevel(5, true)
    expect(p.r(ctxReg(0, 4))).toBe(5)
    p.w(ctxReg(1, 4), 5) // context 1 has 5 disabled
    p.plic.setSourceLevel(5, true)
    expect(p.lines.get(11)).toBe(false) // still claimed
    p.w(ctxReg(0, 4), 5)
    expect(p.lines.get(11)).toBe(true)
  })
})
