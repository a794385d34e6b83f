/**
 * Device states for checkpoints (device-state.ts): every field holding data is deep-copied (so a
 * saved state never changes with the device, and restoring twice gives two copies), fields holding
 * wiring (functions, class instances, anything containing them) are left alone, and typed arrays
 * keep their class and bytes — a view only its own bytes, a Buffer as a Uint8Array.
 */
import { describe, expect, it } from 'vitest'
import { loadDeviceState, saveDeviceState } from '../../../../src/main/machine/device-state'

class Wire {
  n = 1
}

function device() {
  const big = new Uint8Array(1 << 16)
  big[100] = 7
  return {
    count: 3,
    step: 12n,
    name: 'uart0',
    off: undefined as number | undefined,
    on: true,
    nothing: null,
    regs: new Uint32Array([1, 2, 3]),
    view: big.subarray(96, 104),
    buffer: Buffer.from([9, 8, 7]),
    queue: [1, [2, 3], { a: 4n }],
    map: new Map<string, unknown>([['k', new Set([1, 2])]]),
    nested: { deep: { list: [new Uint16Array([5])] } },
    callback: () => 1,
    wire: new Wire(),
    wired: [1, new Wire()],
    wiredObject: { f: () => 2 },
  }
}

describe('device state for checkpoints', () => {
  it('copies the data fields deeply and leaves wiring out', () => {
    const d = device()
    const s = saveDeviceState(d, ['name'])
    expect([...s.keys()].sort()).toEqual(['buffer', 'count', 'map', 'nested', 'nothing', 'off', 'on', 'queue', 'regs', 'step', 'view'])
    expect(s.get('regs')).toEqual(new Uint32Array([1, 2, 3]))
    expect(s.get('regs')).not.toBe(d.regs)
    const view = s.get('view') as Uint8Array
    expect([...view]).toEqual([0, 0, 0, 0, 7, 0, 0, 0])
    expect(view.buffer.byteLength).toBe(8) // only the view's bytes, not the 64 KiB under it
    const buf = s.get('buffer') as Uint8Array
    expect(Buffer.isBuffer(buf)).toBe(false)
    expect(buf).toEqual(new Uint8Array([9, 8, 7]))
    expect(s.get('queue')).toEqual([1, [2, 3], { a: 4n }])
    expect(s.get('map')).toEqual(new Map([['k', new Set([1, 2])]]))
    // Changing the device afterwards does not change the saved state.
    d.regs[0] = 99
    d.view[4] = 1
    ;(d.queue[1] as number[]).push(4)
    ;(d.nested.deep.list[0] as Uint16Array)[0] = 6
    expect((s.get('regs') as Uint32Array)[0]).toBe(1)
    expect(view[4]).toBe(7)
    expect(s.get('queue')).toEqual([1, [2, 3], { a: 4n }])
    expect((s.get('nested') as { deep: { list: Uint16Array[] } }).deep.list[0][0]).toBe(5)
  })

  it('restores copies: one saved state can be restored many times', () => {
    const d = device()
    const s = saveDeviceState(d)
    const wire = d.wire
    d.count = 10
    d.regs = new Uint32Array([0])
    loadDeviceState(d, s)
    expect(d.count).toBe(3)
    expect(d.regs).toEqual(new Uint32Array([1, 2, 3]))
    expect(d.wire).toBe(wire)
    d.regs[1] = 42
    loadDeviceState(d, s)
    expect(d.regs).toEqual(new Uint32Array([1, 2, 3]))
  })
})
