/**
 * Turns the hart's raw trace records (machine/hart/trace-layout.ts) into the semantic events of
 * a recording: traps and returns, satp writes (and the page table they activate, walked in full),
 * sfence.vma, stores into page-table pages, and entries into new code regions (such as the first
 * instruction in the higher half, with its symbol). Page-table pages are watched from the moment
 * a table is activated, so later PTE edits are recorded with their exact step.
 */
import { causeName, isInterrupt } from '../../shared/trace/causes'
import { hex, PRIV_NAMES, type EventKind, type EventPayloads } from '../../shared/trace/events'
import type { ElfFile } from '../../shared/elf/reader'
import { isPlaceSymbol } from '../../shared/elf/reader'
import { TRACE_KIND, type TraceRecord } from '../machine/hart/trace-layout'
import { decodeSatp, pteFlags, ramReader, walkTable, type PhysReader } from '../../shared/paging/page-walk'

export const CSR_SATP = 0x180
/** Code regions are 1 GiB of VA: crossing from 0x80000000 to 0xffffffff80000000 is one step. */
export const REGION_SHIFT = 30
/** Bits of a PTE the hardware updates by itself (A, D): changes to only these are not "PTE writes". */
const PTE_AD_BITS = 0xc0n

export interface EventSink {
  event<K extends EventKind>(step: bigint | number, kind: K, pc: string | null, data: EventPayloads[K]): void
}

export interface TracedHart {
  readonly ram: Uint8Array
  watchPage(pa: bigint, on?: boolean): void
}

/**
 * Names a code address by the kernel's closest named code/data symbol at or below it (no assembler
 * mapping symbols like $x/$d, no local labels): `name` or `name+0x12`.
 */
export function placeNamer(kernel?: ElfFile): (pc: bigint) => string | null {
  const symbols = (kernel?.symbols ?? [])
    .filter(isPlaceSymbol)
    .map((x) => ({ name: x.name, value: x.value }))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
  return (pc) => {
    let lo = 0
    let hi = symbols.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (symbols[mid].value <= pc) lo = mid + 1
      else hi = mid
    }
    const best = symbols[lo - 1]
    if (!best) return null
    return best.value === pc ? best.name : `${best.name}+${hex(pc - best.value)}`
  }
}

export class SemanticEvents {
  private readonly mem: PhysReader
  /** Page-table pages being watched → their level and the first VA they map. */
  private readonly tablePages = new Map<bigint, { level: number; vaBase: bigint; vaBits: number }>()
  private readonly regionsSeen = new Set<bigint>()
  /** The closest symbol at or below a PC, as `name` or `name+0x12`. */
  private readonly symbol: (pc: bigint) => string | null

  constructor(
    private readonly sink: EventSink,
    private readonly hart: TracedHart,
    ramBase: bigint,
    kernel?: ElfFile,
  ) {
    this.mem = ramReader(hart.ram, ramBase)
    this.symbol = placeNamer(kernel)
  }

  consume(records: TraceRecord[]): void {
    for (const r of records) this.one(r)
  }

  private one(r: TraceRecord): void {
    const s = this.sink
    switch (r.kind) {
      case TRACE_KIND.TRAP: {
        const from = PRIV_NAMES[r.aux & 0xff] ?? '?'
        const to = PRIV_NAMES[(r.aux >> 8) & 0xff] ?? '?'
        s.event(r.step, 'trap', hex(r.c), {
          cause: hex(r.a),
          causeName: causeName(r.a),
          interrupt: isInterrupt(r.a),
          tval: hex(r.b),
          epc: hex(r.c),
          from,
          to,
        })
        break
      }
      case TRACE_KIND.XRET:
        s.event(r.step, 'trap_return', null, {
          instruction: r.a === 0x302n ? 'mret' : 'sret',
          from: PRIV_NAMES[r.aux & 0xff] ?? '?',
          to: PRIV_NAMES[(r.aux >> 8) & 0xff] ?? '?',
          target: hex(r.b),
        })
        break
      case TRACE_KIND.CSR:
        if (r.aux === CSR_SATP) this.satp(r)
        break
      case TRACE_KIND.SFENCE:
        s.event(r.step, 'sfence_vma', null, { vaddr: r.aux & 1 ? null : hex(r.a), asid: r.aux & 2 ? null : Number(r.b) })
        break
      case TRACE_KIND.STORE:
        this.store(r)
        break
      case TRACE_KIND.REGION: {
        const region = r.b >> BigInt(REGION_SHIFT)
        const first = !this.regionsSeen.has(region)
        this.regionsSeen.add(region)
        if (first) {
          s.event(r.step, 'region_enter', hex(r.b), {
            region: (r.b >> 63n) & 1n ? 'higher half' : `low memory (${hex(region << BigInt(REGION_SHIFT))})`,
            va: hex(r.b),
            symbol: this.symbol(r.b),
          })
        }
        break
      }
    }
  }

  private satp(r: TraceRecord): void {
    const old = decodeSatp(r.c)
    const now = decodeSatp(r.d)
    this.sink.event(r.step, 'satp_write', null, { old, new: now })
    if (now.mode === 'Bare') return
    const walk = walkTable(this.mem, r.d)
    this.sink.event(r.step, 'page_table_activated', null, { mode: walk.mode, root: walk.root, mappings: walk.mappings })
    const vaBits = now.mode === 'Sv39' ? 39 : now.mode === 'Sv48' ? 48 : 57
    // Watch the root and every table page reached, so later edits are recorded with their step.
    for (const t of walk.tables) {
      if (!this.tablePages.has(t.pa)) this.hart.watchPage(t.pa, true)
      this.tablePages.set(t.pa, { level: t.level, vaBase: t.vaBase, vaBits })
    }
  }

  private store(r: TraceRecord): void {
    const page = r.a & ~0xfffn
    const table = this.tablePages.get(page)
    if (table === undefined) return
    const old = r.c
    const now = r.d
    if ((old ^ now) === 0n || ((old ^ now) & ~PTE_AD_BITS) === 0n) return // hardware A/D updates, or no change
    const index = (r.a & 0xfffn) >> 3n
    const span = 1n << (12n + 9n * BigInt(table.level))
    // The VA this entry maps: the table's base plus index × span, sign-extended from the top VA bit.
    const va = BigInt.asUintN(64, BigInt.asIntN(table.vaBits, table.vaBase + index * span))
    this.sink.event(r.step, 'pte_write', null, {
      pa: hex(r.a),
      old: hex(old),
      new: hex(now),
      flags: (now & 1n) === 0n ? 'invalid' : (now & 0xen) === 0n ? 'pointer' : pteFlags(now),
      level: table.level,
      vaRange: `${hex(va)}–${hex(va + span - 1n)}`,
    })
  }
}
