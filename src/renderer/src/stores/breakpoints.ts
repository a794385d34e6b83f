/**
 * Breakpoints and watched addresses of the workspace: breakpoints set on source lines from the
 * editor's gutter (assembly lines through our line table, C and Rust lines through the kernel's
 * DWARF — both are the recording's line table), watched addresses typed in the Breakpoints
 * panel. Both are kept in the workspace (`.bootscope/breakpoints.json`, versioned) so they are
 * there when it opens again. On the timeline, "run to the next/previous hit" searches the open
 * recording from the cursor for the next (previous) step whose PC is at an enabled breakpoint,
 * and a watched address's "next/previous write" for the next (previous) store that changed it —
 * both `recording.find`, which runs the replay at full speed with the hart's debug stops.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { api } from '../api/client'
import { LineIndex, type LineAddresses } from '../../../shared/trace/line-addresses'
import { segmentsOf } from '../../../shared/trace/code-place'
import { MAX_FIND_PCS } from '../../../shared/api/replay'
import { useWorkspaceStore } from './workspace'
import { useReplayStore } from './replay'
import { BREAKPOINTS_FILE, FORMAT_VERSION, parseBreakpointsFile, type Breakpoint, type SavedBreakpoints, type WatchedAddress } from '../features/breakpoints/breakpoints-file'
export type { Breakpoint, WatchedAddress } from '../features/breakpoints/breakpoints-file'

/** A breakpoint as the open recording places it: its code's line and addresses, or none. */
export interface PlacedBreakpoint extends Breakpoint {
  at?: LineAddresses
}

export const useBreakpointsStore = defineStore('breakpoints', () => {
  const ws = useWorkspaceStore()
  const replay = useReplayStore()
  const breakpoints = ref<Breakpoint[]>([])
  const watches = ref<WatchedAddress[]>([])
  /** Why the saved file could not be read or written, when it could not. */
  const problem = ref<string>()
  let loadedFor: string | undefined

  watch(
    () => ws.info?.root,
    async (root) => {
      loadedFor = undefined
      breakpoints.value = []
      watches.value = []
      problem.value = undefined
      if (!root) return
      const r = await api.invoke('file.read', { path: BREAKPOINTS_FILE })
      if (ws.info?.root !== root) return
      if (r.ok) {
        try {
          ;({ breakpoints: breakpoints.value, watches: watches.value } = parseBreakpointsFile(r.value.text))
        } catch (e) {
          problem.value = `${BREAKPOINTS_FILE} is not valid JSON (${(e as Error).message}): it will be rewritten when a breakpoint changes`
        }
      } else if (r.error.code !== 'file.not_found' && r.error.code !== 'workspace.not_found') problem.value = r.error.message
      loadedFor = root
    },
    { immediate: true },
  )

  async function save(): Promise<void> {
    if (!loadedFor || ws.info?.root !== loadedFor) return
    const saved: SavedBreakpoints = { version: FORMAT_VERSION, breakpoints: breakpoints.value, watches: watches.value }
    const r = await api.invoke('file.write', { path: BREAKPOINTS_FILE, text: `${JSON.stringify(saved, null, 2)}\n` })
    problem.value = r.ok ? undefined : `breakpoints not saved: ${r.error.message}`
  }

  /** Sets a breakpoint on the line, or removes the one there. */
  function toggle(file: string, line: number): void {
    const i = breakpoints.value.findIndex((b) => b.file === file && b.line === line)
    if (i >= 0) breakpoints.value.splice(i, 1)
    else breakpoints.value.push({ file, line, enabled: true })
    breakpoints.value.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    void save()
  }

  /**
   * The file was edited and its breakpoints' lines moved (the editor's decorations follow the
   * text): `from[i]` is now `to[i]`. Two that land on one line (the lines between were deleted)
   * become one.
   */
  function moveLines(file: string, from: readonly number[], to: readonly number[]): void {
    const moved = new Map(from.map((line, i) => [line, to[i]]))
    const seen = new Set<string>()
    breakpoints.value = breakpoints.value
      .map((b) => (b.file === file && moved.has(b.line) ? { ...b, line: moved.get(b.line)! } : b))
      .filter((b) => {
        const key = `${b.file}:${b.line}`
        if (seen.has(key)) return false
        seen.add(key)
        return true
      })
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    void save()
  }

  function setEnabled(file: string, line: number, enabled: boolean): void {
    const b = breakpoints.value.find((x) => x.file === file && x.line === line)
    if (!b) return
    b.enabled = enabled
    void save()
  }

  function remove(file: string, line: number): void {
    breakpoints.value = breakpoints.value.filter((x) => x.file !== file || x.line !== line)
    void save()
  }

  /** Adds a watched address (hex or decimal; 1–8 bytes); an error message when it is not one. */
  function addWatch(text: string, length = 8): string | undefined {
    const t = text.trim()
    if (!/^(0x[0-9a-f]{1,16}|\d{1,20})$/i.test(t) || BigInt(t) >= 1n << 64n) return `'${t}' is not an address: give 0x… (hex) or a decimal number`
    const address = `0x${BigInt(t).toString(16)}`
    if (!watches.value.some((w) => w.address === address)) watches.value.push({ address, length })
    void save()
    return undefined
  }

  function removeWatch(w: WatchedAddress): void {
    watches.value = watches.value.filter((x) => x !== w)
    void save()
  }

  /** Line tables of the open recording, indexed once per recording. */
  const index = computed(() => {
    const o = replay.overview
    return o && o.sourceLines.length ? new LineIndex(o.sourceLines, segmentsOf(o.events), o.functions) : undefined
  })

  /** Every breakpoint with where the open recording's code for it is (none without a recording or code there). */
  const placed = computed<PlacedBreakpoint[]>(() =>
    breakpoints.value.map((b) => {
      const at = index.value?.addressesOf((f) => ws.sourcePath(f) === b.file, b.line)
      return at ? { ...b, at } : { ...b }
    }),
  )

  /** The addresses the enabled breakpoints stop at, each once. */
  const pcs = computed(() => [...new Set(placed.value.flatMap((b) => (b.enabled && b.at ? b.at.addresses : [])))])

  /** Breakpoints of one file, for the editor's gutter. */
  function inFile(file: string): PlacedBreakpoint[] {
    return placed.value.filter((b) => b.file === file)
  }

  /** The timeline: the cursor to the next (previous) step whose PC is at an enabled breakpoint. */
  async function runToHit(direction: 'forward' | 'backward'): Promise<void> {
    if (!replay.overview) return
    const list = pcs.value
    if (!list.length) {
      replay.findStatus = { text: 'no enabled breakpoint has code in this recording: set one in the editor\'s gutter (or F9) on a line the kernel was built from', found: false, busy: false }
      return
    }
    if (list.length > MAX_FIND_PCS) {
      replay.findStatus = { text: `the enabled breakpoints stop at ${list.length} addresses; at most ${MAX_FIND_PCS} at once: disable some`, found: false, busy: false }
      return
    }
    const r = await replay.find(direction, { pcs: list }, 'a breakpoint')
    const hit = r?.pc ? placed.value.find((b) => b.at?.addresses.includes(r.pc!)) : undefined
    if (r && hit && replay.findStatus) replay.findStatus = { ...replay.findStatus, text: `breakpoint ${hit.file}:${hit.at!.line} (pc ${r.pc}) ${direction === 'forward' ? 'hit next' : 'hit last'} at step ${r.step}` }
  }

  /** The cursor to the next (previous) store that changed a watched address. */
  async function runToWrite(w: WatchedAddress, direction: 'forward' | 'backward'): Promise<void> {
    await replay.find(direction, { change: { address: w.address, length: w.length } }, `a write to ${w.address}`)
  }

  return { breakpoints, watches, problem, placed, pcs, toggle, moveLines, setEnabled, remove, addWatch, removeWatch, inFile, runToHit, runToWrite }
})
