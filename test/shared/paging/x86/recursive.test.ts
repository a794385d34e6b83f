import { describe, expect, it } from 'vitest'
import { recursiveWindows, tableName } from '../../../../src/shared/paging/x86/recursive'

describe('the recursive mapping in virtual addresses', () => {
  it('puts the P4 of x86-64 at 0xFFFFFFFFFFFFF000 through P4[511], and each lower level one index field further out', () => {
    expect(recursiveWindows('4-level', 511)).toEqual([
      { table: 'PML4', first: 0xfffffffffffff000n, count: 1n },
      { table: 'PDPT', first: 0xffffffffffe00000n, count: 512n },
      { table: 'PD', first: 0xffffffffc0000000n, count: 512n ** 2n },
      { table: 'PT', first: 0xffffff8000000000n, count: 512n ** 3n },
    ])
  })

  it('puts a 32-bit recursive page directory at 0xFFFFF000 and its page tables from 0xFFC00000 (no sign extension)', () => {
    expect(recursiveWindows('32-bit', 1023)).toEqual([
      { table: 'PD', first: 0xfffff000n, count: 1n },
      { table: 'PT', first: 0xffc00000n, count: 1024n },
    ])
  })

  it('works for a lower-half index and refuses modes and indices without a recursive root entry', () => {
    expect(recursiveWindows('4-level', 256)[0].first).toBe(0xffff804020100000n)
    expect(recursiveWindows('PAE', 3)).toEqual([])
    expect(recursiveWindows('Bare', 0)).toEqual([])
    expect(recursiveWindows('4-level', 512)).toEqual([])
  })

  it('names tables P4…P1 in 4-level paging and by the SDM elsewhere', () => {
    expect(tableName('4-level', 'PD')).toBe('P2 (PD)')
    expect(tableName('32-bit', 'PD')).toBe('PD')
  })
})
