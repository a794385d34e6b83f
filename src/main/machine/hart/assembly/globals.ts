/**
 * Small shared pieces for the slow paths: status codes between the run loop and the helpers,
 * mstatus bit names (privileged spec, "Machine Status Register"), trap causes, and the
 * transient results of a translation. Nothing here is part of the snapshot: every value is
 * recomputed or only lives between a helper's return and the loop reading it.
 */

// What a slow-path helper tells the run loop.
/** Done; the instruction may retire. */
export const R_OK: i32 = 0
/** A trap was taken: S_PC holds the handler, the instruction did not retire. */
export const R_TRAP: i32 = 1
/** Leave run() with `pendingExit` (Mmio, FirmwareTrap, Halt, Wfi, TraceFull). */
export const R_EXIT: i32 = 2
/** Done and retired, but leave the inner loop: state the loop caches (privilege, TLB context, interrupts) may have changed. */
export const R_RESYNC: i32 = 3

// HartExit (hart-api.ts).
export const EXIT_STEPS_DONE: i32 = 0
export const EXIT_MMIO: i32 = 1
export const EXIT_FIRMWARE_TRAP: i32 = 2
export const EXIT_WFI: i32 = 3
export const EXIT_TRACE_FULL: i32 = 4
export const EXIT_HALT: i32 = 5
export const EXIT_DEBUG_STOP: i32 = 6

export let pendingExit: i32 = 0
export function setExit(code: i32): i32 {
  pendingExit = code
  return R_EXIT
}
/** Set when a trace record leaves fewer than RING_SLACK free slots: the loop exits with TraceFull after the instruction. */
/** A store hit a PF_EXIT page: run() returns after the storing instruction. */
export let storeExit: bool = false
export function setStoreExit(v: bool): void { storeExit = v }
export let ringNearlyFull: bool = false
export function setRingNearlyFull(v: bool): void { ringNearlyFull = v }

// mstatus fields.
export const MSTATUS_SIE: u64 = 1 << 1
export const MSTATUS_MIE: u64 = 1 << 3
export const MSTATUS_SPIE: u64 = 1 << 5
export const MSTATUS_MPIE: u64 = 1 << 7
export const MSTATUS_SPP: u64 = 1 << 8
export const MSTATUS_MPP_SHIFT: u64 = 11
export const MSTATUS_MPP: u64 = 3 << 11
export const MSTATUS_FS: u64 = 3 << 13
export const MSTATUS_FS_DIRTY: u64 = 3 << 13
export const MSTATUS_MPRV: u64 = 1 << 17
export const MSTATUS_SUM: u64 = 1 << 18
export const MSTATUS_MXR: u64 = 1 << 19
export const MSTATUS_TVM: u64 = 1 << 20
export const MSTATUS_TW: u64 = 1 << 21
export const MSTATUS_TSR: u64 = 1 << 22
export const MSTATUS_UXL: u64 = (<u64>2) << 32
export const MSTATUS_SXL: u64 = (<u64>2) << 34
export const MSTATUS_SD: u64 = (<u64>1) << 63
/** Bits software may write in mstatus (the rest are read-only, zero or computed). */
export const MSTATUS_WMASK: u64 = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |
  MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
export const SSTATUS_MASK: u64 = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD

// Interrupt bits of mip/mie.
export const IRQ_SSI: u64 = 1
export const IRQ_MSI: u64 = 3
export const IRQ_STI: u64 = 5
export const IRQ_MTI: u64 = 7
export const IRQ_SEI: u64 = 9
export const IRQ_MEI: u64 = 11
export const MIP_SSIP: u64 = 1 << 1
export const MIP_MSIP: u64 = 1 << 3
export const MIP_STIP: u64 = 1 << 5
export const MIP_MTIP: u64 = 1 << 7
export const MIP_SEIP: u64 = 1 << 9
export const MIP_MEIP: u64 = 1 << 11
export const S_INTERRUPTS: u64 = MIP_SSIP | MIP_STIP | MIP_SEIP
export const ALL_INTERRUPTS: u64 = S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP

// Exception codes (mcause without the interrupt bit).
export const CAUSE_MISALIGNED_FETCH: u64 = 0
export const CAUSE_FETCH_ACCESS: u64 = 1
export const CAUSE_ILLEGAL_INSTRUCTION: u64 = 2
export const CAUSE_BREAKPOINT: u64 = 3
export const CAUSE_MISALIGNED_LOAD: u64 = 4
export const CAUSE_LOAD_ACCESS: u64 = 5
export const CAUSE_MISALIGNED_STORE: u64 = 6
export const CAUSE_STORE_ACCESS: u64 = 7
export const CAUSE_USER_ECALL: u64 = 8
export const CAUSE_SUPERVISOR_ECALL: u64 = 9
export const CAUSE_MACHINE_ECALL: u64 = 11
export const CAUSE_FETCH_PAGE_FAULT: u64 = 12
export const CAUSE_LOAD_PAGE_FAULT: u64 = 13
export const CAUSE_STORE_PAGE_FAULT: u64 = 15
export const INTERRUPT_BIT: u64 = (<u64>1) << 63
/** Exceptions medeleg can delegate (QEMU's mask: all but ecall from M and the reserved codes). */
export const MEDELEG_MASK: u64 = 0xb3ff

// Access types for the MMU and PMP.
export const ACC_FETCH: i32 = 0
export const ACC_LOAD: i32 = 1
export const ACC_STORE: i32 = 2

/** PF_CODE replicated in every byte of a u64 (layout.ts PF_CODE = 2), to clear it 8 pages at a time. */
export const PF_CODE_X8: u64 = 0x0202020202020202
/** PF_COMPILED (layout.ts, 32) in every byte of a u64. */
export const PF_COMPILED_X8: u64 = 0x2020202020202020
