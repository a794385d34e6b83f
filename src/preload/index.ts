/**
 * The preload: exposes exactly two functions to the sandboxed renderer, `invoke` for the
 * contract's requests and `on` for its events, through contextBridge. Anything not named in the
 * contract is refused here before it reaches the main process.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { EVENT_NAMES, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, isRequestName } from '../shared/api/contract'

const bridge = {
  invoke(name: string, args: unknown): Promise<unknown> {
    if (!isRequestName(name)) return Promise.resolve({ ok: false, error: { code: 'unknown_request', message: `unknown request '${name}'` } })
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, args)
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) return () => {}
    const wrapped = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped)
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped)
  },
}

contextBridge.exposeInMainWorld('bootscope', bridge)
