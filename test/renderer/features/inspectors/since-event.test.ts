import { describe, expect, it } from 'vitest'
import { normHex, previousEvent, previousEventStep, writtenPtes } from '../../../../src/renderer/src/features/inspectors/since-event'
import type { EventKind, TraceEvent } from '../../../../src/shared/trace/events'

let id = 0
function ev(step: number, kind: EventKind, data: object = {}): TraceEvent {
  return { id: ++id, step, kind, pc: null, data } as TraceEvent
}
function pte(step: number, pa: string, old: string, now: string): TraceEvent {
  return ev(step, 'pte_write', { pa, old, new: now, flags: 'VRWXAD', level: 0, vaRange: null })
}

const events = [ev(0, 'segment_loaded'), ev(9, 'satp_write'), ev(9, 'page_table_activated'), pte(20, '0x80203008', '0x0', '0x1'), pte(24, '0x80203010', '0x0', '0x2'), ev(30, 'trap'), pte(40, '0x80203008', '0x1', '0x5'), pte(41, '0x80203008', '0x5', '0x7')]

describe('since the previous event', () => {
  it('is the last event strictly before the cursor', () => {
    expect(previousEventStep(events, 31)).toBe(30)
    expect(previousEventStep(events, 30)).toBe(9) // standing on the trap: the trap has not happened yet
    expect(previousEvent(events, 10)?.kind).toBe('page_table_activated')
  })

  it('skips PTE writes, so a run of them is shown together', () => {
    expect(previousEventStep(events, 25)).toBe(9)
    expect(previousEventStep(events, 100)).toBe(30)
  })

  it('is reset (step 0) before the first event', () => {
    expect(previousEventStep(events, 0)).toBe(0)
    expect(previousEvent([], 50)).toBeUndefined()
    expect(previousEventStep([pte(3, '0x80203000', '0x0', '0x1')], 10)).toBe(0)
  })

  it('collects the PTEs written in [from, to) by address, first old value and last new one', () => {
    const w = writtenPtes(events, 9, 25)
    expect([...w.keys()]).toEqual(['0x80203008', '0x80203010'])
    expect(writtenPtes(events, 9, 24).size).toBe(1) // the write at step 24 retires at 25
    const twice = writtenPtes(events, 30, 100).get('0x80203008')!
    expect(twice).toMatchObject({ step: 41, old: '0x1', new: '0x7' })
    expect(writtenPtes(events, 31, 40).size).toBe(0)
  })

  it('normalises addresses so that padded and upper-case hex match', () => {
    expect(normHex('0x0000000080203008')).toBe('0x80203008')
    expect(writtenPtes([pte(5, '0x0000000080203ABC', '0x0', '0x1')], 0, 6).has('0x80203abc')).toBe(true)
  })
})
