/**
 * The Multiboot hand-off on the timeline: the boot information the loader left at EBX, read back
 * at the kernel's first instruction (before the kernel can change it) with the same reader as the
 * "Multiboot information" inspector (`shared/boot/multiboot-info-read.ts`), as a `boot_info`
 * event — the memory map, modules, command line, loader name and ELF sections the kernel is
 * about to parse. Lab checks (`multiboot_tag`, `frames`) decide on it.
 */
import type { EventPayloads } from '../../shared/trace/events'
import { hex } from '../../shared/trace/events'
import { MULTIBOOT2_BOOTLOADER_MAGIC, MULTIBOOT_BOOTLOADER_MAGIC, MB2_TAG } from '../../shared/boot/multiboot'
import { mb1Pointers, memoryTypeName, readBootInfo, type MemoryChunk } from '../../shared/boot/multiboot-info-read'

/** The most of the boot information read (GRUB's is a few KiB; a bad total_size must not read all of RAM). */
const MAX_INFO_BYTES = 1 << 20
const MB1_FIXED_BYTES = 120

const TAG_WORDS = Object.fromEntries(Object.entries(MB2_TAG).map(([k, v]) => [k.toLowerCase(), `${v} ${k.toLowerCase()}`]))

/** The `boot_info` payload for a kernel entered with `magic` in EAX and `address` in EBX; undefined when there is none. */
export function bootInfoPayload(ram: Uint8Array, magic: number, address: bigint): EventPayloads['boot_info'] | undefined {
  if (magic !== MULTIBOOT_BOOTLOADER_MAGIC && magic !== MULTIBOOT2_BOOTLOADER_MAGIC) return undefined
  const at = Number(address)
  if (address < 0n || at + 8 > ram.length) return undefined
  const total = magic === MULTIBOOT2_BOOTLOADER_MAGIC ? new DataView(ram.buffer, ram.byteOffset + at, 4).getUint32(0, true) : MB1_FIXED_BYTES
  const bytes = ram.subarray(at, Math.min(ram.length, at + Math.min(total, MAX_INFO_BYTES)))
  const more: MemoryChunk[] = []
  if (magic === MULTIBOOT_BOOTLOADER_MAGIC) {
    for (const p of mb1Pointers(bytes)) {
      const from = Number(p.address)
      if (from >= 0 && from < ram.length) more.push({ base: p.address, bytes: ram.subarray(from, Math.min(ram.length, from + Math.min(p.length, MAX_INFO_BYTES))) })
    }
  }
  const info = readBootInfo(magic, address, bytes, more)
  if (!info) return undefined
  return {
    protocol: `Multiboot ${info.version}`,
    address: hex(address),
    size: hex(info.size),
    cmdline: info.cmdline ?? null,
    bootLoader: info.bootLoaderName ?? null,
    memoryMap: info.memoryMap.map((a) => ({ base: hex(a.base), length: hex(a.length), type: a.type, typeName: memoryTypeName(a.type) })),
    modules: info.modules.map((m) => ({ start: hex(m.start), end: hex(m.end), string: m.string })),
    elfSections: info.elfSections.length,
    tags: info.present.map((t) => (info.version === 2 ? (TAG_WORDS[t] ?? t) : t)),
  }
}
