/**
 * The x86 descriptor tables decoded from their bytes, for the GDT, IDT and TSS inspectors: each
 * GDT descriptor (base, limit scaled by G, type, DPL, the L/D/G/AVL flags; 16-byte system
 * descriptors in IA-32e mode), each IDT gate (handler selector:offset, gate type, DPL, IST) and
 * the TSS's stack pointers (32-bit ESP0–2/SS0–2; 64-bit RSP0–2 and IST1–7). Formats as the SDM
 * gives them: Vol. 3A §3.4.5 (segment descriptors), §7.2.3 (TSS descriptor in 64-bit mode),
 * §6.11 / §6.14.1 (IDT gate descriptors), §8.2.1 / §8.7 (32- and 64-bit TSS).
 */
import { SYSTEM_DESCRIPTOR_TYPES } from '../isa/x86/system-registers'
import { SYSTEM_TYPE_NAMES } from '../isa/x86/register-fields'
import { vectorName } from '../isa/x86/exceptions'

const T = SYSTEM_DESCRIPTOR_TYPES

export interface SegmentDescriptor {
  /** Byte offset in the table / 8: the index a selector names. */
  index: number
  /** The selector of this entry at RPL 0 (index × 8). */
  selector: number
  /** The descriptor's bytes, hex, as a 64-bit (or 128-bit) little-endian value. */
  raw: string
  present: boolean
  /** `null`, `code`, `data` or `system`. */
  class: 'null' | 'code' | 'data' | 'system'
  /** The type in words: `code 64-bit readable`, `data writable`, `TSS (busy)`. */
  type: string
  /** The 4-bit type field. */
  typeBits: number
  dpl: number
  base: string
  /** Bytes, scaled by G (0xFFFFFFFF for a flat 4 GiB segment). */
  limit: string
  /** Set flags among A (accessed), AVL, L (64-bit code), D/B, G. */
  flags: string[]
  /** A 16-byte system descriptor of IA-32e mode (TSS, LDT, call gate). */
  wide: boolean
  /** Access rights in the layout `describeSegment` reads: type/S/DPL/P in bits 0–7, AVL/L/D/G in bits 12–15. */
  attrs: number
}

export interface GateDescriptor {
  vector: number
  /** `#PF (page fault)` for the architectural vectors, else empty. */
  name: string
  raw: string
  present: boolean
  /** `interrupt gate`, `trap gate`, `task gate`, … */
  type: string
  /** The 4-bit gate type field. */
  typeBits: number
  dpl: number
  selector: number
  /** The handler's offset (linear with a flat CS), hex. */
  offset: string
  /** 64-bit gates: the IST slot (1–7) the CPU switches to, or 0 for none. */
  ist: number
}

export interface TaskState {
  /** `32-bit` or `64-bit` TSS. */
  format: '32-bit' | '64-bit'
  /** Named stack pointers: ESP0/SS0… or RSP0–2 and IST1–7 (hex). */
  stacks: { name: string; value: string }[]
  /** The I/O permission bitmap's offset. */
  iomapBase: number
  /** A 32-bit TSS's other fields a task switch loads: CR3 and EIP (hex). */
  task?: { name: 'CR3' | 'EIP'; value: string }[]
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`

function u64(b: Uint8Array, at: number): bigint {
  let v = 0n
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0)
  return v
}
const u32 = (b: Uint8Array, at: number) => Number(u64(b, at) & 0xffff_ffffn)
const u16 = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8)


/** In IA-32e mode the 32-bit system types are the 64-bit ones (SDM Table 3-2). */
function systemTypeWords(type: number, long: boolean): string {
  const words = SYSTEM_TYPE_NAMES[type]
  if (!words) return `reserved system type ${type}`
  return long && type >= T.TSS_AVAILABLE ? `64-bit ${words}` : words
}

/** System types that take 16 bytes in IA-32e mode (SDM §7.2.3, §5.8.3.1): TSS, LDT, call gates. */
const WIDE_IN_LONG_MODE: readonly number[] = [T.LDT, T.TSS_AVAILABLE, T.TSS_BUSY, T.CALL_GATE]

/**
 * The descriptors of a GDT (or LDT) image: `bytes` is the table as read from GDTR.base, its
 * length limit + 1. In IA-32e mode (`long`) TSS, LDT and call-gate descriptors take two slots.
 */
export function decodeGdt(bytes: Uint8Array, long: boolean): SegmentDescriptor[] {
  const out: SegmentDescriptor[] = []
  for (let at = 0; at + 8 <= bytes.length; ) {
    const d = u64(bytes, at)
    const index = at / 8
    const access = Number((d >> 40n) & 0xffn)
    const flagsNibble = Number((d >> 52n) & 0xfn)
    const s = (access & 0x10) !== 0
    const typeBits = access & 0xf
    const wide = long && !s && WIDE_IN_LONG_MODE.includes(typeBits) && at + 16 <= bytes.length
    const hi = wide ? u64(bytes, at + 8) : 0n
    const g = (flagsNibble & 8) !== 0
    const rawLimit = Number((d & 0xffffn) | (((d >> 48n) & 0xfn) << 16n))
    const limit = g ? rawLimit * 4096 + 4095 : rawLimit
    let base = ((d >> 16n) & 0xff_ffffn) | (((d >> 56n) & 0xffn) << 24n)
    if (wide) base |= (hi & 0xffff_ffffn) << 32n
    const cls: SegmentDescriptor['class'] = d === 0n ? 'null' : !s ? 'system' : typeBits & 8 ? 'code' : 'data'
    const flags = [
      s && typeBits & 1 ? 'A' : '',
      flagsNibble & 1 ? 'AVL' : '',
      s && typeBits & 8 && flagsNibble & 2 ? 'L' : '',
      flagsNibble & 4 ? 'D/B' : '',
      g ? 'G' : '',
    ].filter(Boolean)
    out.push({
      index,
      selector: index * 8,
      raw: wide ? `0x${hi.toString(16).padStart(16, '0')}${d.toString(16).padStart(16, '0')}` : `0x${d.toString(16).padStart(16, '0')}`,
      present: (access & 0x80) !== 0,
      class: cls,
      type: cls === 'null' ? 'null descriptor' : segmentTypeWords(s, typeBits, flagsNibble, long),
      typeBits,
      dpl: (access >> 5) & 3,
      base: hex(base),
      limit: hex(limit),
      flags,
      wide,
      attrs: access | (flagsNibble << 12),
    })
    at += wide ? 16 : 8
  }
  return out
}

function segmentTypeWords(s: boolean, type: number, flags: number, long: boolean): string {
  if (!s) return systemTypeWords(type, long)
  if (type & 8) {
    const size = flags & 2 ? '64-bit' : flags & 4 ? '32-bit' : '16-bit'
    return `code ${size}${type & 4 ? ' conforming' : ''}${type & 2 ? ' readable' : ' execute-only'}`
  }
  return `data${type & 4 ? ' expand-down' : ''}${type & 2 ? ' writable' : ' read-only'}`
}

/**
 * The gates of an IDT image (`bytes` read from IDTR.base, limit + 1 long): 8-byte gates in
 * protected mode, 16-byte gates in IA-32e mode. Only present gates are listed.
 */
export function decodeIdt(bytes: Uint8Array, long: boolean): GateDescriptor[] {
  const size = long ? 16 : 8
  const out: GateDescriptor[] = []
  for (let at = 0; at + size <= bytes.length && at < 256 * size; at += size) {
    const d = u64(bytes, at)
    const access = Number((d >> 40n) & 0xffn)
    if (!(access & 0x80)) continue
    const type = access & 0xf
    let offset = (d & 0xffffn) | (((d >> 48n) & 0xffffn) << 16n)
    if (long) offset |= BigInt(u32(bytes, at + 8)) << 32n
    const vector = at / size
    const name = vectorName(vector)
    out.push({
      vector,
      name: name.startsWith('#') ? name : '',
      raw: long ? `0x${u64(bytes, at + 8).toString(16).padStart(16, '0')}${d.toString(16).padStart(16, '0')}` : `0x${d.toString(16).padStart(16, '0')}`,
      present: true,
      type: systemTypeWords(type, long),
      typeBits: type,
      dpl: (access >> 5) & 3,
      selector: Number((d >> 16n) & 0xffffn),
      offset: type === T.TASK_GATE ? '0x0' : hex(offset),
      ist: long ? Number((d >> 32n) & 7n) : 0,
    })
  }
  return out
}

/** Byte offsets of a 32-bit TSS's privileged stacks (SDM Figure 8-2). */
const TSS32_STACKS: [string, number, number][] = [
  ['ESP0', 4, 4], ['SS0', 8, 2], ['ESP1', 12, 4], ['SS1', 16, 2], ['ESP2', 20, 4], ['SS2', 24, 2],
]
const TSS32_IOMAP = 102
const TSS32_CR3 = 28
const TSS32_EIP = 32
/** Byte offsets in a 64-bit TSS (SDM Figure 8-11): RSP0–2 at 4, IST1–7 at 36, the I/O map base at 102. */
const TSS64_RSP0 = 4
const TSS64_IST1 = 36
const TSS64_IOMAP = 102
/** The smallest TSS the CPU accepts (limit ≥ 0x67). */
export const TSS_MIN_BYTES = 104

/** The stack pointers of a TSS image read from TR.base. */
export function decodeTss(bytes: Uint8Array, long: boolean): TaskState {
  if (long) {
    const stacks = [0, 1, 2].map((i) => ({ name: `RSP${i}`, value: hex(u64(bytes, TSS64_RSP0 + 8 * i)) }))
    for (let i = 0; i < 7; i++) stacks.push({ name: `IST${i + 1}`, value: hex(u64(bytes, TSS64_IST1 + 8 * i)) })
    return { format: '64-bit', stacks, iomapBase: u16(bytes, TSS64_IOMAP) }
  }
  const stacks = TSS32_STACKS.map(([name, at, n]) => ({ name, value: hex(n === 4 ? u32(bytes, at) : u16(bytes, at)) }))
  const task = [{ name: 'CR3' as const, value: hex(u32(bytes, TSS32_CR3)) }, { name: 'EIP' as const, value: hex(u32(bytes, TSS32_EIP)) }]
  return { format: '32-bit', stacks, iomapBase: u16(bytes, TSS32_IOMAP), task }
}
