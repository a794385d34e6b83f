import { describe, expect, it } from 'vitest'
import { VgaText, cp437 } from '../../../../../src/main/machine/x86/devices/vga-text'
import { PortBus } from '../../../../../src/main/machine/devices/port-io'

describe('VGA text screen', () => {
  it('reads characters and attributes from RAM at 0xB8000, with the CRTC cursor', () => {
    const ram = new Uint8Array(0x100000)
    const text = 'Hello, VGA'
    for (let i = 0; i < text.length; i++) {
      ram[0xb8000 + 160 + i * 2] = text.charCodeAt(i)
      ram[0xb8000 + 160 + i * 2 + 1] = 0x1f // white on blue
    }
    ram[0xb8000 + 160 + 20] = 0xdb // a full block in code page 437
    const vga = new VgaText()
    const bus = new PortBus()
    for (const p of vga.ports()) bus.attach(p)
    bus.write(0x3d4, 1, 0x0e)
    bus.write(0x3d5, 1, 0x00)
    bus.write(0x3d4, 2, 0x5b0f) // outw: index 0x0f, data 0x5b (cell 91 = row 1, column 11)
    const s = vga.screen(ram)
    expect(s.lines).toHaveLength(25)
    expect(s.lines[1].trimEnd()).toBe('Hello, VGA█')
    expect(s.attributes[80]).toBe(0x1f)
    expect(s.cursor).toEqual({ row: 1, column: 11 })
    bus.write(0x3d4, 1, 0x0a)
    bus.write(0x3d5, 1, 0x20)
    expect(vga.screen(ram).cursor).toBeNull()
  })

  it('maps code page 437 like the VGA font', () => {
    expect([cp437(0x01), cp437(0x41), cp437(0xb3), cp437(0xc4), cp437(0xfe)]).toEqual(['☺', 'A', '│', '─', '■'])
  })

  it('toggles the retrace bits of input status 1 on each read', () => {
    const vga = new VgaText()
    const bus = new PortBus()
    for (const p of vga.ports()) bus.attach(p)
    expect([bus.read(0x3da, 1) & 8, bus.read(0x3da, 1) & 8]).toEqual([8, 0])
  })
})
