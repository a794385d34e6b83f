import { describe, expect, it } from 'vitest'
import { Pit8254 } from '../../../../../src/main/machine/x86/devices/pit-8254'
import { PortBus } from '../../../../../src/main/machine/devices/port-io'
import { PIT_HZ, stepOfTick } from '../../../../../src/main/machine/x86/devices/pc-time'

function pit() {
  let now = 0n
  const irq: boolean[] = []
  const p = new Pit8254({ irq: (l) => irq.push(l), now: () => now })
  const bus = new PortBus()
  for (const d of p.ports()) bus.attach(d)
  return { p, bus, irq, at: (s: bigint) => (now = s), level: () => irq[irq.length - 1] ?? false }
}

describe('8254 PIT', () => {
  it('fires IRQ 0 at 1 kHz in mode 2 with count 1193, each edge on its exact step', () => {
    const { p, bus, at, level, irq } = pit()
    bus.write(0x43, 1, 0x34) // counter 0, lobyte/hibyte, mode 2
    bus.write(0x40, 1, 1193 & 0xff)
    bus.write(0x40, 1, 1193 >> 8)
    const first = p.nextEventStep()!
    expect(first).toBe(stepOfTick(1193n, PIT_HZ))
    expect(first).toBe(99_985n) // 1193 / 1.193182 MHz ≈ 999.85 µs at 100 M steps/s
    at(first - 1n)
    p.update()
    expect(level()).toBe(false)
    at(first)
    p.update()
    expect(level()).toBe(true)
    at(p.nextEventStep()!)
    p.update()
    expect(level()).toBe(false)
    const second = p.nextEventStep()!
    expect(second).toBe(stepOfTick(2386n, PIT_HZ))
    at(second)
    p.update()
    expect(irq.filter((l) => l).length).toBe(2)
  })

  it('makes a square wave in mode 3: high for the first half of each period', () => {
    const { p, bus, at, level } = pit()
    bus.write(0x43, 1, 0x36)
    bus.write(0x40, 1, 100)
    bus.write(0x40, 1, 0)
    p.update()
    expect(level()).toBe(true)
    at(p.nextEventStep()!)
    expect(p.nextEventStep()).toBe(stepOfTick(100n, PIT_HZ))
    at(stepOfTick(50n, PIT_HZ))
    p.update()
    expect(level()).toBe(false)
    at(stepOfTick(100n, PIT_HZ))
    p.update()
    expect(level()).toBe(true)
  })

  it('counts down and latches the count for a two-byte read', () => {
    const { bus, at } = pit()
    bus.write(0x43, 1, 0x34)
    bus.write(0x40, 1, 0x00)
    bus.write(0x40, 1, 0x10) // 0x1000
    at(stepOfTick(0x100n, PIT_HZ))
    bus.write(0x43, 1, 0x00) // latch counter 0
    at(stepOfTick(0x200n, PIT_HZ)) // time moves on; the latch holds
    const lo = bus.read(0x40, 1)
    const hi = bus.read(0x40, 1)
    expect((hi << 8) | lo).toBe(0x0f00)
  })

  it('reports status with the read-back command', () => {
    const { bus } = pit()
    bus.write(0x43, 1, 0xb6) // counter 2, lo/hi, mode 3
    bus.write(0x43, 1, 0xe8) // read-back status of counter 2 only
    expect(bus.read(0x42, 1) & 0x3f).toBe(0x36)
  })

  it('gates counter 2 from port 0x61 and shows its output in bit 5', () => {
    const { bus, at } = pit()
    bus.write(0x43, 1, 0xb0) // counter 2, lo/hi, mode 0 (one-shot)
    bus.write(0x42, 1, 100)
    bus.write(0x42, 1, 0)
    bus.write(0x61, 1, 0x01) // gate on
    expect(bus.read(0x61, 1) & 0x21).toBe(0x01)
    at(stepOfTick(101n, PIT_HZ))
    expect(bus.read(0x61, 1) & 0x20).toBe(0x20)
  })
})
