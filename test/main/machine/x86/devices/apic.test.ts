import { describe, expect, it } from 'vitest'
import { LocalApic, LAPIC_BASE } from '../../../../../src/main/machine/x86/devices/local-apic'
import { IoApic, isaIrqPin } from '../../../../../src/main/machine/x86/devices/io-apic'

function apics() {
  let now = 0n
  const eois: number[] = []
  const lapic = new LocalApic({ now: () => now, changed: () => {}, nmi: () => {}, eoi: (v) => eois.push(v) })
  const ioapic = new IoApic({ deliver: (v, level) => lapic.accept(v, level) })
  lapic.setupAsBios()
  const w = (off: number, v: number) => lapic.write(off, 4, BigInt(v))
  const r = (off: number) => Number(lapic.read(off, 4))
  const io = (reg: number, v?: number) => {
    ioapic.write(0, 4, BigInt(reg))
    if (v === undefined) return Number(ioapic.read(0x10, 4))
    ioapic.write(0x10, 4, BigInt(v))
    return v
  }
  return { lapic, ioapic, w, r, io, eois, at: (s: bigint) => (now = s) }
}

describe('local APIC', () => {
  it('has its registers where the SDM puts them', () => {
    const { r, lapic } = apics()
    expect(lapic.base).toBe(LAPIC_BASE)
    expect(r(0x30)).toBe(0x50014)
    expect(r(0xf0)).toBe(0x1ff)
    expect(r(0x350)).toBe(0x8700) // LINT0 ExtINT, level (as SeaBIOS leaves it on QEMU): the 8259 gets through
    expect(r(0x360)).toBe(0x8400) // LINT1 NMI, level
    expect(lapic.acceptsPicInterrupt(true)).toBe(true)
  })

  it('runs a one-shot timer at 1 GHz / 16 and delivers its vector once, then EOI', () => {
    const { lapic, w, r, at } = apics()
    w(0x3e0, 0x3) // divide by 16
    w(0x320, 0x40) // vector 0x40, one-shot, unmasked
    w(0x380, 1000) // 1000 × 16 ns = 16 µs = 1600 steps
    expect(lapic.nextEventStep()).toBe(1600n)
    at(800n)
    expect(r(0x390)).toBe(500)
    at(1600n)
    lapic.update()
    expect(lapic.deliverable()).toBe(0x40)
    lapic.acknowledge(0x40)
    expect(r(0x100 + 0x20) & 1).toBe(1) // ISR bit 64
    expect(lapic.deliverable()).toBeUndefined()
    w(0xb0, 0)
    expect(r(0x120)).toBe(0)
    expect(lapic.nextEventStep()).toBeUndefined()
  })

  it('repeats in periodic mode and respects the task priority', () => {
    const { lapic, w, at } = apics()
    w(0x3e0, 0xb) // divide by 1
    w(0x320, (1 << 17) | 0x51)
    w(0x380, 100) // every 100 ns = 10 steps
    expect(lapic.nextEventStep()).toBe(10n)
    at(10n)
    lapic.update()
    expect(lapic.nextEventStep()).toBe(20n)
    w(0x80, 0x60) // TPR class 6 blocks class 5
    expect(lapic.deliverable()).toBeUndefined()
    w(0x80, 0)
    expect(lapic.deliverable()).toBe(0x51)
  })

  it('sends a self-IPI through the ICR', () => {
    const { lapic, w } = apics()
    w(0x300, (1 << 18) | 0x77) // shorthand: self, fixed, vector 0x77
    expect(lapic.deliverable()).toBe(0x77)
  })
})

describe('I/O APIC', () => {
  it('routes ISA IRQ 1 to a programmed vector on a rising edge; IRQ 0 sits on pin 2', () => {
    const { ioapic, io, lapic } = apics()
    expect(io(0x01) & 0xff).toBe(0x20)
    expect((io(0x01) >> 16) & 0xff).toBe(23)
    expect(isaIrqPin(0)).toBe(2)
    io(0x10 + 2 * 1, 0x31)
    io(0x10 + 2 * 1 + 1, 0)
    ioapic.setPin(1, true)
    expect(lapic.deliverable()).toBe(0x31)
  })

  it('delivers a level-triggered pin once per EOI while it stays asserted', () => {
    const { ioapic, io, lapic, w, eois } = apics()
    io(0x10 + 2 * 9, (1 << 15) | 0x39)
    ioapic.setPin(9, true)
    expect(io(0x10 + 2 * 9) & (1 << 14)).toBe(1 << 14) // remote IRR
    lapic.acknowledge(0x39)
    ioapic.setPin(9, true)
    w(0xb0, 0)
    expect(eois).toEqual([0x39])
    ioapic.endOfInterrupt(0x39)
    expect(lapic.deliverable()).toBe(0x39)
  })

  it('ignores masked pins', () => {
    const { ioapic, lapic } = apics()
    ioapic.setPin(4, true)
    expect(lapic.deliverable()).toBeUndefined()
  })
})
