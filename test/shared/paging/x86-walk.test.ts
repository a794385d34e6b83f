import { describe, expect, it } from 'vitest'
import { ramReader } from '../../../src/shared/paging/page-walk'
import { decodeCr3, pagingMode, type X86PagingRegisters } from '../../../src/shared/paging/x86/formats'
import { readTablePageX86, translateX86, walkTableX86 } from '../../../src/shared/paging/x86/walk'
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PCIDE, CR4_PSE, EFER_LMA, EFER_LME, EFER_NXE } from '../../../src/shared/isa/x86/register-fields'
import { PF_ERROR } from '../../../src/shared/isa/x86/exceptions'

/** 4 MiB of physical memory from 0 with 32- and 64-bit little-endian writers. */
function memory() {
  const bytes = new Uint8Array(4 << 20)
  const view = new DataView(bytes.buffer)
  return {
    mem: ramReader(bytes, 0n),
    put32: (pa: bigint, v: bigint) => view.setUint32(Number(pa), Number(v), true),
    put64: (pa: bigint, v: bigint) => view.setBigUint64(Number(pa), v, true),
  }
}

const P = 1n
const RW = 2n
const US = 4n
const PS = 0x80n
const XD = 1n << 63n
const PG = CR0_PE | CR0_PG

const regs32 = (cr3: bigint, pse = true): X86PagingRegisters => ({ cr0: PG | CR0_WP, cr3, cr4: pse ? CR4_PSE : 0n, efer: 0n })
const regsPae = (cr3: bigint): X86PagingRegisters => ({ cr0: PG | CR0_WP, cr3, cr4: CR4_PAE, efer: 0n })
const regsLong = (cr3: bigint, nxe = true): X86PagingRegisters => ({ cr0: PG | CR0_WP, cr3, cr4: CR4_PAE, efer: EFER_LME | EFER_LMA | (nxe ? EFER_NXE : 0n) })

describe('x86 paging modes', () => {
  it('picks the mode from CR0.PG, CR4.PAE and EFER.LMA as SDM Table 4-1 says', () => {
    expect(pagingMode({ cr0: CR0_PE, cr3: 0n, cr4: CR4_PAE, efer: EFER_LME })).toBe('Bare')
    expect(pagingMode(regs32(0n))).toBe('32-bit')
    expect(pagingMode(regsPae(0n))).toBe('PAE')
    expect(pagingMode(regsLong(0n))).toBe('4-level')
  })

  it('decodes CR3 with its PCID only when CR4.PCIDE is set', () => {
    expect(decodeCr3(regsLong(0x1000n | 5n))).toEqual({ mode: '4-level', asid: 0, root: '0x1000', raw: '0x1005' })
    expect(decodeCr3({ ...regsLong(0x1000n | 5n), cr4: CR4_PAE | CR4_PCIDE }).asid).toBe(5)
    expect(decodeCr3(regsPae(0x2020n)).root).toBe('0x2020')
  })
})

describe('32-bit paging', () => {
  /** Seed 000: a higher-half kernel at 0xC0100000 loaded at 1 MiB, PDE 0 (identity) and PDE 768 → 4 MiB at 0. */
  function seed000(withIdentity = true) {
    const m = memory()
    const pd = 0x10_0000n
    if (withIdentity) m.put32(pd + 0n * 4n, 0n | PS | RW | P)
    m.put32(pd + 768n * 4n, 0n | PS | RW | P)
    return { ...m, pd }
  }

  it('translates the higher half through PDE 768 (a 4 MiB page) with CR4.PSE', () => {
    const { mem, pd } = seed000()
    const t = translateX86(mem, regs32(pd), 0xc010_0123n, { access: 'fetch' })
    expect(t).toMatchObject({ ok: true, pa: '0x100123', pageSize: '4 MiB', mode: '32-bit' })
    expect(t.steps).toEqual([{ level: 1, vpn: 768, pteAddr: '0x100c00', pte: '0x83', kind: 'leaf', flags: 'P R/W PS', table: 'PD' }])
  })

  it('walks identity + higher half into two 4 MiB ranges', () => {
    const { mem, pd } = seed000()
    const w = walkTableX86(mem, regs32(pd))
    expect(w.mappings).toEqual([
      { va: '0x0', pa: '0x0', size: '0x400000', perms: 'RWX', pageSize: '4 MiB' },
      { va: '0xc0000000', pa: '0x0', size: '0x400000', perms: 'RWX', pageSize: '4 MiB' },
    ])
  })

  it('says why the low address faults once the identity mapping is removed', () => {
    const { mem, pd } = seed000(false)
    const t = translateX86(mem, regs32(pd), 0x10_0020n, { access: 'fetch' })
    expect(t.ok).toBe(false)
    if (!t.ok) {
      expect(t.cause).toBe(14)
      expect(t.errorCode).toBe(0) // not present, read (fetch: I is only reported with NXE/SMEP), supervisor
      expect(t.reason).toBe('PD[0] at 0x100000 is not present (P = 0): nothing is mapped there')
    }
  })

  it('follows a PDE to a page table of 4 KiB pages; without CR4.PSE the PS bit is ignored', () => {
    const m = memory()
    const pd = 0x1000n
    const pt = 0x2000n
    m.put32(pd + 1n * 4n, pt | PS | RW | P) // PS set, but CR4.PSE = 0: a pointer
    m.put32(pt + 5n * 4n, 0x33_3000n | US | P)
    const t = translateX86(m.mem, regs32(pd, false), 0x0040_5abcn)
    expect(t).toMatchObject({ ok: true, pa: '0x333abc', pageSize: '4 KiB', flags: 'RX' })
    expect(t.steps.map((s) => [s.table, s.vpn, s.kind])).toEqual([['PD', 1, 'pointer'], ['PT', 5, 'leaf']])
  })

  it('reads 4-byte entries at odd word positions', () => {
    const m = memory()
    m.put32(0x1000n + 3n * 4n, 0x40_0000n | PS | RW | P)
    expect(translateX86(m.mem, regs32(0x1000n), 0x00c0_0001n)).toMatchObject({ ok: true, pa: '0x400001' })
  })
})

describe('PAE paging', () => {
  it('walks PDPT → PD → PT and maps 2 MiB pages', () => {
    const m = memory()
    const pdpt = 0x1000n
    const pd = 0x2000n
    const pt = 0x3000n
    m.put64(pdpt + 3n * 8n, pd | P) // PDPTE 3: 0xC0000000–0xFFFFFFFF
    m.put64(pd + 0n * 8n, 0x20_0000n | PS | RW | P) // 2 MiB at 0xC0000000
    m.put64(pd + 1n * 8n, pt | RW | P)
    m.put64(pt + 2n * 8n, 0x5000n | RW | P)
    const big = translateX86(m.mem, regsPae(pdpt), 0xc001_2345n)
    expect(big).toMatchObject({ ok: true, pa: '0x212345', pageSize: '2 MiB' })
    expect(big.steps.map((s) => s.table)).toEqual(['PDPT', 'PD'])
    expect(translateX86(m.mem, regsPae(pdpt), 0xc020_2008n)).toMatchObject({ ok: true, pa: '0x5008', pageSize: '4 KiB' })
    const w = walkTableX86(m.mem, regsPae(pdpt))
    expect(w.mappings.map((r) => [r.va, r.pa, r.size, r.pageSize])).toEqual([
      ['0xc0000000', '0x200000', '0x200000', '2 MiB'],
      ['0xc0202000', '0x5000', '0x1000', '4 KiB'],
    ])
    expect(w.tables.map((t) => [t.pa, t.level])).toEqual([[0x1000n, 2], [0x2000n, 1], [0x3000n, 0]])
  })

  it('recognises the PAE recursive mapping: PD 3 entries 508–511 pointing at the four page directories', () => {
    const m = memory()
    const pdpt = 0x1000n
    const pds = [0x2000n, 0x3000n, 0x4000n, 0x5000n]
    const pt = 0x6000n
    pds.forEach((pd, i) => m.put64(pdpt + BigInt(i) * 8n, pd | P))
    m.put64(pds[3] + 0n * 8n, pt | RW | P) // 0xC0000000: a page table
    m.put64(pt, 0x10_0000n | RW | P) // 0xC0000000 → 1 MiB
    pds.forEach((pd, k) => m.put64(pds[3] + BigInt(508 + k) * 8n, pd | RW | P))
    // Through the recursion, PD 3's page table for 0xC0000000 is the page at 0xFF800000 + (3·512 + 0)·4 KiB …
    expect(translateX86(m.mem, regsPae(pdpt), 0xffe0_0000n)).toMatchObject({ ok: true, pa: '0x6000' })
    // … and page directory 3 itself is at 0xFFFFF000 (PD 3 entry 511 → PD 3 read as a page table, its entry 511 → PD 3).
    expect(translateX86(m.mem, regsPae(pdpt), 0xffff_f000n)).toMatchObject({ ok: true, pa: '0x5000' })
    const w = walkTableX86(m.mem, regsPae(pdpt))
    const recursive = w.mappings.filter((r) => r.pageSize === 'recursive')
    expect(recursive.map((r) => [r.va, r.pa, r.size])).toEqual([
      ['0xff800000', '0x2000', '0x200000'],
      ['0xffa00000', '0x3000', '0x200000'],
      ['0xffc00000', '0x4000', '0x200000'],
      ['0xffe00000', '0x5000', '0x200000'],
    ])
    expect(recursive[3].note).toBe(
      'recursive: this PD entry points at page directory 3 (PDPT entry 3), so the page tables of 0xc0000000–0xffffffff appear as pages at 0xffe00000–0xffffffff, one 4 KiB page per 2 MiB',
    )
    expect(w.mappings.filter((r) => r.pageSize !== 'recursive').map((r) => [r.va, r.pa])).toEqual([['0xc0000000', '0x100000']])
    const entries = readTablePageX86(m.mem, regsPae(pdpt), pds[3], 1, 0xc000_0000n)
    expect(entries.map((e) => [e.index, e.recursive ?? false])).toEqual([[0, false], [508, true], [509, true], [510, true], [511, true]])
    expect(entries[1].recursiveNote).toMatch(/^this PD entry points at page directory 0 \(PDPT entry 0\), so the page tables of 0x0–0x3fffffff appear as pages at 0xff800000–0xff9fffff/)
  })

  it('treats R/W in a PAE PDPTE as reserved', () => {
    const m = memory()
    m.put64(0x1000n, 0x2000n | RW | P)
    const t = translateX86(m.mem, regsPae(0x1000n), 0x1000n)
    expect(t).toMatchObject({ ok: false, errorCode: PF_ERROR.P | PF_ERROR.RSVD })
  })
})

describe('4-level paging', () => {
  /** Seed 002: identity-mapped first GiB with 2 MiB pages, and PML4[511] → the PML4 itself. */
  function seed002() {
    const m = memory()
    const p4 = 0x10_0000n
    const p3 = 0x10_1000n
    const p2 = 0x10_2000n
    m.put64(p4, p3 | RW | P)
    m.put64(p4 + 511n * 8n, p4 | RW | P)
    m.put64(p3, p2 | RW | P)
    for (let i = 0n; i < 512n; i++) m.put64(p2 + i * 8n, (i << 21n) | PS | RW | P)
    return { ...m, p4, p3, p2 }
  }

  it('translates through 2 MiB pages', () => {
    const { mem, p4 } = seed002()
    const t = translateX86(mem, regsLong(p4), 0x0060_1234n, { access: 'store' })
    expect(t).toMatchObject({ ok: true, pa: '0x601234', pageSize: '2 MiB', flags: 'RWX' })
    expect(t.steps.map((s) => `${s.table}[${s.vpn}]`)).toEqual(['PML4[0]', 'PDPT[0]', 'PD[3]'])
  })

  it('reaches the PML4 itself at 0xFFFFFFFFFFFFF000 through the recursive entry', () => {
    const { mem, p4, p2 } = seed002()
    expect(translateX86(mem, regsLong(p4), 0xffff_ffff_ffff_f000n)).toMatchObject({ ok: true, pa: '0x100000', pageSize: '4 KiB' })
    // The level-2 table (PD) of VA x is at 0xFFFFFFFFC0000000 + ((x >> 18) & 0x3FFFF000) (three recursions).
    const x = 0x0060_0000n
    const pdVa = 0xffff_ffff_c000_0000n + ((x >> 18n) & 0x3fff_f000n)
    expect(translateX86(mem, regsLong(p4), pdVa)).toMatchObject({ ok: true, pa: `0x${p2.toString(16)}` })
  })

  it('names the recursive entry in the whole-table walk instead of expanding it', () => {
    const { mem, p4 } = seed002()
    const w = walkTableX86(mem, regsLong(p4))
    expect(w.mappings[0]).toEqual({ va: '0x0', pa: '0x0', size: '0x40000000', perms: 'RWX', pageSize: '2 MiB' })
    expect(w.mappings[1]).toMatchObject({ va: '0xffffff8000000000', pa: '0x100000', size: '0x8000000000', pageSize: 'recursive' })
    expect(w.mappings[1].note).toMatch(/PML4\[511\] points at the PML4 at 0x100000 itself/)
    expect(readTablePageX86(mem, regsLong(p4), p4, 3, 0n).find((e) => e.index === 511)).toMatchObject({ kind: 'pointer', recursive: true, va: '0xffffff8000000000' })
  })

  it('maps 1 GiB pages at the PDPT', () => {
    const m = memory()
    m.put64(0x1000n, 0x2000n | RW | P)
    m.put64(0x2000n + 3n * 8n, 0x4000_0000n | PS | RW | P)
    expect(translateX86(m.mem, regsLong(0x1000n), 0xc000_0010n)).toMatchObject({ ok: true, pa: '0x40000010', pageSize: '1 GiB' })
  })

  it('rejects a 2 MiB page whose frame is not 2 MiB-aligned as a reserved-bit fault', () => {
    const m = memory()
    m.put64(0x1000n, 0x2000n | P)
    m.put64(0x2000n, 0x3000n | P)
    m.put64(0x3000n, 0x20_2000n | PS | P) // bit 12 would be PAT; bit 13 is reserved
    const t = translateX86(m.mem, regsLong(0x1000n), 0x10n)
    expect(t).toMatchObject({ ok: false, cause: 14, errorCode: PF_ERROR.P | PF_ERROR.RSVD })
    if (!t.ok) expect(t.reason).toMatch(/not 2 MiB-aligned/)
  })

  it('combines R/W, U/S and XD over every level and builds the #PF error code', () => {
    const m = memory()
    m.put64(0x1000n, 0x2000n | US | P) // PML4E read-only, user
    m.put64(0x2000n, 0x3000n | RW | US | P)
    m.put64(0x3000n, 0x4000n | RW | US | P)
    m.put64(0x4000n, 0x9000n | RW | US | P | XD) // PTE writable but not executable
    const r = regsLong(0x1000n)
    expect(translateX86(m.mem, r, 0x10n, { access: 'load', cpl: 3 })).toMatchObject({ ok: true, flags: 'RU' })
    const w = translateX86(m.mem, r, 0x10n, { access: 'store', cpl: 3 })
    expect(w).toMatchObject({ ok: false, errorCode: PF_ERROR.P | PF_ERROR.W | PF_ERROR.U })
    const f = translateX86(m.mem, r, 0x10n, { access: 'fetch', cpl: 0 })
    expect(f).toMatchObject({ ok: false, errorCode: PF_ERROR.P | PF_ERROR.I })
    // CR0.WP = 0: the supervisor may write a read-only page.
    expect(translateX86(m.mem, { ...r, cr0: PG }, 0x10n, { access: 'store', cpl: 0 })).toMatchObject({ ok: true })
    // Without NXE, bit 63 is reserved.
    expect(translateX86(m.mem, regsLong(0x1000n, false), 0x10n)).toMatchObject({ ok: false, errorCode: PF_ERROR.P | PF_ERROR.RSVD })
  })

  it('raises #GP, not #PF, for a non-canonical address', () => {
    const m = memory()
    const t = translateX86(m.mem, regsLong(0x1000n), 0x0000_8000_0000_0000n)
    expect(t).toMatchObject({ ok: false, cause: 13 })
  })

  it('reports a supervisor write to a missing page with W set and P clear', () => {
    const m = memory()
    expect(translateX86(m.mem, regsLong(0x1000n), 0x5000n, { access: 'store' })).toMatchObject({ ok: false, errorCode: PF_ERROR.W })
  })
})
