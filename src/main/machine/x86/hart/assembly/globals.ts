/**
 * Small shared pieces of the x86 hart: status codes between the run loop and the slow paths,
 * exit codes (hart-api.ts X86HartExit), access kinds, and the few wasm globals helpers use to
 * return a second value (a memory access's status, the pending exception). Nothing here is part
 * of the snapshot: every value only lives between a helper's return and the loop reading it.
 */
import { S_PENDING_EXC, S_PENDING_ERR } from './layout'

// What a slow-path helper tells the run loop.
/** Done; the instruction may retire. */
export const R_OK: i32 = 0
/** An exception is pending (excVector/excError): deliver it; the instruction did not retire. */
export const R_FAULT: i32 = 1
/** Leave run() with `pendingExit`; the instruction did not retire (it re-executes on the next run). */
export const R_EXIT: i32 = 2
/** Retired, but leave the inner loop: state the loop caches (mode, CPL, CS, IF, paging) may have changed. */
export const R_RESYNC: i32 = 3
/** Retired and RIP was set in S_RIP (far transfers, iret, syscall): leave the inner loop. */
export const R_JUMP: i32 = 4
/** Retired; then deliver the pending event with the next RIP as return address (int n, int3, into, syscall-style traps). */
export const R_TRAP: i32 = 5
/** Retired and the hart halted (hlt). */
export const R_HLT: i32 = 6

// X86HartExit (hart-api.ts).
export const EXIT_STEPS_DONE: i32 = 0
export const EXIT_IO: i32 = 1
export const EXIT_MMIO: i32 = 2
export const EXIT_HLT: i32 = 3
export const EXIT_INTERRUPT_ACK: i32 = 4
export const EXIT_TRIPLE_FAULT: i32 = 5
export const EXIT_TRACE_FULL: i32 = 6
export const EXIT_MSR: i32 = 7
export const EXIT_TPR: i32 = 8
export const EXIT_UNIMPLEMENTED: i32 = 9
export const EXIT_FETCH_OUTSIDE_RAM: i32 = 10
export const EXIT_BREAKPOINT: i32 = 11
/** A debugger's breakpoint or watch (debug-stops.ts): before the instruction or access, RIP on it. */
export const EXIT_DEBUG_STOP: i32 = 12

export let pendingExit: i32 = 0
export function setExit(code: i32): i32 {
  pendingExit = code
  return R_EXIT
}

/** Set when a trace record leaves fewer than RING_SLACK free slots: the loop exits with TraceFull after the instruction. */
export let ringNearlyFull: bool = false
export function setRingNearlyFull(v: bool): void { ringNearlyFull = v }

// Access kinds (MMU, TLB selection, #PF error code).
export const ACC_READ: i32 = 0
export const ACC_WRITE: i32 = 1
export const ACC_FETCH: i32 = 2

// Event kinds for delivery.
/** A fault or abort raised by an instruction (RIP = the instruction). */
export const EV_EXCEPTION: i32 = 0
/** int n / int3 / into / int1 (RIP = the next instruction; gate DPL checked except int1). */
export const EV_SOFTWARE: i32 = 1
/** An external interrupt (acknowledged vector). */
export const EV_EXTERNAL: i32 = 2
export const EV_NMI: i32 = 3

/** The exception a helper raised (valid after R_FAULT). */
export let excVector: u32 = 0
export let excError: u32 = 0
export let excHasError: bool = false
/** Event kind of the pending event (EV_*). */
export let excKind: i32 = EV_EXCEPTION

export function setExcKind(k: i32): void { excKind = k }

/** Raises an exception without an error code; returns R_FAULT. */
export function fault(vector: u32): i32 {
  excVector = vector
  excError = 0
  excHasError = false
  excKind = EV_EXCEPTION
  return R_FAULT
}
/** Raises an exception with an error code; returns R_FAULT. */
export function faultErr(vector: u32, error: u32): i32 {
  excVector = vector
  excError = error
  excHasError = true
  excKind = EV_EXCEPTION
  return R_FAULT
}
/** A software interrupt (int n …), delivered after the instruction retires; returns R_TRAP. */
export function softInt(vector: u32): i32 {
  excVector = vector
  excError = 0
  excHasError = false
  excKind = EV_SOFTWARE
  return R_TRAP
}

/** Queues an exception to deliver at the start of the next run (completions from the host). */
export function queueException(vector: u32, error: u32): void {
  store<u64>(S_PENDING_EXC, <u64>vector + 1)
  store<u64>(S_PENDING_ERR, error)
}

/** Status of the last memory helper call (R_OK, R_FAULT or R_EXIT); the value it returned is garbage unless R_OK. */
export let mst: i32 = 0
export function setMst(s: i32): void { mst = s }

/** Size masks by operand size in bytes. */
@inline export function sizeMask(size: u64): u64 {
  // Branch-free (a select and a shift): the run loop computes it for every operand of a variable size.
  const s = select<u64>(size, 8, size < 8)
  return (<u64>-1) >> ((64 - (s << 3)) & 63)
}
/** Sign-extends the low `size` bytes. */
@inline export function sext(v: u64, size: u64): u64 {
  const s = 64 - (size << 3)
  return <u64>((<i64>(v << s)) >> s)
}
