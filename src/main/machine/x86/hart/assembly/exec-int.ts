/**
 * General-purpose instructions that are not in the run loop's inline set: rotates, double
 * shifts, one-operand multiply and divide (#DE), bit tests and scans, popcnt/lzcnt/tzcnt,
 * bswap, xadd, cmpxchg/cmpxchg8b/cmpxchg16b, xchg with memory, flag instructions, BCD adjust,
 * enter, pusha/popa, loop/jcxz, xlat, bound. Semantics per the SDM vol. 2 pseudo-code; where a
 * flag is undefined we produce what QEMU 7.2 produces (flags.ts explains the policy).
 * Every instruction commits registers after its last memory access (mem.ts: re-execution).
 */
import * as G from './decode.generated'
import { S_FLAGS, S_RIP, S_MODE as S_MODE_SLOT, SEG_SS, SEG_DS, DC_SCRATCH } from './layout'

/** Scratch for popa's eight values (not guest state). */
const POPA_TMP: usize = DC_SCRATCH + 0x300
import {
  R_OK, R_FAULT, R_JUMP, mst, fault, faultErr, sizeMask, sext,
} from './globals'
import { E_IMM, E_IMM2, E_ASZ, E_FLAGS, E_F_SEGOVR, E_SEG, E_K1, K_BYTE, C_REG, C_MEM, C_IMM } from './decode'
import { rd, wr, segWriteWatched } from './mem'
import {
  R, rdReg, wrReg, eaOf, segOf, stackWidth, widthMask, setSp, push, readOp, writeOp, RSP_OFF,
} from './regs'
import { getFlags, setFlags, setArith, setLazy, carry, arithFlags, FL_ADD, FL_SUB, FL_LOGIC, FL_MUL } from './flags'
import {
  EFLAGS_CF, EFLAGS_PF, EFLAGS_AF, EFLAGS_ZF, EFLAGS_SF, EFLAGS_OF, EFLAGS_DF, VEC_DE, VEC_BR, VEC_GP,
} from './spec.generated'
import { mulhu, mulhs } from './index'
import { NOT_MINE, R_BRANCH } from './exec'

@inline function form(e: usize): u32 { return <u32>load<u8>(e, 28) }
@inline function osz(e: usize): u64 { return <u64>load<u8>(e, 27) }
@inline function r0(e: usize): usize { return <usize>load<u8>(e, 29) }
@inline function r1(e: usize): usize { return <usize>load<u8>(e, 30) }
@inline function msb(v: u64, size: u64): u64 { return (v >> ((size << 3) - 1)) & 1 }
@inline function parityFlag(v: u64): u64 { return (popcnt<u64>(v & 0xff) & 1) == 0 ? EFLAGS_PF : 0 }

export function execInt(e: usize, op: u32, npc: u64): i32 {
  switch (op) {
    case G.X_ROL: case G.X_ROR: case G.X_RCL: case G.X_RCR: return rotate(e, op, npc)
    case G.X_SHLD: case G.X_SHRD: return doubleShift(e, op, npc)
    case G.X_MUL: case G.X_IMUL1: return multiply(e, op == G.X_IMUL1, npc)
    case G.X_DIV: case G.X_IDIV: return divide(e, op == G.X_IDIV, npc)
    case G.X_BT: case G.X_BTS: case G.X_BTR: case G.X_BTC: return bitTest(e, op, npc)
    case G.X_BSF: case G.X_BSR: case G.X_POPCNT: case G.X_TZCNT: case G.X_LZCNT: return bitScan(e, op, npc)
    case G.X_BSWAP: {
      const s = osz(e)
      const v = rdReg(r0(e), s)
      wrReg(r0(e), s, s == 8 ? bswap<u64>(v) : s == 4 ? <u64>bswap<u32>(<u32>v) : 0) // 16-bit bswap is undefined: QEMU gives 0
      return R_OK
    }
    case G.X_XADD: case G.X_XCHG: case G.X_CMPXCHG: return exchange(e, op, npc)
    case G.X_CMPXCHG8B: case G.X_CMPXCHG16B: return cmpxchgWide(e, op == G.X_CMPXCHG16B, npc)
    case G.X_CLC: setArith(EFLAGS_CF, 0); return R_OK
    case G.X_STC: setArith(EFLAGS_CF, EFLAGS_CF); return R_OK
    case G.X_CMC: setArith(EFLAGS_CF, carry() != 0 ? 0 : EFLAGS_CF); return R_OK
    case G.X_CLD: store<u64>(S_FLAGS, load<u64>(S_FLAGS) & ~EFLAGS_DF); return R_OK
    case G.X_STD: store<u64>(S_FLAGS, load<u64>(S_FLAGS) | EFLAGS_DF); return R_OK
    case G.X_LAHF: wrReg(1, 1, (getFlags() & 0xd5) | 2); return R_OK // AH = SF:ZF:0:AF:0:PF:1:CF
    case G.X_SAHF: setArith(EFLAGS_SF | EFLAGS_ZF | EFLAGS_AF | EFLAGS_PF | EFLAGS_CF, rdReg(1, 1)); return R_OK
    case G.X_XLAT: {
      const asz = <u64>load<u8>(e, E_ASZ)
      const v = rd(segOf(e), (R(3 * 8) + rdReg(0, 1)) & sizeMask(asz), 1)
      if (mst != R_OK) return mst
      wrReg(0, 1, v)
      return R_OK
    }
    case G.X_DAA: case G.X_DAS: case G.X_AAA: case G.X_AAS: case G.X_AAM: case G.X_AAD: return bcd(e, op)
    case G.X_BOUND: {
      const s = osz(e)
      const ea = eaOf(e, npc)
      const lo = rd(segOf(e), ea, s)
      if (mst != R_OK) return mst
      const hi = rd(segOf(e), ea + s, s)
      if (mst != R_OK) return mst
      const i = <i64>sext(rdReg(r0(e), s), s)
      if (i < <i64>sext(lo, s) || i > <i64>sext(hi, s)) return fault(VEC_BR)
      return R_OK
    }
    case G.X_ENTER: return enter(e)
    case G.X_PUSHA: return pusha(e)
    case G.X_POPA: return popa(e)
    case G.X_LOOP: case G.X_LOOPE: case G.X_LOOPNE: case G.X_JCXZ: case G.X_JECXZ: case G.X_JRCXZ: return loop(e, op, npc)
    default: return NOT_MINE
  }
}

/** rol/ror/rcl/rcr (SDM "RCL/RCR/ROL/ROR"): count masked to 5 (6 with REX.W) bits; flags as QEMU computes them. */
function rotate(e: usize, op: u32, npc: u64): i32 {
  const s = osz(e)
  const bits = s << 3
  const f = form(e)
  const c0 = f & 3, c1 = (f >> 2) & 3
  const raw = (c1 == C_REG ? rdReg(8, 1) : load<u64>(e, E_IMM)) & (s == 8 ? 63 : 31)
  const ea: u64 = c0 == C_MEM ? eaOf(e, npc) : 0
  const a = readOp(e, c0, r0(e), s, ea)
  if (c0 == C_MEM && mst != R_OK) return mst
  if (raw == 0) { if (c0 == C_REG) wrReg(r0(e), s, a); return R_OK } // flags unchanged; a 32-bit register is still zero-extended
  const mask = sizeMask(s)
  let res: u64
  let cf: u64, ovf: u64
  if (op == G.X_ROL || op == G.X_ROR) {
    const n = raw & (bits - 1)
    if (op == G.X_ROL) res = n == 0 ? a : ((a << n) | (a >> (bits - n))) & mask
    else res = n == 0 ? a : ((a >> n) | (a << (bits - n))) & mask
    if (op == G.X_ROL) { cf = res & 1; ovf = msb(res, s) ^ cf }
    else { cf = msb(res, s); ovf = ((res >> (bits - 2)) & 1) ^ cf }
  } else {
    // Through carry: a (bits + 1)-bit rotation; the count is taken modulo bits + 1 for 8/16-bit operands.
    const n = s <= 2 ? raw % (bits + 1) : raw
    const cin = carry()
    res = a
    cf = cin
    for (let i: u64 = 0; i < n; i++) {
      if (op == G.X_RCL) { const out = msb(res, s); res = ((res << 1) | cf) & mask; cf = out }
      else { const out = res & 1; res = (res >> 1) | (cf << (bits - 1)); cf = out }
    }
    ovf = msb(a ^ res, s)
  }
  writeOp(e, c0, r0(e), s, ea, res)
  if (c0 == C_MEM && mst != R_OK) return mst
  setArith(EFLAGS_CF | EFLAGS_OF, (cf != 0 ? EFLAGS_CF : 0) | (ovf != 0 ? EFLAGS_OF : 0))
  return R_OK
}

/** shld/shrd: shift dst, filling from src; CF = last bit out, OF = sign change of the last one-bit step. */
function doubleShift(e: usize, op: u32, npc: u64): i32 {
  const s = osz(e)
  const bits = s << 3
  const f = form(e)
  const c0 = f & 3, c2 = (f >> 4) & 3
  const n = (c2 == C_REG ? rdReg(8, 1) : load<u64>(e, E_IMM)) & (s == 8 ? 63 : 31)
  const ea: u64 = c0 == C_MEM ? eaOf(e, npc) : 0
  const a = readOp(e, c0, r0(e), s, ea)
  if (c0 == C_MEM && mst != R_OK) return mst
  if (n == 0) { if (c0 == C_REG) wrReg(r0(e), s, a); return R_OK }
  const b = rdReg(r1(e), s)
  const mask = sizeMask(s)
  let res: u64 = a, prev: u64 = a
  for (let i: u64 = 0; i < n; i++) {
    prev = res
    if (op == G.X_SHLD) res = ((res << 1) | ((b >> (bits - 1 - i)) & 1)) & mask
    else res = (res >> 1) | (((b >> i) & 1) << (bits - 1))
  }
  writeOp(e, c0, r0(e), s, ea, res)
  if (c0 == C_MEM && mst != R_OK) return mst
  const cf = op == G.X_SHLD ? msb(prev, s) : prev & 1
  const ovf = msb(a ^ res, s)
  setFlags((getFlags() & ~(EFLAGS_CF | EFLAGS_OF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_PF | EFLAGS_AF)) |
    (cf != 0 ? EFLAGS_CF : 0) | (ovf != 0 ? EFLAGS_OF : 0) | (res == 0 ? EFLAGS_ZF : 0) | (msb(res, s) != 0 ? EFLAGS_SF : 0) | parityFlag(res))
  return R_OK
}

/** mul/imul with one operand: rDX:rAX (AX for bytes) = rAX × src; CF = OF = the high half is significant. */
function multiply(e: usize, signed: bool, npc: u64): i32 {
  const s = osz(e)
  const c0 = form(e) & 3
  const src = readOp(e, c0, r0(e), s, c0 == C_MEM ? eaOf(e, npc) : 0)
  if (c0 == C_MEM && mst != R_OK) return mst
  const a = rdReg(0, s)
  let lo: u64, hi: u64, big: bool
  if (s == 8) {
    if (signed) { lo = <u64>(<i64>a * <i64>src); hi = <u64>mulhs(<i64>a, <i64>src); big = hi != <u64>(<i64>lo >> 63) }
    else { lo = a * src; hi = mulhu(a, src); big = hi != 0 }
  } else {
    const bits = s << 3
    const p: u64 = signed ? <u64>(<i64>sext(a, s) * <i64>sext(src, s)) : a * src
    lo = p & sizeMask(s)
    hi = (p >> bits) & sizeMask(s)
    big = signed ? sext(lo, s) != p : hi != 0
  }
  if (s == 1) wrReg(0, 2, (hi << 8) | lo)
  else { wrReg(0, s, lo); wrReg(16, s, hi) }
  setLazy(FL_MUL, s, lo, 0, big ? 1 : 0)
  return R_OK
}

/** 128 / 64 unsigned division by shift and subtract (the 64-bit div); q overflow is checked by the caller. */
let qLo: u64 = 0
let rem: u64 = 0
function udiv128(hi: u64, lo: u64, d: u64): void {
  let r = hi
  let q: u64 = 0
  for (let i = 63; i >= 0; i--) {
    const top = r >> 63
    r = (r << 1) | ((lo >> <u64>i) & 1)
    q <<= 1
    if (top != 0 || r >= d) { r -= d; q |= 1 }
  }
  qLo = q
  rem = r
}

/** div/idiv: rDX:rAX / src → quotient in rAX, remainder in rDX; #DE on a zero divisor or a quotient that does not fit. */
function divide(e: usize, signed: bool, npc: u64): i32 {
  const s = osz(e)
  const c0 = form(e) & 3
  const d = readOp(e, c0, r0(e), s, c0 == C_MEM ? eaOf(e, npc) : 0)
  if (c0 == C_MEM && mst != R_OK) return mst
  if (d == 0) return fault(VEC_DE)
  if (s == 8) {
    const hi = R(16), lo = R(0)
    if (!signed) {
      if (hi >= d) return fault(VEC_DE)
      udiv128(hi, lo, d)
      wrReg(0, 8, qLo); wrReg(16, 8, rem)
      return R_OK
    }
    const neg = <i64>hi < 0
    let ahi = hi, alo = lo
    if (neg) { alo = ~lo + 1; ahi = ~hi + (alo == 0 ? 1 : 0) }
    const dneg = <i64>d < 0
    const ad = dneg ? 0 - d : d
    if (ahi >= ad) return fault(VEC_DE)
    udiv128(ahi, alo, ad)
    const qneg = neg != dneg
    if (qneg ? qLo > 0x8000000000000000 : qLo > 0x7fffffffffffffff) return fault(VEC_DE)
    wrReg(0, 8, qneg ? 0 - qLo : qLo)
    wrReg(16, 8, neg ? 0 - rem : rem)
    return R_OK
  }
  const bits = s << 3
  const mask = sizeMask(s)
  const dividend: u64 = s == 1 ? rdReg(0, 2) : (rdReg(16, s) << bits) | rdReg(0, s)
  let q: u64, r: u64
  if (!signed) {
    q = dividend / d
    r = dividend % d
    if (q > mask) return fault(VEC_DE)
  } else {
    const n = <i64>sext(dividend, s << 1)
    const dd = <i64>sext(d, s)
    const qs = n / dd
    const limit = <i64>1 << <i64>(bits - 1)
    if (qs >= limit || qs < -limit) return fault(VEC_DE)
    q = <u64>qs & mask
    r = <u64>(n % dd) & mask
  }
  if (s == 1) wrReg(0, 2, (r << 8) | q)
  else { wrReg(0, s, q); wrReg(16, s, r) }
  return R_OK
}

/** bt/bts/btr/btc: with a register bit offset and a memory operand the offset may reach outside the operand (bit string). */
function bitTest(e: usize, op: u32, npc: u64): i32 {
  const s = osz(e)
  const bits = s << 3
  const f = form(e)
  const c0 = f & 3, c1 = (f >> 2) & 3
  let off = c1 == C_IMM ? load<u64>(e, E_IMM) : rdReg(r1(e), s)
  let ea: u64 = 0
  if (c0 == C_MEM) {
    ea = eaOf(e, npc)
    if (c1 == C_REG) {
      const so = <i64>sext(off, s)
      ea = (ea + <u64>((so >> <i64>(bits == 64 ? 6 : bits == 32 ? 5 : 4)) * <i64>s)) & sizeMask(<u64>load<u8>(e, E_ASZ))
    }
  }
  off &= bits - 1
  const a = readOp(e, c0, r0(e), s, ea)
  if (c0 == C_MEM && mst != R_OK) return mst
  const bit = (a >> off) & 1
  if (op != G.X_BT) {
    const m: u64 = (<u64>1) << off
    const v = op == G.X_BTS ? a | m : op == G.X_BTR ? a & ~m : a ^ m
    writeOp(e, c0, r0(e), s, ea, v)
    if (c0 == C_MEM && mst != R_OK) return mst
  }
  setArith(EFLAGS_CF, bit != 0 ? EFLAGS_CF : 0)
  return R_OK
}

/** bsf/bsr (ZF from the source; a zero source leaves the destination's value), popcnt, tzcnt, lzcnt. */
function bitScan(e: usize, op: u32, npc: u64): i32 {
  const s = osz(e)
  const bits = s << 3
  const c1 = (form(e) >> 2) & 3
  const v = readOp(e, c1, r1(e), s, c1 == C_MEM ? eaOf(e, npc) : 0)
  if (c1 == C_MEM && mst != R_OK) return mst
  switch (op) {
    case G.X_BSF: case G.X_BSR: {
      if (v != 0) wrReg(r0(e), s, op == G.X_BSF ? ctz<u64>(v) : 63 - clz<u64>(v))
      else wrReg(r0(e), s, rdReg(r0(e), s))
      setLazy(FL_LOGIC, s, v, 0, 0)
      break
    }
    case G.X_POPCNT: {
      wrReg(r0(e), s, popcnt<u64>(v))
      setFlags((getFlags() & ~(EFLAGS_CF | EFLAGS_OF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_PF | EFLAGS_AF)) | (v == 0 ? EFLAGS_ZF : 0))
      break
    }
    default: {
      // lzcnt (CPUID ABM is advertised); tzcnt without BMI1 is bsf, as on QEMU's CPU models without it.
      if (op == G.X_TZCNT) return bitScan2(e, s, v)
      const r: u64 = v == 0 ? bits : clz<u64>(v) - (64 - bits)
      wrReg(r0(e), s, r)
      setFlags((getFlags() & ~(EFLAGS_CF | EFLAGS_OF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_PF | EFLAGS_AF)) |
        (v == 0 ? EFLAGS_CF : 0) | (r == 0 ? EFLAGS_ZF : 0) | (msb(r, s) != 0 ? EFLAGS_SF : 0))
    }
  }
  return R_OK
}
function bitScan2(e: usize, s: u64, v: u64): i32 {
  if (v != 0) wrReg(r0(e), s, ctz<u64>(v))
  else wrReg(r0(e), s, rdReg(r0(e), s))
  setLazy(FL_LOGIC, s, v, 0, 0)
  return R_OK
}

/** xadd, xchg (memory form) and cmpxchg: memory is read, then written (always, as the processor does), then registers. */
function exchange(e: usize, op: u32, npc: u64): i32 {
  const s = osz(e)
  const f = form(e)
  const c0 = f & 3, c1 = (f >> 2) & 3
  // xchg's row may list the register first (xchg rv, r/mv): find which operand is memory.
  const memFirst = c0 == C_MEM || c0 == C_REG && c1 == C_REG
  const dstCls = memFirst ? c0 : c1
  const dstReg = memFirst ? r0(e) : r1(e)
  const srcReg = memFirst ? r1(e) : r0(e)
  const ea: u64 = dstCls == C_MEM ? eaOf(e, npc) : 0
  const d = readOp(e, dstCls, dstReg, s, ea)
  if (dstCls == C_MEM && mst != R_OK) return mst
  const src = rdReg(srcReg, s)
  if (op == G.X_XCHG) {
    writeOp(e, dstCls, dstReg, s, ea, src)
    if (dstCls == C_MEM && mst != R_OK) return mst
    wrReg(srcReg, s, d)
    return R_OK
  }
  if (op == G.X_XADD) {
    const sum = (d + src) & sizeMask(s)
    writeOp(e, dstCls, dstReg, s, ea, sum)
    if (dstCls == C_MEM && mst != R_OK) return mst
    wrReg(srcReg, s, d)
    if (dstCls == C_REG) writeOp(e, dstCls, dstReg, s, ea, sum) // xadd r, r with the same register keeps the sum
    setLazy(FL_ADD, s, sum, d, src)
    return R_OK
  }
  // cmpxchg: compare rAX with the destination.
  const acc = rdReg(0, s)
  const equal = acc == d
  // Memory is always written (the processor's locked read-modify-write); a register destination only when
  // equal, so a failing 32-bit cmpxchg leaves the register's upper half as QEMU does.
  if (dstCls == C_MEM || equal) writeOp(e, dstCls, dstReg, s, ea, equal ? src : d)
  if (dstCls == C_MEM && mst != R_OK) return mst
  if (!equal) wrReg(0, s, d)
  setLazy(FL_SUB, s, (acc - d) & sizeMask(s), acc, d)
  return R_OK
}

/** cmpxchg8b / cmpxchg16b (16-byte aligned, else #GP(0)): only ZF changes. */
function cmpxchgWide(e: usize, wide: bool, npc: u64): i32 {
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  const half: u64 = wide ? 8 : 4
  if (wide && (ea & 15) != 0) return faultErr(VEC_GP, 0)
  const lo = rd(seg, ea, half)
  if (mst != R_OK) return mst
  const hi = rd(seg, ea + half, half)
  if (mst != R_OK) return mst
  const equal = lo == rdReg(0, half) && hi == rdReg(16, half)
  if (segWriteWatched(seg, ea, 2 * half)) return mst // a debugger's watch on either half: before either is written
  const nlo = equal ? rdReg(3 * 8, half) : lo
  const nhi = equal ? rdReg(8, half) : hi
  wr(seg, ea, half, nlo)
  if (mst != R_OK) return mst
  wr(seg, ea + half, half, nhi)
  if (mst != R_OK) return mst
  if (!equal) { wrReg(0, half, lo); wrReg(16, half, hi) }
  setArith(EFLAGS_ZF, equal ? EFLAGS_ZF : 0)
  return R_OK
}

/** daa/das/aaa/aas/aam/aad (SDM pseudo-code; aam 0 raises #DE). */
function bcd(e: usize, op: u32): i32 {
  const f = getFlags()
  const al = rdReg(0, 1)
  const cf = (f & EFLAGS_CF) != 0, af = (f & EFLAGS_AF) != 0
  let nf = f & ~(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)
  let r: u64 = al
  switch (op) {
    case G.X_DAA: case G.X_DAS: {
      let ncf = false, naf = false
      if ((al & 15) > 9 || af) {
        r = op == G.X_DAA ? (r + 6) & 0xff : (r - 6) & 0xff
        ncf = cf || (op == G.X_DAA ? al + 6 > 0xff : al < 6)
        naf = true
      }
      if (al > 0x99 || cf) {
        r = op == G.X_DAA ? (r + 0x60) & 0xff : (r - 0x60) & 0xff
        ncf = true
      }
      wrReg(0, 1, r)
      nf |= (ncf ? EFLAGS_CF : 0) | (naf ? EFLAGS_AF : 0)
      break
    }
    case G.X_AAA: case G.X_AAS: {
      let ax = rdReg(0, 2)
      if ((al & 15) > 9 || af) {
        ax = op == G.X_AAA ? ax + 0x106 : ax - 0x106 // SDM: AX ← AX ∓ 6 (borrowing into AH), AH ← AH ∓ 1
        nf |= EFLAGS_AF | EFLAGS_CF
      }
      wrReg(0, 2, ax & 0xff0f)
      r = ax & 0x0f
      break
    }
    case G.X_AAM: {
      const base = load<u64>(e, E_IMM) & 0xff
      if (base == 0) return fault(VEC_DE)
      r = al % base
      wrReg(0, 2, ((al / base) << 8) | r)
      break
    }
    default: { // aad
      const base = load<u64>(e, E_IMM) & 0xff
      r = (al + rdReg(1, 1) * base) & 0xff
      wrReg(0, 2, r)
    }
  }
  if (op != G.X_AAA && op != G.X_AAS) nf |= (r == 0 ? EFLAGS_ZF : 0) | ((r & 0x80) != 0 ? EFLAGS_SF : 0) | parityFlag(r)
  setFlags(nf)
  return R_OK
}

/** enter imm16, imm8 (SDM ENTER): push rBP, copy `level − 1` frame pointers, push the frame pointer, allocate. */
function enter(e: usize): i32 {
  const s = osz(e)
  const w = stackWidth()
  const wm = widthMask(w)
  const size = load<u64>(e, E_IMM) & 0xffff
  const level = load<u64>(e, E_IMM2) & 31
  let sp = R(RSP_OFF)
  let bp = R(5 * 8)
  const pushes: u64 = level > 0 ? level + 1 : 1
  if (segWriteWatched(SEG_SS, (sp - pushes * s) & wm, pushes * s)) return mst // a debugger's watch: before the first push
  sp = (sp - s) & wm
  wr(SEG_SS, sp, s, rdReg(5 * 8, s))
  if (mst != R_OK) return mst
  const frame = sp
  if (level > 0) {
    for (let i: u64 = 1; i < level; i++) {
      bp = (bp - s) & wm
      const v = rd(SEG_SS, bp, s)
      if (mst != R_OK) return mst
      sp = (sp - s) & wm
      wr(SEG_SS, sp, s, v)
      if (mst != R_OK) return mst
    }
    sp = (sp - s) & wm
    wr(SEG_SS, sp, s, frame)
    if (mst != R_OK) return mst
  }
  wrReg(5 * 8, s, frame)
  setSp((sp - size) & wm, w)
  return R_OK
}

/** pusha/pushad: AX CX DX BX (original) SP BP SI DI. */
function pusha(e: usize): i32 {
  const s = osz(e)
  const w = stackWidth()
  const wm = widthMask(w)
  const sp0 = R(RSP_OFF)
  let sp = sp0
  if (segWriteWatched(SEG_SS, (sp0 - 8 * s) & wm, 8 * s)) return mst // a debugger's watch: before the first push
  for (let i: usize = 0; i < 8; i++) {
    sp = (sp - s) & wm
    wr(SEG_SS, sp, s, i == 4 ? sp0 : rdReg(i << 3, s))
    if (mst != R_OK) return mst
  }
  setSp(sp, w)
  return R_OK
}

/** popa/popad: DI SI BP (SP skipped) BX DX CX AX. */
function popa(e: usize): i32 {
  const s = osz(e)
  const w = stackWidth()
  const wm = widthMask(w)
  let sp = R(RSP_OFF)
  // Values are collected in scratch memory first: registers change only when every pop succeeded.
  for (let i = 7; i >= 0; i--) {
    store<u64>(POPA_TMP + (<usize>i << 3), rd(SEG_SS, sp, s))
    if (mst != R_OK) return mst
    sp = (sp + s) & wm
  }
  for (let i = 0; i < 8; i++) if (i != 4) wrReg(<usize>i << 3, s, load<u64>(POPA_TMP + (<usize>i << 3)))
  setSp(sp, w)
  return R_OK
}

/** loop/loope/loopne (rCX at the address size, decremented) and jcxz/jecxz/jrcxz. */
function loop(e: usize, op: u32, npc: u64): i32 {
  const asz = <u64>load<u8>(e, E_ASZ)
  let c = rdReg(8, asz)
  let take: bool
  if (op == G.X_JCXZ || op == G.X_JECXZ || op == G.X_JRCXZ) take = c == 0
  else {
    c = (c - 1) & sizeMask(asz)
    wrReg(8, asz, c)
    const zf = (arithFlags() & EFLAGS_ZF) != 0
    take = c != 0 && (op == G.X_LOOP || (op == G.X_LOOPE ? zf : !zf))
  }
  if (!take) return R_OK
  const ipMask = codeMask()
  store<u64>(S_RIP, (npc + load<u64>(e, E_IMM)) & ipMask)
  return R_BRANCH
}

/** RIP mask of the current code size (matches the run loop's ipMask). */
export function codeMask(): u64 {
  const m = load<u64>(S_MODE_SLOT)
  return m == 5 ? <u64>-1 : (m == 2 || m == 4) ? 0xffffffff : 0xffff
}

