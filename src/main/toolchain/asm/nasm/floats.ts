/**
 * Floating-point constants in data (NASM manual 3.4.6): `dd 1.5` is an IEEE 754 single, `dq`
 * a double, `dt` the x87 80-bit extended format (SDM Vol. 1, 4.2.2 "Floating-Point Data Types").
 */

/** The little-endian bytes of `text` as a `width`-byte float, or undefined for an unsupported width. */
export function floatBytes(text: string, negative: boolean, width: number): number[] | undefined {
  const value = (negative ? -1 : 1) * Number(text.replace(/_/g, ''))
  if (width === 4) return [...new Uint8Array(Float32Array.of(value).buffer)]
  if (width === 8) return [...new Uint8Array(Float64Array.of(value).buffer)]
  if (width === 10) return extended(value)
  return undefined
}

/** x87 extended precision: sign, 15-bit exponent (bias 16383), 64-bit significand with explicit integer bit. */
function extended(value: number): number[] {
  const out = new Array<number>(10).fill(0)
  if (value === 0) {
    if (Object.is(value, -0)) out[9] = 0x80
    return out
  }
  const d = new DataView(Float64Array.of(value).buffer)
  const hi = d.getUint32(4, true)
  const lo = d.getUint32(0, true)
  const sign = hi >>> 31
  let exp = (hi >>> 20) & 0x7ff
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let e15: number
  let sig: bigint
  if (exp === 0x7ff) {
    e15 = 0x7fff
    sig = (1n << 63n) | (mant << 11n)
  } else {
    if (exp === 0) {
      // Subnormal double: normalise.
      while ((mant & (1n << 52n)) === 0n) {
        mant <<= 1n
        exp--
      }
      exp++
      mant &= (1n << 52n) - 1n
    }
    e15 = exp - 1023 + 16383
    sig = (1n << 63n) | (mant << 11n)
  }
  for (let i = 0; i < 8; i++) out[i] = Number((sig >> BigInt(8 * i)) & 0xffn)
  out[8] = e15 & 0xff
  out[9] = ((e15 >> 8) & 0x7f) | (sign << 7)
  return out
}
