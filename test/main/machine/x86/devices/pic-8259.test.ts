import { describe, expect, it } from 'vitest'
import { PicPair } from '../../../../../src/main/machine/x86/devices/pic-8259'
import { PortBus } from '../../../../../src/main/machine/devices/port-io'

/** A PIC pair on a port bus, remapped the way every hobby kernel does it (master 0x20, slave 0x28). */
function remapped() {
  const intr: boolean[] = []
  const pic = new PicPair({ intr: (l) => intr.push(l) })
  const bus = new PortBus()
  for (const p of pic.ports()) bus.attach(p)
  const out = (port: number, v: number) => bus.write(port, 1, v)
  out(0x20, 0x11); out(0xa0, 0x11) // ICW1: edge, cascade, ICW4 needed
  out(0x21, 0x20); out(0xa1, 0x28) // ICW2: vector bases
  out(0x21, 0x04); out(0xa1, 0x02) // ICW3: slave on IRQ 2 / cascade identity 2
  out(0x21, 0x01); out(0xa1, 0x01) // ICW4: 8086 mode
  out(0x21, 0x00); out(0xa1, 0x00) // OCW1: nothing masked
  return { pic, bus, out, intr, last: () => intr[intr.length - 1] ?? false }
}

describe('8259A PIC pair', () => {
  it('delivers a remapped IRQ 1 at vector 0x21 and holds the next one until EOI', () => {
    const { pic, out, last, bus } = remapped()
    pic.setIrq(1, true)
    expect(last()).toBe(true)
    expect(pic.acknowledge()).toBe(0x21)
    expect(last()).toBe(false)
    out(0x20, 0x0b) // OCW3: read ISR
    expect(bus.read(0x20, 1)).toBe(0x02)
    pic.setIrq(1, false)
    pic.setIrq(1, true) // a second edge while IRQ 1 is in service
    expect(last()).toBe(false)
    out(0x20, 0x20) // non-specific EOI
    expect(last()).toBe(true)
    expect(pic.acknowledge()).toBe(0x21)
  })

  it('lets IRQ 0 preempt IRQ 1 in service, but not the other way round', () => {
    const { pic, last } = remapped()
    pic.setIrq(1, true)
    expect(pic.acknowledge()).toBe(0x21)
    pic.setIrq(0, true)
    expect(last()).toBe(true)
    expect(pic.acknowledge()).toBe(0x20)
  })

  it('masks IRQs with OCW1 and reads the mask back', () => {
    const { pic, out, last, bus } = remapped()
    out(0x21, 0xfd)
    pic.setIrq(0, true)
    expect(last()).toBe(false)
    expect(bus.read(0x21, 1)).toBe(0xfd)
    pic.setIrq(1, true)
    expect(last()).toBe(true)
  })

  it('cascades slave IRQ 12 through master IRQ 2 to vector 0x2C', () => {
    const { pic, out, last } = remapped()
    pic.setIrq(12, true)
    expect(last()).toBe(true)
    expect(pic.acknowledge()).toBe(0x2c)
    out(0xa0, 0x20)
    out(0x20, 0x20)
    pic.setIrq(12, false)
    pic.setIrq(12, true)
    expect(pic.acknowledge()).toBe(0x2c)
  })

  it('answers a withdrawn request with spurious IRQ 7', () => {
    const { pic, bus, out } = remapped()
    out(0xa1, 0x00)
    pic.setIrq(3, true)
    expect(pic.acknowledge()).toBe(0x23)
    out(0x20, 0x20)
    // Nothing is requested now, yet the CPU acknowledges: the master answers with its IRQ 7, ISR unchanged.
    expect(pic.acknowledge()).toBe(0x27)
    out(0x20, 0x0b)
    expect(bus.read(0x20, 1)).toBe(0)
  })

  it('shows requests in IRR, polls, and clears nothing with auto-EOI', () => {
    const intr: boolean[] = []
    const pic = new PicPair({ intr: (l) => intr.push(l) })
    const bus = new PortBus()
    for (const p of pic.ports()) bus.attach(p)
    bus.write(0x20, 1, 0x13) // single, ICW4
    bus.write(0x21, 1, 0x40)
    bus.write(0x21, 1, 0x03) // ICW4: auto-EOI, 8086
    bus.write(0x21, 1, 0x00)
    pic.setIrq(5, true)
    bus.write(0x20, 1, 0x0a) // OCW3: read IRR
    expect(bus.read(0x20, 1)).toBe(0x20)
    expect(pic.acknowledge()).toBe(0x45)
    bus.write(0x20, 1, 0x0b)
    expect(bus.read(0x20, 1)).toBe(0) // auto-EOI: nothing in service
    pic.setIrq(5, false)
    pic.setIrq(5, true)
    bus.write(0x20, 1, 0x0c) // OCW3 poll
    expect(bus.read(0x20, 1)).toBe(0x85)
  })

  it('keeps level-triggered inputs (ELCR) requested while the line stays high; a slave request gone by INTA is spurious IRQ 15', () => {
    const { pic, bus, out } = remapped()
    bus.write(0x4d1, 1, 0x08) // IRQ 11 level-triggered
    pic.setIrq(11, true)
    expect(pic.acknowledge()).toBe(0x2b)
    out(0xa0, 0x20)
    out(0x20, 0x20)
    expect(pic.pending).toBe(true) // still high: requested again
    pic.setIrq(11, false)
    // The master latched the cascade edge; the slave no longer requests anything.
    expect(pic.acknowledge()).toBe(0x2f)
  })
})
