/** App-wide state: who we are talking to (version, transport, the core worker's state) and notices. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { AppInfo } from '../../../shared/api/contract'
import type { ApiError } from '../../../shared/api/result'

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo>()
  const error = ref<ApiError>()
  const notices = ref<string[]>([])

  async function load(): Promise<void> {
    const r = await api.invoke('app.info', {})
    if (r.ok) {
      info.value = r.value
      error.value = undefined
    } else error.value = r.error
  }

  api.on('core.crashed', ({ message }) => {
    notices.value.push(`${message} — a new core worker was started; recordings so far are kept.`)
    void load()
  })

  return { info, error, notices, load }
})
