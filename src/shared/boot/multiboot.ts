/**
 * The numbers of the Multiboot specifications, once: version 0.6.96 (§3.1 "OS image format",
 * §3.3 "Boot information format") and Multiboot2 version 2.0 (§3.1 "OS image format", §3.6
 * "Boot information"), with the boot information's ELF-sections tag laid out as GRUB's
 * `multiboot2.h` does (REFERENCE.md "Multiboot 2"). The loader, the boot-information builder, the
 * tests' kernels and the inspectors use these names.
 */

export const MULTIBOOT_HEADER_MAGIC = 0x1bad_b002
/** EAX at entry (MB1). */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2bad_b002
/** The header must lie within the first 8 KiB of the image, 4-byte aligned. */
export const MULTIBOOT_SEARCH_BYTES = 8192
export const MULTIBOOT_HEADER_ALIGN = 4

/** MB1 header flags (§3.1.2). */
export const MULTIBOOT_PAGE_ALIGN = 1 << 0
export const MULTIBOOT_MEMORY_INFO = 1 << 1
export const MULTIBOOT_VIDEO_MODE = 1 << 2
export const MULTIBOOT_AOUT_KLUDGE = 1 << 16
/** Bits 0–15 are requirements: a loader that does not know one must refuse the image. */
export const MULTIBOOT_REQUIRED_MASK = 0xffff

/** MB1 boot-information flags (§3.3). */
export const MULTIBOOT_INFO = {
  MEMORY: 1 << 0,
  BOOTDEV: 1 << 1,
  CMDLINE: 1 << 2,
  MODS: 1 << 3,
  AOUT_SYMS: 1 << 4,
  ELF_SHDR: 1 << 5,
  MEM_MAP: 1 << 6,
  DRIVE_INFO: 1 << 7,
  CONFIG_TABLE: 1 << 8,
  BOOT_LOADER_NAME: 1 << 9,
  APM_TABLE: 1 << 10,
  VBE_INFO: 1 << 11,
  FRAMEBUFFER_INFO: 1 << 12,
} as const

/** MB1 info field offsets (§3.3). */
export const MB1_INFO_OFFSET = {
  flags: 0, mem_lower: 4, mem_upper: 8, boot_device: 12, cmdline: 16, mods_count: 20, mods_addr: 24,
  shdr_num: 28, shdr_size: 32, shdr_addr: 36, shdr_shndx: 40, mmap_length: 44, mmap_addr: 48,
  drives_length: 52, drives_addr: 56, config_table: 60, boot_loader_name: 64, apm_table: 68,
  framebuffer_addr: 88, framebuffer_pitch: 96, framebuffer_width: 100, framebuffer_height: 104, framebuffer_bpp: 108, framebuffer_type: 109,
} as const
export const MB1_INFO_BYTES = 116

/** Memory-map entry types (MB1 §3.3 and MB2 §3.6.8). */
export const MULTIBOOT_MEMORY_AVAILABLE = 1
export const MULTIBOOT_MEMORY_RESERVED = 2
export const MULTIBOOT_MEMORY_ACPI_RECLAIMABLE = 3
export const MULTIBOOT_MEMORY_NVS = 4
export const MULTIBOOT_MEMORY_BADRAM = 5

export const MULTIBOOT2_HEADER_MAGIC = 0xe852_50d6
/** EAX at entry (MB2). */
export const MULTIBOOT2_BOOTLOADER_MAGIC = 0x36d7_6289
export const MULTIBOOT2_SEARCH_BYTES = 32768
export const MULTIBOOT2_HEADER_ALIGN = 8
export const MULTIBOOT_ARCHITECTURE_I386 = 0
export const MULTIBOOT_ARCHITECTURE_MIPS32 = 4
/** Header tag flag: the loader may ignore the tag. */
export const MULTIBOOT_HEADER_TAG_OPTIONAL = 1

/** MB2 header tag types (§3.1.3 …). */
export const MB2_HEADER_TAG = {
  END: 0,
  INFORMATION_REQUEST: 1,
  ADDRESS: 2,
  ENTRY_ADDRESS: 3,
  CONSOLE_FLAGS: 4,
  FRAMEBUFFER: 5,
  MODULE_ALIGN: 6,
  EFI_BS: 7,
  ENTRY_ADDRESS_EFI32: 8,
  ENTRY_ADDRESS_EFI64: 9,
  RELOCATABLE: 10,
} as const

/** MB2 boot-information tag types (§3.6). */
export const MB2_TAG = {
  END: 0,
  CMDLINE: 1,
  BOOT_LOADER_NAME: 2,
  MODULE: 3,
  BASIC_MEMINFO: 4,
  BOOTDEV: 5,
  MMAP: 6,
  VBE: 7,
  FRAMEBUFFER: 8,
  ELF_SECTIONS: 9,
  APM: 10,
  EFI32: 11,
  EFI64: 12,
  SMBIOS: 13,
  ACPI_OLD: 14,
  ACPI_NEW: 15,
  NETWORK: 16,
  EFI_MMAP: 17,
  EFI_BS: 18,
  EFI32_IH: 19,
  EFI64_IH: 20,
  LOAD_BASE_ADDR: 21,
} as const

/** Framebuffer types (MB1 §3.3 framebuffer_type, MB2 §3.6.12). */
export const MULTIBOOT_FRAMEBUFFER_TYPE_INDEXED = 0
export const MULTIBOOT_FRAMEBUFFER_TYPE_RGB = 1
export const MULTIBOOT_FRAMEBUFFER_TYPE_EGA_TEXT = 2
