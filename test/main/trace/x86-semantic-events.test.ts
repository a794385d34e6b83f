/**
 * The x86 event deriver on hand-written trace records (the hart's ring format): the paging
 * registers one instruction writes together make one paging change, the table it activates is
 * walked in RAM and its pages watched, and invlpg / full TLB flushes are named as x86 names them.
 */
import { describe, expect, it } from 'vitest'
import { X86SemanticEvents } from '../../../src/main/trace/x86-semantic-events'
import { X86_TRACE_KIND, type X86TraceRecord } from '../../../src/main/machine/x86/hart/trace-layout'
import type { EventKind, EventPayloads } from '../../../src/shared/trace/events'

const EFER = 0xc0000080n
const rec = (step: number, kind: number, aux: number, a = 0n, c = 0n, d = 0n): X86TraceRecord => ({ step: BigInt(step), kind: kind as X86TraceRecord['kind'], aux, a, b: 0n, c, d })

function setup() {
  const ram = new Uint8Array(1 << 20)
  const dv = new DataView(ram.buffer)
  // 4-level: PML4 at 0x1000 → PDPT at 0x2000 → PD at 0x3000 with one 2 MiB page at 0.
  dv.setBigUint64(0x1000, 0x2003n, true)
  dv.setBigUint64(0x2000, 0x3003n, true)
  dv.setBigUint64(0x3000, 0x83n, true)
  const events: { step: bigint; kind: EventKind; data: unknown }[] = []
  const watched: bigint[] = []
  const sink = { event: <K extends EventKind>(step: bigint | number, kind: K, _pc: string | null, data: EventPayloads[K]) => void events.push({ step: BigInt(step), kind, data }) }
  const hart = { ram, watchPage: (pa: bigint) => void watched.push(pa), getReg: () => 0n }
  return { events, watched, derive: new X86SemanticEvents(sink, hart), dv }
}

describe('x86 semantic events', () => {
  it('reports mov cr0 that turns on paging and long mode (CR0 + EFER.LMA records) as one change to 4-level paging', () => {
    const { events, watched, derive } = setup()
    derive.consume([
      rec(3, X86_TRACE_KIND.CR, 4, 0n, 0n, 0x20n), // CR4.PAE
      rec(4, X86_TRACE_KIND.CR, 3, 0n, 0n, 0x1000n),
      rec(6, X86_TRACE_KIND.MSR, 0, EFER, 0n, 0x100n), // wrmsr EFER.LME
      rec(9, X86_TRACE_KIND.CR, 0, 0n, 0x11n, 0x80000011n),
      rec(9, X86_TRACE_KIND.MSR, 0, EFER, 0x100n, 0x500n), // the CPU sets EFER.LMA
    ])
    expect(events.map((e) => [Number(e.step), e.kind])).toEqual([
      [3, 'control_bits'],
      [4, 'cr3_write'],
      [6, 'control_bits'],
      [9, 'control_bits'],
      [9, 'control_bits'],
      [9, 'paging_change'],
      [9, 'page_table_activated'],
    ])
    const bits = events.filter((e) => e.kind === 'control_bits').map((e) => e.data as EventPayloads['control_bits'])
    expect(bits.map((b) => `${b.register}: +${b.set.join(',')} -${b.cleared.join(',')}`)).toEqual(['CR4: +PAE -', 'EFER: +LME -', 'CR0: +PG -', 'EFER: +LMA -'])
    expect(events[5].data).toMatchObject({ register: 'CR0', old: '0x11', new: '0x80000011', from: 'Bare', to: '4-level', root: '0x1000' })
    expect(events[6].data).toMatchObject({ mode: '4-level', root: '0x1000', mappings: [{ va: '0x0', pa: '0x0', pageSize: '2 MiB' }] })
    expect(new Set(watched)).toEqual(new Set([0x1000n, 0x2000n, 0x3000n]))
  })

  it('reports a PAE switch made by CR4 alone, and nothing for writes that keep the paging mode', () => {
    const { events, derive } = setup()
    derive.consume([
      rec(1, X86_TRACE_KIND.CR, 4, 0n, 0n, 0x10n), // PSE only: still no paging
      rec(2, X86_TRACE_KIND.CR, 0, 0n, 0x11n, 0x80000011n), // 32-bit paging
      rec(5, X86_TRACE_KIND.CR, 0, 0n, 0x80000011n, 0x80010011n), // WP: same mode
      rec(7, X86_TRACE_KIND.CR, 4, 0n, 0x10n, 0x30n), // PAE on with paging on
      rec(8, X86_TRACE_KIND.CR, 0, 0n, 0x80010031n, 0x80010031n), // the same value again: no bits change
      rec(9, X86_TRACE_KIND.CR, 0, 0n, 0x80010031n, 0x80000031n), // WP cleared
    ])
    expect(events.filter((e) => e.kind === 'control_bits').map((e) => [Number(e.step), (e.data as EventPayloads['control_bits']).set.join(','), (e.data as EventPayloads['control_bits']).cleared.join(',')])).toEqual([
      [1, 'PSE', ''],
      [2, 'PG', ''],
      [5, 'WP', ''],
      [7, 'PAE', ''],
      [9, '', 'WP'],
    ])
    expect(events.filter((e) => e.kind === 'paging_change').map((e) => [Number(e.step), (e.data as EventPayloads['paging_change']).register, (e.data as EventPayloads['paging_change']).to])).toEqual([
      [2, 'CR0', '32-bit'],
      [7, 'CR4', 'PAE'],
    ])
  })

  it('names invlpg and full TLB flushes', () => {
    const { events, derive } = setup()
    derive.consume([rec(1, X86_TRACE_KIND.INVLPG, 0, 0xc0000000n), rec(2, X86_TRACE_KIND.INVLPG, 1), rec(3, X86_TRACE_KIND.INVLPG, 2)])
    expect(events.map((e) => e.data)).toEqual([
      { vaddr: '0xc0000000', asid: null, instruction: 'invlpg' },
      { vaddr: null, asid: null, instruction: 'TLB flush' },
      { vaddr: null, asid: null, instruction: 'TLB flush (globals kept)' },
    ])
  })
})
