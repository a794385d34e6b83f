/**
 * Where a loader puts what it adds to memory besides the kernel — the sections the kernel does
 * not load, modules, the boot information — as GRUB 2's relocator does it, measured under QEMU
 * with kernels that print the addresses they were given: the lowest free place at or above 1 MiB
 * (GRUB itself lives below) with the requested alignment, around the kernel's own segments,
 * first come first served. A module's chunk ends on a 16-byte boundary (the next thing after a
 * 1-byte or 6-byte module starts 16 bytes after it); sections and the information are exact.
 */
import { HIGH_MEMORY_BASE } from '../pc-memory-map'

const alignUp = (x: number, a: number) => Math.ceil(x / a) * a

export class FirstFit {
  /** Occupied [start, end) ranges, sorted. */
  private readonly used: [number, number][] = []

  constructor(
    private readonly limit: number,
    private readonly floor = HIGH_MEMORY_BASE,
  ) {}

  /** Marks a range as taken (the kernel's segments). */
  reserve(start: number, end: number): void {
    this.used.push([start, end])
    this.used.sort((a, b) => a[0] - b[0])
  }

  /** The lowest free `size` bytes aligned to `align`, taken; undefined when nothing fits below the limit. */
  alloc(size: number, align: number, occupies = size): number | undefined {
    let at = alignUp(this.floor, align)
    for (const [s, e] of this.used) {
      if (at + occupies <= s) break
      if (e > at) at = alignUp(e, align)
    }
    if (at + size > this.limit) return undefined
    this.reserve(at, at + occupies)
    return at
  }
}

/** Bytes a module's chunk takes: its size, to the next 16 bytes. */
export function moduleChunkBytes(size: number): number {
  return alignUp(Math.max(size, 1), 16)
}
