import { describe, it, expect } from 'vitest'
import { runAsm, program } from './run-asm'
import { toolchainMissing } from '../../../support/build-program'

const NX = 1n, UF = 2n, OF = 4n, DZ = 8n, NV = 16n
const BOXED = 0xffffffff00000000n

/**
 * Runs one FP instruction with operands loaded from integer registers: `setup` moves bits
 * into fa0/fa1/fa2, `op` writes ft0 or a0; returns [result bits (ft0 or a0), fflags].
 */
async function fp(setup: string, op: string, intResult = false): Promise<[bigint, bigint]> {
  const r = await runAsm(program(`
  li t0, 0x6000
  csrs mstatus, t0
${setup}
  csrw fflags, zero
  ${op}
  ${intResult ? 'mv a1, a0' : 'fmv.x.d a1, ft0'}
  csrr a2, fflags
`))
  return [r.hart.getX(11), r.hart.getX(12)]
}
const d = (a: bigint, b = 0n, c = 0n) => `  li t1, ${a}\n  fmv.d.x fa0, t1\n  li t1, ${b}\n  fmv.d.x fa1, t1\n  li t1, ${c}\n  fmv.d.x fa2, t1\n`
const s = (a: number, b = 0, c = 0) => `  li t1, ${a}\n  fmv.w.x fa0, t1\n  li t1, ${b}\n  fmv.w.x fa1, t1\n  li t1, ${c}\n  fmv.w.x fa2, t1\n`
const ONE_S = 0x3f800000, THREE_S = 0x40400000
const ONE_D = 0x3ff0000000000000n

describe.skipIf(toolchainMissing())('F/D rounding modes and flags (known vectors)', () => {
  it('rounds 1/3 in single precision per mode', async () => {
    const want: Record<string, bigint> = { rne: 0x3eaaaaabn, rtz: 0x3eaaaaaan, rdn: 0x3eaaaaaan, rup: 0x3eaaaaabn, rmm: 0x3eaaaaabn }
    for (const [rm, bits] of Object.entries(want)) {
      expect(await fp(s(ONE_S, THREE_S), `fdiv.s ft0, fa0, fa1, ${rm}`)).toEqual([BOXED | bits, NX])
    }
  })

  it('breaks an exact tie to even in RNE and away from zero in RMM (1 + 2^-53)', async () => {
    const half = 0x3ca0000000000000n // 2^-53
    expect(await fp(d(ONE_D, half), 'fadd.d ft0, fa0, fa1, rne')).toEqual([ONE_D, NX])
    expect(await fp(d(ONE_D, half), 'fadd.d ft0, fa0, fa1, rmm')).toEqual([ONE_D + 1n, NX])
    expect(await fp(d(ONE_D, half), 'fadd.d ft0, fa0, fa1, rup')).toEqual([ONE_D + 1n, NX])
    expect(await fp(d(ONE_D, half), 'fadd.d ft0, fa0, fa1, rdn')).toEqual([ONE_D, NX])
  })

  it('uses frm for the dynamic mode and rejects a reserved frm as illegal', async () => {
    expect(await fp(`${s(ONE_S, THREE_S)}  csrwi frm, 1`, 'fdiv.s ft0, fa0, fa1')).toEqual([BOXED | 0x3eaaaaaan, NX])
    const r = await runAsm(program(`
  la t0, trap
  csrw mtvec, t0
  li t0, 0x6000
  csrs mstatus, t0
  csrwi frm, 5
  fadd.s ft0, ft0, ft0
  .align 2
trap:
  csrr a0, mcause
`))
    expect(r.hart.getX(10)).toBe(2n)
  })

  it('fuses multiply-add with one rounding', async () => {
    // (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly; unfused it would be 0.
    const [bits, flags] = await fp(d(0x3ff0000000400000n, 0x3fefffffff800000n, 0xbff0000000000000n), 'fmadd.d ft0, fa0, fa1, fa2')
    expect(bits).toBe(0xbc30000000000000n)
    expect(flags).toBe(0n)
  })

  it('lets an infinite addend win over a finite product that would overflow a double', async () => {
    // 1e300 × 1e300 is finite as an exact product; + (−∞) is −∞ with no flags (unfused it would be ∞ − ∞ = NaN).
    expect(await fp(d(0x7e37e43c8800759cn, 0x7e37e43c8800759cn, 0xfff0000000000000n), 'fmadd.d ft0, fa0, fa1, fa2')).toEqual([0xfff0000000000000n, 0n])
  })

  it('keeps +0 + +0 positive even when rounding down; x + (−x) is −0 only in RDN', async () => {
    expect(await fp(d(0n, 0n), 'fadd.d ft0, fa0, fa1, rdn')).toEqual([0n, 0n])
    expect(await fp(d(ONE_D, 0xbff0000000000000n), 'fadd.d ft0, fa0, fa1, rdn')).toEqual([0x8000000000000000n, 0n])
    expect(await fp(d(ONE_D, 0xbff0000000000000n), 'fadd.d ft0, fa0, fa1, rne')).toEqual([0n, 0n])
    expect(await fp(s(0, 0), 'fadd.s ft0, fa0, fa1, rdn')).toEqual([BOXED, 0n])
  })

  it('raises OF and saturates to the largest finite value when rounding toward zero', async () => {
    expect(await fp(s(0x7f000000, 0x40000000), 'fmul.s ft0, fa0, fa1, rtz')).toEqual([BOXED | 0x7f7fffffn, OF | NX])
    expect(await fp(s(0x7f000000, 0x40000000), 'fmul.s ft0, fa0, fa1, rne')).toEqual([BOXED | 0x7f800000n, OF | NX])
  })

  it('raises UF for an inexact tiny result and DZ for x/0', async () => {
    expect(await fp(d(0x0010000000000001n, 0x3fe0000000000000n), 'fmul.d ft0, fa0, fa1, rne')).toEqual([0x0008000000000000n, UF | NX])
    expect(await fp(d(ONE_D, 0n), 'fdiv.d ft0, fa0, fa1')).toEqual([0x7ff0000000000000n, DZ])
  })

  it('saturates conversions to integer and flags them invalid; NaN converts to the maximum', async () => {
    expect(await fp(d(0x4202a05f20000000n), 'fcvt.w.d a0, fa0, rtz', true)).toEqual([0x7fffffffn, NV]) // 1e10
    expect(await fp(d(0xbff0000000000000n), 'fcvt.wu.d a0, fa0, rtz', true)).toEqual([0n, NV])
    expect(await fp(d(0x7ff8000000000000n), 'fcvt.l.d a0, fa0, rtz', true)).toEqual([0x7fffffffffffffffn, NV])
    expect(await fp(d(0xbfe0000000000000n), 'fcvt.l.d a0, fa0, rmm', true)).toEqual([0xffffffffffffffffn, NX]) // -0.5 → -1
    expect(await fp(d(0xbfe0000000000000n), 'fcvt.wu.d a0, fa0, rtz', true)).toEqual([0n, NX]) // -0.5 → 0 is in range
  })

  it('reads an improperly NaN-boxed single as the canonical NaN', async () => {
    const [bits] = await fp(`  li t1, 0x3f800000\n  fmv.d.x fa0, t1\n`, 'fsgnj.s ft0, fa0, fa0')
    expect(bits).toBe(BOXED | 0x7fc00000n)
    const [sum, flags] = await fp(`  li t1, 0x3f800000\n  fmv.d.x fa0, t1\n  fmv.w.x fa1, t1\n`, 'fadd.s ft0, fa0, fa1')
    expect(sum).toBe(BOXED | 0x7fc00000n)
    expect(flags).toBe(0n) // a quiet NaN in, no flag
  })

  it('returns the non-NaN operand of fmin/fmax (NV only for signaling NaNs), and orders -0 below +0', async () => {
    expect(await fp(s(0x7fa00000, ONE_S), 'fmin.s ft0, fa0, fa1')).toEqual([BOXED | BigInt(ONE_S), NV])
    expect(await fp(s(0x7fc00000, ONE_S), 'fmax.s ft0, fa0, fa1')).toEqual([BOXED | BigInt(ONE_S), 0n])
    expect(await fp(s(0x7fc00000, 0x7fc00000), 'fmax.s ft0, fa0, fa1')).toEqual([BOXED | 0x7fc00000n, 0n])
    expect(await fp(s(0x80000000, 0), 'fmin.s ft0, fa0, fa1')).toEqual([BOXED | 0x80000000n, 0n])
    expect(await fp(s(0x80000000, 0), 'fmax.s ft0, fa0, fa1')).toEqual([BOXED, 0n])
  })

  it('produces canonical NaNs with NV for invalid operations', async () => {
    expect(await fp(d(0x7ff0000000000000n, 0xfff0000000000000n), 'fadd.d ft0, fa0, fa1')).toEqual([0x7ff8000000000000n, NV])
    expect(await fp(s(0xbf800000), 'fsqrt.s ft0, fa0')).toEqual([BOXED | 0x7fc00000n, NV])
    expect(await fp(d(0n, 0x7ff0000000000000n, 0x7ff8000000000000n), 'fmadd.d ft0, fa0, fa1, fa2')).toEqual([0x7ff8000000000000n, NV])
  })

  it('makes FP instructions illegal while mstatus.FS is Off, and marks FS dirty after a write', async () => {
    const r = await runAsm(program(`
  la t0, trap
  csrw mtvec, t0
  fadd.d ft0, ft0, ft0
  .align 2
trap:
  csrr a0, mcause
  li t0, 0x2000
  csrs mstatus, t0
  fmv.d.x ft1, zero
  csrr a1, mstatus
`))
    expect(r.hart.getX(10)).toBe(2n)
    expect((r.hart.getX(11) >> 13n) & 3n).toBe(3n)
    expect(r.hart.getX(11) >> 63n).toBe(1n) // SD
  })
})
