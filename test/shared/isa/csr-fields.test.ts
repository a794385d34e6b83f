import { describe, expect, it } from 'vitest'
import { describeCause, describeCsr, describeTvec, MSTATUS_FIELDS, SSTATUS_FIELDS, statusFields } from '../../../src/shared/isa/csr-fields'

describe('CSR values in words', () => {
  it('names the set bits and the privilege fields of mstatus', () => {
    // MPP = S (1 << 11), SPIE, MIE, FS = Dirty (3 << 13), SD, UXL = SXL = 64 (not shown).
    const v = (1n << 11n) | (1n << 5n) | (1n << 3n) | (3n << 13n) | (1n << 63n) | (2n << 32n) | (2n << 34n)
    expect(statusFields(v, MSTATUS_FIELDS)).toEqual(['MIE', 'SPIE', 'SPP=U', 'MPP=S', 'FS=Dirty', 'SD'])
    expect(describeCsr('mstatus', v)).toBe('MIE SPIE SPP=U MPP=S FS=Dirty SD')
  })

  it('shows only the supervisor view of the fields in sstatus', () => {
    const v = (1n << 1n) | (1n << 8n) | (1n << 18n) | (3n << 11n)
    expect(statusFields(v, SSTATUS_FIELDS)).toEqual(['SIE', 'SPP=S', 'SUM'])
  })

  it('splits a trap vector into mode and base', () => {
    expect(describeTvec(0x80200040n)).toBe('Direct, BASE 0x80200040')
    expect(describeTvec(0x80200041n)).toBe('Vectored, BASE 0x80200040 (interrupts at BASE + 4 × cause)')
    expect(describeCsr('stvec', 0xffffffff80200100n)).toBe('Direct, BASE 0xffffffff80200100')
  })

  it('names exceptions and interrupts in the cause registers', () => {
    expect(describeCause(12n)).toBe('exception 12: instruction page fault')
    expect(describeCsr('scause', (1n << 63n) | 5n)).toBe('interrupt 5: supervisor timer interrupt')
    expect(describeCsr('mcause', 9n)).toBe('exception 9: environment call from S-mode')
    expect(describeCsr('scause', 0n)).toBe('no trap taken yet (the reset value), or exception 0: instruction address misaligned')
  })

  it('decodes satp and leaves other CSRs as numbers', () => {
    expect(describeCsr('satp', 0x8000000000080202n)).toBe('Sv39, ASID 0, root table at PA 0x80202000')
    expect(describeCsr('satp', 0n)).toBe('Bare: no translation')
    expect(describeCsr('sepc', 0x80200020n)).toBeUndefined()
  })
})
