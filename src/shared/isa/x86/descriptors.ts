/**
 * The x86 descriptor tables read for people: the GDT's segment and system descriptors, the IDT's
 * gates and the TSS's stack pointers, each decoded from the bytes a `lgdt`/`lidt`/`ltr` made the
 * CPU use (SDM vol. 3: 3.4.5 "Segment Descriptors", 6.11 "IDT Descriptors", 6.14.1 "64-Bit Mode
 * IDT", 7.2.1 "Task-State Segment", 8.7 "Task Management in 64-bit Mode"). Pure: the caller
 * reads the table's bytes (through paging when it is on). Used by the timeline's descriptor-table
 * events and the GDT/IDT/TSS views.
 */
import { describeSegment, SYSTEM_TYPE_NAMES } from './register-fields'
import { SYSTEM_DESCRIPTOR_TYPES } from './system-registers'
import { vectorName } from './exceptions'

/** One decoded entry: where it is (selector or vector) and what it says. */
export interface DescriptorRow {
  /** GDT: the selector (index × 8); IDT: the vector; TSS: the field's byte offset. */
  index: number
  /** `0x08`, `vector 14 (#PF (page fault))`, `RSP0`. */
  name: string
  text: string
  /** Raw fields for views that draw them. */
  base?: bigint
  limit?: number
  attrs?: number
  /** Gates: the handler's offset and selector, the IST index (long mode). */
  offset?: bigint
  selector?: number
  ist?: number
  present: boolean
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8)
const u64 = (b: Uint8Array, o: number) => BigInt(u32(b, o)) | (BigInt(u32(b, o + 4)) << 32n)

/** Access rights in the VMX layout `describeSegment` reads: type/S/DPL/P (bits 8–15 of the high word) and AVL/L/D/G (bits 20–23). */
function attrsOf(hi: number): number {
  return (hi >>> 8) & 0xf0ff
}


const isSystemPair = (attrs: number, long: boolean) => {
  const type = attrs & 0xf
  return long && (attrs & 0x10) === 0 && (type === SYSTEM_DESCRIPTOR_TYPES.LDT || type === SYSTEM_DESCRIPTOR_TYPES.TSS_AVAILABLE || type === SYSTEM_DESCRIPTOR_TYPES.TSS_BUSY || type === SYSTEM_DESCRIPTOR_TYPES.CALL_GATE)
}

/**
 * The GDT (or an LDT) in `bytes` (limit + 1 bytes from its base). In long mode (`long`) LDT, TSS
 * and call-gate descriptors take 16 bytes: the upper half holds bits 63:32 of the base.
 */
export function decodeGdt(bytes: Uint8Array, long: boolean): DescriptorRow[] {
  const rows: DescriptorRow[] = []
  for (let o = 0; o + 8 <= bytes.length; o += 8) {
    const lo = u32(bytes, o)
    const hi = u32(bytes, o + 4)
    if (o === 0) {
      rows.push({ index: 0, name: '0x0', text: 'null descriptor', present: false })
      continue
    }
    const attrs = attrsOf(hi)
    let base = BigInt(((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0)
    let limit = (lo & 0xffff) | (hi & 0xf0000)
    if (hi & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0
    const present = (hi & 0x8000) !== 0
    const pair = isSystemPair(attrs, long) && o + 16 <= bytes.length
    if (pair) base |= BigInt(u32(bytes, o + 8)) << 32n
    const empty = lo === 0 && hi === 0
    rows.push({ index: o, name: hex(o), text: empty ? 'empty' : describeSegment(attrs, base, limit), base, limit, attrs, present })
    if (pair) o += 8
  }
  return rows
}

/** One IDT gate (8 bytes; 16 in long mode). */
function gate(bytes: Uint8Array, o: number, long: boolean): { offset: bigint; selector: number; type: number; dpl: number; present: boolean; ist: number } {
  const lo = u32(bytes, o)
  const hi = u32(bytes, o + 4)
  let offset = BigInt(((lo & 0xffff) | (hi & 0xffff0000)) >>> 0)
  if (long && o + 16 <= bytes.length) offset |= BigInt(u32(bytes, o + 8)) << 32n
  return { offset, selector: lo >>> 16, type: (hi >>> 8) & 0xf, dpl: (hi >>> 13) & 3, present: (hi & 0x8000) !== 0, ist: long ? hi & 7 : 0 }
}

/**
 * The IDT's present gates, consecutive vectors with the same gate in one row ("vectors 32–47: …").
 * `symbol` names a handler address (the kernel's symbols).
 */
export function decodeIdt(bytes: Uint8Array, long: boolean, symbol: (va: bigint) => string | null = () => null): DescriptorRow[] {
  const size = long ? 16 : 8
  const rows: DescriptorRow[] = []
  let run: { first: number; last: number; key: string; row: DescriptorRow } | undefined
  const flush = () => {
    if (!run) return
    if (run.first !== run.last) run.row.name = `vectors ${run.first}–${run.last}`
    rows.push(run.row)
    run = undefined
  }
  for (let v = 0; (v + 1) * size <= bytes.length && v < 256; v++) {
    const g = gate(bytes, v * size, long)
    if (!g.present) {
      flush()
      continue
    }
    const kind = SYSTEM_TYPE_NAMES[g.type] ?? `type ${g.type} (not a gate)`
    const handler = g.type === SYSTEM_DESCRIPTOR_TYPES.TASK_GATE ? `TSS selector ${hex(g.selector)}` : `${hex(g.offset)}${symbolWords(symbol(g.offset))}, selector ${hex(g.selector)}`
    const text = `${kind} → ${handler}${g.ist ? `, IST${g.ist}` : ''}, DPL${g.dpl}`
    const key = text
    if (run && run.key === key && run.last === v - 1 && v >= 32) {
      run.last = v
      continue
    }
    flush()
    run = { first: v, last: v, key, row: { index: v, name: `vector ${v}${v < 32 ? ` ${vectorName(v)}` : ''}`, text, offset: g.offset, selector: g.selector, ist: g.ist, present: true } }
  }
  flush()
  return rows
}

const symbolWords = (s: string | null) => (s ? ` (${s})` : '')

/** The TSS's stack fields: RSP0–2 and IST1–7 (64-bit TSS), or SS0:ESP0 … and CR3/EIP (32-bit TSS); zero fields left out. */
export function decodeTss(bytes: Uint8Array, long: boolean, symbol: (va: bigint) => string | null = () => null): DescriptorRow[] {
  const rows: DescriptorRow[] = []
  const field = (index: number, name: string, value: bigint, what: string) => {
    if (value !== 0n) rows.push({ index, name, text: `${hex(value)}${symbolWords(symbol(value))}: ${what}`, base: value, present: true })
  }
  if (long) {
    if (bytes.length < 104) return rows
    for (let i = 0; i < 3; i++) field(4 + 8 * i, `RSP${i}`, u64(bytes, 4 + 8 * i), `stack pointer loaded on a switch to ring ${i}`)
    for (let i = 1; i <= 7; i++) field(36 + 8 * (i - 1), `IST${i}`, u64(bytes, 36 + 8 * (i - 1)), `interrupt stack ${i} (for gates with IST = ${i})`)
  } else {
    if (bytes.length < 104) return rows
    for (let i = 0; i < 3; i++) {
      const ss = u16(bytes, 8 + 8 * i)
      const esp = BigInt(u32(bytes, 4 + 8 * i))
      if (esp !== 0n || ss !== 0) rows.push({ index: 4 + 8 * i, name: `SS${i}:ESP${i}`, text: `${hex(ss)}:${hex(esp)}${symbolWords(symbol(esp))}: stack loaded on a switch to ring ${i}`, base: esp, selector: ss, present: true })
    }
    field(28, 'CR3', BigInt(u32(bytes, 28)), 'page directory loaded on a task switch')
    field(32, 'EIP', BigInt(u32(bytes, 32)), 'where a task switch to this TSS resumes')
  }
  const iomap = u16(bytes, 102)
  rows.push({ index: 102, name: 'I/O map base', text: `${hex(iomap)}${iomap >= bytes.length ? ' (beyond the limit: no I/O permission bitmap)' : ''}`, present: true })
  return rows
}
