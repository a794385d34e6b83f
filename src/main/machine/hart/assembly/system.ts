/**
 * The SYSTEM-opcode instructions and fences, all on the slow path: csrrw/s/c(i), ecall, ebreak,
 * mret, sret, wfi, sfence.vma, fence.i. Each returns a run-loop status (globals.ts): CSR writes
 * and xRETs return R_RESYNC / R_JUMP so the loop re-derives privilege, TLB context and pending
 * interrupts; illegal cases raise illegal instruction with the instruction bits as tval.
 */
import * as G from './decode.generated'
import { REGS, S_PRIV, S_MSTATUS, S_PC, S_HALT_ON_EBREAK, S_MIE, DCACHE, PAGE_FLAGS, PAGE_FLAGS_BYTES, PRV_M, PRV_S, PRV_U } from './layout'
import {
  R_OK, R_RESYNC, setExit, EXIT_HALT, CAUSE_ILLEGAL_INSTRUCTION, CAUSE_BREAKPOINT, CAUSE_USER_ECALL,
  MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW, PF_CODE_X8, PF_COMPILED_X8,
} from './globals'
import { csrRead, csrWrite, csrAllowed, csrOk } from './csr'
import { takeTrap, doMret, doSret } from './trap'
import { tlbFlush } from './mmu'
import { mipRead } from './csr'
import { X_DUMMY } from './decode'
import { TRACING, record, T_CSR, T_SFENCE } from './trace'
import { setRingNearlyFull } from './globals'
import { noteCodeFlushed } from './blocks'

/** Retired, and the next pc is in S_PC (xRET). */
export const R_JUMP: i32 = 5
/** Retired; leave run() with HartExit.Wfi. */
export const R_WFI: i32 = 4

export function illegal(raw: u32): i32 {
  return takeTrap(CAUSE_ILLEGAL_INSTRUCTION, <u64>raw)
}

export function execCsr(op: u16, rd: u32, rs1: u32, csr: u32, raw: u32): i32 {
  const isImm = op == G.OP_CSRRWI || op == G.OP_CSRRSI || op == G.OP_CSRRCI
  const src: u64 = isImm ? <u64>rs1 : load<u64>(REGS + (<usize>rs1 << 3))
  const isRw = op == G.OP_CSRRW || op == G.OP_CSRRWI
  const writes = isRw || rs1 != 0
  if (!csrAllowed(csr, writes)) return illegal(raw)
  // csrrw with rd = x0 does not read the CSR (no read side effects); we have none, but still check existence.
  const old = csrRead(csr)
  if (!csrOk) return illegal(raw)
  if (writes) {
    let nv: u64
    if (isRw) nv = src
    else if (op == G.OP_CSRRS || op == G.OP_CSRRSI) nv = old | src
    else nv = old & ~src
    csrWrite(csr, nv)
    if (!csrOk) return illegal(raw)
    if (TRACING) {
      record(T_CSR, csr, 0, 0, old, csrRead(csr))
      // A satp write activates a page table: leave the loop so the recorder walks it (and starts
      // watching its pages) before the next instruction can change it.
      if (csr == 0x180) setRingNearlyFull(true)
    }
  }
  if (rd != X_DUMMY) store<u64>(REGS + (<usize>rd << 3), old)
  return writes ? R_RESYNC : R_OK
}

export function execSystem(op: u16, rs1: u32, rs2: u32, raw: u32, len: u64): i32 {
  const priv = load<u64>(S_PRIV)
  const ms = load<u64>(S_MSTATUS)
  switch (op) {
    case G.OP_ECALL: return takeTrap(CAUSE_USER_ECALL + priv, 0)
    case G.OP_EBREAK: {
      if (load<u64>(S_HALT_ON_EBREAK) != 0) return setExit(EXIT_HALT)
      return takeTrap(CAUSE_BREAKPOINT, 0) // QEMU 7.2 leaves tval 0 for ebreak (the spec allows 0 or the pc)
    }
    case G.OP_MRET: {
      if (priv != PRV_M) return illegal(raw)
      doMret()
      return R_JUMP
    }
    case G.OP_SRET: {
      if (priv < PRV_S || (priv == PRV_S && (ms & MSTATUS_TSR) != 0)) return illegal(raw)
      doSret()
      return R_JUMP
    }
    case G.OP_WFI: {
      if (priv == PRV_U || (priv == PRV_S && (ms & MSTATUS_TW) != 0)) return illegal(raw)
      if ((mipRead() & load<u64>(S_MIE)) != 0) return R_RESYNC // an enabled interrupt is pending: wfi is a nop
      return R_WFI
    }
    case G.OP_SFENCE_VMA: {
      if (priv == PRV_U || (priv == PRV_S && (ms & MSTATUS_TVM) != 0)) return illegal(raw)
      const va = load<u64>(REGS + (<usize>rs1 << 3))
      const asid = load<u64>(REGS + (<usize>rs2 << 3))
      tlbFlush(va, rs1 == 0, asid, rs2 == 0)
      if (TRACING) record(T_SFENCE, (rs1 == 0 ? 1 : 0) | (rs2 == 0 ? 2 : 0), va, asid, 0, 0)
      return R_RESYNC
    }
    case G.OP_FENCE_I: {
      flushDecodeCache()
      return R_RESYNC
    }
    default: return illegal(raw)
  }
}

/** Drops every pre-decoded instruction (fence.i, restore, host writes to guest code). */
export function flushDecodeCache(): void {
  memory.fill(DCACHE, 0, (1 << 16) * 32)
  // Code pages no longer have decoded entries: let stores to them use the fast path again. Compiled
  // pages are disarmed with them (the host re-checks their bytes before entering them again).
  for (let i: usize = 0; i < PAGE_FLAGS_BYTES; i += 8) {
    const v = load<u64>(PAGE_FLAGS + i)
    if (v != 0) store<u64>(PAGE_FLAGS + i, v & ~(PF_CODE_X8 | PF_COMPILED_X8))
  }
  noteCodeFlushed()
}
