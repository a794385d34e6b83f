/**
 * IEEE 754 rounding for the F and D extensions. WebAssembly only rounds to nearest-even, so
 * the other modes (RTZ, RDN, RUP, RMM) and the exception flags are derived from exact error
 * terms (Knuth's TwoSum, Dekker's TwoProduct) or, for single precision, from a round-to-odd
 * double that carries the sticky bit: a value rounded to odd in binary64 (29 extra bits) rounds
 * correctly to binary32 in any mode (Boldo & Melquiond, "Emulation of FMA and correctly rounded
 * sums: proved algorithms using rounding to odd", 2008).
 */

// Rounding modes (frm / rm field).
export const RM_RNE: u32 = 0
export const RM_RTZ: u32 = 1
export const RM_RDN: u32 = 2
export const RM_RUP: u32 = 3
export const RM_RMM: u32 = 4

// fflags bits.
export const FLAG_NX: u32 = 1
export const FLAG_UF: u32 = 2
export const FLAG_OF: u32 = 4
export const FLAG_DZ: u32 = 8
export const FLAG_NV: u32 = 16

/** Flags raised by the current instruction. */
export let fpFlags: u32 = 0
export function setFlags(f: u32): void { fpFlags |= f }
export function clearFlags(): void { fpFlags = 0 }

const SPLITTER: f64 = 134217729.0 // 2^27 + 1 (Veltkamp)

/** Exact error of a + b = s (s = RN(a + b)); valid when s is finite. */
@inline export function twoSumErr(a: f64, b: f64, s: f64): f64 {
  const bb = s - a
  return (a - (s - bb)) + (b - bb)
}

/** Exact error of a × b = p (p = RN(a × b)); valid when no intermediate over/underflows. */
export function twoProdErr(a: f64, b: f64, p: f64): f64 {
  let c = SPLITTER * a
  const ah = c - (c - a)
  const al = a - ah
  c = SPLITTER * b
  const bh = c - (c - b)
  const bl = b - bh
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl
}

@inline export function nextUp(x: f64): f64 {
  const b = reinterpret<u64>(x)
  if (x != x || x == Infinity) return x
  if (x == 0) return reinterpret<f64>(1)
  return reinterpret<f64>(<i64>b >= 0 ? b + 1 : b - 1)
}
@inline export function nextDown(x: f64): f64 { return -nextUp(-x) }

/**
 * Round-to-odd of an exact value v = s + err (s = RN(v), err exact): if inexact, the neighbour
 * of v with an odd significand, so the sticky information survives a later rounding.
 */
export function roundOdd(s: f64, err: f64): f64 {
  if (err == 0 || s != s || s == Infinity || s == -Infinity) return s
  // The exact value lies strictly between two consecutive doubles; exactly one has an odd significand.
  const lo = err > 0 ? s : nextDown(s)
  const hi = err > 0 ? nextUp(s) : s
  return (reinterpret<u64>(lo) & 1) != 0 ? lo : hi
}

/**
 * Rounds x (a binary64 value, possibly round-to-odd) to binary32 in mode rm, raising NX, UF
 * (tininess after rounding, as RISC-V specifies) and OF. NaNs must be handled by the caller.
 */
export function roundToF32(x: f64, rm: u32): u32 {
  const bits = reinterpret<u64>(x)
  const sign = <u32>(bits >> 63) << 31
  const neg = sign != 0
  const bexp = <i32>((bits >> 52) & 0x7ff)
  if (bexp == 0x7ff) return (bits & 0xfffffffffffff) != 0 ? 0x7fc00000 : sign | 0x7f800000
  if ((bits << 1) == 0) return sign
  let e = bexp - 1023
  let sig: u64 = (bits & 0xfffffffffffff) | (<u64>1 << 52)
  if (bexp == 0) { // binary64 subnormal: far below binary32's range, only sticky matters
    e = -1022
    sig = bits & 0xfffffffffffff
  }
  let shift: i32 = 29
  if (e < -126) shift += -126 - e
  let kept: u64, rem: u64, half: u64
  if (shift > 60) { kept = 0; rem = 1; half = (<u64>1) << 62 } else {
    kept = sig >> shift
    rem = sig & (((<u64>1) << shift) - 1)
    half = (<u64>1) << (shift - 1)
  }
  const inexact = rem != 0
  if (roundUp(rm, neg, kept, rem, half)) kept++
  if (inexact) fpFlags |= FLAG_NX
  if (e >= -126) {
    if (kept == (<u64>1) << 24) { kept >>= 1; e++ }
    if (e > 127) return overflow32(sign, rm)
    return sign | (<u32>(e + 127) << 23) | (<u32>kept & 0x7fffff)
  }
  // Subnormal (or rounded up to the smallest normal, which the encoding absorbs).
  if (inexact) {
    // Tiny after rounding: would rounding to 24 bits with an unbounded exponent stay below 2^-126?
    let tiny = true
    if (e == -127) {
      const k24 = sig >> 29
      const r24 = sig & ((<u64>1 << 29) - 1)
      if (k24 + (roundUp(rm, neg, k24, r24, <u64>1 << 28) ? 1 : 0) == (<u64>1) << 24) tiny = false
    }
    if (tiny) fpFlags |= FLAG_UF
  }
  return sign | <u32>kept
}

@inline function roundUp(rm: u32, neg: bool, kept: u64, rem: u64, half: u64): bool {
  if (rem == 0) return false
  switch (rm) {
    case RM_RNE: return rem > half || (rem == half && (kept & 1) != 0)
    case RM_RTZ: return false
    case RM_RDN: return neg
    case RM_RUP: return !neg
    default: return rem >= half // RMM
  }
}

function overflow32(sign: u32, rm: u32): u32 {
  fpFlags |= FLAG_OF | FLAG_NX
  const neg = sign != 0
  const toInf = rm == RM_RNE || rm == RM_RMM || (rm == RM_RDN && neg) || (rm == RM_RUP && !neg)
  return sign | (toInf ? 0x7f800000 : 0x7f7fffff)
}

/**
 * Finishes a binary64 result r = RN(exact) given err = exact − r (exact, or at least of the right
 * sign and exactly ±half an ulp on ties). `finiteIn`: all inputs finite, so an infinite r is an overflow.
 */
export function finishF64(r: f64, err: f64, rm: u32, finiteIn: bool): f64 {
  if (r != r) return r
  if (r == Infinity || r == -Infinity) {
    if (!finiteIn) return r
    fpFlags |= FLAG_OF | FLAG_NX
    const neg = r < 0
    const toInf = rm == RM_RNE || rm == RM_RMM || (rm == RM_RDN && neg) || (rm == RM_RUP && !neg)
    return toInf ? r : (neg ? -1.7976931348623157e308 : 1.7976931348623157e308)
  }
  if (err == 0) return r
  fpFlags |= FLAG_NX
  let out = r
  switch (rm) {
    case RM_RTZ:
      if (r != 0 && ((err > 0) != (r > 0))) out = r > 0 ? nextDown(r) : nextUp(r)
      break
    case RM_RDN: if (err < 0) out = nextDown(r); break
    case RM_RUP: if (err > 0) out = nextUp(r); break
    case RM_RMM: {
      // Ties: RNE picked the even neighbour; RMM wants the one away from zero.
      const c = err > 0 ? nextUp(r) : nextDown(r)
      if (c - r == 2 * err && abs<f64>(c) > abs<f64>(r)) out = c
      break
    }
    default: break
  }
  if (out == Infinity || out == -Infinity) fpFlags |= FLAG_OF
  if (abs<f64>(out) < 2.2250738585072014e-308 || (abs<f64>(r) < 2.2250738585072014e-308)) fpFlags |= FLAG_UF
  return out
}

/** Integer magnitude m (with sign) to binary32 or binary64 bits in mode rm (fcvt.s.l & co.). */
export function intToFloat(neg: bool, m: u64, isDouble: bool, rm: u32): u64 {
  if (m == 0) return 0
  const lz = <i32>clz(m)
  const sig = m << lz // leading one at bit 63
  const e = 63 - lz
  const shift = isDouble ? 11 : 40
  let kept = sig >> shift
  const rem = sig & (((<u64>1) << shift) - 1)
  const half = (<u64>1) << (shift - 1)
  if (rem != 0) fpFlags |= FLAG_NX
  let ee = e
  if (roundUp(rm, neg, kept, rem, half)) kept++
  const top = isDouble ? 53 : 24
  if (kept == (<u64>1) << top) { kept >>= 1; ee++ }
  if (isDouble) return (neg ? (<u64>1) << 63 : 0) | ((<u64>(ee + 1023)) << 52) | (kept & 0xfffffffffffff)
  return <u64>((neg ? 0x80000000 : 0) | (<u32>(ee + 127) << 23) | (<u32>kept & 0x7fffff))
}

/**
 * fcvt to integer: round x per rm, then saturate (NaN → max, out of range → the nearer bound)
 * with NV; inexact in-range results raise NX. Returns the 64-bit register value (W forms sign-extended).
 */
export function floatToInt(x: f64, rm: u32, isSigned: bool, is64: bool): u64 {
  if (x != x) { fpFlags |= FLAG_NV; return isSigned ? (is64 ? 0x7fffffffffffffff : 0x7fffffff) : <u64>-1 }
  let r: f64
  switch (rm) {
    case RM_RTZ: r = trunc<f64>(x); break
    case RM_RDN: r = floor<f64>(x); break
    case RM_RUP: r = ceil<f64>(x); break
    case RM_RMM: {
      const t = trunc<f64>(x)
      r = abs<f64>(x - t) >= 0.5 ? t + (x > 0 ? 1.0 : -1.0) : t
      break
    }
    default: r = nearest<f64>(x)
  }
  let lo: f64, hi: f64 // valid range [lo, hi)
  if (is64) { lo = isSigned ? -9223372036854775808.0 : 0; hi = isSigned ? 9223372036854775808.0 : 18446744073709551616.0 }
  else { lo = isSigned ? -2147483648.0 : 0; hi = isSigned ? 2147483648.0 : 4294967296.0 }
  if (r < lo || r >= hi) {
    fpFlags |= FLAG_NV
    if (x < 0) return isSigned ? (is64 ? 0x8000000000000000 : <u64>-2147483648) : 0
    return isSigned ? (is64 ? 0x7fffffffffffffff : 0x7fffffff) : <u64>-1
  }
  if (r != x) fpFlags |= FLAG_NX
  if (is64) return isSigned ? <u64><i64>r : <u64>r
  return isSigned ? <u64><i64><i32>r : <u64><i64><i32><u32>r
}
