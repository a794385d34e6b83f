/**
 * The address space in words: what each mapped range is for, in the patterns the seeds teach —
 * the identity mapping (VA = PA), needed while the PC is still physical right after paging is
 * turned on; the higher-half mapping of the kernel (its link addresses to where it was loaded);
 * a recursive entry (a table mapping itself, so its own pages are reachable by VA); a direct map
 * of physical memory at a fixed offset. And what changed since the previous table: the identity
 * mapping gone once the kernel runs high.
 */
import type { MappingRange } from '../../../../shared/trace/events'

export interface MappingContext {
  /** The PC at the step shown. */
  pc: string
  /** The root table and every table page reached from it (PA, hex). */
  tables: string[]
  /** The kernel's loaded segments: link address (VA) and load address (PA). */
  segments: { vaddr: string; paddr: string; memsz: string }[]
}

export type MappingRole = 'identity' | 'higher-half kernel' | 'recursive' | 'direct map' | 'other'

export interface ExplainedMapping {
  role: MappingRole
  text: string
}

const HIGH_HALF = 1n << 63n

function overlaps(a: bigint, aSize: bigint, b: bigint, bSize: bigint): boolean {
  return a < b + bSize && b < a + aSize
}

const hex = (v: bigint) => `0x${v.toString(16)}`

/** What one range is, in words. */
export function explainMapping(m: MappingRange, ctx: MappingContext): ExplainedMapping {
  const va = BigInt(m.va)
  const pa = BigInt(m.pa)
  const size = BigInt(m.size)
  const end = hex(va + size - 1n)
  const pc = BigInt(ctx.pc)
  const pcHere = pc >= va && pc < va + size
  if (va === pa) {
    const why = pcHere
      ? ' — needed because the PC is still physical: the instruction after the satp write is fetched through this table at its old address'
      : ' — the kernel can drop it once it runs at its higher-half addresses'
    return { role: 'identity', text: `identity mapping (VA = PA) of ${m.va}–${end}${why}` }
  }
  if (ctx.tables.some((t) => { const tpa = BigInt(t); return tpa >= pa && tpa < pa + size })) {
    const self = ctx.tables.some((t) => BigInt(t) === pa)
    if (self && size <= 1n << 12n) return { role: 'recursive', text: `recursive entry: the page table mapped at ${m.va}, so the kernel can read and edit its own table through virtual addresses` }
  }
  const kernel = ctx.segments.find((s) => BigInt(s.vaddr) !== BigInt(s.paddr) && overlaps(va, size, BigInt(s.vaddr), BigInt(s.memsz)))
  if (kernel && va - pa === BigInt(kernel.vaddr) - BigInt(kernel.paddr)) {
    return { role: 'higher-half kernel', text: `higher-half mapping of the kernel: its link addresses ${m.va}–${end} → where it was loaded, ${m.pa}` }
  }
  if (va & HIGH_HALF) {
    return { role: 'direct map', text: `direct map of physical memory: ${m.pa}–${hex(pa + size - 1n)} at a fixed offset (VA = PA + ${hex(BigInt.asUintN(64, va - pa))})` }
  }
  return { role: 'other', text: `${m.va}–${end} → ${m.pa}` }
}

/** What disappeared since the previous table: the identity mapping gone is the one a newcomer must see. */
export function mappingsGone(before: MappingRange[], now: MappingRange[]): string[] {
  const out: string[] = []
  for (const b of before) {
    if (now.some((n) => n.va === b.va && n.pa === b.pa && n.size === b.size)) continue
    const size = BigInt(b.size)
    const end = hex(BigInt(b.va) + size - 1n)
    out.push(BigInt(b.va) === BigInt(b.pa) ? `the identity mapping of ${b.va}–${end} is gone: the kernel no longer needs its physical addresses` : `${b.va}–${end} → ${b.pa} is no longer mapped`)
  }
  return out
}
