/**
 * The x87 FPU (SDM vol. 1, chapter 8): the register stack (TOP, tags), loads and stores in every
 * memory format (m32/m64 reals, m80 extended, m16/m32/m64 integers with FCW.RC, m80 packed BCD),
 * arithmetic, compares into C3/C2/C0 or EFLAGS, constants, fcmov, the transcendentals, and the
 * control instructions (fninit, fnstsw/fnstcw/fldcw, fnclex, fnstenv/fldenv, fnsave/frstor).
 *
 * As far as freestanding compiler output needs it — not bit-exact to an 80-bit FPU: registers
 * hold binary64 (the 80-bit format is converted exactly where it is visible, ext80.ts), so
 * arithmetic has 53-bit precision whatever FCW.PC says and rounds to nearest (FCW.RC applies to
 * integer stores and frndint). Exceptions are always handled as masked (the default after
 * fninit): the status flags and stack-fault results are set, #MF is never raised.
 */
import * as G from './decode.generated'
import { FPR, S_FCW, S_FSW, S_FTW, S_FTOP, S_CR0 } from './layout'
import { R_OK, mst, fault } from './globals'
import { C_MEM, E_MODRM } from './decode'
import { rd, wr, probeWrite } from './mem'
import { wrReg, eaOf, segOf } from './regs'
import { getFlags, setFlags, cond, ARITH_FLAGS } from './flags'
import { CR0_EM, CR0_TS, VEC_NM, EFLAGS_ZF, EFLAGS_PF, EFLAGS_CF } from './spec.generated'
import { toExt80, fromExt80, extLo, extHi } from './ext80'
import { cls, reg, kind } from './sse-common'
import { NOT_MINE } from './exec'

// FSW bits.
const IE: u64 = 1
const ZE: u64 = 4
const SF: u64 = 0x40
const C0: u64 = 0x100
const C1: u64 = 0x200
const C2: u64 = 0x400
const C3: u64 = 0x4000
const INDEFINITE: f64 = reinterpret<f64>(0xfff8000000000000)

// Operand kind of st(i) (gen-decoder.ts KIND.STI).
const K_STI: u32 = 26

@inline function top(): usize { return <usize>(load<u64>(S_FTOP) & 7) }
@inline function phys(i: usize): usize { return (top() + i) & 7 }
@inline function valid(p: usize): bool { return ((load<u64>(S_FTW) >> <u64>p) & 1) != 0 }
@inline function setValid(p: usize, on: bool): void {
  const t = load<u64>(S_FTW)
  store<u64>(S_FTW, on ? t | ((<u64>1) << <u64>p) : t & ~((<u64>1) << <u64>p))
}
@inline function flag(bits: u64): void { store<u64>(S_FSW, load<u64>(S_FSW) | bits) }

/** ST(i); an empty register is a stack underflow (IE, SF) reading the indefinite QNaN. */
function st(i: usize): f64 {
  const p = phys(i)
  if (!valid(p)) { flag(IE | SF); store<u64>(S_FSW, load<u64>(S_FSW) & ~C1); return INDEFINITE }
  return load<f64>(FPR + p * 8)
}
function setSt(i: usize, v: f64): void {
  const p = phys(i)
  store<f64>(FPR + p * 8, v)
  setValid(p, true)
}
/** Push: a full register is a stack overflow (IE, SF, C1) and the indefinite is loaded. */
function push(v: f64): void {
  const t = (top() - 1) & 7
  store<u64>(S_FTOP, <u64>t)
  if (valid(t)) { flag(IE | SF | C1); v = INDEFINITE }
  store<f64>(FPR + t * 8, v)
  setValid(t, true)
}
function pop(): void {
  setValid(top(), false)
  store<u64>(S_FTOP, <u64>((top() + 1) & 7))
}

/** Rounds per FCW.RC (nearest even, down, up, toward zero). */
function roundRc(v: f64): f64 {
  switch (<i32>((load<u64>(S_FCW) >> 10) & 3)) {
    case 1: return floor(v)
    case 2: return ceil(v)
    case 3: return trunc(v)
    default: return nearest(v)
  }
}

/** Reads a memory operand of the entry's size as a real (m32/m64/m80) or an integer (`integer`). Sets mst. */
function readMem(e: usize, npc: u64, integer: bool): f64 {
  const size = <u64>load<u8>(e, 27)
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  if (size == 10) {
    const lo = rd(seg, ea, 8)
    if (mst != R_OK) return 0
    const hi = rd(seg, ea + 8, 2)
    if (mst != R_OK) return 0
    return reinterpret<f64>(fromExt80(lo, <u16>hi))
  }
  const v = rd(seg, ea, size)
  if (mst != R_OK) return 0
  if (integer) return size == 2 ? <f64><i16>v : size == 4 ? <f64><i32>v : <f64><i64>v
  return size == 4 ? <f64>reinterpret<f32>(<u32>v) : reinterpret<f64>(v)
}

/** Writes ST(0) to memory as a real of the entry's size. Sets mst. */
function writeReal(e: usize, npc: u64, v: f64): void {
  const size = <u64>load<u8>(e, 27)
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  if (size == 10) {
    probeWrite(seg, ea, 10)
    if (mst != R_OK) return
    toExt80(reinterpret<u64>(v))
    wr(seg, ea, 8, extLo)
    if (mst != R_OK) return
    wr(seg, ea + 8, 2, <u64>extHi)
    return
  }
  if (size == 4) {
    const b = reinterpret<u64>(v)
    const isNan = (b & 0x7fffffffffffffff) > 0x7ff0000000000000
    wr(seg, ea, 4, isNan ? <u64>(<u32>((b >> 32) & 0x80000000) | 0x7fc00000 | <u32>((b >> 29) & 0x3fffff)) : <u64>reinterpret<u32>(<f32>v))
    return
  }
  wr(seg, ea, 8, reinterpret<u64>(v))
}

/** Integer store with FCW.RC (or truncation for fisttp); out of range or NaN stores the integer indefinite. */
function writeInt(e: usize, npc: u64, v: f64, truncate: bool): void {
  const size = <u64>load<u8>(e, 27)
  const r = truncate ? trunc(v) : roundRc(v)
  const limit: f64 = size == 2 ? 32768.0 : size == 4 ? 2147483648.0 : 9223372036854775808.0
  let out: u64
  if (r != r || r >= limit || r < -limit) { flag(IE); out = size == 2 ? 0x8000 : size == 4 ? 0x80000000 : 0x8000000000000000 }
  else out = <u64><i64>r
  wr(segOf(e), eaOf(e, npc), size, out)
}

/** C3 C2 C0 of a compare (unordered: all three). */
function compareFsw(a: f64, b: f64): void {
  let c: u64
  if (a != a || b != b) c = C3 | C2 | C0
  else if (a < b) c = C0
  else if (a == b) c = C3
  else c = 0
  store<u64>(S_FSW, (load<u64>(S_FSW) & ~(C3 | C2 | C1 | C0)) | c)
}

function arith(mn: u32, a: f64, b: f64): f64 {
  switch (mn) {
    case 0: return a + b
    case 1: return a * b
    case 4: return a - b
    case 5: return b - a
    case 6: if (b == 0 && a == a) flag(ZE); return a / b
    default: if (a == 0 && b == b) flag(ZE); return b / a
  }
}
/** 0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr (the ModRM reg-field numbering of D8). */
function arithKind(op: u32): u32 {
  switch (op) {
    case G.X_FADD: case G.X_FADDP: case G.X_FIADD: return 0
    case G.X_FMUL: case G.X_FMULP: case G.X_FIMUL: return 1
    case G.X_FSUB: case G.X_FSUBP: case G.X_FISUB: return 4
    case G.X_FSUBR: case G.X_FSUBRP: case G.X_FISUBR: return 5
    case G.X_FDIV: case G.X_FDIVP: case G.X_FIDIV: return 6
    case G.X_FDIVR: case G.X_FDIVRP: case G.X_FIDIVR: return 7
    default: return 99
  }
}

export function execFpu(e: usize, op: u32, npc: u64): i32 {
  if (!isFpu(op)) return NOT_MINE
  const cr0 = load<u64>(S_CR0)
  if ((cr0 & (CR0_EM | CR0_TS)) != 0) return fault(VEC_NM)
  const ak = arithKind(op)
  if (ak != 99) {
    const integer = op == G.X_FIADD || op == G.X_FIMUL || op == G.X_FISUB || op == G.X_FISUBR || op == G.X_FIDIV || op == G.X_FIDIVR
    if (cls(e, 0) == C_MEM) {
      const m = readMem(e, npc, integer)
      if (mst != R_OK) return mst
      setSt(0, arith(ak, st(0), m))
      return R_OK
    }
    // st0, st(i): ST0 = ST0 op ST(i); st(i), st0: ST(i) = ST(i) op ST0 (the p forms pop).
    const i = <usize>reg(e, kind(e, 0) == K_STI ? 0 : 1)
    if (kind(e, 0) == K_STI) setSt(i, arith(ak, st(i), st(0)))
    else setSt(0, arith(ak, st(0), st(i)))
    if (op == G.X_FADDP || op == G.X_FMULP || op == G.X_FSUBP || op == G.X_FSUBRP || op == G.X_FDIVP || op == G.X_FDIVRP) pop()
    return R_OK
  }
  switch (op) {
    case G.X_FLD: {
      if (cls(e, 0) == C_MEM) { const v = readMem(e, npc, false); if (mst != R_OK) return mst; push(v) }
      else push(st(<usize>reg(e, 0)))
      return R_OK
    }
    case G.X_FILD: { const v = readMem(e, npc, true); if (mst != R_OK) return mst; push(v); return R_OK }
    case G.X_FBLD: return bcdLoad(e, npc)
    case G.X_FST: case G.X_FSTP: {
      if (cls(e, 0) == C_MEM) { writeReal(e, npc, st(0)); if (mst != R_OK) return mst }
      else setSt(<usize>reg(e, 0), st(0))
      if (op == G.X_FSTP) pop()
      return R_OK
    }
    case G.X_FIST: case G.X_FISTP: case G.X_FISTTP: {
      writeInt(e, npc, st(0), op == G.X_FISTTP)
      if (mst != R_OK) return mst
      if (op != G.X_FIST) pop()
      return R_OK
    }
    case G.X_FBSTP: return bcdStore(e, npc)
    case G.X_FXCH: {
      const i = <usize>reg(e, 0)
      const a = st(0), b = st(i)
      setSt(0, b); setSt(i, a)
      return R_OK
    }
    case G.X_FCOM: case G.X_FCOMP: case G.X_FUCOM: case G.X_FUCOMP: case G.X_FICOM: case G.X_FICOMP: {
      let b: f64
      if (cls(e, 0) == C_MEM) { b = readMem(e, npc, op == G.X_FICOM || op == G.X_FICOMP); if (mst != R_OK) return mst }
      else b = st(cls(e, 0) == 0 ? 1 : <usize>reg(e, 0))
      compareFsw(st(0), b)
      if (op == G.X_FCOMP || op == G.X_FUCOMP || op == G.X_FICOMP) pop()
      return R_OK
    }
    case G.X_FCOMPP: case G.X_FUCOMPP: compareFsw(st(0), st(1)); pop(); pop(); return R_OK
    case G.X_FCOMI: case G.X_FCOMIP: case G.X_FUCOMI: case G.X_FUCOMIP: {
      const a = st(0), b = st(<usize>reg(e, 1))
      let f: u64
      if (a != a || b != b) f = EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF
      else if (a < b) f = EFLAGS_CF
      else if (a == b) f = EFLAGS_ZF
      else f = 0
      setFlags((getFlags() & ~ARITH_FLAGS) | f)
      if (op == G.X_FCOMIP || op == G.X_FUCOMIP) pop()
      return R_OK
    }
    case G.X_FTST: compareFsw(st(0), 0); return R_OK
    case G.X_FXAM: return fxam()
    case G.X_FCMOVCC: {
      // DA C0/C8/D0/D8: b e be u; DB: the negations — reg field and opcode select the flags test.
      const modrm = <u32>load<u8>(e, E_MODRM)
      const sel = (modrm >> 3) & 3
      const cc: u32 = (sel == 3 ? 10 : (sel + 1) * 2) | (load<u8>(e, 37) == 0xdb ? 1 : 0) // B E BE P, or their negations
      if (cond(cc)) setSt(0, st(<usize>reg(e, 1)))
      return R_OK
    }
    case G.X_FCHS: setSt(0, -st(0)); return R_OK
    case G.X_FABS: setSt(0, Math.abs(st(0))); return R_OK
    case G.X_FSQRT: { const v = st(0); if (v < 0) flag(IE); setSt(0, v < 0 ? INDEFINITE : Math.sqrt(v)); return R_OK }
    case G.X_FRNDINT: setSt(0, roundRc(st(0))); return R_OK
    case G.X_FLD1: push(1); return R_OK
    case G.X_FLDZ: push(0); return R_OK
    case G.X_FLDPI: push(Math.PI); return R_OK
    case G.X_FLDL2E: push(Math.LOG2E); return R_OK
    case G.X_FLDL2T: push(3.321928094887362347870319429489390175864831393); return R_OK
    case G.X_FLDLG2: push(0.301029995663981195213738894724493026768189881); return R_OK
    case G.X_FLDLN2: push(Math.LN2); return R_OK
    case G.X_F2XM1: setSt(0, Math.pow(2, st(0)) - 1); return R_OK
    case G.X_FYL2X: { const r = st(1) * Math.log2(st(0)); pop(); setSt(0, r); return R_OK }
    case G.X_FYL2XP1: { const r = st(1) * Math.log2(st(0) + 1); pop(); setSt(0, r); return R_OK }
    case G.X_FPTAN: setSt(0, Math.tan(st(0))); push(1); clearC2(); return R_OK
    case G.X_FPATAN: { const r = Math.atan2(st(1), st(0)); pop(); setSt(0, r); return R_OK }
    case G.X_FSIN: setSt(0, Math.sin(st(0))); clearC2(); return R_OK
    case G.X_FCOS: setSt(0, Math.cos(st(0))); clearC2(); return R_OK
    case G.X_FSINCOS: { const v = st(0); setSt(0, Math.sin(v)); push(Math.cos(v)); clearC2(); return R_OK }
    case G.X_FSCALE: setSt(0, st(0) * Math.pow(2, trunc(st(1)))); return R_OK
    case G.X_FXTRACT: {
      const v = st(0)
      if (v == 0 || v != v || Math.abs(v) == Infinity) { setSt(0, v); push(v); return R_OK }
      const b = reinterpret<u64>(v)
      let ex = <i32>((b >> 52) & 0x7ff) - 1023
      let m = v
      if (ex == -1023) { m = v * 18014398509481984.0; ex = <i32>((reinterpret<u64>(m) >> 52) & 0x7ff) - 1023 - 54 }
      const sig = reinterpret<f64>((reinterpret<u64>(m) & 0x800fffffffffffff) | 0x3ff0000000000000)
      setSt(0, <f64>ex)
      push(sig)
      return R_OK
    }
    case G.X_FPREM: case G.X_FPREM1: {
      const a = st(0), b = st(1)
      const q = op == G.X_FPREM ? trunc(a / b) : nearest(a / b)
      setSt(0, a - q * b)
      // C0 C3 C1 = the three low bits of the quotient; C2 = 0 (the reduction is complete).
      const qi = <u64><i64>Math.abs(q)
      store<u64>(S_FSW, (load<u64>(S_FSW) & ~(C0 | C1 | C2 | C3)) | ((qi & 4) != 0 ? C0 : 0) | ((qi & 2) != 0 ? C3 : 0) | ((qi & 1) != 0 ? C1 : 0))
      return R_OK
    }
    case G.X_FDECSTP: store<u64>(S_FTOP, <u64>((top() - 1) & 7)); return R_OK
    case G.X_FINCSTP: store<u64>(S_FTOP, <u64>((top() + 1) & 7)); return R_OK
    case G.X_FFREE: setValid(phys(<usize>reg(e, 0)), false); return R_OK
    case G.X_FNOP: return R_OK
    case G.X_FNINIT:
      store<u64>(S_FCW, 0x37f); store<u64>(S_FSW, 0); store<u64>(S_FTOP, 0); store<u64>(S_FTW, 0)
      return R_OK
    case G.X_FNCLEX: store<u64>(S_FSW, load<u64>(S_FSW) & ~(<u64>0x80ff)); return R_OK
    case G.X_FNSTSW: {
      const v = fsw()
      if (cls(e, 0) == C_MEM) { wr(segOf(e), eaOf(e, npc), 2, v); return mst }
      wrReg(0, 2, v)
      return R_OK
    }
    case G.X_FNSTCW: wr(segOf(e), eaOf(e, npc), 2, load<u64>(S_FCW)); return mst
    case G.X_FLDCW: {
      const v = rd(segOf(e), eaOf(e, npc), 2)
      if (mst != R_OK) return mst
      store<u64>(S_FCW, v)
      return R_OK
    }
    case G.X_FNSTENV: case G.X_FNSAVE: return saveEnv(e, npc, op == G.X_FNSAVE)
    case G.X_FLDENV: case G.X_FRSTOR: return loadEnv(e, npc, op == G.X_FRSTOR)
    default: return NOT_MINE
  }
}

/** The x87 ops: the alphabetical run F2XM1 … FYL2XP1 of the generated ids, except the SSE-state fxsave/fxrstor. */
function isFpu(op: u32): bool {
  return op >= G.X_F2XM1 && op <= G.X_FYL2XP1 && op != G.X_FWAIT && op != G.X_FXRSTOR && op != G.X_FXSAVE
}

function clearC2(): void { store<u64>(S_FSW, load<u64>(S_FSW) & ~C2) }

/** FSW with TOP in bits 13:11. */
function fsw(): u64 { return (load<u64>(S_FSW) & ~(<u64>0x3800)) | ((load<u64>(S_FTOP) & 7) << 11) }

/** fxam: C3 C2 C0 classify ST(0) (empty 101, NaN 001, normal 010, infinity 011, zero 100, denormal 110); C1 = sign. */
function fxam(): i32 {
  const p = phys(0)
  let c: u64
  const b = reinterpret<u64>(load<f64>(FPR + p * 8))
  const ex = (b >> 52) & 0x7ff, frac = b & 0xfffffffffffff
  if (!valid(p)) c = C3 | C0
  else if (ex == 0x7ff) c = frac != 0 ? C0 : C2 | C0
  else if (ex == 0) c = frac == 0 ? C3 : C3 | C2
  else c = C2
  if ((b >> 63) != 0) c |= C1
  store<u64>(S_FSW, (load<u64>(S_FSW) & ~(C0 | C1 | C2 | C3)) | c)
  return R_OK
}

/** The full tag word (2 bits per physical register: 00 valid, 01 zero, 10 special, 11 empty). */
function fullTags(): u64 {
  let t: u64 = 0
  for (let p: usize = 0; p < 8; p++) {
    let tag: u64 = 3
    if (valid(p)) {
      const b = load<u64>(FPR + p * 8)
      const ex = (b >> 52) & 0x7ff
      tag = (b << 1) == 0 ? 1 : ex == 0x7ff || ex == 0 ? 2 : 0
    }
    t |= tag << (<u64>p << 1)
  }
  return t
}

/** fnstenv/fnsave (protected-mode layout: 7 fields of 4 bytes, or 2 with a 16-bit operand size; fnsave adds ST0–7 as 80-bit). */
function saveEnv(e: usize, npc: u64, regs: bool): i32 {
  const w: u64 = load<u8>(e, 27) == 2 ? 2 : 4
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  probeWrite(seg, ea, w * 7 + (regs ? 80 : 0))
  if (mst != R_OK) return mst
  // The upper halves of the 32-bit control, status and tag fields are reserved: written as 0, as QEMU does.
  for (let i: u64 = 0; i < 7; i++) {
    const v: u64 = i == 0 ? load<u64>(S_FCW) : i == 1 ? fsw() : i == 2 ? fullTags() : 0 // FIP, FCS/FOP, FDP, FDS: 0
    wr(seg, ea + i * w, w, v)
    if (mst != R_OK) return mst
  }
  if (regs) {
    for (let i: usize = 0; i < 8; i++) {
      toExt80(load<u64>(FPR + phys(i) * 8))
      wr(seg, ea + w * 7 + <u64>i * 10, 8, extLo); if (mst != R_OK) return mst
      wr(seg, ea + w * 7 + <u64>i * 10 + 8, 2, <u64>extHi); if (mst != R_OK) return mst
    }
    store<u64>(S_FCW, 0x37f); store<u64>(S_FSW, 0); store<u64>(S_FTOP, 0); store<u64>(S_FTW, 0) // fnsave ends with fninit
  }
  // fnstenv masks all exceptions afterwards (SDM FSTENV).
  if (!regs) store<u64>(S_FCW, load<u64>(S_FCW) | 0x3f)
  return R_OK
}

function loadEnv(e: usize, npc: u64, regs: bool): i32 {
  const w: u64 = load<u8>(e, 27) == 2 ? 2 : 4
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  const cw = rd(seg, ea, 2); if (mst != R_OK) return mst
  const sw = rd(seg, ea + w, 2); if (mst != R_OK) return mst
  const tw = rd(seg, ea + w * 2, 2); if (mst != R_OK) return mst
  const newTop = <usize>((sw >> 11) & 7)
  if (regs) {
    for (let i: usize = 0; i < 8; i++) {
      const lo = rd(seg, ea + w * 7 + <u64>i * 10, 8); if (mst != R_OK) return mst
      const hi = rd(seg, ea + w * 7 + <u64>i * 10 + 8, 2); if (mst != R_OK) return mst
      store<u64>(FPR + ((newTop + i) & 7) * 8, fromExt80(lo, <u16>hi))
    }
  }
  store<u64>(S_FCW, cw)
  store<u64>(S_FSW, sw & ~(<u64>0x3800))
  store<u64>(S_FTOP, <u64>newTop)
  let ftw: u64 = 0
  for (let p: u64 = 0; p < 8; p++) if (((tw >> (p << 1)) & 3) != 3) ftw |= (<u64>1) << p
  store<u64>(S_FTW, ftw)
  return R_OK
}

/** fbld: 18 packed BCD digits and a sign byte. */
function bcdLoad(e: usize, npc: u64): i32 {
  const ea = eaOf(e, npc)
  const lo = rd(segOf(e), ea, 8); if (mst != R_OK) return mst
  const hi = rd(segOf(e), ea + 8, 2); if (mst != R_OK) return mst
  let v: f64 = 0
  const digits = hi & 0xff // the ninth byte's two digits
  for (let i = 1; i >= 0; i--) v = v * 10 + <f64>((digits >> (<u64>i * 4)) & 15)
  for (let i = 15; i >= 0; i--) v = v * 10 + <f64>((lo >> (<u64>i * 4)) & 15)
  push((hi & 0x8000) != 0 ? -v : v)
  return R_OK
}

/** fbstp: ST(0) rounded per FCW.RC to 18 BCD digits (out of range: the BCD indefinite), then pop. */
function bcdStore(e: usize, npc: u64): i32 {
  const v = roundRc(st(0))
  const ea = eaOf(e, npc)
  let lo: u64 = 0, hi: u64 = 0
  const a = Math.abs(v)
  if (v != v || a >= 1e18) { flag(IE); lo = 0xc000000000000000; hi = 0xffff }
  else {
    let n = <u64>a
    for (let i: u64 = 0; i < 16; i++) { lo |= (n % 10) << (i * 4); n /= 10 }
    hi = (n % 10) | (((n / 10) % 10) << 4)
    if (v < 0 || (v == 0 && (reinterpret<u64>(v) >> 63) != 0)) hi |= 0x8000
  }
  probeWrite(segOf(e), ea, 10)
  if (mst != R_OK) return mst
  wr(segOf(e), ea, 8, lo); if (mst != R_OK) return mst
  wr(segOf(e), ea + 8, 2, hi); if (mst != R_OK) return mst
  pop()
  return R_OK
}

