/**
 * What the GDB stub needs from a machine, whatever its architecture and whether it is a
 * recording or a live boot: a position (the step), one step forward or back, registers by gdb
 * register number, memory as the guest sees it now, and the target description gdb reads. A
 * machine plugs in by implementing `DebugTarget` (riscv64 over a replay: `replay-target.ts`);
 * breakpoints, watchpoints and the packets live in the stub, written once.
 */
import type { DebugStops } from '../machine/core/boot-machine'

/** One register as the target description declares it. */
export interface GdbRegister {
  name: string
  bitsize: number
  /** gdb's register number for this target (the `p` packet's index). */
  regnum: number
  type?: string
  group?: string
}

export interface GdbFeature {
  /** e.g. org.gnu.gdb.riscv.cpu */
  name: string
  registers: GdbRegister[]
}

export interface GdbArchitecture {
  /** BFD architecture name for `<architecture>` (riscv:rv64, i386, i386:x86-64). */
  architecture: string
  features: GdbFeature[]
  /** Registers 0 … gCount−1 travel in the `g` packet; the others gdb reads one by one with `p`. */
  gCount: number
}

/** A region of physical memory for gdb's memory map. */
export interface MemoryRegion {
  type: 'ram' | 'rom'
  start: bigint
  length: bigint
}

export type MemoryRead = { bytes: Uint8Array } | { error: string }

export interface DebugTarget {
  readonly arch: GdbArchitecture
  /** Current position: instructions retired. */
  readonly step: bigint
  /** The last step the target can reach (a recording's length; unbounded for a live boot). */
  readonly lastStep: bigint
  /** Goes to `step` (0 … lastStep). Returns false when the machine stopped before reaching it (the boot ended). */
  seek(step: bigint): Promise<boolean>
  pc(): bigint
  /** The value of register `regnum`, or undefined when this machine has no such register. */
  register(regnum: number): bigint | undefined
  /** Memory as the guest sees it now: virtual addresses through the MMU, or physical ones. */
  read(address: bigint, length: number, physical?: boolean): MemoryRead
  /** Where a virtual address is in physical memory now (for watchpoints), undefined when unmapped. */
  physicalAddress(va: bigint): bigint | undefined
  /**
   * Breakpoints are set at link addresses (from the ELF and DWARF); before paging the PC runs at
   * the load address. The link address of a PC.
   */
  linkAddress(pc: bigint): bigint
  /** The PCs at which a breakpoint at `address` stops: itself and, before paging, its load addresses. */
  breakpointPcs(address: bigint): bigint[]
  /**
   * Runs forward at full speed with `stops` checked in the machine, until one fires ('stop': just
   * before that instruction or access), `to` ('reached'), the end of the boot ('ended') or
   * `interrupted()` ('interrupted'); `skip` passes the stops at the starting point. Undefined
   * (or the method absent) when the machine cannot: the stub then steps one instruction at a time.
   */
  runToStop?(
    to: bigint,
    stops: DebugStops,
    skip: { breakpoint: boolean; watch: boolean },
    interrupted: () => boolean,
  ): Promise<'stop' | 'reached' | 'ended' | 'interrupted' | undefined>
  /** Whether it is known that nothing wrote these physical ranges between steps `from` and `to`. */
  unwrittenBetween?(from: bigint, to: bigint, ranges: { pa: bigint; length: number }[]): boolean
  /** Steps between checkpoints: a backward search replays windows this long. */
  readonly window?: bigint
  /** The machine's ROM and RAM, for gdb's memory map (`qXfer:memory-map:read`). */
  memoryRegions?(): MemoryRegion[]
  /** Target-specific `monitor` commands (translate, events, where); undefined when unknown. */
  monitor?(command: string): Promise<string | undefined>
}
