/**
 * The x86 system registers as the Intel SDM names them (Vol. 3A §2.5 "Control Registers", §2.3
 * "System Flags and Fields in the EFLAGS Register", §2.2.1 "Extended Feature Enable Register",
 * Vol. 4 "Model-Specific Registers"): one home for their bit numbers and MSR numbers, shared by
 * the hart's generated constants, the paging walkers, the boot code and the inspectors that
 * decode them (`at --regs`, the registers view). Each field is listed once with its bit and name,
 * so "listed ⇔ decoded" holds by construction.
 */

export interface BitField {
  /** The SDM's name, e.g. `PG`, `NXE`, `IF`. */
  name: string
  /** Lowest bit. */
  bit: number
  /** Width in bits (default 1). */
  width?: number
  /** What it means, for tooltips and the CLI. */
  title: string
}

/** CR0 (SDM Vol. 3A §2.5). */
export const CR0_FIELDS: readonly BitField[] = [
  { name: 'PE', bit: 0, title: 'protection enable (protected mode)' },
  { name: 'MP', bit: 1, title: 'monitor coprocessor' },
  { name: 'EM', bit: 2, title: 'x87 emulation' },
  { name: 'TS', bit: 3, title: 'task switched' },
  { name: 'ET', bit: 4, title: 'extension type' },
  { name: 'NE', bit: 5, title: 'numeric error' },
  { name: 'WP', bit: 16, title: 'write protect (supervisor writes honour R/W)' },
  { name: 'AM', bit: 18, title: 'alignment mask' },
  { name: 'NW', bit: 29, title: 'not write-through' },
  { name: 'CD', bit: 30, title: 'cache disable' },
  { name: 'PG', bit: 31, title: 'paging' },
]

/** CR4 (SDM Vol. 3A §2.5). */
export const CR4_FIELDS: readonly BitField[] = [
  { name: 'VME', bit: 0, title: 'virtual-8086 mode extensions' },
  { name: 'PVI', bit: 1, title: 'protected-mode virtual interrupts' },
  { name: 'TSD', bit: 2, title: 'time stamp disable' },
  { name: 'DE', bit: 3, title: 'debugging extensions' },
  { name: 'PSE', bit: 4, title: 'page size extensions (4 MiB pages in 32-bit paging)' },
  { name: 'PAE', bit: 5, title: 'physical address extension' },
  { name: 'MCE', bit: 6, title: 'machine-check enable' },
  { name: 'PGE', bit: 7, title: 'page global enable' },
  { name: 'PCE', bit: 8, title: 'performance-monitoring counter enable' },
  { name: 'OSFXSR', bit: 9, title: 'OS supports FXSAVE/FXRSTOR' },
  { name: 'OSXMMEXCPT', bit: 10, title: 'OS supports unmasked SIMD exceptions' },
  { name: 'UMIP', bit: 11, title: 'user-mode instruction prevention' },
  { name: 'LA57', bit: 12, title: '57-bit linear addresses (5-level paging)' },
  { name: 'FSGSBASE', bit: 16, title: 'RDFSBASE and friends' },
  { name: 'PCIDE', bit: 17, title: 'process-context identifiers' },
  { name: 'OSXSAVE', bit: 18, title: 'XSAVE enabled' },
  { name: 'SMEP', bit: 20, title: 'supervisor-mode execution prevention' },
  { name: 'SMAP', bit: 21, title: 'supervisor-mode access prevention' },
]

/** IA32_EFER (SDM Vol. 3A §2.2.1). */
export const EFER_FIELDS: readonly BitField[] = [
  { name: 'SCE', bit: 0, title: 'SYSCALL enable' },
  { name: 'LME', bit: 8, title: 'long mode enable' },
  { name: 'LMA', bit: 10, title: 'long mode active' },
  { name: 'NXE', bit: 11, title: 'execute-disable bit enable' },
]

/** RFLAGS (SDM Vol. 1 §3.4.3, Vol. 3A §2.3). */
export const RFLAGS_FIELDS: readonly BitField[] = [
  { name: 'CF', bit: 0, title: 'carry' },
  { name: 'PF', bit: 2, title: 'parity' },
  { name: 'AF', bit: 4, title: 'auxiliary carry' },
  { name: 'ZF', bit: 6, title: 'zero' },
  { name: 'SF', bit: 7, title: 'sign' },
  { name: 'TF', bit: 8, title: 'trap (single step)' },
  { name: 'IF', bit: 9, title: 'interrupts enabled' },
  { name: 'DF', bit: 10, title: 'direction' },
  { name: 'OF', bit: 11, title: 'overflow' },
  { name: 'IOPL', bit: 12, width: 2, title: 'I/O privilege level' },
  { name: 'NT', bit: 14, title: 'nested task' },
  { name: 'RF', bit: 16, title: 'resume' },
  { name: 'VM', bit: 17, title: 'virtual-8086 mode' },
  { name: 'AC', bit: 18, title: 'alignment check' },
  { name: 'VIF', bit: 19, title: 'virtual interrupt' },
  { name: 'VIP', bit: 20, title: 'virtual interrupt pending' },
  { name: 'ID', bit: 21, title: 'CPUID available' },
]

const bitOf = (fields: readonly BitField[], name: string): bigint => {
  const f = fields.find((x) => x.name === name)
  if (!f) throw new Error(`no field ${name}`)
  return 1n << BigInt(f.bit)
}

export const CR0_PE = bitOf(CR0_FIELDS, 'PE')
export const CR0_ET = bitOf(CR0_FIELDS, 'ET')
export const CR0_WP = bitOf(CR0_FIELDS, 'WP')
export const CR0_PG = bitOf(CR0_FIELDS, 'PG')
export const CR4_PSE = bitOf(CR4_FIELDS, 'PSE')
export const CR4_PAE = bitOf(CR4_FIELDS, 'PAE')
export const CR4_PGE = bitOf(CR4_FIELDS, 'PGE')
export const CR4_LA57 = bitOf(CR4_FIELDS, 'LA57')
export const CR4_PCIDE = bitOf(CR4_FIELDS, 'PCIDE')
export const CR4_SMEP = bitOf(CR4_FIELDS, 'SMEP')
export const CR4_SMAP = bitOf(CR4_FIELDS, 'SMAP')
export const EFER_SCE = bitOf(EFER_FIELDS, 'SCE')
export const EFER_LME = bitOf(EFER_FIELDS, 'LME')
export const EFER_LMA = bitOf(EFER_FIELDS, 'LMA')
export const EFER_NXE = bitOf(EFER_FIELDS, 'NXE')
export const RFLAGS_IF = bitOf(RFLAGS_FIELDS, 'IF')
export const RFLAGS_VM = bitOf(RFLAGS_FIELDS, 'VM')
/** Bit 1 of RFLAGS reads as 1 (SDM Vol. 1 Figure 3-8). */
export const RFLAGS_FIXED = 0x2n

/** Model-specific registers the machine implements (SDM Vol. 4, Table 2-2 "IA-32 Architectural MSRs"). */
export const MSR = {
  IA32_TIME_STAMP_COUNTER: 0x10,
  IA32_APIC_BASE: 0x1b,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  IA32_PAT: 0x277,
  IA32_EFER: 0xc000_0080,
  IA32_STAR: 0xc000_0081,
  IA32_LSTAR: 0xc000_0082,
  IA32_CSTAR: 0xc000_0083,
  IA32_FMASK: 0xc000_0084,
  IA32_FS_BASE: 0xc000_0100,
  IA32_GS_BASE: 0xc000_0101,
  IA32_KERNEL_GS_BASE: 0xc000_0102,
  IA32_TSC_AUX: 0xc000_0103,
} as const

/** A field of a register value, decoded. */
export interface DecodedField {
  name: string
  value: number
  title: string
}

/** Every field of `fields` with its value in `raw` (set or not). */
export function decodeFields(raw: bigint, fields: readonly BitField[]): DecodedField[] {
  return fields.map((f) => ({ name: f.name, value: Number((raw >> BigInt(f.bit)) & ((1n << BigInt(f.width ?? 1)) - 1n)), title: f.title }))
}

/** The set flags as the SDM spells them, e.g. `PE ET WP PG` or `IF IOPL=3`; multi-bit fields always shown when non-zero. */
export function flagNames(raw: bigint, fields: readonly BitField[]): string {
  return decodeFields(raw, fields)
    .filter((f) => f.value !== 0)
    .map((f) => ((fields.find((x) => x.name === f.name)!.width ?? 1) > 1 ? `${f.name}=${f.value}` : f.name))
    .join(' ')
}

/**
 * A segment register's hidden part (the descriptor cache, SDM Vol. 3A §3.4.3): what the CPU
 * loaded from the GDT/LDT when the selector was written, and what it uses until the next load.
 */
export interface SegmentCache {
  selector: number
  base: bigint
  limit: number
  /** Access-rights bits 8..23 of the descriptor's high dword, as the hart keeps them (type, S, DPL, P, AVL, L, D/B, G). */
  attributes: number
}

/** The access-rights byte and flags of a descriptor cache, decoded (SDM Vol. 3A §3.4.5, Figure 3-8). */
export interface SegmentAttributes {
  /** Type field (4 bits): for code/data, bit 3 = code, then C/E, R/W, A. */
  type: number
  /** S: 1 = code or data, 0 = system (TSS, LDT, gates). */
  codeOrData: boolean
  dpl: number
  present: boolean
  /** L: 64-bit code segment. */
  long: boolean
  /** D/B: 32-bit default operand size (code) or 32-bit stack / 4 GiB bound (data). */
  big: boolean
  /** G: limit in 4 KiB units. */
  granularity: boolean
}

/** Attributes laid out as bits 8..23 of the descriptor's high dword, shifted down by 8 (VMX "access rights" layout). */
export function decodeSegmentAttributes(attr: number): SegmentAttributes {
  return {
    type: attr & 0xf,
    codeOrData: (attr & 0x10) !== 0,
    dpl: (attr >> 5) & 3,
    present: (attr & 0x80) !== 0,
    long: (attr & 0x2000) !== 0,
    big: (attr & 0x4000) !== 0,
    granularity: (attr & 0x8000) !== 0,
  }
}

/** A descriptor cache in words: `code 64-bit DPL0 base 0 limit 0xfffff G` and the like. */
export function describeSegment(attr: number, base: bigint, limit: number): string {
  const a = decodeSegmentAttributes(attr)
  if (!a.present) return 'not present'
  let kind: string
  if (!a.codeOrData) kind = SYSTEM_TYPES[a.type] ?? `system type ${a.type}`
  else if (a.type & 8) kind = `code${a.long ? ' 64-bit' : a.big ? ' 32-bit' : ' 16-bit'}${a.type & 4 ? ' conforming' : ''}${a.type & 2 ? ' readable' : ''}`
  else kind = `data${a.big ? ' 32-bit' : ' 16-bit'}${a.type & 4 ? ' expand-down' : ''}${a.type & 2 ? ' writable' : ' read-only'}`
  return `${kind} DPL${a.dpl} base 0x${base.toString(16)} limit 0x${limit.toString(16)}`
}

/** System-segment and gate types in IA-32e mode and legacy mode (SDM Vol. 3A Table 3-2). */
const SYSTEM_TYPES: Record<number, string> = {
  1: '16-bit TSS (available)',
  2: 'LDT',
  3: '16-bit TSS (busy)',
  4: '16-bit call gate',
  5: 'task gate',
  6: '16-bit interrupt gate',
  7: '16-bit trap gate',
  9: 'TSS (available)',
  11: 'TSS (busy)',
  12: 'call gate',
  14: 'interrupt gate',
  15: 'trap gate',
}
