/**
 * The built-in SBI firmware (`--bios builtin`): the RISC-V Supervisor Binary Interface v2.0 answered
 * in TypeScript when the hart leaves its loop with `FirmwareTrap`, instead of running OpenSBI's
 * ~12 M instructions of M-mode code. It implements what a single-hart kernel asks of OpenSBI — the
 * legacy calls, Base, TIME, IPI, RFENCE, HSM, SRST and DBCN (SBI spec chapters 4–10, 12) — and
 * redirects other M-mode traps to S-mode exactly as delegation would (OpenSBI `sbi_trap_redirect`).
 * The timer follows OpenSBI: set_timer programs mtimecmp, clears STIP and enables MTIE; the M timer
 * interrupt then sets STIP and masks MTIE until the next set_timer.
 */
import type { TrapInfo } from '../hart/hart-api'
import { CAUSE_ECALL_FROM_S, CAUSE_INTERRUPT, CSR, IRQ_M_TIMER, MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP } from './csr-numbers'

// SBI extension ids (SBI spec v2.0, each chapter's "Extension ID").
export const SBI_EXT_LEGACY_SET_TIMER = 0x00
export const SBI_EXT_LEGACY_CONSOLE_PUTCHAR = 0x01
export const SBI_EXT_LEGACY_CONSOLE_GETCHAR = 0x02
export const SBI_EXT_LEGACY_SHUTDOWN = 0x08
export const SBI_EXT_BASE = 0x10
export const SBI_EXT_TIME = 0x5449_4d45
export const SBI_EXT_IPI = 0x73_5049
export const SBI_EXT_RFENCE = 0x5246_4e43
export const SBI_EXT_HSM = 0x48_534d
export const SBI_EXT_SRST = 0x5352_5354
export const SBI_EXT_DBCN = 0x4442_434e

// §3 "Standard SBI Errors".
export const SBI_SUCCESS = 0n
export const SBI_ERR_FAILED = -1n
export const SBI_ERR_NOT_SUPPORTED = -2n
export const SBI_ERR_INVALID_PARAM = -3n
export const SBI_ERR_INVALID_ADDRESS = -5n
export const SBI_ERR_ALREADY_AVAILABLE = -6n

/** Base extension answers: spec version 2.0 (major << 24 | minor). */
export const SBI_SPEC_VERSION = (2n << 24n) | 0n
/** Not a registered implementation id (§4.9 lists 0–10): ours, so kernels can tell it apart. */
export const SBI_IMPL_ID_BOOTSCOPE = 0xb007n
export const SBI_IMPL_VERSION = 1n

/** §9.3 hart states. */
export const SBI_HSM_STATE_STARTED = 0n

/** §10 system_reset types. */
export const SBI_SRST_RESET_TYPE_SHUTDOWN = 0
export const SBI_SRST_RESET_TYPE_COLD_REBOOT = 1
export const SBI_SRST_RESET_TYPE_WARM_REBOOT = 2
export const SBI_SRST_RESET_REASON_SYSFAIL = 1

/**
 * OpenSBI's delegation (`sbi_hart.c`, `delegate_traps`): misaligned fetch, breakpoint, U-mode ecall
 * and the three page faults to S-mode; SSIP/STIP/SEIP in mideleg. Instruction page faults are the
 * exception here — see `MEDELEG_BUILTIN`.
 */
export const MEDELEG_OPENSBI = (1n << 0n) | (1n << 3n) | (1n << 8n) | (1n << 12n) | (1n << 13n) | (1n << 15n)
export const MIDELEG_OPENSBI = (1n << 1n) | (1n << 5n) | (1n << 9n)
/**
 * The built-in firmware keeps instruction page faults (cause 12) for itself and redirects them to
 * S-mode: the kernel sees the same trap, and the machine gets to inspect it — that is how it catches
 * "satp written, current PC unmapped" with the exact faulting address.
 */
export const MEDELEG_BUILTIN = MEDELEG_OPENSBI & ~(1n << 12n)

const MIP_SSIP_BIT = 1n << 1n
const MIP_STIP_BIT = 1n << 5n
const MIE_MTIE_BIT = 1n << 7n

/** The registers the firmware needs: the hart satisfies this; tests use a small register file. */
export interface SbiHart {
  getX(i: number): bigint
  setX(i: number, v: bigint): void
  getCsr(num: number): bigint | undefined
  setCsr(num: number, v: bigint): void
  mtimecmp: bigint
}

/** What the firmware needs from the machine around the hart. */
export interface SbiPlatform {
  /** A byte for the console (goes where UART output goes, with the current step). */
  consolePutchar(byte: number): void
  /** The next byte of console input, or -1. */
  consoleGetchar(): number
  readPhys(addr: bigint, len: number): Uint8Array | undefined
  writePhys(addr: bigint, data: Uint8Array): boolean
  /** SRST / legacy shutdown: the machine stops. */
  systemReset(type: number, reason: number): void
  /** HSM hart_stop of the only hart: nothing can run any more. */
  hartStop(): void
  /** RFENCE on this hart: drop cached translations (and the decode cache for fence.i). */
  flushLocal(kind: 'fence.i' | 'sfence.vma'): void
}

/** What the run loop does after a firmware trap. */
export type FirmwareAction = { kind: 'resume'; pc: bigint; priv: number } | { kind: 'stop' }

const A0 = 10
const A1 = 11
const A6 = 16
const A7 = 17
const MASK_64 = (1n << 64n) - 1n

const SUPPORTED_EXTENSIONS = new Set([
  SBI_EXT_LEGACY_SET_TIMER,
  SBI_EXT_LEGACY_CONSOLE_PUTCHAR,
  SBI_EXT_LEGACY_CONSOLE_GETCHAR,
  SBI_EXT_LEGACY_SHUTDOWN,
  SBI_EXT_BASE,
  SBI_EXT_TIME,
  SBI_EXT_IPI,
  SBI_EXT_RFENCE,
  SBI_EXT_HSM,
  SBI_EXT_SRST,
  SBI_EXT_DBCN,
])

export class BuiltinSbi {
  /** Set when a call ended the run (shutdown, reset, hart stop). */
  stopped = false
  /** Calls answered, by extension id, for statistics and tests. */
  readonly calls = new Map<number, number>()

  constructor(
    private readonly hart: SbiHart,
    private readonly platform: SbiPlatform,
  ) {}

  /** OpenSBI's `sbi_putc` sends "\r" before every "\n": kernels print the same bytes on either firmware. */
  private putc(byte: number): void {
    if (byte === 0x0a) this.platform.consolePutchar(0x0d)
    this.platform.consolePutchar(byte)
  }

  /**
   * Prepares M-mode state like OpenSBI before it enters the next stage: delegation, counters
   * visible to S-mode, PMP entry 0 open over all memory (NAPOT, RWX), timer interrupt masked.
   */
  initMachineState(): void {
    const h = this.hart
    h.setCsr(CSR.medeleg, MEDELEG_BUILTIN)
    h.setCsr(CSR.mideleg, MIDELEG_OPENSBI)
    h.setCsr(CSR.mcounteren, 0xffff_ffffn)
    h.setCsr(CSR.pmpaddr0, (1n << 54n) - 1n)
    h.setCsr(CSR.pmpcfg0, 0x1fn) // A = NAPOT, X, W, R
    h.setCsr(CSR.mie, (h.getCsr(CSR.mie) ?? 0n) & ~MIE_MTIE_BIT)
    h.setCsr(CSR.satp, 0n)
  }

  /** Handles one firmware trap; the run loop resumes or stops as told. */
  handleTrap(trap: TrapInfo): FirmwareAction {
    if (trap.cause === CAUSE_ECALL_FROM_S) {
      this.ecall()
      return this.stopped ? { kind: 'stop' } : { kind: 'resume', pc: trap.epc + 4n, priv: trap.fromPriv }
    }
    if (trap.cause === (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
      // The S-mode timer the kernel asked for is due: hand it over as STIP, mask MTIE until the next set_timer.
      this.setMip(MIP_STIP_BIT, true)
      this.hart.setCsr(CSR.mie, (this.hart.getCsr(CSR.mie) ?? 0n) & ~MIE_MTIE_BIT)
      return { kind: 'resume', pc: trap.epc, priv: trap.fromPriv }
    }
    if (trap.fromPriv <= 1 && (trap.cause & CAUSE_INTERRUPT) === 0n) return this.redirect(trap)
    return { kind: 'stop' }
  }

  /**
   * Delivers `trap` to S-mode as if medeleg had delegated it (privileged spec, "Supervisor Trap
   * Handling"; OpenSBI `sbi_trap_redirect`): scause/sepc/stval, SPP = previous privilege,
   * SPIE = SIE, SIE = 0, then pc = stvec (exceptions use the base even in vectored mode).
   */
  redirect(trap: TrapInfo): FirmwareAction {
    const h = this.hart
    h.setCsr(CSR.scause, trap.cause)
    h.setCsr(CSR.sepc, trap.epc)
    h.setCsr(CSR.stval, trap.tval)
    let s = h.getCsr(CSR.sstatus) ?? 0n
    s = trap.fromPriv === 1 ? s | MSTATUS_SPP : s & ~MSTATUS_SPP
    s = s & MSTATUS_SIE ? s | MSTATUS_SPIE : s & ~MSTATUS_SPIE
    s &= ~MSTATUS_SIE
    h.setCsr(CSR.sstatus, s)
    const stvec = h.getCsr(CSR.stvec) ?? 0n
    return { kind: 'resume', pc: stvec & ~3n, priv: 1 }
  }

  private setMip(bit: bigint, on: boolean): void {
    const mip = this.hart.getCsr(CSR.mip) ?? 0n
    this.hart.setCsr(CSR.mip, on ? mip | bit : mip & ~bit)
  }

  private setTimer(when: bigint): void {
    this.hart.mtimecmp = when & MASK_64
    this.setMip(MIP_STIP_BIT, false)
    this.hart.setCsr(CSR.mie, (this.hart.getCsr(CSR.mie) ?? 0n) | MIE_MTIE_BIT)
  }

  /** One SBI call: a7 = extension, a6 = function, a0..a5 = arguments (SBI spec §3 "Binary Encoding"). */
  private ecall(): void {
    const h = this.hart
    const eid = Number(h.getX(A7) & 0xffff_ffffn)
    const fid = Number(h.getX(A6) & 0xffff_ffffn)
    const a = (i: number) => h.getX(A0 + i)
    this.calls.set(eid, (this.calls.get(eid) ?? 0) + 1)
    const legacy = (value: bigint) => h.setX(A0, value & MASK_64)
    const ret = (error: bigint, value = 0n) => {
      h.setX(A0, error & MASK_64)
      h.setX(A1, value & MASK_64)
    }
    switch (eid) {
      case SBI_EXT_LEGACY_SET_TIMER:
        this.setTimer(a(0))
        return legacy(0n)
      case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
        this.putc(Number(a(0) & 0xffn))
        return legacy(0n)
      case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
        return legacy(BigInt(this.platform.consoleGetchar()))
      case SBI_EXT_LEGACY_SHUTDOWN:
        this.stopped = true
        this.platform.systemReset(SBI_SRST_RESET_TYPE_SHUTDOWN, 0)
        return legacy(0n)
      case SBI_EXT_BASE:
        switch (fid) {
          case 0:
            return ret(SBI_SUCCESS, SBI_SPEC_VERSION)
          case 1:
            return ret(SBI_SUCCESS, SBI_IMPL_ID_BOOTSCOPE)
          case 2:
            return ret(SBI_SUCCESS, SBI_IMPL_VERSION)
          case 3:
            return ret(SBI_SUCCESS, SUPPORTED_EXTENSIONS.has(Number(a(0) & 0xffff_ffffn)) ? 1n : 0n)
          case 4:
            return ret(SBI_SUCCESS, h.getCsr(CSR.mvendorid) ?? 0n)
          case 5:
            return ret(SBI_SUCCESS, h.getCsr(CSR.marchid) ?? 0n)
          case 6:
            return ret(SBI_SUCCESS, h.getCsr(CSR.mimpid) ?? 0n)
          default:
            return ret(SBI_ERR_NOT_SUPPORTED)
        }
      case SBI_EXT_TIME:
        if (fid !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
        this.setTimer(a(0))
        return ret(SBI_SUCCESS)
      case SBI_EXT_IPI: {
        if (fid !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
        // send_ipi(hart_mask, hart_mask_base): hart 0 is the only hart; base -1 means "all harts".
        if (this.targetsHart0(a(0), a(1))) this.setMip(MIP_SSIP_BIT, true)
        return ret(SBI_SUCCESS)
      }
      case SBI_EXT_RFENCE:
        if (fid > 6) return ret(SBI_ERR_NOT_SUPPORTED)
        if (fid >= 3) return ret(SBI_ERR_NOT_SUPPORTED) // the hypervisor fences: no H extension
        if (this.targetsHart0(a(0), a(1))) this.platform.flushLocal(fid === 0 ? 'fence.i' : 'sfence.vma')
        return ret(SBI_SUCCESS)
      case SBI_EXT_HSM:
        switch (fid) {
          case 0: // hart_start(hartid, start_addr, opaque)
            return ret(a(0) === 0n ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM)
          case 1: // hart_stop: the last hart stopping leaves nothing to run
            this.stopped = true
            this.platform.hartStop()
            return ret(SBI_SUCCESS)
          case 2: // hart_get_status(hartid)
            return a(0) === 0n ? ret(SBI_SUCCESS, SBI_HSM_STATE_STARTED) : ret(SBI_ERR_INVALID_PARAM)
          case 3: // hart_suspend(type, …): a retentive suspend may return at once (§9.4)
            return a(0) === 0n ? ret(SBI_SUCCESS) : ret(SBI_ERR_NOT_SUPPORTED)
          default:
            return ret(SBI_ERR_NOT_SUPPORTED)
        }
      case SBI_EXT_SRST: {
        if (fid !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
        const type = Number(a(0) & 0xffff_ffffn)
        const reason = Number(a(1) & 0xffff_ffffn)
        if (type > SBI_SRST_RESET_TYPE_WARM_REBOOT) return ret(SBI_ERR_INVALID_PARAM)
        this.stopped = true
        this.platform.systemReset(type, reason)
        return ret(SBI_SUCCESS)
      }
      case SBI_EXT_DBCN:
        return this.debugConsole(fid, ret)
      default:
        return ret(SBI_ERR_NOT_SUPPORTED)
    }
  }

  private targetsHart0(mask: bigint, base: bigint): boolean {
    if ((base & MASK_64) === MASK_64) return true // hart_mask_base = -1: every hart
    return base === 0n && (mask & 1n) === 1n
  }

  /** §12 Debug Console: write/read a buffer given by its physical address (lo, hi), or one byte. */
  private debugConsole(fid: number, ret: (error: bigint, value?: bigint) => void): void {
    const h = this.hart
    const num = Number(h.getX(A0) & 0xffff_ffffn)
    const addr = h.getX(A0 + 1) | (h.getX(A0 + 2) << 64n) // (lo, hi): hi is 0 on RV64
    switch (fid) {
      case 0: {
        const bytes = this.platform.readPhys(addr, num)
        if (!bytes) return ret(SBI_ERR_INVALID_PARAM)
        for (const b of bytes) this.putc(b)
        return ret(SBI_SUCCESS, BigInt(num))
      }
      case 1: {
        const got: number[] = []
        for (let c; got.length < num && (c = this.platform.consoleGetchar()) >= 0; ) got.push(c)
        if (!this.platform.writePhys(addr, Uint8Array.from(got))) return ret(SBI_ERR_INVALID_PARAM)
        return ret(SBI_SUCCESS, BigInt(got.length))
      }
      case 2:
        this.putc(Number(h.getX(A0) & 0xffn))
        return ret(SBI_SUCCESS)
      default:
        return ret(SBI_ERR_NOT_SUPPORTED)
    }
  }
}
