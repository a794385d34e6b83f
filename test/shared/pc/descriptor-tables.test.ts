import { describe, expect, it } from 'vitest'
import { decodeGdt, decodeIdt, decodeTss } from '../../../src/shared/pc/descriptor-tables'

/** Little-endian bytes of 64-bit words. */
function bytes(...words: bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * 8)
  const view = new DataView(out.buffer)
  words.forEach((w, i) => view.setBigUint64(i * 8, w, true))
  return out
}

describe('x86 descriptor tables decoded', () => {
  it('decodes a flat 32-bit GDT: null, code and data with base 0, limit 4 GiB scaled by G, DPL and flags', () => {
    const gdt = decodeGdt(bytes(0n, 0x00cf9a000000ffffn, 0x00cf92000000ffffn, 0x00cff2000000ffffn), false)
    expect(gdt.map((d) => [d.selector, d.class, d.type, d.base, d.limit, d.dpl, d.flags.join(' ')])).toEqual([
      [0, 'null', 'null descriptor', '0x0', '0x0', 0, ''],
      [8, 'code', 'code 32-bit readable', '0x0', '0xffffffff', 0, 'D/B G'],
      [16, 'data', 'data writable', '0x0', '0xffffffff', 0, 'D/B G'],
      [24, 'data', 'data writable', '0x0', '0xffffffff', 3, 'D/B G'],
    ])
  })

  it('decodes a 64-bit code segment (L) and a 16-byte TSS descriptor whose base has 64 bits', () => {
    // TSS: base 0xffff800000105040, limit 0x67, type 0xB (busy), present.
    const lo = 0x67n | (0x5040n << 16n) | (0x10n << 32n) | (0x8bn << 40n) | (0x00n << 56n)
    const hi = 0xffff8000n
    const gdt = decodeGdt(bytes(0n, 0x00209a0000000000n, lo, hi), true)
    expect(gdt[1]).toMatchObject({ class: 'code', type: 'code 64-bit readable', flags: ['L'] })
    expect(gdt[2]).toMatchObject({ selector: 16, class: 'system', type: '64-bit TSS (busy)', base: '0xffff800000105040', limit: '0x67', wide: true, present: true })
    expect(gdt).toHaveLength(3)
  })

  it('decodes 64-bit IDT gates with their handler offset, selector, IST and vector name, skipping absent gates', () => {
    const gate = (offset: bigint, ist: bigint, access: bigint) => [
      (offset & 0xffffn) | (0x08n << 16n) | (ist << 32n) | (access << 40n) | (((offset >> 16n) & 0xffffn) << 48n),
      offset >> 32n,
    ]
    const idt = new Uint8Array(16 * 15)
    idt.set(bytes(...gate(0xffffffff80101234n, 1n, 0x8en)), 8 * 16)
    idt.set(bytes(...gate(0x101000n, 0n, 0x8fn)), 14 * 16)
    expect(decodeIdt(idt, true).map((g) => [g.vector, g.name, g.type, g.selector, g.offset, g.ist, g.dpl])).toEqual([
      [8, '#DF (double fault)', '64-bit interrupt gate', 8, '0xffffffff80101234', 1, 0],
      [14, '#PF (page fault)', '64-bit trap gate', 8, '0x101000', 0, 0],
    ])
  })

  it('decodes 32-bit interrupt gates', () => {
    const g = 0x0010_8e00_0008_5678n | (0x0010n << 48n)
    expect(decodeIdt(bytes(0n, 0n, 0n, g), false)).toEqual([expect.objectContaining({ vector: 3, type: 'interrupt gate', offset: '0x105678', selector: 8, ist: 0 })])
  })

  it('reads RSP0–2 and IST1–7 of a 64-bit TSS, ESP0/SS0 of a 32-bit one', () => {
    const tss = new Uint8Array(104)
    const v = new DataView(tss.buffer)
    v.setBigUint64(4, 0x200000n, true)
    v.setBigUint64(36, 0x10a000n, true)
    v.setUint16(102, 104, true)
    const t64 = decodeTss(tss, true)
    expect(t64.stacks.map((s) => s.name)).toEqual(['RSP0', 'RSP1', 'RSP2', 'IST1', 'IST2', 'IST3', 'IST4', 'IST5', 'IST6', 'IST7'])
    expect(t64.stacks.find((s) => s.name === 'IST1')!.value).toBe('0x10a000')
    expect(t64).toMatchObject({ format: '64-bit', iomapBase: 104 })
    const t32 = new Uint8Array(104)
    new DataView(t32.buffer).setUint32(4, 0xc0108000, true)
    new DataView(t32.buffer).setUint16(8, 0x10, true)
    expect(decodeTss(t32, false).stacks.slice(0, 2)).toEqual([
      { name: 'ESP0', value: '0xc0108000' },
      { name: 'SS0', value: '0x10' },
    ])
  })
})
