/**
 * Exact binary64 arithmetic in integers for the cases native WebAssembly floats cannot round
 * correctly in every mode: fused multiply-add (one rounding of a 106-bit product plus an
 * addend), and products/quotients that underflow into subnormals or sit at the exponent
 * extremes. The rounding step is Berkeley SoftFloat's `softfloat_roundPackToF64` (the library
 * QEMU uses), with RISC-V's tininess-after-rounding, so results and flags match it bit for bit.
 */
import { RM_RNE, RM_RMM, RM_RDN, RM_RUP, FLAG_NX, FLAG_UF, FLAG_OF, setFlags } from './fp-round'

@inline function mulhu(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff)
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
}

/** Shift right keeping a sticky bit ("jam") for everything shifted out. */
@inline function shiftRightJam64(a: u64, dist: u64): u64 {
  if (dist >= 63) return a != 0 ? 1 : 0
  return (a >> dist) | ((a & ((<u64>1 << dist) - 1)) != 0 ? 1 : 0)
}

/**
 * value = (sig / 2^62) × 2^(exp − 0x3FE); sig's leading one at bit 62 (or lower only for
 * subnormal-bound inputs), low 10 bits are round bits. Returns binary64 bits.
 */
export function roundPackF64(neg: bool, exp: i32, sig: u64, rm: u32): u64 {
  const nearEven = rm == RM_RNE
  let inc: u64 = 0x200
  if (!nearEven && rm != RM_RMM) inc = (rm == (neg ? RM_RDN : RM_RUP)) ? 0x3ff : 0
  let roundBits = sig & 0x3ff
  const signBit: u64 = neg ? (<u64>1) << 63 : 0
  if (<u32>0x7fd <= <u32>(exp & 0xffff) || exp < 0) {
    if (exp < 0) {
      // Tininess after rounding (RISC-V).
      const isTiny = exp < -1 || sig + inc < <u64>0x8000000000000000
      sig = shiftRightJam64(sig, <u64>(-exp))
      exp = 0
      roundBits = sig & 0x3ff
      if (isTiny && roundBits != 0) setFlags(FLAG_UF)
    } else if (exp > 0x7fd || <u64>0x8000000000000000 <= sig + inc) {
      setFlags(FLAG_OF | FLAG_NX)
      return (signBit | 0x7ff0000000000000) - (inc == 0 ? 1 : 0)
    }
  }
  sig = (sig + inc) >> 10
  if (roundBits != 0) setFlags(FLAG_NX)
  if (roundBits == 0x200 && nearEven) sig &= ~(<u64>1)
  if (sig == 0) exp = 0
  return signBit + ((<u64>exp) << 52) + sig
}

// Unpacked finite nonzero operand: value = sig × 2^(exp − 0x3FF − 52), sig in [2^52, 2^53).
let uExp: i32 = 0
let uSig: u64 = 0
function unpack(b: u64): void {
  let e = <i32>((b >> 52) & 0x7ff)
  let s = b & 0xfffffffffffff
  if (e == 0) {
    const shift = <i32>clz(s) - 11
    s <<= <u64>shift
    e = 1 - shift
  } else s |= <u64>1 << 52
  uExp = e
  uSig = s
}

/** a × b for finite nonzero a, b. */
export function mulF64(a: u64, b: u64, rm: u32): u64 {
  const neg = ((a ^ b) >> 63) != 0
  unpack(a); const ea = uExp; const sa = uSig << 10
  unpack(b); const eb = uExp; const sb = uSig << 11
  let hi = mulhu(sa, sb)
  const lo = sa * sb
  let sig = hi | (lo != 0 ? 1 : 0)
  let exp = ea + eb - 0x3ff
  if (sig < <u64>0x4000000000000000) { exp--; sig <<= 1 }
  return roundPackF64(neg, exp, sig, rm)
}

/** a ÷ b for finite nonzero a, b (restoring division: slow, exact, only used off the fast path). */
export function divF64(a: u64, b: u64, rm: u32): u64 {
  const neg = ((a ^ b) >> 63) != 0
  unpack(a); const ea = uExp; let sa = uSig
  unpack(b); const eb = uExp; const sb = uSig
  let exp = ea - eb + 0x3fe
  if (sa < sb) { exp--; sa <<= 1 }
  let q: u64 = 0
  let rem = sa
  for (let i = 0; i < 63; i++) {
    q <<= 1
    if (rem >= sb) { rem -= sb; q |= 1 }
    rem <<= 1
  }
  return roundPackF64(neg, exp, q | (rem != 0 ? 1 : 0), rm)
}

// 128-bit helpers on (hi, lo) pairs.
let rHi: u64 = 0
let rLo: u64 = 0
function shl128(hi: u64, lo: u64, n: i32): void {
  if (n == 0) { rHi = hi; rLo = lo } else if (n >= 64) { rHi = lo << <u64>(n - 64); rLo = 0 } else {
    rHi = (hi << <u64>n) | (lo >> <u64>(64 - n)); rLo = lo << <u64>n
  }
}
/** Right shift with sticky into bit 0. */
function shr128Jam(hi: u64, lo: u64, n: i32): void {
  if (n == 0) { rHi = hi; rLo = lo; return }
  if (n >= 128) { rHi = 0; rLo = (hi | lo) != 0 ? 1 : 0; return }
  let sticky: u64
  if (n >= 64) {
    sticky = (lo != 0 || (n > 64 && (hi << <u64>(128 - n)) != 0)) ? 1 : 0
    rLo = (n == 64 ? hi : hi >> <u64>(n - 64)) | sticky
    rHi = 0
  } else {
    sticky = (lo << <u64>(64 - n)) != 0 ? 1 : 0
    rLo = (lo >> <u64>n) | (hi << <u64>(64 - n)) | sticky
    rHi = hi >> <u64>n
  }
}
@inline function msb128(hi: u64, lo: u64): i32 {
  return hi != 0 ? 127 - <i32>clz(hi) : 63 - <i32>clz(lo)
}

/**
 * a × b + c with a single rounding, for finite a, b, c with a×b ≠ 0 (callers handle zeros,
 * infinities and NaNs). The product is kept exactly in 128 bits, aligned with c, added, then
 * normalized and rounded once.
 */
export function fmaF64(a: u64, b: u64, c: u64, rm: u32): u64 {
  const negP = ((a ^ b) >> 63) != 0
  unpack(a); const ea = uExp; const sa = uSig
  unpack(b); const eb = uExp; const sb = uSig
  // Product: value = P × 2^(ea + eb − 2·(0x3FF + 52)), P < 2^106.
  let pHi = mulhu(sa, sb)
  let pLo = sa * sb
  let pExp = ea + eb - 2 * (0x3ff + 52)
  const negC = (c >> 63) != 0
  let cHi: u64 = 0, cLo: u64 = 0, cExp: i32 = 0
  const cZero = (c << 1) == 0
  if (!cZero) { unpack(c); cLo = uSig; cExp = uExp - (0x3ff + 52) }
  // Normalize both to a leading one at bit 125 (2 bits of headroom for the carry).
  let m = msb128(pHi, pLo)
  shl128(pHi, pLo, 125 - m); pHi = rHi; pLo = rLo; pExp -= 125 - m
  if (!cZero) {
    m = msb128(cHi, cLo)
    shl128(cHi, cLo, 125 - m); cHi = rHi; cLo = rLo; cExp -= 125 - m
  }
  let hi: u64, lo: u64, exp: i32, neg: bool
  if (cZero) { hi = pHi; lo = pLo; exp = pExp; neg = negP } else {
    // Align to the larger exponent.
    let xHi = pHi, xLo = pLo, xExp = pExp, xNeg = negP
    let yHi = cHi, yLo = cLo, yExp = cExp, yNeg = negC
    if (yExp > xExp || (yExp == xExp && (yHi > xHi || (yHi == xHi && yLo > xLo)))) {
      xHi = cHi; xLo = cLo; xExp = cExp; xNeg = negC
      yHi = pHi; yLo = pLo; yExp = pExp; yNeg = negP
    }
    shr128Jam(yHi, yLo, xExp - yExp); yHi = rHi; yLo = rLo
    exp = xExp
    neg = xNeg
    if (xNeg == yNeg) {
      lo = xLo + yLo
      hi = xHi + yHi + (lo < xLo ? 1 : 0)
    } else {
      lo = xLo - yLo
      hi = xHi - yHi - (xLo < yLo ? 1 : 0)
    }
    if ((hi | lo) == 0) {
      // Exact zero: +0, or −0 when rounding down (IEEE 754 6.3).
      return rm == RM_RDN ? (<u64>1) << 63 : 0
    }
  }
  // value = (hi:lo) × 2^exp. Bring the leading one to bit 62 of a 64-bit significand with sticky.
  m = msb128(hi, lo)
  let sig: u64
  if (m > 62) { shr128Jam(hi, lo, m - 62); sig = rLo } else { shl128(hi, lo, 62 - m); sig = rLo }
  exp += m - 62
  // roundPack's exponent: value = sig/2^62 × 2^(e − 0x3FE) and value = sig × 2^exp ⇒ e = exp + 62 + 0x3FE.
  return roundPackF64(neg, exp + 62 + 0x3fe, sig, rm)
}
