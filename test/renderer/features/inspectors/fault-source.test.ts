import { describe, expect, it } from 'vitest'
import { missingEntrySource, sourceMapOf } from '../../../../src/renderer/src/features/inspectors/fault-source'
import type { TraceEvent } from '../../../../src/shared/trace/events'

const segment: TraceEvent<'segment_loaded'> = {
  id: 1,
  step: 0,
  kind: 'segment_loaded',
  pc: null,
  data: { vaddr: '0xffffffff80202000', paddr: '0x80202000', memsz: '0x2000', filesz: '0x2000', flags: 'RW-', sections: ['.data'], file: 'kernel' },
}
// The page-table data: entry 0 and 1 from line 41-42, entry 2 from line 43 (at link addresses).
const overview = {
  sourceLines: [
    { address: '0xffffffff80202000', size: 16, file: 'entry.S', line: 41 },
    { address: '0xffffffff80202010', size: 8, file: 'entry.S', line: 43 },
  ],
  events: [segment as TraceEvent],
}

describe('the source of a missing page-table entry', () => {
  it('maps the invalid PTE back to the line whose bytes built it', () => {
    const t = {
      ok: false as const,
      mode: 'Sv39' as const,
      va: '0x80200020',
      cause: 12,
      reason: 'the level-2 PTE (index 2 at 0x80202010) is not valid (V=0)',
      steps: [{ level: 2, vpn: 2, pteAddr: '0x80202010', pte: '0x0', kind: 'invalid' as const, flags: '' }],
    }
    expect(missingEntrySource(t, sourceMapOf(overview))).toEqual({ step: t.steps[0], loc: { file: 'entry.S', line: 43, column: 1 } })
  })

  it('says nothing for a walk that succeeded or an entry no line built', () => {
    const ok = { ok: true as const, mode: 'Sv39' as const, va: '0x0', pa: '0x0', steps: [], level: 2, pageSize: '1 GiB', flags: '' }
    expect(missingEntrySource(ok, sourceMapOf(overview))).toBeUndefined()
    const elsewhere = { ok: false as const, mode: 'Sv39' as const, va: '0x0', cause: 12, reason: '', steps: [{ level: 2, vpn: 0, pteAddr: '0x87000000', pte: '0x0', kind: 'invalid' as const, flags: '' }] }
    expect(missingEntrySource(elsewhere, sourceMapOf(overview))).toBeUndefined()
  })
})
