/**
 * The PC's physical memory map as QEMU's `-machine pc` with SeaBIOS presents it (REFERENCE.md
 * "x86 PC"; the BIOS E820 table checked under QEMU 7.2 with `-m 128M`): conventional memory up to
 * the extended BIOS data area at 0x9FC00, the legacy hole 0xA0000–0xFFFFF (VGA memory, option
 * ROMs, the BIOS), RAM again from 1 MiB up to 128 KiB below the top (which SeaBIOS keeps for its
 * ACPI tables), the BIOS flash just below 4 GiB, and the local and I/O APICs. The Multiboot
 * memory maps are built from it, and the loader refuses images that land in a hole.
 */
import { MULTIBOOT_MEMORY_AVAILABLE, MULTIBOOT_MEMORY_RESERVED } from '../../../shared/boot/multiboot'

/** Conventional memory ends where the EBDA begins: 639 KiB. */
export const CONVENTIONAL_END = 0x9fc00
export const EBDA_BYTES = 0x400
export const LEGACY_HOLE_BASE = 0xa0000
export const HIGH_MEMORY_BASE = 0x100000
/** The BIOS's own area at the top of the hole, reserved in E820. */
export const BIOS_AREA_BASE = 0xf0000
/** SeaBIOS reserves the top 128 KiB of RAM below 4 GiB (ACPI tables and its high memory). */
export const TOP_RESERVED_BYTES = 0x20000
/** The BIOS flash mapped just below 4 GiB. */
export const BIOS_ROM_BASE = 0xfffc_0000n
export const BIOS_ROM_BYTES = 0x40000n
/**
 * qemu-system-x86_64's PC also reserves 0xFD_0000_0000 + 12 GiB (the AMD HyperTransport window,
 * QEMU 7.1+); both its `-kernel` Multiboot 1 map and GRUB's Multiboot 2 map list it. (The 32-bit
 * qemu-system-i386 does not: this PC is the 64-bit one.)
 */
export const HT_RESERVED_BASE = 0xfd_0000_0000n
export const HT_RESERVED_BYTES = 0x3_0000_0000n

export interface MemoryRegion {
  base: bigint
  length: bigint
  /** Multiboot / E820 type: 1 available, 2 reserved. */
  type: number
}

/** The E820 map SeaBIOS reports on qemu-system-x86_64 for `ramBytes` of RAM. */
export function e820Map(ramBytes: number): MemoryRegion[] {
  const top = BigInt(ramBytes) - BigInt(TOP_RESERVED_BYTES)
  return [
    { base: 0n, length: BigInt(CONVENTIONAL_END), type: MULTIBOOT_MEMORY_AVAILABLE },
    { base: BigInt(CONVENTIONAL_END), length: BigInt(EBDA_BYTES), type: MULTIBOOT_MEMORY_RESERVED },
    { base: BigInt(BIOS_AREA_BASE), length: BigInt(HIGH_MEMORY_BASE - BIOS_AREA_BASE), type: MULTIBOOT_MEMORY_RESERVED },
    { base: BigInt(HIGH_MEMORY_BASE), length: top - BigInt(HIGH_MEMORY_BASE), type: MULTIBOOT_MEMORY_AVAILABLE },
    { base: top, length: BigInt(TOP_RESERVED_BYTES), type: MULTIBOOT_MEMORY_RESERVED },
    { base: BIOS_ROM_BASE, length: BIOS_ROM_BYTES, type: MULTIBOOT_MEMORY_RESERVED },
    { base: HT_RESERVED_BASE, length: HT_RESERVED_BYTES, type: MULTIBOOT_MEMORY_RESERVED },
  ]
}

/** KiB of memory below 640 KiB and above 1 MiB that is free (Multiboot mem_lower / mem_upper). */
export function memLowerUpper(ramBytes: number): { lower: number; upper: number } {
  return { lower: CONVENTIONAL_END / 1024, upper: (ramBytes - TOP_RESERVED_BYTES - HIGH_MEMORY_BASE) / 1024 }
}

/** Where a physical range falls that a loader must not fill: the legacy hole, past RAM, or none. */
export function unusableRange(base: bigint, end: bigint, ramBytes: number): string | undefined {
  if (base < BigInt(HIGH_MEMORY_BASE) && end > BigInt(LEGACY_HOLE_BASE)) {
    return `the legacy hole 0xa0000–0xfffff (VGA memory, option ROMs and the BIOS), which is not RAM`
  }
  if (end > BigInt(ramBytes)) return `past the end of RAM (0x${ramBytes.toString(16)}, --mem sets its size)`
  return undefined
}
