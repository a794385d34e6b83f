/**
 * Trace hooks (traced build only: compiled with `--use TRACE=1`; in the untraced build every
 * `if (TRACING)` folds away, so recording has no cost there). Records are fixed-size and go into
 * one ring in wasm memory that the host drains (layout and kinds in `../trace-layout.ts`). Hooks
 * sit only on slow paths — control-register and MSR writes, event delivery, iret, far transfers,
 * descriptor-table loads, invlpg, page walks, stores into watched pages (never in the write TLB)
 * and fetch-page changes — so the hot loop pays nothing per instruction but remembering RIP.
 */
import { RING, RING_RECORDS, RING_RECORD_BYTES, RING_SLACK, S_INSTRET, S_RING_HEAD, S_RING_TAIL, S_TRACE_SKIP } from './layout'
import { setRingNearlyFull } from './globals'

// @ts-ignore: decorator
@lazy export const TRACING: bool = isDefined(TRACE)

// Record kinds (mirrored in ../trace-layout.ts X86_TRACE_KIND).
export const T_STORE: u32 = 1
export const T_CR: u32 = 2
export const T_EXC: u32 = 3
export const T_IRET: u32 = 4
export const T_INVLPG: u32 = 5
export const T_WALK: u32 = 6
export const T_REGION: u32 = 7
export const T_FAR: u32 = 8
export const T_DTR: u32 = 9
export const T_MODE: u32 = 10
export const T_MSR: u32 = 11
export const T_SHUTDOWN: u32 = 12

/** Is `kind` recorded (the host did not turn it off)? */
export function traced(kind: u32): bool {
  return ((load<u64>(S_TRACE_SKIP) >> <u64>kind) & 1) == 0
}

/** Appends one record: step, kind, aux, a, b, c, d — unless the host turned its kind off (S_TRACE_SKIP). */
export function record(kind: u32, aux: u32, a: u64, b: u64, c: u64, d: u64): void {
  if (((load<u64>(S_TRACE_SKIP) >> <u64>kind) & 1) != 0) return
  const head = load<u64>(S_RING_HEAD)
  const tail = load<u64>(S_RING_TAIL)
  if (head - tail >= RING_RECORDS) return // cannot happen: the loop exits before the ring fills
  const r = RING + <usize>(head % RING_RECORDS) * RING_RECORD_BYTES
  store<u64>(r, load<u64>(S_INSTRET), 0)
  store<u32>(r, kind, 8)
  store<u32>(r, aux, 12)
  store<u64>(r, a, 16)
  store<u64>(r, b, 24)
  store<u64>(r, c, 32)
  store<u64>(r, d, 40)
  store<u64>(S_RING_HEAD, head + 1)
  if (head + 1 - tail >= RING_RECORDS - RING_SLACK) setRingNearlyFull(true)
}
