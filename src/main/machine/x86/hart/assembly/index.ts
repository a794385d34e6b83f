/**
 * The x86 hart (i386 + x86-64): the run loop and the entry points for the host (`../hart.ts`).
 *
 * The loop follows TinyEMU, as the RV64 hart does: RIP's page is translated only when RIP leaves
 * it; each instruction is looked up in the pre-decoded cache by physical address and code size;
 * one dense `switch` over execute ops runs the common integer instructions inline, with memory
 * operands hitting a direct-mapped TLB inline; everything else calls out of line (exec-*.ts) and
 * returns a status. Exceptions never unwind: a helper records the fault and returns R_FAULT, the
 * loop delivers it through the IDT (deliver.ts). External interrupts are only considered between
 * slices; every instruction that can make one deliverable (sti, popf, iret, mov ss, cr8, …) ends
 * its slice, and the platform changes `intrLine` only between runs — so delivery is exact to the
 * instruction and deterministic.
 */
import * as G from './decode.generated'
import {
  BASE, STATE_START, STATE_BYTES, S_RIP, S_INSTRET, S_FLAGS, S_CR0, S_MODE, S_CPL, S_RAM_SIZE, S_SHUTDOWN,
  S_PENDING_EXC, S_PENDING_ERR, S_UD_STOPPED, S_UD_STEP, S_STOP_REQUESTED, S_NMI_PENDING, S_NMI_BLOCKED,
  S_ACK_VECTOR, S_INTR_LINE, S_SHADOW_AT, S_HALTED, S_TRACE_REGION_SHIFT, S_TRACE_REGION, S_LAST_RIP,
  S_RING_HEAD, S_RING_TAIL, S_MMIO_ADDR, S_MMIO_FETCH, S_MMIO_SIZE, S_MMIO_WRITE, S_DR6,
  TLB_FETCH, TLB_INDEX_MASK, DCACHE, DC_MASK, DC_SCRATCH, DC_ENTRY_BYTES, FETCH_BUF, PAGE_FLAGS, PAGE_FLAGS_BYTES, PF_DEVICE,
  RING_RECORDS, RING_SLACK, RAM, SEGS, SEG_CS, SEG_SS, SEG_EBASE, SEG_LIMIT, REGS,
} from './layout'
import {
  R_OK, R_FAULT, R_EXIT, R_RESYNC, R_JUMP, R_TRAP, R_HLT, pendingExit, setExit, ringNearlyFull, setRingNearlyFull,
  EXIT_STEPS_DONE, EXIT_HLT, EXIT_INTERRUPT_ACK, EXIT_TRIPLE_FAULT, EXIT_TRACE_FULL, EXIT_FETCH_OUTSIDE_RAM,
  EXIT_BREAKPOINT, EXIT_UNIMPLEMENTED, EXIT_DEBUG_STOP, ACC_FETCH, EV_EXCEPTION, EV_EXTERNAL, EV_NMI, EV_SOFTWARE, excVector, excError,
  excHasError, excKind, fault, faultErr, mst, sizeMask, sext,
} from './globals'
import { decode, DEC_MORE, DEC_INVALID, DEC_TOO_LONG, E_OP, E_IMM, E_CC, E_FLAGS, C_REG, C_MEM, C_IMM, lastRow } from './decode'
import { translate, tlbFill, xPa, xHost, xErr, markCodePage, canonical, PAGE_MASK } from './mmu'
import { rd, wr, pageFault, resetAnswerCursor, answersPending, gLinMask, cr2Before } from './mem'
import { debugBreakpointsArmed, debugBreakpointsInPage, debugBreakpointHit, debugRepContinues, debugSkipAt } from './debug-stops'
import { deliver, deliverTrap } from './deliver'
import { recomputeMode } from './seg'
import { setLazy, cond, carry, FL_EAGER, FL_ADD, FL_ADC, FL_SUB, FL_SBB, FL_LOGIC, FL_INC, FL_DEC, FL_SHL, FL_SAR, FL_MUL } from './flags'
import { R, setR, rdReg, wrReg, eaOf, segOf, stackWidth, widthMask, setSp, push, peek, readOp, writeOp, RSP_OFF } from './regs'
import { execSlow, noteUndefined, UD_INVALID, UD_UNIMPLEMENTED, R_STAY, R_BRANCH, R_DONE_EXIT } from './exec'
import { MODE_LONG64, EFLAGS_IF, EFLAGS_TF, VEC_UD, VEC_GP, VEC_DB, VEC_NMI, VEC_PF } from './spec.generated'
import { S_CR2 } from './layout'
import { S_FL_C, S_FL_OP, S_FL_RES, S_FL_A, S_FL_B } from './layout'
import { TRACING, record, T_REGION } from './trace'

export * from './host'

// Results of fetchPage.
let fPage: u64 = 0
let fPa: u64 = 0

/** Translates the page of RIP for fetch (fetch TLB, then the walker); R_OK, a fault, or an exit for code outside RAM. */
function fetchPage(lin: u64, lastRip: u64, rip: u64): i32 {
  const user = load<u64>(S_CPL) == 3
  const ctx: u64 = user ? 1 : 0
  if (TRACING) {
    const shift = load<u64>(S_TRACE_REGION_SHIFT)
    const region = rip >> shift
    if (shift != 0 && region != load<u64>(S_TRACE_REGION)) {
      store<u64>(S_TRACE_REGION, region)
      record(T_REGION, <u32>load<u64>(S_CPL), lastRip, rip, 0, 0)
    }
  }
  const e = TLB_FETCH + <usize>(((lin >> 12) & TLB_INDEX_MASK) << 5)
  if (load<u64>(e) == ((lin & ~PAGE_MASK) | ctx)) {
    fPage = lin & ~PAGE_MASK
    fPa = load<u64>(e, 16)
    return R_OK
  }
  if (load<u64>(S_MODE) == MODE_LONG64 && !canonical(lin)) return faultErr(VEC_GP, 0)
  if (!translate(lin, ACC_FETCH, user, true, ctx)) return pageFault(lin, xErr)
  if (xHost == 0) {
    store<u64>(S_MMIO_ADDR, xPa)
    store<u64>(S_MMIO_SIZE, 1)
    store<u64>(S_MMIO_WRITE, 0)
    store<u64>(S_MMIO_FETCH, 1)
    return setExit(EXIT_FETCH_OUTSIDE_RAM)
  }
  tlbFill(ACC_FETCH, lin, ctx)
  fPage = lin & ~PAGE_MASK
  fPa = xPa & ~PAGE_MASK
  return R_OK
}

/** Decodes the instruction at pa (linear lin) into entry e; R_OK, 2 (use DC_SCRATCH), or a fault status. */
function decodeMiss(e: usize, pa: u64, lin: u64, modeCode: u64): i32 {
  const off = pa & PAGE_MASK
  const first = <u32>(4096 - off < 16 ? 4096 - off : 16)
  memory.copy(FETCH_BUF, RAM + <usize>pa, first)
  let r = decode(e, first, modeCode)
  let target = e
  if (r == DEC_MORE) {
    // Straddles a page: the rest comes from the next linear page, translated separately, never cached.
    const lin2 = (lin + (4096 - off)) & gLinMask
    const user = load<u64>(S_CPL) == 3
    if (load<u64>(S_MODE) == MODE_LONG64 && !canonical(lin2)) return faultErr(VEC_GP, 0)
    if (!translate(lin2, ACC_FETCH, user, true, user ? 1 : 0)) return pageFault(lin2, xErr)
    if (xHost == 0) return faultErr(VEC_GP, 0)
    memory.copy(FETCH_BUF + <usize>first, xHost, 16 - first)
    target = DC_SCRATCH
    r = decode(target, 16, modeCode)
  }
  if (r == DEC_INVALID) {
    noteUndefined(load<u64>(S_RIP), UD_INVALID, lastRow)
    return fault(VEC_UD)
  }
  if (r == DEC_TOO_LONG) return faultErr(VEC_GP, 0)
  if (target == DC_SCRATCH) return 2
  store<u64>(e, pa | (modeCode << 56))
  markCodePage(pa)
  return R_OK
}

/** Longest stretch of inner() before returning to the outer loop. */
const SLICE_STEPS: u64 = 1 << 16

// ---- the run loop ------------------------------------------------------------------------------------

/** Runs until maxSteps steps retire or something needs the host; returns an X86HartExit code. */
export function run(maxSteps: u64): i32 {
  resetAnswerCursor()
  if (load<u64>(S_SHUTDOWN) != 0) return EXIT_TRIPLE_FAULT
  if (TRACING) {
    if (load<u64>(S_RING_HEAD) - load<u64>(S_RING_TAIL) >= RING_RECORDS - RING_SLACK) return EXIT_TRACE_FULL
    setRingNearlyFull(false)
  }
  const target = load<u64>(S_INSTRET) + maxSteps
  let idle: u64 = 0
  while (true) {
    const instret = load<u64>(S_INSTRET)
    // Events the host queued (a #GP from completeMsr(null), #UD after an Unimplemented stop).
    const pend = load<u64>(S_PENDING_EXC)
    if (pend != 0) {
      store<u64>(S_PENDING_EXC, 0)
      const v = <u32>(pend - 1)
      if (deliver(v, <u32>load<u64>(S_PENDING_ERR), v == VEC_GP, EV_EXCEPTION) == R_EXIT) {
        if (pendingExit == EXIT_DEBUG_STOP) store<u64>(S_PENDING_EXC, pend) // delivered again after the stop
        return pendingExit
      }
      continue
    }
    if (load<u64>(S_STOP_REQUESTED) != 0) {
      store<u64>(S_STOP_REQUESTED, 0)
      return EXIT_BREAKPOINT
    }
    if (instret >= target) return EXIT_STEPS_DONE
    let limit = target
    if (answersPending()) {
      limit = instret + 1 // finish the answered instruction before anything else
    } else {
      const shadow = load<u64>(S_SHADOW_AT) == instret && instret != 0
      if (load<u64>(S_NMI_PENDING) != 0 && load<u64>(S_NMI_BLOCKED) == 0 && !shadow) {
        store<u64>(S_NMI_PENDING, 0)
        if (deliver(VEC_NMI, 0, false, EV_NMI) == R_EXIT) {
          if (pendingExit == EXIT_DEBUG_STOP) store<u64>(S_NMI_PENDING, 1)
          return pendingExit
        }
        continue
      }
      const ack = load<u64>(S_ACK_VECTOR)
      if (ack != 0) {
        store<u64>(S_ACK_VECTOR, 0)
        if (deliver(<u32>(ack - 1), 0, false, EV_EXTERNAL) == R_EXIT) {
          if (pendingExit == EXIT_DEBUG_STOP) store<u64>(S_ACK_VECTOR, ack)
          return pendingExit
        }
        continue
      }
      const ifSet = (load<u64>(S_FLAGS) & EFLAGS_IF) != 0
      if (load<u64>(S_INTR_LINE) != 0 && ifSet && !shadow) return EXIT_INTERRUPT_ACK
      if (load<u64>(S_HALTED) != 0) return EXIT_HLT
      if (shadow) limit = instret + 1
    }
    const tf = (load<u64>(S_FLAGS) & EFLAGS_TF) != 0
    if (tf) limit = instret + 1
    // Resuming from a debugger's stop: that instruction alone, so its watch checks know it (debug-stops.ts).
    if (debugSkipAt(instret)) limit = instret + 1
    if (limit - instret > SLICE_STEPS) limit = instret + SLICE_STEPS
    const status = inner(limit)
    if (status == R_EXIT) return pendingExit
    const progressed = load<u64>(S_INSTRET) != instret
    if (tf && progressed && status != R_FAULT) {
      // Single-step trap after the instruction (SDM vol. 3, 17.3.1.4): #DB with DR6.BS.
      store<u64>(S_DR6, load<u64>(S_DR6) | 0x4000)
      if (deliver(VEC_DB, 0, false, EV_EXCEPTION) == R_EXIT) {
        if (pendingExit == EXIT_DEBUG_STOP) store<u64>(S_PENDING_EXC, <u64>VEC_DB + 1)
        return pendingExit
      }
    }
    if (status == R_HLT) return EXIT_HLT
    if (!progressed && ++idle >= maxSteps) return EXIT_STEPS_DONE
    if (TRACING) {
      if (ringNearlyFull) return EXIT_TRACE_FULL
    }
  }
  return EXIT_STEPS_DONE
}

// Fields of an entry's +24..+31 word (decode.ts layout), taken where a case needs them.
@inline function wOsz(w: u64): u64 { return (w >> 24) & 0xff }
@inline function wForm(w: u64): u32 { return <u32>((w >> 32) & 0xff) }
@inline function wR0(w: u64): usize { return <usize>((w >> 40) & 0xff) }
@inline function wR1(w: u64): usize { return <usize>((w >> 48) & 0xff) }

/** Evaluates a condition code; jz/jnz after a lazily recorded operation are answered inline. */
@inline function condition(cc: u32): bool {
  const opw = load<u64>(S_FL_OP)
  if ((cc >> 1) == 2 && (opw >> 2) != FL_EAGER) {
    const z = (load<u64>(S_FL_RES) & sizeMask(<u64>1 << (opw & 3))) == 0
    return (cc & 1) != 0 ? !z : z
  }
  return cond(cc)
}

/** CF as 0/1 (flags.ts carry), with the operations inc/dec most often follow answered inline. */
@inline function carryInline(): u64 {
  const opw = load<u64>(S_FL_OP)
  const op = opw >> 2
  const m = sizeMask(<u64>1 << (opw & 3))
  if (op == FL_ADD) return (load<u64>(S_FL_RES) & m) < (load<u64>(S_FL_A) & m) ? 1 : 0
  if (op == FL_SUB) return (load<u64>(S_FL_A) & m) < (load<u64>(S_FL_B) & m) ? 1 : 0
  if (op == FL_INC || op == FL_DEC) return load<u64>(S_FL_C) & 1
  if (op == FL_LOGIC) return 0
  return carry()
}

/** Stack width and its mask for the current slice (SS.B or 64-bit mode): globals, not loop registers. */
let gSw: u64 = 4
let gSpMask: u64 = 0xffffffff

/** Executes until instret reaches limit (R_OK), the loop must re-derive state (R_OK), or exit/halt. */
function inner(limit: u64): i32 {
  let rip = load<u64>(S_RIP)
  let instret = load<u64>(S_INSTRET)
  const m = load<u64>(S_MODE)
  const ipMask: u64 = m == MODE_LONG64 ? <u64>-1 : (m == 2 || m == 4) ? 0xffffffff : 0xffff
  const csLimit: u64 = m == MODE_LONG64 ? <u64>-1 : load<u64>(SEGS + <usize>SEG_CS * 64, SEG_LIMIT)
  gSw = stackWidth()
  gSpMask = widthMask(gSw)
  let lastRip = load<u64>(S_LAST_RIP)
  let trapRip: u64 = 0 // the instruction of an R_TRAP (int n …): its own faults return to it
  // The fetch page as a RIP range: RIP in [ripLo, ripLo + 4096) is at physical RIP + tagDelta − (mode << 56),
  // i.e. RIP + tagDelta is the decode-cache tag (pa | mode << 56). ripLo = RIP + 4096 forces the first translation.
  let ripLo: u64 = rip + 4096
  let tagDelta: u64 = 0
  // The last offset an instruction may occupy: all ones when every instruction of the fetch page (up to 15
  // bytes past it) is inside CS's limit, so the one per-instruction compare never fails there.
  let limitEnd: u64 = csLimit
  // A debugger's breakpoint lies in the fetch page (linear page linPage): only then is each instruction looked
  // up — span is 0 there, so every instruction takes the branch below (and the common path pays no extra test).
  let span: u64 = 4096
  let linPage: u64 = 0
  let brk: i32 = 0
  while (instret < limit) {
    if (rip - ripLo >= span) {
      if (rip - ripLo >= 4096) {
        store<u64>(S_RIP, rip)
        store<u64>(S_INSTRET, instret)
        const lin = (load<u64>(SEGS + <usize>SEG_CS * 64, SEG_EBASE) + rip) & gLinMask
        const r = fetchPage(lin, lastRip, rip)
        if (r != R_OK) { brk = r; break }
        ripLo = rip - (lin & PAGE_MASK)
        tagDelta = (fPa | (m << 56)) - ripLo
        limitEnd = m == MODE_LONG64 || (ripLo <= csLimit && ripLo + 4096 + 14 <= csLimit) ? <u64>-1 : csLimit
        linPage = lin & ~PAGE_MASK
        span = debugBreakpointsArmed() && debugBreakpointsInPage(linPage) ? 0 : 4096
      }
      if (span == 0 && debugBreakpointHit(linPage + (rip - ripLo), rip, instret)) {
        store<u64>(S_RIP, rip)
        store<u64>(S_INSTRET, instret)
        brk = setExit(EXIT_DEBUG_STOP)
        break
      }
    }
    const tag = rip + tagDelta
    let e = DCACHE + <usize>((tag & DC_MASK) * DC_ENTRY_BYTES)
    if (load<u64>(e) != tag) {
      store<u64>(S_RIP, rip)
      store<u64>(S_INSTRET, instret)
      const lin = (load<u64>(SEGS + <usize>SEG_CS * 64, SEG_EBASE) + rip) & gLinMask
      const r = decodeMiss(e, tag & 0x00ffffffffffffff, lin, m)
      if (r == 2) e = DC_SCRATCH
      else if (r != R_OK) { brk = r; break }
      else continue // cached now: the next pass hits, and the hit path does not merge with this call's
    }
    const w = load<u64>(e, E_OP)
    const op = <u32>(w & 0xffff)
    const len = (w >> 16) & 0xff
    // The other fields are taken from w where a case uses them (wOsz, wForm, wR0, wR1): decoded here,
    // they were live across the whole switch and the compiled loop spilled them to the stack.
    if (rip + len - 1 > limitEnd) { store<u64>(S_RIP, rip); store<u64>(S_INSTRET, instret); brk = faultErr(VEC_GP, 0); break }
    let npc = (rip + len) & ipMask
    switch (op) {
      // Register and immediate forms first (decode.ts fastForm): no operand-class tests.
      case G.X_MOV_RR: if (wOsz(w) == 4) movRR(w, 4); else movRR(w, wOsz(w)); break
      case G.X_MOV_RI: if (wOsz(w) == 4) wrReg(wR0(w), 4, load<u64>(e, E_IMM)); else wrReg(wR0(w), wOsz(w), load<u64>(e, E_IMM)); break
      case G.X_MOV_RM:
        if (wOsz(w) == 4) movRM(e, w, npc, 4); else movRM(e, w, npc, wOsz(w))
        if (mst != R_OK) brk = mst
        break
      case G.X_MOV_MR:
        if (wOsz(w) == 4) movMR(e, w, npc, 4); else movMR(e, w, npc, wOsz(w))
        if (mst != R_OK) brk = mst
        break
      // One case per form (the shared bodies below are inlined with constant kinds and fold).
      case G.X_ADD_RR: aluAdd(wR0(w), wOsz(w), load<u64>(REGS + wR1(w))); break
      case G.X_ADD_RI: aluAdd(wR0(w), wOsz(w), load<u64>(e, E_IMM)); break
      case G.X_ADD_RM: {
        const b = rd(segOf(e), eaOf(e, npc), wOsz(w))
        if (mst != R_OK) { brk = mst; break }
        aluAdd(wR0(w), wOsz(w), b)
        break
      }
      case G.X_SUB_RR: aluSub(wR0(w), wOsz(w), load<u64>(REGS + wR1(w)), true); break
      case G.X_SUB_RI: aluSub(wR0(w), wOsz(w), load<u64>(e, E_IMM), true); break
      case G.X_CMP_RR: aluSub(wR0(w), wOsz(w), load<u64>(REGS + wR1(w)), false); break
      case G.X_CMP_RI: aluSub(wR0(w), wOsz(w), load<u64>(e, E_IMM), false); break
      case G.X_SUB_RM: case G.X_CMP_RM: {
        const b = rd(segOf(e), eaOf(e, npc), wOsz(w))
        if (mst != R_OK) { brk = mst; break }
        aluSub(wR0(w), wOsz(w), b, op == G.X_SUB_RM)
        break
      }
      case G.X_AND_RR: aluLogic(wR0(w), wOsz(w), load<u64>(REGS + wR1(w)), LOGIC_AND, true); break
      case G.X_AND_RI: aluLogic(wR0(w), wOsz(w), load<u64>(e, E_IMM), LOGIC_AND, true); break
      case G.X_OR_RR: aluLogic(wR0(w), wOsz(w), load<u64>(REGS + wR1(w)), LOGIC_OR, true); break
      case G.X_OR_RI: aluLogic(wR0(w), wOsz(w), load<u64>(e, E_IMM), LOGIC_OR, true); break
      case G.X_XOR_RR: aluLogic(wR0(w), wOsz(w), load<u64>(REGS + wR1(w)), LOGIC_XOR, true); break
      case G.X_XOR_RI: aluLogic(wR0(w), wOsz(w), load<u64>(e, E_IMM), LOGIC_XOR, true); break
      case G.X_TEST_RR: aluLogic(wR0(w), wOsz(w), load<u64>(REGS + wR1(w)), LOGIC_AND, false); break
      case G.X_TEST_RI: aluLogic(wR0(w), wOsz(w), load<u64>(e, E_IMM), LOGIC_AND, false); break
      case G.X_AND_RM: case G.X_OR_RM: case G.X_XOR_RM: {
        const b = rd(segOf(e), eaOf(e, npc), wOsz(w))
        if (mst != R_OK) { brk = mst; break }
        aluLogic(wR0(w), wOsz(w), b, op == G.X_AND_RM ? LOGIC_AND : op == G.X_OR_RM ? LOGIC_OR : LOGIC_XOR, true)
        break
      }
      case G.X_INC_R: if (wOsz(w) == 4) incDec(w, true, 4); else incDec(w, true, wOsz(w)); break
      case G.X_DEC_R: if (wOsz(w) == 4) incDec(w, false, 4); else incDec(w, false, wOsz(w)); break
      case G.X_SHL_RI: case G.X_SHR_RI: case G.X_SAR_RI:
        if (wOsz(w) == 4) shiftRI(e, w, op, 4); else shiftRI(e, w, op, wOsz(w))
        break
      case G.X_IMUL_RR: if (wOsz(w) == 4) imulRR(e, w, 4); else imulRR(e, w, wOsz(w)); break
      case G.X_MOVZX_RR: case G.X_MOVSX_RR: {
        const src: u64 = (G.ROW_SHAPE[load<u16>(e, 56)] >> 17) & 32 ? 1 : 2
        const v = load<u64>(REGS + wR1(w)) & sizeMask(src)
        wrReg(wR0(w), wOsz(w), op == G.X_MOVZX_RR ? v : sext(v, src))
        break
      }
      case G.X_PUSH_R: {
        push(rdReg(wR0(w), wOsz(w)), wOsz(w), gSw)
        if (mst != R_OK) { brk = mst; break }
        break
      }
      case G.X_POP_R: {
        const v = peek(wOsz(w), gSw, 0)
        if (mst != R_OK) { brk = mst; break }
        setSp((R(RSP_OFF) + wOsz(w)) & gSpMask, gSw)
        wrReg(wR0(w), wOsz(w), v)
        break
      }
      case G.X_LEA: wrReg(wR0(w), wOsz(w), eaOf(e, npc)); break
      case G.X_JCC: if (condition(<u32>load<u8>(e, E_CC))) npc = (npc + load<u64>(e, E_IMM)) & ipMask; break
      case G.X_JMP: npc = (npc + load<u64>(e, E_IMM)) & ipMask; break
      case G.X_CALL: {
        push(npc, wOsz(w), gSw)
        if (mst != R_OK) { brk = mst; break }
        npc = (npc + load<u64>(e, E_IMM)) & ipMask
        break
      }
      case G.X_RET: {
        const t = peek(wOsz(w), gSw, 0)
        if (mst != R_OK) { brk = mst; break }
        setSp((R(RSP_OFF) + wOsz(w) + load<u64>(e, E_IMM)) & gSpMask, gSw)
        npc = t & ipMask
        break
      }
      case G.X_NOP: case G.X_PAUSE: case G.X_FWAIT: break
      default: {
        store<u64>(S_RIP, rip)
        store<u64>(S_INSTRET, instret)
        brk = execSlow(e, op, npc)
      }
    }
    if (brk != 0) {
      if (brk == R_RESYNC || brk == R_HLT || brk == R_DONE_EXIT) { rip = npc; instret++ }
      else if (brk == R_STAY) { instret++; brk = 0; debugRepContinues(rip, instret); if (TRACING) { lastRip = rip } continue }
      else if (brk == R_BRANCH) { if (TRACING) { lastRip = rip } rip = load<u64>(S_RIP); instret++; brk = 0; continue }
      else if (brk == R_JUMP) { rip = load<u64>(S_RIP); instret++ }
      else if (brk == R_TRAP) { trapRip = rip; rip = npc } // retires with its delivery (deliverTrap)
      // R_FAULT / R_EXIT: the instruction did not complete; RIP stays on it.
      break
    }
    if (TRACING) {
      lastRip = rip
      if (ringNearlyFull) { rip = npc; instret++; break }
    }
    rip = npc
    instret++
  }
  store<u64>(S_RIP, rip)
  store<u64>(S_INSTRET, instret)
  if (TRACING) store<u64>(S_LAST_RIP, lastRip)
  if (brk == R_FAULT) {
    const v = excVector
    const cr2 = cr2Before
    if (deliver(excVector, excError, excHasError, excKind) == R_EXIT) {
      // A debugger's stop before the frame is pushed: the instruction faults again when it re-executes.
      if (pendingExit == EXIT_DEBUG_STOP && v == VEC_PF) store<u64>(S_CR2, cr2)
      return R_EXIT
    }
    return R_OK
  }
  if (brk == R_TRAP) {
    if (deliverTrap(excVector, excKind, trapRip) == R_EXIT) return R_EXIT
    return R_OK
  }
  if (brk == R_HLT) { store<u64>(S_HALTED, 1); return R_HLT }
  if (brk == R_EXIT || brk == R_DONE_EXIT) return R_EXIT
  return R_OK
}

// ---- the inline ALU bodies (constant kinds fold away at each case) ----------------------------------

const LOGIC_AND: u32 = 0
const LOGIC_OR: u32 = 1
const LOGIC_XOR: u32 = 2

// Each body is inlined twice, for 32-bit operands (the common size in 32- and 64-bit code; the masks and
// the register write fold to constants) and for any size.
@inline function movRR(w: u64, osz: u64): void { wrReg(wR0(w), osz, rdReg(wR1(w), osz)) }
/** mov r, m (check mst after: the register is written only when the load succeeded). */
@inline function movRM(e: usize, w: u64, npc: u64, osz: u64): void {
  const v = rd(segOf(e), eaOf(e, npc), osz)
  if (mst == R_OK) wrReg(wR0(w), osz, v)
}
/** mov m, r (check mst after). */
@inline function movMR(e: usize, w: u64, npc: u64, osz: u64): void { wr(segOf(e), eaOf(e, npc), osz, rdReg(wR1(w), osz)) }

/** add r, b: the register at byte offset r0 (operand size osz) += b, lazy flags. */
@inline function aluAdd(r0: usize, osz: u64, bIn: u64): void {
  if (osz == 4) aluAddSized(r0, 4, bIn)
  else aluAddSized(r0, osz, bIn)
}
@inline function aluAddSized(r0: usize, osz: u64, bIn: u64): void {
  const m = sizeMask(osz)
  const a = load<u64>(REGS + r0) & m
  const b = bIn & m
  const res = (a + b) & m
  wrReg(r0, osz, res)
  setLazy(FL_ADD, osz, res, a, b)
}

/** sub (write) or cmp (no write): r − b, lazy flags. */
@inline function aluSub(r0: usize, osz: u64, bIn: u64, write: bool): void {
  if (osz == 4) aluSubSized(r0, 4, bIn, write)
  else aluSubSized(r0, osz, bIn, write)
}
@inline function aluSubSized(r0: usize, osz: u64, bIn: u64, write: bool): void {
  const m = sizeMask(osz)
  const a = load<u64>(REGS + r0) & m
  const b = bIn & m
  const res = (a - b) & m
  if (write) wrReg(r0, osz, res)
  setLazy(FL_SUB, osz, res, a, b)
}

/** and/or/xor (write) or test (and, no write): CF = OF = 0, lazy SF/ZF/PF. */
@inline function aluLogic(r0: usize, osz: u64, bIn: u64, kind: u32, write: bool): void {
  if (osz == 4) aluLogicSized(r0, 4, bIn, kind, write)
  else aluLogicSized(r0, osz, bIn, kind, write)
}
@inline function aluLogicSized(r0: usize, osz: u64, bIn: u64, kind: u32, write: bool): void {
  const m = sizeMask(osz)
  const a = load<u64>(REGS + r0) & m
  const b = bIn & m
  const res = kind == LOGIC_AND ? a & b : kind == LOGIC_OR ? a | b : a ^ b
  if (write) wrReg(r0, osz, res)
  setLazy(FL_LOGIC, osz, res, 0, 0)
}

/** inc/dec r: CF is kept (the lazy state before, answered inline for the common producers). */
@inline function incDec(w: u64, inc: bool, osz: u64): void {
  const r0 = wR0(w)
  const m = sizeMask(osz)
  const a = load<u64>(REGS + r0) & m
  const res = (inc ? a + 1 : a - 1) & m
  wrReg(r0, osz, res)
  const c = carryInline()
  setLazy(inc ? FL_INC : FL_DEC, osz, res, a, 1)
  store<u64>(S_FL_C, c)
}

/** shl/shr/sar r, imm (or 1). */
@inline function shiftRI(e: usize, w: u64, op: u32, osz: u64): void {
  const r0 = wR0(w)
  const count = load<u64>(e, E_IMM) & (osz == 8 ? 63 : 31)
  const m = sizeMask(osz)
  const a = load<u64>(REGS + r0) & m
  if (count == 0) { wrReg(r0, osz, a); return } // flags unchanged; a 32-bit register is still zero-extended
  let res: u64, prev: u64
  if (op == G.X_SHL_RI) { prev = (a << (count - 1)) & m; res = (a << count) & m }
  else if (op == G.X_SHR_RI) { prev = a >> (count - 1); res = a >> count }
  else { const sa = <i64>sext(a, osz); prev = <u64>(sa >> <i64>(count - 1)) & m; res = <u64>(sa >> <i64>count) & m }
  wrReg(r0, osz, res)
  setLazy(op == G.X_SHL_RI ? FL_SHL : FL_SAR, osz, res, prev, 0)
}

/** imul r, r (0F AF) or imul r, r, imm: CF = OF = the product did not fit the operand size. */
@inline function imulRR(e: usize, w: u64, osz: u64): void {
  const r0 = wR0(w)
  const b = load<u64>(REGS + wR1(w))
  const a = ((wForm(w) >> 4) & 3) == C_IMM ? load<u64>(e, E_IMM) : load<u64>(REGS + r0)
  const sa = <i64>sext(a, osz), sb = <i64>sext(b, osz)
  const p = sa * sb
  const res = <u64>p & sizeMask(osz)
  const big = osz == 8 ? mulhs(sa, sb) != (p >> 63) : <i64>sext(<u64>p, osz) != p
  wrReg(r0, osz, res)
  setLazy(FL_MUL, osz, res, 0, big ? 1 : 0)
}

/** High 64 bits of a signed 64 × 64 product. */
export function mulhs(a: i64, b: i64): i64 {
  let h = <i64>mulhu(<u64>a, <u64>b)
  if (a < 0) h -= b
  if (b < 0) h -= a
  return h
}
/** High 64 bits of an unsigned 64 × 64 product. */
export function mulhu(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff)
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
}
