import { describe, expect, it } from 'vitest'
import { Bus, type AccessSize, type Device } from '../../../../src/main/machine/devices/bus'

class Scratch implements Device {
  readonly size = 0x100n
  readonly writes: [number, AccessSize, bigint][] = []
  constructor(
    readonly name: string,
    readonly base: bigint,
  ) {}
  read(offset: number): bigint {
    return BigInt(offset) | 0xabcd_0000_0000n
  }
  write(offset: number, size: AccessSize, value: bigint): void {
    this.writes.push([offset, size, value])
  }
}

describe('Bus', () => {
  it('routes an access to the device owning the address with a device-relative offset', () => {
    const bus = new Bus()
    const a = new Scratch('a', 0x1000n)
    const b = new Scratch('b', 0x2000n)
    bus.attach(b)
    bus.attach(a)
    expect(bus.read(0x2010n, 8)).toBe(0xabcd_0000_0010n)
    expect(bus.write(0x1004n, 4, 0x1_2345_6789n)).toBe(true)
    expect(a.writes).toEqual([[4, 4, 0x2345_6789n]])
    expect(b.writes).toEqual([])
  })

  it('masks read values to the access size', () => {
    const bus = new Bus()
    bus.attach(new Scratch('a', 0x1000n))
    expect(bus.read(0x1010n, 1)).toBe(0x10n)
    expect(bus.read(0x1010n, 2)).toBe(0x10n)
  })

  it('reports holes and accesses straddling a window end as faults', () => {
    const bus = new Bus()
    bus.attach(new Scratch('a', 0x1000n))
    expect(bus.read(0x3000n, 4)).toBeUndefined()
    expect(bus.write(0x0ffcn, 4, 0n)).toBe(false)
    expect(bus.read(0x10fcn, 8)).toBeUndefined()
  })

  it('refuses overlapping windows', () => {
    const bus = new Bus()
    bus.attach(new Scratch('a', 0x1000n))
    expect(() => bus.attach(new Scratch('b', 0x1080n))).toThrow(/overlaps a/)
  })
})
