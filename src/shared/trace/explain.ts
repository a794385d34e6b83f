/**
 * Events in words, for the timeline's explanations, the CLI's `events` listing and the lab
 * checks' messages: what happened and what it means for the kernel author.
 */
import type { EventPayloads, TraceEvent } from './events'

type Explainers = { [K in keyof EventPayloads]: (d: EventPayloads[K], e: TraceEvent<K>) => string }

const EXPLAIN: Explainers = {
  segment_loaded: (d) =>
    `Loaded ${d.file} segment (${d.sections.join(', ') || 'no sections'}, ${d.flags}) at PA ${d.paddr}` +
    (d.vaddr !== d.paddr ? ` for VA ${d.vaddr}: it runs at a different address than it is loaded at` : ''),
  firmware_handoff: (d) =>
    d.mode.startsWith('ring')
      ? `${d.firmware} hands over to the kernel at ${d.entry} in 32-bit protected mode (${d.mode}, paging off, interrupts off) with EAX = ${d.a0} (the Multiboot magic), EBX = ${d.a1} (the boot information)`
      : `${d.firmware} hands over to the kernel at ${d.entry} in ${d.mode}-mode with a0 = ${d.a0} (hart id), a1 = ${d.a1} (device tree)`,
  privilege_change: (d) => `Privilege ${d.from} → ${d.to}`,
  trap: (d) =>
    d.to.startsWith('ring')
      ? `${d.interrupt ? 'Interrupt' : 'Exception'}: ${d.causeName} at ${d.epc}` + (d.interrupt ? '' : `, ${d.tval}`) + ` — ${d.from} → ${d.to} handler`
      : `${d.interrupt ? 'Interrupt' : 'Trap'}: ${d.causeName} at ${d.epc}` + (d.interrupt ? '' : `, tval = ${d.tval}`) + ` — ${d.from}-mode → ${d.to}-mode trap handler`,
  trap_return: (d) => `${d.instruction}: back to ${d.to}${d.to.startsWith('ring') ? '' : '-mode'} at ${d.target}`,
  satp_write: (d) =>
    d.new.mode === 'Bare'
      ? `satp ← Bare: paging is off from the next instruction`
      : `satp ← ${d.new.mode}, root at PA ${d.new.root}${d.new.asid ? `, ASID ${d.new.asid}` : ''}: paging is on from the next instruction` +
        (d.old.mode !== 'Bare' ? ` (was ${d.old.mode} at ${d.old.root})` : ''),
  sfence_vma: (d) =>
    d.instruction
      ? `${d.instruction} ${d.vaddr ?? '(all addresses)'}: ${d.vaddr ? "that page's cached translation is" : 'cached translations are'} dropped from the TLB, so page-table changes take effect`
      : `sfence.vma ${d.vaddr ?? 'all addresses'}${d.asid !== null ? `, ASID ${d.asid}` : ''}: cached translations are dropped, so page-table changes take effect`,
  cr3_write: (d) =>
    d.new.mode === 'Bare'
      ? `CR3 ← ${d.new.raw}: the root table for when paging is turned on is at ${d.new.root}`
      : `CR3 ← ${d.new.raw}: ${d.new.mode} paging now walks the table at PA ${d.new.root}${d.new.asid ? ` (PCID ${d.new.asid})` : ''}; the TLB's non-global entries are flushed` +
        (d.old.raw !== d.new.raw && d.old.mode !== 'Bare' ? ` (was ${d.old.root})` : ''),
  paging_change: (d) =>
    d.to === 'Bare'
      ? `${d.register} ${d.old} → ${d.new}: paging is off from the next instruction (was ${d.from})`
      : d.from === 'Bare'
        ? `${d.register} ${d.old} → ${d.new}: ${d.to} paging is on from the next instruction, with the table at ${d.root}`
        : `${d.register} ${d.old} → ${d.new}: the paging mode changes from ${d.from} to ${d.to}`,
  mode_change: (d) => `The CPU switches from ${d.from} to ${d.to} at ${d.rip}`,
  page_table_activated: (d) =>
    `Page table at ${d.root} (${d.mode}) is active with ${d.mappings.length} mapped range${d.mappings.length === 1 ? '' : 's'}` +
    (d.mappings.length ? `: ${d.mappings.slice(0, 3).map((m) => `${m.va} → ${m.pa} (${m.pageSize}, ${m.perms})`).join('; ')}${d.mappings.length > 3 ? '; …' : ''}` : ''),
  pte_write: (d) =>
    `Page-table entry at PA ${d.pa}${d.level !== null ? ` (level ${d.level})` : ''} ${d.old} → ${d.new}${d.flags ? ` [${d.flags}]` : ''}` +
    (d.vaRange ? ` maps ${d.vaRange}` : ''),
  region_enter: (d) => `First instruction in the ${d.region} at ${d.va}${d.symbol ? ` (${d.symbol})` : ''}`,
  uart_output: (d) => `Console: ${JSON.stringify(d.text)}`,
  disk_write: (d) => `Disk ${d.device} written: ${d.sectors === 1 ? `sector ${d.sector}` : `sectors ${d.sector}–${d.sector + d.sectors - 1}`} (${d.sectors * 512} bytes)`,
  stop: (d) => d.message,
}

export function explainEvent(e: TraceEvent): string {
  const f = EXPLAIN[e.kind] as (d: unknown, e: TraceEvent) => string
  return f(e.data, e)
}

/** Short labels for markers and lanes. */
export const KIND_LABELS: Record<keyof EventPayloads, string> = {
  segment_loaded: 'segment loaded',
  firmware_handoff: 'firmware hand-off',
  privilege_change: 'privilege',
  trap: 'trap',
  trap_return: 'trap return',
  satp_write: 'satp',
  sfence_vma: 'sfence.vma',
  cr3_write: 'CR3',
  paging_change: 'paging',
  mode_change: 'CPU mode',
  page_table_activated: 'page table',
  pte_write: 'PTE write',
  region_enter: 'new region',
  uart_output: 'console',
  disk_write: 'disk write',
  stop: 'stop',
}
