/**
 * The recording being replayed: its overview (lanes, events), the timeline cursor (a step), the
 * selected event, the console lines (UART output with the step that printed each), and the
 * machine's state at the cursor for the inspectors — fetched latest-wins, so dragging the cursor
 * never queues stale replays and the last state stays shown while the next one loads.
 * Big arrays are shallow refs: the timeline draws them, Vue never deep-watches them.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api } from '../api/client'
import { latestWins } from './latest-wins'
import type { RecordingOverview } from '../../../shared/api/boot'
import type { MachineState, StateQuery } from '../../../shared/api/replay'
import type { ApiError, Result } from '../../../shared/api/result'
import type { TraceEvent } from '../../../shared/trace/events'

/** Ways a boot ends that are not a failure; any other opens selected on its `stop` event, explained. */
export const CLEAN_STOPS = ['shutdown', 'tohost', 'cancelled', 'reset']

/** Bytes the memory view reads at its address. */
export const MEMORY_VIEW_BYTES = 256

/** Quiet time before the state at a new cursor is asked for: one frame of a drag. */
const STATE_DELAY_MS = 16

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

  /** The machine at the cursor, as last received (possibly for an earlier cursor while loading). */
  const state = shallowRef<MachineState>()
  const stateError = ref<ApiError>()
  const stateLoading = ref(false)
  /** A VA to translate at the cursor (normalised hex), set from the translate box. */
  const translateVa = ref<string>()
  /** Where the memory view reads (normalised hex). */
  const memoryAddress = ref<string>()

  const steps = computed(() => overview.value?.steps ?? 0)

  const stateRequests = latestWins<StateQuery, Result<MachineState>>({
    run: (q) => api.invoke('recording.state', q),
    deliver: (r) => {
      stateLoading.value = false
      if (r.ok) {
        state.value = r.value
        stateError.value = undefined
      } else stateError.value = r.error
    },
    fail: (e) => {
      stateLoading.value = false
      stateError.value = { code: 'replay.failed', message: String(e) }
    },
    delayMs: STATE_DELAY_MS,
  })

  watch([() => overview.value?.path, cursor, translateVa, memoryAddress], ([path, step, va, mem]) => {
    if (!path) {
      stateRequests.cancel()
      stateLoading.value = false
      return
    }
    stateLoading.value = true
    stateRequests.request({
      path,
      step,
      ...(va ? { translate: va } : {}),
      ...(mem ? { memory: { address: mem, length: MEMORY_VIEW_BYTES } } : {}),
    })
  })

  async function open(path: string): Promise<void> {
    const r = await api.invoke('recording.open', { path })
    if (!r.ok) {
      error.value = r.error
      return
    }
    error.value = undefined
    overview.value = r.value
    // Open where the boot ended; a failed one (a trap loop) with its stop event selected, explained.
    const stop = r.value.events.find((e) => e.kind === 'stop')
    selected.value = stop && !CLEAN_STOPS.includes(r.value.outcome) ? stop : undefined
    cursor.value = stop ? stop.step : 0
    const uart = await api.invoke('recording.events', { path, kinds: ['uart_output'] })
    consoleLines.value = uart.ok ? toLines(uart.value) : []
  }

  /** `steps` is exclusive (the overview counts through the step of the last event, the stop), so the last state is steps − 1. */
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

  return {
    overview,
    consoleLines,
    cursor,
    selected,
    error,
    steps,
    state,
    stateError,
    stateLoading,
    translateVa,
    memoryAddress,
    open,
    setCursor,
    select,
    neighbour,
  }
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
