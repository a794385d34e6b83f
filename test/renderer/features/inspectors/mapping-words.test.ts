import { describe, expect, it } from 'vitest'
import { explainMapping, mappingsGone } from '../../../../src/renderer/src/features/inspectors/mapping-words'

const GiB = '0x40000000'
const identity = { va: '0x80000000', pa: '0x80000000', size: GiB, perms: 'RWXAD', pageSize: '1 GiB' }
const high = { va: '0xffffffff80000000', pa: '0x80000000', size: GiB, perms: 'RWXAD', pageSize: '1 GiB' }
const ctx = {
  pc: '0x80200020',
  tables: ['0x80202000'],
  segments: [{ vaddr: '0xffffffff80200000', paddr: '0x80200000', memsz: '0x2000' }],
}

describe('mappings in words', () => {
  it('says why the identity mapping is there while the PC is still physical', () => {
    const e = explainMapping(identity, ctx)
    expect(e.role).toBe('identity')
    expect(e.text).toBe(
      'identity mapping (VA = PA) of 0x80000000–0xbfffffff — needed because the PC is still physical: the instruction after the satp write is fetched through this table at its old address',
    )
    expect(explainMapping(identity, { ...ctx, pc: '0xffffffff80200036' }).text).toContain('can drop it once it runs at its higher-half addresses')
  })

  it('names the higher-half mapping of the kernel from its segments', () => {
    const e = explainMapping(high, ctx)
    expect(e.role).toBe('higher-half kernel')
    expect(e.text).toBe('higher-half mapping of the kernel: its link addresses 0xffffffff80000000–0xffffffffbfffffff → where it was loaded, 0x80000000')
  })

  it('names a direct map of physical memory and a recursive entry', () => {
    const direct = { va: '0xffffffc080000000', pa: '0x80000000', size: '0x8000000', perms: 'RWAD', pageSize: '2 MiB' }
    expect(explainMapping(direct, ctx)).toMatchObject({ role: 'direct map', text: expect.stringContaining('VA = PA + 0xffffffc000000000') })
    const self = { va: '0xfffffffffffff000', pa: '0x80202000', size: '0x1000', perms: 'RWAD', pageSize: '4 KiB' }
    expect(explainMapping(self, ctx).role).toBe('recursive')
  })

  it('says when the identity mapping is gone', () => {
    expect(mappingsGone([identity, high], [high])).toEqual(['the identity mapping of 0x80000000–0xbfffffff is gone: the kernel no longer needs its physical addresses'])
    expect(mappingsGone([identity, high], [identity, high])).toEqual([])
  })

  it('names the x86-64 recursive P4 entry with the addresses it makes meaningful, never a direct map', () => {
    const rec = { va: '0xffffff8000000000', pa: '0x10b000', size: '0x8000000000', perms: 'RWXA', pageSize: 'recursive', note: 'recursive: PML4[511] points at the PML4 at 0x10b000 itself' }
    const e = explainMapping(rec, { ...ctx, mode: '4-level' })
    expect(e.role).toBe('recursive')
    expect(e.text).toBe(
      'recursive mapping: P4 (PML4) entry 511 points at the P4 (PML4) itself, so the page tables are pages in 0xffffff8000000000–0xffffffffffffffff — ' +
        'the P4 (PML4) at 0xfffffffffffff000, each P3 (PDPT) from 0xffffffffffe00000, each P2 (PD) from 0xffffffffc0000000, each P1 (PT) from 0xffffff8000000000 (4 KiB apart, in index order)',
    )
  })

  it('names a 32-bit recursive page directory: the PD at 0xFFFFF000, the page tables from 0xFFC00000', () => {
    const rec = { va: '0xffc00000', pa: '0x104000', size: '0x400000', perms: 'RW', pageSize: 'recursive' }
    expect(explainMapping(rec, { ...ctx, mode: '32-bit' }).text).toBe(
      'recursive mapping: PD entry 1023 points at the PD itself, so the page tables are pages in 0xffc00000–0xffffffff — the PD at 0xfffff000, each PT from 0xffc00000 (4 KiB apart, in index order)',
    )
  })

  it('says a 2 MiB identity range was split into 4 KiB pages with new permissions and a guard page, not that it is gone', () => {
    const before = [{ va: '0x0', pa: '0x0', size: '0x400000', perms: 'RWA', pageSize: '2 MiB' }]
    const now = [
      { va: '0x100000', pa: '0x100000', size: '0x3000', perms: 'R', pageSize: '4 KiB' },
      { va: '0x104000', pa: '0x104000', size: '0x2000', perms: 'RW', pageSize: '4 KiB' },
    ]
    expect(mappingsGone(before, now)).toEqual([
      '0x0–0xfffff is no longer mapped (it was identity-mapped)',
      '0x103000–0x103fff is no longer mapped (it was identity-mapped): a 4 KiB hole, as a guard page leaves',
      '0x106000–0x3fffff is no longer mapped (it was identity-mapped)',
      'the identity mapping of 0x0–0x3fffff was remapped to the same frames: split from 2 MiB into 4 KiB pages; permissions RWA → R, RW',
    ])
  })

  it('says when a VA now reaches other frames, and nothing when ranges are only merged differently', () => {
    const before = [{ va: '0xc0000000', pa: '0x100000', size: '0x2000', perms: 'RW', pageSize: '4 KiB' }]
    expect(mappingsGone(before, [{ va: '0xc0000000', pa: '0x200000', size: '0x2000', perms: 'RW', pageSize: '4 KiB' }])).toEqual([
      '0xc0000000–0xc0001fff now maps to 0x200000 instead of 0x100000',
    ])
    const split = [
      { va: '0xc0000000', pa: '0x100000', size: '0x1000', perms: 'RW', pageSize: '4 KiB' },
      { va: '0xc0001000', pa: '0x101000', size: '0x1000', perms: 'RW', pageSize: '4 KiB' },
    ]
    expect(mappingsGone(before, split)).toEqual([])
  })
})
