/**
 * The timeline's pure geometry: mapping steps to pixels for a viewport, zooming around a point,
 * choosing ruler ticks, colouring lane values, and thinning markers so that a zoomed-out view of
 * a huge recording draws at most one marker per few pixels per kind (never one node per event).
 */
import type { TraceEvent } from '../../../../shared/trace/events'

export interface Viewport {
  from: number
  to: number
}

export const MIN_SPAN_STEPS = 20

export function stepToX(step: number, view: Viewport, left: number, width: number): number {
  return left + ((step - view.from) / (view.to - view.from)) * width
}

export function xToStep(x: number, view: Viewport, left: number, width: number): number {
  return view.from + ((x - left) / width) * (view.to - view.from)
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchor` (a step) under the pointer; clamps to [0, total]. */
export function zoom(view: Viewport, anchor: number, factor: number, total: number): Viewport {
  const span = Math.max(Math.min(MIN_SPAN_STEPS, total), Math.min(total, (view.to - view.from) * factor))
  const t = (anchor - view.from) / (view.to - view.from)
  return clamp({ from: anchor - t * span, to: anchor - t * span + span }, total)
}

export function pan(view: Viewport, deltaSteps: number, total: number): Viewport {
  return clamp({ from: view.from + deltaSteps, to: view.to + deltaSteps }, total)
}

/** The view kept inside the recording: never before step 0 nor past its end, even for a boot shorter than MIN_SPAN_STEPS. */
export function clamp(view: Viewport, total: number): Viewport {
  const end = Math.max(1, total)
  const span = Math.min(view.to - view.from, end)
  let from = Math.max(0, view.from)
  if (from + span > end) from = Math.max(0, end - span)
  return { from, to: from + span }
}

/** Ruler ticks: round numbers (1, 2, 5 × 10^k) about every `minPx` pixels. */
export function ticks(view: Viewport, width: number, minPx = 90): number[] {
  const span = view.to - view.from
  const raw = (span / Math.max(1, width)) * minPx
  const pow = 10 ** Math.floor(Math.log10(Math.max(1, raw)))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow
  const out: number[] = []
  for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) out.push(t)
  return out
}

export function formatStep(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n % 1e9 ? 2 : 0)}G`
  if (n >= 1e6) return `${(n / 1e6).toFixed(n % 1e6 ? 2 : 0)}M`
  if (n >= 1e4) return `${(n / 1e3).toFixed(n % 1e3 ? 1 : 0)}k`
  return String(Math.round(n))
}

const FIXED_COLOURS: Record<string, string> = {
  M: '#c2410c',
  S: '#2563eb',
  U: '#16a34a',
  Bare: '#9ca3af',
  Sv39: '#7c3aed',
  Sv48: '#db2777',
  Sv57: '#0d9488',
}

/** A stable colour per lane value (fixed for modes, hashed for symbols). */
export function laneColour(value: string): string {
  const fixed = FIXED_COLOURS[value]
  if (fixed) return fixed
  let h = 0
  for (let i = 0; i < value.length; i++) h = (h * 31 + value.charCodeAt(i)) >>> 0
  return `hsl(${h % 360} 55% 55%)`
}

/**
 * Marker fills, drawn on either theme's background (#ffffff, #1e1e1e): each must stand out from
 * both, so no near-black or near-white (the stop was #111827, invisible in dark mode).
 */
export const KIND_COLOURS: Record<string, string> = {
  segment_loaded: '#0891b2',
  firmware_handoff: '#ca8a04',
  privilege_change: '#64748b',
  trap: '#dc2626',
  trap_return: '#f97316',
  satp_write: '#7c3aed',
  cr3_write: '#7c3aed',
  paging_change: '#7c3aed',
  mode_change: '#64748b',
  control_bits: '#7c3aed',
  msr_write: '#a855f7',
  descriptor_table: '#0891b2',
  far_transfer: '#64748b',
  boot_info: '#16a34a',
  sfence_vma: '#a855f7',
  page_table_activated: '#4f46e5',
  pte_write: '#0ea5e9',
  region_enter: '#059669',
  uart_output: '#6b7280',
  disk_write: '#b45309',
  stop: '#db2777',
}

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(hexColour: string): number {
  const channel = (i: number) => {
    const c = parseInt(hexColour.slice(1 + 2 * i, 3 + 2 * i), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

/** WCAG contrast ratio between two #rrggbb colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/**
 * Events inside the viewport, thinned: per kind, at most one per `bucketPx` pixel column, and at
 * most `max` overall (the most important kinds first). Binary search keeps it O(log n + shown).
 */
export function visibleMarkers(events: TraceEvent[], view: Viewport, width: number, bucketPx = 6, max = 400): TraceEvent[] {
  let lo = 0
  let hi = events.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (events[mid].step < view.from) lo = mid + 1
    else hi = mid
  }
  const stepsPerBucket = ((view.to - view.from) / Math.max(1, width)) * bucketPx
  const lastBucket = new Map<string, number>()
  const out: TraceEvent[] = []
  for (let i = lo; i < events.length && events[i].step <= view.to; i++) {
    const e = events[i]
    const bucket = Math.floor((e.step - view.from) / Math.max(stepsPerBucket, 1e-9))
    if (lastBucket.get(e.kind) === bucket) continue
    lastBucket.set(e.kind, bucket)
    out.push(e)
  }
  if (out.length <= max) return out
  const rank = (k: string) => ['stop', 'satp_write', 'region_enter', 'firmware_handoff', 'trap', 'sfence_vma', 'page_table_activated', 'segment_loaded'].indexOf(k)
  return out
    .map((e, i) => ({ e, i, r: rank(e.kind) < 0 ? 99 : rank(e.kind) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.e)
}

export interface PlacedMarker {
  event: TraceEvent
  x: number
  row: number
}

/**
 * Places markers (sorted by step) in rows so that none covers another: each goes into the lowest
 * row whose previous marker ends at least `size` pixels to its left. Events at the same step (a
 * satp write and the table it activates) thus sit one above the other, each clickable. Beyond
 * `rows` rows a marker shares the least crowded row.
 */
export function placeMarkers(markers: TraceEvent[], view: Viewport, left: number, width: number, size = 12, rows = 4): PlacedMarker[] {
  const rowEnd: number[] = Array.from({ length: rows }, () => -Infinity)
  return markers.map((event) => {
    const x = stepToX(event.step, view, left, width)
    let row = rowEnd.findIndex((end) => end + size <= x)
    if (row < 0) row = rowEnd.indexOf(Math.min(...rowEnd))
    rowEnd[row] = x
    return { event, x, row }
  })
}
