/**
 * Register-file and operand helpers shared by the run loop and the out-of-line executors, all
 * inlined: general registers by byte offset (so AH…BH are plain offsets +1), writes with the
 * x86 width rules (8/16-bit writes merge, 32-bit writes zero-extend, SDM vol. 1, 3.4.1.1),
 * effective addresses from a pre-decoded entry, the stack pointer at the stack's width, and
 * operand reads/writes by operand class (register, memory, immediate).
 */
import { REGS, SEGS, SEG_ATTRS, SEG_SS, S_MODE } from './layout'
import { E_DISP, E_BASE, E_INDEX, E_SCALE, E_FLAGS, E_F_RIPREL, E_AMASK, E_SEG, E_IMM, C_REG, C_IMM } from './decode'
import { rd, wr } from './mem'
import { mst, sizeMask } from './globals'
import { SEG_ATTR_DB, MODE_LONG64 } from './spec.generated'

export const RSP_OFF: usize = 4 * 8

@inline export function R(off: usize): u64 { return load<u64>(REGS + off) }
@inline export function setR(off: usize, v: u64): void { store<u64>(REGS + off, v) }

/** Reads a general register operand of `size` bytes at byte offset `off` (one load and a mask: AH … BH are +1). */
@inline export function rdReg(off: usize, size: u64): u64 {
  return load<u64>(REGS + off) & sizeMask(size)
}

/** Writes a general register operand: 32-bit writes zero-extend to 64 bits, 8/16-bit writes keep the rest. */
@inline export function wrReg(off: usize, size: u64, v: u64): void {
  if (size >= 4) store<u64>(REGS + off, v & sizeMask(size))
  else if (size == 2) store<u16>(REGS + off, <u16>v)
  else store<u8>(REGS + off, <u8>v)
}

/** Effective address of the entry's memory operand; `npc` is the next instruction's RIP (RIP-relative). */
@inline export function eaOf(e: usize, npc: u64): u64 {
  let a = load<u64>(e, E_DISP) + R(<usize>load<u8>(e, E_BASE)) + (R(<usize>load<u8>(e, E_INDEX)) << load<u8>(e, E_SCALE))
  if ((load<u8>(e, E_FLAGS) & E_F_RIPREL) != 0) a += npc
  return a & load<u64>(e, E_AMASK)
}
@inline export function segOf(e: usize): u32 { return <u32>load<u8>(e, E_SEG) }

/** Stack width in bytes: 8 in 64-bit mode, else SS.B (4) or 2. */
@inline export function stackWidth(): u64 {
  if (load<u64>(S_MODE) == MODE_LONG64) return 8
  return (load<u64>(SEGS + <usize>SEG_SS * 64 + SEG_ATTRS) & SEG_ATTR_DB) != 0 ? 4 : 2
}
@inline export function widthMask(w: u64): u64 { return w == 8 ? <u64>-1 : w == 4 ? 0xffffffff : 0xffff }

/** Sets the stack pointer at the stack's width (SP writes keep RSP[63:16]). */
@inline export function setSp(sp: u64, w: u64): void {
  if (w == 2) store<u16>(REGS + RSP_OFF, <u16>sp)
  else store<u64>(REGS + RSP_OFF, w == 4 ? sp & 0xffffffff : sp)
}

/** Pushes `size` bytes; check `mst` after. RSP changes only when the store succeeded. */
@inline export function push(v: u64, size: u64, w: u64): void {
  const sp = (R(RSP_OFF) - size) & widthMask(w)
  wr(SEG_SS, sp, size, v)
  if (mst == 0) setSp(sp, w)
}

/** Reads the value on top of the stack (`size` bytes) without popping; check `mst` after. */
@inline export function peek(size: u64, w: u64, skip: u64): u64 {
  return rd(SEG_SS, (R(RSP_OFF) + skip) & widthMask(w), size)
}

/** Reads operand `k` of class `cls` (register offset `r`); memory at `ea`. Check `mst` after a memory read. */
@inline export function readOp(e: usize, cls: u32, r: usize, size: u64, ea: u64): u64 {
  if (cls == C_REG) return rdReg(r, size)
  if (cls == C_IMM) return load<u64>(e, E_IMM)
  return rd(segOf(e), ea, size)
}

/** Writes a register or memory destination. Check `mst` after a memory write. */
@inline export function writeOp(e: usize, cls: u32, r: usize, size: u64, ea: u64, v: u64): void {
  if (cls == C_REG) wrReg(r, size, v)
  else wr(segOf(e), ea, size, v)
}
