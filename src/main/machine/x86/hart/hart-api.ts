/**
 * The contract between the x86 hart (i386 + x86-64, AssemblyScript compiled to wasm, wrapped by
 * `hart.ts`) and the PC platform around it (port I/O bus, PIC/APIC, PIT, UART, VGA, Multiboot
 * loading, the run loop, the recorder). It follows the RV64 hart's contract
 * (`../../hart/hart-api.ts`): the hart runs guest code in its hot loop and leaves it with an
 * exit code for anything outside itself — port I/O, MMIO, `hlt`, an external interrupt it can
 * take now, an MSR it does not own, a triple fault, a full trace ring. The platform owns every
 * device (the PIC and APIC included) and all time-based events; the hart owns the architectural
 * state (registers, segments and their descriptor caches, control registers, the MSRs listed in
 * `X86_HART_MSRS`, the TLB) and delivers exceptions and interrupts through the IDT itself.
 *
 * Determinism: `run(n)` retires exactly `n` steps unless it exits earlier, and nothing in the
 * hart depends on the host clock. A step is one retired instruction; each iteration of a
 * `rep`-prefixed string instruction is one step (as QEMU's icount counts them), so every step
 * is bounded work and an interrupt can arrive between iterations. Time (`time`, RDTSC) comes from
 * steps plus the idle time the platform adds while the hart is halted (`advanceTime`).
 * The human description of this contract lives in /work/coord/x86-hart-api.md.
 */
import type { X86TraceKind } from './trace-layout'
import type { DebugStops } from '../../core/boot-machine'

/** Why `run` returned. */
export const enum X86HartExit {
  /** The requested number of steps retired. */
  StepsDone = 0,
  /** `in`/`out`/`ins`/`outs` (one element): see `io`, then call `completeIo`. The instruction has not retired yet. */
  Io = 1,
  /** A load/store hit a physical address outside RAM or on a device page: see `mmio`, then call `completeMmio`. */
  Mmio = 2,
  /**
   * The hart is halted: `hlt` just retired, or `run` was called while halted and nothing can wake it
   * (no NMI, and no external interrupt it may take: `intrLine` low or IF = 0). The platform advances
   * time to its next device event (`advanceTime`), raises `intrLine`, and calls `run` again.
   * Halted with IF = 0 and no NMI source is "stopped for good" (`cli; hlt`).
   */
  Hlt = 3,
  /**
   * `intrLine` is high and the hart can take an external interrupt now (IF = 1, no interrupt
   * shadow, at an instruction boundary). The platform acknowledges its PIC/APIC and calls
   * `acknowledgeInterrupt(vector)` (or `acknowledgeInterrupt(null)` for none / spurious); the next
   * `run` delivers the vector through the IDT before any instruction.
   */
  InterruptAck = 4,
  /**
   * Shutdown: a fault while delivering a double fault. The machine stays stopped (it does not
   * reset); `tripleFault` holds the three faults. Every later `run` returns `TripleFault` again
   * until `reset`, `restore` or `loadState`.
   */
  TripleFault = 5,
  /** A trace ring is nearly full (traced build only): drain it (`drainTrace`) and call `run` again. */
  TraceFull = 6,
  /**
   * `rdmsr`/`wrmsr` of an MSR the hart does not own (not in `X86_HART_MSRS`): see `msr`, then call
   * `completeMsr(value)` (rdmsr result; ignored for wrmsr) or `completeMsr(null)` to raise #GP(0).
   */
  Msr = 7,
  /** `mov cr8, r` retired (the task priority changed): the APIC re-evaluates what it may deliver. */
  Tpr = 8,
  /**
   * An instruction the hart does not implement, about to raise #UD (see `undefinedOpcode`). The
   * instruction has not retired and #UD is not delivered yet: calling `run` again delivers #UD to
   * the guest. Only when `stopOnUnimplemented` is on (default); invalid encodings (`ud2`, bytes no
   * table row matches) always go straight to the guest's #UD handler and are only recorded.
   */
  Unimplemented = 9,
  /** Instruction fetch from a physical address outside RAM (or a device page): see `mmio` (isFetch). The hart stays stopped there. */
  FetchOutsideRam = 10,
  /** `int3` while `haltOnInt3` is on (RIP stays on it), or a stop requested with `requestStop`. */
  Breakpoint = 11,
  /**
   * A debugger's stop (`setDebugStops`): before the instruction at a breakpoint, or before an access
   * to (or an event delivery's frame on) a watched range. RIP stays on the instruction, nothing of it
   * is done, and the step is the one replay reaches; `skipDebugStop` lets it run on.
   */
  DebugStop = 12,
}

/** One port I/O element the platform must perform after `X86HartExit.Io`. */
export interface X86IoAccess {
  /** I/O port, 0..0xFFFF. */
  port: number
  size: 1 | 2 | 4
  /** true for `out`/`outs`. */
  isWrite: boolean
  /** The value written (for writes), zero-extended to 32 bits. */
  value: number
  /**
   * `ins`/`outs`: the hart does the memory side (reads the source before exiting for `outs`,
   * stores the value returned by `completeIo` for `ins`, with the destination already checked for
   * faults) and updates RSI/RDI and, with `rep`, RCX. Each element is one exit and one step.
   */
  string: boolean
  rep: boolean
}

/** The pending physical access after `X86HartExit.Mmio` (or `FetchOutsideRam`). */
export interface X86MmioAccess {
  /** Physical address. */
  addr: bigint
  /** Bytes; wider accesses (SSE 16-byte moves, fxsave) are split into naturally ordered 8-byte exits. */
  size: 1 | 2 | 4 | 8
  isWrite: boolean
  /** The value written (for writes), little-endian. */
  value: bigint
  /** true for `FetchOutsideRam` (cannot be completed). */
  isFetch: boolean
}

/** The pending MSR access after `X86HartExit.Msr`. */
export interface X86MsrAccess {
  msr: number
  isWrite: boolean
  /** EDX:EAX for wrmsr. */
  value: bigint
}

/** Which step of delivering an event failed (for a fault raised during delivery). */
export type X86DeliveryStep =
  | 'idt' // reading the IDT entry: vector beyond the IDT limit, or the IDT page not mapped
  | 'gate' // the gate itself: wrong type, not present (#NP), DPL < CPL for `int n`
  | 'code-segment' // the handler's CS selector: null, beyond the GDT/LDT limit, not code, not present
  | 'tss' // reading SS:ESP / RSP0-2 / ISTn from the TSS (beyond its limit, not mapped)
  | 'stack-segment' // the new SS from the TSS: null, wrong type, DPL, not present (#TS/#SS)
  | 'stack' // pushing the frame: a #PF/#SS writing the handler's stack (RSP from the TSS or IST)
  | 'handler' // RIP beyond the CS limit (#GP) or non-canonical

/** One fault of a triple-fault chain. */
export interface X86FaultRecord {
  /** Exception vector (0 #DE … 8 #DF … 13 #GP, 14 #PF …). */
  vector: number
  /** The error code pushed (or that would have been pushed), null when the vector has none. */
  errorCode: number | null
  /** RIP and CS of the instruction being executed (or interrupted) when it happened. */
  rip: bigint
  cs: number
  /** CR2 after this fault (the faulting linear address for #PF; unchanged otherwise). */
  cr2: bigint
  /** null for a fault of the instruction itself; otherwise the delivery step of the previous fault that failed. */
  during: X86DeliveryStep | null
  /** Linear address of the access that failed (IDT entry, descriptor, TSS field, stack slot), when there was one. */
  address: bigint | null
}

/** The three faults behind a shutdown: first (the original), second (while delivering it → #DF), third (while delivering #DF). */
export interface X86TripleFault {
  faults: [X86FaultRecord, X86FaultRecord, X86FaultRecord]
  /** Step (instret) of the instruction that raised the first fault. */
  step: bigint
}

/** The last instruction that raised #UD, for the stop explanation. */
export interface X86UndefinedOpcode {
  rip: bigint
  /** The instruction bytes from RIP (up to 15; fewer when the next page is not mapped). */
  bytes: Uint8Array
  /** 'unimplemented': a table row matches but the hart does not execute it; 'invalid': no row matches, or `ud0/ud1/ud2`, or not valid in this mode. */
  reason: 'unimplemented' | 'invalid'
  /** The table row's mnemonic when one matched (e.g. 'vaddps'), else null. */
  mnemonic: string | null
  step: bigint
}

/** Segment registers in encoding order (Sreg field), then the system segments. */
export type X86SegmentName = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs' | 'ldtr' | 'tr'
export const X86_SEGMENT_NAMES: readonly X86SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr']

/**
 * A segment register: the visible selector and its hidden descriptor cache. `attrs` packs the
 * descriptor's access byte and flags as the SDM's "access rights" (VMX layout):
 * bits 0–3 type, 4 S, 5–6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G, bit 16 = unusable (null loaded).
 */
export interface X86Segment {
  selector: number
  base: bigint
  /** Limit in bytes, already scaled by G (0xFFFFFFFF for a flat 4 GiB segment). */
  limit: number
  attrs: number
}

export const SEG_ATTR = {
  TYPE_MASK: 0xf,
  /** Type bit 0: accessed. */
  ACCESSED: 0x1,
  /** Type bit 1: writable (data) / readable (code). */
  RW: 0x2,
  /** Type bit 2: expand-down (data) / conforming (code). */
  DC: 0x4,
  /** Type bit 3: code. */
  CODE: 0x8,
  S: 0x10,
  DPL_SHIFT: 5,
  P: 0x80,
  AVL: 0x1000,
  L: 0x2000,
  DB: 0x4000,
  G: 0x8000,
  UNUSABLE: 0x10000,
} as const

/** Descriptor-table registers. */
export interface X86TableRegister {
  base: bigint
  limit: number
}

/** General-purpose registers in encoding order (ModRM reg field with REX.R). */
export const X86_GPR_NAMES = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
] as const
export type X86GprName = (typeof X86_GPR_NAMES)[number]

/** Every register `getReg`/`setReg` know, as the SDM names them (lower case). */
export const X86_REG_NAMES = [
  ...X86_GPR_NAMES,
  'rip', 'rflags',
  'cr0', 'cr2', 'cr3', 'cr4', 'cr8',
  'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7',
  'efer', 'fs_base', 'gs_base', 'kernel_gs_base',
  'mxcsr', 'fcw', 'fsw', 'ftw',
] as const
export type X86RegName = (typeof X86_REG_NAMES)[number]

/**
 * The MSRs the hart owns (rdmsr/wrmsr never exit for them). Any other MSR exits with
 * `X86HartExit.Msr`. IA32_APIC_BASE is kept here (reset value 0xFEE00900: BSP, enabled, base
 * 0xFEE00000); the platform reads it with `getMsr` when it needs the APIC's base.
 * Numbers are the SDM's (vol. 4, "Model-Specific Registers").
 */
export const X86_HART_MSRS = {
  IA32_TSC: 0x10,
  IA32_APIC_BASE: 0x1b,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  IA32_MISC_ENABLE: 0x1a0,
  IA32_PAT: 0x277,
  IA32_EFER: 0xc0000080,
  IA32_STAR: 0xc0000081,
  IA32_LSTAR: 0xc0000082,
  IA32_CSTAR: 0xc0000083,
  IA32_FMASK: 0xc0000084,
  IA32_FS_BASE: 0xc0000100,
  IA32_GS_BASE: 0xc0000101,
  IA32_KERNEL_GS_BASE: 0xc0000102,
  IA32_TSC_AUX: 0xc0000103,
} as const

/**
 * Operating mode, from CR0.PE, EFER.LMA and CS.L:
 * 'real' (PE = 0), 'protected' (PE = 1, LMA = 0), 'compat' (LMA = 1, CS.L = 0), 'long' (64-bit: LMA = 1, CS.L = 1).
 * (Virtual-8086 mode is not implemented: setting EFLAGS.VM raises #GP where the SDM allows, else is ignored.)
 */
export type X86Mode = 'real' | 'protected' | 'compat' | 'long'

/** Paging structure in use: none (CR0.PG = 0), 32-bit two-level, PAE three-level, 4-level (IA-32e). */
export type X86PagingMode = 'none' | '32-bit' | 'pae' | '4-level'

/** Access kinds for `probe`. */
export interface X86ProbeAccess {
  write?: boolean
  fetch?: boolean
  /** Checked as CPL 3 (user) when true; as the current CPL otherwise. */
  user?: boolean
}

/** The result of a side-effect-free translation (`probe`). */
export type X86ProbeResult =
  | { ok: true; pa: bigint; /** 4096, 2 MiB, 4 MiB or 1 GiB */ pageSize: number }
  | { ok: false; /** the #PF error code the access would raise */ errorCode: number }

export interface X86HartOptions {
  /** Bytes of RAM from physical address 0 (default 128 MiB, a multiple of 4 KiB, at most 3 GiB). */
  ramSize: number
  /**
   * Physical ranges inside RAM that belong to devices (accesses exit with Mmio instead of touching
   * RAM), at 4 KiB granularity. Default none: the platform decides about the legacy hole
   * 0xA0000–0xFFFFF (e.g. VGA text as RAM it reads, or as a device). Addresses at or above
   * `ramSize` are always MMIO.
   */
  deviceRanges?: Array<{ base: bigint; size: number }>
  /** Load the traced build (trace hooks into rings); the untraced build has no hook cost. */
  trace?: boolean
}

export interface X86HartApi {
  /** Runs until `maxSteps` steps retire or an exit happens; see `X86HartExit`. */
  run(maxSteps: number): X86HartExit
  /** Retired steps since reset: the position ("step") of record and replay. */
  readonly instret: bigint
  /**
   * Guest time in steps: instret + the idle steps added by `advanceTime` while halted. Device
   * timers (PIT, LAPIC timer, RTC) derive their time from it; RDTSC returns `time` + the
   * IA32_TSC offset (1 TSC tick per step). Never depends on the host clock.
   */
  readonly time: bigint
  /** Adds idle steps to `time` (only while halted: the platform skipping to its next timer event). */
  advanceTime(steps: bigint): void

  /** Guest RAM as a view on wasm memory (offset 0 = physical 0). Re-read after `restore` (memory may move). */
  readonly ram: Uint8Array
  /** Marks 4 KiB pages of RAM as device pages (exit Mmio) or back to RAM. */
  setDeviceRange(base: bigint, size: number, isDevice: boolean): void

  /** After `X86HartExit.Io`. */
  readonly io: X86IoAccess
  /** Finishes the pending port access: `value` is the data read (for `in`/`ins`; ignored for writes). The instruction retires. */
  completeIo(value: number): void
  /** After `X86HartExit.Mmio` / `FetchOutsideRam`. */
  readonly mmio: X86MmioAccess
  /** Finishes the pending MMIO access (`value` for reads). The next `run` completes the instruction. */
  completeMmio(value: bigint): void
  /** After `X86HartExit.Msr`. */
  readonly msr: X86MsrAccess
  /** Finishes the pending rdmsr (value = EDX:EAX) / wrmsr; null raises #GP(0) instead. */
  completeMsr(value: bigint | null): void

  /** The INTR pin (PIC output / APIC has a deliverable vector). Level: the platform lowers it when nothing is pending. */
  intrLine: boolean
  /** Answers `X86HartExit.InterruptAck`: the vector to deliver now, or null (spurious / withdrawn: nothing is delivered). */
  acknowledgeInterrupt(vector: number | null): void
  /** Latches an NMI (vector 2): delivered at the next instruction boundary unless NMIs are blocked (until the next iret). */
  raiseNmi(): void
  /** True after `hlt` until an interrupt or NMI is delivered (settable for restore tools). */
  halted: boolean
  /** IF = 1 and no interrupt shadow (sti / mov ss / pop ss) in effect: an external interrupt could be taken now. */
  readonly interruptible: boolean

  /** Registers by name (`X86_REG_NAMES`); 'rflags' is materialised from the lazy flags. */
  getReg(name: X86RegName): bigint
  /** Sets a register as a debugger would: no checks, no faults; CR0/CR3/CR4/EFER writes flush the TLB and recompute the mode. */
  setReg(name: X86RegName, v: bigint): void
  /** General-purpose register by encoding number 0..15. */
  getGpr(i: number): bigint
  setGpr(i: number, v: bigint): void
  /** A segment register with its descriptor cache. */
  getSegment(name: X86SegmentName): X86Segment
  /** Loads a segment register and its cache directly (no descriptor-table read, no checks); the mode is recomputed for CS. */
  setSegment(name: X86SegmentName, seg: X86Segment): void
  gdtr: X86TableRegister
  idtr: X86TableRegister
  /** XMM register i (0..15) as 16 little-endian bytes. */
  getXmm(i: number): Uint8Array
  setXmm(i: number, bytes: Uint8Array): void
  /** An MSR the hart owns (`X86_HART_MSRS`); undefined for any other number. */
  getMsr(num: number): bigint | undefined
  /** Writes a hart-owned MSR (no #GP checks); throws for others. */
  setMsr(num: number, v: bigint): void
  /** What CPUID returns for a leaf/subleaf (the documented CPU model, see cpu-model.ts). */
  cpuid(leaf: number, subleaf?: number): { eax: number; ebx: number; ecx: number; edx: number }

  readonly mode: X86Mode
  /** Default operand/address size of the current code segment: 16, 32 or 64. */
  readonly codeSize: 16 | 32 | 64
  /** Current privilege level (CS.RPL; 0 in real mode). */
  readonly cpl: number
  readonly pagingMode: X86PagingMode

  /** Translates a linear address as the current paging structures say, without setting A/D, filling the TLB or faulting. */
  probe(va: bigint, access?: X86ProbeAccess): X86ProbeResult

  /** After `X86HartExit.TripleFault`; null otherwise. */
  readonly tripleFault: X86TripleFault | null
  /** The last #UD raised (for `Unimplemented` and for stop explanations), null if none since reset. */
  readonly undefinedOpcode: X86UndefinedOpcode | null
  /** Exit with `Unimplemented` before raising #UD for an instruction the hart does not implement (default true). */
  stopOnUnimplemented: boolean
  /** `int3` stops the run with `Breakpoint` (RIP stays on it) instead of raising #BP (tests, gdb). Default false. */
  haltOnInt3: boolean
  /** Makes the current (or next) `run` return `Breakpoint` at the next instruction boundary. */
  requestStop(): void
  /**
   * Arms a debugger's stops, replacing the previous ones: breakpoints on *linear* addresses
   * (CS.base + RIP; the RIP itself in flat and 64-bit code) and physical ranges watched for writes
   * and/or reads; `run` then returns `DebugStop` before such an instruction or access. False when
   * there are more than the hart holds (64 breakpoints, 16 watches).
   */
  setDebugStops(stops: DebugStops): boolean
  /** The instruction (or event delivery) at the current RIP and step runs without stopping at its breakpoint and/or watched access. */
  skipDebugStop(kinds: { breakpoint: boolean; watch: boolean }): void
  /**
   * Strict TLB (teaching mode, as on RISC-V): every translation the hart caches stays until
   * invlpg, a CR3 write (non-global entries) or a CR4.PGE/CR0.PG change — a kernel that changes
   * a PTE without invlpg keeps seeing the old mapping, reliably. Off by default: the TLB is a
   * small direct-mapped cache as in QEMU, where a stale entry may or may not survive.
   */
  strictTlb: boolean

  /** Architectural reset (SDM "Processor state after reset": real mode, CS:IP = F000:FFF0); RAM is kept. */
  reset(): void
  /** Drops TLBs and pre-decoded instructions: needed after the host rewrites guest code that already ran. */
  invalidateCaches(): void

  /** Full state for checkpoints: registers, segments, MSRs, x87/SSE, RAM (caller compresses). */
  snapshot(): Uint8Array
  restore(state: Uint8Array): void
  /** The state without RAM (replay checkpoints keep RAM as page deltas). */
  saveState(): Uint8Array
  loadState(state: Uint8Array): void
  /** Indices (4 KiB pages from physical 0) of RAM pages written since `clearDirty` (guest stores, A/D updates, ins). */
  dirtyPages(): number[]
  clearDirty(): void

  // ---- tracing (traced build; see trace-layout.ts for the record layout) ----
  readonly traced: boolean
  /** Records stores into the RAM page holding `pa` (page-table pages: PTE writes, A/D updates). */
  watchPage(pa: bigint, on?: boolean): void
  /** Records a REGION event when RIP enters a new (rip >> shift) region; 0 turns it off. */
  regionShift: number
  /** Records every paging-structure entry the walker reads (WALK events). */
  traceWalks: boolean
  /**
   * The record kinds the ring keeps (default: every kind). `[X86_TRACE_KIND.EXC, X86_TRACE_KIND.SHUTDOWN]`
   * is an exception-only trace: an `int`-heavy loop then writes one record per event instead of two
   * (no IRET), and nothing for far transfers, regions or stores. Part of the saved state.
   */
  traceKinds: readonly X86TraceKind[]
  /**
   * Copies out and consumes every record in the ring. The bytes live in a buffer the next
   * drainTrace reuses: decode or copy them before running the hart again.
   */
  drainTrace(): Uint8Array
}
