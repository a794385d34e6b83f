/**
 * The x86 I/O port space: 64 Ki byte-addressed ports next to memory, reached by `in`/`out` (SDM
 * vol. 1 §18 "Input/Output"). A PC decodes each device's ports on the ISA bus (REFERENCE.md "x86
 * PC"); a port nothing answers reads as all ones (QEMU's unassigned I/O returns -1) and a write
 * there is dropped. Devices shared with the RISC-V board (the 16550) keep their register model
 * and get a port front here: the same `Device` registers at a port base instead of an MMIO base.
 */
import type { AccessSize, Device } from './bus'

export type PortSize = 1 | 2 | 4

/** A device's window of I/O ports; offsets are relative to `port`. */
export interface PortDevice {
  readonly name: string
  readonly port: number
  readonly count: number
  read(offset: number, size: PortSize): number
  write(offset: number, size: PortSize, value: number): void
}

const ALL_ONES: Record<PortSize, number> = { 1: 0xff, 2: 0xffff, 4: 0xffff_ffff }

export class PortBus {
  private readonly devices: PortDevice[] = []
  /** Port → device, for every claimed port (the space is small: a dense table is the fast decoder). */
  private readonly byPort: (PortDevice | undefined)[] = new Array(0x10000)

  attach(device: PortDevice): void {
    for (let p = device.port; p < device.port + device.count; p++) {
      const other = this.byPort[p]
      if (other) throw new Error(`port bus: ${device.name} at port 0x${p.toString(16)} overlaps ${other.name}`)
    }
    for (let p = device.port; p < device.port + device.count; p++) this.byPort[p] = device
    this.devices.push(device)
  }

  /** The device answering `port`, if any. */
  find(port: number): PortDevice | undefined {
    return this.byPort[port & 0xffff]
  }

  /** `in`: a port nobody decodes reads as all ones. */
  read(port: number, size: PortSize): number {
    const d = this.byPort[port & 0xffff]
    if (!d) return ALL_ONES[size]
    return d.read(port - d.port, size) & ALL_ONES[size]
  }

  /** `out`: dropped when nobody decodes the port. Returns whether a device took it. */
  write(port: number, size: PortSize, value: number): boolean {
    const d = this.byPort[port & 0xffff]
    if (!d) return false
    d.write(port - d.port, size, value & ALL_ONES[size])
    return true
  }

  list(): readonly PortDevice[] {
    return this.devices
  }
}

/**
 * A register-file device (the 16550) answering at I/O ports `port`..`port + count - 1` instead of
 * at an MMIO base: register offset = port - base, as the PC's COM ports decode them.
 */
export function portFront(device: Device, port: number, count: number, name = device.name): PortDevice {
  return {
    name,
    port,
    count,
    read: (offset, size) => Number(device.read(offset, size as AccessSize) & 0xffff_ffffn),
    write: (offset, size, value) => device.write(offset, size as AccessSize, BigInt(value >>> 0)),
  }
}
