import { describe, expect, it } from 'vitest'
import { formatSize, inRange, parseAddress } from '../../../../src/renderer/src/features/inspectors/addresses'

describe('inspector addresses', () => {
  it('normalises typed hex addresses for the API', () => {
    expect(parseAddress('0xFFFFFFFF80200000')).toBe('0xffffffff80200000')
    expect(parseAddress('  ffff_ffff_8020_0000 ')).toBe('0xffffffff80200000')
    expect(parseAddress('0x0000000080200000')).toBe('0x80200000')
  })

  it('rejects what is not a 64-bit hex number', () => {
    expect(parseAddress('')).toBeUndefined()
    expect(parseAddress('0x')).toBeUndefined()
    expect(parseAddress('kernel_start')).toBeUndefined()
    expect(parseAddress('0x1_0000_0000_0000_0000')).toBeUndefined()
  })

  it('names sizes in the largest unit that divides them', () => {
    expect(formatSize('0x40000000')).toBe('1 GiB')
    expect(formatSize('0x200000')).toBe('2 MiB')
    expect(formatSize('0x3000')).toBe('12 KiB')
    expect(formatSize('0x1234')).toBe('4660 B')
  })

  it('tells whether a range holds an address, end exclusive', () => {
    expect(inRange('0xffffffff80200036', '0xffffffff80000000', '0x40000000')).toBe(true)
    expect(inRange('0xffffffffc0000000', '0xffffffff80000000', '0x40000000')).toBe(false)
    expect(inRange('0x7fffffff', '0x80000000', '0x40000000')).toBe(false)
  })
})
