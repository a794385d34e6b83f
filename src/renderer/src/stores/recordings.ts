/** Past boots of this workspace, listed by the core worker from their SQLite files. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { RecordingSummary } from '../../../shared/api/boot'
import type { ApiError } from '../../../shared/api/result'

export const useRecordingsStore = defineStore('recordings', () => {
  const list = ref<RecordingSummary[]>([])
  const loaded = ref(false)
  const error = ref<ApiError>()

  async function load(): Promise<void> {
    const r = await api.invoke('recording.list', {})
    if (r.ok) {
      list.value = r.value
      error.value = undefined
    } else error.value = r.error
    loaded.value = true
  }

  return { list, loaded, error, load }
})
