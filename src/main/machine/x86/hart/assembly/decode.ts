/**
 * The x86 instruction format (SDM vol. 2, chapter 2 "Instruction Format"): legacy prefixes, REX,
 * the 0F / 0F 38 / 0F 3A escapes, ModRM, SIB, displacement and immediate — decoded once into a
 * pre-decoded cache entry the run loop executes from. Which instruction the bytes are, and what
 * its operands and immediates look like, comes from the generated tables of the x86 ISA table
 * (`decode.generated.ts`); this file knows only the format.
 *
 * Entry layout (DC_ENTRY_BYTES = 64; the run loop reads +24..+31 as one u64):
 *   +0 tag (pa | mode << 56)   +8 imm (u64)    +16 disp (sign-extended u64)
 *   +24 op (u16, X_*)  +26 len  +27 osz (bytes)  +28 form (operand classes, 2 bits each)
 *   +29 r0  +30 r1  +31 r2 (register byte offsets into REGS for general registers — 8-bit high
 *   registers at +1 — or indices for segment/control/debug/XMM/MMX/x87 registers)
 *   +32 base  +33 index (byte offsets into REGS; REG_ZERO when absent)  +34 scale (shift)
 *   +35 segment  +36 flags (E_F_*)  +37 opcode  +38 modrm  +39 asz (bytes)
 *   +40 imm2 (far pointer selector, enter's level)  +48 address mask  +56 row (u16)
 *   +58 k0 +59 k1 +60 k2 (generated operand kinds)  +61 map  +62 cc (condition code)
 */
import * as G from './decode.generated'
import { FETCH_BUF, REG_ZERO, SEG_DS, SEG_SS, SEG_ES, SEG_CS, SEG_FS, SEG_GS } from './layout'
import { MODE_LONG64, MODE_PROTECTED32, MODE_COMPAT32 } from './spec.generated'

export const E_IMM: usize = 8
export const E_DISP: usize = 16
export const E_OP: usize = 24
export const E_LEN: usize = 26
export const E_OSZ: usize = 27
export const E_FORM: usize = 28
export const E_R0: usize = 29
export const E_R1: usize = 30
export const E_R2: usize = 31
export const E_BASE: usize = 32
export const E_INDEX: usize = 33
export const E_SCALE: usize = 34
export const E_SEG: usize = 35
export const E_FLAGS: usize = 36
export const E_OPCODE: usize = 37
export const E_MODRM: usize = 38
export const E_ASZ: usize = 39
export const E_IMM2: usize = 40
export const E_AMASK: usize = 48
export const E_ROW: usize = 56
export const E_K0: usize = 58
export const E_K1: usize = 59
export const E_K2: usize = 60
export const E_MAP: usize = 61
export const E_CC: usize = 62

// E_FLAGS bits.
export const E_F_REP: u8 = 1
export const E_F_REPNE: u8 = 2
export const E_F_LOCK: u8 = 4
export const E_F_RIPREL: u8 = 8
export const E_F_REXW: u8 = 16
export const E_F_SEGOVR: u8 = 32
export const E_F_66: u8 = 64
export const E_F_REX: u8 = 128

// Operand classes in E_FORM.
export const C_NONE: u32 = 0
export const C_REG: u32 = 1
export const C_MEM: u32 = 2
export const C_IMM: u32 = 3

// Generated operand kinds (gen-decoder.ts KIND).
export const K_G: u32 = 1
export const K_E: u32 = 2
export const K_M: u32 = 3
export const K_ER: u32 = 4
export const K_ACC: u32 = 5
export const K_CL: u32 = 6
export const K_DX: u32 = 7
export const K_IMM: u32 = 8
export const K_ONE: u32 = 9
export const K_SREG: u32 = 10
export const K_CR: u32 = 11
export const K_DR: u32 = 12
export const K_XG: u32 = 13
export const K_XE: u32 = 14
export const K_XR: u32 = 15
export const K_MMG: u32 = 16
export const K_MME: u32 = 17
export const K_MMR: u32 = 18
export const K_ES: u32 = 19
export const K_GS: u32 = 24
export const K_ST0: u32 = 25
export const K_STI: u32 = 26
export const K_MOFFS: u32 = 27
export const K_IMM2: u32 = 28
export const K_PLUSREG: u32 = 29
export const K_BYTE: u32 = 32

// Immediate kinds (gen-decoder.ts IMM).
const I_IMM8: u32 = 1
const I_IMM16: u32 = 2
const I_IMM32: u32 = 3
const I_IMMZ: u32 = 4
const I_IMMV: u32 = 5
const I_SIMM8: u32 = 6
const I_REL8: u32 = 7
const I_RELZ: u32 = 8
const I_PTR16Z: u32 = 9
const I_MOFFS: u32 = 10
const I_ENTER: u32 = 11

// Decode results other than a length.
export const DEC_MORE: i32 = 0
export const DEC_INVALID: i32 = -1
export const DEC_TOO_LONG: i32 = -2

/** Bytes available in FETCH_BUF; reading past them sets `short`. */
let avail: u32 = 0
let short: bool = false
@inline function byteAt(i: u32): u32 {
  if (i >= avail) { short = true; return 0 }
  return <u32>load<u8>(FETCH_BUF + <usize>i)
}
function bytesAt(i: u32, n: u32): u64 {
  let v: u64 = 0
  for (let k: u32 = 0; k < n; k++) v |= (<u64>byteAt(i + k)) << (k << 3)
  return v
}

/** Out of bytes: more are needed when the page ended early, else the instruction is longer than 15 bytes. */
function ranOut(n: u32): i32 { return n >= 15 ? DEC_TOO_LONG : DEC_MORE }

/** Register byte offset of general register r for an operand; 8-bit r 4..7 without REX are AH, CH, DH, BH. */
@inline function gprOff(r: u32, byteReg: bool, rex: bool): u8 {
  if (byteReg && !rex && r >= 4 && r < 8) return <u8>(((r - 4) << 3) + 1)
  return <u8>(r << 3)
}

const RR: u32 = C_REG | (C_REG << 2)
const RI: u32 = C_REG | (C_IMM << 2)
const RM: u32 = C_REG | (C_MEM << 2)
const MR: u32 = C_MEM | (C_REG << 2)

/**
 * The hart-internal op for the hottest forms (gen-decoder.ts FAST_FORMS): mov/alu between
 * registers and with immediates, loads and stores through mov, inc/dec/push/pop of a register.
 * Only general-register operands qualify (segment, control and XMM registers have other ops).
 */
function fastForm(op: u16, form: u32, shape: u32): u16 {
  const k0 = (shape >> 11) & 31, k1 = (shape >> 17) & 31
  const gpr0 = k0 == K_G || k0 == K_E || k0 == K_ER || k0 == K_ACC || k0 == K_PLUSREG
  const gpr1 = k1 == K_G || k1 == K_E || k1 == K_ER || k1 == K_ACC || k1 == K_PLUSREG || k1 == K_CL
  const f = form & 15
  if ((f & 3) == C_REG && !gpr0) return op
  if (((f >> 2) & 3) == C_REG && !gpr1) return op
  switch (op) {
    case G.X_MOV: return f == RR ? G.X_MOV_RR : f == RI ? G.X_MOV_RI : f == RM ? G.X_MOV_RM : f == MR ? G.X_MOV_MR : op
    case G.X_ADD: return f == RR ? G.X_ADD_RR : f == RI ? G.X_ADD_RI : f == RM ? G.X_ADD_RM : op
    case G.X_SUB: return f == RR ? G.X_SUB_RR : f == RI ? G.X_SUB_RI : f == RM ? G.X_SUB_RM : op
    case G.X_AND: return f == RR ? G.X_AND_RR : f == RI ? G.X_AND_RI : f == RM ? G.X_AND_RM : op
    case G.X_OR: return f == RR ? G.X_OR_RR : f == RI ? G.X_OR_RI : f == RM ? G.X_OR_RM : op
    case G.X_XOR: return f == RR ? G.X_XOR_RR : f == RI ? G.X_XOR_RI : f == RM ? G.X_XOR_RM : op
    // Shifts by an immediate or 1 (not CL) of a register; imul r, r/m and imul r, r, imm with registers.
    case G.X_SHL: return f == RI ? G.X_SHL_RI : op
    case G.X_SHR: return f == RI ? G.X_SHR_RI : op
    case G.X_SAR: return f == RI ? G.X_SAR_RI : op
    case G.X_IMUL: return f == RR ? G.X_IMUL_RR : op
    case G.X_MOVZX: return f == RR ? G.X_MOVZX_RR : op
    case G.X_MOVSX: return f == RR ? G.X_MOVSX_RR : op
    case G.X_CMP: return f == RR ? G.X_CMP_RR : f == RI ? G.X_CMP_RI : f == RM ? G.X_CMP_RM : op
    case G.X_TEST: return f == RR ? G.X_TEST_RR : f == RI ? G.X_TEST_RI : op
    case G.X_INC: return (f & 3) == C_REG ? G.X_INC_R : op
    case G.X_DEC: return (f & 3) == C_REG ? G.X_DEC_R : op
    case G.X_PUSH: return (f & 3) == C_REG ? G.X_PUSH_R : op
    case G.X_POP: return (f & 3) == C_REG ? G.X_POP_R : op
    default: return op
  }
}

/** The row of the last decode (for #UD reporting even when decoding failed: -1). */
export let lastRow: i32 = -1

/**
 * Decodes the instruction in FETCH_BUF (`n` bytes available) for mode code `m` into entry `e`.
 * Returns its length, DEC_MORE when more bytes are needed than available, DEC_INVALID (#UD) or
 * DEC_TOO_LONG (#GP: longer than 15 bytes).
 */
export function decode(e: usize, n: u32, m: u64): i32 {
  avail = n < 15 ? n : 15
  short = false
  lastRow = -1
  const long = m == MODE_LONG64
  const code32 = m == MODE_PROTECTED32 || m == MODE_COMPAT32
  let i: u32 = 0
  let has66 = false, has67 = false, lock = false
  let rep: u32 = 0
  let seg: i32 = -1
  let rex: u32 = 0
  // Prefixes (SDM 2.1.1); a REX prefix counts only immediately before the opcode (2.2.1).
  while (true) {
    const b = byteAt(i)
    if (short) return ranOut(n)
    let legacy = true
    switch (b) {
      case 0x66: has66 = true; break
      case 0x67: has67 = true; break
      case 0xf0: lock = true; break
      case 0xf2: case 0xf3: rep = b; break
      case 0x26: seg = <i32>SEG_ES; break
      case 0x2e: seg = <i32>SEG_CS; break
      case 0x36: seg = <i32>SEG_SS; break
      case 0x3e: seg = <i32>SEG_DS; break
      case 0x64: seg = <i32>SEG_FS; break
      case 0x65: seg = <i32>SEG_GS; break
      default: legacy = false
    }
    if (legacy) { rex = 0; i++; continue }
    if (long && (b & 0xf0) == 0x40) { rex = b; i++; continue }
    break
  }
  const rexW = (rex & 8) != 0, rexR = (rex >> 2) & 1, rexX = (rex >> 1) & 1, rexB = rex & 1
  // Opcode and map.
  let map: u32 = 0
  let opcode = byteAt(i++)
  if (opcode == 0x0f) {
    map = 1
    opcode = byteAt(i++)
    if (opcode == 0x38) { map = 2; opcode = byteAt(i++) } else if (opcode == 0x3a) { map = 3; opcode = byteAt(i++) }
  }
  if (short) return ranOut(n)
  let modrm: u32 = 0
  const hasModrm = G.HAS_MODRM[(map << 8) | opcode] != 0
  if (hasModrm) {
    modrm = byteAt(i++)
    if (short) return ranOut(n)
  }
  // Operand and address sizes (SDM 2.2.1.2, Table 2-4; 3.6).
  const osz: u32 = long ? (rexW ? 64 : has66 ? 16 : 32) : code32 ? (has66 ? 16 : 32) : (has66 ? 32 : 16)
  const oszD64: u32 = long ? (rexW ? 64 : has66 ? 16 : 64) : osz
  const oszNo66: u32 = long ? (rexW ? 64 : 32) : code32 ? 32 : 16
  const asz: u32 = long ? (has67 ? 32 : 64) : code32 ? (has67 ? 16 : 32) : (has67 ? 32 : 16)
  const modeBit: u32 = long ? 4 : code32 ? 2 : 1
  const row = G.rowOf(map, opcode, modrm, modeBit, rep, has66, osz, oszD64, oszNo66, asz)
  lastRow = row
  if (row < 0) return DEC_INVALID
  const shape = G.ROW_SHAPE[row]
  const immK = shape & 15
  const d64 = (shape & 32) != 0, f64 = (shape & 64) != 0, nomod = (shape & 128) != 0
  const sizeCls = (shape >> 8) & 7
  let eosz: u32
  switch (sizeCls) {
    case 1: eosz = 1; break
    case 2: eosz = 2; break
    case 3: eosz = 4; break
    case 4: eosz = 8; break
    case 5: eosz = 16; break
    case 6: eosz = 10; break
    default: eosz = (long && f64) ? 8 : ((d64 ? oszD64 : osz) >> 3)
  }
  const isMem = hasModrm && !nomod && (modrm >> 6) != 3
  if (lock && (isMem == false || (shape & (1 << 29)) == 0)) return DEC_INVALID

  // Memory operand (SDM 2.1.5, Tables 2-1 … 2-3; 2.2.1.6 RIP-relative addressing).
  let base: u8 = REG_ZERO, index: u8 = REG_ZERO, scale: u8 = 0
  let disp: u64 = 0
  let defSeg: u32 = SEG_DS
  let ripRel = false
  const mod = modrm >> 6
  const rm = modrm & 7
  if (isMem) {
    if (asz == 16) {
      switch (rm) {
        case 0: base = 3 << 3; index = 6 << 3; break // [bx+si]
        case 1: base = 3 << 3; index = 7 << 3; break // [bx+di]
        case 2: base = 5 << 3; index = 6 << 3; defSeg = SEG_SS; break // [bp+si]
        case 3: base = 5 << 3; index = 7 << 3; defSeg = SEG_SS; break // [bp+di]
        case 4: base = 6 << 3; break
        case 5: base = 7 << 3; break
        case 6: if (mod != 0) { base = 5 << 3; defSeg = SEG_SS } break
        default: base = 3 << 3
      }
      if (mod == 1) disp = <u64><i64><i8>byteAt(i++)
      else if (mod == 2 || (mod == 0 && rm == 6)) { disp = <u64><i64><i16>bytesAt(i, 2); i += 2 }
    } else {
      let b = rm
      if (rm == 4) {
        const sib = byteAt(i++)
        scale = <u8>(sib >> 6)
        const idx = ((sib >> 3) & 7) | (rexX << 3)
        if (idx != 4) index = <u8>(idx << 3)
        b = sib & 7
        if (b == 5 && mod == 0) {
          disp = <u64><i64><i32>bytesAt(i, 4); i += 4
          b = 0xff
        }
      } else if (rm == 5 && mod == 0) {
        disp = <u64><i64><i32>bytesAt(i, 4); i += 4
        b = 0xff
        if (long) ripRel = true
      }
      if (b != 0xff) {
        const full = b | (rexB << 3)
        base = <u8>(full << 3)
        if (full == 4 || full == 5) defSeg = SEG_SS
      }
      if (mod == 1) disp = <u64><i64><i8>byteAt(i++)
      else if (mod == 2) { disp = <u64><i64><i32>bytesAt(i, 4); i += 4 }
    }
  }

  // Immediates.
  let imm: u64 = 0, imm2: u64 = 0
  switch (immK) {
    case I_IMM8: imm = <u64>byteAt(i); i += 1; break
    case I_SIMM8: case I_REL8: imm = <u64><i64><i8>byteAt(i); i += 1; break
    case I_IMM16: imm = bytesAt(i, 2); i += 2; break
    case I_IMM32: imm = bytesAt(i, 4); i += 4; break
    case I_IMMZ: case I_RELZ:
      if (eosz == 2) { imm = immK == I_RELZ ? <u64><i64><i16>bytesAt(i, 2) : bytesAt(i, 2); i += 2 }
      else { imm = <u64><i64><i32>bytesAt(i, 4); i += 4 }
      break
    case I_IMMV: imm = bytesAt(i, eosz); i += eosz; break
    case I_PTR16Z: {
      const w: u32 = eosz == 2 ? 2 : 4
      imm = bytesAt(i, w); i += w
      imm2 = bytesAt(i, 2); i += 2
      break
    }
    case I_MOFFS: {
      const w = asz >> 3
      disp = bytesAt(i, w); i += w
      break
    }
    case I_ENTER: imm = bytesAt(i, 2); imm2 = <u64>byteAt(i + 2); i += 3; break
    default: break
  }
  if (short) return ranOut(n)
  if (i > 15) return DEC_TOO_LONG

  // Operands.
  const hasRex = rex != 0
  let form: u32 = 0
  let regs: u32 = 0
  for (let k: u32 = 0; k < 3; k++) {
    const kind = (shape >> (11 + k * 6)) & 63
    const byteReg = (kind & K_BYTE) != 0
    const kk = kind & 31
    let cls: u32 = C_NONE
    let r: u32 = 0
    switch (kk) {
      case 0: break
      case K_G: cls = C_REG; r = gprOff(((modrm >> 3) & 7) | (rexR << 3), byteReg, hasRex); break
      case K_PLUSREG: cls = C_REG; r = gprOff((opcode & 7) | (rexB << 3), byteReg, hasRex); break
      case K_E: case K_ER:
        if (isMem) cls = C_MEM
        else { cls = C_REG; r = gprOff(rm | (rexB << 3), byteReg, hasRex) }
        break
      case K_M: case K_MOFFS: cls = C_MEM; break
      case K_ACC: cls = C_REG; r = 0; break
      case K_CL: cls = C_REG; r = 8; break
      case K_DX: cls = C_REG; r = 16; break
      case K_IMM: case K_IMM2: cls = C_IMM; break
      case K_ONE: cls = C_IMM; if (immK == 0) imm = 1; break
      case K_SREG: cls = C_REG; r = (modrm >> 3) & 7; break
      case K_CR: case K_DR: cls = C_REG; r = ((modrm >> 3) & 7) | (rexR << 3); break
      case K_XG: cls = C_REG; r = ((modrm >> 3) & 7) | (rexR << 3); break
      case K_XE: case K_XR:
        if (isMem) cls = C_MEM
        else { cls = C_REG; r = rm | (rexB << 3) }
        break
      case K_MMG: cls = C_REG; r = (modrm >> 3) & 7; break
      case K_MME: case K_MMR:
        if (isMem) cls = C_MEM
        else { cls = C_REG; r = rm }
        break
      case K_ST0: cls = C_REG; r = 0; break
      case K_STI: cls = C_REG; r = rm; break
      default:
        if (kk >= K_ES && kk <= K_GS) { cls = C_REG; r = kk - K_ES }
    }
    form |= cls << (k * 2)
    regs |= (r & 0xff) << (k * 8)
    store<u8>(e + E_K0 + <usize>k, <u8>kind)
  }

  let flags: u8 = 0
  if (rep == 0xf3) flags |= E_F_REP
  if (rep == 0xf2) flags |= E_F_REPNE
  if (lock) flags |= E_F_LOCK
  if (ripRel) flags |= E_F_RIPREL
  if (rexW) flags |= E_F_REXW
  if (seg >= 0) flags |= E_F_SEGOVR
  if (has66) flags |= E_F_66
  if (hasRex) flags |= E_F_REX

  store<u64>(e, imm, E_IMM)
  store<u64>(e, disp, E_DISP)
  store<u16>(e, fastForm(G.ROW_EXEC[row], form, shape), E_OP)
  store<u8>(e, <u8>i, E_LEN)
  store<u8>(e, <u8>eosz, E_OSZ)
  store<u8>(e, <u8>form, E_FORM)
  store<u8>(e, <u8>regs, E_R0)
  store<u8>(e, <u8>(regs >> 8), E_R1)
  store<u8>(e, <u8>(regs >> 16), E_R2)
  store<u8>(e, base, E_BASE)
  store<u8>(e, index, E_INDEX)
  store<u8>(e, scale, E_SCALE)
  store<u8>(e, <u8>(seg >= 0 ? <u32>seg : defSeg), E_SEG)
  store<u8>(e, flags, E_FLAGS)
  store<u8>(e, <u8>opcode, E_OPCODE)
  store<u8>(e, <u8>modrm, E_MODRM)
  store<u8>(e, <u8>(asz >> 3), E_ASZ)
  store<u64>(e, imm2, E_IMM2)
  store<u64>(e, asz == 64 ? <u64>-1 : asz == 32 ? 0xffffffff : 0xffff, E_AMASK)
  store<u16>(e, <u16>row, E_ROW)
  store<u8>(e, <u8>map, E_MAP)
  store<u8>(e, <u8>(opcode & 15), E_CC)
  return <i32>i
}
