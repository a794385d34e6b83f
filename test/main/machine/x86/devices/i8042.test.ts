import { describe, expect, it } from 'vitest'
import { I8042 } from '../../../../../src/main/machine/x86/devices/i8042'
import { scanCodesFor } from '../../../../../src/main/machine/x86/devices/scancodes'
import { PortBus } from '../../../../../src/main/machine/devices/port-io'

function controller() {
  const irq: boolean[] = []
  let resets = 0
  const k = new I8042({ irq: (l) => irq.push(l), reset: () => resets++ })
  const bus = new PortBus()
  for (const p of k.ports()) bus.attach(p)
  const drain = () => {
    const out: number[] = []
    while (bus.read(0x64, 1) & 1) out.push(bus.read(0x60, 1))
    return out
  }
  return { k, bus, irq, drain, resets: () => resets }
}

describe('i8042 and the keyboard', () => {
  it('answers the controller self test, the interface test and the configuration byte', () => {
    const { bus, drain } = controller()
    bus.write(0x64, 1, 0xaa)
    expect(drain()).toEqual([0x55])
    bus.write(0x64, 1, 0xab)
    expect(drain()).toEqual([0x00])
    bus.write(0x64, 1, 0x20)
    expect(drain()).toEqual([0x45]) // interrupt on, system flag, translation
    bus.write(0x64, 1, 0x60)
    bus.write(0x60, 1, 0x44)
    bus.write(0x64, 1, 0x20)
    expect(drain()).toEqual([0x44])
  })

  it('resets and identifies the keyboard', () => {
    const { bus, drain } = controller()
    bus.write(0x60, 1, 0xff)
    expect(drain()).toEqual([0xfa, 0xaa])
    bus.write(0x60, 1, 0xf2)
    expect(drain()).toEqual([0xfa, 0xab, 0x41])
    bus.write(0x60, 1, 0xed)
    bus.write(0x60, 1, 0x07)
    expect(drain()).toEqual([0xfa, 0xfa])
  })

  it('delivers typed keys as scan code set 1 with IRQ 1, one edge per byte', () => {
    const { k, bus, irq } = controller()
    k.type([...'aA'].map((c) => c.charCodeAt(0)))
    expect(irq.at(-1)).toBe(true)
    const got: number[] = []
    while (bus.read(0x64, 1) & 1) got.push(bus.read(0x60, 1))
    expect(got).toEqual([0x1e, 0x9e, 0x2a, 0x1e, 0x9e, 0xaa])
    // Every read lowered the line and the next byte raised it again: 6 rising edges.
    expect(irq.filter((l) => l).length).toBe(6)
    expect(irq.at(-1)).toBe(false)
  })

  it('maps Enter, Backspace, symbols and Ctrl-C', () => {
    expect(scanCodesFor(0x0d)).toEqual([0x1c, 0x9c])
    expect(scanCodesFor(0x7f)).toEqual([0x0e, 0x8e])
    expect(scanCodesFor('!'.charCodeAt(0))).toEqual([0x2a, 0x02, 0x82, 0xaa])
    expect(scanCodesFor(3)).toEqual([0x1d, 0x2e, 0xae, 0x9d])
    expect(scanCodesFor(0xe9)).toEqual([])
  })

  it('holds typed keys while the keyboard port is disabled', () => {
    const { k, bus } = controller()
    bus.write(0x64, 1, 0xad)
    k.type([0x61])
    expect(bus.read(0x64, 1) & 1).toBe(0)
    bus.write(0x64, 1, 0xae)
    expect(bus.read(0x64, 1) & 1).toBe(1)
  })

  it('resets the machine on command 0xFE', () => {
    const { bus, resets } = controller()
    bus.write(0x64, 1, 0xfe)
    expect(resets()).toBe(1)
  })
})
