/**
 * The x87 80-bit double-extended format (SDM vol. 1, 4.2.2: sign, 15-bit exponent biased by
 * 16383, 64-bit significand with an explicit integer bit) ⇄ IEEE binary64. The hart keeps x87
 * registers as binary64 (fpu.ts explains why); these conversions are used wherever the 80-bit
 * format is architecturally visible: fld/fstp m80, fxsave/fxrstor, fnsave/frstor.
 * Results go to / come from the globals extLo (significand) and extHi (sign and exponent).
 */

export let extLo: u64 = 0
export let extHi: u16 = 0

/** binary64 bits → 80-bit (exact: every binary64 value is representable). */
export function toExt80(b: u64): void {
  const sign: u16 = <u16>((b >> 63) << 15)
  const exp = <i32>((b >> 52) & 0x7ff)
  const frac = b & 0xfffffffffffff
  if (exp == 0x7ff) {
    // Infinity, or NaN with its payload (quiet bit included) below the integer bit.
    extLo = 0x8000000000000000 | (frac << 11)
    extHi = sign | 0x7fff
    return
  }
  if (exp == 0) {
    if (frac == 0) { extLo = 0; extHi = sign; return }
    // A binary64 denormal is a normal 80-bit number.
    // value = frac × 2^-1074 = (frac << shift) × 2^(E − 16383 − 63)  ⇒  E = 15372 − shift
    const shift = clz<u64>(frac) // frac < 2^52, so shift >= 12
    extLo = frac << shift
    extHi = sign | <u16>(15372 - <i32>shift)
    return
  }
  extLo = 0x8000000000000000 | (frac << 11)
  extHi = sign | <u16>(exp - 1023 + 16383)
}

/** 80-bit → binary64 bits, rounding to nearest even (overflow → ∞, tiny → denormal or 0). */
export function fromExt80(lo: u64, hi: u16): u64 {
  const sign: u64 = (<u64>(hi >> 15)) << 63
  const exp = <i32>(hi & 0x7fff)
  if (exp == 0x7fff) {
    const frac = (lo << 1) >> 12 // drop the integer bit, keep 52 bits
    if ((lo << 1) == 0) return sign | 0x7ff0000000000000
    return sign | 0x7ff0000000000000 | frac | 0x8000000000000 // NaN, quietened
  }
  if (lo == 0) return sign
  // Normalize (pseudo-denormals and unnormals have the integer bit clear).
  const lz = <i32>clz<u64>(lo)
  let m = lo << <u64>lz
  let e = exp - lz - 16383 + 1023
  if (exp == 0) e += 1
  if (e >= 0x7ff) return sign | 0x7ff0000000000000
  let shift: i32 = 11
  if (e <= 0) {
    // Denormal result: shift further right.
    shift += 1 - e
    e = 0
    if (shift > 64) return sign
  }
  let r: u64 = shift >= 64 ? 0 : m >> <u64>shift
  const rem: u64 = shift >= 64 ? m : m << <u64>(64 - shift)
  const half: u64 = 0x8000000000000000
  if (rem > half || (rem == half && (r & 1) != 0)) r++
  if (e == 0) {
    // r holds the denormal fraction (may round up into the smallest normal: still correct bit-wise).
    return sign | r
  }
  // r has the integer bit at 52; rounding may carry into bit 53.
  if ((r >> 53) != 0) { r >>= 1; e++ }
  if (e >= 0x7ff) return sign | 0x7ff0000000000000
  return sign | (<u64>e << 52) | (r & 0xfffffffffffff)
}
