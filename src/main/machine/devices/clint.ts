/**
 * The SiFive CLINT at 0x0200_0000 (QEMU `hw/intc/riscv_aclint.c`, SiFive "Core-Local Interruptor"):
 * msip at +0x0, mtimecmp at +0x4000, mtime at +0xbff8, one hart. The registers live in the hart
 * (`HartApi.msip/mtimecmp/mtime`) so timer interrupts are exact to the instruction; this device is
 * only the MMIO face of that state, reached through a `ClintState` so it never imports the hart.
 */
import type { AccessSize, Device } from './bus'
import { CLINT_BASE, CLINT_SIZE_BYTES } from './memory-map'

export const CLINT_MSIP = 0x0
export const CLINT_MTIMECMP = 0x4000
export const CLINT_MTIME = 0xbff8

/** The timer and software-interrupt state (the hart satisfies this structurally). */
export interface ClintState {
  mtime: bigint
  mtimecmp: bigint
  msip: boolean
}

const MASK_32 = 0xffff_ffffn
const MASK_64 = 0xffff_ffff_ffff_ffffn

/** Reads `size` bytes at byte `at` within a 64-bit register value. */
function slice64(reg: bigint, at: number, size: AccessSize): bigint {
  return (reg >> BigInt(at * 8)) & ((1n << BigInt(size * 8)) - 1n)
}

/** Replaces `size` bytes at byte `at` of a 64-bit register value (32-bit halves are how RV32 code writes). */
function merge64(reg: bigint, at: number, size: AccessSize, value: bigint): bigint {
  const shift = BigInt(at * 8)
  const mask = ((1n << BigInt(size * 8)) - 1n) << shift
  return ((reg & ~mask) | ((value << shift) & mask)) & MASK_64
}

export class Clint implements Device {
  readonly name = 'clint'
  readonly base = CLINT_BASE
  readonly size = CLINT_SIZE_BYTES

  constructor(private readonly state: ClintState) {}

  read(offset: number, size: AccessSize): bigint {
    if (offset >= CLINT_MSIP && offset < CLINT_MSIP + 4) return offset === CLINT_MSIP ? (this.state.msip ? 1n : 0n) : 0n
    if (offset >= CLINT_MTIMECMP && offset + size <= CLINT_MTIMECMP + 8) return slice64(this.state.mtimecmp, offset - CLINT_MTIMECMP, size)
    if (offset >= CLINT_MTIME && offset + size <= CLINT_MTIME + 8) return slice64(this.state.mtime, offset - CLINT_MTIME, size)
    return 0n
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (offset === CLINT_MSIP) {
      this.state.msip = (value & 1n) === 1n // only bit 0 is writable (ACLINT spec, MSWI)
    } else if (offset >= CLINT_MTIMECMP && offset + size <= CLINT_MTIMECMP + 8) {
      this.state.mtimecmp = merge64(this.state.mtimecmp, offset - CLINT_MTIMECMP, size, value & (size === 8 ? MASK_64 : MASK_32))
    } else if (offset >= CLINT_MTIME && offset + size <= CLINT_MTIME + 8) {
      this.state.mtime = merge64(this.state.mtime, offset - CLINT_MTIME, size, value)
    }
  }
}
