/**
 * SSE2 packed-integer instructions on XMM registers (SDM vol. 2, the P… instructions): add and
 * subtract with wrap-around or saturation, multiplies, averages, min/max, compares, logic, packs
 * and unpacks, shuffles, shifts by an XMM count or an immediate, byte shifts, pmovmskb, pextrw,
 * pinsrw. Lane by lane over the 16-byte operands: clear, and off the hot path.
 */
import * as G from './decode.generated'
import { R_OK, mst } from './globals'
import { C_REG, K_XR, E_IMM } from './decode'
import { wrReg, readOp, eaOf } from './regs'
import { SRC, DST, xmm, cls, reg, kind, loadOperand, sseCheck } from './sse-common'
import { NOT_MINE } from './exec'

@inline function sat8s(v: i32): u8 { return <u8>(v > 127 ? 127 : v < -128 ? -128 : v) }
@inline function sat8u(v: i32): u8 { return <u8>(v > 255 ? 255 : v < 0 ? 0 : v) }
@inline function sat16s(v: i32): u16 { return <u16>(v > 32767 ? 32767 : v < -32768 ? -32768 : v) }
@inline function sat16u(v: i32): u16 { return <u16>(v > 65535 ? 65535 : v < 0 ? 0 : v) }

/** Byte/word/dword/qword lanes: a is the destination's value, b the source's, the result goes to DST. */
function lanes(op: u32, a: usize, b: usize): bool {
  switch (op) {
    case G.X_PADDB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, load<u8>(a + i) + load<u8>(b + i)); return true
    case G.X_PADDW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, load<u16>(a + i) + load<u16>(b + i)); return true
    case G.X_PADDD: for (let i: usize = 0; i < 16; i += 4) store<u32>(DST + i, load<u32>(a + i) + load<u32>(b + i)); return true
    case G.X_PADDQ: for (let i: usize = 0; i < 16; i += 8) store<u64>(DST + i, load<u64>(a + i) + load<u64>(b + i)); return true
    case G.X_PSUBB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, load<u8>(a + i) - load<u8>(b + i)); return true
    case G.X_PSUBW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, load<u16>(a + i) - load<u16>(b + i)); return true
    case G.X_PSUBD: for (let i: usize = 0; i < 16; i += 4) store<u32>(DST + i, load<u32>(a + i) - load<u32>(b + i)); return true
    case G.X_PSUBQ: for (let i: usize = 0; i < 16; i += 8) store<u64>(DST + i, load<u64>(a + i) - load<u64>(b + i)); return true
    case G.X_PADDSB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, sat8s(<i32>load<i8>(a + i) + <i32>load<i8>(b + i))); return true
    case G.X_PADDSW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, sat16s(<i32>load<i16>(a + i) + <i32>load<i16>(b + i))); return true
    case G.X_PSUBSB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, sat8s(<i32>load<i8>(a + i) - <i32>load<i8>(b + i))); return true
    case G.X_PSUBSW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, sat16s(<i32>load<i16>(a + i) - <i32>load<i16>(b + i))); return true
    case G.X_PADDUSB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, sat8u(<i32>load<u8>(a + i) + <i32>load<u8>(b + i))); return true
    case G.X_PADDUSW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, sat16u(<i32>load<u16>(a + i) + <i32>load<u16>(b + i))); return true
    case G.X_PSUBUSB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, sat8u(<i32>load<u8>(a + i) - <i32>load<u8>(b + i))); return true
    case G.X_PSUBUSW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, sat16u(<i32>load<u16>(a + i) - <i32>load<u16>(b + i))); return true
    case G.X_PMULLW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, <u16>(<i32>load<i16>(a + i) * <i32>load<i16>(b + i))); return true
    case G.X_PMULHW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, <u16>((<i32>load<i16>(a + i) * <i32>load<i16>(b + i)) >> 16)); return true
    case G.X_PMULHUW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, <u16>((<u32>load<u16>(a + i) * <u32>load<u16>(b + i)) >> 16)); return true
    case G.X_PMULUDQ: for (let i: usize = 0; i < 16; i += 8) store<u64>(DST + i, <u64>load<u32>(a + i) * <u64>load<u32>(b + i)); return true
    case G.X_PMADDWD:
      for (let i: usize = 0; i < 16; i += 4) {
        store<u32>(DST + i, <u32>(<i32>load<i16>(a + i) * <i32>load<i16>(b + i) + <i32>load<i16>(a + i + 2) * <i32>load<i16>(b + i + 2)))
      }
      return true
    case G.X_PSADBW:
      for (let h: usize = 0; h < 16; h += 8) {
        let s: u64 = 0
        for (let i: usize = 0; i < 8; i++) { const d = <i32>load<u8>(a + h + i) - <i32>load<u8>(b + h + i); s += <u64>(d < 0 ? -d : d) }
        store<u64>(DST + h, s)
      }
      return true
    case G.X_PAVGB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, <u8>((<u32>load<u8>(a + i) + <u32>load<u8>(b + i) + 1) >> 1)); return true
    case G.X_PAVGW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, <u16>((<u32>load<u16>(a + i) + <u32>load<u16>(b + i) + 1) >> 1)); return true
    case G.X_PMINUB: for (let i: usize = 0; i < 16; i++) { const x = load<u8>(a + i), y = load<u8>(b + i); store<u8>(DST + i, x < y ? x : y) } return true
    case G.X_PMAXUB: for (let i: usize = 0; i < 16; i++) { const x = load<u8>(a + i), y = load<u8>(b + i); store<u8>(DST + i, x > y ? x : y) } return true
    case G.X_PMINSW: for (let i: usize = 0; i < 16; i += 2) { const x = load<i16>(a + i), y = load<i16>(b + i); store<i16>(DST + i, x < y ? x : y) } return true
    case G.X_PMAXSW: for (let i: usize = 0; i < 16; i += 2) { const x = load<i16>(a + i), y = load<i16>(b + i); store<i16>(DST + i, x > y ? x : y) } return true
    case G.X_PCMPEQB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, load<u8>(a + i) == load<u8>(b + i) ? 0xff : 0); return true
    case G.X_PCMPEQW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, load<u16>(a + i) == load<u16>(b + i) ? 0xffff : 0); return true
    case G.X_PCMPEQD: for (let i: usize = 0; i < 16; i += 4) store<u32>(DST + i, load<u32>(a + i) == load<u32>(b + i) ? 0xffffffff : 0); return true
    case G.X_PCMPGTB: for (let i: usize = 0; i < 16; i++) store<u8>(DST + i, load<i8>(a + i) > load<i8>(b + i) ? 0xff : 0); return true
    case G.X_PCMPGTW: for (let i: usize = 0; i < 16; i += 2) store<u16>(DST + i, load<i16>(a + i) > load<i16>(b + i) ? 0xffff : 0); return true
    case G.X_PCMPGTD: for (let i: usize = 0; i < 16; i += 4) store<u32>(DST + i, load<i32>(a + i) > load<i32>(b + i) ? 0xffffffff : 0); return true
    case G.X_PAND: case G.X_ANDPS: case G.X_ANDPD:
      store<u64>(DST, load<u64>(a) & load<u64>(b)); store<u64>(DST, load<u64>(a, 8) & load<u64>(b, 8), 8); return true
    case G.X_PANDN: case G.X_ANDNPS: case G.X_ANDNPD:
      store<u64>(DST, ~load<u64>(a) & load<u64>(b)); store<u64>(DST, ~load<u64>(a, 8) & load<u64>(b, 8), 8); return true
    case G.X_POR: case G.X_ORPS: case G.X_ORPD:
      store<u64>(DST, load<u64>(a) | load<u64>(b)); store<u64>(DST, load<u64>(a, 8) | load<u64>(b, 8), 8); return true
    case G.X_PXOR: case G.X_XORPS: case G.X_XORPD:
      store<u64>(DST, load<u64>(a) ^ load<u64>(b)); store<u64>(DST, load<u64>(a, 8) ^ load<u64>(b, 8), 8); return true
    case G.X_PACKSSWB:
      for (let i: usize = 0; i < 8; i++) { store<u8>(DST + i, sat8s(<i32>load<i16>(a + i * 2))); store<u8>(DST + 8 + i, sat8s(<i32>load<i16>(b + i * 2))) }
      return true
    case G.X_PACKUSWB:
      for (let i: usize = 0; i < 8; i++) { store<u8>(DST + i, sat8u(<i32>load<i16>(a + i * 2))); store<u8>(DST + 8 + i, sat8u(<i32>load<i16>(b + i * 2))) }
      return true
    case G.X_PACKSSDW:
      for (let i: usize = 0; i < 4; i++) {
        const x = load<i32>(a + i * 4), y = load<i32>(b + i * 4)
        store<u16>(DST + i * 2, <u16>(x > 32767 ? 32767 : x < -32768 ? -32768 : x))
        store<u16>(DST + 8 + i * 2, <u16>(y > 32767 ? 32767 : y < -32768 ? -32768 : y))
      }
      return true
    case G.X_PUNPCKLBW: for (let i: usize = 0; i < 8; i++) { store<u8>(DST + i * 2, load<u8>(a + i)); store<u8>(DST + i * 2 + 1, load<u8>(b + i)) } return true
    case G.X_PUNPCKHBW: for (let i: usize = 0; i < 8; i++) { store<u8>(DST + i * 2, load<u8>(a + 8 + i)); store<u8>(DST + i * 2 + 1, load<u8>(b + 8 + i)) } return true
    case G.X_PUNPCKLWD: for (let i: usize = 0; i < 4; i++) { store<u16>(DST + i * 4, load<u16>(a + i * 2)); store<u16>(DST + i * 4 + 2, load<u16>(b + i * 2)) } return true
    case G.X_PUNPCKHWD: for (let i: usize = 0; i < 4; i++) { store<u16>(DST + i * 4, load<u16>(a + 8 + i * 2)); store<u16>(DST + i * 4 + 2, load<u16>(b + 8 + i * 2)) } return true
    case G.X_PUNPCKLDQ: case G.X_UNPCKLPS:
      store<u32>(DST, load<u32>(a)); store<u32>(DST + 4, load<u32>(b)); store<u32>(DST + 8, load<u32>(a + 4)); store<u32>(DST + 12, load<u32>(b + 4)); return true
    case G.X_PUNPCKHDQ: case G.X_UNPCKHPS:
      store<u32>(DST, load<u32>(a + 8)); store<u32>(DST + 4, load<u32>(b + 8)); store<u32>(DST + 8, load<u32>(a + 12)); store<u32>(DST + 12, load<u32>(b + 12)); return true
    case G.X_PUNPCKLQDQ: case G.X_UNPCKLPD: store<u64>(DST, load<u64>(a)); store<u64>(DST + 8, load<u64>(b)); return true
    case G.X_PUNPCKHQDQ: case G.X_UNPCKHPD: store<u64>(DST, load<u64>(a + 8)); store<u64>(DST + 8, load<u64>(b + 8)); return true
    default: return false
  }
}

/** Shifts lanes of `w` bytes at `a` by `n` (left, logical right or arithmetic right) into DST. */
function shiftLanes(a: usize, w: usize, n: u64, left: bool, arith: bool): void {
  const bits: u64 = <u64>w << 3
  for (let i: usize = 0; i < 16; i += w) {
    let v: u64 = w == 2 ? <u64>load<u16>(a + i) : w == 4 ? <u64>load<u32>(a + i) : load<u64>(a + i)
    if (arith) {
      const s = 64 - bits
      const sv = (<i64>(v << s)) >> s
      v = <u64>(sv >> <i64>(n >= bits ? bits - 1 : n))
    } else if (n >= bits) v = 0
    else v = left ? v << n : v >> n
    if (w == 2) store<u16>(DST + i, <u16>v)
    else if (w == 4) store<u32>(DST + i, <u32>v)
    else store<u64>(DST + i, v)
  }
}

/** Packed-integer SSE2 ops (and the bitwise float ops, which are the same lanes); NOT_MINE for others. */
export function execSseInt(e: usize, op: u32, npc: u64): i32 {
  const d = xmm(reg(e, 0))
  if (!isLaneOp(op) && !isOtherIntOp(op)) return NOT_MINE
  const c = sseCheck()
  if (c != R_OK) return c
  switch (op) {
    case G.X_PSLLW: case G.X_PSLLD: case G.X_PSLLQ: case G.X_PSRLW: case G.X_PSRLD: case G.X_PSRLQ: case G.X_PSRAW: case G.X_PSRAD: {
      let n: u64
      if (kind(e, 0) == K_XR) n = load<u64>(e, E_IMM) & 0xff // the imm8 form: shift xmm.rm in place
      else {
        loadOperand(e, 1, 16, npc, true, SRC)
        if (mst != R_OK) return mst
        n = load<u64>(SRC)
      }
      const w: usize = op == G.X_PSLLW || op == G.X_PSRLW || op == G.X_PSRAW ? 2 : op == G.X_PSLLD || op == G.X_PSRLD || op == G.X_PSRAD ? 4 : 8
      shiftLanes(d, w, n, op == G.X_PSLLW || op == G.X_PSLLD || op == G.X_PSLLQ, op == G.X_PSRAW || op == G.X_PSRAD)
      memory.copy(d, DST, 16)
      return R_OK
    }
    case G.X_PSLLDQ: case G.X_PSRLDQ: {
      const n = <usize>(load<u64>(e, E_IMM) & 0xff)
      for (let i: usize = 0; i < 16; i++) {
        let v: u8 = 0
        if (op == G.X_PSLLDQ) { if (i >= n) v = load<u8>(d + i - n) } else if (i + n < 16) v = load<u8>(d + i + n)
        store<u8>(DST + i, v)
      }
      memory.copy(d, DST, 16)
      return R_OK
    }
    case G.X_PSHUFD: case G.X_PSHUFHW: case G.X_PSHUFLW: {
      loadOperand(e, 1, 16, npc, true, SRC)
      if (mst != R_OK) return mst
      const imm = <usize>(load<u64>(e, E_IMM) & 0xff)
      memory.copy(DST, SRC, 16)
      if (op == G.X_PSHUFD) for (let i: usize = 0; i < 4; i++) store<u32>(DST + i * 4, load<u32>(SRC + ((imm >> (i * 2)) & 3) * 4))
      else {
        const base: usize = op == G.X_PSHUFHW ? 8 : 0
        for (let i: usize = 0; i < 4; i++) store<u16>(DST + base + i * 2, load<u16>(SRC + base + ((imm >> (i * 2)) & 3) * 2))
      }
      memory.copy(d, DST, 16)
      return R_OK
    }
    case G.X_PMOVMSKB: {
      const s = xmm(reg(e, 1))
      let m: u64 = 0
      for (let i: usize = 0; i < 16; i++) m |= (<u64>(load<u8>(s + i) >> 7)) << i
      wrReg(<usize>reg(e, 0), 4, m)
      return R_OK
    }
    case G.X_PEXTRW: {
      wrReg(<usize>reg(e, 0), 4, <u64>load<u16>(xmm(reg(e, 1)) + <usize>((load<u64>(e, E_IMM) & 7) << 1)))
      return R_OK
    }
    case G.X_PINSRW: {
      const c1 = cls(e, 1)
      const v = readOp(e, c1, <usize>reg(e, 1), 2, c1 == C_REG ? 0 : eaOf(e, npc))
      if (c1 != C_REG && mst != R_OK) return mst
      store<u16>(d + <usize>((load<u64>(e, E_IMM) & 7) << 1), <u16>v)
      return R_OK
    }
    default: break
  }
  // dst op= src, lane by lane.
  loadOperand(e, 1, 16, npc, true, SRC)
  if (mst != R_OK) return mst
  lanes(op, d, SRC)
  memory.copy(d, DST, 16)
  return R_OK
}

function isOtherIntOp(op: u32): bool {
  switch (op) {
    case G.X_PSLLW: case G.X_PSLLD: case G.X_PSLLQ: case G.X_PSRLW: case G.X_PSRLD: case G.X_PSRLQ: case G.X_PSRAW: case G.X_PSRAD:
    case G.X_PSLLDQ: case G.X_PSRLDQ: case G.X_PSHUFD: case G.X_PSHUFHW: case G.X_PSHUFLW: case G.X_PMOVMSKB: case G.X_PEXTRW:
    case G.X_PINSRW:
      return true
    default: return false
  }
}

/** Whether `lanes` implements op: it is the one list of them, so ask it (on scratch data, no guest state touched). */
function isLaneOp(op: u32): bool {
  return lanes(op, SRC, SRC)
}
