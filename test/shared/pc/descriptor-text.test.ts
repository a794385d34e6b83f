import { describe, expect, it } from 'vitest'
import { gdtLines, idtLines, tssLines } from '../../../src/shared/pc/descriptor-text'

/** Little-endian bytes of 64-bit words. */
function bytes(...words: bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * 8)
  const view = new DataView(out.buffer)
  words.forEach((w, i) => view.setBigUint64(i * 8, w, true))
  return out
}

/** A 32-bit interrupt gate (type 0xE, present, DPL 0) to `offset` through selector 8. */
const gate32 = (offset: number) => BigInt(offset & 0xffff) | (8n << 16n) | (0x8en << 40n) | (BigInt(offset >>> 16) << 48n)

describe('x86 descriptor tables in words (the timeline lines)', () => {
  it('names the null descriptor, an all-zero entry and decoded segments by selector', () => {
    const lines = gdtLines(bytes(0n, 0x00cf9a000000ffffn, 0n, 0x00cff2000000ffffn), false)
    expect(lines.map((l) => l.name)).toEqual(['0x0', '0x8', '0x10', '0x18'])
    expect(lines[0].text).toBe('null descriptor')
    expect(lines[1].text).toBe('code 32-bit readable DPL0 base 0x0 limit 0xffffffff')
    expect(lines[2].text).toBe('empty')
    expect(lines[3].text).toMatch(/DPL3/)
  })

  it('joins identical consecutive IRQ gates into one line, keeps exception vectors apart, and names handlers', () => {
    const words: bigint[] = []
    for (let v = 0; v < 48; v++) words.push(v === 14 ? gate32(0x101000) : v >= 32 ? gate32(0x102000) : 0n)
    const symbol = (va: bigint) => (va === 0x101000n ? 'pf_handler' : null)
    expect(idtLines(bytes(...words), false, symbol)).toEqual([
      { name: 'vector 14 #PF (page fault)', text: 'interrupt gate → 0x101000 (pf_handler), selector 0x8, DPL0' },
      { name: 'vectors 32–47', text: 'interrupt gate → 0x102000, selector 0x8, DPL0' },
    ])
  })

  it('lists a 32-bit TSS’s ring stacks, CR3 and EIP without the zero fields, and says when there is no I/O bitmap', () => {
    const tss = new Uint8Array(104)
    const v = new DataView(tss.buffer)
    v.setUint32(4, 0xc0108000, true)
    v.setUint16(8, 0x10, true)
    v.setUint32(28, 0x1000, true)
    v.setUint16(102, 104, true)
    expect(tssLines(tss, false)).toEqual([
      { name: 'SS0:ESP0', text: '0x10:0xc0108000: stack loaded on a switch to ring 0' },
      { name: 'CR3', text: '0x1000: page directory loaded on a task switch' },
      { name: 'I/O map base', text: '0x68 (beyond the limit: no I/O permission bitmap)' },
    ])
  })

  it('lists a 64-bit TSS’s RSP and IST stacks, and nothing for a table shorter than a TSS', () => {
    const tss = new Uint8Array(104)
    const v = new DataView(tss.buffer)
    v.setBigUint64(4, 0x200000n, true)
    v.setBigUint64(36 + 8, 0x10a000n, true)
    expect(tssLines(tss, true).map((l) => `${l.name}: ${l.text}`)).toEqual([
      'RSP0: 0x200000: stack pointer loaded on a switch to ring 0',
      'IST2: 0x10a000: interrupt stack 2 (for gates with IST = 2)',
      'I/O map base: 0x0',
    ])
    expect(tssLines(tss.subarray(0, 100), true)).toEqual([])
  })
})
