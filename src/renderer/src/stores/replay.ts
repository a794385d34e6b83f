/**
 * The recording being replayed: its overview (lanes, events), the timeline cursor (a step), the
 * selected event, the console lines (UART output with the step that printed each), and the
 * machine's state at the cursor for the inspectors — fetched latest-wins, so dragging the cursor
 * never queues stale replays and the last state stays shown while the next one loads. Two more
 * latest-wins queries follow it: the page-table pages the tree shows (root and expanded pages,
 * at the state's step) and the memory range at the previous event's step (for "changed since").
 * Big arrays are shallow refs: the timeline draws them, Vue never deep-watches them.
 */
import { terminalLine } from '../features/console/terminal-text'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api } from '../api/client'
import { latestWins } from './latest-wins'
import type { RecordingOverview } from '../../../shared/api/boot'
import type { FindQuery, FindResult, MachineState, StateQuery } from '../../../shared/api/replay'
import type { ApiError, Result } from '../../../shared/api/result'
import type { TraceEvent } from '../../../shared/trace/events'
import type { TableEntry } from '../../../shared/paging/page-walk'
import { loadPages, type TablePage } from '../features/inspectors/page-table-tree'
import { normHex, previousEventStep } from '../features/inspectors/since-event'
import { stepAfter } from '../../../shared/trace/steps'
import { stopTone } from '../../../shared/trace/stop-words'
import { CAUSED_AT_STEP, CodePlaces, codeAddressOf, type CodePlace } from '../../../shared/trace/code-place'
import { useLabStore } from './lab'

/** Environment calls (SBI calls) are routine traps: not what a recording opens on. */
const ECALL_CAUSES = [8, 9, 11]

/**
 * An event worth opening a recording on (the first one in the boot wins): paging turned on or a
 * table edited, a fault, the jump to the higher half, a firmware handing over. Not the reset
 * state's own events (segments, the built-in hand-off, the first region at step 0), SBI calls
 * or console output.
 */
export function isNotable(e: TraceEvent): boolean {
  switch (e.kind) {
    case 'satp_write':
    case 'pte_write':
      return true
    case 'trap': {
      const d = (e as TraceEvent<'trap'>).data
      return !d.interrupt && !ECALL_CAUSES.includes(Number(d.cause))
    }
    case 'region_enter':
      return (e as TraceEvent<'region_enter'>).data.region === 'higher half'
    case 'firmware_handoff':
      return e.step > 0
    default:
      return false
  }
}

/** Bytes the memory view reads at its address. */
export const MEMORY_VIEW_BYTES = 256

/** Instructions the disassembly shows before and after the PC. */
export const DISASSEMBLY_WINDOW = { before: 6, after: 10 }

/** Levels of each translation mode: the root page is at levels − 1. */
const MODE_LEVELS: Record<string, number> = { Sv39: 3, Sv48: 4, Sv57: 5, '32-bit': 2, PAE: 3, '4-level': 4, '5-level': 5 }

/** Where the chosen x86 disassembly syntax is remembered. */
const SYNTAX_KEY = 'bootscope.disassembly-syntax'

/** Quiet time before the state at a new cursor is asked for: one frame of a drag. */
const STATE_DELAY_MS = 16

export interface ConsoleLine {
  step: number
  text: string
}

export const useReplayStore = defineStore('replay', () => {
  const overview = shallowRef<RecordingOverview>()
  /** Addresses → function and source line, from the open recording's line table and DWARF functions. */
  const places = computed(() => (overview.value ? CodePlaces.of(overview.value) : undefined))
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
  /** x86 disassembly: Intel syntax (objdump -M intel) or AT&T (objdump's default); remembered. */
  const disassemblySyntax = ref<'intel' | 'att'>(localStorage.getItem(SYNTAX_KEY) === 'att' ? 'att' : 'intel')
  watch(disassemblySyntax, (v) => localStorage.setItem(SYNTAX_KEY, v))

  const steps = computed(() => overview.value?.steps ?? 0)
  /**
   * Where and why the boot ended: the recording's last stop event (a boot that waited for input
   * has a stop at each wait, and its end after them). The recordings list, the inspectors, the
   * timeline and Problems all read this one.
   */
  const finalStop = computed(() => lastStopOf(overview.value?.events ?? []))

  /** The memory view's range at the previous event before the cursor, to show what changed since. */
  const memoryBefore = shallowRef<{ step: number; address: string; memory: MachineState['memory'] }>()
  /** The page-table pages the tree shows, as read at `step`, by normalised PA. */
  const tablePages = shallowRef<{ path: string; step: number; pages: Map<string, TableEntry[]> }>()
  const tableError = ref<ApiError>()
  /** PAs (normalised) of the page-table pages opened in the tree; kept across steps. */
  const expandedTables = shallowRef<ReadonlySet<string>>(new Set())

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

  // Another recording (or none): nothing of the previous one may stay on screen.
  watch(
    () => overview.value?.path,
    () => {
      state.value = undefined
      stateError.value = undefined
      findStatus.value = undefined
    },
  )

  watch([() => overview.value?.path, cursor, translateVa, memoryAddress, disassemblySyntax], ([path, step, va, mem, syntax]) => {
    if (!path || !overview.value?.steps) {
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
      disassembly: { ...DISASSEMBLY_WINDOW, syntax },
      // x86: the GDT, IDT and TSS (a RISC-V machine has none and answers without them).
      descriptorTables: true,
    })
  })

  // The memory range at the previous event: asked again only when that step or the range moves,
  // so stepping between two events costs one query, not two.
  interface BeforeQuery {
    path: string
    step: number
    address: string
  }
  let beforeAsked: BeforeQuery | undefined
  const beforeRequests = latestWins<BeforeQuery, Result<MachineState>>({
    run: (q) => api.invoke('recording.state', { path: q.path, step: q.step, memory: { address: q.address, length: MEMORY_VIEW_BYTES } }),
    deliver: (r, q) => (memoryBefore.value = r.ok ? { step: q.step, address: q.address, memory: r.value.memory } : undefined),
    fail: () => (memoryBefore.value = undefined),
    delayMs: STATE_DELAY_MS,
  })
  const sinceStep = computed(() => previousEventStep(overview.value?.events ?? [], cursor.value))
  watch([() => overview.value?.path, sinceStep, memoryAddress], ([path, step, address]) => {
    if (!path || !address) {
      beforeRequests.cancel()
      beforeAsked = undefined
      memoryBefore.value = undefined
      return
    }
    if (beforeAsked && beforeAsked.path === path && beforeAsked.step === step && beforeAsked.address === address) return
    beforeAsked = { path, step, address }
    beforeRequests.request(beforeAsked)
  })

  // The page-table tree at the step shown: after each state, its root and the expanded pages.
  interface TreeQuery {
    path: string
    step: number
    root: TablePage
    expanded: ReadonlySet<string>
  }
  const tableRequests = latestWins<TreeQuery, { path: string; step: number; pages: Map<string, TableEntry[]> }>({
    run: async (q) => {
      const known = tablePages.value?.path === q.path && tablePages.value.step === q.step ? tablePages.value.pages : undefined
      const pages = await loadPages(
        q.root,
        q.expanded,
        async (table) => {
          const r = await api.invoke('recording.state', { path: q.path, step: q.step, table })
          if (!r.ok) throw r.error
          return r.value.tableEntries ?? []
        },
        known,
      )
      return { path: q.path, step: q.step, pages }
    },
    deliver: (r) => {
      tablePages.value = r
      tableError.value = undefined
    },
    fail: (e) => (tableError.value = isApiError(e) ? e : { code: 'replay.failed', message: String(e) }),
    delayMs: 0,
  })
  /** The root page of the table at the state shown, or undefined when satp is Bare. */
  const tableRoot = computed<TablePage | undefined>(() => {
    const s = state.value
    const levels = s ? MODE_LEVELS[s.satp.mode] : undefined
    if (!s || !levels) return undefined
    const root = normHex(s.satp.root)
    return s.addressSpace.tables.find((t) => normHex(t.pa) === root) ?? { pa: root, level: levels - 1, vaBase: '0x0' }
  })
  watch([state, expandedTables], ([s, expanded]) => {
    const path = overview.value?.path
    const root = tableRoot.value
    if (!s || !path || !root) {
      tableRequests.cancel()
      tablePages.value = undefined
      return
    }
    tableRequests.request({ path, step: s.step, root, expanded })
  })

  /** Opens or closes a page of the tree (by its PA). */
  function toggleTable(pa: string): void {
    const key = normHex(pa)
    const next = new Set(expandedTables.value)
    if (!next.delete(key)) next.add(key)
    expandedTables.value = next
  }

  /**
   * Opens a recording on the timeline. A boot that failed opens at its stop, selected and explained
   * (a trap loop at the fault); any other at its first notable event (the satp write of a paging
   * kernel, …), in the state after it; a boot with none at its end.
   */
  async function open(path: string): Promise<void> {
    const r = await api.invoke('recording.open', { path })
    if (!r.ok) {
      error.value = r.error
      return
    }
    error.value = undefined
    overview.value = r.value
    const events = r.value.events
    const stop = lastStopOf(events)
    const failed = stop && stopTone({ ...stop.data, reason: r.value.outcome }, useLabStore().current?.successExitCode) === 'failure'
    const first = failed ? stop : (events.find(isNotable) ?? stop)
    if (first && (failed || first !== stop)) select(first)
    else {
      selected.value = undefined
      cursor.value = stop ? Math.min(stop.step, lastStep.value) : 0
    }
    const uart = await api.invoke('recording.events', { path, kinds: ['uart_output'] })
    consoleLines.value = uart.ok ? toLines(uart.value) : []
  }

  /** No recording open (a boot is starting, another workspace): the inspectors and timeline say so. */
  function close(): void {
    overview.value = undefined
    selected.value = undefined
    consoleLines.value = []
    cursor.value = 0
  }

  /** The last state of the recording: `steps` is exclusive (the overview counts through the step of the last event, the stop). */
  const lastStep = computed(() => Math.max(0, steps.value - 1))

  function setCursor(step: number): void {
    cursor.value = Math.max(0, Math.min(Math.round(step), lastStep.value))
  }

  /** Selects an event and shows the state after it (shared/trace/steps.ts: what "step N" means). */
  function select(e: TraceEvent): void {
    selected.value = e
    setCursor(stepAfter(e, lastStep.value))
  }

  /**
   * Where in the source the selected event happened (function and line): from the address the
   * event names, else — for a satp/CR3 write, an sfence, a PTE store — from the PC of the state at
   * its step (the instruction that did it).
   */
  const selectedPlace = shallowRef<CodePlace>()
  watch(selected, async (e) => {
    selectedPlace.value = undefined
    const o = overview.value
    if (!e || !o || !places.value || places.value.empty) return
    let pc = codeAddressOf(e)
    if (!pc && CAUSED_AT_STEP.has(e.kind)) {
      const r = await api.invoke('recording.state', { path: o.path, step: e.step })
      if (!r.ok || selected.value !== e) return
      pc = r.value.pc
    }
    selectedPlace.value = pc ? places.value.at(pc) : undefined
  })

  /** The last history search's outcome, shown by the inspectors until the next search. */
  const findStatus = ref<{ text: string; found: boolean; busy: boolean }>()

  /** History search from the cursor (recording.find); moves the cursor to what it finds. */
  async function find(direction: FindQuery['direction'], target: FindQuery['target'], what: string): Promise<FindResult | undefined> {
    const path = overview.value?.path
    if (!path) return undefined
    findStatus.value = { text: `searching ${direction === 'forward' ? 'forward' : 'backward'} for ${what}…`, found: false, busy: true }
    const r = await api.invoke('recording.find', { path, from: cursor.value, direction, target })
    if (!r.ok) {
      findStatus.value = { text: r.error.message, found: false, busy: false }
      return undefined
    }
    const found = r.value.step !== null
    findStatus.value = { text: found ? r.value.message : `not found: ${r.value.message}`, found, busy: false }
    if (found) {
      selected.value = undefined
      setCursor(r.value.step!)
    }
    return r.value
  }

  /** Bumped when a view outside the timeline moved the cursor and wants the timeline shown (a lab check's step link). */
  const revealRequests = ref(0)
  function revealTimeline(): void {
    revealRequests.value++
  }

  /** The next (dir = 1) or previous (dir = -1) event from the cursor, optionally of one kind. */
  function neighbour(dir: 1 | -1, kind?: string): TraceEvent | undefined {
    const evs = overview.value?.events ?? []
    const c = cursor.value
    const at = (e: TraceEvent) => stepAfter(e, lastStep.value)
    if (dir > 0) return evs.find((e) => at(e) > c && (!kind || e.kind === kind))
    for (let i = evs.length - 1; i >= 0; i--) if (at(evs[i]) < c && (!kind || evs[i].kind === kind)) return evs[i]
    return undefined
  }

  return {
    overview,
    places,
    selectedPlace,
    finalStop,
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
    disassemblySyntax,
    memoryBefore,
    tablePages,
    tableError,
    tableRoot,
    expandedTables,
    toggleTable,
    open,
    close,
    lastStep,
    setCursor,
    select,
    neighbour,
    revealRequests,
    revealTimeline,
    findStatus,
    find,
  }
})

export function lastStopOf(events: TraceEvent[]): TraceEvent<'stop'> | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].kind === 'stop') return events[i] as TraceEvent<'stop'>
  return undefined
}

function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e
}

/** Joins UART bytes into lines, each with the step that printed its first character, shown as a terminal shows them. */
function toLines(events: TraceEvent[]): ConsoleLine[] {
  const lines: ConsoleLine[] = []
  let cur: ConsoleLine | undefined
  for (const e of events) {
    for (const ch of (e.data as { text: string }).text) {
      if (!cur) cur = { step: e.step, text: '' }
      if (ch === '\n') {
        lines.push({ ...cur, text: terminalLine(cur.text) })
        cur = undefined
      } else cur.text += ch
    }
  }
  if (cur) lines.push({ ...cur, text: terminalLine(cur.text) })
  return lines
}
