import { describe, expect, it } from 'vitest'
import { clamp, contrast, formatStep, KIND_COLOURS, placeMarkers, stepToX, ticks, visibleMarkers, xToStep, zoom } from '../../../../src/renderer/src/features/timeline/timeline-geometry'
import { EVENT_KINDS, type TraceEvent } from '../../../../src/shared/trace/events'

describe('timeline geometry', () => {
  it('maps steps to pixels and back', () => {
    const v = { from: 100, to: 300 }
    expect(stepToX(200, v, 10, 400)).toBe(210)
    expect(xToStep(210, v, 10, 400)).toBe(200)
  })

  it('zooms around the anchor and never beyond the recording', () => {
    const v = zoom({ from: 0, to: 1000 }, 500, 0.5, 1000)
    expect(v).toEqual({ from: 250, to: 750 })
    expect(zoom(v, 500, 100, 1000)).toEqual({ from: 0, to: 1000 })
    expect(zoom({ from: 0, to: 100 }, 50, 0.0001, 1000).to - zoom({ from: 0, to: 100 }, 50, 0.0001, 1000).from).toBe(20)
    expect(clamp({ from: -50, to: 50 }, 1000)).toEqual({ from: 0, to: 100 })
    // A 10-step boot: zooming out stops at its end (never 0–20).
    expect(zoom({ from: 0, to: 10 }, 5, 4, 10)).toEqual({ from: 0, to: 10 })
    expect(zoom({ from: 2, to: 8 }, 5, 100, 10)).toEqual({ from: 0, to: 10 })
    expect(clamp({ from: 0, to: 20 }, 10)).toEqual({ from: 0, to: 10 })
  })

  it('picks round ruler ticks', () => {
    expect(ticks({ from: 0, to: 1000 }, 900)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    expect(formatStep(421_000_000)).toBe('421M')
    expect(formatStep(12_500)).toBe('12.5k')
  })

  it('thins a million events to a few hundred markers when zoomed out', () => {
    const events: TraceEvent[] = []
    for (let i = 0; i < 1_000_000; i++) events.push({ id: i, step: i * 100, kind: i % 2 ? 'trap' : 'trap_return', pc: null, data: {} as never })
    const shown = visibleMarkers(events, { from: 0, to: 100_000_000 }, 1000)
    expect(shown.length).toBeLessThanOrEqual(400)
    expect(shown.length).toBeGreaterThan(100)
    const zoomedIn = visibleMarkers(events, { from: 5000, to: 5300 }, 1000)
    expect(zoomedIn.map((e) => e.step)).toEqual([5000, 5100, 5200, 5300])
  })

  it('stacks markers at the same step so each stays clickable', () => {
    const at = (id: number, step: number, kind: TraceEvent['kind']): TraceEvent => ({ id, step, kind, pc: null, data: {} as never })
    const placed = placeMarkers([at(1, 8, 'satp_write'), at(2, 8, 'page_table_activated'), at(3, 9, 'sfence_vma'), at(4, 100, 'stop')], { from: 0, to: 164 }, 90, 800, 12, 4)
    expect(placed.map((p) => p.row)).toEqual([0, 1, 2, 0])
    const full = placeMarkers([1, 2, 3, 4, 5].map((i) => at(i, 8, 'trap')), { from: 0, to: 164 }, 90, 800, 12, 4)
    expect(full.map((p) => p.row)).toEqual([0, 1, 2, 3, 0])
  })
})

describe('marker colours', () => {
  const LIGHT_BG = '#ffffff'
  const DARK_BG = '#1e1e1e'

  it('computes WCAG contrast (black on white is 21:1, a colour on itself 1:1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrast('#db2777', '#db2777')).toBe(1)
  })

  it('makes the stop marker readable on the light and the dark background (3:1, as for UI graphics)', () => {
    expect(contrast(KIND_COLOURS.stop, LIGHT_BG)).toBeGreaterThanOrEqual(3)
    expect(contrast(KIND_COLOURS.stop, DARK_BG)).toBeGreaterThanOrEqual(3)
  })

  it('gives every event kind a colour that stands out from both backgrounds', () => {
    for (const kind of EVENT_KINDS) {
      const c = KIND_COLOURS[kind]
      expect(c, kind).toMatch(/^#[0-9a-f]{6}$/)
      expect(contrast(c, LIGHT_BG), `${kind} on light`).toBeGreaterThanOrEqual(2.5)
      expect(contrast(c, DARK_BG), `${kind} on dark`).toBeGreaterThanOrEqual(2.5)
    }
  })
})
