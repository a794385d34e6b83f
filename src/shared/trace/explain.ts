/**
 * Events in words, for the timeline's explanations, the CLI's `events` listing and the lab
 * checks' messages: what happened and what it means for the kernel author.
 */
import type { EventPayloads, TraceEvent } from './events'

/** What a control bit does once set (SDM vol. 3, 2.5 and 2.2.1), for the timeline's words. */
const CONTROL_BIT_MEANING: Record<string, string> = {
  'CR0.PE': 'protected mode: segment registers now hold selectors into the GDT',
  'CR0.PG': 'paging: linear addresses now go through the page table CR3 names',
  'CR0.WP': 'ring 0 now honours read-only pages (a kernel write to one faults)',
  'CR4.PSE': '4 MiB pages are allowed in 32-bit paging (PS in a page-directory entry)',
  'CR4.PAE': 'physical address extension: page-table entries are 64 bits (needed for long mode)',
  'CR4.PGE': 'global pages (G) survive CR3 writes in the TLB',
  'CR4.PCIDE': 'CR3 carries a process-context identifier',
  'EFER.LME': 'long mode enable: turning on paging now enters long mode',
  'EFER.LMA': 'long mode is active (the CPU set it: paging is on with LME)',
  'EFER.NXE': 'the XD bit (63) of page-table entries is honoured: no-execute pages',
  'EFER.SCE': 'syscall/sysret are enabled',
}

/** Bit 0 (P) of an x86 entry written as hex; false for anything that is not a number. */
function presentBit(hexValue: string): boolean {
  return /^0x[0-9a-f]*[13579bdf]$/i.test(hexValue)
}

const TABLE_WORDS: Record<string, string> = { lgdt: 'GDT', lidt: 'IDT', lldt: 'LDT', ltr: 'TSS' }

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
  control_bits: (d) =>
    [...d.set.map((b) => `${d.register}.${b} set`), ...d.cleared.map((b) => `${d.register}.${b} cleared`)].join(', ') +
    ` (${d.register} ${d.old} → ${d.new})` +
    (d.set.length ? `: ${d.set.map((b) => CONTROL_BIT_MEANING[`${d.register}.${b}`]).filter(Boolean).join('; ')}` : ''),
  msr_write: (d) => `wrmsr ${d.msr} (${d.number}) ← ${d.new}${d.old !== d.new ? ` (was ${d.old})` : ''}: ${d.summary}`,
  descriptor_table: (d) =>
    `${d.instruction}: the CPU now uses the ${TABLE_WORDS[d.instruction] ?? 'table'} at ${d.base} (limit ${d.limit}${d.selector ? `, selector ${d.selector}` : ''})` +
    (d.entries.length ? ` — ${d.entries.slice(0, 4).join('; ')}${d.entries.length > 4 ? `; … (${d.entries.length} rows)` : ''}` : ' — no present entries'),
  far_transfer: (d) => `${d.instruction} from ${d.from} to ${d.toCs}:${d.to}: CS ${d.fromCs} → ${d.toCs}, now in ${d.mode}, ${d.ring}`,
  boot_info: (d) =>
    `${d.protocol} boot information at ${d.address} (${d.size} bytes): ` +
    [
      d.memoryMap.length
        ? `memory map ${d.memoryMap.filter((a) => a.type === 1).map((a) => `${a.base} (+${a.length})`).join(', ') || '(no available area)'} available`
        : 'no memory map',
      d.cmdline !== null ? `cmdline ${JSON.stringify(d.cmdline)}` : '',
      d.bootLoader !== null ? `loader ${JSON.stringify(d.bootLoader)}` : '',
      d.modules.length ? `${d.modules.length} module${d.modules.length === 1 ? '' : 's'}` : '',
      d.elfSections ? `${d.elfSections} ELF section headers` : '',
    ]
      .filter(Boolean)
      .join(', '),
  page_table_activated: (d) =>
    `Page table at ${d.root} (${d.mode}) is active with ${d.mappings.length} mapped range${d.mappings.length === 1 ? '' : 's'}` +
    (d.mappings.length ? `: ${d.mappings.slice(0, 3).map((m) => `${m.va} → ${m.pa} (${m.pageSize}, ${m.perms})`).join('; ')}${d.mappings.length > 3 ? '; …' : ''}` : ''),
  pte_write: (d) =>
    d.entry
      ? `${d.entry} ${!presentBit(d.new) ? (presentBit(d.old) ? 'cleared' : 'written (not present)') : !presentBit(d.old) ? 'set' : 'changed'}` +
        `${d.recursive ? ` through the recursive mapping (at ${d.recursive})` : ''}: ${d.old} → ${d.new}${d.flags ? ` [${d.flags}]` : ''}${d.effect ? ` — ${d.effect}` : ''}`
      : `Page-table entry at PA ${d.pa}${d.level !== null ? ` (level ${d.level})` : ''} ${d.old} → ${d.new}${d.flags ? ` [${d.flags}]` : ''}` +
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
  control_bits: 'CR/EFER bits',
  msr_write: 'wrmsr',
  descriptor_table: 'descriptor table',
  far_transfer: 'far transfer',
  boot_info: 'boot information',
  page_table_activated: 'page table',
  pte_write: 'PTE write',
  region_enter: 'new region',
  uart_output: 'console',
  disk_write: 'disk write',
  stop: 'stop',
}
