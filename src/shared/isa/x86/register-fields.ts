/**
 * Reading x86 system registers for people: the bits of `system-registers.ts` and `msr.ts` as
 * masks for code that tests them (CR0.PG, CR4.PAE, EFER.LMA …), every field of a value decoded,
 * the set flags as the SDM spells them (`PE ET WP PG`), and a segment's descriptor cache in words
 * (`code 64-bit readable DPL0 base 0x0 limit 0xffffffff`). Used by the paging walkers, the boot
 * code, `at --regs` and the registers view.
 */
import { CR0_BITS, CR4_BITS, EFER_BITS, EFLAGS_BITS, SYSTEM_DESCRIPTOR_TYPES, type BitField } from './system-registers'

function mask(fields: readonly BitField[], name: string): bigint {
  const f = fields.find((x) => x.name === name)
  if (!f) throw new Error(`no field ${name}`)
  return 1n << BigInt(f.bit)
}

export const CR0_PE = mask(CR0_BITS, 'PE')
export const CR0_ET = mask(CR0_BITS, 'ET')
export const CR0_WP = mask(CR0_BITS, 'WP')
export const CR0_PG = mask(CR0_BITS, 'PG')
export const CR4_PSE = mask(CR4_BITS, 'PSE')
export const CR4_PAE = mask(CR4_BITS, 'PAE')
export const CR4_PGE = mask(CR4_BITS, 'PGE')
export const CR4_PCIDE = mask(CR4_BITS, 'PCIDE')
export const CR4_SMEP = mask(CR4_BITS, 'SMEP')
/** CR4.LA57 (bit 12, 5-level paging): not implemented by the hart, named for the mode table. */
export const CR4_LA57 = 1n << 12n
export const EFER_SCE = mask(EFER_BITS, 'SCE')
export const EFER_LME = mask(EFER_BITS, 'LME')
export const EFER_LMA = mask(EFER_BITS, 'LMA')
export const EFER_NXE = mask(EFER_BITS, 'NXE')
export const EFLAGS_IF = mask(EFLAGS_BITS, 'IF')
/** Bit 1 of EFLAGS reads as 1 (SDM vol. 1, Figure 3-8). */
export const EFLAGS_FIXED = 0x2n

/** A field of a register value, decoded. */
export interface DecodedField {
  name: string
  value: number
  title: string
}

/** Every field of `fields` with its value in `raw` (set or not). */
export function decodeFields(raw: bigint, fields: readonly BitField[]): DecodedField[] {
  return fields.map((f) => ({ name: f.name, value: Number((raw >> BigInt(f.bit)) & ((1n << BigInt(f.width)) - 1n)), title: f.summary }))
}

/** The set flags as the SDM spells them, e.g. `PE ET WP PG` or `IF IOPL=3` (multi-bit fields when non-zero). */
export function flagNames(raw: bigint, fields: readonly BitField[]): string {
  return fields
    .map((f) => ({ f, value: Number((raw >> BigInt(f.bit)) & ((1n << BigInt(f.width)) - 1n)) }))
    .filter((x) => x.value !== 0)
    .map((x) => (x.f.width > 1 ? `${x.f.name}=${x.value}` : x.f.name))
    .join(' ')
}

/** The access-rights bits of a descriptor cache (the SDM's VMX layout, as `X86Segment.attrs` holds them), decoded. */
export interface SegmentAttributes {
  /** Type (4 bits): for code/data, bit 3 = code, then C/E, R/W, A. */
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
  /** Bit 16: a null selector was loaded. */
  unusable: boolean
}

export function decodeSegmentAttributes(attr: number): SegmentAttributes {
  return {
    type: attr & 0xf,
    codeOrData: (attr & 0x10) !== 0,
    dpl: (attr >> 5) & 3,
    present: (attr & 0x80) !== 0,
    long: (attr & 0x2000) !== 0,
    big: (attr & 0x4000) !== 0,
    granularity: (attr & 0x8000) !== 0,
    unusable: (attr & 0x10000) !== 0,
  }
}

/** The system descriptor types in words (SDM Table 3-2), for descriptor caches and the GDT/IDT inspectors. */
export const SYSTEM_TYPE_NAMES: Record<number, string> = {
  [SYSTEM_DESCRIPTOR_TYPES.TSS16_AVAILABLE]: '16-bit TSS (available)',
  [SYSTEM_DESCRIPTOR_TYPES.LDT]: 'LDT',
  [SYSTEM_DESCRIPTOR_TYPES.TSS16_BUSY]: '16-bit TSS (busy)',
  [SYSTEM_DESCRIPTOR_TYPES.CALL_GATE16]: '16-bit call gate',
  [SYSTEM_DESCRIPTOR_TYPES.TASK_GATE]: 'task gate',
  [SYSTEM_DESCRIPTOR_TYPES.INTERRUPT_GATE16]: '16-bit interrupt gate',
  [SYSTEM_DESCRIPTOR_TYPES.TRAP_GATE16]: '16-bit trap gate',
  [SYSTEM_DESCRIPTOR_TYPES.TSS_AVAILABLE]: 'TSS (available)',
  [SYSTEM_DESCRIPTOR_TYPES.TSS_BUSY]: 'TSS (busy)',
  [SYSTEM_DESCRIPTOR_TYPES.CALL_GATE]: 'call gate',
  [SYSTEM_DESCRIPTOR_TYPES.INTERRUPT_GATE]: 'interrupt gate',
  [SYSTEM_DESCRIPTOR_TYPES.TRAP_GATE]: 'trap gate',
}

/** A descriptor cache in words: `code 64-bit readable DPL0 base 0x0 limit 0xffffffff`, `unusable (null selector)`. */
export function describeSegment(attr: number, base: bigint, limit: number): string {
  const a = decodeSegmentAttributes(attr)
  if (a.unusable) return 'unusable (null selector)'
  if (!a.present) return 'not present'
  let kind: string
  if (!a.codeOrData) kind = SYSTEM_TYPE_NAMES[a.type] ?? `system type ${a.type}`
  else if (a.type & 8) kind = `code${a.long ? ' 64-bit' : a.big ? ' 32-bit' : ' 16-bit'}${a.type & 4 ? ' conforming' : ''}${a.type & 2 ? ' readable' : ''}`
  else kind = `data${a.big ? ' 32-bit' : ' 16-bit'}${a.type & 4 ? ' expand-down' : ''}${a.type & 2 ? ' writable' : ' read-only'}`
  return `${kind} DPL${a.dpl} base 0x${base.toString(16)} limit 0x${(limit >>> 0).toString(16)}`
}
