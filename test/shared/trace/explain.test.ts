import { describe, expect, it } from 'vitest'
import { explainEvent } from '../../../src/shared/trace/explain'
import type { TraceEvent } from '../../../src/shared/trace/events'

describe('event explanations', () => {
  it('explains a satp write that turns on Sv39 as the timeline shows it', () => {
    const e = {
      id: 1,
      step: 7,
      kind: 'satp_write',
      pc: '0x80200018',
      data: { old: { mode: 'Bare', asid: 0, root: '0x0', raw: '0x0' }, new: { mode: 'Sv39', asid: 0, root: '0x80202000', raw: '0x8000000000080202' } },
    } as TraceEvent
    expect(explainEvent(e)).toBe('satp ← Sv39, root at PA 0x80202000: paging is on from the next instruction')
  })

  it('explains a load at a physical address different from the virtual one', () => {
    const e = {
      id: 1,
      step: 0,
      kind: 'segment_loaded',
      pc: null,
      data: { vaddr: '0xffffffff80200000', paddr: '0x80200000', memsz: '0x101d', filesz: '0x101d', flags: 'R-X', sections: ['.text', '.rodata'], file: 'kernel.elf' },
    } as TraceEvent
    expect(explainEvent(e)).toMatch(/at PA 0x80200000 for VA 0xffffffff80200000/)
  })

  it('explains a page fault with its cause and address', () => {
    const e = {
      id: 1,
      step: 9,
      kind: 'trap',
      pc: '0x8020001c',
      data: { cause: '0xc', causeName: 'instruction page fault', interrupt: false, tval: '0x8020001c', epc: '0x8020001c', from: 'S', to: 'S' },
    } as TraceEvent
    expect(explainEvent(e)).toBe('Trap: instruction page fault at 0x8020001c, tval = 0x8020001c — S-mode → S-mode trap handler')
  })
})
