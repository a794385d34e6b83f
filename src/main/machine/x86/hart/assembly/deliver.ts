/**
 * Delivery of exceptions and interrupts (SDM vol. 3, chapter 6): through the real-mode IVT, the
 * protected-mode IDT (interrupt, trap gates; 16- and 32-bit) and the long-mode IDT (16-byte
 * gates, IST), with privilege changes taking the stack from the TSS (SS0:ESP0 … / RSP0 …), error
 * codes, NMI blocking until iret, and double faults by Table 6-5 ("Conditions for Generating a
 * Double Fault"): contributory after contributory, or anything but benign after a page fault,
 * becomes #DF; a contributory or page fault while delivering #DF shuts the processor down (triple
 * fault). The machine then stops (it does not reset) with the three faults recorded — vector,
 * error code, RIP, CS, CR2, and which step of delivery failed at which linear address — so the
 * stop explanation can say "page fault while delivering #PF → double fault → its stack (IST1)
 * is not mapped → triple fault".
 *
 * Every check and every stack write happens before any register changes, so a fault during
 * delivery leaves the interrupted state intact for the next attempt.
 */
import {
  REGS, S_RIP, S_CR2, S_CPL, S_IDTR_BASE, S_IDTR_LIMIT, S_INSTRET, S_HALTED, S_NMI_BLOCKED, S_SHUTDOWN,
  S_TF_STEP, S_TF_CHAIN, FAULT_SLOTS, S_RECENT, S_RECENT_HEAD, RECENT_RECORDS, SEG_CS, SEG_SS, SEG_TR,
  SEG_LIMIT, SEG_ATTRS, SEG_BASE, S_FLAGS,
} from './layout'
import {
  R_OK, R_EXIT, EV_SOFTWARE, EV_EXTERNAL, EV_NMI, EXIT_TRIPLE_FAULT, EXIT_DEBUG_STOP, pendingExit, excVector, excError, excHasError, faultErr,
  mst, setMst, setExit,
} from './globals'
import {
  hasErrorCode, dfClass, DF_BENIGN, DF_CONTRIBUTORY, DF_PAGE_FAULT, VEC_DF, VEC_GP, VEC_NP, VEC_SS, VEC_TS,
  DESC_INTERRUPT_GATE, DESC_TRAP_GATE, DESC_INTERRUPT_GATE16, DESC_TRAP_GATE16, SEG_ATTR_CODE, SEG_ATTR_DC,
  SEG_ATTR_S, SEG_ATTR_P, SEG_ATTR_L, SEG_ATTR_DB, SEG_ATTR_RW, SEG_ATTR_UNUSABLE, SEG_ATTR_DPL_SHIFT,
  EFLAGS_TF, EFLAGS_NT, EFLAGS_RF, EFLAGS_VM, EFLAGS_IF, EFLAGS_AC, MODE_LONG64, CR0_PE, EFER_LMA,
} from './spec.generated'
import { readLin, writeLin, writeWatched, clearAnswers } from './mem'
import { debugEventRip, debugTakeStop, debugWatchesArmed } from './debug-stops'
import { canonical } from './mmu'
import { getFlags, setFlags } from './flags'
import {
  segAt, segSel, segAttrs, dplOf, readDescriptor, dLo, dHi, dAddr, attrsOf, baseOf, limitOf, setSegCache,
  recomputeMode, mode, cpl, markAccessed,
} from './seg'
import { S_CR0, S_EFER } from './layout'
import { TRACING, record, T_EXC, T_SHUTDOWN } from './trace'

// Delivery steps (hart-api X86DeliveryStep), 0 = the instruction itself.
export const DS_NONE: u64 = 0
export const DS_IDT: u64 = 1
export const DS_GATE: u64 = 2
export const DS_CODE: u64 = 3
export const DS_TSS: u64 = 4
export const DS_STACK_SEG: u64 = 5
export const DS_STACK: u64 = 6
export const DS_HANDLER: u64 = 7

// Fault record slots (S_TF_CHAIN and S_RECENT records).
export const FR_VECTOR: usize = 0
/** Error code, or -1 when the vector has none. */
export const FR_ERROR: usize = 1
export const FR_RIP: usize = 2
export const FR_CS: usize = 3
export const FR_CR2: usize = 4
export const FR_DURING: usize = 5
/** Linear address of the failed access, or -1. */
export const FR_ADDRESS: usize = 6
export const FR_STEP: usize = 7

/** Where the current delivery attempt is, for the record of a fault it raises. */
let step: u64 = DS_NONE
let stepAddr: u64 = <u64>-1

function writeRecord(at: usize, vector: u32, error: u32, hasError: bool, during: u64, addr: u64): void {
  store<u64>(at + FR_VECTOR * 8, vector)
  store<u64>(at + FR_ERROR * 8, hasError ? <u64>error : <u64>-1)
  store<u64>(at + FR_RIP * 8, load<u64>(S_RIP))
  store<u64>(at + FR_CS * 8, segSel(SEG_CS))
  store<u64>(at + FR_CR2 * 8, load<u64>(S_CR2))
  store<u64>(at + FR_DURING * 8, during)
  store<u64>(at + FR_ADDRESS * 8, addr)
  store<u64>(at + FR_STEP * 8, load<u64>(S_INSTRET))
}
@inline function chainSlot(i: usize): usize { return S_TF_CHAIN + i * FAULT_SLOTS * 8 }

/**
 * The instruction whose trap is being delivered (int n, int3, into, int1), while deliverTrap runs;
 * -1 for every other event.
 */
let trapInsnRip: u64 = <u64>-1

/**
 * Delivers the trap of an instruction that has executed: int n, int3, into, int1 at `insnRip`, with
 * S_RIP already on the next instruction (the return address) and S_INSTRET still the instruction's
 * step. The instruction retires with its delivery (SDM vol. 3, 6.5: a trap is reported after the
 * trapping instruction completes; it is counted, as in QEMU's icount): its EXC record carries its
 * own step and the handler's first instruction runs one step later. A fault on the way (the gate's
 * DPL below CPL, a gate not present …) is the instruction's own fault instead: it does not retire and
 * that fault returns to it (SDM vol. 3, 6.12.1.1; QEMU raises it with the int's EIP).
 */
export function deliverTrap(vector: u32, kind: i32, insnRip: u64): i32 {
  trapInsnRip = insnRip
  const r = deliver(vector, 0, false, kind)
  const retired = trapInsnRip != <u64>-1
  trapInsnRip = <u64>-1
  if (r == R_OK && retired) store<u64>(S_INSTRET, load<u64>(S_INSTRET) + 1)
  if (r == R_EXIT && pendingExit == EXIT_DEBUG_STOP) store<u64>(S_RIP, insnRip) // the instruction runs again after the stop
  return r
}

/**
 * Delivers an event with S_RIP as the return address; applies the double-fault rules to faults
 * raised on the way. Returns R_OK (a handler is entered) or R_EXIT (triple fault: EXIT_TRIPLE_FAULT).
 */
export function deliver(vector: u32, error: u32, hasError: bool, kind: i32): i32 {
  clearAnswers()
  if (!debugWatchesArmed()) return deliverEvent(vector, error, hasError, kind)
  // A debugger's watch stops delivery before its frame is pushed (debug-stops.ts), reported at the
  // instruction that trapped or was interrupted; the caller queues the event again.
  debugTakeStop()
  debugEventRip(trapInsnRip != <u64>-1 ? trapInsnRip : load<u64>(S_RIP))
  const r = deliverEvent(vector, error, hasError, kind)
  debugEventRip(<u64>-1)
  return r
}

function deliverEvent(vector: u32, error: u32, hasError: bool, kind: i32): i32 {
  let vec = vector, err = error, he = hasError, k = kind
  let delivering = 0 // 0: the original event (or one that replaced it serially), 1: #DF
  writeRecord(chainSlot(0), vec, err, he, DS_NONE, <u64>-1)
  while (true) {
    if (attempt(vec, err, he, k)) {
      noteRecent(vec, err, he)
      return R_OK
    }
    if (debugTakeStop()) return setExit(EXIT_DEBUG_STOP)
    // A fault (excVector/excError) while delivering.
    const v2 = excVector, e2 = excError, h2 = excHasError
    if (trapInsnRip != <u64>-1) {
      // The trapping instruction faulted (deliverTrap): the fault returns to it, and it does not retire.
      store<u64>(S_RIP, trapInsnRip)
      trapInsnRip = <u64>-1
    }
    const c2 = dfClass(v2)
    if (delivering == 1) {
      if (c2 != DF_BENIGN) {
        writeRecord(chainSlot(2), v2, e2, h2, step, stepAddr)
        return shutdown(v2)
      }
      delivering = 0
      writeRecord(chainSlot(0), v2, e2, h2, step, stepAddr)
      vec = v2; err = e2; he = h2; k = 0
      continue
    }
    const c1 = k == EV_SOFTWARE || k == EV_EXTERNAL || k == EV_NMI ? DF_BENIGN : dfClass(vec)
    if ((c1 == DF_CONTRIBUTORY && c2 == DF_CONTRIBUTORY) || (c1 == DF_PAGE_FAULT && c2 != DF_BENIGN)) {
      writeRecord(chainSlot(1), v2, e2, h2, step, stepAddr)
      delivering = 1
      vec = VEC_DF; err = 0; he = true; k = 0
    } else {
      // Handled serially: the new fault is delivered instead (SDM Table 6-5).
      writeRecord(chainSlot(0), v2, e2, h2, step, stepAddr)
      vec = v2; err = e2; he = h2; k = 0
    }
  }
  return R_OK
}

function shutdown(vector: u32): i32 {
  store<u64>(S_SHUTDOWN, 1)
  store<u64>(S_TF_STEP, load<u64>(chainSlot(0) + FR_STEP * 8))
  if (TRACING) record(T_SHUTDOWN, vector, load<u64>(S_RIP), load<u64>(S_CR2), 0, 0)
  return setExit(EXIT_TRIPLE_FAULT)
}

function noteRecent(vec: u32, err: u32, he: bool): void {
  const head = load<u64>(S_RECENT_HEAD)
  writeRecord(S_RECENT + <usize>(head % RECENT_RECORDS) * FAULT_SLOTS * 8, vec, err, he, DS_NONE, <u64>-1)
  store<u64>(S_RECENT_HEAD, head + 1)
}

/** A fault during delivery at the current step; returns false. */
function fail(vector: u32, error: u32): bool {
  faultErr(vector, error)
  return false
}

// ---- one attempt ---------------------------------------------------------------------------------

/** Tries to enter the handler; on a fault returns false with excVector/excError set (and step/stepAddr). */
function attempt(vec: u32, err: u32, hasErr: bool, kind: i32): bool {
  step = DS_IDT
  stepAddr = <u64>-1
  const pushError = hasErr && kind != EV_SOFTWARE && kind != EV_EXTERNAL && hasErrorCode(vec)
  if ((load<u64>(S_CR0) & CR0_PE) == 0) return realMode(vec)
  if ((load<u64>(S_EFER) & EFER_LMA) != 0) return longMode(vec, err, pushError, kind)
  return protectedMode(vec, err, pushError, kind)
}

/** EXT (bit 0 of an error code): the fault happened while delivering an event not caused by the program. */
@inline function ext(kind: i32): u32 { return kind == EV_SOFTWARE ? 0 : 1 }

/** Real-address mode (SDM vol. 3, 20.1.4): the IVT entry is offset:segment at IDTR.base + 4 × vector; push FLAGS, CS, IP. */
function realMode(vec: u32): bool {
  const entry = load<u64>(S_IDTR_BASE) + (<u64>vec << 2)
  stepAddr = entry
  if ((<u64>vec << 2) + 3 > load<u64>(S_IDTR_LIMIT)) return fail(VEC_GP, 0)
  const ptr = readLin(entry, 4, false)
  if (mst != R_OK) return false
  step = DS_STACK
  const ss = segAt(SEG_SS)
  const sp = load<u64>(REGS + 4 * 8)
  const flags = getFlags()
  const base = load<u64>(ss, SEG_BASE)
  if (writeWatched((base + ((sp - 6) & 0xffff)) & 0xffffffff, 6, false)) return false
  let p = sp
  for (let i = 0; i < 3; i++) {
    p = (p - 2) & 0xffff
    stepAddr = base + p
    const v: u64 = i == 0 ? flags & 0xffff : i == 1 ? segSel(SEG_CS) : load<u64>(S_RIP) & 0xffff
    writeLin((base + p) & 0xffffffff, 2, v, false)
    if (mst != R_OK) return false
  }
  store<u16>(REGS + 4 * 8, <u16>p)
  setFlags(flags & ~(EFLAGS_IF | EFLAGS_TF | EFLAGS_AC | EFLAGS_RF))
  const cs = (ptr >> 16) & 0xffff
  const c = segAt(SEG_CS)
  store<u64>(c, cs, 0)
  store<u64>(c, cs << 4, SEG_BASE)
  recomputeMode()
  store<u64>(S_RIP, ptr & 0xffff)
  finish(vec, kind0, 0, 0)
  return true
}
let kind0: i32 = 0

/** Reads and checks the gate; returns its type or 0 on a fault. Sets gLo/gHi/gHi2. */
let gLo: u64 = 0
let gHi: u64 = 0
let gHi2: u64 = 0
function readGate(vec: u32, long: bool, kind: i32): u64 {
  const size: u64 = long ? 16 : 8
  const entry = load<u64>(S_IDTR_BASE) + <u64>vec * size
  stepAddr = entry
  const idtErr = (vec << 3) | 2 | ext(kind)
  if (<u64>vec * size + size - 1 > load<u64>(S_IDTR_LIMIT)) { fail(VEC_GP, idtErr); return 0 }
  const q = readLin(long ? entry : entry & 0xffffffff, 8, false)
  if (mst != R_OK) return 0
  gLo = q & 0xffffffff
  gHi = q >> 32
  if (long) {
    gHi2 = readLin(entry + 8, 8, false)
    if (mst != R_OK) return 0
  }
  step = DS_GATE
  const type = (gHi >> 8) & 0x1f // S bit included: gates have S = 0
  const ok = long ? (type == DESC_INTERRUPT_GATE || type == DESC_TRAP_GATE)
    : (type == DESC_INTERRUPT_GATE || type == DESC_TRAP_GATE || type == DESC_INTERRUPT_GATE16 || type == DESC_TRAP_GATE16)
  if (!ok) { fail(VEC_GP, idtErr); return 0 }
  if (kind == EV_SOFTWARE && ((gHi >> 13) & 3) < cpl()) { fail(VEC_GP, (vec << 3) | 2); return 0 }
  if ((gHi & (1 << 15)) == 0) { fail(VEC_NP, idtErr); return 0 }
  return type
}

/** Reads and checks the handler's code segment; returns its access rights or -1 on a fault. */
function handlerCode(sel: u64, long: bool, kind: i32): u64 {
  step = DS_CODE
  stepAddr = <u64>-1
  if ((sel & 0xfffc) == 0) { fail(VEC_GP, ext(kind)); return <u64>-1 }
  readDescriptor(sel, false)
  stepAddr = dAddr
  if (mst != R_OK) { if (excVector == VEC_GP) fail(VEC_GP, <u32>(sel & 0xfffc) | ext(kind)); return <u64>-1 }
  const a = attrsOf(dHi)
  const bad = (a & SEG_ATTR_S) == 0 || (a & SEG_ATTR_CODE) == 0 || dplOf(a) > cpl() ||
    (long && ((a & SEG_ATTR_L) == 0 || (a & SEG_ATTR_DB) != 0))
  if (bad) { fail(VEC_GP, <u32>(sel & 0xfffc) | ext(kind)); return <u64>-1 }
  if ((a & SEG_ATTR_P) == 0) { fail(VEC_NP, <u32>(sel & 0xfffc) | ext(kind)); return <u64>-1 }
  return a
}

/** Reads `size` bytes at `off` of the current TSS (#TS beyond its limit). */
function tssRead(off: u64, size: u64, kind: i32): u64 {
  step = DS_TSS
  const tr = segAt(SEG_TR)
  stepAddr = load<u64>(tr, SEG_BASE) + off
  if ((load<u64>(tr, SEG_ATTRS) & SEG_ATTR_UNUSABLE) != 0 || off + size - 1 > load<u64>(tr, SEG_LIMIT)) {
    fail(VEC_TS, <u32>(segSel(SEG_TR) & 0xfffc) | ext(kind))
    return 0
  }
  return readLin(stepAddr, size, false)
}

// The new stack while building a frame.
let nsBase: u64 = 0
let nsLimit: u64 = 0
let nsAttrs: u64 = 0
let nsSel: u64 = 0
let nsPtr: u64 = 0
let nsSize: u64 = 4
let nsUser: bool = false
let nsLong: bool = false

/** Pushes `size` bytes on the new stack (limit check → #SS; canonical check in long mode). */
function npush(v: u64, size: u64, kind: i32): bool {
  step = DS_STACK
  const sp = nsLong ? nsPtr - size : (nsPtr - size) & (nsSize == 4 ? 0xffffffff : 0xffff)
  let lin: u64
  if (nsLong) {
    lin = sp
    stepAddr = lin
    if (!canonical(lin)) return fail(VEC_SS, ext(kind))
  } else {
    const expandDown = (nsAttrs & (SEG_ATTR_CODE | SEG_ATTR_DC)) == SEG_ATTR_DC
    const upper: u64 = (nsAttrs & SEG_ATTR_DB) != 0 ? 0xffffffff : 0xffff
    lin = (nsBase + sp) & 0xffffffff
    stepAddr = lin
    const okLimit = expandDown ? (sp > nsLimit && sp + size - 1 <= upper) : (sp + size - 1 <= nsLimit)
    if (!okLimit) return fail(VEC_SS, <u32>(nsSel & 0xfffc) | ext(kind))
  }
  writeLin(lin, size, v, nsUser)
  if (mst != R_OK) return false
  nsPtr = sp
  return true
}

/** Protected mode (SDM vol. 3, 6.12.1 "Exception- or Interrupt-Handler Procedures"). */
function protectedMode(vec: u32, err: u32, pushError: bool, kind: i32): bool {
  const type = readGate(vec, false, kind)
  if (type == 0) return false
  const sel = gLo >> 16
  const offset = (gLo & 0xffff) | (gHi & 0xffff0000)
  const a = handlerCode(sel, false, kind)
  if (a == <u64>-1) return false
  const codeLo = dLo, codeHi = dHi
  const dpl = dplOf(a)
  const c = cpl()
  const gate32 = type == DESC_INTERRUPT_GATE || type == DESC_TRAP_GATE
  const size: u64 = gate32 ? 4 : 2
  const flags = getFlags()
  const oldSs = segSel(SEG_SS)
  const oldSp = load<u64>(REGS + 4 * 8)
  let newSsSel: u64 = oldSs, newSsBase: u64 = 0, newSsLimit: u64 = 0, newSsAttrs: u64 = 0
  const inner = (a & SEG_ATTR_DC) == 0 && dpl < c
  if (inner) {
    // Stack for the new privilege level from the TSS: 32-bit TSS ESPn at 4 + 8n, SSn at 8 + 8n; 16-bit SPn at 2 + 4n, SSn at 4 + 4n.
    const trType = segAttrs(SEG_TR) & 0xf
    const tss32 = trType == 9 || trType == 11
    const espOff: u64 = tss32 ? 4 + dpl * 8 : 2 + dpl * 4
    const sp = tssRead(espOff, tss32 ? 4 : 2, kind)
    if (mst != R_OK) return false
    const ss = tssRead(espOff + (tss32 ? 4 : 2), 2, kind)
    if (mst != R_OK) return false
    step = DS_STACK_SEG
    stepAddr = <u64>-1
    if ((ss & 0xfffc) == 0) return fail(VEC_TS, ext(kind))
    readDescriptor(ss, false)
    if (mst != R_OK) { if (excVector == VEC_GP) fail(VEC_TS, <u32>(ss & 0xfffc) | ext(kind)); return false }
    stepAddr = dAddr
    const sa = attrsOf(dHi)
    if ((ss & 3) != dpl || dplOf(sa) != dpl || (sa & SEG_ATTR_S) == 0 || (sa & SEG_ATTR_CODE) != 0 || (sa & SEG_ATTR_RW) == 0) {
      return fail(VEC_TS, <u32>(ss & 0xfffc) | ext(kind))
    }
    if ((sa & SEG_ATTR_P) == 0) return fail(VEC_SS, <u32>(ss & 0xfffc) | ext(kind))
    newSsSel = ss
    newSsBase = baseOf(dLo, dHi)
    newSsLimit = limitOf(dLo, dHi)
    newSsAttrs = sa
    nsBase = newSsBase; nsLimit = newSsLimit; nsAttrs = newSsAttrs; nsSel = ss; nsPtr = sp
    nsSize = (sa & SEG_ATTR_DB) != 0 ? 4 : 2
  } else {
    const s = segAt(SEG_SS)
    nsBase = load<u64>(s, SEG_BASE); nsLimit = load<u64>(s, SEG_LIMIT); nsAttrs = load<u64>(s, SEG_ATTRS); nsSel = oldSs
    nsPtr = oldSp
    nsSize = (nsAttrs & SEG_ATTR_DB) != 0 ? 4 : 2
  }
  nsLong = false
  nsUser = (inner ? dpl : c) == 3
  const frame = size * ((inner ? 5 : 3) + (pushError ? 1 : 0))
  if (writeWatched((nsBase + ((nsPtr - frame) & (nsSize == 4 ? 0xffffffff : 0xffff))) & 0xffffffff, frame, nsUser)) return false
  if (inner) {
    if (!npush(oldSs, size, kind)) return false
    if (!npush(oldSp & (size == 4 ? 0xffffffff : 0xffff), size, kind)) return false
  }
  if (!npush(flags & (size == 4 ? 0xffffffff : 0xffff), size, kind)) return false
  if (!npush(segSel(SEG_CS), size, kind)) return false
  if (!npush(load<u64>(S_RIP) & (size == 4 ? 0xffffffff : 0xffff), size, kind)) return false
  if (pushError && !npush(err, size, kind)) return false
  step = DS_HANDLER
  stepAddr = offset
  if (offset > limitOf(codeLo, codeHi)) return fail(VEC_GP, 0)
  // Commit.
  const newCpl = inner ? dpl : c
  if (inner) {
    setSegCache(SEG_SS, newSsSel, newSsBase, newSsLimit, newSsAttrs)
  }
  writeSp(nsPtr, nsSize)
  store<u64>(S_CPL, newCpl)
  setSegCache(SEG_CS, (sel & 0xfffc) | newCpl, baseOf(codeLo, codeHi), limitOf(codeLo, codeHi), attrsOf(codeHi))
  enterHandler(flags, type == DESC_INTERRUPT_GATE || type == DESC_INTERRUPT_GATE16, offset, vec, kind, err, pushError, c)
  return true
}

/** Long mode (SDM vol. 3, 6.14 "Exception and Interrupt Handling in 64-bit Mode"). */
function longMode(vec: u32, err: u32, pushError: bool, kind: i32): bool {
  const type = readGate(vec, true, kind)
  if (type == 0) return false
  const sel = gLo >> 16
  const offset = (gLo & 0xffff) | (gHi & 0xffff0000) | ((gHi2 & 0xffffffff) << 32)
  const ist = gHi & 7
  const a = handlerCode(sel, true, kind)
  if (a == <u64>-1) return false
  const codeLo = dLo, codeHi = dHi
  const dpl = dplOf(a)
  const c = cpl()
  const inner = (a & SEG_ATTR_DC) == 0 && dpl < c
  const flags = getFlags()
  const oldSs = segSel(SEG_SS)
  const oldSp = load<u64>(REGS + 4 * 8)
  let sp = oldSp
  if (ist != 0) {
    // IST: RSP from the TSS's IST slot whatever the privilege (64-bit TSS: ISTn at 0x24 + 8(n − 1)).
    sp = tssRead(0x24 + (ist - 1) * 8, 8, kind)
    if (mst != R_OK) return false
  } else if (inner) {
    sp = tssRead(4 + dpl * 8, 8, kind)
    if (mst != R_OK) return false
  }
  nsLong = true
  nsPtr = sp & ~(<u64>15)
  nsUser = (inner ? dpl : c) == 3
  const frame: u64 = pushError ? 48 : 40
  if (writeWatched(nsPtr - frame, frame, nsUser)) return false
  if (!npush(oldSs, 8, kind)) return false
  if (!npush(oldSp, 8, kind)) return false
  if (!npush(flags, 8, kind)) return false
  if (!npush(segSel(SEG_CS), 8, kind)) return false
  if (!npush(load<u64>(S_RIP), 8, kind)) return false
  if (pushError && !npush(err, 8, kind)) return false
  step = DS_HANDLER
  stepAddr = offset
  if (!canonical(offset)) return fail(VEC_GP, 0)
  const newCpl = inner ? dpl : c
  if (inner) setSegCache(SEG_SS, newCpl, 0, 0, SEG_ATTR_UNUSABLE | (newCpl << SEG_ATTR_DPL_SHIFT))
  store<u64>(REGS + 4 * 8, nsPtr)
  store<u64>(S_CPL, newCpl)
  setSegCache(SEG_CS, (sel & 0xfffc) | newCpl, baseOf(codeLo, codeHi), limitOf(codeLo, codeHi), attrsOf(codeHi))
  enterHandler(flags, type == DESC_INTERRUPT_GATE, offset, vec, kind, err, pushError, c)
  return true
}

/** ESP/SP after building a frame on a 16- or 32-bit stack (the upper bits of RSP are kept for SP). */
function writeSp(sp: u64, size: u64): void {
  if (size == 4) store<u64>(REGS + 4 * 8, sp & 0xffffffff)
  else store<u16>(REGS + 4 * 8, <u16>sp)
}

function enterHandler(flags: u64, interruptGate: bool, offset: u64, vec: u32, kind: i32, err: u32, pushError: bool, fromCpl: u64): void {
  let f = flags & ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM)
  if (interruptGate) f &= ~EFLAGS_IF
  setFlags(f)
  recomputeMode()
  if (TRACING) {
    let fl: u32 = pushError ? 1 : 0
    if (kind == EV_EXTERNAL) fl |= 2
    if (kind == EV_SOFTWARE) fl |= 4
    if (kind == EV_NMI) fl |= 8
    if (vec == VEC_DF) fl |= 16
    record(T_EXC, vec | (<u32>fromCpl << 8) | (<u32>load<u64>(S_CPL) << 10) | (fl << 12), err,
      vec == 14 ? load<u64>(S_CR2) : 0, load<u64>(S_RIP), offset)
  }
  store<u64>(S_RIP, offset)
  finish(vec, kind, 0, 0)
}

/** Common tail: leave hlt, block NMIs while an NMI handler runs. */
function finish(vec: u32, kind: i32, a: u64, b: u64): void {
  store<u64>(S_HALTED, 0)
  if (kind == EV_NMI) store<u64>(S_NMI_BLOCKED, 1)
}

