/**
 * The trap model (privileged spec 3.1.6–3.1.9, 3.3.2, 4.1.1): taking exceptions and interrupts
 * with delegation (medeleg/mideleg), interrupt priority MEI, MSI, MTI, SEI, SSI, STI, the global
 * enables per privilege, mret/sret, and the `firmwareTraps` exit that hands M-mode traps to the
 * built-in SBI on the host instead of guest M-mode code.
 */
import {
  S_PC, S_PRIV, S_MSTATUS, S_MIE, S_MEDELEG, S_MIDELEG, S_MTVEC, S_STVEC, S_MEPC, S_SEPC, S_MCAUSE, S_SCAUSE,
  S_MTVAL, S_STVAL, S_FIRMWARE_TRAPS, S_TRAP_CAUSE, S_TRAP_TVAL, S_TRAP_EPC, S_TRAP_FROM_PRIV,
  S_CHAIN_EPC, S_CHAIN_CAUSE, S_CHAIN_TVAL, S_CHAIN_LAST_TARGET, S_CHAIN_LAST_STEP, S_INSTRET,
  PRV_M, PRV_S, PRV_U,
} from './layout'
import {
  R_TRAP, R_OK, EXIT_FIRMWARE_TRAP, setExit, INTERRUPT_BIT, MSTATUS_SIE, MSTATUS_MIE, MSTATUS_SPIE, MSTATUS_MPIE,
  MSTATUS_SPP, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_MPRV, MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_SSIP, MIP_STIP,
  IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI,
} from './globals'
import { mipRead } from './csr'
import { tlbFlushAll } from './mmu'
import { TRACING, record, T_TRAP, T_XRET } from './trace'

/**
 * Takes a trap at the instruction whose pc is in S_PC. Returns R_TRAP (S_PC = handler) or R_EXIT
 * (HartExit.FirmwareTrap, state untouched apart from the trap info).
 */
export function takeTrap(cause: u64, tval: u64): i32 {
  const priv = load<u64>(S_PRIV)
  const epc = load<u64>(S_PC)
  const isInt = (cause & INTERRUPT_BIT) != 0
  const code = cause & 63
  const deleg = isInt ? load<u64>(S_MIDELEG) : load<u64>(S_MEDELEG)
  const toS = priv <= PRV_S && ((deleg >> code) & 1) != 0
  if (!toS && load<u64>(S_FIRMWARE_TRAPS) != 0) {
    store<u64>(S_TRAP_CAUSE, cause)
    store<u64>(S_TRAP_TVAL, tval)
    store<u64>(S_TRAP_EPC, epc)
    store<u64>(S_TRAP_FROM_PRIV, priv)
    return setExit(EXIT_FIRMWARE_TRAP)
  }
  let ms = load<u64>(S_MSTATUS)
  let tvec: u64
  if (toS) {
    store<u64>(S_SCAUSE, cause)
    store<u64>(S_SEPC, epc)
    store<u64>(S_STVAL, tval)
    ms = (ms & ~(MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SIE)) | ((ms & MSTATUS_SIE) << 4) | (priv << 8)
    store<u64>(S_PRIV, PRV_S)
    tvec = load<u64>(S_STVEC)
  } else {
    store<u64>(S_MCAUSE, cause)
    store<u64>(S_MEPC, epc)
    store<u64>(S_MTVAL, tval)
    ms = (ms & ~(MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MIE)) | ((ms & MSTATUS_MIE) << 4) | (priv << MSTATUS_MPP_SHIFT)
    store<u64>(S_PRIV, PRV_M)
    tvec = load<u64>(S_MTVEC)
  }
  store<u64>(S_MSTATUS, ms)
  let pc = tvec & ~(<u64>3)
  if ((tvec & 1) != 0 && isInt) pc += code << 2
  store<u64>(S_PC, pc)
  noteTrapChain(epc, cause, tval, pc)
  tlbFlushAll()
  if (TRACING) record(T_TRAP, <u32>(priv | (load<u64>(S_PRIV) << 8)), cause, tval, epc, pc)
  return R_TRAP
}

/** Keeps the first trap of a chain of traps taken at their handler's first instruction (see S_CHAIN_EPC). */
function noteTrapChain(epc: u64, cause: u64, tval: u64, target: u64): void {
  const step = load<u64>(S_INSTRET)
  if (epc != load<u64>(S_CHAIN_LAST_TARGET) || step != load<u64>(S_CHAIN_LAST_STEP)) {
    store<u64>(S_CHAIN_EPC, epc)
    store<u64>(S_CHAIN_CAUSE, cause)
    store<u64>(S_CHAIN_TVAL, tval)
  }
  store<u64>(S_CHAIN_LAST_TARGET, target)
  store<u64>(S_CHAIN_LAST_STEP, step)
}

/** The highest-priority interrupt that is pending, enabled and allowed now, or -1. */
export function pendingInterrupt(): i32 {
  const pending = mipRead() & load<u64>(S_MIE)
  if (pending == 0) return -1
  const priv = load<u64>(S_PRIV)
  const ms = load<u64>(S_MSTATUS)
  const mideleg = load<u64>(S_MIDELEG)
  const mEnabled = priv < PRV_M || (ms & MSTATUS_MIE) != 0
  const sEnabled = priv < PRV_S || (priv == PRV_S && (ms & MSTATUS_SIE) != 0)
  let cand: u64 = 0
  if (mEnabled) cand = pending & ~mideleg
  if (cand == 0 && sEnabled) cand = pending & mideleg
  if (cand == 0) return -1
  if (cand & MIP_MEIP) return <i32>IRQ_MEI
  if (cand & MIP_MSIP) return <i32>IRQ_MSI
  if (cand & MIP_MTIP) return <i32>IRQ_MTI
  if (cand & MIP_SEIP) return <i32>IRQ_SEI
  if (cand & MIP_SSIP) return <i32>IRQ_SSI
  if (cand & MIP_STIP) return <i32>IRQ_STI
  return -1
}

/** Takes the pending interrupt if any: R_OK (none), R_TRAP or R_EXIT. */
export function checkInterrupts(): i32 {
  const irq = pendingInterrupt()
  if (irq < 0) return R_OK
  const r = takeTrap(INTERRUPT_BIT | <u64>irq, 0)
  return r
}

/** mret: privilege from MPP, MIE from MPIE, MPIE = 1, MPP = U, MPRV cleared when leaving M. */
export function doMret(): void {
  const from = load<u64>(S_PRIV)
  let ms = load<u64>(S_MSTATUS)
  const mpp = (ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT
  ms = (ms & ~(MSTATUS_MIE | MSTATUS_MPP)) | ((ms & MSTATUS_MPIE) >> 4) | MSTATUS_MPIE | (PRV_U << MSTATUS_MPP_SHIFT)
  if (mpp != PRV_M) ms &= ~MSTATUS_MPRV
  store<u64>(S_MSTATUS, ms)
  store<u64>(S_PRIV, mpp)
  store<u64>(S_PC, load<u64>(S_MEPC))
  tlbFlushAll()
  if (TRACING) record(T_XRET, <u32>(from | (mpp << 8)), 0x302, load<u64>(S_MEPC), 0, 0)
}

/** sret: privilege from SPP, SIE from SPIE, SPIE = 1, SPP = U, MPRV cleared (never returns to M). */
export function doSret(): void {
  const from = load<u64>(S_PRIV)
  let ms = load<u64>(S_MSTATUS)
  const spp = (ms & MSTATUS_SPP) >> 8
  ms = (ms & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV)) | ((ms & MSTATUS_SPIE) >> 4) | MSTATUS_SPIE
  store<u64>(S_MSTATUS, ms)
  store<u64>(S_PRIV, spp)
  store<u64>(S_PC, load<u64>(S_SEPC))
  tlbFlushAll()
  if (TRACING) record(T_XRET, <u32>(from | (spp << 8)), 0x102, load<u64>(S_SEPC), 0, 0)
}
