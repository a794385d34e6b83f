/**
 * SSE/SSE2 floating point: add/sub/mul/div/min/max/sqrt/rcp/rsqrt in packed and scalar single
 * and double precision, the compare predicates of cmpps/cmppd/cmpss/cmpsd, comiss/ucomiss/
 * comisd/ucomisd into EFLAGS, and the conversions between integers, singles and doubles. The NaN
 * rules are x86's (sse-common.ts); min/max return the source operand when either is NaN or both
 * are zero (SDM MINPS/MAXPS). Arithmetic rounds to nearest even (wasm's only mode); the
 * conversions to integers honour MXCSR.RC, and out-of-range or NaN inputs give the integer
 * indefinite value (0x80000000 / 0x8000000000000000). MXCSR exception flags are not raised and
 * unmasked SIMD exceptions (#XM) are not delivered. rcp/rsqrt compute the exact reciprocal, as QEMU does.
 */
import * as G from './decode.generated'
import { S_MXCSR } from './layout'
import { R_OK, mst } from './globals'
import { C_REG, E_IMM } from './decode'
import { wrReg, readOp, eaOf } from './regs'
import { setFlags, getFlags, ARITH_FLAGS } from './flags'
import { EFLAGS_ZF, EFLAGS_PF, EFLAGS_CF } from './spec.generated'
import { SRC, DST, xmm, cls, reg, loadOperand, nan32, nan64, isNaN32, isNaN64, sseCheck } from './sse-common'
import { NOT_MINE } from './exec'

// Arithmetic kinds.
const A_ADD: i32 = 0
const A_SUB: i32 = 1
const A_MUL: i32 = 2
const A_DIV: i32 = 3
const A_MIN: i32 = 4
const A_MAX: i32 = 5
const A_SQRT: i32 = 6
const A_RCP: i32 = 7
const A_RSQRT: i32 = 8

function f32op(k: i32, ab: u32, bb: u32): u32 {
  const a = reinterpret<f32>(ab), b = reinterpret<f32>(bb)
  switch (k) {
    case A_ADD: return nan32(a + b, ab, bb)
    case A_SUB: return nan32(a - b, ab, bb)
    case A_MUL: return nan32(a * b, ab, bb)
    case A_DIV: return nan32(a / b, ab, bb)
    case A_MIN: return a < b ? ab : bb
    case A_MAX: return a > b ? ab : bb
    case A_SQRT: return nan32(Mathf.sqrt(b), bb, bb)
    case A_RCP: return nan32(<f32>1 / b, bb, bb)
    default: return nan32(<f32>1 / Mathf.sqrt(b), bb, bb)
  }
}
function f64op(k: i32, ab: u64, bb: u64): u64 {
  const a = reinterpret<f64>(ab), b = reinterpret<f64>(bb)
  switch (k) {
    case A_ADD: return nan64(a + b, ab, bb)
    case A_SUB: return nan64(a - b, ab, bb)
    case A_MUL: return nan64(a * b, ab, bb)
    case A_DIV: return nan64(a / b, ab, bb)
    case A_MIN: return a < b ? ab : bb
    case A_MAX: return a > b ? ab : bb
    default: return nan64(Math.sqrt(b), bb, bb)
  }
}

/** The compare predicates 0–7 of cmpps/cmpss/cmppd/cmpsd: EQ LT LE UNORD NEQ NLT NLE ORD. */
function predicate(p: u32, a: f64, b: f64): bool {
  const unordered = a != a || b != b
  switch (p & 7) {
    case 0: return a == b
    case 1: return a < b
    case 2: return a <= b
    case 3: return unordered
    case 4: return !(a == b)
    case 5: return !(a < b)
    case 6: return !(a <= b)
    default: return !unordered
  }
}

/** Rounds per MXCSR.RC (nearest even, down, up, toward zero), or truncates. */
function roundMx(v: f64, truncate: bool): f64 {
  if (truncate) return trunc(v)
  switch (<i32>((load<u64>(S_MXCSR) >> 13) & 3)) {
    case 1: return floor(v)
    case 2: return ceil(v)
    case 3: return trunc(v)
    default: return nearest(v)
  }
}
/** Float → int32 with the integer indefinite for NaN and out-of-range values. */
function toI32(v: f64, truncate: bool): u32 {
  const r = roundMx(v, truncate)
  if (r != r || r >= 2147483648.0 || r < -2147483648.0) return 0x80000000
  return <u32><i32>r
}
function toI64(v: f64, truncate: bool): u64 {
  const r = roundMx(v, truncate)
  if (r != r || r >= 9223372036854775808.0 || r < -9223372036854775808.0) return 0x8000000000000000
  return <u64><i64>r
}
/** double → single keeping NaN payloads quietened (not the engine's canonical NaN). */
function d2s(b: u64): u32 {
  if (isNaN64(b)) return <u32>((b >> 32) & 0x80000000) | 0x7fc00000 | <u32>((b >> 29) & 0x3fffff)
  return reinterpret<u32>(<f32>reinterpret<f64>(b))
}
function s2d(b: u32): u64 {
  if (isNaN32(b)) return ((<u64>b & 0x80000000) << 32) | 0x7ff8000000000000 | ((<u64>b & 0x3fffff) << 29)
  return reinterpret<u64>(<f64>reinterpret<f32>(b))
}

export function execSseFloat(e: usize, op: u32, npc: u64): i32 {
  let k: i32 = -1
  let w: u32 = 0 // lane width: 4 single, 8 double
  let scalar = false
  switch (op) {
    case G.X_ADDPS: k = A_ADD; w = 4; break
    case G.X_ADDSS: k = A_ADD; w = 4; scalar = true; break
    case G.X_ADDPD: k = A_ADD; w = 8; break
    case G.X_ADDSD: k = A_ADD; w = 8; scalar = true; break
    case G.X_SUBPS: k = A_SUB; w = 4; break
    case G.X_SUBSS: k = A_SUB; w = 4; scalar = true; break
    case G.X_SUBPD: k = A_SUB; w = 8; break
    case G.X_SUBSD: k = A_SUB; w = 8; scalar = true; break
    case G.X_MULPS: k = A_MUL; w = 4; break
    case G.X_MULSS: k = A_MUL; w = 4; scalar = true; break
    case G.X_MULPD: k = A_MUL; w = 8; break
    case G.X_MULSD: k = A_MUL; w = 8; scalar = true; break
    case G.X_DIVPS: k = A_DIV; w = 4; break
    case G.X_DIVSS: k = A_DIV; w = 4; scalar = true; break
    case G.X_DIVPD: k = A_DIV; w = 8; break
    case G.X_DIVSD: k = A_DIV; w = 8; scalar = true; break
    case G.X_MINPS: k = A_MIN; w = 4; break
    case G.X_MINSS: k = A_MIN; w = 4; scalar = true; break
    case G.X_MINPD: k = A_MIN; w = 8; break
    case G.X_MINSD: k = A_MIN; w = 8; scalar = true; break
    case G.X_MAXPS: k = A_MAX; w = 4; break
    case G.X_MAXSS: k = A_MAX; w = 4; scalar = true; break
    case G.X_MAXPD: k = A_MAX; w = 8; break
    case G.X_MAXSD: k = A_MAX; w = 8; scalar = true; break
    case G.X_SQRTPS: k = A_SQRT; w = 4; break
    case G.X_SQRTSS: k = A_SQRT; w = 4; scalar = true; break
    case G.X_SQRTPD: k = A_SQRT; w = 8; break
    case G.X_SQRTSD: k = A_SQRT; w = 8; scalar = true; break
    case G.X_RCPPS: k = A_RCP; w = 4; break
    case G.X_RCPSS: k = A_RCP; w = 4; scalar = true; break
    case G.X_RSQRTPS: k = A_RSQRT; w = 4; break
    case G.X_RSQRTSS: k = A_RSQRT; w = 4; scalar = true; break
    case G.X_CMPPS: case G.X_CMPSS: case G.X_CMPPD: case G.X_CMPSD: {
      const c = sseCheck()
      return c != R_OK ? c : compare(e, op, npc)
    }
    case G.X_COMISS: case G.X_UCOMISS: case G.X_COMISD: case G.X_UCOMISD: {
      const c = sseCheck()
      return c != R_OK ? c : comis(e, op == G.X_COMISS || op == G.X_UCOMISS, npc)
    }
    default: return convert(e, op, npc)
  }
  const c = sseCheck()
  if (c != R_OK) return c
  const d = xmm(reg(e, 0))
  loadOperand(e, 1, scalar ? w : 16, npc, !scalar, SRC)
  if (mst != R_OK) return mst
  const n: usize = scalar ? 1 : <usize>(16 / w)
  for (let i: usize = 0; i < n; i++) {
    if (w == 4) store<u32>(d + i * 4, f32op(k, load<u32>(d + i * 4), load<u32>(SRC + i * 4)))
    else store<u64>(d + i * 8, f64op(k, load<u64>(d + i * 8), load<u64>(SRC + i * 8)))
  }
  return R_OK
}

function compare(e: usize, op: u32, npc: u64): i32 {
  const w: u32 = op == G.X_CMPPS || op == G.X_CMPSS ? 4 : 8
  const scalar = op == G.X_CMPSS || op == G.X_CMPSD
  const d = xmm(reg(e, 0))
  loadOperand(e, 1, scalar ? w : 16, npc, !scalar, SRC)
  if (mst != R_OK) return mst
  const p = <u32>(load<u64>(e, E_IMM) & 7)
  const n: usize = scalar ? 1 : <usize>(16 / w)
  for (let i: usize = 0; i < n; i++) {
    if (w == 4) store<u32>(d + i * 4, predicate(p, <f64>load<f32>(d + i * 4), <f64>load<f32>(SRC + i * 4)) ? 0xffffffff : 0)
    else store<u64>(d + i * 8, predicate(p, load<f64>(d + i * 8), load<f64>(SRC + i * 8)) ? <u64>-1 : 0)
  }
  return R_OK
}

function isConvert(op: u32): bool {
  switch (op) {
    case G.X_CVTSI2SS: case G.X_CVTSI2SD: case G.X_CVTTSS2SI: case G.X_CVTSS2SI: case G.X_CVTTSD2SI: case G.X_CVTSD2SI:
    case G.X_CVTSS2SD: case G.X_CVTSD2SS: case G.X_CVTPS2PD: case G.X_CVTDQ2PD: case G.X_CVTPD2PS: case G.X_CVTPD2DQ:
    case G.X_CVTTPD2DQ: case G.X_CVTDQ2PS: case G.X_CVTPS2DQ: case G.X_CVTTPS2DQ:
      return true
    default: return false
  }
}

/** comis/ucomis: ZF PF CF = 111 unordered, 000 greater, 001 less, 100 equal; OF SF AF cleared. */
function comis(e: usize, single: bool, npc: u64): i32 {
  const d = xmm(reg(e, 0))
  loadOperand(e, 1, single ? 4 : 8, npc, false, SRC)
  if (mst != R_OK) return mst
  const a: f64 = single ? <f64>load<f32>(d) : load<f64>(d)
  const b: f64 = single ? <f64>load<f32>(SRC) : load<f64>(SRC)
  let f: u64
  if (a != a || b != b) f = EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF
  else if (a > b) f = 0
  else if (a < b) f = EFLAGS_CF
  else f = EFLAGS_ZF
  setFlags((getFlags() & ~ARITH_FLAGS) | f)
  return R_OK
}

function convert(e: usize, op: u32, npc: u64): i32 {
  const d = xmm(reg(e, 0))
  const osz = <u64>load<u8>(e, 27)
  if (!isConvert(op)) return NOT_MINE
  const c = sseCheck()
  if (c != R_OK) return c
  switch (op) {
    case G.X_CVTSI2SS: case G.X_CVTSI2SD: {
      const size: u64 = osz == 8 ? 8 : 4
      const c1 = cls(e, 1)
      const v = readOp(e, c1, <usize>reg(e, 1), size, c1 == C_REG ? 0 : eaOf(e, npc))
      if (c1 != C_REG && mst != R_OK) return mst
      const x: i64 = size == 8 ? <i64>v : <i64><i32>v
      if (op == G.X_CVTSI2SS) store<f32>(d, <f32>x)
      else store<f64>(d, <f64>x)
      return R_OK
    }
    case G.X_CVTTSS2SI: case G.X_CVTSS2SI: case G.X_CVTTSD2SI: case G.X_CVTSD2SI: {
      const single = op == G.X_CVTTSS2SI || op == G.X_CVTSS2SI
      loadOperand(e, 1, single ? 4 : 8, npc, false, SRC)
      if (mst != R_OK) return mst
      const v: f64 = single ? <f64>load<f32>(SRC) : load<f64>(SRC)
      const t = op == G.X_CVTTSS2SI || op == G.X_CVTTSD2SI
      wrReg(<usize>reg(e, 0), osz, osz == 8 ? toI64(v, t) : <u64>toI32(v, t))
      return R_OK
    }
    case G.X_CVTSS2SD: case G.X_CVTSD2SS: {
      loadOperand(e, 1, op == G.X_CVTSS2SD ? 4 : 8, npc, false, SRC)
      if (mst != R_OK) return mst
      if (op == G.X_CVTSS2SD) store<u64>(d, s2d(load<u32>(SRC)))
      else store<u32>(d, d2s(load<u64>(SRC)))
      return R_OK
    }
    case G.X_CVTPS2PD: case G.X_CVTDQ2PD: {
      loadOperand(e, 1, 8, npc, false, SRC)
      if (mst != R_OK) return mst
      for (let i: usize = 0; i < 2; i++) {
        store<u64>(DST + i * 8, op == G.X_CVTPS2PD ? s2d(load<u32>(SRC + i * 4)) : reinterpret<u64>(<f64>load<i32>(SRC + i * 4)))
      }
      memory.copy(d, DST, 16)
      return R_OK
    }
    case G.X_CVTPD2PS: case G.X_CVTPD2DQ: case G.X_CVTTPD2DQ: {
      loadOperand(e, 1, 16, npc, true, SRC)
      if (mst != R_OK) return mst
      for (let i: usize = 0; i < 2; i++) {
        const b = load<u64>(SRC + i * 8)
        store<u32>(DST + i * 4, op == G.X_CVTPD2PS ? d2s(b) : toI32(reinterpret<f64>(b), op == G.X_CVTTPD2DQ))
      }
      store<u64>(DST, 0, 8)
      memory.copy(d, DST, 16)
      return R_OK
    }
    case G.X_CVTDQ2PS: case G.X_CVTPS2DQ: case G.X_CVTTPS2DQ: {
      loadOperand(e, 1, 16, npc, true, SRC)
      if (mst != R_OK) return mst
      for (let i: usize = 0; i < 4; i++) {
        const b = load<u32>(SRC + i * 4)
        store<u32>(DST + i * 4, op == G.X_CVTDQ2PS ? reinterpret<u32>(<f32><i32>b) : toI32(<f64>reinterpret<f32>(b), op == G.X_CVTTPS2DQ))
      }
      memory.copy(d, DST, 16)
      return R_OK
    }
    default: return NOT_MINE
  }
}

