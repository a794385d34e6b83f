/**
 * The timeline's lanes, derived from a recording's events: which privilege mode, which
 * translation mode and which code region the hart was in over each step range. Computed once per
 * recording (events are few next to steps) and drawn as ranges, never per instruction.
 */
import type { TraceEvent } from '../../shared/trace/events'
import type { LaneRange } from '../../shared/api/boot'

export interface Lanes {
  privilege: LaneRange[]
  translation: LaneRange[]
  region: LaneRange[]
  /** x86: the operating mode, from the mode changes (absent when there are none, as on RISC-V). */
  mode?: LaneRange[]
}

/** Appends a range, merging with the previous one when the value is unchanged. */
function push(lane: LaneRange[], from: number, value: string): void {
  const last = lane[lane.length - 1]
  if (last && last.value === value) return
  if (last) {
    last.to = from
    if (last.to <= last.from) lane.pop()
    const prev = lane[lane.length - 1]
    if (prev && prev.value === value) {
      prev.to = Number.POSITIVE_INFINITY
      return
    }
  }
  lane.push({ from, to: Number.POSITIVE_INFINITY, value })
}

function close(lane: LaneRange[], end: number): LaneRange[] {
  for (const r of lane) if (r.to === Number.POSITIVE_INFINITY) r.to = end
  return lane.filter((r) => r.to > r.from)
}

/** "long mode (64-bit)" → "long 64-bit", "protected mode (32-bit)" → "protected 32-bit": short enough for a lane. */
function modeWords(label: string): string {
  return label.replace(' mode (', ' ').replace(/\)$/, '').replace(' code', '')
}

/**
 * @param events all events of the recording, in step order
 * @param steps the recording's length
 * @param start the privilege at step 0 ('M' on a machine reset), and on x86 the CPU mode (a
 *   Multiboot kernel starts in ring 0, protected mode): the CPU-mode lane is there even when the mode never changes
 */
export function computeLanes(events: TraceEvent[], steps: number, start: { priv: string; mode?: string } = { priv: 'M' }): Lanes {
  const privilege: LaneRange[] = []
  const translation: LaneRange[] = []
  const region: LaneRange[] = []
  const mode: LaneRange[] = []
  push(privilege, 0, start.priv)
  push(translation, 0, 'Bare')
  if (start.mode) push(mode, 0, modeWords(start.mode))
  for (const e of events) {
    switch (e.kind) {
      case 'firmware_handoff':
        push(privilege, e.step, (e.data as { mode: string }).mode)
        break
      case 'trap':
      case 'trap_return':
      case 'privilege_change':
        push(privilege, e.step, (e.data as { to: string }).to)
        break
      case 'far_transfer':
        // x86: the privilege lane is the CPL lane; a far return or sysret to ring 3 changes it (as iret does).
        push(privilege, e.step, (e.data as { ring: string }).ring)
        break
      case 'satp_write':
      case 'cr3_write':
        push(translation, e.step, (e.data as { new: { mode: string } }).new.mode)
        break
      case 'paging_change':
        push(translation, e.step, (e.data as { to: string }).to)
        break
      case 'mode_change': {
        // The mode before the first change held from step 0 (a Multiboot kernel starts in protected mode).
        const d = e.data as { from: string; to: string }
        if (mode.length === 0) push(mode, 0, modeWords(d.from))
        push(mode, e.step, modeWords(d.to))
        break
      }
      case 'region_enter': {
        // The region, and where it was entered: "_start" alone read as if the whole boot ran in _start.
        const d = e.data as { region: string; symbol: string | null }
        push(region, e.step, d.symbol ? `${d.region}, from ${d.symbol}` : d.region)
        break
      }
    }
  }
  const end = Math.max(steps, events.length ? events[events.length - 1].step + 1 : 0)
  return { privilege: close(privilege, end), translation: close(translation, end), region: close(region, end), ...(mode.length ? { mode: close(mode, end) } : {}) }
}
