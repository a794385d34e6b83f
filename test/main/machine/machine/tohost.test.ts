import { describe, expect, it } from 'vitest'
import { TohostWatch } from '../../../../src/main/machine/tohost'

const BASE = 0x8000_0000n
function setup() {
  const ram = new Uint8Array(0x4000)
  const view = new DataView(ram.buffer)
  const w = new TohostWatch()
  w.attach(BASE + 0x1000n)
  const printed: number[] = []
  return { ram, view, w, printed, poll: () => w.poll(ram, BASE, (b) => printed.push(b)) }
}

describe('TohostWatch', () => {
  it('sees nothing while tohost is zero', () => {
    expect(setup().poll()).toBeUndefined()
  })
  it('reads 1 as a pass (exit 0)', () => {
    const s = setup()
    s.view.setBigUint64(0x1000, 1n, true)
    expect(s.poll()).toEqual({ exitCode: 0, message: 'tohost: pass' })
  })
  it('reads (n << 1) | 1 as failure n', () => {
    const s = setup()
    s.view.setBigUint64(0x1000, (5n << 1n) | 1n, true)
    expect(s.poll()).toEqual({ exitCode: 5, message: 'tohost: FAIL at test 5' })
  })
  it('prints a device-1 character, clears tohost and answers in fromhost', () => {
    const s = setup()
    s.view.setBigUint64(0x1000, 0x0101_0000_0000_0041n, true)
    expect(s.poll()).toBeUndefined()
    expect(s.printed).toEqual([0x41])
    expect(s.view.getBigUint64(0x1000, true)).toBe(0n)
    expect(s.view.getBigUint64(0x1040, true)).not.toBe(0n)
  })
})
