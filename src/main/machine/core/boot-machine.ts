/**
 * The one interface every machine preset offers (ARCHITECTURE.md, "More than one architecture"):
 * what the recorder, replay, checkpoints, the CLI and the API use, whatever the architecture.
 * Running (`run`, input, cancel, pause), checkpoints (state without RAM + dirty pages), and
 * `view`: the architecture seen through arch-neutral words — registers as named values with
 * widths and decoded fields, the privilege/mode, the root page table (satp or CR3), translate
 * with each level's entry, the page-table tree, disassembly. A RISC-V `virt` machine
 * (`../machine.ts`) and an x86 PC (`../x86/pc-machine.ts`) both implement it; nothing above it
 * switches on the architecture.
 */
import type { DiskOverlay } from '../devices/cow-disk'
import type { SatpValue, MappingRange } from '../../../shared/trace/events'
import type { Access, TableEntry, Translation } from '../../../shared/paging/page-walk'
import type { DeviceState } from '../device-state'
import type { LoadedImage } from '../boot/loader'
import type { MachineListener, StopInfo } from '../machine-events'
import type { ConsoleRing } from './console-ring'

/** Why a run is ended from outside: by the user, or on the recorder's behalf (a signal; the recording reached its size cap). */
export type CancelReason = 'cancelled' | 'interrupted' | 'size-limit'

export type ArchName = 'riscv64' | 'x86'
export type MachinePresetName = 'riscv64-virt' | 'x86-pc'

export interface RunOptions {
  /** Stop once the step count reaches this (absolute, default `DEFAULT_BOOT_MAX_STEPS` of shared/api/boot). */
  maxSteps?: number | bigint
  sliceSteps?: number
  /** Pause (not stop) once the step count reaches this: replay's exact positioning; `run` can continue later. */
  pauseAt?: bigint
}

/** A replay checkpoint of everything but RAM. */
export interface MachineSnapshot {
  step: bigint
  hart: Uint8Array
  devices: (DeviceState | undefined)[]
  run: DeviceState
  consoleLength: number
  /** The sectors the guest wrote to its disk (a machine with a disk; see cow-disk.ts). */
  disk?: DiskOverlay
}

/**
 * A debugger's stops, served in the hart so it runs between them at full speed: PCs (virtual, as
 * the hart fetches them) and physical ranges watched for writes and/or reads.
 */
export interface DebugStops {
  breakpoints: bigint[]
  watches: { pa: bigint; length: number; write: boolean; read: boolean }[]
}

/** What checkpoints and replay need of any hart. */
export interface CoreHart {
  /** Retired instructions: the position of record and replay. */
  readonly instret: bigint
  readonly pc: bigint
  /** Guest RAM (offset 0 = the machine's `ramBase`). Re-read after a restore. */
  readonly ram: Uint8Array
  /** RAM pages (4 KiB) the guest wrote since `clearDirty`. */
  dirtyPages?(): number[]
  clearDirty?(): void
  /**
   * Arms a debugger's stops (replacing the previous ones): `run` then exits with a debug stop
   * before an instruction at a breakpoint or an access to a watched range. False when there are
   * more than the hart holds. Harts without it are stepped one instruction at a time by the debugger.
   */
  setDebugStops?(stops: DebugStops): boolean
  /** The instruction at the current pc and step runs without stopping at its breakpoint and/or its watched access (resuming from there). */
  skipDebugStop?(kinds: { breakpoint: boolean; watch: boolean }): void
}

/** A register as an inspector shows it. */
export interface ArchRegister {
  name: string
  /** Bits. */
  width: number
  value: bigint
  /** Decoded fields (flags, modes), in the spec's names. */
  fields?: { name: string; value: number; title: string }[]
  /** A one-line reading, e.g. `PE ET WP PG` or a segment's descriptor cache. */
  text?: string
}

export interface RegisterGroup {
  /** `general` (the integer registers and the PC) first, then system groups. */
  name: string
  registers: ArchRegister[]
}

export interface ExecMode {
  /** The privilege as the architecture names it: `M`/`S`/`U`, or `ring 0`…`ring 3`. */
  privilege: string
  /** Privilege and mode in words: `S-mode`, `ring 0, long mode (64-bit)`. */
  label: string
  /** Accesses at this privilege bypass translation (RISC-V M-mode). */
  untranslated: boolean
}

export interface AddressSpaceWalk {
  mappings: MappingRange[]
  tables: { pa: bigint; level: number; vaBase: bigint }[]
  truncated: boolean
}

export interface DisassembledInstruction {
  /** objdump-style text, or null when the architecture's disassembler does not know the bytes. */
  text: string | null
  /** Bytes the instruction occupies. */
  length: number
  /** Hex of the instruction as objdump prints it (RISC-V: the word; x86: the bytes in order). */
  bytes: string
}

/** The architecture seen through arch-neutral words, at the machine's current state. */
export interface ArchView {
  /** `satp` or `cr3`: the register that names the root page table. */
  readonly rootRegister: string
  /** The longest instruction in bytes (for fetching before disassembly). */
  readonly maxInstructionBytes: number
  registers(): RegisterGroup[]
  mode(): ExecMode
  /** The root table register decoded (mode, root PA, ASID/PCID, raw). */
  root(): SatpValue
  /** Translates `va` for an access at the current privilege, level by level. */
  translate(va: bigint, access: Access): Translation
  /** The address space from the current root: merged ranges and the table pages. */
  walk(): AddressSpaceWalk
  /** The valid entries of one table page (for the page-table tree). */
  tablePage(pa: bigint, level: number, vaBase: bigint): TableEntry[]
  /** Physical memory (RAM only); undefined outside it. */
  readPhys(pa: bigint, length: number): Uint8Array | undefined
  /** Decodes the instruction in `bytes` (fetched at `pc`); x86 in Intel syntax unless `syntax` is 'att'. */
  disassemble(bytes: Uint8Array, pc: bigint, syntax?: 'intel' | 'att'): DisassembledInstruction
  /** x86: where the descriptor tables are (GDTR, IDTR, TR's hidden part) and whether IA-32e mode is active. */
  descriptorTableRegisters?(): DescriptorTableRegisters
}

/** The registers that locate the x86 descriptor tables. */
export interface DescriptorTableRegisters {
  gdtr: { base: bigint; limit: number }
  idtr: { base: bigint; limit: number }
  tr: { selector: number; base: bigint; limit: number }
  long: boolean
}

export interface BootMachine {
  readonly arch: ArchName
  readonly preset: MachinePresetName
  readonly hart: CoreHart
  /** Physical address of `hart.ram[0]`. */
  readonly ramBase: bigint
  readonly steps: bigint
  /** The console's last `CONSOLE_RING_BYTES` (console-ring.ts); every byte also goes to the listeners as it is printed. */
  readonly console: ConsoleRing
  readonly view: ArchView
  /** The images loaded at boot, kernel first (firmware, modules follow). */
  readonly images: LoadedImage[]
  consoleText(): string
  addListener(l: MachineListener): void
  /** Typed input, recorded with the current step. */
  sendInput(bytes: Uint8Array | string): void
  /**
   * Input typed when the guest first asks for it (the command line's --input), recorded at that
   * step; a machine without it types at once (`sendInput`).
   */
  typeWhenAsked?(bytes: Uint8Array | string): void
  /** Bytes given to `typeWhenAsked` and not typed yet. */
  readonly inputHeldBack?: number
  /** Replay: input recorded at this step, delivered without a new input event. */
  deliverInput(bytes: Uint8Array): void
  run(opts?: RunOptions): Promise<StopInfo>
  /** Ends a running `run` at the next exit: 'cancelled' by the user, or for the recorder 'interrupted' (a signal) or 'size-limit'. */
  cancel(reason?: CancelReason, message?: string, exitCode?: number): void
  pause(): void
  saveState(): MachineSnapshot
  loadState(s: MachineSnapshot): void
  /** RAM pages the host wrote (DMA, boot info) since the last call: the hart's dirty bits do not see them. */
  takeHostWrittenPages(): number[]
  /** Called after every slice the hart ran, with its exit code: where a recorder drains trace rings. */
  onHartExit(fn: (exit: number) => void): void
  /** Reads disk sector `sector` as the guest would now (false: no disk, or past its end). */
  readDiskSector?(sector: number, out: Uint8Array): boolean
}
