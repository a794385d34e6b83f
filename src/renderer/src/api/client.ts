/**
 * The typed API client: the only way the renderer talks to the backend (and only stores use it).
 * Picks the Electron bridge when the preload provided one, the WebSocket otherwise.
 */
import type { ArgsOf, EventName, Events, RequestName, ResultOf } from '../../../shared/api/contract'
import type { Result } from '../../../shared/api/result'
import { ipcTransport, webSocketTransport, type Transport } from './transport'

export interface Api {
  transport: Transport['kind']
  invoke<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<Result<ResultOf<N>>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

function createApi(): Api {
  const t = window.bootscope ? ipcTransport(window.bootscope) : webSocketTransport()
  return {
    transport: t.kind,
    invoke: (name, args) => t.invoke(name, args) as never,
    on: (event, listener) => t.on(event, listener as (p: unknown) => void),
  }
}

export const api: Api = createApi()
