/**
 * The renderer's two transports of the one contract: Electron IPC through the preload's bridge,
 * or browser mode's WebSocket. Both move `Result` values; neither throws across the boundary.
 */
import type { Result } from '../../../shared/api/result'

export interface Transport {
  kind: 'ipc' | 'websocket'
  invoke(name: string, args: unknown): Promise<Result<unknown>>
  on(event: string, listener: (payload: unknown) => void): () => void
}

export function ipcTransport(bridge: NonNullable<Window['bootscope']>): Transport {
  return {
    kind: 'ipc',
    invoke: (name, args) => bridge.invoke(name, args) as Promise<Result<unknown>>,
    on: (event, listener) => bridge.on(event, listener),
  }
}

type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown }

/** Browser mode: one WebSocket to `/api` on our origin (the token cookie authorises it); reconnects. */
export function webSocketTransport(): Transport {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`
  const pending = new Map<number, (r: Result<unknown>) => void>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const queue: string[] = []
  let nextId = 1
  let socket: WebSocket
  let retryMs = 250

  const open = () => {
    socket = new WebSocket(url)
    socket.onopen = () => {
      retryMs = 250
      for (const m of queue.splice(0)) socket.send(m)
    }
    socket.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage
      if (msg.type === 'result') {
        pending.get(msg.id)?.(msg.result)
        pending.delete(msg.id)
      } else {
        for (const l of listeners.get(msg.name) ?? []) l(msg.payload)
      }
    }
    socket.onclose = () => {
      for (const resolve of pending.values()) {
        resolve({ ok: false, error: { code: 'disconnected', message: 'lost the connection to Bootscope', hint: 'Is `npm run web` still running?' } })
      }
      pending.clear()
      setTimeout(open, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  open()

  return {
    kind: 'websocket',
    invoke(name, args) {
      const id = nextId++
      const text = JSON.stringify({ type: 'invoke', id, name, args })
      return new Promise((resolve) => {
        pending.set(id, resolve)
        if (socket.readyState === WebSocket.OPEN) socket.send(text)
        else queue.push(text)
      })
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)?.delete(listener)
    },
  }
}
