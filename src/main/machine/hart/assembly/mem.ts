/**
 * Slow paths of loads, stores and atomics: TLB misses, accesses that straddle a page,
 * MMIO (leave the loop with HartExit.Mmio; `completeMmio` finishes the instruction — except UART
 * reads the device's mirror can serve, `uart-mirror.ts`), the boot
 * ROM (read-only: stores are ignored, as QEMU ignores writes to virt's mrom), LR/SC and AMOs.
 *
 * Misaligned accesses: QEMU 7.2 performs misaligned ordinary loads and stores to RAM in
 * "hardware" (no trap), but raises address-misaligned for LR/SC/AMOs (MO_ALIGN) — we match both.
 */
import {
  REGS, FREGS, S_PC, S_MMIO_ADDR, S_MMIO_SIZE, S_MMIO_IS_WRITE, S_MMIO_VALUE, S_MMIO_IS_FETCH, S_MMIO_RD, S_MMIO_KIND,
  S_MMIO_VA, S_MMIO_LEN, S_MMIO_PENDING, S_RES_VALID, S_RES_ADDR, S_PENDING_EXC, S_PENDING_CAUSE, S_PENDING_TVAL,
  S_INSTRET, S_PRIV, PAGE_FLAGS, RAM,
} from './layout'
import {
  R_OK, R_EXIT, R_RESYNC, EXIT_MMIO, EXIT_DEBUG_STOP, setExit, storeExit, ACC_LOAD, ACC_STORE, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS,
  CAUSE_MISALIGNED_LOAD, CAUSE_BREAKPOINT,
} from './globals'
import {
  translate, xPa, xHostPage, xCause, tlbFill, tlbGlobalHit, tlbBase, dataPriv, ctxFor, noteStore, isRom, PAGE_MASK,
} from './mmu'
import { takeTrap } from './trap'
import { dirtyFs } from './csr'
import { dataTriggerHit, MCONTROL_LOAD, MCONTROL_STORE } from './triggers'
import { uartMirrorRead } from './uart-mirror'
import { debugWatchHit } from './debug-stops'

// Load kinds (how to extend / where the value goes).
export const K_LB: i32 = 0
export const K_LH: i32 = 1
export const K_LW: i32 = 2
export const K_LD: i32 = 3
export const K_LBU: i32 = 4
export const K_LHU: i32 = 5
export const K_LWU: i32 = 6
export const K_FLW: i32 = 7
export const K_FLD: i32 = 8
export const K_STORE: i32 = 9

export function kindSize(kind: i32): u64 {
  switch (kind) {
    case K_LB: case K_LBU: return 1
    case K_LH: case K_LHU: return 2
    case K_LW: case K_LWU: case K_FLW: return 4
    default: return 8
  }
}

/** Writes a loaded value to its destination with the kind's extension (and NaN-boxing for flw). */
export function writeBack(kind: i32, rd: u32, v: u64): void {
  switch (kind) {
    case K_LB: v = <u64><i64><i8>v; break
    case K_LH: v = <u64><i64><i16>v; break
    case K_LW: v = <u64><i64><i32>v; break
    case K_LBU: v &= 0xff; break
    case K_LHU: v &= 0xffff; break
    case K_LWU: v &= 0xffffffff; break
    case K_FLW: store<u64>(FREGS + (<usize>rd << 3), v | 0xffffffff00000000); dirtyFs(); return
    case K_FLD: store<u64>(FREGS + (<usize>rd << 3), v); dirtyFs(); return
    default: break
  }
  store<u64>(REGS + (<usize>rd << 3), v)
}

@inline function readHost(h: usize, size: u64): u64 {
  if (size == 8) return load<u64>(h)
  if (size == 4) return <u64>load<u32>(h)
  if (size == 2) return <u64>load<u16>(h)
  return <u64>load<u8>(h)
}
@inline function writeHost(h: usize, size: u64, v: u64): void {
  if (size == 8) store<u64>(h, v)
  else if (size == 4) store<u32>(h, <u32>v)
  else if (size == 2) store<u16>(h, <u16>v)
  else store<u8>(h, <u8>v)
}

function mmioExit(pa: u64, va: u64, size: u64, isWrite: bool, value: u64, rd: u32, kind: i32, len: u64): i32 {
  store<u64>(S_MMIO_ADDR, pa)
  store<u64>(S_MMIO_SIZE, size)
  store<u64>(S_MMIO_IS_WRITE, isWrite ? 1 : 0)
  store<u64>(S_MMIO_VALUE, value)
  store<u64>(S_MMIO_IS_FETCH, 0)
  store<u64>(S_MMIO_RD, rd)
  store<u64>(S_MMIO_KIND, kind)
  store<u64>(S_MMIO_VA, va)
  store<u64>(S_MMIO_LEN, len)
  store<u64>(S_MMIO_PENDING, 1)
  return setExit(EXIT_MMIO)
}

/** Byte-wise access for the rare load/store that straddles a page (each page translated once, faults first). */
function crossPage(va: u64, size: u64, isStore: bool, value: u64, p: u64): i32 {
  const acc = isStore ? ACC_STORE : ACC_LOAD
  const va2 = (va + size - 1) & ~PAGE_MASK
  if (!translate(va, acc, p, 1)) return takeTrap(xCause, va)
  const h1 = xHostPage
  const pa1 = xPa
  if (!translate(va2, acc, p, 1)) return takeTrap(xCause, va2)
  const h2 = xHostPage
  const pa2 = xPa
  if (h1 == 0 || h2 == 0) return takeTrap(isStore ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS, va)
  const n1 = 4096 - (va & PAGE_MASK)
  if (debugWatchHit(pa1, n1, isStore) || debugWatchHit(pa2, size - n1, isStore)) return setExit(EXIT_DEBUG_STOP)
  if (!isStore) {
    let v: u64 = 0
    for (let i: u64 = 0; i < size; i++) {
      const h = i < n1 ? h1 + <usize>((va & PAGE_MASK) + i) : h2 + <usize>(i - n1)
      v |= (<u64>load<u8>(h)) << (i << 3)
    }
    crossValue = v
    return R_OK
  }
  let old: u64 = 0
  for (let i: u64 = 0; i < size; i++) {
    const h = i < n1 ? h1 + <usize>((va & PAGE_MASK) + i) : h2 + <usize>(i - n1)
    old |= (<u64>load<u8>(h)) << (i << 3)
  }
  for (let i: u64 = 0; i < size; i++) {
    const h = i < n1 ? h1 + <usize>((va & PAGE_MASK) + i) : h2 + <usize>(i - n1)
    if (!isRom(h)) store<u8>(h, <u8>(value >> (i << 3)))
  }
  noteStore(h1 + <usize>(va & PAGE_MASK), pa1, va, n1, old, value)
  noteStore(h2, pa2, va2, size - n1, old, value)
  return R_OK
}
let crossValue: u64 = 0

/** A load that missed the TLB fast path. */
export function loadSlow(va: u64, kind: i32, rd: u32, len: u64): i32 {
  const size = kindSize(kind)
  // A load trigger fires before the access (its page never reaches the TLB, so every such load is here).
  if (dataTriggerHit(va, size, MCONTROL_LOAD, load<u64>(S_PRIV))) return takeTrap(CAUSE_BREAKPOINT, 0)
  const p = dataPriv()
  if ((va & PAGE_MASK) + size > 4096) {
    const r = crossPage(va, size, false, 0, p)
    if (r == R_OK) writeBack(kind, rd, crossValue)
    return r
  }
  const ctx = ctxFor(p)
  if (tlbGlobalHit(ACC_LOAD, va, ctx)) {
    const e = tlbBase(ACC_LOAD) + <usize>(((va >> 12) & 255) << 5)
    writeBack(kind, rd, readHost(<usize>(va + load<u64>(e, 8)), size))
    return R_OK
  }
  if (!translate(va, ACC_LOAD, p, size)) return takeTrap(xCause, va)
  if (xHostPage == 0) {
    const mirrored = uartMirrorRead(xPa, size)
    if (mirrored < 0) return mmioExit(xPa, va, size, false, 0, rd, kind, len)
    writeBack(kind, rd, <u64>mirrored)
    return R_OK
  }
  if (debugWatchHit(xPa, size, false)) return setExit(EXIT_DEBUG_STOP)
  tlbFill(ACC_LOAD, va, ctx)
  writeBack(kind, rd, readHost(xHostPage + <usize>(va & PAGE_MASK), size))
  return R_OK
}

/** A store that missed the TLB fast path (or hit a code, watched or clean page). */
export function storeSlow(va: u64, size: u64, value: u64, len: u64): i32 {
  if (dataTriggerHit(va, size, MCONTROL_STORE, load<u64>(S_PRIV))) return takeTrap(CAUSE_BREAKPOINT, 0)
  const p = dataPriv()
  if ((va & PAGE_MASK) + size > 4096) return crossPage(va, size, true, value, p)
  const ctx = ctxFor(p)
  if (!tlbGlobalHit(ACC_STORE, va, ctx)) {
    if (!translate(va, ACC_STORE, p, size)) return takeTrap(xCause, va)
    if (xHostPage == 0) return mmioExit(xPa, va, size, true, value, 0, K_STORE, len)
    if (debugWatchHit(xPa, size, true)) return setExit(EXIT_DEBUG_STOP)
    if (isRom(xHostPage)) return R_OK
    tlbFill(ACC_STORE, va, ctx)
    const h = xHostPage + <usize>(va & PAGE_MASK)
    const old = readHost(h, size)
    writeHost(h, size, value)
    noteStore(h, xPa, va, size, old, value)
    return storeExit ? R_RESYNC : R_OK // a watched value changed: leave run() after this instruction
  }
  const e = tlbBase(ACC_STORE) + <usize>(((va >> 12) & 255) << 5)
  const h = <usize>(va + load<u64>(e, 8))
  writeHost(h, size, value)
  return R_OK
}

/** Finishes the pending MMIO access (value for loads; fault = access fault taken at the next run). */
export function completeMmio(value: u64, fault: bool): void {
  if (load<u64>(S_MMIO_PENDING) == 0) return
  store<u64>(S_MMIO_PENDING, 0)
  const isWrite = load<u64>(S_MMIO_IS_WRITE) != 0
  if (fault) {
    store<u64>(S_PENDING_EXC, 1)
    store<u64>(S_PENDING_CAUSE, isWrite ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS)
    store<u64>(S_PENDING_TVAL, load<u64>(S_MMIO_VA))
    return
  }
  if (!isWrite) {
    const size = load<u64>(S_MMIO_SIZE)
    const v = size == 8 ? value : value & ((<u64>1 << (size << 3)) - 1)
    writeBack(<i32>load<u64>(S_MMIO_KIND), <u32>load<u64>(S_MMIO_RD), v)
  }
  store<u64>(S_PC, load<u64>(S_PC) + load<u64>(S_MMIO_LEN))
  store<u64>(S_INSTRET, load<u64>(S_INSTRET) + 1)
}

// ---- atomics ----------------------------------------------------------------------------------

// AMO function codes (funct5 of the AMO encoding).
export const AMO_ADD: u32 = 0x00
export const AMO_SWAP: u32 = 0x01
export const AMO_LR: u32 = 0x02
export const AMO_SC: u32 = 0x03
export const AMO_XOR: u32 = 0x04
export const AMO_OR: u32 = 0x08
export const AMO_AND: u32 = 0x0c
export const AMO_MIN: u32 = 0x10
export const AMO_MAX: u32 = 0x14
export const AMO_MINU: u32 = 0x18
export const AMO_MAXU: u32 = 0x1c

/** LR, SC and the AMOs (funct5 in `f5`, 4 or 8 bytes). */
export function amo(f5: u32, size: u64, rd: u32, va: u64, src: u64): i32 {
  // SC first checks its reservation (QEMU 7.2 does too): without one it fails without touching memory,
  // so it raises nothing — and a misaligned SC can never hold a reservation.
  if (f5 == AMO_SC && load<u64>(S_RES_VALID) == 0) {
    store<u64>(REGS + (<usize>rd << 3), 1)
    return R_OK
  }
  // QEMU 7.2 reports a misaligned LR or AMO as a load address-misaligned exception (cause 4).
  if ((va & (size - 1)) != 0) return takeTrap(CAUSE_MISALIGNED_LOAD, va)
  // LR reads, SC writes, an AMO does both: each meets the triggers of what it does.
  const priv = load<u64>(S_PRIV)
  const reads = f5 != AMO_SC && dataTriggerHit(va, size, MCONTROL_LOAD, priv)
  if (reads || (f5 != AMO_LR && dataTriggerHit(va, size, MCONTROL_STORE, priv))) return takeTrap(CAUSE_BREAKPOINT, 0)
  const p = dataPriv()
  const acc = f5 == AMO_LR ? ACC_LOAD : ACC_STORE
  if (!translate(va, acc, p, size)) return takeTrap(xCause, va)
  if (xHostPage == 0 || (acc == ACC_STORE && isRom(xHostPage))) return takeTrap(acc == ACC_LOAD ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS, va)
  const h = xHostPage + <usize>(va & PAGE_MASK)
  const pa = xPa
  if ((f5 != AMO_LR && debugWatchHit(pa, size, true)) || (f5 != AMO_SC && debugWatchHit(pa, size, false))) return setExit(EXIT_DEBUG_STOP)
  const old = size == 8 ? load<u64>(h) : <u64><i64>load<i32>(h)
  if (f5 == AMO_LR) {
    store<u64>(S_RES_VALID, 1)
    store<u64>(S_RES_ADDR, pa)
    store<u64>(REGS + (<usize>rd << 3), old)
    return R_OK
  }
  if (f5 == AMO_SC) {
    const ok = load<u64>(S_RES_VALID) != 0 && load<u64>(S_RES_ADDR) == pa
    store<u64>(S_RES_VALID, 0)
    if (ok) {
      writeHost(h, size, src)
      noteStore(h, pa, va, size, old, src)
    }
    store<u64>(REGS + (<usize>rd << 3), ok ? 0 : 1)
    return R_OK
  }
  const a = old
  const b = size == 8 ? src : <u64><i64><i32>src
  let nv: u64
  switch (f5) {
    case AMO_ADD: nv = a + b; break
    case AMO_SWAP: nv = b; break
    case AMO_XOR: nv = a ^ b; break
    case AMO_OR: nv = a | b; break
    case AMO_AND: nv = a & b; break
    case AMO_MIN: nv = <i64>a < <i64>b ? a : b; break
    case AMO_MAX: nv = <i64>a > <i64>b ? a : b; break
    case AMO_MINU: nv = (size == 8 ? a < b : (a & 0xffffffff) < (b & 0xffffffff)) ? a : b; break
    case AMO_MAXU: nv = (size == 8 ? a > b : (a & 0xffffffff) > (b & 0xffffffff)) ? a : b; break
    default: nv = a
  }
  writeHost(h, size, nv)
  noteStore(h, pa, va, size, old, nv)
  store<u64>(REGS + (<usize>rd << 3), old)
  return R_OK
}

