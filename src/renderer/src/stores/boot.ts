/**
 * Boot runs: start (save all, then build + boot + record in the backend), progress, cancel, and
 * the problems a run reports. Until the backend implements a step, its error is shown as is.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { BootOutcome, BootProgress } from '../../../shared/api/boot'
import type { ApiError, Diagnostic } from '../../../shared/api/result'
import { useWorkspaceStore } from './workspace'

export const useBootStore = defineStore('boot', () => {
  const running = ref(false)
  const runId = ref<string>()
  const progress = ref<BootProgress>()
  const outcome = ref<BootOutcome>()
  const problems = ref<(ApiError | Diagnostic)[]>([])

  api.on('boot.progress', (p) => {
    if (p.runId === runId.value) progress.value = p
  })
  api.on('boot.finished', (o) => {
    if (o.runId !== runId.value) return
    outcome.value = o
    running.value = false
  })

  async function boot(): Promise<void> {
    if (running.value) return
    problems.value = []
    outcome.value = undefined
    await useWorkspaceStore().saveAll()
    running.value = true
    const r = await api.invoke('boot.start', { kernel: { kind: 'build' }, bios: 'builtin' })
    if (!r.ok) {
      problems.value = [r.error]
      running.value = false
      return
    }
    runId.value = r.value.runId
  }

  async function cancel(): Promise<void> {
    if (runId.value) await api.invoke('boot.cancel', { runId: runId.value })
  }

  return { running, runId, progress, outcome, problems, boot, cancel }
})
