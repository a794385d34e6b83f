/**
 * SSE/SSE2 dispatch and the data-movement instructions: the aligned and unaligned 128-bit moves,
 * scalar and half-register moves (movss/movsd/movlps/movhps/movhlps/movlhps …), movd/movq between
 * general registers and XMM, the non-temporal stores, maskmovdqu, shufps/shufpd, movmskps/pd,
 * ldmxcsr/stmxcsr and fxsave/fxrstor (SDM vol. 1, Table 10-2 layout; the x87 registers go out in
 * the 80-bit format). Arithmetic lives in sse-int.ts and sse-float.ts.
 */
import * as G from './decode.generated'
import { S_MXCSR, S_FCW, S_FSW, S_FTW, S_FTOP, FPR, XMM } from './layout'
import { R_OK, mst, faultErr, sizeMask } from './globals'
import { C_REG, C_MEM, E_IMM, E_ASZ, K_XG } from './decode'
import { rd, wr, probeWrite } from './mem'
import { R, wrReg, readOp, writeOp, eaOf, segOf } from './regs'
import { isLong64 } from './seg'
import { SRC, DST, FX_TMP, xmm, cls, reg, kind, sseCheck, loadOperand, storeOperand } from './sse-common'
import { execSseInt } from './sse-int'
import { execSseFloat } from './sse-float'
import { toExt80, extLo, extHi, fromExt80 } from './ext80'
import { VEC_GP } from './spec.generated'
import { NOT_MINE } from './exec'

/** MXCSR bits software may set (DAZ included): a 1 elsewhere is #GP(0) for ldmxcsr and fxrstor. */
const MXCSR_MASK: u64 = 0xffff

export function execSse(e: usize, op: u32, npc: u64): i32 {
  const r = moves(e, op, npc)
  if (r != NOT_MINE) return r
  const i = execSseInt(e, op, npc)
  if (i != NOT_MINE) return i
  return execSseFloat(e, op, npc)
}

/** Operand k's register (XMM index or general-register offset) and class. */
@inline function isReg(e: usize, k: u32): bool { return cls(e, k) == C_REG }

function moves(e: usize, op: u32, npc: u64): i32 {
  switch (op) {
    case G.X_MOVUPS: case G.X_MOVUPD: case G.X_MOVDQU: case G.X_MOVAPS: case G.X_MOVAPD: case G.X_MOVDQA:
    case G.X_MOVNTPS: case G.X_MOVNTPD: case G.X_MOVNTDQ: {
      const c = sseCheck()
      if (c != R_OK) return c
      const aligned = op != G.X_MOVUPS && op != G.X_MOVUPD && op != G.X_MOVDQU
      loadOperand(e, 1, 16, npc, aligned, SRC)
      if (mst != R_OK) return mst
      storeOperand(e, 0, 16, npc, aligned, SRC)
      return mst
    }
    case G.X_MOVSS: case G.X_MOVSD: {
      // Load from memory zeroes the rest of the register; register to register moves only the low lane.
      const c = sseCheck()
      if (c != R_OK) return c
      const w: u32 = op == G.X_MOVSS ? 4 : 8
      loadOperand(e, 1, w, npc, false, SRC)
      if (mst != R_OK) return mst
      if (isReg(e, 0) && !isReg(e, 1)) { memory.copy(xmm(reg(e, 0)), SRC, 16); return R_OK }
      storeOperand(e, 0, w, npc, false, SRC)
      return mst
    }
    case G.X_MOVLPS: case G.X_MOVLPD: case G.X_MOVHPS: case G.X_MOVHPD: {
      const c = sseCheck()
      if (c != R_OK) return c
      const high = op == G.X_MOVHPS || op == G.X_MOVHPD
      if (isReg(e, 0)) {
        loadOperand(e, 1, 8, npc, false, SRC)
        if (mst != R_OK) return mst
        store<u64>(xmm(reg(e, 0)) + (high ? 8 : 0), load<u64>(SRC))
        return R_OK
      }
      store<u64>(SRC, load<u64>(xmm(reg(e, 1)) + (high ? 8 : 0)))
      storeOperand(e, 0, 8, npc, false, SRC)
      return mst
    }
    case G.X_MOVHLPS: case G.X_MOVLHPS: {
      const c = sseCheck()
      if (c != R_OK) return c
      const d = xmm(reg(e, 0)), s = xmm(reg(e, 1))
      if (op == G.X_MOVHLPS) store<u64>(d, load<u64>(s, 8))
      else store<u64>(d, load<u64>(s), 8)
      return R_OK
    }
    case G.X_MOVD: {
      // movd/movq between a general register or memory and an XMM register (zero-extending into XMM).
      const c = sseCheck()
      if (c != R_OK) return c
      const size: u64 = load<u8>(e, 27) == 8 ? 8 : 4
      if (kind(e, 0) == K_XG) {
        const c1 = cls(e, 1)
        const v = readOp(e, c1, <usize>reg(e, 1), size, c1 == C_MEM ? eaOf(e, npc) : 0)
        if (c1 == C_MEM && mst != R_OK) return mst
        const d = xmm(reg(e, 0))
        store<u64>(d, v)
        store<u64>(d, 0, 8)
        return R_OK
      }
      const c0 = cls(e, 0)
      writeOp(e, c0, <usize>reg(e, 0), size, c0 == C_MEM ? eaOf(e, npc) : 0, load<u64>(xmm(reg(e, 1))) & sizeMask(size))
      return c0 == C_MEM ? mst : R_OK
    }
    case G.X_MOVQ: {
      // movq xmm, xmm/m64 (upper half zeroed) and movq xmm/m64, xmm.
      const c = sseCheck()
      if (c != R_OK) return c
      loadOperand(e, 1, 8, npc, false, SRC)
      if (mst != R_OK) return mst
      store<u64>(SRC, 0, 8)
      if (isReg(e, 0)) { memory.copy(xmm(reg(e, 0)), SRC, 16); return R_OK }
      storeOperand(e, 0, 8, npc, false, SRC)
      return mst
    }
    case G.X_MOVMSKPS: case G.X_MOVMSKPD: {
      const c = sseCheck()
      if (c != R_OK) return c
      const s = xmm(reg(e, 1))
      let m: u64 = 0
      if (op == G.X_MOVMSKPS) for (let i: usize = 0; i < 4; i++) m |= (<u64>(load<u32>(s + i * 4) >> 31)) << i
      else for (let i: usize = 0; i < 2; i++) m |= (load<u64>(s + i * 8) >> 63) << i
      wrReg(<usize>reg(e, 0), 4, m)
      return R_OK
    }
    case G.X_SHUFPS: case G.X_SHUFPD: {
      const c = sseCheck()
      if (c != R_OK) return c
      loadOperand(e, 1, 16, npc, true, SRC)
      if (mst != R_OK) return mst
      const d = xmm(reg(e, 0))
      const imm = <usize>(load<u64>(e, E_IMM) & 0xff)
      if (op == G.X_SHUFPS) {
        store<u32>(DST, load<u32>(d + (imm & 3) * 4))
        store<u32>(DST + 4, load<u32>(d + ((imm >> 2) & 3) * 4))
        store<u32>(DST + 8, load<u32>(SRC + ((imm >> 4) & 3) * 4))
        store<u32>(DST + 12, load<u32>(SRC + ((imm >> 6) & 3) * 4))
      } else {
        store<u64>(DST, load<u64>(d + (imm & 1) * 8))
        store<u64>(DST + 8, load<u64>(SRC + ((imm >> 1) & 1) * 8))
      }
      memory.copy(d, DST, 16)
      return R_OK
    }
    case G.X_MASKMOVDQU: {
      // Bytes of the first operand whose mask byte (second operand) has its top bit set go to DS:[rDI].
      const c = sseCheck()
      if (c != R_OK) return c
      const src = xmm(reg(e, 0)), mask = xmm(reg(e, 1))
      const ea = R(7 * 8) & sizeMask(<u64>load<u8>(e, E_ASZ))
      probeWrite(segOf(e), ea, 16)
      if (mst != R_OK) return mst
      for (let i: usize = 0; i < 16; i++) {
        if ((load<u8>(mask + i) & 0x80) == 0) continue
        wr(segOf(e), ea + <u64>i, 1, <u64>load<u8>(src + i))
        if (mst != R_OK) return mst
      }
      return R_OK
    }
    case G.X_LDMXCSR: case G.X_STMXCSR: {
      const c = sseCheck()
      if (c != R_OK) return c
      const ea = eaOf(e, npc)
      if (op == G.X_STMXCSR) { wr(segOf(e), ea, 4, load<u64>(S_MXCSR)); return mst }
      const v = rd(segOf(e), ea, 4)
      if (mst != R_OK) return mst
      if ((v & ~MXCSR_MASK) != 0) return faultErr(VEC_GP, 0)
      store<u64>(S_MXCSR, v)
      return R_OK
    }
    case G.X_FXSAVE: case G.X_FXRSTOR: return fxState(e, op == G.X_FXSAVE, npc)
    default: return NOT_MINE
  }
}

/**
 * fxsave/fxrstor m512 (SDM FXSAVE, Table 10-2): FCW, FSW, abridged FTW, FOP/FIP/FDP (zero here),
 * MXCSR and its mask, ST0–ST7 in 80-bit format (stack order), XMM0–7 (XMM0–15 in 64-bit mode).
 * The area must be 16-byte aligned (#GP(0)); fxrstor raises #GP(0) for reserved MXCSR bits.
 */
function fxState(e: usize, save: bool, npc: u64): i32 {
  const ea = eaOf(e, npc)
  const seg = segOf(e)
  if ((ea & 15) != 0) return faultErr(VEC_GP, 0)
  const nx: usize = isLong64() ? 16 : 8
  const top = <usize>(load<u64>(S_FTOP) & 7)
  if (save) {
    probeWrite(seg, ea, 512)
    if (mst != R_OK) return mst
    const fsw = (load<u64>(S_FSW) & ~(<u64>0x3800)) | (<u64>top << 11)
    wr(seg, ea, 8, (load<u64>(S_FCW) & 0xffff) | ((fsw & 0xffff) << 16) | ((load<u64>(S_FTW) & 0xff) << 32)); if (mst != R_OK) return mst
    wr(seg, ea + 8, 8, 0); if (mst != R_OK) return mst
    wr(seg, ea + 16, 8, 0); if (mst != R_OK) return mst
    wr(seg, ea + 24, 8, (load<u64>(S_MXCSR) & 0xffffffff) | (MXCSR_MASK << 32)); if (mst != R_OK) return mst
    for (let i: usize = 0; i < 8; i++) {
      toExt80(load<u64>(FPR + ((top + i) & 7) * 8))
      wr(seg, ea + 32 + <u64>i * 16, 8, extLo); if (mst != R_OK) return mst
      wr(seg, ea + 40 + <u64>i * 16, 8, <u64>extHi); if (mst != R_OK) return mst
    }
    for (let i: usize = 0; i < nx; i++) {
      wr(seg, ea + 160 + <u64>i * 16, 8, load<u64>(XMM + i * 16)); if (mst != R_OK) return mst
      wr(seg, ea + 168 + <u64>i * 16, 8, load<u64>(XMM + i * 16, 8)); if (mst != R_OK) return mst
    }
    return R_OK
  }
  // fxrstor: read everything first, then commit.
  const w0 = rd(seg, ea, 8); if (mst != R_OK) return mst
  const mx = rd(seg, ea + 24, 4); if (mst != R_OK) return mst
  if ((mx & ~MXCSR_MASK) != 0) return faultErr(VEC_GP, 0)
  const newTop = <usize>((w0 >> 27) & 7)
  for (let i: usize = 0; i < 8; i++) {
    const lo = rd(seg, ea + 32 + <u64>i * 16, 8); if (mst != R_OK) return mst
    const hi = rd(seg, ea + 40 + <u64>i * 16, 2); if (mst != R_OK) return mst
    store<u64>(DST + i * 8, fromExt80(lo, <u16>hi))
  }
  for (let i: usize = 0; i < nx; i++) {
    store<u64>(FX_TMP + i * 16, rd(seg, ea + 160 + <u64>i * 16, 8)); if (mst != R_OK) return mst
    store<u64>(FX_TMP + i * 16 + 8, rd(seg, ea + 168 + <u64>i * 16, 8)); if (mst != R_OK) return mst
  }
  store<u64>(S_FCW, w0 & 0xffff)
  store<u64>(S_FSW, (w0 >> 16) & 0xc7ff)
  store<u64>(S_FTOP, <u64>newTop)
  store<u64>(S_FTW, (w0 >> 32) & 0xff)
  store<u64>(S_MXCSR, mx)
  for (let i: usize = 0; i < 8; i++) store<u64>(FPR + ((newTop + i) & 7) * 8, load<u64>(DST + i * 8))
  memory.copy(XMM, FX_TMP, nx * 16)
  return R_OK
}

