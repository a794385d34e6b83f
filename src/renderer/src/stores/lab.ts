/**
 * Labs in the workbench: the built-in labs, the lab open as the workspace, and "Check my work".
 * Starting or leaving a lab switches the backend's workspace, so everything that showed the old
 * one (editor tabs, file tree, recordings, the open recording, the last build) is reloaded or
 * cleared here. A check's failed results link to the step of its recording on the timeline.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api } from '../api/client'
import type { LabCheckOutcome, LabCheckResult, LabInfo, LabSummary } from '../../../shared/api/lab'
import type { ApiError } from '../../../shared/api/result'
import type { EventKind } from '../../../shared/trace/events'
import { useWorkspaceStore } from './workspace'
import { useRecordingsStore } from './recordings'
import { useReplayStore } from './replay'
import { reloadSwitchedWorkspace } from './workspace-switch'
import { stepAfter } from '../../../shared/trace/steps'

/** The events a check of each kind looks at: the one to select when its step is shown. */
const EVENT_OF_CHECK: Record<string, EventKind[]> = {
  trap: ['trap'],
  fault: ['trap'],
  mode: ['mode_change'],
  register: ['paging_change', 'cr3_write', 'mode_change'],
  no_trap: ['trap'],
  satp_write: ['satp_write'],
  region_enter: ['region_enter'],
  order: ['satp_write', 'region_enter', 'trap', 'sfence_vma'],
  shutdown: ['stop'],
  console: ['uart_output'],
  multiboot_tag: ['boot_info', 'uart_output'],
  frames: ['uart_output'],
  fault_in_function: ['trap'],
}

export const useLabStore = defineStore('lab', () => {
  const labs = ref<LabSummary[]>([])
  const current = shallowRef<LabInfo | null>(null)
  const outcome = shallowRef<LabCheckOutcome>()
  const checking = ref(false)
  const switching = ref(false)
  const error = ref<ApiError>()

  async function load(): Promise<void> {
    const [list, cur] = await Promise.all([api.invoke('lab.list', {}), api.invoke('lab.current', {})])
    if (!list.ok) error.value = list.error
    else labs.value = list.value
    if (cur.ok) current.value = cur.value
  }

  /** After the backend switched workspaces: the old one's tabs, recording and build go; the lab's edited files open. */
  async function reloadWorkspace(): Promise<void> {
    await reloadSwitchedWorkspace(current.value?.files ?? [])
  }

  async function start(id: string): Promise<void> {
    if (switching.value) return
    switching.value = true
    try {
      // Unsaved edits belong to the workspace open now: save them before it changes.
      await useWorkspaceStore().saveAll()
      const r = await api.invoke('lab.start', { id })
      if (!r.ok) {
        error.value = r.error
        return
      }
      error.value = undefined
      current.value = r.value
      outcome.value = undefined
      await reloadWorkspace()
      await load()
    } finally {
      switching.value = false
    }
  }

  async function leave(): Promise<void> {
    if (switching.value) return
    switching.value = true
    try {
      await useWorkspaceStore().saveAll()
      const r = await api.invoke('lab.close', {})
      if (!r.ok) {
        error.value = r.error
        return
      }
      current.value = null
      outcome.value = undefined
      error.value = undefined
      await reloadWorkspace()
    } finally {
      switching.value = false
    }
  }

  /** "Check my work": saves, then builds, boots, records and checks in the backend. */
  async function check(): Promise<void> {
    if (checking.value || !current.value) return
    checking.value = true
    let fresh: LabCheckOutcome | undefined
    try {
      await useWorkspaceStore().saveAll()
      const r = await api.invoke('lab.check', {})
      if (!r.ok) {
        error.value = r.error
        return
      }
      error.value = undefined
      outcome.value = fresh = r.value
    } finally {
      checking.value = false
    }
    await useRecordingsStore().load()
    // Like a boot, the checked boot opens on the timeline (where it ended, a fault explained).
    if (fresh.recording) await useReplayStore().open(fresh.recording)
  }

  /** Opens the check's recording on the timeline with the cursor at the check's step (on its event, if one is there). */
  async function showStep(result: LabCheckResult): Promise<void> {
    const recording = outcome.value?.recording
    if (!recording || result.step === undefined) return
    const replay = useReplayStore()
    if (replay.overview?.path !== recording) await replay.open(recording)
    if (replay.overview?.path !== recording) return
    // A check's step is the state after the event it looked at (shared/trace/steps.ts).
    const atStep = replay.overview.events.filter((e) => stepAfter(e, replay.lastStep) === result.step)
    const wanted = EVENT_OF_CHECK[result.kind] ?? []
    const event = atStep.find((e) => wanted.includes(e.kind)) ?? atStep.find((e) => e.kind !== 'uart_output')
    if (event) replay.select(event)
    else {
      replay.selected = undefined
      replay.setCursor(result.step)
    }
    replay.revealTimeline()
  }

  return { labs, current, outcome, checking, switching, error, load, start, leave, check, showStep }
})
