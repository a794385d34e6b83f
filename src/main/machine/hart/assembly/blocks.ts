/**
 * The hart's side of compiled blocks (docs/block-compiler.md): at the start of each slice of the
 * run loop, look the pc up in the entry map and call the compiled region through the imported
 * function table; when the pc has no entry, count it and, once it is hot, ask the host to compile
 * its page (an imported call that returns after the region is installed). Compiled code shares this
 * module's memory (registers, state slots, TLBs, RAM) and leaves at anything it does not do itself,
 * so the interpreter stays the reference: every trap, CSR, MMIO access and TLB miss runs here.
 *
 * A page's regions are entered only while the page is armed (PF_COMPILED): a store into the page,
 * fence.i, a host write or a restore disarms it, and the host re-checks the code bytes before
 * arming it again (self-modifying code, DMA).
 */
import {
  S_PC, S_PRIV, S_INSTRET, S_RAM_BASE, S_RAM_SIZE, S_TRACE_REGION_SHIFT, S_TRACE_REGION, TLB_FETCH, PAGE_FLAGS,
  PF_CODE, PF_COMPILED, BC_ON, BC_CODE_WRITTEN, BC_THRESHOLD, BC_COMPILED_STEPS, BC_ENTRIES, BLOCK_MAP,
  BLOCK_MAP_ENTRIES, BLOCK_HOT,
} from './layout'
import { ctxFor, dataPriv, evictStorePage, PAGE_MASK } from './mmu'
import { fetchTriggerArmed } from './triggers'
import { debugBreakpointsArmed } from './debug-stops'
import { TRACING } from './trace'

/** Asks the host to compile the code around `pc` (physical `pa`); the host installs it before returning. */
// @ts-ignore: decorator
@external('env', 'compileBlock') declare function compileBlock(pc: u64, pa: u64): void

// What a compiled region returns (the emitter's EXIT_* in src/main/machine/blocks/region.ts).
/** Control left the region (a jump elsewhere): at least one instruction retired. */
export const B_LEFT: i32 = 1
/** Stopped before an instruction the interpreter must run (S_PC); the interpreter runs exactly it. */
export const B_SLOW: i32 = 2
/** Stopped at a block whose length exceeds what is left of the slice. */
export const B_BUDGET: i32 = 3
/** Nothing compiled here (the interpreter runs a short chunk and looks again). */
export const B_NONE: i32 = 0

@inline export function blocksOn(): bool { return load<u64>(BC_ON) != 0 }

/**
 * Runs compiled code at the pc when there is any, never past `limit` retired instructions.
 * `mayCompile` is false while the slice loop is counting idle slices (a trap storm): no compile requests then.
 */
export function runCompiled(limit: u64, mayCompile: bool): i32 {
  const pc = load<u64>(S_PC)
  const priv = load<u64>(S_PRIV)
  // Fetch triggers and debugger breakpoints are checked per instruction by the interpreter only.
  if (fetchTriggerArmed(priv) || debugBreakpointsArmed()) return B_NONE
  if (TRACING) {
    // Region records are made by the interpreter's fetch path: enter only where it would record nothing.
    const shift = load<u64>(S_TRACE_REGION_SHIFT)
    if (shift != 0 && (shift < 12 || (pc >> shift) != load<u64>(S_TRACE_REGION))) return B_NONE
  }
  const e = TLB_FETCH + <usize>(((pc >> 12) & 255) << 5)
  if (load<u64>(e) != ((pc & ~PAGE_MASK) | ctxFor(priv))) return B_NONE
  const pa = load<u64>(e, 16) | (pc & PAGE_MASK)
  const off = pa - load<u64>(S_RAM_BASE)
  if (pa < load<u64>(S_RAM_BASE) || off >= load<u64>(S_RAM_SIZE)) return B_NONE
  const bucket = <usize>((pa >> 1) & (BLOCK_MAP_ENTRIES - 1))
  const m = BLOCK_MAP + (bucket << 5)
  if (load<u64>(m) == (pa | 1) && load<u64>(m, 8) == pc && (load<u8>(PAGE_FLAGS + <usize>(off >> 12)) & PF_COMPILED) != 0) {
    const before = load<u64>(S_INSTRET)
    const r = call_indirect<i32>(load<u32>(m, 16), load<u32>(m, 20), limit, ctxFor(dataPriv()))
    store<u64>(BC_COMPILED_STEPS, load<u64>(BC_COMPILED_STEPS) + (load<u64>(S_INSTRET) - before))
    store<u64>(BC_ENTRIES, load<u64>(BC_ENTRIES) + 1)
    return r
  }
  if (mayCompile) {
    // Signed: the host parks a pc it cannot compile at a negative count (back-off).
    const h = BLOCK_HOT + (bucket << 2)
    const n = load<i32>(h) + 1
    if (<i64>n >= <i64>load<u64>(BC_THRESHOLD)) {
      store<i32>(h, 0)
      compileBlock(pc, pa)
    } else {
      store<i32>(h, n)
    }
  }
  return B_NONE
}

/** The host armed the RAM page at physical `pagePa` after checking its compiled code: stores to it take the slow path. */
export function armPage(pagePa: u64): void {
  const page = <usize>((pagePa - load<u64>(S_RAM_BASE)) >> 12)
  store<u8>(PAGE_FLAGS + page, load<u8>(PAGE_FLAGS + page) | PF_CODE | PF_COMPILED)
  evictStorePage(pagePa & ~PAGE_MASK)
}

/** A store reached a code page: disarm it if it held compiled code. Returns the page's new flags. */
@inline export function disarmOnStore(flags: u8): u8 {
  if ((flags & PF_COMPILED) == 0) return flags
  store<u64>(BC_CODE_WRITTEN, 1)
  return flags & ~PF_COMPILED
}

/** Everything decoded was dropped (fence.i, host writes, restore): every compiled page must be re-checked. */
export function noteCodeFlushed(): void {
  store<u64>(BC_CODE_WRITTEN, 1)
}
