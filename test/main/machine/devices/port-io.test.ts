import { describe, expect, it } from 'vitest'
import { PortBus, portFront } from '../../../../src/main/machine/devices/port-io'
import { Uart16550 } from '../../../../src/main/machine/devices/uart-16550'
import { debugExitPorts } from '../../../../src/main/machine/x86/devices/debug-exit'

describe('port I/O', () => {
  it('reads all ones from ports nobody decodes, and refuses overlapping devices', () => {
    const bus = new PortBus()
    expect([bus.read(0x2f8, 1), bus.read(0x2f8, 2), bus.read(0x2f8, 4)]).toEqual([0xff, 0xffff, 0xffffffff])
    expect(bus.write(0x2f8, 1, 0x41)).toBe(false)
    bus.attach({ name: 'a', port: 0x10, count: 4, read: () => 0, write: () => {} })
    expect(() => bus.attach({ name: 'b', port: 0x13, count: 1, read: () => 0, write: () => {} })).toThrow(/overlaps a/)
  })

  it("puts the RISC-V board's 16550 at COM1 (0x3F8): same registers, port addresses", () => {
    const out: number[] = []
    const uart = new Uart16550({ irq: () => {}, output: (b) => out.push(b), now: () => 0n })
    const bus = new PortBus()
    bus.attach(portFront(uart, 0x3f8, 8, 'com1'))
    expect(bus.read(0x3fd, 1) & 0x60).toBe(0x60) // LSR: THRE | TEMT
    bus.write(0x3f8, 1, 0x4b)
    expect(out).toEqual([0x4b])
    bus.write(0x3ff, 1, 0x5a)
    expect(bus.read(0x3ff, 1)).toBe(0x5a) // scratch register: a COM port is there
    uart.receive([0x61])
    expect(bus.read(0x3fd, 1) & 1).toBe(1)
    expect(bus.read(0x3f8, 1)).toBe(0x61)
  })

  it('ends the machine through isa-debug-exit with (v << 1) | 1', () => {
    const exits: number[] = []
    const bus = new PortBus()
    for (const p of debugExitPorts((status) => exits.push(status))) bus.attach(p)
    bus.write(0xf4, 1, 0x10)
    bus.write(0xf4, 4, 0)
    bus.write(0x80, 1, 0x55) // POST: ignored
    expect(exits).toEqual([33, 1])
  })
})
