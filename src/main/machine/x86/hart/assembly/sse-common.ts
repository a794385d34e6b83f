/**
 * Shared pieces of the SSE/SSE2 executors: the availability checks every SSE instruction makes
 * (SDM vol. 3, 13.1: CR0.EM = 1 or CR4.OSFXSR = 0 → #UD, CR0.TS = 1 → #NM), 128-bit operand
 * loads and stores (XMM register or memory, with the 16-byte alignment legacy SSE requires of
 * most m128 operands → #GP(0)), and the x86 NaN rules wasm does not give us: a NaN operand is
 * propagated quietened (the first source's when both are NaN), an invalid operation yields the
 * negative "QNaN floating-point indefinite", so results never depend on the host engine.
 */
import { XMM, DC_SCRATCH, S_CR0, S_CR4 } from './layout'
import { R_OK, mst, fault, faultErr, setMst } from './globals'
import { E_K0, C_REG, C_MEM } from './decode'
import { rd, wr, probeWrite } from './mem'
import { eaOf, segOf } from './regs'
import { CR0_EM, CR0_TS, CR4_OSFXSR, VEC_UD, VEC_NM, VEC_GP } from './spec.generated'

/** Scratch 16-byte operands (not guest state). */
export const SRC: usize = DC_SCRATCH + 0x100
export const DST: usize = DC_SCRATCH + 0x110
export const TMP: usize = DC_SCRATCH + 0x120
/** 256 bytes for fxrstor's XMM values before they are committed. */
export const FX_TMP: usize = DC_SCRATCH + 0x200

@inline export function xmm(i: u32): usize { return XMM + (<usize>i << 4) }
@inline export function form(e: usize): u32 { return <u32>load<u8>(e, 28) }
@inline export function cls(e: usize, k: u32): u32 { return (form(e) >> (k * 2)) & 3 }
@inline export function reg(e: usize, k: u32): u32 { return <u32>load<u8>(e + 29 + <usize>k) }
@inline export function kind(e: usize, k: u32): u32 { return <u32>load<u8>(e + E_K0 + <usize>k) & 31 }

/** SSE is usable: R_OK, or #UD (CR0.EM, !CR4.OSFXSR) / #NM (CR0.TS). */
export function sseCheck(): i32 {
  const cr0 = load<u64>(S_CR0)
  if ((cr0 & CR0_EM) != 0 || (load<u64>(S_CR4) & CR4_OSFXSR) == 0) return fault(VEC_UD)
  if ((cr0 & CR0_TS) != 0) return fault(VEC_NM)
  return R_OK
}

/**
 * Loads operand k (an XMM register, or `bytes` of memory zero-extended to 16) into `to`.
 * `aligned` requires a 16-byte aligned m128 (#GP(0)). Sets mst.
 */
export function loadOperand(e: usize, k: u32, bytes: u32, npc: u64, aligned: bool, to: usize): void {
  if (cls(e, k) == C_REG) {
    memory.copy(to, xmm(reg(e, k)), 16)
    setMst(R_OK)
    return
  }
  const ea = eaOf(e, npc)
  if (aligned && bytes == 16 && (ea & 15) != 0) { setMst(faultErr(VEC_GP, 0)); return }
  const seg = segOf(e)
  store<u64>(to, 0)
  store<u64>(to, 0, 8)
  if (bytes <= 8) {
    const v = rd(seg, ea, <u64>bytes)
    if (mst != R_OK) return
    store<u64>(to, v)
    return
  }
  const lo = rd(seg, ea, 8)
  if (mst != R_OK) return
  const hi = rd(seg, ea + 8, 8)
  if (mst != R_OK) return
  store<u64>(to, lo)
  store<u64>(to, hi, 8)
}

/** Stores `bytes` from `from` to operand k (register: the low bytes, the rest of the register kept). Sets mst. */
export function storeOperand(e: usize, k: u32, bytes: u32, npc: u64, aligned: bool, from: usize): void {
  if (cls(e, k) == C_REG) {
    memory.copy(xmm(reg(e, k)), from, bytes)
    setMst(R_OK)
    return
  }
  const ea = eaOf(e, npc)
  if (aligned && bytes == 16 && (ea & 15) != 0) { setMst(faultErr(VEC_GP, 0)); return }
  const seg = segOf(e)
  if (bytes <= 8) { wr(seg, ea, <u64>bytes, load<u64>(from) & (bytes == 8 ? <u64>-1 : ((<u64>1 << (<u64>bytes << 3)) - 1))); return }
  // Both halves are checked before either is written, so a fault leaves memory unchanged.
  probeWrite(seg, ea, 16)
  if (mst != R_OK) return
  wr(seg, ea, 8, load<u64>(from))
  if (mst != R_OK) return
  wr(seg, ea + 8, 8, load<u64>(from, 8))
}

/** True when operand k is memory. */
@inline export function isMem(e: usize, k: u32): bool { return cls(e, k) == C_MEM }

// ---- NaN rules (SDM vol. 1, 4.8.3.5 "QNaN Floating-Point Indefinite", Table 4-7) ----

export const QNAN32_INDEFINITE: u32 = 0xffc00000
export const QNAN64_INDEFINITE: u64 = 0xfff8000000000000

@inline function isNaN32(b: u32): bool { return (b & 0x7fffffff) > 0x7f800000 }
@inline function isNaN64(b: u64): bool { return (b & 0x7fffffffffffffff) > 0x7ff0000000000000 }

/** The x86 result of a binary single-precision operation given operand bits a (destination) and b (source). */
export function nan32(r: f32, a: u32, b: u32): u32 {
  const rb = reinterpret<u32>(r)
  if (!isNaN32(rb)) return rb
  if (isNaN32(a)) return a | 0x400000
  if (isNaN32(b)) return b | 0x400000
  return QNAN32_INDEFINITE
}
export function nan64(r: f64, a: u64, b: u64): u64 {
  const rb = reinterpret<u64>(r)
  if (!isNaN64(rb)) return rb
  if (isNaN64(a)) return a | 0x8000000000000
  if (isNaN64(b)) return b | 0x8000000000000
  return QNAN64_INDEFINITE
}

export { isNaN32, isNaN64 }
