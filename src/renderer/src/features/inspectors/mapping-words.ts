/**
 * The address space in words: what each mapped range is for, in the patterns the seeds teach —
 * the identity mapping (VA = PA), needed while the PC is still physical right after paging is
 * turned on; the higher-half mapping of the kernel (its link addresses to where it was loaded);
 * the recursive mapping (x86: a root entry pointing at the root, so every table is a page at a
 * known VA — named with those VAs); a direct map of physical memory at a fixed offset. And what
 * changed since the table was activated: the identity mapping gone once the kernel runs high, a
 * range split into smaller pages or given other permissions (seed 002's remap), a page unmapped
 * (a guard page), a VA sent to other frames.
 */
import type { MappingRange } from '../../../../shared/trace/events'
import { recursiveWindows, tableName } from '../../../../shared/paging/x86/recursive'
import { FORMATS, type X86PagingMode } from '../../../../shared/paging/x86/formats'

export interface MappingContext {
  /** The PC at the step shown. */
  pc: string
  /** The root table and every table page reached from it (PA, hex). */
  tables: string[]
  /** The kernel's loaded segments: link address (VA) and load address (PA). */
  segments: { vaddr: string; paddr: string; memsz: string }[]
  /** The translation mode (`Sv39`, x86 `32-bit`, `PAE`, `4-level`): names the recursive mapping's tables. */
  mode?: string
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
  if (m.pageSize === 'recursive') return { role: 'recursive', text: recursiveWords(m, ctx.mode) }
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

/**
 * The recursive mapping of an x86 root entry, with the VAs it makes meaningful: the root's own
 * page and where the tables of each level below it appear.
 */
export function recursiveWords(m: MappingRange, mode: string | undefined): string {
  const f = mode ? FORMATS[mode as Exclude<X86PagingMode, 'Bare'>] : undefined
  const va = BigInt(m.va)
  const end = hex(va + BigInt(m.size) - 1n)
  const root = f?.levels[0]
  const index = root ? Number((va >> BigInt(root.shift)) & ((1n << BigInt(root.indexBits)) - 1n)) : -1
  const windows = f && mode ? recursiveWindows(mode, index) : []
  if (!windows.length || !mode) return `recursive mapping of ${m.va}–${end}: ${m.note?.replace(/^recursive: /, '') ?? 'a table entry points back at its own table'}`
  const [self, ...below] = windows
  const rootName = tableName(mode, self.table)
  const rest = below.map((w) => `each ${tableName(mode, w.table)} from ${hex(w.first)}`).join(', ')
  return (
    `recursive mapping: ${rootName} entry ${index} points at the ${rootName} itself, so the page tables are pages in ${m.va}–${end} — ` +
    `the ${rootName} at ${hex(self.first)}, ${rest} (4 KiB apart, in index order)`
  )
}

interface Piece {
  va: bigint
  end: bigint
  /** The range now covering it, or none (unmapped). */
  now?: MappingRange
}

/** `b` cut along the ranges of `now` that overlap it (sorted), holes included. */
function piecesOf(b: MappingRange, now: MappingRange[]): Piece[] {
  const va = BigInt(b.va)
  const end = va + BigInt(b.size)
  const over = now
    .filter((n) => overlaps(va, end - va, BigInt(n.va), BigInt(n.size)))
    .sort((x, y) => (BigInt(x.va) < BigInt(y.va) ? -1 : 1))
  const out: Piece[] = []
  let at = va
  for (const n of over) {
    const from = BigInt(n.va) > at ? BigInt(n.va) : at
    if (from > at) out.push({ va: at, end: from })
    const to = BigInt(n.va) + BigInt(n.size) < end ? BigInt(n.va) + BigInt(n.size) : end
    if (to > from) out.push({ va: from, end: to, now: n })
    at = to > at ? to : at
  }
  if (at < end) out.push({ va: at, end })
  return out
}

const span = (p: Piece) => `${hex(p.va)}–${hex(p.end - 1n)}`

/**
 * What changed since the table was activated, range by range: unmapped parts (the identity
 * mapping gone, a guard page), parts now sent to other frames, and parts still mapped to the same
 * frames but split into smaller pages or with other permissions. Ranges only merged differently
 * say nothing.
 */
export function mappingsGone(before: MappingRange[], now: MappingRange[]): string[] {
  const out: string[] = []
  for (const b of before) {
    if (b.pageSize === 'recursive') continue
    const offset = BigInt(b.pa) - BigInt(b.va)
    const identity = offset === 0n
    const pieces = piecesOf(b, now)
    const holes = pieces.filter((p) => !p.now)
    const whole = `${b.va}–${hex(BigInt(b.va) + BigInt(b.size) - 1n)}`
    if (holes.length === pieces.length) {
      out.push(identity ? `the identity mapping of ${whole} is gone: the kernel no longer needs its physical addresses` : `${whole} → ${b.pa} is no longer mapped`)
      continue
    }
    for (const h of holes) out.push(`${span(h)} is no longer mapped (it was ${identity ? 'identity-mapped' : `mapped to ${hex(h.va + offset)}`})${h.end - h.va === 0x1000n ? ': a 4 KiB hole, as a guard page leaves' : ''}`)
    const moved = pieces.filter((p) => p.now && BigInt(p.now.pa) - BigInt(p.now.va) !== offset)
    for (const p of moved) out.push(`${span(p)} now maps to ${hex(p.va + BigInt(p.now!.pa) - BigInt(p.now!.va))} instead of ${hex(p.va + offset)}`)
    const kept = pieces.filter((p) => p.now && !moved.includes(p))
    const sizes = [...new Set(kept.map((p) => p.now!.pageSize))].filter((s) => s !== b.pageSize)
    const perms = [...new Set(kept.map((p) => p.now!.perms))].filter((x) => x !== b.perms)
    if (!kept.length || (!sizes.length && !perms.length)) continue
    const what = identity ? `the identity mapping of ${whole}` : `${whole} → ${b.pa}`
    const split = sizes.length ? `split from ${b.pageSize} into ${sizes.join(' and ')} pages` : ''
    const rights = perms.length ? `permissions ${b.perms} → ${perms.join(', ')}` : ''
    out.push(`${what} was remapped to the same frames: ${[split, rights].filter(Boolean).join('; ')}`)
  }
  return out
}
