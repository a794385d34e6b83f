/**
 * The last build of the workspace: its diagnostics (shown as editor markers and problems) and the
 * linker's layout report (the layout view, and symbol addresses for editor hovers).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api } from '../api/client'
import type { BuildSummary } from '../../../shared/api/build'
import type { ApiError } from '../../../shared/api/result'
import { useWorkspaceStore } from './workspace'

export const useBuildStore = defineStore('build', () => {
  const last = shallowRef<BuildSummary>()
  const building = ref(false)
  const error = ref<ApiError>()

  async function build(): Promise<BuildSummary | undefined> {
    building.value = true
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

  api.on('build.finished', (summary) => {
    last.value = summary
  })

  return { last, building, error, build }
})
