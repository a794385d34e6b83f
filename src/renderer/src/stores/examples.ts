/**
 * "New workspace from example": the built-in examples, opening one as the workspace (its README
 * beside the code, as on a first start) and going back to the workspace the app was opened with.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { ExampleSummary } from '../../../shared/api/example'
import type { ApiError } from '../../../shared/api/result'
import { switchWorkspace } from './workspace-switch'

export const useExamplesStore = defineStore('examples', () => {
  const examples = ref<ExampleSummary[]>([])
  const switching = ref(false)
  const error = ref<ApiError>()

  async function load(): Promise<void> {
    const r = await api.invoke('example.list', {})
    if (r.ok) examples.value = r.value
    else error.value = r.error
  }

  async function switchTo(request: () => ReturnType<typeof api.invoke<'example.open'>>): Promise<void> {
    if (switching.value) return
    switching.value = true
    try {
      // Opening an example leaves a lab the backend had open (switchWorkspace forgets it).
      const r = await switchWorkspace(request)
      if (!r.ok) {
        error.value = r.error
        return
      }
      error.value = undefined
      await load()
    } finally {
      switching.value = false
    }
  }

  const open = (id: string) => switchTo(() => api.invoke('example.open', { id }))
  const close = () => switchTo(() => api.invoke('example.close', {}))

  return { examples, switching, error, load, open, close }
})
