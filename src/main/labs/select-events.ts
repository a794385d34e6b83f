/**
 * The recording as the lab evaluator sees it: events fetched by kind (once each, cached), the
 * event selectors of lab.json (`{ "event": "satp_write", "mode": "Sv39" }`) matched against them,
 * address references (`{ "symbol": "text_start", "offset": 16 }`) resolved through the build's
 * symbol table, and the words a failed check uses to say what it saw.
 */
import type { AddressRef, EventSelector } from '../../shared/labs/lab-format'
import { hex, type EventKind, type TraceEvent } from '../../shared/trace/events'
import type { BuildSymbol } from '../toolchain/build'
import type { RecordingReader } from '../trace/recording-reader'
import { modeOfLabel } from '../../shared/labs/parse-x86-checks'

const CAUSE_CODE_MASK = (1n << 63n) - 1n

/** Events of a recording by kind, read lazily: most checks need one or two kinds. */
export class EventIndex {
  private readonly byKind = new Map<EventKind, TraceEvent[]>()
  constructor(private readonly reader: RecordingReader) {}

  of<K extends EventKind>(kind: K): TraceEvent<K>[] {
    let list = this.byKind.get(kind)
    if (!list) {
      list = this.reader.events({ kinds: [kind] })
      this.byKind.set(kind, list)
    }
    return list as TraceEvent<K>[]
  }
}

/** Where a PT_LOAD segment was linked (p_vaddr) and loaded (p_paddr), and its size in memory. */
export interface LoadedRange {
  vaddr: bigint
  paddr: bigint
  memsz: bigint
}

/**
 * The build's symbols by name (the first definition wins, as `nm | grep` would show first), and
 * the segments' load addresses: a higher-half kernel runs its first instructions at their
 * physical (load) address, so a trap at `_start+32` has epc 0x80200020 while `_start` is
 * 0xffffffff80200000. Both addresses name the same instruction.
 */
export class SymbolTable {
  private readonly byName = new Map<string, BuildSymbol>()
  private readonly sorted: BuildSymbol[]

  constructor(
    symbols: readonly BuildSymbol[],
    private readonly loads: readonly LoadedRange[] = [],
  ) {
    for (const s of symbols) if (!this.byName.has(s.name)) this.byName.set(s.name, s)
    this.sorted = symbols.filter((s) => s.section !== '*ABS*' && s.name !== '').sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
  }

  get(name: string): BuildSymbol | undefined {
    return this.byName.get(name)
  }

  /** The link-time (virtual) address of a byte at load address `pa`, when a segment was loaded elsewhere than linked. */
  linkAddressOf(pa: bigint): bigint | undefined {
    const seg = this.loads.find((l) => l.paddr !== l.vaddr && pa >= l.paddr && pa - l.paddr < l.memsz)
    return seg ? seg.vaddr + (pa - seg.paddr) : undefined
  }

  /** The load (physical) address of a byte linked at `va`, when its segment was loaded elsewhere. */
  loadAddressOf(va: bigint): bigint | undefined {
    const seg = this.loads.find((l) => l.paddr !== l.vaddr && va >= l.vaddr && va - l.vaddr < l.memsz)
    return seg ? seg.paddr + (va - seg.vaddr) : undefined
  }

  /** `symbol+0x10` for an address inside the kernel (at its link or its load address), for details a student can find in the source. */
  describe(addr: bigint): string {
    const linked = this.linkAddressOf(addr) ?? addr
    let best: BuildSymbol | undefined
    for (const s of this.sorted) {
      if (s.value > linked) break
      best = s
    }
    if (!best || linked - best.value > 0x100000n) return hex(addr)
    const off = linked - best.value
    return `${hex(addr)} (${best.name}${off ? `+${hex(off)}` : ''})`
  }
}

/**
 * An address of a check: a hex value, or a symbol plus offset; an error text when the symbol is
 * not defined. A symbol's address also has its load-address twin (`loaded`) when its segment was
 * loaded elsewhere than linked: code that runs before paging (or before the jump high) is there.
 */
export function resolveAddress(ref: AddressRef, symbols: SymbolTable): { value: bigint; loaded?: bigint } | { error: string } {
  if (typeof ref === 'string') return { value: BigInt(ref) }
  const s = symbols.get(ref.symbol)
  if (!s) return { error: `the kernel has no symbol ${ref.symbol}` }
  const value = BigInt.asUintN(64, s.value + BigInt(ref.offset))
  const loaded = symbols.loadAddressOf(value)
  return loaded !== undefined ? { value, loaded } : { value }
}

/** Does the PC `pc` (an epc) name the address `at` resolved to, at its link or its load address? */
export function sameInstruction(pc: bigint, at: { value: bigint; loaded?: bigint }): boolean {
  return pc === at.value || pc === at.loaded
}

export function describeAddressRef(ref: AddressRef): string {
  if (typeof ref === 'string') return ref
  return ref.offset ? `${ref.symbol}${ref.offset > 0 ? '+' : '-'}${Math.abs(ref.offset)}` : ref.symbol
}

/** A trap's cause code without the interrupt bit. */
export function trapCode(e: TraceEvent<'trap'>): number {
  return Number(BigInt(e.data.cause) & CAUSE_CODE_MASK)
}

export function describeTrap(e: TraceEvent<'trap'>, symbols: SymbolTable): string {
  const d = e.data
  const tval = BigInt(d.tval)
  return `${d.causeName} (${d.interrupt ? 'interrupt' : 'cause'} ${trapCode(e)}) at step ${e.step}, epc ${symbols.describe(BigInt(d.epc))}${tval ? `, tval ${d.tval}` : ''}`
}

function inRange(va: string, from: string | undefined, to: string | undefined): boolean {
  const v = BigInt(va)
  return (from === undefined || v >= BigInt(from)) && (to === undefined || v <= BigInt(to))
}

/** Does `e` match every filter of `sel`? `at` needs the symbol table; an unresolvable symbol matches nothing. */
export function matchesSelector(sel: EventSelector, e: TraceEvent, symbols: SymbolTable): boolean {
  if (e.kind !== sel.event) return false
  switch (sel.event) {
    case 'satp_write':
      return sel.mode === undefined || (e as TraceEvent<'satp_write'>).data.new.mode === sel.mode
    case 'region_enter':
      return inRange((e as TraceEvent<'region_enter'>).data.va, sel.from, sel.to)
    case 'trap': {
      const t = e as TraceEvent<'trap'>
      if (sel.cause !== undefined && trapCode(t) !== sel.cause) return false
      if (sel.interrupt !== undefined && t.data.interrupt !== sel.interrupt) return false
      if (sel.at !== undefined) {
        const at = resolveAddress(sel.at, symbols)
        if ('error' in at || !sameInstruction(BigInt(t.data.epc), at)) return false
      }
      return true
    }
    case 'pte_write':
      return sel.new === undefined || BigInt((e as TraceEvent<'pte_write'>).data.new) === BigInt(sel.new)
    case 'uart_output':
      return sel.contains === undefined || (e as TraceEvent<'uart_output'>).data.text.includes(sel.contains)
    case 'stop':
      return sel.reason === undefined || (e as TraceEvent<'stop'>).data.reason === sel.reason
    case 'mode_change':
      return sel.to === undefined || modeOfLabel((e as TraceEvent<'mode_change'>).data.to) === sel.to
    case 'control_bits': {
      const d = (e as TraceEvent<'control_bits'>).data
      const named = (bits: string[]) => bits.map((b) => `${d.register}.${b}`)
      return (sel.set === undefined || named(d.set).includes(sel.set)) && (sel.cleared === undefined || named(d.cleared).includes(sel.cleared))
    }
    default:
      return true
  }
}

/** The first (or, with `occurrence: "last"`, the last) event the selector picks. */
export function selectEvent(sel: EventSelector, events: EventIndex, symbols: SymbolTable): TraceEvent | undefined {
  const list = events.of(sel.event).filter((e) => matchesSelector(sel, e, symbols))
  return sel.occurrence === 'last' ? list[list.length - 1] : list[0]
}

/** "the first satp_write with mode Sv39", for details. */
/** What each event kind is, in the words a lab's student reads (never the recording's kind names). */
const EVENT_WORDS: Record<EventSelector['event'], string> = {
  segment_loaded: 'segment loaded',
  firmware_handoff: 'firmware hand-off',
  privilege_change: 'privilege change',
  trap: 'trap',
  trap_return: 'return from a trap (mret/sret)',
  satp_write: 'write to satp',
  cr3_write: 'write to CR3',
  paging_change: 'paging mode change',
  mode_change: 'operating mode change',
  control_bits: 'CR0/CR4/EFER bits changed',
  msr_write: 'wrmsr',
  descriptor_table: 'descriptor table loaded (lgdt/lidt/lldt/ltr)',
  far_transfer: 'far transfer loading CS',
  boot_info: 'Multiboot boot information handed over',
  sfence_vma: 'sfence.vma',
  page_table_activated: 'page table activated',
  pte_write: 'page-table entry written',
  region_enter: 'instruction fetched in a new region',
  uart_output: 'console output',
  disk_write: 'write to the disk',
  stop: 'end of the boot',
}

export function describeSelector(sel: EventSelector): string {
  const filters: string[] = []
  switch (sel.event) {
    case 'satp_write':
      if (sel.mode) filters.push(`mode ${sel.mode}`)
      break
    case 'region_enter':
      if (sel.from !== undefined || sel.to !== undefined) {
        return `the ${sel.occurrence} instruction fetched in [${sel.from ?? '0x0'}, ${sel.to ?? '0xffffffffffffffff'}]`
      }
      break
    case 'trap':
      if (sel.cause !== undefined) filters.push(`${sel.interrupt ? 'interrupt' : 'cause'} ${sel.cause}`)
      if (sel.at !== undefined) filters.push(`at ${describeAddressRef(sel.at)}`)
      break
    case 'pte_write':
      if (sel.new !== undefined) filters.push(`new value ${sel.new}`)
      break
    case 'uart_output':
      if (sel.contains !== undefined) filters.push(`containing ${JSON.stringify(sel.contains)}`)
      break
    case 'stop':
      if (sel.reason) filters.push(`reason ${sel.reason}`)
      break
    case 'mode_change':
      if (sel.to) filters.push(`to ${sel.to} mode`)
      break
    case 'control_bits':
      if (sel.set) filters.push(`${sel.set} set`)
      if (sel.cleared) filters.push(`${sel.cleared} cleared`)
      break
  }
  return `the ${sel.occurrence} ${EVENT_WORDS[sel.event]}${filters.length ? ` with ${filters.join(', ')}` : ''}`
}
