import { describe, expect, it } from 'vitest'
import {
  childTable,
  loadPages,
  MAX_TREE_PAGES,
  pteAddress,
  treeLines,
  vaRangeEnd,
  type EntryLine,
  type TablePage,
} from '../../../../src/renderer/src/features/inspectors/page-table-tree'
import type { PteWrite } from '../../../../src/renderer/src/features/inspectors/since-event'
import type { TableEntry } from '../../../../src/shared/paging/page-walk'

// An Sv39 table: the root (L2) maps a gigapage at entry 2 and points to an L1 page at entry 1,
// which points to an L0 page at entry 0, which maps one 4 KiB page.
const ROOT: TablePage = { pa: '0x80202000', level: 2, vaBase: '0x0' }
const leaf = (index: number, va: string, pa: string, pageSize: string): TableEntry => ({ index, pte: '0xcf', kind: 'leaf', flags: 'VRWXAD', va, pa, pageSize })
const pointer = (index: number, va: string, pa: string): TableEntry => ({ index, pte: '0x1', kind: 'pointer', flags: 'V', va, pa, pageSize: null })
const PAGES = new Map<string, TableEntry[]>([
  ['0x80202000', [pointer(1, '0x40000000', '0x80203000'), leaf(2, '0x80000000', '0x80000000', '1 GiB')]],
  ['0x80203000', [pointer(0, '0x40000000', '0x80204000')]],
  ['0x80204000', [leaf(3, '0x40003000', '0x80300000', '4 KiB')]],
])

function entries(lines: ReturnType<typeof treeLines>): EntryLine[] {
  return lines.filter((l): l is EntryLine => l.type === 'entry')
}
const write = (pa: string, old = '0x0', now = '0x1'): [string, PteWrite] => [pa, { step: 5, pa, old, new: now, vaRange: '0x40000000–0x401fffff' }]

describe('page-table tree', () => {
  it('shows only the root page until a pointer is opened', () => {
    const lines = entries(treeLines(ROOT, PAGES, new Set(), new Map()))
    expect(lines.map((l) => [l.depth, l.index, l.kind, l.expanded])).toEqual([
      [0, 1, 'pointer', false],
      [0, 2, 'leaf', false],
    ])
    expect(lines[0].child).toEqual({ pa: '0x80203000', level: 1, vaBase: '0x40000000' })
    expect(lines[1].child).toBeUndefined()
  })

  it('nests an opened page under its pointer, depth-first, each PTE with its own address', () => {
    const lines = entries(treeLines(ROOT, PAGES, new Set(['0x80203000', '0x80204000']), new Map()))
    expect(lines.map((l) => [l.depth, l.pteAddr])).toEqual([
      [0, '0x80202008'],
      [1, '0x80203000'],
      [2, '0x80204018'],
      [0, '0x80202010'],
    ])
  })

  it('says an opened page is being read while its entries are not here', () => {
    const lines = treeLines(ROOT, new Map([['0x80202000', PAGES.get('0x80202000')!]]), new Set(['0x80203000']), new Map())
    expect(lines.map((l) => l.type)).toEqual(['entry', 'loading', 'entry'])
    expect(lines[1].depth).toBe(1)
  })

  it('marks the PTEs written since the previous event, and a closed page that holds one', () => {
    const written = new Map([write('0x80204018')])
    const closed = entries(treeLines(ROOT, PAGES, new Set(['0x80203000']), written))
    expect(closed.find((l) => l.pteAddr === '0x80203000')!.holdsWritten).toBe(true)
    expect(closed.some((l) => l.written)).toBe(false)
    const open = entries(treeLines(ROOT, PAGES, new Set(['0x80203000', '0x80204000']), written))
    expect(open.filter((l) => l.written).map((l) => l.pteAddr)).toEqual(['0x80204018'])
    expect(open.some((l) => l.holdsWritten)).toBe(false)
  })

  it('shows a PTE the write cleared, in index order, although it is no longer valid', () => {
    const lines = entries(treeLines(ROOT, PAGES, new Set(), new Map([write('0x80202018', '0xcf', '0x0')])))
    expect(lines.map((l) => [l.index, l.kind, !!l.written])).toEqual([
      [1, 'pointer', false],
      [2, 'leaf', false],
      [3, 'invalid', true],
    ])
  })

  it('says so when a page has no valid entry, and stops at a table that points back up', () => {
    expect(treeLines(ROOT, new Map([['0x80202000', []]]), new Set(), new Map()).map((l) => l.type)).toEqual(['empty'])
    const loop = new Map<string, TableEntry[]>([
      ['0x80202000', [pointer(0, '0x0', '0x80203000')]],
      ['0x80203000', [pointer(0, '0x0', '0x80202000')]],
    ])
    const lines = treeLines(ROOT, loop, new Set(['0x80203000', '0x80202000']), new Map())
    expect(lines.map((l) => l.type)).toEqual(['entry', 'entry', 'loop'])
  })

  it('has no page below a level-0 pointer (the walk faults there)', () => {
    expect(childTable({ pa: '0x80204000', level: 0, vaBase: '0x0' }, pointer(0, '0x0', '0x80205000'))).toBeUndefined()
  })

  it('computes PTE addresses and the last VA an entry maps', () => {
    expect(pteAddress('0x80202000', 510)).toBe('0x80202ff0')
    expect(vaRangeEnd('0xffffffff80000000', 2)).toBe('0xffffffffbfffffff')
    expect(vaRangeEnd('0x40003000', 0)).toBe('0x40003fff')
  })

  it('loads the root, then the opened pages reachable from it, reusing pages already read at this step', async () => {
    const asked: string[] = []
    const fetch = async (t: TablePage) => {
      asked.push(`${t.pa}@L${t.level}`)
      return PAGES.get(t.pa) ?? []
    }
    const pages = await loadPages(ROOT, new Set(['0x80203000', '0x80204000', '0x99999000']), fetch)
    expect(asked).toEqual(['0x80202000@L2', '0x80203000@L1', '0x80204000@L0'])
    expect([...pages.keys()]).toEqual(['0x80202000', '0x80203000', '0x80204000'])
    asked.length = 0
    await loadPages(ROOT, new Set(['0x80203000']), fetch, new Map([['0x80202000', PAGES.get('0x80202000')!]]))
    expect(asked).toEqual(['0x80203000@L1'])
  })

  it('reads a bounded number of pages from a table of many opened pages', async () => {
    const wide = new Map<string, TableEntry[]>()
    const root = Array.from({ length: 512 }, (_, i) => pointer(i, `0x${(i * 0x40000000).toString(16)}`, `0x${(0x90000000 + i * 0x1000).toString(16)}`))
    wide.set('0x80202000', root)
    const expanded = new Set(root.map((e) => e.pa))
    const pages = await loadPages(ROOT, expanded, async (t) => wide.get(t.pa) ?? [])
    expect(pages.size).toBe(MAX_TREE_PAGES)
  })
})
