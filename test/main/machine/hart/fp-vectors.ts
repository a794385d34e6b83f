/**
 * Generates the FP differential program: operand triples chosen to hit rounding corners
 * (near-ties, subnormals, overflow, exact cancellation, NaNs, infinities, signed zeros), and for
 * each triple every arithmetic op in every static rounding mode, printing result and fflags.
 * The same ELF runs on QEMU (Berkeley SoftFloat underneath) and on our hart.
 */

/** Deterministic xorshift64* so the vectors never change between runs. */
function rng(seed: bigint): () => bigint {
  let s = seed
  return () => {
    s ^= s >> 12n
    s ^= (s << 25n) & 0xffffffffffffffffn
    s ^= s >> 27n
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn
  }
}

const SPECIAL_D = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n,
  0x7ff8000000000000n, 0x7ff4000000000000n, 0x0000000000000001n, 0x000fffffffffffffn, 0x0010000000000000n,
  0x7fefffffffffffffn, 0x3ff0000000000001n, 0x3fefffffffffffffn, 0x4340000000000000n, 0x3ca0000000000000n,
]
const SPECIAL_S = [
  0n, 0x80000000n, 0x3f800000n, 0xbf800000n, 0x7f800000n, 0xff800000n, 0x7fc00000n, 0x7fa00000n, 1n, 0x007fffffn,
  0x00800000n, 0x7f7fffffn, 0x3f800001n, 0x3f7fffffn, 0x4b800000n, 0x33800000n,
]

export function fpOperands(count: number, single: boolean): bigint[][] {
  const next = rng(single ? 0x1234567n : 0x89abcdefn)
  const out: bigint[][] = []
  const one = (): bigint => {
    const r = next()
    const pick = Number(r & 7n)
    if (single) {
      if (pick === 0) return SPECIAL_S[Number((r >> 8n) % BigInt(SPECIAL_S.length))]
      const sign = (r >> 63n) & 1n
      // Exponents clustered near 1.0, near the subnormal edge and near overflow.
      const band = Number((r >> 40n) % 4n)
      const exp = band === 0 ? 127n + ((r >> 20n) % 8n) - 4n : band === 1 ? (r >> 20n) % 6n : band === 2 ? 254n - ((r >> 20n) % 4n) : (r >> 20n) % 255n
      const mant = pick === 1 ? 0x7fffffn : pick === 2 ? 0x400000n : (r >> 3n) & 0x7fffffn
      return (sign << 31n) | (exp << 23n) | mant
    }
    if (pick === 0) return SPECIAL_D[Number((r >> 8n) % BigInt(SPECIAL_D.length))]
    const sign = (r >> 63n) & 1n
    const band = Number((r >> 40n) % 4n)
    const exp = band === 0 ? 1023n + ((r >> 20n) % 8n) - 4n : band === 1 ? (r >> 20n) % 6n : band === 2 ? 2046n - ((r >> 20n) % 4n) : (r >> 20n) % 2047n
    const m2 = next()
    const mant = pick === 1 ? 0xfffffffffffffn : pick === 2 ? 0x8000000000000n : m2 & 0xfffffffffffffn
    return (sign << 63n) | (exp << 52n) | mant
  }
  for (let i = 0; i < count; i++) {
    const a = one()
    let b = one()
    // Every fourth pair is made close to a so subtraction cancels and products/quotients land near 1.
    if (i % 4 === 3) b = a ^ (next() & (single ? 0x7n : 0xffn))
    out.push([a, b, one()])
  }
  return out
}

const RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm']

/** Emits the program. Each case prints `result flags` lines. */
export function fpDiffProgram(count: number, uartAsm: string): string {
  const lines: string[] = []
  const body: string[] = []
  for (const single of [false, true]) {
    const sfx = single ? 's' : 'd'
    const mvTo = single ? 'fmv.w.x' : 'fmv.d.x'
    const mvFrom = single ? 'fmv.x.w' : 'fmv.x.d'
    const ops: string[] = []
    for (const rm of RMS) {
      ops.push(`fadd.${sfx} ft0, fa0, fa1, ${rm}`, `fsub.${sfx} ft0, fa0, fa1, ${rm}`, `fmul.${sfx} ft0, fa0, fa1, ${rm}`,
        `fdiv.${sfx} ft0, fa0, fa1, ${rm}`, `fsqrt.${sfx} ft0, fa0, ${rm}`, `fmadd.${sfx} ft0, fa0, fa1, fa2, ${rm}`,
        `fnmsub.${sfx} ft0, fa0, fa1, fa2, ${rm}`, `fcvt.l.${sfx} a0, fa0, ${rm}`, `fcvt.wu.${sfx} a0, fa0, ${rm}`,
        `fcvt.${sfx}.l ft0, a1, ${rm}`, single ? `fcvt.s.d ft0, fa3, ${rm}` : `fcvt.w.d a0, fa0, ${rm}`)
    }
    ops.push(`fmin.${sfx} ft0, fa0, fa1`, `fmax.${sfx} ft0, fa0, fa1`, `feq.${sfx} a0, fa0, fa1`, `flt.${sfx} a0, fa0, fa1`,
      `fle.${sfx} a0, fa0, fa1`, `fclass.${sfx} a0, fa0`, `fsgnjn.${sfx} ft0, fa0, fa1`, single ? 'fcvt.d.s ft0, fa0' : 'fcvt.s.d ft0, fa0')
    const label = `tbl_${sfx}`
    body.push(`
  la s0, ${label}
  li s1, ${count}
loop_${sfx}:
  ld a1, 0(s0)
  ${mvTo} fa0, a1
  ld t0, 8(s0)
  ${mvTo} fa1, t0
  ld t0, 16(s0)
  ${mvTo} fa2, t0
  fmv.d.x fa3, a1
`)
    for (const op of ops) {
      const intResult = /^(fcvt\.[lw]u?\.|feq|flt|fle|fclass)/.test(op)
      body.push(`  csrw fflags, zero
  li a0, 0
  ${mvTo} ft0, zero
  ${op}
  ${intResult ? '' : `${mvFrom} a0, ft0`}
  call print_hex
  csrr a0, fflags
  addi a0, a0, 'A'
  call print_char
`)
    }
    body.push(`  li a0, 10
  call print_char
  addi s0, s0, 24
  addi s1, s1, -1
  bnez s1, loop_${sfx}
`)
    lines.push(`  .align 3\n${label}:`)
    for (const [a, b, c] of fpOperands(count, single)) lines.push(`  .dword 0x${a.toString(16)}, 0x${b.toString(16)}, 0x${c.toString(16)}`)
  }
  return `
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  li t0, 0x6000
  csrs mstatus, t0
${body.join('\n')}
  j finish
${uartAsm}
  .data
${lines.join('\n')}
  .align 4
  .space 4096
stack_top:
`
}
