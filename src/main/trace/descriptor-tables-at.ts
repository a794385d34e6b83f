/**
 * The x86 descriptor tables at a replayed step, for the GDT, IDT and TSS inspectors: GDTR, IDTR
 * and TR (its hidden base and limit) say where the tables are; their bytes are read as the CPU
 * reads them — linear addresses, through the paging in force at the step — and decoded by
 * shared/pc/descriptor-tables.ts; each IDT gate's handler is named from the kernel's ELF symbols.
 */
import type { DescriptorTablesAt, TableAt } from '../../shared/api/replay'
import { decodeGdt, decodeIdt, decodeTss, TSS_MIN_BYTES } from '../../shared/pc/descriptor-tables'
import type { DescriptorTableRegisters } from '../machine/core/boot-machine'

/** Reads `length` bytes at a linear address as the CPU would at the step. */
export type LinearReader = (address: bigint, length: number) => { bytes: Uint8Array } | { error: string }

/** The most bytes a descriptor table can hold (a 16-bit limit): 64 KiB. */
const MAX_TABLE_BYTES = 0x1_0000
/** A 64-bit TSS's stack fields end before byte 104; a 32-bit TSS's at 104 too. */
const TSS_READ_BYTES = TSS_MIN_BYTES

const hex = (v: bigint) => `0x${v.toString(16)}`

/** What the CPU would do with a table it cannot read now: the next access to it faults. */
const UNREADABLE_CONSEQUENCE = { GDT: 'loading a segment register now would fault', IDT: 'an interrupt or exception now would fault' } as const

function readTable<E>(name: 'GDT' | 'IDT', read: LinearReader, base: bigint, limit: number, decode: (bytes: Uint8Array) => E[]): TableAt<E> {
  const at: TableAt<E> = { base: hex(base), limit, entries: [] }
  const length = Math.min(MAX_TABLE_BYTES, limit + 1)
  const r = read(base, length)
  if ('error' in r) return { ...at, error: `the ${name} at ${hex(base)} cannot be read at this step (${r.error}): ${UNREADABLE_CONSEQUENCE[name]}` }
  return { ...at, entries: decode(r.bytes) }
}

export function descriptorTablesAt(regs: DescriptorTableRegisters, read: LinearReader, symbolize: (address: bigint) => string | null): DescriptorTablesAt {
  const gdt = readTable('GDT', read, regs.gdtr.base, regs.gdtr.limit, (b) => decodeGdt(b, regs.long))
  const idt = readTable('IDT', read, regs.idtr.base, regs.idtr.limit, (b) => decodeIdt(b, regs.long).map((g) => ({ ...g, handler: symbolize(BigInt(g.offset)) })))
  let tss: DescriptorTablesAt['tss'] = null
  if (regs.tr.selector & ~3) {
    const base = regs.tr.base
    tss = { selector: regs.tr.selector, base: hex(base), limit: regs.tr.limit }
    const r = read(base, Math.min(TSS_READ_BYTES, regs.tr.limit + 1))
    if ('error' in r) tss.error = `cannot read the TSS at ${hex(base)}: ${r.error}`
    else tss.state = decodeTss(r.bytes, regs.long)
  }
  return { long: regs.long, gdt, idt, tss }
}
