/**
 * The recording being replayed: its overview (lanes, events), the timeline cursor (a step), the
 * selected event, and the console lines (UART output with the step that printed each).
 * Big arrays are shallow refs: the timeline draws them, Vue never deep-watches them.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api } from '../api/client'
import type { RecordingOverview } from '../../../shared/api/boot'
import type { ApiError } from '../../../shared/api/result'
import type { TraceEvent } from '../../../shared/trace/events'

export interface ConsoleLine {
  step: number
  text: string
}

export const useReplayStore = defineStore('replay', () => {
  const overview = shallowRef<RecordingOverview>()
  const consoleLines = shallowRef<ConsoleLine[]>([])
  const cursor = ref(0)
  const selected = shallowRef<TraceEvent>()
  const error = ref<ApiError>()

  const steps = computed(() => overview.value?.steps ?? 0)

  async function open(path: string): Promise<void> {
    const r = await api.invoke('recording.open', { path })
    if (!r.ok) {
      error.value = r.error
      return
    }
    error.value = undefined
    overview.value = r.value
    selected.value = undefined
    const stop = r.value.events.find((e) => e.kind === 'stop')
    cursor.value = stop ? stop.step : 0
    const uart = await api.invoke('recording.events', { path, kinds: ['uart_output'] })
    consoleLines.value = uart.ok ? toLines(uart.value) : []
  }

  function setCursor(step: number): void {
    cursor.value = Math.max(0, Math.min(Math.round(step), Math.max(0, steps.value - 1)))
  }

  function select(e: TraceEvent): void {
    selected.value = e
    setCursor(e.step)
  }

  /** The next (dir = 1) or previous (dir = -1) event from the cursor, optionally of one kind. */
  function neighbour(dir: 1 | -1, kind?: string): TraceEvent | undefined {
    const evs = overview.value?.events ?? []
    const c = cursor.value
    if (dir > 0) return evs.find((e) => e.step > c && (!kind || e.kind === kind))
    for (let i = evs.length - 1; i >= 0; i--) if (evs[i].step < c && (!kind || evs[i].kind === kind)) return evs[i]
    return undefined
  }

  return { overview, consoleLines, cursor, selected, error, steps, open, setCursor, select, neighbour }
})

/** Joins UART bytes into lines, each with the step that printed its first character. */
function toLines(events: TraceEvent[]): ConsoleLine[] {
  const lines: ConsoleLine[] = []
  let cur: ConsoleLine | undefined
  for (const e of events) {
    for (const ch of (e.data as { text: string }).text) {
      if (!cur) cur = { step: e.step, text: '' }
      if (ch === '\n') {
        lines.push(cur)
        cur = undefined
      } else if (ch !== '\r') cur.text += ch
    }
  }
  if (cur) lines.push(cur)
  return lines
}
