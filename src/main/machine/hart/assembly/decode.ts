/**
 * Fills one pre-decoded instruction cache entry from raw instruction bits: the generated table
 * decoder (`decode.generated.ts`) gives the op id, and this file extracts operands with Spike's
 * accessor names (i_imm, s_imm, sb_imm, u_imm, uj_imm, rvc_*_imm). Compressed instructions are
 * expanded here, once, to their 32-bit op and operands, so the execute switch never sees them.
 */
import * as G from './decode.generated'
import { OP_ILLEGAL } from './decode.generated'

/** rd = x0 is redirected here so writes to x0 need no check in the hot loop. */
export const X_DUMMY: u8 = 32

@inline function bits(w: u32, hi: u32, lo: u32): u32 {
  return (w >> lo) & ((1 << (hi - lo + 1)) - 1)
}
@inline function sext(v: u64, width: u32): i64 {
  const s = 64 - width
  return (<i64>(v << s)) >> s
}
@inline function i_imm(w: u32): i64 { return <i64>(<i32>w >> 20) }
@inline function s_imm(w: u32): i64 { return <i64>(((<i32>w >> 25) << 5) | <i32>bits(w, 11, 7)) }
@inline function sb_imm(w: u32): i64 {
  return sext(<u64>((bits(w, 31, 31) << 12) | (bits(w, 7, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1)), 13)
}
@inline function u_imm(w: u32): i64 { return <i64>(<i32>(w & 0xfffff000)) }
@inline function uj_imm(w: u32): i64 {
  return sext(<u64>((bits(w, 31, 31) << 20) | (bits(w, 19, 12) << 12) | (bits(w, 20, 20) << 11) | (bits(w, 30, 21) << 1)), 21)
}

/** Writes the entry for a 32-bit word. */
export function fill32(e: usize, w: u32): void {
  let op = G.decode32(w)
  let rd = <u8>bits(w, 11, 7)
  const rs1 = <u8>bits(w, 19, 15)
  const rs2 = <u8>bits(w, 24, 20)
  const rs3 = <u8>bits(w, 31, 27)
  let imm: i64 = 0
  switch (w & 0x7f) {
    case 0x37: case 0x17: imm = u_imm(w); break
    case 0x6f: imm = uj_imm(w); break
    case 0x63: imm = sb_imm(w); break
    case 0x23: case 0x27: imm = s_imm(w); break
    case 0x73: imm = <i64>bits(w, 31, 20); break // csr number (unsigned)
    default: imm = i_imm(w)
  }
  if (op == G.OP_SLLI || op == G.OP_SRLI || op == G.OP_SRAI) imm = <i64>bits(w, 25, 20)
  else if (op == G.OP_SLLIW || op == G.OP_SRLIW || op == G.OP_SRAIW) imm = <i64>bits(w, 24, 20)
  if (rd == 0 && G.rdIsX(op)) rd = X_DUMMY
  put(e, op, rd, rs1, rs2, rs3, 4, <u8>bits(w, 14, 12), imm, w)
}

/**
 * Entry layout (layout.ts): registers are stored as byte offsets (reg × 8) so the execute loop
 * indexes the register file without a shift: +16 op, +18 rd×8, +20 rs1×8, +22 rs2×8 (u16 each),
 * +24 raw bits (u32), +28 len, +29 rs3, +30 rm (u8).
 */
@inline function put(e: usize, op: u16, rd: u8, rs1: u8, rs2: u8, rs3: u8, len: u8, rm: u8, imm: i64, raw: u32): void {
  store<i64>(e, imm, 8)
  store<u16>(e, op, 16)
  store<u16>(e, <u16>rd << 3, 18)
  store<u16>(e, <u16>rs1 << 3, 20)
  store<u16>(e, <u16>rs2 << 3, 22)
  store<u32>(e, raw, 24)
  store<u8>(e, len, 28)
  store<u8>(e, rs3, 29)
  store<u8>(e, rm, 30)
}

// Compressed immediates, named as Spike names them (riscv/decode.h).
@inline function rvc_imm(h: u32): i64 { return sext(<u64>((bits(h, 12, 12) << 5) | bits(h, 6, 2)), 6) }
@inline function rvc_zimm(h: u32): u64 { return <u64>((bits(h, 12, 12) << 5) | bits(h, 6, 2)) }
@inline function rvc_addi4spn_imm(h: u32): u64 {
  return <u64>((bits(h, 6, 6) << 2) | (bits(h, 5, 5) << 3) | (bits(h, 12, 11) << 4) | (bits(h, 10, 7) << 6))
}
@inline function rvc_addi16sp_imm(h: u32): i64 {
  // nzimm[9] | nzimm[4|6|8:7|5]
  return sext(<u64>((bits(h, 6, 6) << 4) | (bits(h, 2, 2) << 5) | (bits(h, 5, 5) << 6) | (bits(h, 4, 3) << 7) |
    (bits(h, 12, 12) << 9)), 10)
}
@inline function rvc_lw_imm(h: u32): u64 { return <u64>((bits(h, 6, 6) << 2) | (bits(h, 12, 10) << 3) | (bits(h, 5, 5) << 6)) }
@inline function rvc_ld_imm(h: u32): u64 { return <u64>((bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6)) }
@inline function rvc_lwsp_imm(h: u32): u64 { return <u64>((bits(h, 6, 4) << 2) | (bits(h, 12, 12) << 5) | (bits(h, 3, 2) << 6)) }
@inline function rvc_ldsp_imm(h: u32): u64 { return <u64>((bits(h, 6, 5) << 3) | (bits(h, 12, 12) << 5) | (bits(h, 4, 2) << 6)) }
@inline function rvc_swsp_imm(h: u32): u64 { return <u64>((bits(h, 12, 9) << 2) | (bits(h, 8, 7) << 6)) }
@inline function rvc_sdsp_imm(h: u32): u64 { return <u64>((bits(h, 12, 10) << 3) | (bits(h, 9, 7) << 6)) }
@inline function rvc_b_imm(h: u32): i64 {
  return sext(<u64>((bits(h, 4, 3) << 1) | (bits(h, 11, 10) << 3) | (bits(h, 2, 2) << 5) | (bits(h, 6, 5) << 6) | (bits(h, 12, 12) << 8)), 9)
}
@inline function rvc_j_imm(h: u32): i64 {
  return sext(<u64>((bits(h, 5, 3) << 1) | (bits(h, 11, 11) << 4) | (bits(h, 2, 2) << 5) | (bits(h, 7, 7) << 6) |
    (bits(h, 6, 6) << 7) | (bits(h, 10, 9) << 8) | (bits(h, 8, 8) << 10) | (bits(h, 12, 12) << 11)), 12)
}

/** Expands a 16-bit parcel into the entry (as its 32-bit equivalent). Reserved encodings become OP_ILLEGAL. */
export function fill16(e: usize, h: u32): void {
  const cop = G.decode16(h)
  const rdFull = <u8>bits(h, 11, 7)
  const rs2Full = <u8>bits(h, 6, 2)
  const rdp = <u8>(bits(h, 4, 2) + 8) // rd' / rs2'
  const rs1p = <u8>(bits(h, 9, 7) + 8) // rs1' / rd'
  let op: u16 = OP_ILLEGAL
  let rd: u8 = 0, rs1: u8 = 0, rs2: u8 = 0
  let imm: i64 = 0
  switch (cop) {
    case G.OP_C_ADDI4SPN: imm = <i64>rvc_addi4spn_imm(h); if (imm != 0) { op = G.OP_ADDI; rd = rdp; rs1 = 2 } break
    case G.OP_C_FLD: op = G.OP_FLD; rd = rdp; rs1 = rs1p; imm = <i64>rvc_ld_imm(h); break
    case G.OP_C_LW: op = G.OP_LW; rd = rdp; rs1 = rs1p; imm = <i64>rvc_lw_imm(h); break
    case G.OP_C_LD: op = G.OP_LD; rd = rdp; rs1 = rs1p; imm = <i64>rvc_ld_imm(h); break
    case G.OP_C_FSD: op = G.OP_FSD; rs2 = rdp; rs1 = rs1p; imm = <i64>rvc_ld_imm(h); break
    case G.OP_C_SW: op = G.OP_SW; rs2 = rdp; rs1 = rs1p; imm = <i64>rvc_lw_imm(h); break
    case G.OP_C_SD: op = G.OP_SD; rs2 = rdp; rs1 = rs1p; imm = <i64>rvc_ld_imm(h); break
    case G.OP_C_NOP: op = G.OP_ADDI; break
    case G.OP_C_ADDI: op = G.OP_ADDI; rd = rdFull; rs1 = rdFull; imm = rvc_imm(h); break
    case G.OP_C_ADDIW: if (rdFull != 0) { op = G.OP_ADDIW; rd = rdFull; rs1 = rdFull; imm = rvc_imm(h) } break
    case G.OP_C_LI: op = G.OP_ADDI; rd = rdFull; rs1 = 0; imm = rvc_imm(h); break
    case G.OP_C_ADDI16SP: imm = rvc_addi16sp_imm(h); if (imm != 0) { op = G.OP_ADDI; rd = 2; rs1 = 2 } break
    case G.OP_C_LUI: imm = rvc_imm(h) << 12; if (imm != 0) { op = G.OP_LUI; rd = rdFull } break
    case G.OP_C_SRLI64: case G.OP_C_SRLI: op = G.OP_SRLI; rd = rs1p; rs1 = rs1p; imm = <i64>rvc_zimm(h); break
    case G.OP_C_SRAI64: case G.OP_C_SRAI: op = G.OP_SRAI; rd = rs1p; rs1 = rs1p; imm = <i64>rvc_zimm(h); break
    case G.OP_C_ANDI: op = G.OP_ANDI; rd = rs1p; rs1 = rs1p; imm = rvc_imm(h); break
    case G.OP_C_SUB: op = G.OP_SUB; rd = rs1p; rs1 = rs1p; rs2 = rdp; break
    case G.OP_C_XOR: op = G.OP_XOR; rd = rs1p; rs1 = rs1p; rs2 = rdp; break
    case G.OP_C_OR: op = G.OP_OR; rd = rs1p; rs1 = rs1p; rs2 = rdp; break
    case G.OP_C_AND: op = G.OP_AND; rd = rs1p; rs1 = rs1p; rs2 = rdp; break
    case G.OP_C_SUBW: op = G.OP_SUBW; rd = rs1p; rs1 = rs1p; rs2 = rdp; break
    case G.OP_C_ADDW: op = G.OP_ADDW; rd = rs1p; rs1 = rs1p; rs2 = rdp; break
    case G.OP_C_J: op = G.OP_JAL; rd = 0; imm = rvc_j_imm(h); break
    case G.OP_C_BEQZ: op = G.OP_BEQ; rs1 = rs1p; rs2 = 0; imm = rvc_b_imm(h); break
    case G.OP_C_BNEZ: op = G.OP_BNE; rs1 = rs1p; rs2 = 0; imm = rvc_b_imm(h); break
    case G.OP_C_SLLI64: case G.OP_C_SLLI: op = G.OP_SLLI; rd = rdFull; rs1 = rdFull; imm = <i64>rvc_zimm(h); break
    case G.OP_C_FLDSP: op = G.OP_FLD; rd = rdFull; rs1 = 2; imm = <i64>rvc_ldsp_imm(h); break
    case G.OP_C_LWSP: if (rdFull != 0) { op = G.OP_LW; rd = rdFull; rs1 = 2; imm = <i64>rvc_lwsp_imm(h) } break
    case G.OP_C_LDSP: if (rdFull != 0) { op = G.OP_LD; rd = rdFull; rs1 = 2; imm = <i64>rvc_ldsp_imm(h) } break
    case G.OP_C_JR: if (rdFull != 0) { op = G.OP_JALR; rd = 0; rs1 = rdFull } break
    case G.OP_C_MV: op = G.OP_ADD; rd = rdFull; rs1 = 0; rs2 = rs2Full; break
    case G.OP_C_EBREAK: op = G.OP_EBREAK; break
    case G.OP_C_JALR: op = G.OP_JALR; rd = 1; rs1 = rdFull; break
    case G.OP_C_ADD: op = G.OP_ADD; rd = rdFull; rs1 = rdFull; rs2 = rs2Full; break
    case G.OP_C_FSDSP: op = G.OP_FSD; rs2 = rs2Full; rs1 = 2; imm = <i64>rvc_sdsp_imm(h); break
    case G.OP_C_SWSP: op = G.OP_SW; rs2 = rs2Full; rs1 = 2; imm = <i64>rvc_swsp_imm(h); break
    case G.OP_C_SDSP: op = G.OP_SD; rs2 = rs2Full; rs1 = 2; imm = <i64>rvc_sdsp_imm(h); break
    default: op = OP_ILLEGAL
  }
  if (rd == 0 && G.rdIsX(op)) rd = X_DUMMY
  put(e, op, rd, rs1, rs2, 0, 2, 0, imm, h & 0xffff)
}
