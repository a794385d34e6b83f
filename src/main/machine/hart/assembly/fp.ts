/**
 * F and D execution (everything but flw/fld/fsw/fsd): arithmetic with all five rounding modes
 * and the five exception flags (see fp-round.ts for how), NaN boxing of singles (an improperly
 * boxed single reads as the canonical NaN), canonical NaN results, fcvt saturation, and the
 * fmin/fmax rules of the 2.2 spec (a single NaN input returns the other operand, -0 < +0).
 */
import * as G from './decode.generated'
import { REGS, FREGS, S_FCSR, S_MSTATUS } from './layout'
import { R_OK, MSTATUS_FS } from './globals'
import { dirtyFs } from './csr'
import { illegal } from './system'
import { X_DUMMY } from './decode'
import {
  RM_RNE, RM_RDN, FLAG_NV, FLAG_DZ, FLAG_OF, FLAG_NX, FLAG_UF, fpFlags, setFlags, clearFlags, twoSumErr, twoProdErr,
  roundOdd, roundToF32, finishF64, intToFloat, floatToInt,
} from './fp-round'
import { mulF64, divF64, fmaF64 } from './fp-soft'

const CANON_S: u32 = 0x7fc00000
const CANON_D: u64 = 0x7ff8000000000000
const MIN_NORMAL_D: f64 = 2.2250738585072014e-308

@inline function freg(r: u32): u64 { return load<u64>(FREGS + (<usize>r << 3)) }
/** A single from a register: the low half when NaN-boxed, else the canonical NaN. */
@inline function fregS(r: u32): u32 {
  const v = freg(r)
  return (v >> 32) == 0xffffffff ? <u32>v : CANON_S
}
@inline function setFregD(r: u32, v: u64): void { store<u64>(FREGS + (<usize>r << 3), v) }
@inline function setFregS(r: u32, v: u32): void { store<u64>(FREGS + (<usize>r << 3), 0xffffffff00000000 | <u64>v) }
@inline function setXr(r: u32, v: u64): void { if (r != X_DUMMY) store<u64>(REGS + (<usize>r << 3), v) }

@inline function isSnanS(b: u32): bool { return (b & 0x7f800000) == 0x7f800000 && (b & 0x7fffff) != 0 && (b & 0x400000) == 0 }
@inline function isSnanD(b: u64): bool {
  return (b & 0x7ff0000000000000) == 0x7ff0000000000000 && (b & 0xfffffffffffff) != 0 && (b & 0x8000000000000) == 0
}
@inline function isNanF(x: f64): bool { return x != x }
@inline function isFin(x: f64): bool { return x - x == 0 }
@inline function f32ToF64(b: u32): f64 { return <f64>reinterpret<f32>(b) }
@inline function signbit(x: f64): bool { return (reinterpret<u64>(x) >> 63) != 0 }

/** 2^n for any n (products of representable powers). */
function pow2(n: i32): f64 {
  let r: f64 = 1
  while (n > 1000) { r *= 1.0715086071862673e301; n -= 1000 }
  while (n < -1000) { r *= 9.332636185032189e-302; n += 1000 }
  return r * reinterpret<f64>((<u64>(n + 1023)) << 52)
}
/** x = m × 2^e with |m| in [1, 2) (x finite, nonzero). */
let frexpE: i32 = 0
function frexpM(x: f64): f64 {
  let b = reinterpret<u64>(x)
  let adj = 0
  if (((b >> 52) & 0x7ff) == 0) { x *= 1.8446744073709552e19; b = reinterpret<u64>(x); adj = 64 } // subnormal: scale by 2^64
  frexpE = <i32>((b >> 52) & 0x7ff) - 1023 - adj
  return reinterpret<f64>((b & 0x800fffffffffffff) | (<u64>1023 << 52))
}

/**
 * Finishes a binary64 product/quotient/root computed on scaled significands: rS = RN(exact'),
 * errS = exact' − rS, and exact = exact' × 2^scale; r = RN(exact) as WebAssembly computed it.
 */
function finishScaled(r: f64, rS: f64, errS: f64, scale: i32, rm: u32): f64 {
  if (abs<f64>(r) >= MIN_NORMAL_D && isFin(r)) {
    const before = fpFlags
    const outS = finishF64(rS, errS, rm, true)
    clearFlags()
    setFlags(before | (errS != 0 ? FLAG_NX : 0))
    const out = outS * pow2(scale)
    if (!isFin(out)) setFlags(FLAG_OF | FLAG_NX)
    return out
  }
  if (!isFin(r)) return finishF64(r, 0, rm, true)
  // Underflow: the rounding happened at subnormal precision; only the error's sign is kept.
  const rBack = r * pow2(-scale)
  const d = (rS - rBack) + errS
  if (d == 0) return r
  return finishF64(r, d > 0 ? 4.9e-324 : -4.9e-324, rm, true)
}

/** Results in this band are normal with exact error terms available; outside it use integer arithmetic. */
@inline function safeBand(r: f64): bool {
  const m = abs<f64>(r)
  return m > 1e-290 && m < 1e290
}

function mulD(a: f64, b: f64, rm: u32): f64 {
  const r = a * b
  if (!isFin(a) || !isFin(b) || a == 0 || b == 0) return r
  if (!safeBand(r)) return reinterpret<f64>(mulF64(reinterpret<u64>(a), reinterpret<u64>(b), rm))
  const ma = frexpM(a); const ea = frexpE
  const mb = frexpM(b); const eb = frexpE
  const p = ma * mb
  return finishScaled(r, p, twoProdErr(ma, mb, p), ea + eb, rm)
}
function divD(a: f64, b: f64, rm: u32): f64 {
  const r = a / b
  if (!isFin(a) || !isFin(b) || a == 0 || b == 0) return r
  if (!safeBand(r)) return reinterpret<f64>(divF64(reinterpret<u64>(a), reinterpret<u64>(b), rm))
  const ma = frexpM(a); const ea = frexpE
  const mb = frexpM(b); const eb = frexpE
  const q = ma / mb
  const p = q * mb
  const rem = (ma - p) - twoProdErr(q, mb, p)
  return finishScaled(r, q, rem / mb, ea - eb, rm)
}
function sqrtD(a: f64, rm: u32): f64 {
  const r = sqrt<f64>(a)
  if (!isFin(a) || a <= 0) return r
  let m = frexpM(a); let e = frexpE
  if (e & 1) { m *= 2; e -= 1 }
  const s = sqrt<f64>(m)
  const p = s * s
  const rem = (m - p) - twoProdErr(s, s, p)
  return finishScaled(r, s, rem, e >> 1, rm)
}
function addD(a: f64, b: f64, rm: u32): f64 {
  const r = a + b
  const fin = isFin(a) && isFin(b)
  if (r == 0 && fin && rm == RM_RDN && signbit(a) != signbit(b)) return -0.0
  return finishF64(r, fin && isFin(r) ? twoSumErr(a, b, r) : 0, rm, fin)
}
/** a × b + c rounded once (integer path for finite operands; specials follow IEEE via native ops). */
function fmaD(a: f64, b: f64, c: f64, rm: u32): f64 {
  if (isFin(a) && isFin(b) && a != 0 && b != 0) {
    // The exact product is finite even when it would overflow a double, so an infinite addend wins.
    if (!isFin(c)) return c
    return reinterpret<f64>(fmaF64(reinterpret<u64>(a), reinterpret<u64>(b), reinterpret<u64>(c), rm))
  }
  const p = a * b // exact when a or b is zero; infinities and NaNs propagate as IEEE 754 says
  if (isFin(p) && isFin(c)) return addD(p, c, rm)
  return p + c
}

// Single precision: compute in binary64, keep the sticky bit by rounding to odd, round once to binary32.
function addS(a: f64, b: f64, rm: u32): u32 {
  const s = a + b
  if (s == 0 && isFin(a) && isFin(b) && rm == RM_RDN && signbit(a) != signbit(b)) return 0x80000000
  return roundToF32(roundOdd(s, isFin(s) ? twoSumErr(a, b, s) : 0), rm)
}
function divS(a: f64, b: f64, rm: u32): u32 {
  const q = a / b
  if (!isFin(q) || !isFin(a) || !isFin(b) || q == 0) return roundToF32(q, rm)
  const p = q * b
  const rem = (a - p) - twoProdErr(q, b, p)
  return roundToF32(roundOdd(q, rem / b), rm)
}
function sqrtS(a: f64, rm: u32): u32 {
  const s = sqrt<f64>(a)
  if (!isFin(s) || s <= 0) return roundToF32(s, rm)
  const p = s * s
  return roundToF32(roundOdd(s, (a - p) - twoProdErr(s, s, p)), rm)
}
function fmaS(a: f64, b: f64, c: f64, rm: u32): u32 {
  const p = a * b // exact: 24 + 24 bits
  const t = p + c
  if (t == 0 && isFin(p) && isFin(c)) {
    const neg = rm == RM_RDN ? (signbit(p) || signbit(c)) : (signbit(p) && signbit(c))
    return neg ? 0x80000000 : 0
  }
  return roundToF32(roundOdd(t, isFin(t) && isFin(p) && isFin(c) ? twoSumErr(p, c, t) : 0), rm)
}

function classify(neg: bool, isInf: bool, isNan: bool, isSnan: bool, isZero: bool, isSub: bool): u64 {
  if (isNan) return isSnan ? 1 << 8 : 1 << 9
  if (isInf) return neg ? 1 : 1 << 7
  if (isZero) return neg ? 1 << 3 : 1 << 4
  if (isSub) return neg ? 1 << 2 : 1 << 5
  return neg ? 1 << 1 : 1 << 6
}

/** min/max per the F extension 2.2: NaN operands are ignored unless both are NaN; -0 < +0. */
function minMax(a: f64, b: f64, isMax: bool): f64 {
  if (isNanF(a) && isNanF(b)) return NaN
  if (isNanF(a)) return b
  if (isNanF(b)) return a
  if (a == b) return isMax ? (signbit(a) ? b : a) : (signbit(a) ? a : b)
  return isMax ? (a > b ? a : b) : (a < b ? a : b)
}

export function execFp(op: u16, rd: u32, rs1: u32, rs2: u32, rs3: u32, rmField: u32, raw: u32): i32 {
  if ((load<u64>(S_MSTATUS) & MSTATUS_FS) == 0) return illegal(raw)
  let rm = rmField
  if (rm == 7) rm = <u32>(load<u64>(S_FCSR) >> 5) & 7
  // Only ops with an rm operand check it; a reserved mode (5, 6, or dynamic with frm ≥ 5) is illegal.
  const usesRm = hasRm(op)
  if (usesRm && rm > 4) return illegal(raw)
  clearFlags()
  const bs1 = fregS(rs1), bs2 = fregS(rs2), bs3 = fregS(rs3)
  const bd1 = freg(rs1), bd2 = freg(rs2), bd3 = freg(rs3)
  const s1 = f32ToF64(bs1), s2 = f32ToF64(bs2), s3 = f32ToF64(bs3)
  const d1 = reinterpret<f64>(bd1), d2 = reinterpret<f64>(bd2), d3 = reinterpret<f64>(bd3)
  const x1 = load<u64>(REGS + (<usize>rs1 << 3))
  let resS: u32 = 0
  let resD: u64 = 0
  let kind = 0 // 1 = write single, 2 = write double, 3 = integer written already
  switch (op) {
    // ---- single ----
    case G.OP_FADD_S: resS = nanS(addS(s1, s2, rm), isSnanS(bs1) || isSnanS(bs2), s1, s2); kind = 1; break
    case G.OP_FSUB_S: resS = nanS(addS(s1, -s2, rm), isSnanS(bs1) || isSnanS(bs2), s1, s2); kind = 1; break
    case G.OP_FMUL_S: resS = nanS(roundToF32(s1 * s2, rm), isSnanS(bs1) || isSnanS(bs2), s1, s2); kind = 1; break
    case G.OP_FDIV_S: {
      if (s2 == 0 && isFin(s1) && s1 != 0) setFlags(FLAG_DZ)
      resS = nanS(divS(s1, s2, rm), isSnanS(bs1) || isSnanS(bs2), s1, s2); kind = 1; break
    }
    case G.OP_FSQRT_S: resS = nanS(sqrtS(s1, rm), isSnanS(bs1), s1, s1); kind = 1; break
    case G.OP_FMADD_S: case G.OP_FMSUB_S: case G.OP_FNMSUB_S: case G.OP_FNMADD_S: {
      const negProd = op == G.OP_FNMSUB_S || op == G.OP_FNMADD_S
      const negC = op == G.OP_FMSUB_S || op == G.OP_FNMADD_S
      const a = negProd ? -s1 : s1
      const c = negC ? -s3 : s3
      const sn = isSnanS(bs1) || isSnanS(bs2) || isSnanS(bs3)
      // 0 × ∞ is invalid even when the addend is a quiet NaN.
      if ((s1 == 0 && !isFin(s2) && !isNanF(s2)) || (s2 == 0 && !isFin(s1) && !isNanF(s1))) setFlags(FLAG_NV)
      const r = fmaS(a, s2, c, rm)
      resS = nanS3(r, sn, s1, s2, s3); kind = 1; break
    }
    case G.OP_FSGNJ_S: resS = (bs1 & 0x7fffffff) | (bs2 & 0x80000000); kind = 1; break
    case G.OP_FSGNJN_S: resS = (bs1 & 0x7fffffff) | (~bs2 & 0x80000000); kind = 1; break
    case G.OP_FSGNJX_S: resS = bs1 ^ (bs2 & 0x80000000); kind = 1; break
    case G.OP_FMIN_S: case G.OP_FMAX_S: {
      if (isSnanS(bs1) || isSnanS(bs2)) setFlags(FLAG_NV)
      const m = minMax(s1, s2, op == G.OP_FMAX_S)
      resS = isNanF(m) ? CANON_S : (m == s1 && signbit(m) == signbit(s1) ? bs1 : bs2); kind = 1; break
    }
    case G.OP_FEQ_S: if (isSnanS(bs1) || isSnanS(bs2)) setFlags(FLAG_NV); setXr(rd, s1 == s2 ? 1 : 0); kind = 3; break
    case G.OP_FLT_S: if (isNanF(s1) || isNanF(s2)) setFlags(FLAG_NV); setXr(rd, s1 < s2 ? 1 : 0); kind = 3; break
    case G.OP_FLE_S: if (isNanF(s1) || isNanF(s2)) setFlags(FLAG_NV); setXr(rd, s1 <= s2 ? 1 : 0); kind = 3; break
    case G.OP_FCLASS_S: {
      const e = bs1 & 0x7f800000, m = bs1 & 0x7fffff
      setXr(rd, classify((bs1 >> 31) != 0, e == 0x7f800000 && m == 0, e == 0x7f800000 && m != 0, isSnanS(bs1), e == 0 && m == 0, e == 0 && m != 0))
      kind = 3; break
    }
    case G.OP_FCVT_W_S: setXr(rd, floatToInt(s1, rm, true, false)); kind = 3; break
    case G.OP_FCVT_WU_S: setXr(rd, floatToInt(s1, rm, false, false)); kind = 3; break
    case G.OP_FCVT_L_S: setXr(rd, floatToInt(s1, rm, true, true)); kind = 3; break
    case G.OP_FCVT_LU_S: setXr(rd, floatToInt(s1, rm, false, true)); kind = 3; break
    case G.OP_FCVT_S_W: { const v = <i64><i32>x1; resS = <u32>intToFloat(v < 0, v < 0 ? <u64>-v : <u64>v, false, rm); kind = 1; break }
    case G.OP_FCVT_S_WU: resS = <u32>intToFloat(false, x1 & 0xffffffff, false, rm); kind = 1; break
    case G.OP_FCVT_S_L: { const v = <i64>x1; resS = <u32>intToFloat(v < 0, v < 0 ? <u64>(-v) : <u64>v, false, rm); kind = 1; break }
    case G.OP_FCVT_S_LU: resS = <u32>intToFloat(false, x1, false, rm); kind = 1; break
    case G.OP_FMV_X_W: setXr(rd, <u64><i64><i32><u32>freg(rs1)); kind = 3; break
    case G.OP_FMV_W_X: resS = <u32>x1; kind = 1; break

    // ---- double ----
    case G.OP_FADD_D: resD = nanD(addD(d1, d2, rm), isSnanD(bd1) || isSnanD(bd2), d1, d2); kind = 2; break
    case G.OP_FSUB_D: resD = nanD(addD(d1, -d2, rm), isSnanD(bd1) || isSnanD(bd2), d1, d2); kind = 2; break
    case G.OP_FMUL_D: resD = nanD(mulD(d1, d2, rm), isSnanD(bd1) || isSnanD(bd2), d1, d2); kind = 2; break
    case G.OP_FDIV_D: {
      if (d2 == 0 && isFin(d1) && d1 != 0) setFlags(FLAG_DZ)
      resD = nanD(divD(d1, d2, rm), isSnanD(bd1) || isSnanD(bd2), d1, d2); kind = 2; break
    }
    case G.OP_FSQRT_D: resD = nanD(sqrtD(d1, rm), isSnanD(bd1), d1, d1); kind = 2; break
    case G.OP_FMADD_D: case G.OP_FMSUB_D: case G.OP_FNMSUB_D: case G.OP_FNMADD_D: {
      const negProd = op == G.OP_FNMSUB_D || op == G.OP_FNMADD_D
      const negC = op == G.OP_FMSUB_D || op == G.OP_FNMADD_D
      const sn = isSnanD(bd1) || isSnanD(bd2) || isSnanD(bd3)
      if ((d1 == 0 && !isFin(d2) && !isNanF(d2)) || (d2 == 0 && !isFin(d1) && !isNanF(d1))) setFlags(FLAG_NV)
      const r = fmaD(negProd ? -d1 : d1, d2, negC ? -d3 : d3, rm)
      resD = nanD3(r, sn, d1, d2, d3); kind = 2; break
    }
    case G.OP_FSGNJ_D: resD = (bd1 & 0x7fffffffffffffff) | (bd2 & 0x8000000000000000); kind = 2; break
    case G.OP_FSGNJN_D: resD = (bd1 & 0x7fffffffffffffff) | (~bd2 & 0x8000000000000000); kind = 2; break
    case G.OP_FSGNJX_D: resD = bd1 ^ (bd2 & 0x8000000000000000); kind = 2; break
    case G.OP_FMIN_D: case G.OP_FMAX_D: {
      if (isSnanD(bd1) || isSnanD(bd2)) setFlags(FLAG_NV)
      const m = minMax(d1, d2, op == G.OP_FMAX_D)
      resD = isNanF(m) ? CANON_D : reinterpret<u64>(m); kind = 2; break
    }
    case G.OP_FCVT_S_D: {
      if (isNanF(d1)) { if (isSnanD(bd1)) setFlags(FLAG_NV); resS = CANON_S } else resS = roundToF32(d1, rm)
      kind = 1; break
    }
    case G.OP_FCVT_D_S: {
      if (isNanF(s1)) { if (isSnanS(bs1)) setFlags(FLAG_NV); resD = CANON_D } else resD = reinterpret<u64>(s1)
      kind = 2; break
    }
    case G.OP_FEQ_D: if (isSnanD(bd1) || isSnanD(bd2)) setFlags(FLAG_NV); setXr(rd, d1 == d2 ? 1 : 0); kind = 3; break
    case G.OP_FLT_D: if (isNanF(d1) || isNanF(d2)) setFlags(FLAG_NV); setXr(rd, d1 < d2 ? 1 : 0); kind = 3; break
    case G.OP_FLE_D: if (isNanF(d1) || isNanF(d2)) setFlags(FLAG_NV); setXr(rd, d1 <= d2 ? 1 : 0); kind = 3; break
    case G.OP_FCLASS_D: {
      const e = bd1 & 0x7ff0000000000000, m = bd1 & 0xfffffffffffff
      setXr(rd, classify((bd1 >> 63) != 0, e == 0x7ff0000000000000 && m == 0, e == 0x7ff0000000000000 && m != 0, isSnanD(bd1), e == 0 && m == 0, e == 0 && m != 0))
      kind = 3; break
    }
    case G.OP_FCVT_W_D: setXr(rd, floatToInt(d1, rm, true, false)); kind = 3; break
    case G.OP_FCVT_WU_D: setXr(rd, floatToInt(d1, rm, false, false)); kind = 3; break
    case G.OP_FCVT_L_D: setXr(rd, floatToInt(d1, rm, true, true)); kind = 3; break
    case G.OP_FCVT_LU_D: setXr(rd, floatToInt(d1, rm, false, true)); kind = 3; break
    case G.OP_FCVT_D_W: { const v = <i64><i32>x1; resD = intToFloat(v < 0, v < 0 ? <u64>-v : <u64>v, true, rm); kind = 2; break }
    case G.OP_FCVT_D_WU: resD = intToFloat(false, x1 & 0xffffffff, true, rm); kind = 2; break
    case G.OP_FCVT_D_L: { const v = <i64>x1; resD = intToFloat(v < 0, v < 0 ? <u64>(-v) : <u64>v, true, rm); kind = 2; break }
    case G.OP_FCVT_D_LU: resD = intToFloat(false, x1, true, rm); kind = 2; break
    case G.OP_FMV_X_D: setXr(rd, bd1); kind = 3; break
    case G.OP_FMV_D_X: resD = x1; kind = 2; break
    default: return illegal(raw)
  }
  if (kind == 1) { setFregS(rd, resS); dirtyFs() }
  else if (kind == 2) { setFregD(rd, resD); dirtyFs() }
  if (fpFlags != 0) {
    store<u64>(S_FCSR, load<u64>(S_FCSR) | <u64>fpFlags)
    dirtyFs()
  }
  return R_OK
}

/** Ops whose encoding carries a rounding mode (the table's operand list ends in `rm`). */
function hasRm(op: u16): bool {
  switch (op) {
    case G.OP_FSGNJ_S: case G.OP_FSGNJN_S: case G.OP_FSGNJX_S: case G.OP_FMIN_S: case G.OP_FMAX_S: case G.OP_FEQ_S:
    case G.OP_FLT_S: case G.OP_FLE_S: case G.OP_FCLASS_S: case G.OP_FMV_X_W: case G.OP_FMV_W_X:
    case G.OP_FSGNJ_D: case G.OP_FSGNJN_D: case G.OP_FSGNJX_D: case G.OP_FMIN_D: case G.OP_FMAX_D: case G.OP_FEQ_D:
    case G.OP_FLT_D: case G.OP_FLE_D: case G.OP_FCLASS_D: case G.OP_FMV_X_D: case G.OP_FMV_D_X:
    case G.OP_FCVT_D_S: case G.OP_FCVT_D_W: case G.OP_FCVT_D_WU:
      return false
    default: return true
  }
}

/** NaN result handling for a single: canonical NaN; NV for sNaN inputs or an invalid operation. */
function nanS(r: u32, anySnan: bool, a: f64, b: f64): u32 {
  if ((r & 0x7f800000) == 0x7f800000 && (r & 0x7fffff) != 0) {
    if (anySnan || (!isNanF(a) && !isNanF(b))) setFlags(FLAG_NV)
    // An invalid op rounds nothing: drop NX/UF/OF that a NaN cannot carry.
    clearInexact()
    return CANON_S
  }
  if (anySnan) setFlags(FLAG_NV)
  return r
}
function nanS3(r: u32, anySnan: bool, a: f64, b: f64, c: f64): u32 {
  if ((r & 0x7f800000) == 0x7f800000 && (r & 0x7fffff) != 0) {
    if (anySnan || (!isNanF(a) && !isNanF(b) && !isNanF(c))) setFlags(FLAG_NV)
    clearInexact()
    return CANON_S
  }
  return r
}
function nanD(r: f64, anySnan: bool, a: f64, b: f64): u64 {
  if (isNanF(r)) {
    if (anySnan || (!isNanF(a) && !isNanF(b))) setFlags(FLAG_NV)
    clearInexact()
    return CANON_D
  }
  if (anySnan) setFlags(FLAG_NV)
  return reinterpret<u64>(r)
}
function nanD3(r: f64, anySnan: bool, a: f64, b: f64, c: f64): u64 {
  if (isNanF(r)) {
    if (anySnan || (!isNanF(a) && !isNanF(b) && !isNanF(c))) setFlags(FLAG_NV)
    clearInexact()
    return CANON_D
  }
  return reinterpret<u64>(r)
}
function clearInexact(): void {
  const f = fpFlags & ~(FLAG_NX | FLAG_UF | FLAG_OF)
  clearFlags()
  setFlags(f)
}
