/**
 * The semantic events of a recorded boot: the rows the timeline draws, the inspectors jump to and
 * the lab checks query (ARCHITECTURE.md, "Record and replay"). Shared by the writer (core worker)
 * and every reader (API, CLI, UI). Addresses are 0x-prefixed hex strings, so a recording read
 * with any SQLite tool shows them as a kernel author writes them; steps are retired-instruction
 * counts.
 */

/** Privilege levels as the privileged spec numbers them. */
export type Priv = 0 | 1 | 3
export const PRIV_NAMES: Record<number, string> = { 0: 'U', 1: 'S', 3: 'M' }

/** RISC-V satp modes, and x86 paging modes (SDM Table 4-1); 'Bare' is paging off on both. */
export type TranslationMode = 'Bare' | 'Sv39' | 'Sv48' | 'Sv57' | '32-bit' | 'PAE' | '4-level' | '5-level'

export interface SatpValue {
  mode: TranslationMode
  asid: number
  /** Root page-table physical address (ppn << 12), hex. */
  root: string
  raw: string
}

export interface MappingRange {
  va: string
  pa: string
  /** Bytes, hex. */
  size: string
  /** Letters among R W X U G A D, in that order. */
  perms: string
  /** Page size of the leaf: 4 KiB, 2 MiB, 4 MiB, 1 GiB, 512 GiB, or 'recursive' (x86: an entry pointing back at its own table). */
  pageSize: string
  /** Why the range is special, in words (a recursive entry). */
  note?: string
}

/** One area of a Multiboot memory map. */
export interface BootMemoryArea {
  base: string
  length: string
  /** 1 available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad. */
  type: number
  typeName: string
}

export interface EventPayloads {
  /** An ELF segment placed in memory by the loader. */
  segment_loaded: { vaddr: string; paddr: string; memsz: string; filesz: string; flags: string; sections: string[]; file: string }
  /** Firmware handed the machine to the kernel. */
  firmware_handoff: { firmware: string; mode: string; entry: string; a0: string; a1: string }
  privilege_change: { from: string; to: string }
  /** A trap taken (exception or interrupt). */
  trap: { cause: string; causeName: string; interrupt: boolean; tval: string; epc: string; from: string; to: string }
  /** mret / sret, or x86 iret / iretd / iretq. */
  trap_return: { instruction: string; from: string; to: string; target: string }
  satp_write: { old: SatpValue; new: SatpValue }
  /** x86: `instruction` names what flushed (invlpg, or invpcid/a TLB flush for all addresses). */
  sfence_vma: { vaddr: string | null; asid: number | null; instruction?: string }
  /** x86: CR3 written — the root-table switch (decoded with the paging mode in force; PCID as `asid`). */
  cr3_write: { old: SatpValue; new: SatpValue }
  /** x86: a CR0/CR4/EFER write changed the paging mode (e.g. CR0.PG = 1: Bare → 32-bit). */
  paging_change: { register: string; old: string; new: string; from: TranslationMode; to: TranslationMode; root: string }
  /** x86: the operating mode or code size changed (real → protected → long …), at the instruction that did it. */
  mode_change: { from: string; to: string; rip: string }
  /** x86: named bits of CR0, CR4 or EFER set or cleared by the instruction (EFER.LMA: by the CPU, when CR0.PG turns on with EFER.LME). */
  control_bits: { register: string; old: string; new: string; set: string[]; cleared: string[] }
  /** x86: wrmsr to an MSR other than EFER (EFER's bits are `control_bits`): the MSRs the kernel set up. */
  msr_write: { msr: string; number: string; old: string; new: string; summary: string }
  /** x86: lgdt / lidt / lldt / ltr, with the table the CPU now uses decoded (the descriptors, the gates, the TSS's stacks). */
  descriptor_table: { instruction: string; base: string; limit: string; selector: string | null; entries: string[] }
  /** x86: a far jmp/call/ret (or syscall, sysret, sysenter, sysexit) that loaded CS, and the mode and ring it enters. */
  far_transfer: { instruction: string; fromCs: string; toCs: string; from: string; to: string; mode: string; ring: string }
  /** x86: the Multiboot boot information the loader handed the kernel (EBX), decoded. */
  boot_info: {
    protocol: string
    address: string
    /** Bytes, hex (MB2 total_size; MB1 the fixed part). */
    size: string
    cmdline: string | null
    bootLoader: string | null
    memoryMap: BootMemoryArea[]
    modules: { start: string; end: string; string: string }[]
    /** The kernel's ELF section headers handed over (MB2 tag 9, MB1 flags bit 5): how many. */
    elfSections: number
    /** Tag types present (MB2, as `6 mmap`) or the fields the MB1 flags announce. */
    tags: string[]
  }
  /** The page table that satp points to, walked in full when it became active. */
  page_table_activated: { mode: TranslationMode; root: string; mappings: MappingRange[] }
  /** A store into a page-table page (of the active table, or one activated later). */
  pte_write: {
    pa: string
    old: string
    new: string
    flags: string
    level: number | null
    vaRange: string | null
    /** x86: which entry, named by what it maps: `P1 entry of 0xffffffff801ff000` (SDM table names outside 4-level paging). */
    entry?: string
    /** x86: the store's linear address when it went through the recursive mapping (the entry's own address in the table's recursive window). */
    recursive?: string
    /** What the write does, in words: `the page at 0x… is unmapped — a guard page between mapped pages`. */
    effect?: string
  }
  /** First instruction fetched in a new region, e.g. the first one in the higher half. */
  region_enter: { region: string; va: string; symbol: string | null }
  uart_output: { text: string }
  /** The guest wrote sectors of its disk (virtio-blk): `sectors` 512-byte sectors from `sector`, in one request. */
  disk_write: { device: string; sector: number; sectors: number }
  /** Why the run ended. */
  stop: { reason: StopReason; exitCode: number | null; message: string; hint?: string }
}

/** Why a run ended: the machine's stop reasons (machine/machine-events.ts narrows to these), plus the recorder's own. */
export type StopReason =
  /** SBI SRST / legacy shutdown or the test finisher: `exitCode` is the guest's. */
  | 'shutdown'
  /** SBI reboot or finisher 0x7777: the guest asked for a reset; Bootscope stops there. */
  | 'reset'
  /** riscv-tests `tohost` protocol: 1 = pass, (n << 1) | 1 = fail n. */
  | 'tohost'
  | 'budget'
  | 'cancelled'
  /** The recorder was stopped by a signal (SIGINT, SIGTERM) or its host shutting down: the file ends cleanly there. */
  | 'interrupted'
  /** The recording reached its size cap (`--max-bytes`). */
  | 'size-limit'
  /** `pause()` was called (e.g. a test waiting for a prompt): `run` may be called again. */
  | 'paused'
  /** The guest is stuck taking the same trap: explained in `message`. */
  | 'trap-loop'
  /** `wfi` (RISC-V) or `hlt` (x86: `cli; hlt`) that nothing can ever wake. */
  | 'wfi-deadlock'
  /** x86: a fault while delivering a double fault; the CPU shut down (QEMU would reset). Explained in `message`. */
  | 'triple-fault'
  /** Only host input can go on (wfi with the UART interrupt, or polling the UART), and none is queued: `sendInput`, then `run` again. */
  | 'waiting-for-input'
  /** HSM hart_stop of the only hart. */
  | 'hart-stopped'
  /** ebreak with haltOnEbreak, or an M-mode trap the built-in firmware cannot handle. */
  | 'halt'
  | 'guest-error'
  /** The recorder's own: the core worker died during the boot (the recording so far is kept). */
  | 'crashed'

export type EventKind = keyof EventPayloads
export const EVENT_KINDS: readonly EventKind[] = [
  'segment_loaded',
  'firmware_handoff',
  'privilege_change',
  'trap',
  'trap_return',
  'satp_write',
  'sfence_vma',
  'cr3_write',
  'paging_change',
  'mode_change',
  'control_bits',
  'msr_write',
  'descriptor_table',
  'far_transfer',
  'boot_info',
  'page_table_activated',
  'pte_write',
  'region_enter',
  'uart_output',
  'disk_write',
  'stop',
]

export interface TraceEvent<K extends EventKind = EventKind> {
  /** Row id: total order among events of the same step. */
  id: number
  step: number
  kind: K
  /** PC of the instruction that caused it, hex, when there is one. */
  pc: string | null
  data: EventPayloads[K]
}

/** Formats a 64-bit value the way kernel authors read addresses. */
export function hex(v: bigint | number): string {
  const n = typeof v === 'number' ? BigInt(v) : v
  return '0x' + BigInt.asUintN(64, n).toString(16)
}
