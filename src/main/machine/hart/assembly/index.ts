/**
 * The RV64IMAFDC hart: entry points for the host (`../hart.ts`) and the run loop.
 *
 * The loop follows TinyEMU: the pc's page is translated only when the pc leaves it; each
 * instruction is looked up in the pre-decoded cache by physical address; one dense `switch`
 * over op ids executes it; loads and stores hit a direct-mapped TLB inline. Anything slow —
 * a TLB miss, MMIO, a CSR, a trap, an FP op — calls out of line and, when state the loop caches
 * may have changed, leaves the inner loop to re-derive it. Interrupts are only checked between
 * slices: the slice ends exactly at the timer deadline, after CSR writes and xRETs, and at
 * every run() call, so timer interrupts are exact to the instruction without a per-step check.
 */
import * as G from './decode.generated'
import {
  BASE, REGS, FREGS, STATE_START, STATE_BYTES, S_PC, S_PRIV, S_INSTRET, S_MSTATUS, S_MIP_LINES,
  S_MTIMECMP, S_RAM_BASE, S_RAM_SIZE, S_MMIO_PENDING,
  S_PENDING_EXC, S_PENDING_CAUSE, S_PENDING_TVAL, S_TRACE_REGION_SHIFT, S_TRACE_REGION, S_LAST_PC,
  S_RING_HEAD, S_RING_TAIL,
  TLB_LOAD, TLB_STORE, TLB_FETCH, DCACHE, DC_MASK, DC_SCRATCH, PAGE_FLAGS, PAGE_FLAGS_BYTES, PF_DIRTY, PF_WATCHED, PF_EXIT,
  RING, RING_RECORDS, RING_RECORD_BYTES, RING_SLACK, ROM, ROM_PA, ROM_SIZE, RAM, PRV_M,
  BLOCK_CTL, BLOCK_MAP, BLOCK_HOT, BC_CSR_VALUE, TLB_FETCH as TLB_BASE, PF_COMPILED,
} from './layout'
import {
  R_OK, R_TRAP, R_EXIT, R_RESYNC, pendingExit, setExit, ringNearlyFull, setRingNearlyFull, storeExit, setStoreExit, EXIT_STEPS_DONE, EXIT_WFI,
  EXIT_TRACE_FULL, EXIT_MMIO, EXIT_DEBUG_STOP, ACC_FETCH, CAUSE_FETCH_ACCESS, CAUSE_BREAKPOINT, MSTATUS_FS,
} from './globals'
import { fill16, fill32 } from './decode'
import {
  translate, xPa, xHostPage, xCause, tlbFill, tlbFlushAll, ctxFor, dataPriv, markCodePage, evictStorePage, hostAddr,
  PAGE_MASK,
} from './mmu'
import { takeTrap, checkInterrupts } from './trap'
import { loadSlow, storeSlow, amo, completeMmio as completeMmioImpl, K_LB, K_LH, K_LW, K_LD, K_LBU, K_LHU, K_LWU, K_FLW, K_FLD } from './mem'
import { execCsr, execSystem, illegal, flushDecodeCache, R_JUMP, R_WFI } from './system'
import { execFp } from './fp'
import { csrRead, csrWrite, csrOk, mstatusRead } from './csr'
import { timerDeadline, mtime as mtimeNow, setMtime as setMtimeImpl, TIME_RATIO } from './timer'
import { TRACING, record, T_REGION, T_PRIV } from './trace'
import { fetchTriggerArmed, fetchTriggerHit } from './triggers'
import {
  debugBreakpointsArmed, debugBreakpointHit, debugStopsClear as clearDebugStops, debugBreakpointAdd as addDebugBreakpoint,
  debugWatchAdd as addDebugWatch, debugSkip as skipDebugStop,
} from './debug-stops'
import { blocksOn, runCompiled, armPage as armPageImpl, noteCodeFlushed, B_LEFT, B_SLOW, B_NONE, B_NEAR } from './blocks'

// ---- small helpers (all inlined) ----------------------------------------------------------

// Register operands are byte offsets into the register file (decode stores reg × 8).
@inline function X(off: usize): u64 { return load<u64>(REGS + off) }
@inline function setX(off: usize, v: u64): void { store<u64>(REGS + off, v) }
@inline function sextW(v: u64): u64 { return <u64><i64><i32>v }

@inline function mulhu(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff)
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
}

// Results of fetchPage.
let fPage: u64 = 0
let fPa: u64 = 0

/** Translates the page of pc for fetch (fetch TLB, then the walker); R_OK or a trap status. */
function fetchPage(pc: u64, lastPc: u64): i32 {
  const priv = load<u64>(S_PRIV)
  const ctx = ctxFor(priv)
  const e = TLB_FETCH + <usize>(((pc >> 12) & 255) << 5)
  if (TRACING) {
    const shift = load<u64>(S_TRACE_REGION_SHIFT)
    const region = pc >> shift
    if (shift != 0 && region != load<u64>(S_TRACE_REGION)) {
      store<u64>(S_TRACE_REGION, region)
      record(T_REGION, <u32>priv, lastPc, pc, 0, 0)
    }
  }
  if (load<u64>(e) == ((pc & ~PAGE_MASK) | ctx)) {
    fPage = pc & ~PAGE_MASK
    fPa = load<u64>(e, 16)
    return R_OK
  }
  if (!translate(pc, ACC_FETCH, priv, 2)) return takeTrap(xCause, pc)
  if (xHostPage == 0) return takeTrap(CAUSE_FETCH_ACCESS, pc) // devices are not executable
  tlbFill(ACC_FETCH, pc, ctx)
  fPage = pc & ~PAGE_MASK
  fPa = xPa & ~PAGE_MASK
  return R_OK
}

/** Fills decode-cache entry e for the instruction at pa (pc for faults). R_OK, or a trap status; 2 = use DC_SCRATCH. */
function decodeMiss(e: usize, pa: u64, pc: u64): i32 {
  const host = hostAddr(pa, 2)
  if (host == 0) return takeTrap(CAUSE_FETCH_ACCESS, pc)
  const lo = <u32>load<u16>(host)
  if ((lo & 3) != 3) {
    fill16(e, lo)
  } else if ((pa & PAGE_MASK) != 0xffe) {
    fill32(e, load<u32>(host))
  } else {
    // Straddles a page: the upper parcel comes from the next virtual page, translated separately, never cached.
    const priv = load<u64>(S_PRIV)
    if (!translate(pc + 2, ACC_FETCH, priv, 2)) return takeTrap(xCause, pc + 2)
    const h2 = hostAddr(xPa, 2)
    if (h2 == 0) return takeTrap(CAUSE_FETCH_ACCESS, pc + 2)
    fill32(DC_SCRATCH, lo | ((<u32>load<u16>(h2)) << 16))
    return 2
  }
  store<u64>(e, pa)
  markCodePage(hostAddr(pa & ~PAGE_MASK, 4096), pa & ~PAGE_MASK)
  return R_OK
}

/** Longest stretch of inner() before returning to the outer loop. */
const SLICE_STEPS: u64 = 1 << 16
/** With compiled blocks on: interpreted steps before looking for compiled code (and counting the pc) again. */
const BLOCK_LOOK_STEPS: u64 = 512
/** The same in a page with compiled code: an entry (a block start) is a few instructions away. */
const BLOCK_NEAR_STEPS: u64 = 16

// ---- the run loop --------------------------------------------------------------------------------

/** Runs until maxSteps instructions retire or something needs the host; returns a HartExit code. */
export function run(maxSteps: u64): i32 {
  if (load<u64>(S_MMIO_PENDING) != 0) return EXIT_MMIO
  if (TRACING) {
    if (load<u64>(S_RING_HEAD) - load<u64>(S_RING_TAIL) >= RING_RECORDS - RING_SLACK) return EXIT_TRACE_FULL
    setRingNearlyFull(false)
  }
  const target = load<u64>(S_INSTRET) + maxSteps
  // A guest stuck in a trap loop (e.g. mtvec pointing at unmapped memory) retires nothing;
  // count slices that made no progress so run() still returns after about maxSteps of them.
  let idle: u64 = 0
  // With compiled blocks, one interpreter slice can become several passes of this loop (compiled code,
  // then the interpreter for one instruction, …). Idle accounting must see the interpreter's slices:
  // `sliceStart` is the step where the current one began, and only a pass that ends where the
  // interpreter's slice would end (a trap, a resync, the slice limit) closes it.
  let sliceStart = load<u64>(S_INSTRET)
  while (true) {
    if (load<u64>(S_PENDING_EXC) != 0) {
      store<u64>(S_PENDING_EXC, 0)
      if (takeTrap(load<u64>(S_PENDING_CAUSE), load<u64>(S_PENDING_TVAL)) == R_EXIT) return pendingExit
    }
    if (checkInterrupts() == R_EXIT) return pendingExit
    let instret = load<u64>(S_INSTRET)
    if (instret >= target) return EXIT_STEPS_DONE
    let limit = target
    const dl = timerDeadline()
    if (dl > instret && dl < limit) limit = dl
    // Short slices let V8 swap in its optimizing tier early (wasm has no on-stack replacement).
    if (limit - instret > SLICE_STEPS) limit = instret + SLICE_STEPS
    let passLimit = limit
    if (blocksOn()) {
      // Compiled code first (blocks.ts); it never runs past `limit`, and leaves at block boundaries
      // or before an instruction only the interpreter runs, which then runs exactly that one.
      const c = runCompiled(limit, idle == 0)
      if (c == B_LEFT) continue
      const now = load<u64>(S_INSTRET)
      if (c == B_SLOW && now < limit) passLimit = now + 1
      else if (c == B_NONE && limit - now > BLOCK_LOOK_STEPS) passLimit = now + BLOCK_LOOK_STEPS
      else if (c == B_NEAR && limit - now > BLOCK_NEAR_STEPS) passLimit = now + BLOCK_NEAR_STEPS
    }
    const status = inner(passLimit)
    if (status != R_OK) return pendingExit
    if (storeExit) {
      setStoreExit(false)
      return EXIT_STEPS_DONE
    }
    if (passLimit < limit && innerReachedLimit) continue // split by the compiled engine: the slice goes on
    if (load<u64>(S_INSTRET) == sliceStart && ++idle >= maxSteps) return EXIT_STEPS_DONE
    sliceStart = load<u64>(S_INSTRET)
    if (TRACING) {
      if (ringNearlyFull) return EXIT_TRACE_FULL
    }
  }
  return EXIT_STEPS_DONE
}

/** Whether the last inner() stopped only because it reached its limit (not a trap, resync or exit). */
let innerReachedLimit: bool = false

/** Executes until instret reaches limit (R_OK) or the loop must re-derive state (R_OK) or exit (R_EXIT). */
function inner(limit: u64): i32 {
  let pc = load<u64>(S_PC)
  let instret = load<u64>(S_INSTRET)
  const dctx = ctxFor(dataPriv())
  let lastPc = load<u64>(S_LAST_PC)
  let page: u64 = 1 // never a page address: forces a fetch translation first
  let pageBase: u64 = 0
  let brk: i32 = 0
  // Fetch triggers (triggers.ts) are looked at per instruction only while one is armed for this
  // privilege; writing tdata1/tdata2 or changing privilege leaves this loop, so this stays true.
  const fetchTrig = fetchTriggerArmed(load<u64>(S_PRIV))
  // A debugger's breakpoints (debug-stops.ts): looked at per instruction only while any is set.
  const debugBrk = debugBreakpointsArmed()
  while (instret < limit) {
    if (debugBrk && debugBreakpointHit(pc, instret)) {
      store<u64>(S_PC, pc)
      store<u64>(S_INSTRET, instret)
      brk = setExit(EXIT_DEBUG_STOP)
      break
    }
    if (fetchTrig && fetchTriggerHit(pc, load<u64>(S_PRIV))) {
      store<u64>(S_PC, pc)
      store<u64>(S_INSTRET, instret)
      brk = takeTrap(CAUSE_BREAKPOINT, 0) // QEMU 7.2 leaves mtval 0 for trigger hits, as for ebreak
      break
    }
    if ((pc & ~PAGE_MASK) != page) {
      store<u64>(S_PC, pc)
      store<u64>(S_INSTRET, instret)
      const r = fetchPage(pc, lastPc)
      if (r != R_OK) { brk = r; break }
      page = fPage
      pageBase = fPa
    }
    const pa = pageBase | (pc & PAGE_MASK)
    let e = DCACHE + <usize>(((pa >> 1) & DC_MASK) << 5)
    if (load<u64>(e) != pa) {
      store<u64>(S_PC, pc)
      store<u64>(S_INSTRET, instret)
      const r = decodeMiss(e, pa, pc)
      if (r == 2) e = DC_SCRATCH
      else if (r != R_OK) { brk = r; break }
    }
    const w = load<u64>(e, 16) // op | rd×8 << 16 | rs1×8 << 32 | rs2×8 << 48
    const op = <u16>w
    const rd = <usize>((w >> 16) & 0xffff)
    const rs1 = <usize>((w >> 32) & 0xffff)
    const rs2 = <usize>(w >> 48)
    const len = <u64>load<u8>(e, 28)
    const imm = load<u64>(e, 8)
    let npc = pc + len
    switch (op) {
      case G.OP_LUI: setX(rd, imm); break
      case G.OP_AUIPC: setX(rd, pc + imm); break
      case G.OP_JAL: setX(rd, npc); npc = pc + imm; break
      case G.OP_JALR: { const t = (X(rs1) + imm) & ~(<u64>1); setX(rd, npc); npc = t; break }
      case G.OP_BEQ: if (X(rs1) == X(rs2)) npc = pc + imm; break
      case G.OP_BNE: if (X(rs1) != X(rs2)) npc = pc + imm; break
      case G.OP_BLT: if (<i64>X(rs1) < <i64>X(rs2)) npc = pc + imm; break
      case G.OP_BGE: if (<i64>X(rs1) >= <i64>X(rs2)) npc = pc + imm; break
      case G.OP_BLTU: if (X(rs1) < X(rs2)) npc = pc + imm; break
      case G.OP_BGEU: if (X(rs1) >= X(rs2)) npc = pc + imm; break

      // Loads: TLB hit inline when the access cannot straddle the page (offset ≤ 0xff8 covers every size).
      case G.OP_LB: case G.OP_LH: case G.OP_LW: case G.OP_LD: case G.OP_LBU: case G.OP_LHU: case G.OP_LWU: {
        const va = X(rs1) + imm
        const t = TLB_LOAD + <usize>(((va >> 12) & 255) << 5)
        if (load<u64>(t) == ((va & ~PAGE_MASK) | dctx) && (va & PAGE_MASK) <= 0xff8) {
          const h = <usize>(va + load<u64>(t, 8))
          let v: u64
          switch (op) {
            case G.OP_LD: v = load<u64>(h); break
            case G.OP_LW: v = <u64>load<i32>(h); break
            case G.OP_LWU: v = <u64>load<u32>(h); break
            case G.OP_LH: v = <u64>load<i16>(h); break
            case G.OP_LHU: v = <u64>load<u16>(h); break
            case G.OP_LB: v = <u64>load<i8>(h); break
            default: v = <u64>load<u8>(h)
          }
          setX(rd, v)
        } else {
          store<u64>(S_PC, pc)
          store<u64>(S_INSTRET, instret)
          const kind = op == G.OP_LD ? K_LD : op == G.OP_LW ? K_LW : op == G.OP_LWU ? K_LWU : op == G.OP_LH ? K_LH :
            op == G.OP_LHU ? K_LHU : op == G.OP_LB ? K_LB : K_LBU
          const r = loadSlow(va, kind, <u32>(rd >> 3), len)
          if (r != R_OK) brk = r
        }
        break
      }
      case G.OP_SB: case G.OP_SH: case G.OP_SW: case G.OP_SD: {
        const va = X(rs1) + imm
        const v = X(rs2)
        const t = TLB_STORE + <usize>(((va >> 12) & 255) << 5)
        if (load<u64>(t) == ((va & ~PAGE_MASK) | dctx) && (va & PAGE_MASK) <= 0xff8) {
          const h = <usize>(va + load<u64>(t, 8))
          if (op == G.OP_SD) store<u64>(h, v)
          else if (op == G.OP_SW) store<u32>(h, <u32>v)
          else if (op == G.OP_SH) store<u16>(h, <u16>v)
          else store<u8>(h, <u8>v)
        } else {
          store<u64>(S_PC, pc)
          store<u64>(S_INSTRET, instret)
          const size: u64 = op == G.OP_SD ? 8 : op == G.OP_SW ? 4 : op == G.OP_SH ? 2 : 1
          const r = storeSlow(va, size, v, len)
          if (r != R_OK) brk = r
        }
        break
      }

      case G.OP_ADDI: setX(rd, X(rs1) + imm); break
      case G.OP_SLTI: setX(rd, <i64>X(rs1) < <i64>imm ? 1 : 0); break
      case G.OP_SLTIU: setX(rd, X(rs1) < imm ? 1 : 0); break
      case G.OP_XORI: setX(rd, X(rs1) ^ imm); break
      case G.OP_ORI: setX(rd, X(rs1) | imm); break
      case G.OP_ANDI: setX(rd, X(rs1) & imm); break
      case G.OP_SLLI: setX(rd, X(rs1) << imm); break
      case G.OP_SRLI: setX(rd, X(rs1) >> imm); break
      case G.OP_SRAI: setX(rd, <u64>(<i64>X(rs1) >> <i64>imm)); break
      case G.OP_ADD: setX(rd, X(rs1) + X(rs2)); break
      case G.OP_SUB: setX(rd, X(rs1) - X(rs2)); break
      case G.OP_SLL: setX(rd, X(rs1) << (X(rs2) & 63)); break
      case G.OP_SLT: setX(rd, <i64>X(rs1) < <i64>X(rs2) ? 1 : 0); break
      case G.OP_SLTU: setX(rd, X(rs1) < X(rs2) ? 1 : 0); break
      case G.OP_XOR: setX(rd, X(rs1) ^ X(rs2)); break
      case G.OP_SRL: setX(rd, X(rs1) >> (X(rs2) & 63)); break
      case G.OP_SRA: setX(rd, <u64>(<i64>X(rs1) >> <i64>(X(rs2) & 63))); break
      case G.OP_OR: setX(rd, X(rs1) | X(rs2)); break
      case G.OP_AND: setX(rd, X(rs1) & X(rs2)); break
      case G.OP_ADDIW: setX(rd, sextW(X(rs1) + imm)); break
      case G.OP_SLLIW: setX(rd, sextW(X(rs1) << imm)); break
      case G.OP_SRLIW: setX(rd, sextW(<u64>(<u32>X(rs1) >> <u32>imm))); break
      case G.OP_SRAIW: setX(rd, <u64><i64>(<i32>X(rs1) >> <i32>imm)); break
      case G.OP_ADDW: setX(rd, sextW(X(rs1) + X(rs2))); break
      case G.OP_SUBW: setX(rd, sextW(X(rs1) - X(rs2))); break
      case G.OP_SLLW: setX(rd, sextW(X(rs1) << (X(rs2) & 31))); break
      case G.OP_SRLW: setX(rd, sextW(<u64>(<u32>X(rs1) >> (<u32>X(rs2) & 31)))); break
      case G.OP_SRAW: setX(rd, <u64><i64>(<i32>X(rs1) >> (<i32>X(rs2) & 31))); break

      case G.OP_MUL: setX(rd, X(rs1) * X(rs2)); break
      case G.OP_MULH: {
        const a = X(rs1), b = X(rs2)
        let h = mulhu(a, b)
        if (<i64>a < 0) h -= b
        if (<i64>b < 0) h -= a
        setX(rd, h)
        break
      }
      case G.OP_MULHSU: {
        const a = X(rs1), b = X(rs2)
        let h = mulhu(a, b)
        if (<i64>a < 0) h -= b
        setX(rd, h)
        break
      }
      case G.OP_MULHU: setX(rd, mulhu(X(rs1), X(rs2))); break
      case G.OP_DIV: {
        const a = <i64>X(rs1), b = <i64>X(rs2)
        setX(rd, b == 0 ? <u64>-1 : (a == i64.MIN_VALUE && b == -1) ? <u64>a : <u64>(a / b))
        break
      }
      case G.OP_DIVU: { const b = X(rs2); setX(rd, b == 0 ? <u64>-1 : X(rs1) / b); break }
      case G.OP_REM: {
        const a = <i64>X(rs1), b = <i64>X(rs2)
        setX(rd, b == 0 ? <u64>a : (a == i64.MIN_VALUE && b == -1) ? 0 : <u64>(a % b))
        break
      }
      case G.OP_REMU: { const b = X(rs2); setX(rd, b == 0 ? X(rs1) : X(rs1) % b); break }
      case G.OP_MULW: setX(rd, sextW(X(rs1) * X(rs2))); break
      case G.OP_DIVW: {
        const a = <i32>X(rs1), b = <i32>X(rs2)
        setX(rd, <u64><i64>(b == 0 ? -1 : (a == i32.MIN_VALUE && b == -1) ? a : a / b))
        break
      }
      case G.OP_DIVUW: {
        const a = <u32>X(rs1), b = <u32>X(rs2)
        setX(rd, sextW(<u64>(b == 0 ? <u32>0xffffffff : a / b)))
        break
      }
      case G.OP_REMW: {
        const a = <i32>X(rs1), b = <i32>X(rs2)
        setX(rd, <u64><i64>(b == 0 ? a : (a == i32.MIN_VALUE && b == -1) ? 0 : a % b))
        break
      }
      case G.OP_REMUW: {
        const a = <u32>X(rs1), b = <u32>X(rs2)
        setX(rd, sextW(<u64>(b == 0 ? a : a % b)))
        break
      }

      case G.OP_FENCE: case G.OP_FENCE_TSO: break // one hart, in order: nothing to order

      // Atomics (slow path: alignment, reservation, trace).
      case G.OP_LR_W: case G.OP_SC_W: case G.OP_AMOSWAP_W: case G.OP_AMOADD_W: case G.OP_AMOXOR_W: case G.OP_AMOAND_W:
      case G.OP_AMOOR_W: case G.OP_AMOMIN_W: case G.OP_AMOMAX_W: case G.OP_AMOMINU_W: case G.OP_AMOMAXU_W:
      case G.OP_LR_D: case G.OP_SC_D: case G.OP_AMOSWAP_D: case G.OP_AMOADD_D: case G.OP_AMOXOR_D: case G.OP_AMOAND_D:
      case G.OP_AMOOR_D: case G.OP_AMOMIN_D: case G.OP_AMOMAX_D: case G.OP_AMOMINU_D: case G.OP_AMOMAXU_D: {
        store<u64>(S_PC, pc)
        store<u64>(S_INSTRET, instret)
        const raw = load<u32>(e, 24)
        const r = amo(raw >> 27, ((raw >> 12) & 7) == 3 ? 8 : 4, <u32>(rd >> 3), X(rs1), X(rs2))
        if (r != R_OK) brk = r
        break
      }

      // Floating point: loads/stores here, everything else in fp.ts.
      case G.OP_FLW: case G.OP_FLD: case G.OP_FSW: case G.OP_FSD: {
        store<u64>(S_PC, pc)
        store<u64>(S_INSTRET, instret)
        if ((load<u64>(S_MSTATUS) & MSTATUS_FS) == 0) { brk = illegal(load<u32>(e, 24)); break }
        const va = X(rs1) + imm
        let r: i32
        if (op == G.OP_FLW) r = loadSlow(va, K_FLW, <u32>(rd >> 3), len)
        else if (op == G.OP_FLD) r = loadSlow(va, K_FLD, <u32>(rd >> 3), len)
        else if (op == G.OP_FSW) r = storeSlow(va, 4, load<u64>(FREGS + rs2), len)
        else r = storeSlow(va, 8, load<u64>(FREGS + rs2), len)
        if (r != R_OK) brk = r
        break
      }
      case G.OP_FMADD_S: case G.OP_FMSUB_S: case G.OP_FNMSUB_S: case G.OP_FNMADD_S: case G.OP_FADD_S: case G.OP_FSUB_S:
      case G.OP_FMUL_S: case G.OP_FDIV_S: case G.OP_FSQRT_S: case G.OP_FSGNJ_S: case G.OP_FSGNJN_S: case G.OP_FSGNJX_S:
      case G.OP_FMIN_S: case G.OP_FMAX_S: case G.OP_FEQ_S: case G.OP_FLT_S: case G.OP_FLE_S: case G.OP_FCLASS_S:
      case G.OP_FCVT_W_S: case G.OP_FCVT_S_W: case G.OP_FCVT_WU_S: case G.OP_FCVT_S_WU: case G.OP_FCVT_L_S:
      case G.OP_FCVT_S_L: case G.OP_FCVT_LU_S: case G.OP_FCVT_S_LU: case G.OP_FMV_X_W: case G.OP_FMV_W_X:
      case G.OP_FMADD_D: case G.OP_FMSUB_D: case G.OP_FNMSUB_D: case G.OP_FNMADD_D: case G.OP_FADD_D: case G.OP_FSUB_D:
      case G.OP_FMUL_D: case G.OP_FDIV_D: case G.OP_FSQRT_D: case G.OP_FSGNJ_D: case G.OP_FSGNJN_D: case G.OP_FSGNJX_D:
      case G.OP_FMIN_D: case G.OP_FMAX_D: case G.OP_FCVT_S_D: case G.OP_FCVT_D_S: case G.OP_FEQ_D: case G.OP_FLT_D:
      case G.OP_FLE_D: case G.OP_FCLASS_D: case G.OP_FCVT_W_D: case G.OP_FCVT_D_W: case G.OP_FCVT_WU_D:
      case G.OP_FCVT_D_WU: case G.OP_FCVT_L_D: case G.OP_FCVT_D_L: case G.OP_FCVT_LU_D: case G.OP_FCVT_D_LU:
      case G.OP_FMV_X_D: case G.OP_FMV_D_X: {
        store<u64>(S_PC, pc)
        store<u64>(S_INSTRET, instret)
        const r = execFp(op, <u32>(rd >> 3), <u32>(rs1 >> 3), <u32>(rs2 >> 3), <u32>load<u8>(e, 29), <u32>load<u8>(e, 30), load<u32>(e, 24))
        if (r != R_OK) brk = r
        break
      }

      case G.OP_CSRRW: case G.OP_CSRRS: case G.OP_CSRRC: case G.OP_CSRRWI: case G.OP_CSRRSI: case G.OP_CSRRCI: {
        store<u64>(S_PC, pc)
        store<u64>(S_INSTRET, instret)
        const r = execCsr(op, <u32>(rd >> 3), <u32>(rs1 >> 3), <u32>imm, load<u32>(e, 24))
        if (r != R_OK) brk = r
        break
      }
      case G.OP_ECALL: case G.OP_EBREAK: case G.OP_SRET: case G.OP_MRET: case G.OP_WFI: case G.OP_SFENCE_VMA:
      case G.OP_FENCE_I: {
        store<u64>(S_PC, pc)
        store<u64>(S_INSTRET, instret)
        brk = execSystem(op, <u32>(rs1 >> 3), <u32>(rs2 >> 3), load<u32>(e, 24), len)
        break
      }
      default: {
        store<u64>(S_PC, pc)
        store<u64>(S_INSTRET, instret)
        brk = illegal(load<u32>(e, 24))
      }
    }
    if (brk != 0) {
      if (brk == R_RESYNC || brk == R_WFI) { pc = npc; instret++ }
      else if (brk == R_JUMP) { pc = load<u64>(S_PC); instret++ }
      else if (brk == R_TRAP) { pc = load<u64>(S_PC) }
      // R_EXIT: the instruction did not complete (MMIO, firmware trap, halt); pc stays on it.
      break
    }
    if (TRACING) {
      lastPc = pc
      if (ringNearlyFull) { pc = npc; instret++; break }
    }
    pc = npc
    instret++
  }
  innerReachedLimit = brk == 0 && instret >= limit
  if (brk == R_TRAP) pc = load<u64>(S_PC)
  store<u64>(S_PC, pc)
  store<u64>(S_INSTRET, instret)
  if (TRACING) store<u64>(S_LAST_PC, lastPc)
  if (brk == R_EXIT) return R_EXIT
  if (brk == R_WFI) return setExit(EXIT_WFI)
  return R_OK
}

// ---- host interface ------------------------------------------------------------------------------

/** Sets up memory for `ramSize` bytes of RAM at `ramBase`; returns 0, or 1 when memory cannot grow. */
export function init(ramBase: u64, ramSize: u64): i32 {
  if (__heap_base > BASE) return 2
  const need = RAM + <usize>ramSize
  const have = <usize>memory.size() << 16
  if (need > have) {
    if (memory.grow(<i32>((need - have + 0xffff) >> 16)) < 0) return 1
  }
  memory.fill(STATE_START, 0, STATE_BYTES)
  store<u64>(S_RAM_BASE, ramBase)
  store<u64>(S_RAM_SIZE, ramSize)
  reset()
  return 0
}

/** Architectural reset: M-mode, pc = 0x1000 (the boot ROM), mtimecmp = max, caches empty. */
export function reset(): void {
  const base = load<u64>(S_RAM_BASE)
  const size = load<u64>(S_RAM_SIZE)
  memory.fill(STATE_START, 0, STATE_BYTES)
  store<u64>(S_RAM_BASE, base)
  store<u64>(S_RAM_SIZE, size)
  store<u64>(S_PRIV, PRV_M)
  store<u64>(S_PC, ROM_PA)
  store<u64>(S_MTIMECMP, <u64>-1)
  memory.fill(PAGE_FLAGS, 0, PAGE_FLAGS_BYTES)
  noteCodeFlushed()
  invalidateCaches()
}

/** After the host changed RAM/ROM behind the hart's back (loading an ELF, restore): drop TLBs and decoded code. */
export function invalidateCaches(): void {
  tlbFlushAll()
  flushDecodeCache()
}

export function completeMmio(value: u64, fault: bool): void { completeMmioImpl(value, fault) }

export function getCsr(num: u32): u64 {
  if (num == 0x300) return mstatusRead()
  return csrRead(num)
}
export function csrExists(num: u32): bool { csrRead(num); return csrOk }
export function setCsr(num: u32, v: u64): bool {
  csrWrite(num, v)
  tlbFlushAll()
  return csrOk
}

export function resumeAt(pc: u64, priv: u64): void {
  store<u64>(S_PC, pc)
  if (TRACING && priv != load<u64>(S_PRIV)) record(T_PRIV, <u32>(load<u64>(S_PRIV) | (priv << 8)), pc, 0, 0, 0)
  store<u64>(S_PRIV, priv)
  tlbFlushAll()
}
export function setPriv(priv: u64): void { resumeAt(load<u64>(S_PC), priv) }

export function setInterruptLine(bit: u32, level: bool): void {
  const m: u64 = (<u64>1) << bit
  const v = load<u64>(S_MIP_LINES)
  store<u64>(S_MIP_LINES, level ? v | m : v & ~m)
}

export function getMtime(): u64 { return mtimeNow() }
export function setMtime(v: u64): void { setMtimeImpl(v) }
export function timeRatio(): u64 { return TIME_RATIO }

/** Marks (or unmarks) a RAM page (index from ramBase) as watched: its stores are recorded in the traced build. */
export function setWatchedPage(page: u32, on: bool): void {
  const f = load<u8>(PAGE_FLAGS + page)
  store<u8>(PAGE_FLAGS + page, on ? f | PF_WATCHED : f & ~PF_WATCHED)
  if (on) evictStorePage(load<u64>(S_RAM_BASE) + ((<u64>page) << 12))
}

/** Makes stores to a RAM page (index from ramBase) end run() right after the storing instruction (PF_EXIT). */
export function setExitPage(page: u32, on: bool): void {
  const f = load<u8>(PAGE_FLAGS + page)
  store<u8>(PAGE_FLAGS + page, on ? f | PF_EXIT : f & ~PF_EXIT)
  if (on) evictStorePage(load<u64>(S_RAM_BASE) + ((<u64>page) << 12))
}

/** A debugger's stops (debug-stops.ts): the host sets them all again after each change. */
export function debugStopsClear(): void { clearDebugStops(); tlbFlushAll() }
export function debugBreakpointAdd(pc: u64): bool { return addDebugBreakpoint(pc) }
/** Watches [pa, pa + length) for writes (kinds bit 0) and/or reads (bit 1); accesses there leave the TLB. */
export function debugWatchAdd(pa: u64, length: u32, kinds: u32): bool {
  const r = addDebugWatch(pa, length, kinds)
  tlbFlushAll()
  return r
}
export function debugSkip(pc: u64, instret: u64, breakpoint: bool, watch: bool): void { skipDebugStop(pc, instret, breakpoint, watch) }

/** Clears the dirty bit of every RAM page (delta checkpoints); stores re-mark pages from now on. */
export function clearDirty(): void {
  const n = <usize>(load<u64>(S_RAM_SIZE) >> 12)
  for (let i: usize = 0; i < n; i++) store<u8>(PAGE_FLAGS + i, load<u8>(PAGE_FLAGS + i) & ~PF_DIRTY)
  // Store-TLB entries exist only for dirty pages; drop them so the next store marks the page again.
  for (let i: usize = 0; i < 256; i++) store<u64>(TLB_STORE + (i << 5), 0xfff)
}

// Layout, for the host (so it never hard-codes offsets).
export function layoutRegs(): usize { return REGS }
export function layoutFregs(): usize { return FREGS }
export function layoutState(): usize { return STATE_START }
export function layoutStateBytes(): usize { return STATE_BYTES }
export function layoutRam(): usize { return RAM }
export function layoutRom(): usize { return ROM }
export function layoutRomSize(): usize { return <usize>ROM_SIZE }
export function layoutPageFlags(): usize { return PAGE_FLAGS }
export function layoutRing(): usize { return RING }
export function layoutRingRecords(): u64 { return RING_RECORDS }
export function layoutRingRecordBytes(): usize { return RING_RECORD_BYTES }
export function layoutStateSlot(i: u32): usize { return S_PC + (<usize>i << 3) }
export function layoutBlockCtl(): usize { return BLOCK_CTL }
export function layoutBlockMap(): usize { return BLOCK_MAP }
export function layoutBlockHot(): usize { return BLOCK_HOT }
export function layoutBlockCsrValue(): usize { return BC_CSR_VALUE }
export function layoutTlb(): usize { return TLB_BASE }
export function layoutPageFlagCompiled(): u32 { return PF_COMPILED }

/** The host checked the compiled code of the RAM page at physical `pagePa`: enter it from now on (blocks.ts). */
export function armPage(pagePa: u64): void { armPageImpl(pagePa) }
/** Compiled code's TLB refill (blocks.ts), imported by every compiled module. */
export { blockRefill, blockCsrRead, blockMmioRead } from './blocks'
export function isTraced(): bool { return TRACING }

/** Decodes one instruction word into the scratch entry and returns its address (tests compare operands with the ISA table). */
export function decodeWord(w: u32): usize {
  if ((w & 3) == 3) fill32(DC_SCRATCH, w)
  else fill16(DC_SCRATCH, w & 0xffff)
  return DC_SCRATCH
}
