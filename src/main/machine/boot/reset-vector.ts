/**
 * QEMU's boot ROM at 0x1000 (`hw/riscv/boot.c`, `riscv_setup_rom_reset_vec`): six instructions
 * that load a0 = mhartid, a1 = the device-tree address and a2 = the `fw_dynamic_info` block, then
 * jump to the start address; followed by that block (OpenSBI `fw_dynamic.h`) telling a fw_dynamic
 * firmware where the next stage is. Copying it means firmware sees exactly what QEMU gives it.
 */

/** The rv64 reset vector, as 32-bit words, exactly as QEMU 7.2 writes it. */
export const RESET_VECTOR_WORDS = [
  0x0000_0297, // 1: auipc  t0, %pcrel_hi(fw_dyn)
  0x0282_8613, //    addi   a2, t0, %pcrel_lo(1b)   (a2 = ROM + 40: fw_dynamic_info)
  0xf140_2573, //    csrr   a0, mhartid
  0x0202_b583, //    ld     a1, 32(t0)             (FDT address)
  0x0182_b283, //    ld     t0, 24(t0)             (start address)
  0x0002_8067, //    jr     t0
]
export const RESET_VECTOR_START_ADDR_OFFSET = 24
export const RESET_VECTOR_FDT_ADDR_OFFSET = 32
export const FW_DYNAMIC_INFO_OFFSET = 40

/** OpenSBI `FW_DYNAMIC_INFO_MAGIC_VALUE` ("OSBI") and the version QEMU 7.2 writes. */
export const FW_DYNAMIC_INFO_MAGIC = 0x4942_534fn
export const FW_DYNAMIC_INFO_VERSION = 2n
export const FW_DYNAMIC_INFO_NEXT_MODE_S = 1n

export interface ResetVectorParams {
  /** Where the ROM jumps: the firmware, or the kernel with `-bios none`. */
  startAddr: bigint
  fdtAddr: bigint
  /** The stage after the firmware (`fw_dynamic_info.next_addr`); 0 when there is none. */
  nextAddr: bigint
}

/** Writes the reset vector and `fw_dynamic_info` into the ROM bytes (offset 0 = 0x1000). */
export function writeResetVector(rom: Uint8Array, p: ResetVectorParams): void {
  const v = new DataView(rom.buffer, rom.byteOffset, rom.byteLength)
  RESET_VECTOR_WORDS.forEach((w, i) => v.setUint32(i * 4, w, true))
  v.setBigUint64(RESET_VECTOR_START_ADDR_OFFSET, p.startAddr, true)
  v.setBigUint64(RESET_VECTOR_FDT_ADDR_OFFSET, p.fdtAddr, true)
  // struct fw_dynamic_info { magic, version, next_addr, next_mode, options, boot_hart } (unsigned long each)
  const info = [FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, p.nextAddr, FW_DYNAMIC_INFO_NEXT_MODE_S, 0n, 0n]
  info.forEach((x, i) => v.setBigUint64(FW_DYNAMIC_INFO_OFFSET + i * 8, x, true))
}

/**
 * Where QEMU 7.2 puts the device tree (`riscv_load_fdt`): as high as possible in DRAM but below
 * 3 GiB (so 32-bit code can reach it), aligned down to 2 MiB. 128 MiB at 0x8000_0000 → 0x87e0_0000.
 */
export const FDT_ALIGN_BYTES = 2n * 1024n * 1024n
export const FDT_MAX_ADDR = 3072n * 1024n * 1024n

export function fdtAddress(ramBase: bigint, ramSize: number, fdtSize: number): bigint {
  const dramEnd = ramBase + BigInt(ramSize)
  const top = ramBase < FDT_MAX_ADDR && dramEnd > FDT_MAX_ADDR ? FDT_MAX_ADDR : dramEnd
  return (top - BigInt(fdtSize)) & ~(FDT_ALIGN_BYTES - 1n)
}
