/**
 * An x86 recording (the PC machine) as a `DebugTarget`: the same replay underneath as riscv64's
 * (any step, forward and back, memory read through the x86 page tables of that step), with the
 * i386 or x86-64 register set — chosen by the kernel's ELF class, since gdb's target description
 * is fixed for a connection — read from the x86 hart. The x86 hart serves debug stops (its
 * debug-stops.ts): continue and reverse-continue run to them at hart speed, with read, write and
 * access watchpoints and breakpoints on linear addresses (CS.base + EIP/RIP: the EIP gdb shows in
 * flat 32-bit and 64-bit code).
 */
import type { ReplaySession } from '../../trace/replay'
import { PcMachine } from '../../machine/x86/pc-machine'
import type { MemoryRegion } from '../debug-target'
import { RiscvReplayTarget } from '../riscv64/replay-target'
import { I386_GDB, X86_64_GDB, x86Register, type X86GdbArchitecture } from './arch'

const ELFCLASS64 = 2

export class X86ReplayTarget extends RiscvReplayTarget {
  override readonly arch: X86GdbArchitecture

  constructor(session: ReplaySession, recordingPath?: string) {
    super(session, recordingPath)
    this.arch = this.machine.images[0]?.elf?.header.class === ELFCLASS64 ? X86_64_GDB : I386_GDB
  }

  private get machine(): PcMachine {
    return this.session.machineAtStep as PcMachine
  }

  override pc(): bigint {
    return this.machine.x86.getReg('rip')
  }

  override register(regnum: number): bigint | undefined {
    return x86Register(this.arch, this.machine.x86, regnum)
  }

  /**
   * Every address as RAM (the PC's holes — VGA, the BIOS area — gdb need not know about), in two
   * regions: one `0 … 2^64` region has a length gdb cannot parse.
   */
  override memoryRegions(): MemoryRegion[] {
    return [{ type: 'ram', start: 0n, length: 1n << 32n }]
  }
}

/** Whether a replay is of the x86 PC machine. */
export function isX86Replay(session: ReplaySession): boolean {
  return session.machineAtStep instanceof PcMachine
}
