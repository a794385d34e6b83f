/**
 * The Multiboot header as a boot loader looks for it in a kernel file (Multiboot 0.6.96 §3.1.1
 * "The layout of Multiboot header"; Multiboot2 1.0 §3.1.1): a magic word, flags (or the
 * architecture and header length) and a checksum that makes them sum to zero, aligned to 4 bytes
 * within the first 8 KiB of the file (Multiboot 1) or to 8 bytes within the first 32 KiB
 * (Multiboot 2). The linker's lint uses this to say when a header ended up too far into the file
 * (seed 002's reason for `KEEP(*(.multiboot_header))` first); a loader can use it to find one.
 */

import {
  MULTIBOOT_HEADER_ALIGN as MULTIBOOT1_HEADER_ALIGN,
  MULTIBOOT_HEADER_MAGIC as MULTIBOOT1_HEADER_MAGIC,
  MULTIBOOT_SEARCH_BYTES as MULTIBOOT1_SEARCH_BYTES,
  MULTIBOOT2_HEADER_ALIGN,
  MULTIBOOT2_HEADER_MAGIC,
  MULTIBOOT2_SEARCH_BYTES,
} from '../boot/multiboot'

// The numbers live once, in shared/boot/multiboot.ts (with the rest of both specifications).
/** Magic, how far into the file a loader searches (bytes) and the alignment, per version. */
export { MULTIBOOT1_HEADER_MAGIC, MULTIBOOT2_HEADER_MAGIC, MULTIBOOT1_SEARCH_BYTES, MULTIBOOT2_SEARCH_BYTES, MULTIBOOT1_HEADER_ALIGN, MULTIBOOT2_HEADER_ALIGN }

export interface MultibootHeaderAt {
  version: 1 | 2
  /** Offset of the magic in the searched bytes. */
  offset: number
}

const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0

/** The version of a valid header (magic and checksum) starting at `o`, if any. */
function headerAt(b: Uint8Array, o: number): 1 | 2 | undefined {
  if (o + 12 <= b.length && u32(b, o) === MULTIBOOT1_HEADER_MAGIC && ((u32(b, o) + u32(b, o + 4) + u32(b, o + 8)) >>> 0) === 0) return 1
  if (o + 16 <= b.length && u32(b, o) === MULTIBOOT2_HEADER_MAGIC && ((u32(b, o) + u32(b, o + 4) + u32(b, o + 8) + u32(b, o + 12)) >>> 0) === 0) return 2
  return undefined
}

/**
 * Every valid, properly aligned Multiboot header in `bytes`, in order. `base` is where `bytes`
 * starts in the file (alignment is the file offset's), for a section's slice.
 */
export function findMultibootHeaders(bytes: Uint8Array, base = 0): MultibootHeaderAt[] {
  const out: MultibootHeaderAt[] = []
  for (let o = (MULTIBOOT1_HEADER_ALIGN - (base % MULTIBOOT1_HEADER_ALIGN)) % MULTIBOOT1_HEADER_ALIGN; o + 12 <= bytes.length; o += MULTIBOOT1_HEADER_ALIGN) {
    const v = headerAt(bytes, o)
    if (v === 1 || (v === 2 && (base + o) % MULTIBOOT2_HEADER_ALIGN === 0)) out.push({ version: v, offset: o })
  }
  return out
}

/** The search limit for a header of that version. */
export function multibootSearchBytes(version: 1 | 2): number {
  return version === 1 ? MULTIBOOT1_SEARCH_BYTES : MULTIBOOT2_SEARCH_BYTES
}
