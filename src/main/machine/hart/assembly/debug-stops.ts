/**
 * Debugger stops served in the hart, so a debugger (the GDB stub, issue 16) runs between stops at
 * full speed instead of one step at a time: breakpoints on PCs, and watched physical ranges. The
 * run ends with EXIT_DEBUG_STOP *before* the instruction at a breakpoint executes, and *before* a
 * store, AMO or SC that would write (any byte of) a watched range (or read it, for read watches)
 * executes: the pc stays on the instruction and nothing of it has happened, so the machine is
 * exactly at a step the replay can reach.
 *
 * This is the debugger's state, not the guest's: nothing here is in the snapshot, and no guest
 * behaviour changes. How the loop stays fast, as with the guest's own triggers (triggers.ts):
 * breakpoints are looked at per instruction only while any is set (`debugBreakpointsArmed`,
 * re-derived at every entry of the inner loop); a watched range keeps its pages out of the store
 * TLB (PF_DEBUG_WATCH; out of the load TLB too for read watches, see `debugWatchedPage`), so accesses
 * there take the slow path, which checks the range.
 *
 * Compiled code (blocks.ts, docs/block-compiler.md) keeps the same stops: the host compiles every
 * breakpoint pc as a stop before the instruction (BlockEngine.setStopPcs), the hart does not enter
 * compiled code at a breakpoint pc (`debugBreakpointAt`), and compiled accesses to watched pages
 * miss the TLB, so compiled code stops before them: the interpreter then runs that instruction and
 * stops exactly where it stops without compiled code.
 *
 * Resuming from a stop: `debugSkip(pc, instret, …)` lets the instruction at that pc and step run
 * without stopping at its breakpoint and/or its watched access (a debugger continuing from there).
 */
import { PAGE_FLAGS, PF_DEBUG_WATCH, RAM, S_PC, S_INSTRET, S_RAM_BASE, S_RAM_SIZE } from './layout'

export const MAX_DEBUG_BREAKPOINTS: i32 = 64
export const MAX_DEBUG_WATCHES: i32 = 16
/** Watch kinds (bits). */
export const WATCH_WRITE: u32 = 1
export const WATCH_READ: u32 = 2

const BREAKPOINTS = memory.data(MAX_DEBUG_BREAKPOINTS * 8)
/** Per watch: pa (u64), length (u32), kinds (u32). */
const WATCHES = memory.data(MAX_DEBUG_WATCHES * 16)
let breakpointCount: i32 = 0
/** Bit ((pc >> 1) & 63) set when some breakpoint has those pc bits: most pcs are rejected with one test. */
let breakpointMask: u64 = 0
let watchCount: i32 = 0
/** Some watch is a read watch: loads to watched pages must take the slow path too. */
let readWatched: bool = false
let skipPc: u64 = 0
let skipInstret: u64 = <u64>-1
let skipBreakpoint: bool = false
let skipWatch: bool = false

@inline function maskBit(pc: u64): u64 { return (<u64>1) << ((pc >> 1) & 63) }

/** Removes every breakpoint and watch (un-flags the watched pages). */
export function debugStopsClear(): void {
  for (let i = 0; i < watchCount; i++) flagPages(load<u64>(WATCHES + (<usize>i << 4)), load<u32>(WATCHES + (<usize>i << 4), 8), false)
  breakpointCount = 0
  breakpointMask = 0
  watchCount = 0
  readWatched = false
  skipInstret = <u64>-1
  skipBreakpoint = false
  skipWatch = false
}

/** Adds a breakpoint at `pc`; false when the table is full. */
export function debugBreakpointAdd(pc: u64): bool {
  if (breakpointCount >= MAX_DEBUG_BREAKPOINTS) return false
  store<u64>(BREAKPOINTS + (<usize>breakpointCount << 3), pc)
  breakpointCount++
  breakpointMask |= maskBit(pc)
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

/** The instruction at this pc and step does not stop at its breakpoint and/or its watched access (resuming from a stop there). */
export function debugSkip(pc: u64, instret: u64, breakpoint: bool, watch: bool): void {
  skipPc = pc
  skipInstret = instret
  skipBreakpoint = breakpoint
  skipWatch = watch
}

function flagPages(pa: u64, length: u32, on: bool): void {
  const base = load<u64>(S_RAM_BASE)
  const size = load<u64>(S_RAM_SIZE)
  for (let p = pa & ~(<u64>0xfff); p < pa + <u64>length; p += 4096) {
    if (p < base || p - base >= size) continue
    const at = PAGE_FLAGS + <usize>((p - base) >> 12)
    const f = load<u8>(at)
    store<u8>(at, on ? f | PF_DEBUG_WATCH : f & ~PF_DEBUG_WATCH)
  }
}

/** Whether the inner loop must look at every pc (re-derived at each entry of the loop). */
@inline export function debugBreakpointsArmed(): bool { return breakpointCount != 0 }

/** A breakpoint at `pc`, whether or not it is the stop being resumed from (compiled code stops before it either way). */
export function debugBreakpointAt(pc: u64): bool {
  if ((breakpointMask & maskBit(pc)) == 0) return false
  for (let i = 0; i < breakpointCount; i++) if (load<u64>(BREAKPOINTS + (<usize>i << 3)) == pc) return true
  return false
}

/** Whether any watch is set (compiled code's MMIO reads then leave the access to the interpreter, which checks it). */
@inline export function debugWatchesArmed(): bool { return watchCount != 0 }

/** A breakpoint at `pc`, and not the stop being resumed from. */
export function debugBreakpointHit(pc: u64, instret: u64): bool {
  if ((breakpointMask & maskBit(pc)) == 0) return false
  if (skipBreakpoint && pc == skipPc && instret == skipInstret) return false
  for (let i = 0; i < breakpointCount; i++) if (load<u64>(BREAKPOINTS + (<usize>i << 3)) == pc) return true
  return false
}

/** Whether host page `host` (from xHostPage) is watched, so its TLB entries must not be filled for `store`s (or loads). */
export function debugWatchedPage(host: usize, isStore: bool): bool {
  if (watchCount == 0 || host < RAM || (!isStore && !readWatched)) return false
  return (load<u8>(PAGE_FLAGS + ((host - RAM) >> 12)) & PF_DEBUG_WATCH) != 0
}

/**
 * An access of `size` bytes at `pa` (a store when `isStore`) touches a watch of that kind, and is
 * not the instruction being resumed (S_PC / S_INSTRET, stored by the loop before the slow path).
 */
export function debugWatchHit(pa: u64, size: u64, isStore: bool): bool {
  if (watchCount == 0) return false
  const kind = isStore ? WATCH_WRITE : WATCH_READ
  for (let i = 0; i < watchCount; i++) {
    const w = WATCHES + (<usize>i << 4)
    if ((load<u32>(w, 12) & kind) == 0) continue
    const wpa = load<u64>(w)
    if (pa < wpa + <u64>load<u32>(w, 8) && wpa < pa + size) {
      return !(skipWatch && load<u64>(S_PC) == skipPc && load<u64>(S_INSTRET) == skipInstret)
    }
  }
  return false
}
