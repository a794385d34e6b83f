/**
 * Browser mode's wire format: the contract over one WebSocket. The renderer sends `invoke`
 * messages with an id; the server answers with `result` (a `Result` value) and pushes `event`s.
 * A message that is not an `invoke` envelope closes the connection with a WebSocket status code
 * (RFC 6455 §7.4.1); the envelope's `name` and `args` are then checked against the contract.
 */
import type { Result } from '../../shared/api/result'

export type ClientMessage = { type: 'invoke'; id: number; name: string; args: unknown }

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown }

export const WS_PATH = '/api'
export const TOKEN_COOKIE = 'bootscope_token'

/** The close codes we send ourselves (RFC 6455 §7.4.1); ws sends 1002, 1007 and 1009 for bad frames. */
export const WS_CLOSE = {
  /** 1003: a binary message; the contract travels as JSON text. */
  unsupportedData: 1003,
  /** 1008: text that is not an `invoke` envelope. */
  policyViolation: 1008,
} as const

/** The `invoke` envelope of a text message, or undefined when it is not one. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return undefined
  }
  if (msg === null || typeof msg !== 'object') return undefined
  const m = msg as Record<string, unknown>
  if (m.type !== 'invoke' || !Number.isSafeInteger(m.id) || typeof m.name !== 'string') return undefined
  return { type: 'invoke', id: m.id as number, name: m.name, args: m.args }
}
