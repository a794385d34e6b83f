import { describe, expect, it } from 'vitest'
import { CR0_BITS, EFER_BITS, EFLAGS_BITS } from '../../../../src/shared/isa/x86/system-registers'
import { decodeSegmentAttributes, describeSegment, flagNames } from '../../../../src/shared/isa/x86/register-fields'
import { becomesDoubleFault, describePageFaultError, describeSelectorError, exceptionClass, pushesErrorCode, vectorName } from '../../../../src/shared/isa/x86/exceptions'

describe('x86 system registers', () => {
  it('names the set bits of CR0, EFER and RFLAGS as the SDM spells them', () => {
    expect(flagNames(0x8001_0011n, CR0_BITS)).toBe('PE ET WP PG')
    expect(flagNames(0xd01n, EFER_BITS)).toBe('SCE LME LMA NXE')
    expect(flagNames(0x3246n, EFLAGS_BITS)).toBe('PF ZF IF IOPL=3')
  })

  it('decodes a descriptor cache: a flat 64-bit code segment and a 32-bit data segment', () => {
    // GDT entry 0x00af9a000000ffff: access 0x9a, flags 0xa → attributes 0xa09b (accessed) in the VMX layout.
    expect(decodeSegmentAttributes(0xa09b)).toMatchObject({ type: 0xb, codeOrData: true, dpl: 0, present: true, long: true, big: false, granularity: true })
    expect(describeSegment(0xa09b, 0n, 0xffffffff)).toBe('code 64-bit readable DPL0 base 0x0 limit 0xffffffff')
    expect(describeSegment(0xc093, 0n, 0xffffffff)).toBe('data 32-bit writable DPL0 base 0x0 limit 0xffffffff')
    expect(describeSegment(0x8b, 0x1000n, 0x67)).toBe('TSS (busy) DPL0 base 0x1000 limit 0x67')
    expect(describeSegment(0, 0n, 0)).toBe('not present')
    expect(describeSegment(0x10000, 0n, 0)).toBe('unusable (null selector)')
  })
})

describe('x86 exceptions', () => {
  it('names vectors and knows which push an error code', () => {
    expect(vectorName(14)).toBe('#PF (page fault)')
    expect(vectorName(0x21)).toBe('vector 33 (0x21)')
    expect([8, 10, 11, 12, 13, 14, 17].every(pushesErrorCode)).toBe(true)
    expect([0, 1, 3, 6, 32].some(pushesErrorCode)).toBe(false)
  })

  it('turns a second fault into #DF exactly as SDM Table 6-5 says', () => {
    expect(exceptionClass(13)).toBe('contributory')
    expect(becomesDoubleFault(14, 14)).toBe(true) // #PF while delivering #PF
    expect(becomesDoubleFault(14, 13)).toBe(true)
    expect(becomesDoubleFault(13, 14)).toBe(false) // contributory then page fault: serial
    expect(becomesDoubleFault(13, 11)).toBe(true)
    expect(becomesDoubleFault(3, 14)).toBe(false) // benign first
  })

  it('explains error codes in words', () => {
    expect(describePageFaultError(0b00010)).toBe('not present, write, supervisor mode')
    expect(describePageFaultError(0b10101)).toBe('protection violation, instruction fetch, user mode')
    expect(describeSelectorError((14 << 3) | 2)).toBe('IDT vector 14')
    expect(describeSelectorError(0x10 | 1)).toBe('GDT selector 0x10 (external event)')
  })
})
