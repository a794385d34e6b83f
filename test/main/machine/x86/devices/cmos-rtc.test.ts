import { describe, expect, it } from 'vitest'
import { CmosRtc } from '../../../../../src/main/machine/x86/devices/cmos-rtc'
import { PortBus } from '../../../../../src/main/machine/devices/port-io'
import { STEPS_PER_SECOND } from '../../../../../src/main/machine/x86/devices/pc-time'

function rtc(epochSeconds?: number) {
  let now = 0n
  const irq: boolean[] = []
  const c = new CmosRtc({ irq: (l) => irq.push(l), now: () => now, ramBytes: 128 << 20, epochSeconds })
  const bus = new PortBus()
  for (const p of c.ports()) bus.attach(p)
  const reg = (i: number) => {
    bus.write(0x70, 1, i)
    return bus.read(0x71, 1)
  }
  const set = (i: number, v: number) => {
    bus.write(0x70, 1, i)
    bus.write(0x71, 1, v)
  }
  return { c, reg, set, at: (s: bigint) => (now = s), irq }
}

describe('CMOS and RTC', () => {
  it('shows the fixed start date in BCD: 2025-01-01 00:00:00, a Wednesday', () => {
    const { reg } = rtc()
    expect([reg(0x32), reg(0x09), reg(0x08), reg(0x07), reg(0x04), reg(0x02), reg(0x00)]).toEqual([0x20, 0x25, 0x01, 0x01, 0x00, 0x00, 0x00])
    expect(reg(0x06)).toBe(4) // day of week, 1 = Sunday
    expect(reg(0x0d)).toBe(0x80) // valid RAM and time
  })

  it('advances with guest time and honours binary and 12-hour formats', () => {
    const { reg, set, at } = rtc()
    at(STEPS_PER_SECOND * 3_723n) // 01:02:03
    expect([reg(0x04), reg(0x02), reg(0x00)]).toEqual([0x01, 0x02, 0x03])
    at(STEPS_PER_SECOND * (13n * 3600n + 59n))
    set(0x0b, 0x04) // binary, 12-hour
    expect([reg(0x04), reg(0x00)]).toEqual([0x81, 59]) // 1 PM
  })

  it('sets update-in-progress during the last 244 µs of a second', () => {
    const { reg, at } = rtc()
    at(STEPS_PER_SECOND - 24_401n)
    expect(reg(0x0a) & 0x80).toBe(0)
    at(STEPS_PER_SECOND - 24_399n)
    expect(reg(0x0a) & 0x80).toBe(0x80)
  })

  it('raises the periodic interrupt at 1024 Hz on IRQ 8, cleared by reading register C', () => {
    const { c, reg, set, at, irq } = rtc()
    set(0x0b, 0x42) // PIE, 24-hour
    const next = c.nextEventStep()!
    expect(next).toBe(97_657n) // 32 ticks of 32.768 kHz
    at(next)
    c.update()
    expect(irq.at(-1)).toBe(true)
    expect(reg(0x0c)).toBe(0xc0)
    expect(irq.at(-1)).toBe(false)
    expect(reg(0x0c)).toBe(0)
  })

  it('stores the memory sizes a BIOS leaves: 640 KiB base, extended memory in KiB (capped at 0xFFFF) and 64 KiB units', () => {
    const { reg } = rtc()
    expect(reg(0x15) | (reg(0x16) << 8)).toBe(640)
    expect(reg(0x17) | (reg(0x18) << 8)).toBe(0xffff) // 127 MiB does not fit: QEMU stores 65535 KiB too
    expect(reg(0x34) | (reg(0x35) << 8)).toBe(112 * 16)
  })
})
