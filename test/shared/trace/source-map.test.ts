import { describe, expect, it } from 'vitest'
import { SourceMap } from '../../../src/shared/trace/source-map'

const LINES = [
  { address: '0xffffffff80200004', size: 4, file: 'entry.S', line: 11 },
  { address: '0xffffffff80200000', size: 4, file: 'entry.S', line: 10 },
  { address: '0xffffffff80200036', size: 2, file: 'main.S', line: 7 },
]
const SEGMENTS = [{ vaddr: 0xffffffff80200000n, paddr: 0x80200000n, memsz: 0x1000n }]

describe('SourceMap', () => {
  const map = new SourceMap(LINES, SEGMENTS)

  it('finds the line of a link address, inside multi-byte ranges too', () => {
    expect(map.locate(0xffffffff80200000n)).toEqual({ file: 'entry.S', line: 10, column: 1 })
    expect(map.locate(0xffffffff80200006n)).toEqual({ file: 'entry.S', line: 11, column: 1 })
    expect(map.locate(0xffffffff80200037n)).toEqual({ file: 'main.S', line: 7, column: 1 })
  })

  it('carries a physical PC (before paging) to its link address through the segments', () => {
    expect(map.locate(0x80200004n)).toEqual({ file: 'entry.S', line: 11, column: 1 })
  })

  it('knows nothing of addresses outside the table', () => {
    expect(map.locate(0xffffffff80200008n)).toBeUndefined()
    expect(map.locate(0x1000n)).toBeUndefined()
  })
})

describe('SourceMap.linkAddress', () => {
  it('maps a load address to its link address, and leaves link addresses alone', () => {
    const map = new SourceMap([], [{ vaddr: 0xffffffff80200000n, paddr: 0x80200000n, memsz: 0x1000n }])
    expect(map.linkAddress(0x80200010n)).toBe(0xffffffff80200010n)
    expect(map.linkAddress(0xffffffff80200010n)).toBe(0xffffffff80200010n)
    expect(map.linkAddress(0x90000000n)).toBe(0x90000000n)
  })
})
