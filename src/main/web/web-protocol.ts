/**
 * Browser mode's wire format: the contract over one WebSocket. The renderer sends `invoke`
 * messages with an id; the server answers with `result` (a `Result` value) and pushes `event`s.
 */
import type { Result } from '../../shared/api/result'

export type ClientMessage = { type: 'invoke'; id: number; name: string; args: unknown }

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown }

export const WS_PATH = '/api'
export const TOKEN_COOKIE = 'bootscope_token'
