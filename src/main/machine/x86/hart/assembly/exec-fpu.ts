/**
 * x87 floating point (placeholder until the x87 subset lands): every x87 op is NOT_MINE, so it
 * stops as an unimplemented instruction naming itself.
 */
import { NOT_MINE } from './exec'

export function execFpu(e: usize, op: u32, npc: u64): i32 {
  void e; void op; void npc
  return NOT_MINE
}
