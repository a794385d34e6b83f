/** Boot and recording requests: options, progress, outcome, and the list of past recordings. */
import type { TraceEvent } from '../trace/events'
import type { SourceLoc } from './result'
import type { SourceLine } from '../trace/source-map'
import type { FunctionRange } from '../trace/function-map'

/**
 * The step budget of a boot when none is given: room for real kernels (xv6 clears its memory for
 * ≈ 415 M steps before its first line and reaches its shell at ≈ 420 M; Linux reaches its root-fs
 * mount after ≈ 1 G), while a runaway guest still stops — after about a minute at ~100 MIPS.
 */
export const DEFAULT_BOOT_MAX_STEPS = 5_000_000_000

/**
 * The most guest RAM a machine can have: the hart keeps RAM in its 32-bit WebAssembly memory
 * (4 GiB at most) after its own state, rings and tables (about 4 MiB), so 4080 MiB, in MiB steps.
 */
export const MAX_GUEST_RAM_BYTES = 4080 * 1024 ** 2

export interface BootOptions {
  /**
   * What to boot: the workspace's build (default) or a file chosen by the user — an ELF, a RISC-V
   * Linux Image (recognised by its header), or a raw binary, which needs `rawAddr`: its load and
   * start address (`0x…` or decimal), e.g. '0x80200000' for u-boot.bin after OpenSBI.
   */
  kernel?: { kind: 'build' } | { kind: 'file'; path: string; rawAddr?: string }
  /** `none`: kernel in M-mode at its start; `builtin`: our SBI, kernel in S-mode at 0x80200000; or a firmware file. */
  bios?: 'none' | 'builtin' | { file: string }
  /** An initial ramdisk, placed where QEMU's -initrd puts it; `/chosen` says where. */
  initrd?: { file: string }
  /** The kernel command line (`/chosen/bootargs`), as QEMU's -append. */
  append?: string
  /** Guest RAM in bytes (default 128 MiB). */
  memBytes?: number
  /** Stop after this many retired instructions (default `DEFAULT_BOOT_MAX_STEPS`, 5 000 000 000). */
  maxSteps?: number
  /** The strict-TLB teaching mode: a stale translation stays until the kernel flushes it (`boot --strict-tlb`). */
  strictTlb?: boolean
  /**
   * Serve the boot to gdb (RISC-V and x86): a GDB stub on 127.0.0.1:`port` (0: a free port), the boot
   * stopped at its first instruction until gdb connects and then run as far as gdb asks (and
   * backward over what has run); recorded as usual. `boot.gdb` says where the stub listens.
   */
  gdb?: { port: number }
}

/** The live gdb stub of a boot started with `gdb` (pushed as `boot.gdb`). */
export interface BootGdbStatus {
  runId: string
  /** `127.0.0.1:PORT`: what gdb's `target remote` takes. */
  address: string
  /** `listening`: waiting for gdb, or gdb attached and driving; `detached`: gdb left, the boot runs on alone; `closed`: the boot ended (or was cancelled) under gdb. */
  state: 'listening' | 'detached' | 'closed'
}

export interface BootProgress {
  runId: string
  steps: number
  stepsPerSecond: number
  bytesWritten: number
  /** The guest sleeps until input arrives: type in the console (or Cancel). */
  waiting?: boolean
}

export interface BootOutcome {
  runId: string
  /** Path of the recording file. */
  recording: string
  steps: number
  stop: {
    reason: string
    exitCode?: number
    message: string
    /** What to change, when Bootscope knows. */
    hint?: string
    /** Where the hart was (hex), and the source line of that instruction when the kernel is the workspace's build. */
    pc?: string
    loc?: SourceLoc
  }
}

export interface RecordingSummary {
  /** Path of the SQLite file, workspace-relative. */
  path: string
  createdAt: string
  kernel: string
  steps: number
  /** How the boot ended ('shutdown', 'trap-loop', 'budget', 'cancelled', 'crashed', …), or 'incomplete'. */
  outcome: string
  schemaVersion: number
}

export interface LaneRange {
  from: number
  /** Exclusive. */
  to: number
  value: string
}

export interface RecordingOverview extends RecordingSummary {
  /** `mode`: x86 only, the CPU's operating mode (real, protected, compatibility, long 64-bit). */
  lanes: { privilege: LaneRange[]; translation: LaneRange[]; region: LaneRange[]; mode?: LaneRange[] }
  /** Every event except UART output (which `recording.events` pages through), capped at `MAX_OVERVIEW_EVENTS`. */
  events: TraceEvent[]
  /** Counts per event kind over the whole recording. */
  counts: Record<string, number>
  /** True when `events` was capped. */
  truncated: boolean
  /** The kernel's line table (empty for a kernel not built in Bootscope): PC → source line. */
  sourceLines: SourceLine[]
  /** The kernel's DWARF functions and inlined calls (empty without DWARF): PC → `kernel_main`. */
  functions: FunctionRange[]
}

export const MAX_OVERVIEW_EVENTS = 20_000
