/**
 * The physical address decoder between the hart's MMIO exits and the TypeScript devices. Each
 * device claims one window of the QEMU `virt` memory map (REFERENCE.md); an access that lands in
 * no window is a hole and becomes an access fault (privileged spec: "Physical Memory Attributes",
 * vacant regions raise access-fault exceptions), which the run loop hands back to the hart.
 */

export type AccessSize = 1 | 2 | 4 | 8

/** One memory-mapped device. Offsets are relative to `base`; `size` bytes are claimed. */
export interface Device {
  readonly name: string
  readonly base: bigint
  readonly size: bigint
  read(offset: number, size: AccessSize): bigint
  write(offset: number, size: AccessSize, value: bigint): void
}

/** A level-sensitive interrupt wire from a device to an interrupt controller input. */
export type IrqLine = (level: boolean) => void

/** Guest physical memory as devices with DMA (virtio) see it. Returns false when out of RAM. */
export interface DmaMemory {
  read(addr: bigint, out: Uint8Array): boolean
  write(addr: bigint, data: Uint8Array): boolean
}

const SIZE_MASK: Record<AccessSize, bigint> = { 1: 0xffn, 2: 0xffffn, 4: 0xffff_ffffn, 8: 0xffff_ffff_ffff_ffffn }

export function maskToSize(value: bigint, size: AccessSize): bigint {
  return value & SIZE_MASK[size]
}

export class Bus {
  private readonly devices: Device[] = []

  /** Adds a device; overlapping windows are a programming error in a machine preset. */
  attach(device: Device): void {
    for (const d of this.devices) {
      if (device.base < d.base + d.size && d.base < device.base + device.size) {
        throw new Error(`bus: ${device.name} at 0x${device.base.toString(16)} overlaps ${d.name}`)
      }
    }
    this.devices.push(device)
    this.devices.sort((a, b) => (a.base < b.base ? -1 : 1))
  }

  /** The device whose window holds the whole access, or undefined for a hole. */
  find(addr: bigint, size: AccessSize): Device | undefined {
    for (const d of this.devices) {
      if (addr >= d.base && addr + BigInt(size) <= d.base + d.size) return d
    }
    return undefined
  }

  /** Reads `size` bytes; undefined means an access fault (a hole in the map). */
  read(addr: bigint, size: AccessSize): bigint | undefined {
    const d = this.find(addr, size)
    if (!d) return undefined
    return maskToSize(d.read(Number(addr - d.base), size), size)
  }

  /** Writes `size` bytes; false means an access fault. */
  write(addr: bigint, size: AccessSize, value: bigint): boolean {
    const d = this.find(addr, size)
    if (!d) return false
    d.write(Number(addr - d.base), size, maskToSize(value, size))
    return true
  }

  list(): readonly Device[] {
    return this.devices
  }
}
