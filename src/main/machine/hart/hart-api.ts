/**
 * The contract between the hart (AssemblyScript compiled to wasm, wrapped by `hart.ts`) and the
 * rest of the machine (devices, boot, SBI, the run loop in `machine/machine.ts`, the recorder).
 * The hart runs guest code in its hot loop and leaves it with an exit code for anything slow or
 * outside itself: MMIO, firmware traps, WFI, trace rings filling up (ARCHITECTURE.md, "The machine").
 * Devices never see the hart: the machine relays MMIO and drives interrupt lines through this API.
 */

/** Why `run` returned. */
export const enum HartExit {
  /** The requested number of steps retired. */
  StepsDone = 0,
  /** A load/store/fetch hit an address outside RAM and ROM: see `mmio`, then call `completeMmio`. */
  Mmio = 1,
  /** A trap would be taken into M-mode while `firmwareTraps` is on: see `trap`; the host handles it (built-in SBI). */
  FirmwareTrap = 2,
  /** `wfi` with no interrupt pending: the host may fast-forward time to the next timer event. */
  Wfi = 3,
  /** A trace ring is full (traced build only): drain it and call `run` again. */
  TraceFull = 4,
  /** `ebreak` while `haltOnEbreak` is on, or a host-requested stop. */
  Halt = 5,
  /** A debugger's stop (`CoreHart.setDebugStops`): before the instruction at a breakpoint, or before an access to a watched range; pc stays on it. */
  DebugStop = 6,
}

export interface MmioAccess {
  /** Physical address. */
  addr: bigint
  size: 1 | 2 | 4 | 8
  isWrite: boolean
  /** The value being written (for writes). */
  value: bigint
  /**
   * true for an instruction fetch. The RV64 hart never exits for one: devices are not
   * executable, so it raises the instruction access fault itself (cause 1, tval = pc).
   */
  isFetch: boolean
}

export interface TrapInfo {
  /** mcause value: interrupt bit 63 | exception code. */
  cause: bigint
  tval: bigint
  epc: bigint
  /** Privilege the trap came from: 0 U, 1 S, 3 M. */
  fromPriv: number
}

export interface HartOptions {
  /** Physical base of DRAM (QEMU virt: 0x8000_0000). */
  ramBase: bigint
  /** Bytes of DRAM (default 128 MiB). */
  ramSize: number
  /** Load the traced build (trace hooks into rings); the untraced build has no hook cost. */
  trace?: boolean
  /**
   * Execution engine: 'interpreter', or 'blocks' (hot code compiled to wasm, docs/block-compiler.md;
   * same results, step for step). Default: the BOOTSCOPE_ENGINE environment variable, else 'blocks'.
   */
  engine?: HartEngine
  /** Engine 'blocks': slice starts at a pc before it is compiled (default HOT_THRESHOLD; tests use 1 to compile everything). */
  hotThreshold?: number
  /**
   * Engine 'blocks': the compile time budget — compiling may use at most `share` of the process's
   * CPU time once it has used `floorMs` (default COMPILE_BUDGET_SHARE, COMPILE_BUDGET_FLOOR_MS;
   * not applied at hot threshold 1 unless given here).
   */
  compileBudget?: { share: number; floorMs: number }
}

export type HartEngine = 'interpreter' | 'blocks'

export interface HartApi {
  /** Runs until `maxSteps` instructions retire or an exit happens. */
  run(maxSteps: number): HartExit
  /** Retired-instruction count since reset: the position ("step") of record and replay. */
  readonly instret: bigint

  /** Guest DRAM as a view on wasm memory (offset 0 = ramBase). Re-read after `restore`. */
  readonly ram: Uint8Array
  /** The boot ROM at 0x1000 (0xf000 bytes): host-writable, read-only and executable for the guest. */
  readonly rom: Uint8Array

  /** The pending MMIO access after `HartExit.Mmio`. */
  readonly mmio: MmioAccess
  /** Finishes the pending access: `value` for reads; `fault` raises a load/store/fetch access fault instead. */
  completeMmio(value: bigint, fault?: boolean): void

  /** Register file and state. */
  getX(i: number): bigint
  setX(i: number, v: bigint): void
  getF(i: number): bigint
  setF(i: number, v: bigint): void
  pc: bigint
  /** Current privilege: 0 U, 1 S, 3 M. */
  priv: number
  /** Reads a CSR as the hardware would (no privilege check); undefined for unimplemented numbers. */
  getCsr(num: number): bigint | undefined
  setCsr(num: number, v: bigint): void

  /** When on, traps into M-mode (exceptions and interrupts not delegated) exit with `FirmwareTrap` instead. */
  firmwareTraps: boolean
  /** The trap that caused `HartExit.FirmwareTrap`. */
  readonly trap: TrapInfo
  /**
   * The first trap of the chain the hart is in: traps each taken at the previous trap's handler
   * address with nothing retired between (a handler that cannot be fetched). Where a fault loop began.
   */
  readonly trapChainStart?: { epc: bigint; cause: bigint; tval: bigint }
  /** Stores to the RAM page holding `pa` end `run` right after the storing instruction (tohost is then seen at its exact step). */
  exitOnStore?(pa: bigint, on?: boolean): void
  /** Resumes from a firmware trap in privilege `priv` at `pc` (e.g. `sepc`-style return after an SBI call). */
  resumeAt(pc: bigint, priv: number): void

  /** Interrupt lines driven by devices (PLIC → MEIP/SEIP); mip bit numbers per the privileged spec. */
  setInterruptLine(bit: number, level: boolean): void
  /** CLINT state, kept in the hart so timer interrupts are exact to the instruction. mtime = instret / ratio + offset. */
  mtime: bigint
  mtimecmp: bigint
  /** Software interrupt (CLINT msip). */
  msip: boolean

  /**
   * UART reads served in the hart (assembly/uart-mirror.ts): the UART's registers are at physical
   * `base`, its line status register at `pollRegister`; a base of 0 turns the path off. The device
   * then publishes its state with `publishUart` after every change: the byte each register reads
   * now, a mask of the registers whose read changes nothing (bit i = register i), and whether input
   * is pending.
   */
  mirrorUart(base: bigint, pollRegister: number): void
  publishUart(registers: Uint8Array, pure: number, inputIdle: boolean): void
  /** mtime at which the current streak of input polls began (undefined: no streak); kept in the hart so served polls extend it. */
  inputPollSince: bigint | undefined
  /** A poll finding the streak this long (mtime ticks) is an MMIO exit, for the host to judge. */
  inputPollLimit: bigint

  /** Full state for checkpoints: registers, CSRs, TLB-independent state, RAM (caller compresses). */
  snapshot(): Uint8Array
  restore(state: Uint8Array): void

  /** When on, `ebreak` stops the run with `HartExit.Halt` (pc stays on it) instead of trapping (tests, tools). */
  haltOnEbreak?: boolean
  /** When on, only sfence.vma flushes the TLB (satp writes do not), so a missing fence shows up. Default off, as QEMU. */
  strictTlb?: boolean
  /** Drops TLBs and pre-decoded instructions: needed after the host rewrites guest code that already ran. */
  invalidateCaches?(): void
  /** For replay checkpoints: the state without RAM, and the RAM pages (4 KiB, from ramBase) the guest wrote since `clearDirty`. */
  saveState?(): Uint8Array
  loadState?(state: Uint8Array): void
  dirtyPages?(): number[]
  clearDirty?(): void
}
