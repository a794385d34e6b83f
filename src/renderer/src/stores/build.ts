/**
 * The last build of the workspace: its diagnostics (shown as editor markers and problems) and the
 * linker's layout report (the layout view, and symbol addresses for editor hovers) — and, for a
 * workspace built by its bootscope.json command, that command's output as it comes.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api } from '../api/client'
import type { BuildSummary } from '../../../shared/api/build'
import type { ApiError } from '../../../shared/api/result'
import { useWorkspaceStore } from './workspace'

export const useBuildStore = defineStore('build', () => {
  const last = shallowRef<BuildSummary>()
  const building = ref(false)
  const error = ref<ApiError>()
  /** What the workspace file's build command printed during the last Build (the console shows it while it runs, and after a cancel). */
  const output = ref('')
  /** The last build was cancelled: the console keeps its output, ending with what the cancel did. */
  const cancelled = ref(false)

  async function build(): Promise<BuildSummary | undefined> {
    building.value = true
    cancelled.value = false
    output.value = ''
    try {
      await useWorkspaceStore().saveAll()
      const r = await api.invoke('build.run', {})
      if (!r.ok) {
        error.value = r.error
        return undefined
      }
      error.value = undefined
      last.value = r.value
      return r.value
    } finally {
      building.value = false
    }
  }

  /** Ends the build in progress (Build's, or the one a Boot starts with); the backend says in the output what it did. */
  async function cancel(): Promise<void> {
    cancelled.value = true // before the answer: the backend's notice may arrive first
    const r = await api.invoke('build.cancel', {})
    if (!r.ok || !r.value.cancelled) cancelled.value = false
  }

  /** What the last build did, in a line for the status bar: "built kernel.elf in 3 ms", or its errors. */
  const message = computed(() => {
    if (error.value) return { ok: false, text: `build: ${error.value.message}` }
    const b = last.value
    if (!b) return undefined
    const errors = b.diagnostics.filter((d) => d.severity === 'error').length
    const warnings = b.diagnostics.length - errors
    const ms = `${Math.max(1, Math.round(b.millis))} ms`
    if (b.cancelled) return { ok: false, text: 'build cancelled' }
    if (b.ok) {
      const file = b.elf?.path.split('/').pop() ?? 'the kernel'
      return { ok: true, text: `built ${file} in ${ms}${warnings ? ` · ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}` }
    }
    return { ok: false, text: `build failed: ${errors} error${errors === 1 ? '' : 's'} (see Problems)` }
  })

  api.on('build.finished', (summary) => {
    last.value = summary
    error.value = undefined
  })

  api.on('build.output', ({ text }) => {
    if (building.value || cancelled.value) output.value += text
  })

  return { last, building, cancelled, output, error, message, build, cancel }
})
