/**
 * SSE/SSE2 (placeholder until the SSE subset lands): every SSE op is NOT_MINE, so it stops as an
 * unimplemented instruction naming itself.
 */
import { NOT_MINE } from './exec'

export function execSse(e: usize, op: u32, npc: u64): i32 {
  void e; void op; void npc
  return NOT_MINE
}
