/**
 * Boot runs: start (save all, then build + boot + record in the backend), live console output,
 * progress, cancel, typed input, and the problems a run reports. When a run ends its recording
 * opens in the timeline — at the fault, with its explanation, when it stopped on a trap loop.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { BootOptions, BootOutcome, BootProgress } from '../../../shared/api/boot'
import type { ApiError, Diagnostic } from '../../../shared/api/result'
import { useWorkspaceStore } from './workspace'
import { useRecordingsStore } from './recordings'
import { CLEAN_STOPS, useReplayStore } from './replay'

export const useBootStore = defineStore('boot', () => {
  const running = ref(false)
  const runId = ref<string>()
  const progress = ref<BootProgress>()
  const outcome = ref<BootOutcome>()
  const problems = ref<(ApiError | Diagnostic)[]>([])
  /** Console text of the running boot, as it arrives. */
  const live = ref('')

  api.on('boot.progress', (p) => {
    if (p.runId === runId.value) progress.value = p
  })
  api.on('boot.output', (o) => {
    if (o.runId === runId.value) live.value += o.text
  })
  api.on('build.finished', ({ diagnostics }) => {
    problems.value = diagnostics
  })
  api.on('boot.finished', async (o) => {
    if (o.runId !== runId.value) return
    outcome.value = o
    running.value = false
    if (!CLEAN_STOPS.includes(o.stop.reason)) {
      problems.value = [...problems.value, { code: `boot.${o.stop.reason}`, message: o.stop.message, hint: o.stop.hint, loc: o.stop.loc }]
    }
    await useRecordingsStore().load()
    await useReplayStore().open(o.recording)
  })

  /**
   * Starts a boot: the workspace's build (Boot, Ctrl+Enter), or `options` (an ELF the user chose,
   * with its firmware and budget). Returns the error when it could not start; a build's errors
   * also go to Problems, where their lines are linked.
   */
  async function boot(options: BootOptions = { kernel: { kind: 'build' }, bios: 'builtin' }): Promise<ApiError | undefined> {
    if (running.value) return undefined
    problems.value = []
    outcome.value = undefined
    progress.value = undefined
    live.value = ''
    await useWorkspaceStore().saveAll()
    running.value = true
    const r = await api.invoke('boot.start', options)
    if (!r.ok) {
      if (options.kernel?.kind !== 'file') problems.value = [r.error]
      running.value = false
      return r.error
    }
    runId.value = r.value.runId
    return undefined
  }

  async function cancel(): Promise<void> {
    if (runId.value) await api.invoke('boot.cancel', { runId: runId.value })
  }

  async function type(text: string): Promise<void> {
    if (runId.value && running.value) await api.invoke('boot.input', { runId: runId.value, text })
  }

  return { running, runId, progress, outcome, problems, live, boot, cancel, type }
})
