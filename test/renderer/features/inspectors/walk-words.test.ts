import { describe, expect, it } from 'vitest'
import { stepTable, stepWords } from '../../../../src/renderer/src/features/inspectors/walk-words'
import type { WalkStep } from '../../../../src/shared/paging/page-walk'

const step = (s: Partial<WalkStep>): WalkStep => ({ level: 0, vpn: 0, pteAddr: '0x0', pte: '0x0', kind: 'invalid', flags: '', ...s })

describe('a translation level by level, in words', () => {
  it('names a not-present x86-64 entry as "P2 (PD) entry 3 not present"', () => {
    const s = step({ level: 1, vpn: 3, pteAddr: '0x10d018', pte: '0x0', kind: 'invalid', table: 'PD' })
    expect(stepTable(s, '4-level')).toBe('P2 (PD)')
    expect(stepWords(s, '4-level')).toBe('P2 (PD) entry 3 not present (P = 0)')
  })

  it('says the recursive P4 entry points back at the P4 itself, and where an ordinary pointer leads', () => {
    expect(stepWords(step({ level: 3, vpn: 511, pteAddr: '0x10bff8', pte: '0x10b003', kind: 'pointer' }), '4-level')).toBe(
      'P4 (PML4) entry 511 points back at the P4 (PML4) itself (the recursive entry): the walk reads it again one level down',
    )
    expect(stepWords(step({ level: 3, vpn: 0, pteAddr: '0x10b000', pte: '0x10c003', kind: 'pointer' }), '4-level')).toBe('P4 (PML4) entry 0 points at the P3 (PDPT) at 0x10c000')
    expect(stepWords(step({ level: 2, vpn: 511, pteAddr: '0x10bff8', pte: '0x10b003', kind: 'pointer' }), '4-level', '0x10b000')).toBe(
      'P3 (PDPT) entry 511: this P3 (PDPT) is the P4 (PML4) page again, so its entry 511 is the recursive entry once more',
    )
  })

  it('names 32-bit tables as the SDM does, with their page sizes', () => {
    expect(stepWords(step({ level: 1, vpn: 768, pteAddr: '0x104c00', pte: '0x105003', kind: 'pointer' }), '32-bit')).toBe('PD entry 768 points at the PT at 0x105000')
    expect(stepWords(step({ level: 0, vpn: 256, pteAddr: '0x105400', pte: '0x100003', kind: 'leaf' }), '32-bit')).toBe('PT entry 256 maps a 4 KiB page')
    expect(stepWords(step({ level: 1, vpn: 0, pteAddr: '0x104000', pte: '0x83', kind: 'leaf' }), '32-bit')).toBe('PD entry 0 maps a 4 MiB page')
  })

  it('keeps RISC-V levels as L2…L0', () => {
    expect(stepWords(step({ level: 2, vpn: 2, kind: 'invalid' }), 'Sv39')).toBe('L2 entry 2 is not valid (V = 0)')
    expect(stepWords(step({ level: 2, vpn: 2, kind: 'pointer' }), 'Sv39')).toBe('L2 entry 2 points at the L1 table')
  })
})
