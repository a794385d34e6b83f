/**
 * Replay: the machine's state at any step of a recording, re-executed deterministically from the
 * recording's inputs — registers and CSRs (with what the last instruction changed), the
 * instruction at the PC with its source line, the address space walked from satp, one VA
 * translated step by step, and a memory range.
 */
import type { SourceLoc } from './result'
import type { MappingRange, SatpValue } from '../trace/events'
import type { TableEntry, Translation } from '../paging/page-walk'
import type { GateDescriptor, SegmentDescriptor, TaskState } from '../pc/descriptor-tables'

export interface StateQuery {
  /** Recording path, workspace-relative (as in `recording.list`). */
  path: string
  step: number
  /** A virtual address (hex) to translate under the satp of that step. */
  translate?: string
  /** A memory range to read: a virtual address when paging is on (as the kernel sees it), else physical; `physical` reads RAM directly. */
  memory?: { address: string; length: number; physical?: boolean }
  /** Bytes of the boot's disk (virtio-blk) as the guest would read them at that step: a byte offset (hex or decimal) and a length. */
  disk?: { offset: string; length: number }
  /** One page-table page to decode (from `addressSpace.tables`). */
  table?: { pa: string; level: number; vaBase: string }
  /** Instructions to disassemble around the PC; x86 in Intel syntax (objdump -M intel) unless `syntax` is 'att'. */
  disassembly?: { before: number; after: number; syntax?: 'intel' | 'att' }
  /** x86: decode the GDT, IDT and TSS that GDTR, IDTR and TR name at the step. */
  descriptorTables?: boolean
}

/** One descriptor table as GDTR/IDTR (or TR) names it, read through paging at the step; `error` when it cannot be read. */
export interface TableAt<E> {
  base: string
  /** The register's limit (the table is limit + 1 bytes). */
  limit: number
  entries: E[]
  error?: string
}

/** x86 descriptor tables at a step, decoded (shared/pc/descriptor-tables.ts). */
export interface DescriptorTablesAt {
  /** IA-32e mode (EFER.LMA): 16-byte system descriptors and IDT gates. */
  long: boolean
  gdt: TableAt<SegmentDescriptor>
  /** Present gates, each with its handler named from the kernel's ELF symbols when one is there. */
  idt: TableAt<GateDescriptor & { handler: string | null }>
  /** The TSS TR names (none while TR holds the null selector). */
  tss: { selector: number; base: string; limit: number; state?: TaskState; error?: string } | null
}

export interface RegisterValue {
  name: string
  /** Hex. */
  value: string
  /** Changed by the instruction that retired last (step − 1 → step). */
  changed: boolean
  /** Bits (in `registers`; the RISC-V `x`/`csrs` lists are all 64). */
  width?: number
  /** Decoded fields in the spec's names (flags, modes). */
  fields?: { name: string; value: number; title: string }[]
  /** A one-line reading: set flags (`PE ET WP PG`), a segment's descriptor cache. */
  text?: string
}

/** Registers of one kind: `general` (integer registers and the PC), `csr`, `control`, `segment`, `descriptor tables`… */
export interface RegisterGroupValue {
  name: string
  registers: RegisterValue[]
}

export interface InstructionAt {
  /** The PC (virtual when paging is on). */
  address: string
  /** Its physical address, or null when it cannot be fetched (with `fault` saying why). */
  pa: string | null
  /** The raw instruction (hex) and objdump-style text. */
  bytes: string | null
  text: string | null
  fault: string | null
  loc: SourceLoc | null
  /** `symbol+offset` from the kernel's ELF symbols. */
  symbol: string | null
  /** Bytes the instruction occupies, when it could be fetched. */
  length?: number
  /** The DWARF function (and inlined call) there: "kernel_main", "write_satp (inlined into kernel_main)". */
  function?: string
}

export interface MachineState {
  /** Instructions retired: the state before the instruction at `pc` runs. */
  step: number
  /** The machine's architecture: 'riscv64' or 'x86'. */
  arch: string
  pc: string
  /** Privilege as the architecture names it: RISC-V `U`/`S`/`M`, x86 `ring 0`…`ring 3`. */
  priv: string
  /** Privilege and mode in words: `S-mode`, `ring 0, long mode (64-bit)`. */
  modeLabel: string
  /** The general registers (and the PC): the first group of `registers`. */
  x: RegisterValue[]
  /** The other registers (CSRs; x86 flags, control, segment and descriptor-table registers), flattened. */
  csrs: RegisterValue[]
  /** Every register, by group, with widths and decoded fields. */
  registers: RegisterGroupValue[]
  instruction: InstructionAt
  /** The register naming the root page table: `satp` or `cr3`. */
  rootRegister: string
  /** The root-table register decoded (satp, or CR3 with the paging mode CR0/CR4/EFER select and the PCID as `asid`). */
  satp: SatpValue
  addressSpace: {
    mappings: MappingRange[]
    /** Page-table pages reached from the root, with their level and the first VA they map. */
    tables: { pa: string; level: number; vaBase: string }[]
    truncated: boolean
  }
  translation?: Translation
  memory?: { address: string; bytes: string } | { address: string; error: string }
  /** The disk bytes asked for (`StateQuery.disk`), hex. */
  disk?: { offset: string; bytes: string } | { offset: string; error: string }
  /** The valid entries of the `table` asked for. */
  tableEntries?: TableEntry[]
  /** The instructions around the PC (the PC's own has `address === pc`). */
  disassembly?: InstructionAt[]
  /** x86, when asked for: the GDT, IDT and TSS. */
  descriptorTables?: DescriptorTablesAt
  /** Set when the boot ended before `step` (the state is the last one). */
  endedAt?: { step: number; reason: string }
}

/** Breakpoint addresses one search may look for at once: what the hart's breakpoint table holds (debug-stops.ts MAX_DEBUG_BREAKPOINTS). */
export const MAX_FIND_PCS = 64

/**
 * A history search from a step: where the PC next (or last) reaches an address, or where the
 * value at an address next (or last) changes. The address of a change is translated once, at
 * `from` (as the kernel sees it then), or taken as physical.
 */
export interface FindQuery {
  path: string
  from: number
  direction: 'forward' | 'backward'
  /** `pcs`: the first (or last) step at which the PC is any of them — the workbench's breakpoints. */
  target: { pc: string } | { pcs: string[] } | { change: { address: string; length: number; physical?: boolean } }
  /** Instructions to examine at most (default 5 000 000): a PC search re-executes one step at a time. */
  limit?: number
}

export interface FindResult {
  /** The step found (for a PC: the state about to execute it; for a change: the state just after the store), or null. */
  step: number | null
  /** Instructions examined. */
  scanned: number
  /** What was found, or why nothing was. */
  message: string
  /** For a PC search: the PC at the step found (which of the addresses it reached). */
  pc?: string
  /** For a change: the value before and after (hex bytes, little-endian order as in memory). */
  before?: string
  after?: string
}
