/** App-wide state: who we are talking to (version, transport, the core worker's state), the execution engine, and notices. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '../api/client'
import type { AppInfo } from '../../../shared/api/contract'
import { ENGINE_NAMES, type EngineName } from '../../../shared/api/core'
import type { ApiError } from '../../../shared/api/result'

/** Where the user's choice of engine is kept (this browser profile / the desktop app's storage). */
const ENGINE_KEY = 'bootscope.engine'

function savedEngine(): EngineName | undefined {
  const v = localStorage.getItem(ENGINE_KEY)
  return (ENGINE_NAMES as readonly string[]).includes(v ?? '') ? (v as EngineName) : undefined
}

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo>()
  const error = ref<ApiError>()
  const notices = ref<string[]>([])
  /** How the core's harts run guest code: compiled blocks or the interpreter (same results; the choice is kept). */
  const engine = computed(() => info.value?.core.engine)

  async function load(): Promise<void> {
    const wanted = savedEngine()
    if (wanted) {
      const set = await api.invoke('engine.set', { engine: wanted })
      if (!set.ok) notices.value.push(`The execution engine stays as it was: ${set.error.message}`)
    }
    const r = await api.invoke('app.info', {})
    if (r.ok) {
      info.value = r.value
      error.value = undefined
    } else error.value = r.error
  }

  /** Chooses the engine for the next boots, replays and lab checks, and keeps the choice. */
  async function setEngine(next: EngineName): Promise<void> {
    const r = await api.invoke('engine.set', { engine: next })
    if (!r.ok) {
      notices.value.push(`Could not change the execution engine: ${r.error.message}`)
      return
    }
    localStorage.setItem(ENGINE_KEY, r.value.engine)
    if (info.value) info.value = { ...info.value, core: { ...info.value.core, engine: r.value.engine } }
  }

  api.on('core.crashed', ({ message }) => {
    notices.value.push(`${message} — a new core worker was started; recordings so far are kept.`)
    void load()
  })

  return { info, error, notices, engine, load, setEngine }
})
