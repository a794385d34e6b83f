/**
 * The page-table tree as the inspector draws it: one line per valid PTE of each page that is
 * loaded and expanded, depth-first from satp's root, so the template is a flat list. Pages are
 * fetched one at a time (`recording.state` with `table`), so a pointer whose page is expanded but
 * not yet here shows a loading line. PTEs written since the previous event are marked, including
 * those the write made invalid (they are not among the valid entries, so they come from the
 * event), and a collapsed pointer says when its page holds one.
 */
import type { TableEntry } from '../../../../shared/paging/page-walk'
import { normHex, type PteWrite } from './since-event'

/** One page-table page, as `addressSpace.tables` and the `table` query name it. */
export interface TablePage {
  pa: string
  level: number
  vaBase: string
}

export const PTE_BYTES = 8
const PAGE_BYTES = 4096n

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

export function pteAddress(tablePa: string, index: number): string {
  return normHex(`0x${(BigInt(tablePa) + BigInt(index * PTE_BYTES)).toString(16)}`)
}

/** The page a pointer entry leads to, one level down (none from level 0, where a pointer is invalid). */
export function childTable(table: TablePage, e: TableEntry): TablePage | undefined {
  if (e.kind !== 'pointer' || table.level === 0) return undefined
  return { pa: normHex(e.pa), level: table.level - 1, vaBase: e.va }
}

/** Bytes one entry of a page at `level` maps: 4 KiB at level 0, × 512 a level. */
export function entrySpan(level: number): bigint {
  return 1n << BigInt(12 + 9 * level)
}

/** The last VA an entry starting at `va` maps, hex. */
export function vaRangeEnd(va: string, level: number): string {
  return `0x${BigInt.asUintN(64, BigInt(va) + entrySpan(level) - 1n).toString(16)}`
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
      const index = Number((BigInt(w.pa) - BigInt(pa)) / BigInt(PTE_BYTES))
      if (!entries.some((e) => e.index === index)) rows.push({ index })
    }
    rows.sort((a, b) => a.index - b.index)
    if (rows.length === 0) lines.push({ type: 'empty', key: `${pa}:empty`, depth })
    for (const { index, entry } of rows) {
      const pteAddr = pteAddress(pa, index)
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
