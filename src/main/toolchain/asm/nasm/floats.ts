/**
 * Floating-point constants in data (NASM manual 3.4.6): `dw` is an IEEE 754 half, `dd` a
 * single, `dq` a double, `dt` the x87 80-bit extended format (SDM Vol. 1, 4.2.2 "Floating-Point
 * Data Types"), `do` a quad. Decimal (`1.5e-3`) and hexadecimal (`0x1.8p1`) constants are
 * converted exactly with BigInt arithmetic (a JS double would lose the extended format's bits),
 * rounded as nasm 2.16 rounds: to nearest, an exact tie toward zero (`dd 16777219.0` is
 * 0x4b800001); gradual underflow; a value whose biased exponent is exactly all ones keeps its
 * fraction (nasm writes `dd 3.5e38` as 0x7f83a7c6), beyond that it is infinity.
 * `__?Infinity?__`, `__?NaN?__`, `__?QNaN?__`, `__?SNaN?__` (and the `__Infinity__` spellings)
 * are the special values.
 */

interface FloatFormat {
  /** Significand bits including the leading one. */
  precision: number
  exponentBits: number
  /** The leading one is stored (x87 extended) rather than implied. */
  explicitOne: boolean
}

const FORMATS: Record<number, FloatFormat> = {
  2: { precision: 11, exponentBits: 5, explicitOne: false },
  4: { precision: 24, exponentBits: 8, explicitOne: false },
  8: { precision: 53, exponentBits: 11, explicitOne: false },
  10: { precision: 64, exponentBits: 15, explicitOne: true },
  16: { precision: 113, exponentBits: 15, explicitOne: false },
}

/** Special-value names → kind. */
export const FLOAT_SPECIALS: Record<string, 'inf' | 'nan' | 'snan'> = {
  '__?infinity?__': 'inf', __infinity__: 'inf', '__?nan?__': 'nan', __nan__: 'nan', '__?qnan?__': 'nan', __qnan__: 'nan', '__?snan?__': 'snan', __snan__: 'snan',
}

/** Decimal exponents past this give zero or infinity in every format (and keep BigInts small). */
const MAX_DECIMAL_EXPONENT = 6000

/** The little-endian bytes of `text` as a `width`-byte float, or undefined for an unsupported width or text. */
export function floatBytes(text: string, negative: boolean, width: number): number[] | undefined {
  const f = FORMATS[width]
  if (!f) return undefined
  const special = FLOAT_SPECIALS[text.toLowerCase()]
  if (special) return pack(f, negative, special)
  const v = parseFloatText(text.replace(/_/g, ''))
  if (!v) return undefined
  return pack(f, negative, v)
}

/** value = mantissa · base^exponent */
interface Exact {
  mantissa: bigint
  base: 2 | 10
  exponent: number
}

function parseFloatText(t: string): Exact | undefined {
  const hex = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?[0-9]+)$/i.exec(t)
  if (hex) {
    const digits = (hex[1] + (hex[2] ?? '')) || '0'
    return { mantissa: BigInt('0x' + digits), base: 2, exponent: Number(hex[3]) - 4 * (hex[2] ?? '').length }
  }
  const dec = /^([0-9]*)(?:\.([0-9]*))?(?:e([+-]?[0-9]+))?$/i.exec(t)
  if (!dec || (dec[1] + (dec[2] ?? '')) === '') return undefined
  return { mantissa: BigInt((dec[1] + (dec[2] ?? '')) || '0'), base: 10, exponent: Number(dec[3] ?? 0) - (dec[2] ?? '').length }
}

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length)

function pack(f: FloatFormat, negative: boolean, v: Exact | 'inf' | 'nan' | 'snan'): number[] {
  const bias = (1 << (f.exponentBits - 1)) - 1
  const fracBits = f.explicitOne ? f.precision : f.precision - 1
  const maxExp = (1 << f.exponentBits) - 1
  const one = f.explicitOne ? 1n << BigInt(f.precision - 1) : 0n
  const quiet = 1n << BigInt(f.precision - 2)
  let biased: number
  let frac: bigint
  if (v === 'inf') [biased, frac] = [maxExp, one]
  else if (v === 'nan') [biased, frac] = [maxExp, one | quiet]
  else if (v === 'snan') [biased, frac] = [maxExp, one | 1n]
  else [biased, frac] = finite(f, v, bias, maxExp, one)
  const bits = (BigInt(negative ? 1 : 0) << BigInt(fracBits + f.exponentBits)) | (BigInt(biased) << BigInt(fracBits)) | frac
  const width = (1 + f.exponentBits + fracBits) / 8
  const out: number[] = []
  for (let i = 0; i < width; i++) out.push(Number((bits >> BigInt(8 * i)) & 0xffn))
  return out
}

/** Rounds mantissa·base^exponent to the format: [biased exponent, stored fraction]. */
function finite(f: FloatFormat, v: Exact, bias: number, maxExp: number, one: bigint): [number, bigint] {
  const p = f.precision
  const emin = 1 - bias
  const infinity: [number, bigint] = [maxExp, one]
  if (v.mantissa === 0n) return [0, 0n]
  // Past any format's range: no need to build enormous numbers.
  const decimalMagnitude = v.base === 10 ? v.exponent + v.mantissa.toString().length : (v.exponent + bitLength(v.mantissa)) * 0.302
  if (decimalMagnitude > MAX_DECIMAL_EXPONENT) return infinity
  if (decimalMagnitude < -MAX_DECIMAL_EXPONENT) return [0, 0n]
  let num = v.mantissa
  let den = 1n
  const scale = v.base === 10 ? 10n ** BigInt(Math.abs(v.exponent)) : 1n << BigInt(Math.abs(v.exponent))
  if (v.exponent >= 0) num *= scale
  else den = scale
  // e with 2^e <= num/den < 2^(e+1)
  let e = bitLength(num) - bitLength(den)
  if (e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den) e--
  const quantum = Math.max(e, emin) - (p - 1)
  const n2 = quantum <= 0 ? num << BigInt(-quantum) : num
  const d2 = quantum <= 0 ? den : den << BigInt(quantum)
  let q = n2 / d2
  const r2 = (n2 % d2) * 2n
  if (r2 > d2) q++
  let exp = quantum + p - 1
  if (q === 1n << BigInt(p)) {
    q >>= 1n
    exp++
  }
  if (q < 1n << BigInt(p - 1)) return [0, q] // subnormal (or rounded to zero)
  const biased = exp + bias
  if (biased > maxExp) return infinity
  return [biased, f.explicitOne ? q : q - (1n << BigInt(p - 1))]
}
