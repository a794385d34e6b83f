/**
 * Reads a Multiboot boot information structure back, as a kernel would (the inspector's
 * "Multiboot information"): from the bytes at the address the loader passed in EBX and the magic
 * in EAX. Multiboot 2: the tags (command line, boot loader name, basic memory, memory map, ELF
 * sections, modules). Multiboot 1: the fixed fields, and the memory map, command line and loader
 * name when they lie inside the bytes given (`window`: the bytes read from `base` on). Field
 * offsets and tag numbers are the ones of `multiboot.ts` (the specifications' names).
 */
import { MB1_INFO_OFFSET, MB2_TAG, MULTIBOOT2_BOOTLOADER_MAGIC, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_INFO } from './multiboot'

export interface MemoryArea {
  base: bigint
  length: bigint
  /** 1 available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad. */
  type: number
}

export interface ElfSectionInfo {
  index: number
  type: number
  flags: bigint
  addr: bigint
  size: bigint
}

export interface BootInfoRead {
  version: 1 | 2
  /** Where the structure is and how many bytes it takes (MB2 total_size; MB1 the fixed part). */
  base: bigint
  size: number
  memLowerKiB?: number
  memUpperKiB?: number
  cmdline?: string
  bootLoaderName?: string
  memoryMap: MemoryArea[]
  elfSections: ElfSectionInfo[]
  modules: { start: bigint; end: bigint; string: string }[]
  /** Tag types (MB2) or flag names (MB1) present, in order. */
  present: string[]
  /** What could not be read (outside the bytes given, cut short). */
  problems: string[]
}

const TAG_NAMES = Object.fromEntries(Object.entries(MB2_TAG).map(([k, v]) => [v, k.toLowerCase()])) as Record<number, string>

function cString(b: Uint8Array, at: number, end: number): string {
  let s = ''
  for (let i = at; i < end && b[i] !== 0; i++) s += String.fromCharCode(b[i])
  return s
}

/** Memory read elsewhere: MB1's memory map, command line and loader name are pointed to, not inline. */
export interface MemoryChunk {
  base: bigint
  bytes: Uint8Array
}

/**
 * `bytes` read from `base`; `more`: other memory the MB1 structure points to (see
 * `mb1Pointers`). Undefined when `magic` is neither Multiboot magic.
 */
export function readBootInfo(magic: number, base: bigint, bytes: Uint8Array, more: MemoryChunk[] = []): BootInfoRead | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u32 = (o: number) => (o + 4 <= bytes.length ? dv.getUint32(o, true) : undefined)
  const u64 = (o: number) => (o + 8 <= bytes.length ? dv.getBigUint64(o, true) : undefined)
  if (magic === MULTIBOOT2_BOOTLOADER_MAGIC) return readMb2(base, bytes, u32, u64)
  if (magic === MULTIBOOT_BOOTLOADER_MAGIC) return readMb1(base, bytes, u32, [{ base, bytes }, ...more])
  return undefined
}

/** The memory an MB1 structure points to (memory map, command line, loader name): address and bytes to read. */
export function mb1Pointers(bytes: Uint8Array): { address: bigint; length: number }[] {
  if (bytes.length < 72) return []
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const flags = dv.getUint32(MB1_INFO_OFFSET.flags, true)
  const out: { address: bigint; length: number }[] = []
  if (flags & MULTIBOOT_INFO.MEM_MAP) out.push({ address: BigInt(dv.getUint32(MB1_INFO_OFFSET.mmap_addr, true)), length: Math.min(4096, dv.getUint32(MB1_INFO_OFFSET.mmap_length, true)) })
  if (flags & MULTIBOOT_INFO.CMDLINE) out.push({ address: BigInt(dv.getUint32(MB1_INFO_OFFSET.cmdline, true)), length: 256 })
  if (flags & MULTIBOOT_INFO.BOOT_LOADER_NAME) out.push({ address: BigInt(dv.getUint32(MB1_INFO_OFFSET.boot_loader_name, true)), length: 256 })
  return out
}

type U32 = (o: number) => number | undefined
type U64 = (o: number) => bigint | undefined

function readMb2(base: bigint, b: Uint8Array, u32: U32, u64: U64): BootInfoRead {
  const total = u32(0) ?? 0
  const out: BootInfoRead = { version: 2, base, size: total, memoryMap: [], elfSections: [], modules: [], present: [], problems: [] }
  const end = Math.min(total, b.length)
  if (total > b.length) out.problems.push(`the structure is ${total} bytes; ${b.length} were read`)
  for (let at = 8; at + 8 <= end; ) {
    const type = u32(at)!
    const size = u32(at + 4)!
    if (type === MB2_TAG.END || size < 8) break
    const tagEnd = Math.min(at + size, end)
    out.present.push(TAG_NAMES[type] ?? `tag ${type}`)
    switch (type) {
      case MB2_TAG.CMDLINE:
        out.cmdline = cString(b, at + 8, tagEnd)
        break
      case MB2_TAG.BOOT_LOADER_NAME:
        out.bootLoaderName = cString(b, at + 8, tagEnd)
        break
      case MB2_TAG.BASIC_MEMINFO:
        out.memLowerKiB = u32(at + 8)
        out.memUpperKiB = u32(at + 12)
        break
      case MB2_TAG.MODULE:
        out.modules.push({ start: BigInt(u32(at + 8) ?? 0), end: BigInt(u32(at + 12) ?? 0), string: cString(b, at + 16, tagEnd) })
        break
      case MB2_TAG.MMAP: {
        const entrySize = u32(at + 8) ?? 24
        for (let e = at + 16; entrySize >= 24 && e + 24 <= tagEnd; e += entrySize) out.memoryMap.push({ base: u64(e)!, length: u64(e + 8)!, type: u32(e + 16)! })
        break
      }
      case MB2_TAG.ELF_SECTIONS: {
        const num = u32(at + 8) ?? 0
        const entsize = u32(at + 12) ?? 0
        for (let i = 0, h = at + 20; i < num && entsize >= 40 && h + entsize <= tagEnd; i++, h += entsize) {
          // ELF64 section headers (an ELF32 kernel's are 40 bytes: 32-bit fields).
          const wide = entsize >= 64
          out.elfSections.push(
            wide
              ? { index: i, type: u32(h + 4)!, flags: u64(h + 8)!, addr: u64(h + 16)!, size: u64(h + 32)! }
              : { index: i, type: u32(h + 4)!, flags: BigInt(u32(h + 8)!), addr: BigInt(u32(h + 12)!), size: BigInt(u32(h + 20)!) },
          )
        }
        break
      }
    }
    at += (size + 7) & ~7
  }
  return out
}

function readMb1(base: bigint, b: Uint8Array, u32: U32, chunks: MemoryChunk[]): BootInfoRead {
  const flags = u32(MB1_INFO_OFFSET.flags) ?? 0
  const out: BootInfoRead = { version: 1, base, size: 116, memoryMap: [], elfSections: [], modules: [], present: [], problems: [] }
  for (const [name, bit] of Object.entries(MULTIBOOT_INFO)) if (flags & bit) out.present.push(name.toLowerCase())
  /** The bytes at `addr` (at least `len` of them), from whichever chunk holds them. */
  const at = (addr: number | undefined, len = 1) => {
    if (addr === undefined) return undefined
    for (const c of chunks) {
      const off = Number(BigInt(addr) - c.base)
      if (off >= 0 && off + len <= c.bytes.length) return c.bytes.subarray(off)
    }
    return undefined
  }
  if (flags & MULTIBOOT_INFO.MEMORY) {
    out.memLowerKiB = u32(MB1_INFO_OFFSET.mem_lower)
    out.memUpperKiB = u32(MB1_INFO_OFFSET.mem_upper)
  }
  const str = (field: number, what: string) => {
    const addr = u32(field)
    const m = at(addr)
    if (!m) out.problems.push(`the ${what} at ${addr !== undefined ? `0x${addr.toString(16)}` : '?'} was not read`)
    return m ? cString(m, 0, m.length) : undefined
  }
  if (flags & MULTIBOOT_INFO.CMDLINE) out.cmdline = str(MB1_INFO_OFFSET.cmdline, 'command line')
  if (flags & MULTIBOOT_INFO.BOOT_LOADER_NAME) out.bootLoaderName = str(MB1_INFO_OFFSET.boot_loader_name, 'boot loader name')
  if (flags & MULTIBOOT_INFO.MEM_MAP) {
    const length = u32(MB1_INFO_OFFSET.mmap_length) ?? 0
    const addr = u32(MB1_INFO_OFFSET.mmap_addr)
    const m = at(addr, length)
    if (!m) out.problems.push(`the memory map at 0x${(addr ?? 0).toString(16)} was not read`)
    else {
      const dv = new DataView(m.buffer, m.byteOffset, m.byteLength)
      // Each entry: size u32 (not counting itself), base_addr u64, length u64, type u32.
      for (let e = 0; e + 24 <= length; e += dv.getUint32(e, true) + 4) {
        out.memoryMap.push({ base: dv.getBigUint64(e + 4, true), length: dv.getBigUint64(e + 12, true), type: dv.getUint32(e + 20, true) })
        if (dv.getUint32(e, true) < 20) break
      }
    }
  }
  return out
}

/** The memory-map types in words. */
export function memoryTypeName(type: number): string {
  return ['?', 'available', 'reserved', 'ACPI reclaimable', 'ACPI NVS', 'bad RAM'][type] ?? `type ${type}`
}
