/**
 * Out-of-line execution: the run loop calls `execSlow` for every op it does not run inline. Each
 * exec-*.ts file handles one family (integer extras, strings and port I/O, system, far transfers,
 * x87, SSE) and answers NOT_MINE for ops it does not know; an op nobody handles is an instruction
 * the table has but the hart does not implement — a #UD that names it (and, by default, an
 * `Unimplemented` exit first, so it is never a silent wrong result).
 */
import {
  S_RIP, S_INSTRET, S_UD_VALID, S_UD_RIP, S_UD_REASON, S_UD_ROW, S_UD_STEP, S_UD_LEN, S_UD_BYTES, S_CPL,
  S_STOP_ON_UNIMPL, S_MODE, SEGS, SEG_CS, SEG_EBASE,
} from './layout'
import { R_EXIT, fault, setExit, queueException, EXIT_UNIMPLEMENTED, ACC_FETCH } from './globals'
import { E_ROW } from './decode'
import { translate, xHost, PAGE_MASK } from './mmu'
import { VEC_UD, MODE_LONG64 } from './spec.generated'
import { execCommon } from './exec-common'
import { execInt } from './exec-int'
import { execString } from './exec-string'
import { execSystem } from './exec-system'
import { execSeg } from './exec-seg'
import { execFar } from './exec-far'
import { execFpu } from './exec-fpu'
import { execSse } from './exec-sse'

/** An exec-*.ts function's answer for an op outside its family. */
export const NOT_MINE: i32 = -1
/** Retired one step, but RIP stays on the instruction (one iteration of a rep string instruction). */
export const R_STAY: i32 = 7
/** Retired; then leave run() with `pendingExit` (mov cr8 → Tpr). */
export const R_DONE_EXIT: i32 = 8
/** Retired and S_RIP holds the target of a near branch: the run loop continues at it (nothing it caches changed). */
export const R_BRANCH: i32 = 9

export const UD_INVALID: u64 = 1
export const UD_UNIMPLEMENTED: u64 = 2

/** Runs an op the loop does not run inline. S_RIP and S_INSTRET are current; npc is the next RIP. */
export function execSlow(e: usize, op: u32, npc: u64): i32 {
  let r = execCommon(e, op, npc)
  if (r != NOT_MINE) return r
  r = execInt(e, op, npc)
  if (r != NOT_MINE) return r
  r = execString(e, op, npc)
  if (r != NOT_MINE) return r
  r = execSystem(e, op, npc)
  if (r != NOT_MINE) return r
  r = execSeg(e, op, npc)
  if (r != NOT_MINE) return r
  r = execFar(e, op, npc)
  if (r != NOT_MINE) return r
  r = execFpu(e, op, npc)
  if (r != NOT_MINE) return r
  r = execSse(e, op, npc)
  if (r != NOT_MINE) return r
  return unimplemented(e)
}

/** An instruction (or a form of one, e.g. a far call through a call gate) the hart does not execute. */
export function unimplemented(e: usize): i32 {
  noteUndefined(load<u64>(S_RIP), UD_UNIMPLEMENTED, <i32>load<u16>(e, E_ROW))
  if (load<u64>(S_STOP_ON_UNIMPL) != 0) {
    queueException(VEC_UD, 0) // delivered by the next run, unless the host stops here
    return setExit(EXIT_UNIMPLEMENTED)
  }
  return fault(VEC_UD)
}

/** Records the last #UD (RIP, reason, table row, step and the instruction bytes) for the stop explanation. */
export function noteUndefined(rip: u64, reason: u64, row: i32): void {
  store<u64>(S_UD_VALID, 1)
  store<u64>(S_UD_RIP, rip)
  store<u64>(S_UD_REASON, reason)
  store<u64>(S_UD_ROW, <u64><i64>row)
  store<u64>(S_UD_STEP, load<u64>(S_INSTRET))
  store<u64>(S_UD_BYTES, 0)
  store<u64>(S_UD_BYTES + 8, 0)
  // Copy up to 15 bytes from RIP without side effects (no A/D updates, no faults).
  const long = load<u64>(S_MODE) == MODE_LONG64
  let lin = load<u64>(SEGS + <usize>SEG_CS * 64 + SEG_EBASE) + rip
  if (!long) lin &= 0xffffffff
  const user = load<u64>(S_CPL) == 3
  let n: u64 = 0
  while (n < 15) {
    if (!translate(lin + n, ACC_FETCH, user, false, 0) || xHost == 0) break
    const room = 4096 - ((lin + n) & PAGE_MASK)
    const h = xHost + <usize>((lin + n) & PAGE_MASK)
    for (let k: u64 = 0; k < room && n < 15; k++) {
      store<u8>(S_UD_BYTES + <usize>n, load<u8>(h + <usize>k))
      n++
    }
  }
  store<u64>(S_UD_LEN, n)
}

