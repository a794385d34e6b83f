/**
 * x87 and SSE state on the x86 hart: the kernel of fpu-kernels.ts computes values that are exact
 * in double precision, stores integers and BCD under each rounding control, compares, goes
 * through the 80-bit format, saves and restores the FPU environment (fnstenv/fnsave/frstor) and
 * the whole x87/SSE state (fxsave/fxrstor with MXCSR). The output must be these values and equal
 * QEMU's (exception flags masked: the hart does not model them).
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { oracle } from '../../../../support/oracles'
import { buildKernel, runKernel, runInQemu } from './mb1-harness'
import { FPU32 } from './fpu-kernels'
import { ensureX86Wasm } from './x86-run'

const qemu = oracle('qemu-system-x86_64', 'qemu-system-x86')
const nasm = oracle('nasm', 'nasm')

describe.skipIf(nasm.missing)('x87 and SSE state', () => {
  beforeAll(() => ensureX86Wasm())

  it('computes, rounds, compares, converts and saves/restores as QEMU does', () => {
    const elf = buildKernel(FPU32)
    const o = runKernel(elf)
    expect(o.exitStatus).toBe(1)
    const ours = Buffer.from(o.serial).toString()
    expect(ours.split('\n')).toEqual([
      'fcw after fninit=077f037f', // 037f after fninit (the next word is the test's own 077f)
      '5+3=00000008',
      '1.5*2=4008000000000000',
      '7/2 as single=40600000',
      '7-2 word=40600005', // a 16-bit fistp leaves the upper half of the dword (the earlier single 3.5)
      'fcomip 0,1 flags=00000001', // CF: less
      'fcom 7,2 C3C2C0=00000000',
      'fcom 2,2=00004000', // C3: equal
      'rint -2.5=fffffffe', // round to nearest even
      '-2.5 down=fffffffd', // FCW.RC = down
      '-2.5 trunc=fffffffe', // fisttp truncates whatever RC says
      'i64 round trip=fffffee08e04fb35',
      '-1.0 ext lo=00000000',
      '-1.0 ext hi=80000000', // the explicit integer bit
      '-1.0 ext exp=0000bfff', // sign and the biased exponent 3FFF
      'sqrt 2=3ff6a09e667f3bcd',
      'abs 1.5=3ff8000000000000',
      'fbld 1234=000004d2',
      'fbstp 5=00000005',
      'env fsw top=00007000', // TOP = 6 after two pushes
      'env tags=00000fff', // ST0, ST1 valid, the rest empty
      'top after fnsave=00000000', // fnsave ends with fninit
      'after frstor st0=00000005',
      'after frstor st1=00000003',
      'cvtsd2si 7.9 rz=00000007', // MXCSR.RC = toward zero
      'fxsave mxcsr=00007f80',
      'fxsave fcw=7800037f', // FCW, and FSW with TOP = 7
      'fxsave xmm3 hi=401c0000', // 7.0 in xmm3
      'mxcsr after fxrstor=00007f80',
      'xmm3 after fxrstor=401c000000000000',
      'st0 after fxrstor=00000003',
      '',
    ])
    if (!qemu.missing) expect(ours).toBe(Buffer.from(runInQemu(elf, qemu.path!, 60_000, 'qemu64,+abm,+popcnt').serial).toString())
  })
})
