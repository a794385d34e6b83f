/**
 * A disk image seen through a copy-on-write overlay: reads come from the user's image unless the
 * guest wrote that sector, writes go to an in-memory map of 512-byte sectors. The user's file is
 * never modified, so a boot can be repeated (and replayed) from the same image bit for bit.
 *
 * The overlay is the disk's state: `snapshot()` hands it to replay checkpoints without copying
 * (sector buffers are never changed in place, and the map is copied on the next write after a
 * snapshot or a restore), and `onWrite` tells the recorder every sector the guest writes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export const SECTOR_SIZE_BYTES = 512

/** Where the unmodified bytes come from. */
export interface DiskBase {
  readonly sizeBytes: number
  /** Fills `out` with the bytes at `offset` (past the end: zeros). */
  read(offset: number, out: Uint8Array): void
}

export function diskBaseFromBytes(bytes: Uint8Array): DiskBase {
  return {
    sizeBytes: bytes.length,
    read(offset, out) {
      out.fill(0)
      if (offset < bytes.length) out.set(bytes.subarray(offset, Math.min(bytes.length, offset + out.length)))
    },
  }
}

/** Reads the image lazily from a file kept open read-only (images can be large). */
export function diskBaseFromFile(path: string): DiskBase & { close(): void } {
  const fd = openSync(path, 'r')
  const sizeBytes = fstatSync(fd).size
  return {
    sizeBytes,
    read(offset, out) {
      out.fill(0)
      if (offset < sizeBytes) readSync(fd, out, 0, Math.min(out.length, sizeBytes - offset), offset)
    },
    close: () => closeSync(fd),
  }
}

/** The sectors a guest wrote, by sector number: what a checkpoint keeps of a disk (the image is an input). */
export type DiskOverlay = ReadonlyMap<number, Uint8Array>

export class CowDisk {
  private overlay = new Map<number, Uint8Array>()
  /** The overlay map is shared with a snapshot: copy it before the next write. */
  private shared = false

  constructor(
    private readonly base: DiskBase,
    /** Told of every sector the guest writes, after it is written. */
    private readonly onWrite?: (sector: number, data: Uint8Array) => void,
  ) {}

  /** Capacity in 512-byte sectors (a partial last sector counts, like QEMU rounds up raw images). */
  get sectors(): number {
    return Math.ceil(this.base.sizeBytes / SECTOR_SIZE_BYTES)
  }

  /** Sectors written by the guest (kept in memory only). */
  get dirtySectors(): number {
    return this.overlay.size
  }

  readSector(sector: number, out: Uint8Array): void {
    const own = this.overlay.get(sector)
    if (own) out.set(own)
    else this.base.read(sector * SECTOR_SIZE_BYTES, out)
  }

  writeSector(sector: number, data: Uint8Array): void {
    if (this.shared) {
      this.overlay = new Map(this.overlay)
      this.shared = false
    }
    const bytes = Uint8Array.from(data.subarray(0, SECTOR_SIZE_BYTES))
    this.overlay.set(sector, bytes)
    this.onWrite?.(sector, bytes)
  }

  /** The written sectors as they are now (shared, not copied: later writes do not change it). */
  snapshot(): DiskOverlay {
    this.shared = true
    return this.overlay
  }

  /** Puts back a `snapshot()` (or an overlay rebuilt from a recording): the disk reads as it did then. */
  restore(overlay: DiskOverlay): void {
    this.overlay = overlay as Map<number, Uint8Array>
    this.shared = true
  }
}
