import { describe, expect, it } from 'vitest'
import { Clint, CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP, type ClintState } from '../../../../src/main/machine/devices/clint'

function setup() {
  const state: ClintState = { mtime: 0x1_0000_0002n, mtimecmp: 0xffff_ffff_ffff_ffffn, msip: false }
  return { state, clint: new Clint(state) }
}

describe('Clint', () => {
  it('maps msip bit 0 to the hart software interrupt', () => {
    const { state, clint } = setup()
    clint.write(CLINT_MSIP, 4, 0xffn)
    expect(state.msip).toBe(true)
    expect(clint.read(CLINT_MSIP, 4)).toBe(1n)
    clint.write(CLINT_MSIP, 4, 0n)
    expect(state.msip).toBe(false)
  })

  it('reads mtime as one 64-bit word or two 32-bit halves', () => {
    const { clint } = setup()
    expect(clint.read(CLINT_MTIME, 8)).toBe(0x1_0000_0002n)
    expect(clint.read(CLINT_MTIME, 4)).toBe(2n)
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(1n)
  })

  it('writes mtimecmp whole or by halves, as RV64 and RV32 code does', () => {
    const { state, clint } = setup()
    clint.write(CLINT_MTIMECMP, 8, 0x1234n)
    expect(state.mtimecmp).toBe(0x1234n)
    clint.write(CLINT_MTIMECMP + 4, 4, 0x7n)
    expect(state.mtimecmp).toBe(0x7_0000_1234n)
    clint.write(CLINT_MTIMECMP, 4, 0xffff_ffffn)
    expect(state.mtimecmp).toBe(0x7_ffff_ffffn)
    expect(clint.read(CLINT_MTIMECMP + 4, 4)).toBe(7n)
  })

  it('lets the guest set mtime', () => {
    const { state, clint } = setup()
    clint.write(CLINT_MTIME, 8, 99n)
    expect(state.mtime).toBe(99n)
  })
})
