/**
 * What QEMU 7.2's `-kernel` and `-initrd` do with the files they are given (`hw/riscv/boot.c`:
 * `riscv_calc_kernel_start_addr`, `riscv_load_kernel`, `riscv_load_initrd`), with one difference
 * on purpose: an ELF goes to its physical addresses and a RISC-V Linux `Image` (recognised by its
 * header, Linux `Documentation/riscv/boot-image-header.rst`) to the kernel start address, as on
 * QEMU — but any other file is refused unless the user says where it goes (`--raw ADDR`), where
 * QEMU would silently load it at the kernel start address, so a wrong file (a source, an archive)
 * is never executed as code. The initrd goes `min(RAM / 2, 128 MiB)` above the kernel's load base;
 * `/chosen` tells the kernel where (`fdt.ts`).
 */
import { err, ok, type Result } from '../../../shared/api/result'
import { DRAM_BASE, KERNEL_BASE_WITH_FIRMWARE } from '../devices/memory-map'
import { isElf, loadElf, loadRaw, type LoadedImage, type PhysicalRam } from './loader'

/** A file given to the machine (kernel, firmware, initrd). */
export interface ImageFile {
  bytes: Uint8Array
  file: string
}

/** The kernel file and, for a raw binary, where it goes (`--raw ADDR`). */
export interface KernelFile extends ImageFile {
  /** Load address of a raw binary; an ELF cannot have one (it says its own addresses). */
  rawAddr?: bigint
}

// The RISC-V Image header (boot-image-header.rst): u32 code0, u32 code1, u64 text_offset,
// u64 image_size, u64 flags, u32 version, u32 res1, u64 res2, u64 magic ("RISCV\0\0\0", deprecated),
// u32 magic2 ("RSC\x05"), u32 res3 — little endian, 64 bytes.
export const IMAGE_HEADER_BYTES = 64
export const IMAGE_SIZE_OFFSET = 16
export const IMAGE_MAGIC_OFFSET = 48
export const IMAGE_MAGIC = 'RISCV\0\0\0'
export const IMAGE_MAGIC2_OFFSET = 56
export const IMAGE_MAGIC2 = 'RSC\x05'

/** QEMU 7.2 `riscv_calc_kernel_start_addr` (rv64): the kernel starts at the firmware's end, aligned up to 2 MiB. */
export const KERNEL_START_ALIGN_BYTES = 2n * 1024n * 1024n
/** QEMU 7.2 `riscv_load_initrd`: the initrd goes half-way into RAM, but never more than 128 MiB above the kernel. */
export const INITRD_MAX_OFFSET_BYTES = 128n * 1024n * 1024n

const hex = (x: bigint) => `0x${x.toString(16)}`
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n))

/** True for a RISC-V Linux `Image`: either magic of its header (magic2 since Linux 5.x, the older magic before). */
export function isLinuxImage(bytes: Uint8Array): boolean {
  if (bytes.length < IMAGE_HEADER_BYTES) return false
  return ascii(bytes, IMAGE_MAGIC2_OFFSET, 4) === IMAGE_MAGIC2 || ascii(bytes, IMAGE_MAGIC_OFFSET, 8) === IMAGE_MAGIC
}

/** `image_size` from an Image header: the memory the kernel occupies, .bss included (0 when the header leaves it out). */
export function linuxImageSize(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(IMAGE_SIZE_OFFSET, true)
}

/**
 * Where a kernel that is not an ELF goes when no address is given: QEMU's kernel start address —
 * DRAM base without a firmware, the firmware's end aligned up to 2 MiB after one (0x8020_0000 for
 * OpenSBI), and 0x8020_0000 for the built-in SBI, which stands in for OpenSBI.
 */
export function kernelStartAddr(bios: 'none' | 'builtin' | LoadedImage): bigint {
  if (bios === 'none') return DRAM_BASE
  if (bios === 'builtin') return KERNEL_BASE_WITH_FIRMWARE
  return (bios.highestPaddrEnd + KERNEL_START_ALIGN_BYTES - 1n) & ~(KERNEL_START_ALIGN_BYTES - 1n)
}

/** Loads a kernel as QEMU's -kernel does (see the top of this file); `startAddr` is where an Image goes. */
export function loadKernel(kernel: KernelFile, startAddr: bigint, ram: PhysicalRam): Result<LoadedImage> {
  const opts = { file: kernel.file, image: 'kernel' }
  const loc = { file: kernel.file, line: 1, column: 1 }
  if (isElf(kernel.bytes)) {
    if (kernel.rawAddr === undefined) return loadElf(kernel.bytes, ram, opts)
    return err('boot.raw_elf', `${kernel.file}: an ELF file says where its segments go; a raw load address (${hex(kernel.rawAddr)}) is only for raw binaries`, {
      loc,
      hint: 'drop --raw (or "Raw binary at" in Open ELF…)',
    })
  }
  if (kernel.rawAddr !== undefined) return loadRaw(kernel.bytes, kernel.rawAddr, ram, opts)
  if (isLinuxImage(kernel.bytes)) return loadRaw(kernel.bytes, startAddr, ram, { ...opts, memsz: linuxImageSize(kernel.bytes) })
  return err(
    'boot.not_elf',
    `${kernel.file}: not an ELF file, nor a RISC-V Linux Image (no "RSC\\x05" magic at offset ${IMAGE_MAGIC2_OFFSET}); Bootscope does not guess where a raw binary goes`,
    {
      loc,
      hint: `if it is a raw binary, give its load address: --raw ${hex(startAddr)} on the command line (where QEMU would put it), or "Raw binary at" in Open ELF…`,
    },
  )
}

export interface PlacedInitrd {
  start: bigint
  /** Exclusive. */
  end: bigint
}

/** Puts the initrd where QEMU 7.2 does: `loadBase + min(RAM / 2, 128 MiB)` (loadBase: the kernel's lowest address). */
export function loadInitrd(initrd: ImageFile, loadBase: bigint, ram: PhysicalRam): Result<PlacedInitrd> {
  const ramBytes = BigInt(ram.bytes.length)
  const half = ramBytes / 2n
  const start = loadBase + (half < INITRD_MAX_OFFSET_BYTES ? half : INITRD_MAX_OFFSET_BYTES)
  const end = start + BigInt(initrd.bytes.length)
  if (start < ram.base || end > ram.base + ramBytes) {
    return err(
      'boot.initrd_outside_ram',
      `${initrd.file}: the initrd (${initrd.bytes.length} bytes) goes at ${hex(start)}, as on QEMU, and does not fit in RAM [${hex(ram.base)}, ${hex(ram.base + ramBytes)})`,
      { loc: { file: initrd.file, line: 1, column: 1 }, hint: 'raise --mem (the initrd goes min(RAM / 2, 128 MiB) above the kernel)' },
    )
  }
  ram.bytes.set(initrd.bytes, Number(start - ram.base))
  return ok({ start, end })
}
