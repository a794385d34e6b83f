import { describe, expect, it } from 'vitest'
import { formatAddress, hexDump } from '../../../../src/renderer/src/features/inspectors/hex-dump'

describe('hex dump', () => {
  it('lays bytes out in rows with addresses and printable ASCII', () => {
    const text = Buffer.from('Hello, world!\r\n\0ABC').toString('hex')
    const rows = hexDump({ address: '0xffffffff80201000', bytes: text })
    expect(rows.map((r) => r.address)).toEqual(['0xffffffff80201000', '0xffffffff80201010'])
    expect(rows[0].bytes).toHaveLength(16)
    expect(rows[0].bytes[0]).toEqual({ hex: '48', changed: false })
    expect(rows[0].ascii).toBe('Hello, world!...')
    expect(rows[1].ascii).toBe('ABC')
  })

  it('uses the row width asked for and pads 32-bit addresses to 8 digits', () => {
    const rows = hexDump({ address: '0x80', bytes: '00'.repeat(20) }, undefined, 8)
    expect(rows.map((r) => r.bytes.length)).toEqual([8, 8, 4])
    expect(rows[2].address).toBe('0x00000090')
    expect(formatAddress(0x1_0000_0000n)).toBe('0x0000000100000000')
  })

  it('marks the bytes that differ from the previous dump at the same address', () => {
    const before = { address: '0x80202000', bytes: '00112233' }
    const after = { address: '0x80202000', bytes: '00ff2233' }
    expect(hexDump(after, before)[0].bytes.map((b) => b.changed)).toEqual([false, true, false, false])
  })

  it('compares by address when the previous dump started elsewhere, and marks nothing it did not cover', () => {
    const before = { address: '0x80202002', bytes: 'AAbb' }
    const after = { address: '0x80202000', bytes: '0000aaccdd' }
    expect(hexDump(after, before)[0].bytes.map((b) => b.changed)).toEqual([false, false, false, true, false])
  })
})
