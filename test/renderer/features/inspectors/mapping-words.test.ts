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
})
