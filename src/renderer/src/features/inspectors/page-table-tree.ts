/**
 * The page-table tree as the inspector draws it: one line per valid PTE of each page that is
 * loaded and expanded, depth-first from satp's root, so the template is a flat list. Pages are
 * fetched one at a time (`recording.state` with `table`), so a pointer whose page is expanded but
 * not yet here shows a loading line. PTEs written since the previous event are marked, including
 * those the write made invalid (they are not among the valid entries, so they come from the
 * event), and a collapsed pointer says when its page holds one.
 */
import type { TableEntry } from '../../../../shared/paging/page-walk'
import { FORMATS, type X86PagingMode } from '../../../../shared/paging/x86/formats'
import { recursiveWindows, tableName } from '../../../../shared/paging/x86/recursive'
import { normHex, type PteWrite } from './since-event'

/** One page-table page, as `addressSpace.tables` and the `table` query name it. */
export interface TablePage {
  pa: string
  level: number
  vaBase: string
}

export const PTE_BYTES = 8
const PAGE_BYTES = 4096n

/**
 * The shape of one translation mode's tables, by level (0 = the last level, as `TablePage.level`
 * counts): entry size, bytes an entry maps, and the table's name. RISC-V Sv39/Sv48/Sv57 tables are
 * 512 eight-byte PTEs, named L2, L1, L0; x86 tables follow the SDM (32-bit: 1024 four-byte
 * entries; PAE: a 4-entry PDPT; 4-level: PML4 … PT, named P4 … P1 as x86-64 kernels do).
 */
export interface TableGeometry {
  /** The register naming the root: satp or CR3. */
  rootRegister: string
  entryBytes(level: number): number
  /** log2 of the bytes one entry at `level` maps. */
  entryShift(level: number): number
  /** The table at `level`: `L2`, `P4 (PML4)`, `PD`. */
  name(level: number): string
  /** x86: the VAs a recursive entry at `index` of the root makes meaningful, in words; undefined elsewhere. */
  recursive?(index: number): string
}

export const SV_GEOMETRY: TableGeometry = {
  rootRegister: 'satp',
  entryBytes: () => PTE_BYTES,
  entryShift: (level) => 12 + 9 * level,
  name: (level) => `L${level}`,
}

/** The geometry of a translation mode (`Sv39`, `32-bit`, `PAE`, `4-level`, …). */
export function tableGeometry(mode: string): TableGeometry {
  const f = FORMATS[mode as Exclude<X86PagingMode, 'Bare'>]
  if (!f) return SV_GEOMETRY
  const at = (level: number) => f.levels[f.levels.length - 1 - level] ?? f.levels[0]
  return {
    rootRegister: 'CR3',
    entryBytes: (level) => at(level).entryBytes,
    entryShift: (level) => at(level).shift,
    name: (level) => tableName(mode, at(level).table),
    recursive(index) {
      const [self, ...below] = recursiveWindows(mode, index)
      if (!self) return 'points back at this table'
      const n = (t: string) => tableName(mode, t)
      return `this ${n(self.table)} itself: it is at ${hex(self.first)}; ${below.map((w) => `each ${n(w.table)} from ${hex(w.first)}`).join(', ')}`
    },
  }
}

const hex = (v: bigint) => `0x${v.toString(16)}`

export interface EntryLine {
  type: 'entry'
  key: string
  depth: number
  table: TablePage
  /** The PTE's own physical address: table + index × 8. */
  pteAddr: string
  index: number
  /** `invalid` for an entry the last write cleared. */
  kind: TableEntry['kind'] | 'invalid'
  entry: TableEntry | undefined
  /** Set when the PTE was written since the previous event. */
  written: PteWrite | undefined
  /** Pointers: the page one level down. */
  child: TablePage | undefined
  expanded: boolean
  /** A collapsed pointer whose page holds a PTE written since the previous event. */
  holdsWritten: boolean
}

export interface NoteLine {
  type: 'loading' | 'empty' | 'loop'
  key: string
  depth: number
}

export type TreeLine = EntryLine | NoteLine

export function pteAddress(tablePa: string, index: number, entryBytes = PTE_BYTES): string {
  return normHex(`0x${(BigInt(tablePa) + BigInt(index * entryBytes)).toString(16)}`)
}

/** The page a pointer entry leads to, one level down (none from level 0, where a pointer is invalid). */
export function childTable(table: TablePage, e: TableEntry): TablePage | undefined {
  if (e.kind !== 'pointer' || table.level === 0 || e.recursive) return undefined
  return { pa: normHex(e.pa), level: table.level - 1, vaBase: e.va }
}

/** Bytes one entry of a page at `level` maps: 4 KiB at level 0, × 512 a level (Sv39; x86 by its geometry). */
export function entrySpan(level: number, g: TableGeometry = SV_GEOMETRY): bigint {
  return 1n << BigInt(g.entryShift(level))
}

/** The last VA an entry starting at `va` maps, hex. */
export function vaRangeEnd(va: string, level: number, g: TableGeometry = SV_GEOMETRY): string {
  return `0x${BigInt.asUintN(64, BigInt(va) + entrySpan(level, g) - 1n).toString(16)}`
}

/** Whether `pa` (a PTE address) lies in the page at `tablePa`. */
function inPage(pa: string, tablePa: string): boolean {
  const t = BigInt(tablePa)
  const a = BigInt(pa)
  return a >= t && a < t + PAGE_BYTES
}

/**
 * The lines of the tree under `root`. `pages` holds the valid entries of each loaded page by
 * normalised PA, `expanded` the PAs of the pages opened, `written` the PTE writes since the
 * previous event by PTE address.
 */
export function treeLines(
  root: TablePage,
  pages: ReadonlyMap<string, readonly TableEntry[]>,
  expanded: ReadonlySet<string>,
  written: ReadonlyMap<string, PteWrite>,
  g: TableGeometry = SV_GEOMETRY,
): TreeLine[] {
  const lines: TreeLine[] = []
  const open = new Set<string>() // pages on the current path: a table pointing back up is a loop
  const writtenPas = [...written.keys()]

  function page(table: TablePage, depth: number): void {
    const pa = normHex(table.pa)
    const entries = pages.get(pa)
    if (!entries) {
      lines.push({ type: 'loading', key: `${pa}:loading`, depth })
      return
    }
    if (open.has(pa)) {
      lines.push({ type: 'loop', key: `${pa}:loop`, depth })
      return
    }
    open.add(pa)
    // The valid entries, plus the written ones the write left invalid, in index order.
    const rows: { index: number; entry?: TableEntry }[] = entries.map((entry) => ({ index: entry.index, entry }))
    for (const w of written.values()) {
      if (!inPage(w.pa, pa)) continue
      const index = Number((BigInt(w.pa) - BigInt(pa)) / BigInt(g.entryBytes(table.level)))
      if (!entries.some((e) => e.index === index)) rows.push({ index })
    }
    rows.sort((a, b) => a.index - b.index)
    if (rows.length === 0) lines.push({ type: 'empty', key: `${pa}:empty`, depth })
    for (const { index, entry } of rows) {
      const pteAddr = pteAddress(pa, index, g.entryBytes(table.level))
      const child = entry ? childTable({ ...table, pa }, entry) : undefined
      const isOpen = !!child && expanded.has(child.pa)
      lines.push({
        type: 'entry',
        key: `${pa}:${index}`,
        depth,
        table: { ...table, pa },
        pteAddr,
        index,
        kind: entry?.kind ?? 'invalid',
        entry,
        written: written.get(pteAddr),
        child,
        expanded: isOpen,
        holdsWritten: !!child && !isOpen && writtenPas.some((w) => inPage(w, child.pa)),
      })
      if (child && isOpen) page(child, depth + 1)
    }
    open.delete(pa)
  }

  page(root, 0)
  return lines
}

/** The most pages one tree asks for at a step: a kernel's table is a handful; a runaway one is not walked whole. */
export const MAX_TREE_PAGES = 64

/**
 * Loads the pages the tree shows at one step: the root, then each expanded page reachable from it
 * (breadth-first, so what is near the root arrives first). Pages in `known` (already fetched at
 * this step) are not asked again.
 */
export async function loadPages(
  root: TablePage,
  expanded: ReadonlySet<string>,
  fetch: (table: TablePage) => Promise<TableEntry[]>,
  known: ReadonlyMap<string, TableEntry[]> = new Map(),
): Promise<Map<string, TableEntry[]>> {
  const out = new Map<string, TableEntry[]>()
  const queue: TablePage[] = [{ ...root, pa: normHex(root.pa) }]
  while (queue.length && out.size < MAX_TREE_PAGES) {
    const table = queue.shift()!
    if (out.has(table.pa)) continue
    const entries = known.get(table.pa) ?? (await fetch(table))
    out.set(table.pa, entries)
    for (const e of entries) {
      const child = childTable(table, e)
      if (child && expanded.has(child.pa) && !out.has(child.pa)) queue.push(child)
    }
  }
  return out
}
