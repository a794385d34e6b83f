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
  S_PC, S_PRIV, S_INSTRET, S_RAM_BASE, S_RAM_SIZE, S_TRACE_REGION_SHIFT, S_TRACE_REGION, S_TRACE_WALKS, TLB_FETCH, PAGE_FLAGS,
  PF_CODE, PF_COMPILED, BC_ON, BC_CODE_WRITTEN, BC_THRESHOLD, BC_COMPILED_STEPS, BC_ENTRIES, BC_CSR_VALUE, BC_EXITS_LEFT, BC_EXITS_SLOW, BC_EXITS_BUDGET, BLOCK_MAP,
  BLOCK_MAP_ENTRIES, BLOCK_HOT,
} from './layout'
import { ctxFor, dataPriv, evictStorePage, translate, tlbFill, tlbGlobalHit, tlbBase, xHostPage, xPa, PAGE_MASK } from './mmu'
import { uartMirrorRead } from './uart-mirror'
import { fetchTriggerArmed, dataTriggerPage } from './triggers'
import { ACC_LOAD, ACC_STORE } from './globals'
import { csrAllowed, csrRead, csrOk } from './csr'
import { debugBreakpointsArmed, debugBreakpointAt, debugWatchesArmed } from './debug-stops'
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
/** Nothing compiled at this pc, but its page has compiled code (the interpreter runs a very short chunk: an entry is near). */
export const B_NEAR: i32 = 4

@inline export function blocksOn(): bool { return load<u64>(BC_ON) != 0 }

/**
 * Runs compiled code at the pc when there is any, never past `limit` retired instructions.
 * `mayCompile` is false while the slice loop is counting idle slices (a trap storm): no compile requests then.
 *
 * A region that jumps out of itself (B_LEFT) is followed here by the region at the new pc, without
 * going back through the slice loop: nothing compiled code does can make an interrupt pending or
 * change the slice's limit, so the loop's checks would find what they found before this call.
 */
export function runCompiled(limit: u64, mayCompile: bool): i32 {
  const priv = load<u64>(S_PRIV)
  // Fetch triggers are checked per instruction by the interpreter only.
  if (fetchTriggerArmed(priv)) return B_NONE
  // A debugger's breakpoints: compiled code stops before every breakpoint pc (the host compiles
  // them as stops), and is not entered at one — the interpreter runs exactly that instruction (B_SLOW),
  // stopping there unless it is the stop being resumed from.
  const debugBrk = debugBreakpointsArmed()
  const ctx = ctxFor(priv)
  const dctx = ctxFor(dataPriv())
  const before = load<u64>(S_INSTRET)
  let calls: u64 = 0
  let r = B_NONE
  while (true) {
    if (debugBrk && debugBreakpointAt(load<u64>(S_PC))) {
      r = B_SLOW
      break
    }
    const m = entryFor(load<u64>(S_PC), ctx)
    if (m == 0) {
      if (calls == 0 && mayCompile) r = countHot(load<u64>(S_PC), ctx)
      break
    }
    // The entry's straight-line run (host-computed) must fit in what is left of the slice.
    if (load<u64>(S_INSTRET) + <u64>load<u32>(m, 24) > limit) {
      r = B_BUDGET
      break
    }
    r = call_indirect<i32>(load<u32>(m, 16), load<u32>(m, 20), limit, dctx)
    calls++
    const counter = r == B_LEFT ? BC_EXITS_LEFT : r == B_SLOW ? BC_EXITS_SLOW : BC_EXITS_BUDGET
    store<u64>(counter, load<u64>(counter) + 1)
    if (r != B_LEFT || load<u64>(S_INSTRET) >= limit) break
  }
  if (calls != 0) {
    store<u64>(BC_COMPILED_STEPS, load<u64>(BC_COMPILED_STEPS) + (load<u64>(S_INSTRET) - before))
    store<u64>(BC_ENTRIES, load<u64>(BC_ENTRIES) + calls)
    // Something ran: the slice loop takes over as after any jump out of a region.
    if (r == B_NONE || r == B_NEAR || r == B_BUDGET) return B_LEFT
  }
  return r
}

/** The entry-map entry for `pc` (fetch context `ctx`) when its page is armed and may be entered now, else 0. */
function entryFor(pc: u64, ctx: u64): usize {
  if (TRACING) {
    // Region records are made by the interpreter's fetch path: enter only where it would record nothing.
    const shift = load<u64>(S_TRACE_REGION_SHIFT)
    if (shift != 0 && (shift < 12 || (pc >> shift) != load<u64>(S_TRACE_REGION))) return 0
  }
  const e = TLB_FETCH + <usize>(((pc >> 12) & 255) << 5)
  if (load<u64>(e) != ((pc & ~PAGE_MASK) | ctx)) return 0
  const pa = load<u64>(e, 16) | (pc & PAGE_MASK)
  const off = pa - load<u64>(S_RAM_BASE)
  if (pa < load<u64>(S_RAM_BASE) || off >= load<u64>(S_RAM_SIZE)) return 0
  const m = BLOCK_MAP + (<usize>((pa >> 1) & (BLOCK_MAP_ENTRIES - 1)) << 5)
  if (load<u64>(m) == (pa | 1) && load<u64>(m, 8) == pc && (load<u8>(PAGE_FLAGS + <usize>(off >> 12)) & PF_COMPILED) != 0) return m
  return 0
}

/** A slice start at `pc` with nothing compiled: count it, and ask for its page once it is hot. B_NEAR when the page has compiled code, else B_NONE. */
function countHot(pc: u64, ctx: u64): i32 {
  const e = TLB_FETCH + <usize>(((pc >> 12) & 255) << 5)
  if (load<u64>(e) != ((pc & ~PAGE_MASK) | ctx)) return B_NONE
  const pa = load<u64>(e, 16) | (pc & PAGE_MASK)
  const off = pa - load<u64>(S_RAM_BASE)
  if (pa < load<u64>(S_RAM_BASE) || off >= load<u64>(S_RAM_SIZE)) return B_NONE
  // Signed: the host parks a pc it cannot compile at a negative count (back-off).
  const h = BLOCK_HOT + (<usize>((pa >> 1) & (BLOCK_MAP_ENTRIES - 1)) << 2)
  const n = load<i32>(h) + 1
  if (<i64>n >= <i64>load<u64>(BC_THRESHOLD)) {
    store<i32>(h, 0)
    compileBlock(pc, pa)
  } else {
    store<i32>(h, n)
  }
  return (load<u8>(PAGE_FLAGS + <usize>(off >> 12)) & PF_COMPILED) != 0 ? B_NEAR : B_NONE
}

/**
 * Compiled code's TLB miss (`va` a load or, `isStore` ≠ 0, a store, inside one page up to offset
 * 0xff8): fills the data TLB entry exactly as the interpreter's slow path would before an access
 * that succeeds, and returns 1 when the entry now holds the page for the current data context.
 * Returns 0 — leaving everything as it was, apart from the A/D bits a successful walk sets, which
 * the interpreter's own walk would set too — whenever the access is not plain RAM the fast path
 * may touch (a fault, MMIO, ROM stores, triggers, watched, code or exit pages): compiled code then
 * stops before the instruction and the interpreter runs it. Traced walks are recorded by the
 * interpreter at the exact step, so with walk tracing on this always answers 0.
 */
export function blockRefill(va: u64, isStore: i32): i32 {
  if (TRACING) {
    if (load<u64>(S_TRACE_WALKS) != 0) return 0
  }
  if ((va & PAGE_MASK) > 0xff8 || dataTriggerPage(va)) return 0
  const acc = isStore != 0 ? ACC_STORE : ACC_LOAD
  const p = dataPriv()
  const ctx = ctxFor(p)
  if (!tlbGlobalHit(acc, va, ctx)) {
    if (!translate(va, acc, p, 8) || xHostPage == 0) return 0
    tlbFill(acc, va, ctx)
  }
  return load<u64>(tlbBase(acc) + <usize>(((va >> 12) & 255) << 5)) == ((va & ~PAGE_MASK) | ctx) ? 1 : 0
}

/**
 * Compiled code's byte load that is not RAM (`blockRefill` answered 0 for it): when it reads a UART
 * register the device's mirror serves without a side effect (`uart-mirror.ts`: the line status a
 * guest polls), puts the byte at BC_CSR_VALUE and returns 1 — the same read, input-poll streak
 * included, the interpreter's loadSlow does at this step (compiled code stored S_INSTRET first:
 * the streak reads mtime). Anything else returns 0 and the interpreter runs the load: faults, other
 * MMIO, triggers, and traced walks (recorded by the interpreter at the exact step).
 */
export function blockMmioRead(va: u64): i32 {
  if (TRACING) {
    if (load<u64>(S_TRACE_WALKS) != 0) return 0
  }
  if (dataTriggerPage(va) || debugWatchesArmed()) return 0 // a watched device register: the interpreter checks the watch
  if (!translate(va, ACC_LOAD, dataPriv(), 1) || xHostPage != 0) return 0
  const v = uartMirrorRead(xPa, 1)
  if (v < 0) return 0
  store<u64>(BC_CSR_VALUE, <u64>v)
  return 1
}

/**
 * Compiled code's read-only CSR access (csrrs/csrrc with rs1 = x0, csrrsi/csrrci with uimm = 0:
 * no write, so no side effect and no trace record): with S_INSTRET already holding the step of the
 * instruction, checks access as execCsr does and puts the value at BC_CSR_VALUE. Returns 0 when
 * the access is illegal — compiled code then stops before it and the interpreter raises the trap.
 */
export function blockCsrRead(csr: u32): i32 {
  if (!csrAllowed(csr, false)) return 0
  const v = csrRead(csr)
  if (!csrOk) return 0
  store<u64>(BC_CSR_VALUE, v)
  return 1
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
