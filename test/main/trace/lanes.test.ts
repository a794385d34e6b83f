import { describe, expect, it } from 'vitest'
import { computeLanes } from '../../../src/main/trace/lanes'
import type { TraceEvent } from '../../../src/shared/trace/events'

let id = 0
function ev(step: number, kind: TraceEvent['kind'], data: unknown): TraceEvent {
  return { id: ++id, step, kind, pc: null, data } as TraceEvent
}
const satp = (mode: string) => ({ old: { mode: 'Bare' }, new: { mode } })

describe('timeline lanes', () => {
  it('follows privilege through hand-off, traps and returns', () => {
    const lanes = computeLanes(
      [
        ev(100, 'firmware_handoff', { mode: 'S' }),
        ev(150, 'trap', { from: 'S', to: 'M' }),
        ev(170, 'trap_return', { from: 'M', to: 'S' }),
      ],
      200,
    )
    expect(lanes.privilege).toEqual([
      { from: 0, to: 100, value: 'M' },
      { from: 100, to: 150, value: 'S' },
      { from: 150, to: 170, value: 'M' },
      { from: 170, to: 200, value: 'S' },
    ])
  })

  it('x86: a CPU-mode lane from the mode changes, starting in the first one\'s mode; none without mode changes', () => {
    const lanes = computeLanes(
      [
        ev(3638, 'mode_change', { from: 'protected mode (32-bit)', to: 'compatibility mode (32-bit)', rip: '0x1010ea' }),
        ev(3641, 'mode_change', { from: 'compatibility mode (32-bit)', to: 'long mode (64-bit)', rip: '0x101027' }),
      ],
      21446,
    )
    expect(lanes.mode).toEqual([
      { from: 0, to: 3638, value: 'protected 32-bit' },
      { from: 3638, to: 3641, value: 'compatibility 32-bit' },
      { from: 3641, to: 21446, value: 'long 64-bit' },
    ])
    expect(computeLanes([ev(10, 'satp_write', satp('Sv39'))], 20).mode).toBeUndefined()
  })

  it('x86: a kernel that stays in protected mode has a CPU-mode lane all the same, and a CPL lane from ring 0', () => {
    const lanes = computeLanes([ev(50, 'cr3_write', { new: { mode: '32-bit' } })], 100, { priv: 'ring 0', mode: 'protected mode (32-bit)' })
    expect(lanes.mode).toEqual([{ from: 0, to: 100, value: 'protected 32-bit' }])
    expect(lanes.privilege).toEqual([{ from: 0, to: 100, value: 'ring 0' }])
  })

  it('follows the translation mode through satp writes, merging unchanged modes', () => {
    const lanes = computeLanes([ev(10, 'satp_write', satp('Sv39')), ev(20, 'satp_write', satp('Sv39')), ev(30, 'satp_write', satp('Bare'))], 40)
    expect(lanes.translation).toEqual([
      { from: 0, to: 10, value: 'Bare' },
      { from: 10, to: 30, value: 'Sv39' },
      { from: 30, to: 40, value: 'Bare' },
    ])
  })

  it('names code regions with the symbol they were entered at, when known', () => {
    const lanes = computeLanes(
      [ev(5, 'region_enter', { region: 'low memory (0x80000000)', symbol: '_start' }), ev(12, 'region_enter', { region: 'higher half', symbol: 'rust_main' }), ev(15, 'region_enter', { region: 'low memory (0x0)', symbol: null })],
      20,
    )
    expect(lanes.region).toEqual([
      { from: 5, to: 12, value: 'low memory (0x80000000), from _start' },
      { from: 12, to: 15, value: 'higher half, from rust_main' },
      { from: 15, to: 20, value: 'low memory (0x0)' },
    ])
  })
})
