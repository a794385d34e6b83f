import { describe, expect, it } from 'vitest'
import { decodeSatp, ramReader, translate, walkTable } from '../../../src/shared/paging/page-walk'

const RAM_BASE = 0x8000_0000n
const SV39 = 8n << 60n
const SV48 = 9n << 60n

function ram(): { bytes: Uint8Array; put: (pa: bigint, v: bigint) => void } {
  const bytes = new Uint8Array(1 << 20)
  const view = new DataView(bytes.buffer)
  return { bytes, put: (pa, v) => view.setBigUint64(Number(pa - RAM_BASE), v, true) }
}

/** The seed 004 boot page table at PA 0x80002000: entries 2 and 510, 1 GiB leaves, VRWXAD. */
function seedTable() {
  const m = ram()
  const root = 0x8000_2000n
  m.put(root + 2n * 8n, (0x80000n << 10n) | 0xcfn)
  m.put(root + 510n * 8n, (0x80000n << 10n) | 0xcfn)
  return { mem: ramReader(m.bytes, RAM_BASE), satp: SV39 | (root >> 12n), m, root }
}

describe('page walks', () => {
  it('decodes satp fields', () => {
    expect(decodeSatp(0x8000000000080202n)).toEqual({ mode: 'Sv39', asid: 0, root: '0x80202000', raw: '0x8000000000080202' })
    expect(decodeSatp(0n).mode).toBe('Bare')
    expect(decodeSatp((9n << 60n) | (5n << 44n) | 0x123n)).toMatchObject({ mode: 'Sv48', asid: 5, root: '0x123000' })
  })

  it("walks the seed kernel's table into the two 1 GiB mappings", () => {
    const { mem, satp } = seedTable()
    const w = walkTable(mem, satp)
    expect(w.mappings).toEqual([
      { va: '0x80000000', pa: '0x80000000', size: '0x40000000', perms: 'RWXAD', pageSize: '1 GiB' },
      { va: '0xffffffff80000000', pa: '0x80000000', size: '0x40000000', perms: 'RWXAD', pageSize: '1 GiB' },
    ])
    expect(w.tablePages).toEqual([0x8000_2000n])
  })

  it('translates the higher half through the 1 GiB leaf', () => {
    const { mem, satp } = seedTable()
    const t = translate(mem, satp, 0xffff_ffff_8020_0000n, { access: 'fetch' })
    expect(t.ok).toBe(true)
    if (t.ok) {
      expect(t.pa).toBe('0x80200000')
      expect(t.pageSize).toBe('1 GiB')
      expect(t.steps).toHaveLength(1)
      expect(t.steps[0]).toMatchObject({ level: 2, vpn: 510, kind: 'leaf', pteAddr: '0x80002ff0' })
    }
  })

  it('explains the fault when the identity mapping is missing', () => {
    const { mem, satp, m, root } = seedTable()
    m.put(root + 2n * 8n, 0n)
    const t = translate(mem, satp, 0x8020_0020n, { access: 'fetch' })
    expect(t.ok).toBe(false)
    if (!t.ok) {
      expect(t.cause).toBe(12)
      expect(t.reason).toMatch(/level-2 PTE \(index 2 at 0x80002010\) is not valid/)
    }
  })

  it('rejects a misaligned superpage and a non-canonical address', () => {
    const { mem, satp, m, root } = seedTable()
    m.put(root + 3n * 8n, (0x80001n << 10n) | 0xcfn)
    const t = translate(mem, satp, 0xc000_0000n)
    expect(!t.ok && t.reason).toMatch(/misaligned superpage/)
    const n = translate(mem, satp, 0x0000_0080_0000_0000n)
    expect(!n.ok && n.reason).toMatch(/not canonical/)
    expect(walkTable(mem, satp).mappings).toHaveLength(2)
  })

  it('walks three levels of 4 KiB pages in Sv48, merges contiguous pages, and checks permissions', () => {
    const m = ram()
    const [l3, l2, l1, l0] = [0x8001_0000n, 0x8001_1000n, 0x8001_2000n, 0x8001_3000n]
    m.put(l3 + 0n, ((l2 >> 12n) << 10n) | 1n)
    m.put(l2 + 2n * 8n, ((l1 >> 12n) << 10n) | 1n)
    m.put(l1 + 1n * 8n, ((l0 >> 12n) << 10n) | 1n)
    // VA 0x80200000.. : 3 pages R+X then 1 page R+W
    for (let i = 0n; i < 3n; i++) m.put(l0 + i * 8n, (((0x8020_0000n >> 12n) + i) << 10n) | 0x4bn) // V R X A
    m.put(l0 + 3n * 8n, (((0x8020_3000n >> 12n)) << 10n) | 0xc7n) // V R W A D
    const mem = ramReader(m.bytes, RAM_BASE)
    const satp = SV48 | (l3 >> 12n)
    expect(walkTable(mem, satp).mappings).toEqual([
      { va: '0x80200000', pa: '0x80200000', size: '0x3000', perms: 'RXA', pageSize: '4 KiB' },
      { va: '0x80203000', pa: '0x80203000', size: '0x1000', perms: 'RWAD', pageSize: '4 KiB' },
    ])
    const store = translate(mem, satp, 0x8020_1008n, { access: 'store' })
    expect(!store.ok && store.cause).toBe(15)
    expect(!store.ok && store.reason).toMatch(/not writable/)
    const ok = translate(mem, satp, 0x8020_3010n, { access: 'store' })
    expect(ok.ok && ok.pa).toBe('0x80203010')
    expect(ok.ok && ok.steps.map((s) => s.kind)).toEqual(['pointer', 'pointer', 'pointer', 'leaf'])
    const user = translate(mem, satp, 0x8020_0000n, { access: 'load', priv: 0 })
    expect(!user.ok && user.reason).toMatch(/U-mode/)
  })
})

describe('readTablePage', () => {
  it('decodes the valid entries of a root table with the VA each maps', async () => {
    const { readTablePage } = await import('../../../src/shared/paging/page-walk')
    const ram = new Uint8Array(0x3000)
    const dv = new DataView(ram.buffer)
    const base = 0x8000_0000n
    // Root at +0x1000: entry 2 an identity 1 GiB leaf, entry 510 a pointer to +0x2000.
    dv.setBigUint64(0x1000 + 2 * 8, (0x80000n << 10n) | 0xcfn, true)
    dv.setBigUint64(0x1000 + 510 * 8, (((base + 0x2000n) >> 12n) << 10n) | 1n, true)
    const satp = (8n << 60n) | ((base + 0x1000n) >> 12n)
    const entries = readTablePage(ramReader(ram, base), satp, base + 0x1000n, 2, 0n)
    expect(entries).toEqual([
      { index: 2, pte: '0x200000cf', kind: 'leaf', flags: 'RWXAD', va: '0x80000000', pa: '0x80000000', pageSize: '1 GiB' },
      { index: 510, pte: '0x20000801', kind: 'pointer', flags: '', va: '0xffffffff80000000', pa: '0x80002000', pageSize: null },
    ])
  })
})
