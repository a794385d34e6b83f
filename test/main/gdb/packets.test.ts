import { describe, expect, it } from 'vitest'
import { framePacket, PacketReader, regHex } from '../../../src/main/gdb/packets'

describe('GDB remote packets', () => {
  it('frames a reply with its checksum and escapes the reserved characters', () => {
    expect(framePacket('OK').toString('latin1')).toBe('$OK#9a')
    // '}' '#' '$' '*' travel as '}' then the byte XOR 0x20.
    expect(framePacket('a}#$*').toString('latin1')).toBe(`$a}]}\x03}\x04}\x0a#${((0x61 + 0x7d * 4 + 0x5d + 0x03 + 0x04 + 0x0a) & 0xff).toString(16)}`)
  })

  it('reads packets split across chunks, acks, a Ctrl-C, and refuses a bad checksum', () => {
    const r = new PacketReader()
    expect(r.push(Buffer.from('+$qSupp'))).toEqual([{ kind: 'ack' }])
    expect(r.push(Buffer.from('orted#3'))).toEqual([])
    expect(r.push(Buffer.from('7\x03$g#00'))).toEqual([{ kind: 'packet', data: 'qSupported' }, { kind: 'interrupt' }, { kind: 'bad-checksum' }])
  })

  it('unescapes what it frames (binary data round trip)', () => {
    const data = 'X80200000,4:}#$*\x00\xff'
    expect(new PacketReader().push(framePacket(data))).toEqual([{ kind: 'packet', data }])
  })

  it('writes register values little-endian, truncated to their width', () => {
    expect(regHex(0x80200000n, 8)).toBe('0000208000000000')
    expect(regHex(-1n, 4)).toBe('ffffffff')
  })
})
