/**
 * Debugger stops served in the x86 hart (the contract of the RV64 hart's debug-stops.ts): a
 * debugger (the GDB stub, `find --change`) runs between stops at full speed instead of one step
 * at a time. The run ends with EXIT_DEBUG_STOP *before* the instruction at a breakpoint executes,
 * and *before* an access that would write (any byte of) a watched physical range — or read it, for
 * read watches — with nothing of the instruction done: RIP stays on it and the step is the one
 * the replay reaches by running to it.
 *
 * Breakpoints are on *linear* addresses: CS.base + RIP, as the hart fetches (QEMU's gdbstub does
 * the same). In the flat protected mode a Multiboot kernel runs in and in 64-bit mode CS.base is 0,
 * so the linear address is the RIP gdb shows and sets breakpoints on (virtual, before paging); only
 * real mode or a based code segment makes the two differ.
 *
 * Watched accesses: every load and store of an instruction (also the second half of a page-crossing
 * access, checked before any byte is written), the stack frame an exception or interrupt delivery
 * pushes (checked whole before the first push, so a stop leaves the event to be delivered again),
 * and the descriptor/gate/TSS reads of a delivery (read watches). Not watched: instruction fetches
 * and the page walker's own entry reads and A/D updates.
 *
 * `rep` string instructions: each iteration is a step, so a watched access of iteration k stops
 * with rCX/rSI/rDI of iteration k, at that step. A breakpoint on a `rep` instruction stops at its
 * first iteration only (as RF does for a hardware breakpoint), not again at every iteration.
 *
 * This is the debugger's state, not the guest's: nothing here is in the snapshot. How the loop
 * stays fast: the run loop asks `debugBreakpointsInPage` only when RIP enters a new page, and a
 * page with a breakpoint shrinks the loop's fetch-page span to 0, so each of its instructions takes
 * the page branch, which looks the breakpoint up (index.ts `inner`); a watched range keeps its
 * pages out of the read/write TLBs (PF_DEBUG_WATCH, `debugWatchedPage`), so accesses there take
 * the slow path, which checks them. With nothing armed the loop pays nothing per instruction.
 *
 * Resuming: `debugSkip(rip, instret, …)` lets the instruction (or event delivery) at that RIP and
 * step run once without stopping at its breakpoint and/or its watched access.
 */
import { PAGE_FLAGS, RAM, S_RIP, S_INSTRET, S_RAM_SIZE } from './layout'

/** Set in a RAM page's flag byte while a debugger watches bytes in it: its accesses take the slow path. */
export const PF_DEBUG_WATCH: u8 = 16
export const MAX_DEBUG_BREAKPOINTS: i32 = 64
export const MAX_DEBUG_WATCHES: i32 = 16
/** Watch kinds (bits). */
export const WATCH_WRITE: u32 = 1
export const WATCH_READ: u32 = 2

const BREAKPOINTS = memory.data(MAX_DEBUG_BREAKPOINTS * 8)
/** Per watch: pa (u64), length (u32), kinds (u32). */
const WATCHES = memory.data(MAX_DEBUG_WATCHES * 16)
let breakpointCount: i32 = 0
/** Bit (lin & 63) set when some breakpoint has those address bits: most addresses are rejected with one test. */
let breakpointMask: u64 = 0
let watchCount: i32 = 0
let readWatched: bool = false
let skipRip: u64 = 0
let skipInstret: u64 = <u64>-1
let skipBreakpoint: bool = false
let skipWatch: bool = false
/** The RIP and step of a `rep` iteration that continues the instruction (its breakpoint stopped the first). */
let repRip: u64 = <u64>-1
let repInstret: u64 = <u64>-1
/** While an event is delivered: the RIP its stop is reported at (and resumed from); -1 otherwise. */
let eventRip: u64 = <u64>-1
/** A watch stopped the current instruction or delivery (cleared by `debugTakeStop`). */
let stopped: bool = false

@inline function maskBit(lin: u64): u64 { return (<u64>1) << (lin & 63) }

/** Removes every breakpoint and watch (un-flags the watched pages); the caller flushes the TLBs. */
export function debugStopsClear(): void {
  for (let i = 0; i < watchCount; i++) flagPages(load<u64>(WATCHES + (<usize>i << 4)), load<u32>(WATCHES + (<usize>i << 4), 8), false)
  breakpointCount = 0
  breakpointMask = 0
  watchCount = 0
  readWatched = false
  skipInstret = <u64>-1
  skipBreakpoint = false
  skipWatch = false
  stopped = false
}

/** Adds a breakpoint at linear address `lin`; false when the table is full. */
export function debugBreakpointAdd(lin: u64): bool {
  if (breakpointCount >= MAX_DEBUG_BREAKPOINTS) return false
  store<u64>(BREAKPOINTS + (<usize>breakpointCount << 3), lin)
  breakpointCount++
  breakpointMask |= maskBit(lin)
  return true
}

/** Watches [pa, pa + length) for `kinds` (WATCH_WRITE | WATCH_READ); false when the table is full. */
export function debugWatchAdd(pa: u64, length: u32, kinds: u32): bool {
  if (watchCount >= MAX_DEBUG_WATCHES || length == 0) return false
  const w = WATCHES + (<usize>watchCount << 4)
  store<u64>(w, pa)
  store<u32>(w, length, 8)
  store<u32>(w, kinds, 12)
  watchCount++
  if (kinds & WATCH_READ) readWatched = true
  flagPages(pa, length, true)
  return true
}

/** The instruction (or delivery) at this RIP and step does not stop at its breakpoint and/or its watched access. */
export function debugSkip(rip: u64, instret: u64, breakpoint: bool, watch: bool): void {
  skipRip = rip
  skipInstret = instret
  skipBreakpoint = breakpoint
  skipWatch = watch
}

function flagPages(pa: u64, length: u32, on: bool): void {
  const size = load<u64>(S_RAM_SIZE)
  for (let p = pa & ~(<u64>0xfff); p < pa + <u64>length; p += 4096) {
    if (p >= size) continue
    const at = PAGE_FLAGS + <usize>(p >> 12)
    const f = load<u8>(at)
    store<u8>(at, on ? f | PF_DEBUG_WATCH : f & ~PF_DEBUG_WATCH)
  }
}

// ---- breakpoints --------------------------------------------------------------------------------

/** Whether any breakpoint is set (asked when RIP enters a page, with `debugBreakpointsInPage`). */
@inline export function debugBreakpointsArmed(): bool { return breakpointCount != 0 }

/** Whether any breakpoint lies in the linear page starting at `linPage` (asked when RIP enters a page). */
export function debugBreakpointsInPage(linPage: u64): bool {
  for (let i = 0; i < breakpointCount; i++) if ((load<u64>(BREAKPOINTS + (<usize>i << 3)) & ~(<u64>0xfff)) == linPage) return true
  return false
}

/** A breakpoint at linear `lin` (instruction `rip`, step `instret`), and not the stop being resumed from nor a `rep` continuation. */
export function debugBreakpointHit(lin: u64, rip: u64, instret: u64): bool {
  if ((breakpointMask & maskBit(lin)) == 0) return false
  if (skipBreakpoint && rip == skipRip && instret == skipInstret) return false
  if (rip == repRip && instret == repInstret) return false
  for (let i = 0; i < breakpointCount; i++) if (load<u64>(BREAKPOINTS + (<usize>i << 3)) == lin) return true
  return false
}

/** The next step at `rip` continues a `rep` instruction (its breakpoint already stopped the first iteration). */
export function debugRepContinues(rip: u64, instret: u64): void {
  repRip = rip
  repInstret = instret
}

// ---- watches ------------------------------------------------------------------------------------

@inline export function debugWatchesArmed(): bool { return watchCount != 0 }

/** A skip is waiting for the instruction at this step: run it as a one-step slice, so S_RIP / S_INSTRET name it exactly. */
export function debugSkipAt(instret: u64): bool { return (skipWatch || skipBreakpoint) && instret == skipInstret }

/** Whether host page `host` is watched, so its TLB entries must not be filled for stores (`isStore`) or loads. */
export function debugWatchedPage(host: usize, isStore: bool): bool {
  if (watchCount == 0 || host < RAM || (!isStore && !readWatched)) return false
  return (load<u8>(PAGE_FLAGS + ((host - RAM) >> 12)) & PF_DEBUG_WATCH) != 0
}

/** Sets the RIP a delivery's stop is reported at (the interrupted or trapping instruction); -1 when it ends. */
export function debugEventRip(rip: u64): void { eventRip = rip }

/**
 * An access of `size` bytes at `pa` (a store when `isStore`) touches a watch of that kind, and is
 * not the instruction being resumed. Notes the stop (`debugTakeStop`).
 */
export function debugWatchHit(pa: u64, size: u64, isStore: bool): bool {
  if (watchCount == 0) return false
  const kind = isStore ? WATCH_WRITE : WATCH_READ
  for (let i = 0; i < watchCount; i++) {
    const w = WATCHES + (<usize>i << 4)
    if ((load<u32>(w, 12) & kind) == 0) continue
    const wpa = load<u64>(w)
    if (pa < wpa + <u64>load<u32>(w, 8) && wpa < pa + size) {
      const rip = eventRip != <u64>-1 ? eventRip : load<u64>(S_RIP)
      if (skipWatch && rip == skipRip && load<u64>(S_INSTRET) == skipInstret) return false
      stopped = true
      return true
    }
  }
  return false
}

/** Whether a watch stopped the instruction or delivery since the last call (and forgets it). */
export function debugTakeStop(): bool {
  const s = stopped
  stopped = false
  return s
}
