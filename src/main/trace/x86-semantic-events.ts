/**
 * Turns the x86 hart's trace records (machine/x86/hart/trace-layout.ts) into a recording's
 * semantic events — the basic x86 timeline: CR3 writes (the root-table switch) and the paging-mode
 * changes CR0/CR4/EFER make, each followed by the table it activates walked in full; operating-
 * mode changes (real → protected → long); the CR0/CR4/EFER bits each write sets or clears, and
 * the other MSRs the kernel writes; lgdt/lidt/lldt/ltr with the table decoded (read at that step:
 * the hart ends its traced run after them); far transfers that load CS; exceptions and
 * interrupts with their vectors (CR2 and the error code for faults) and the iret that returns;
 * stores into page-table pages (watched from the moment a table is activated), named by the
 * entry and what it maps, and by the recursive mapping when they went through it; and the first
 * instruction in a new code region, with its symbol.
 */
import { hex, type SatpValue, type TranslationMode } from '../../shared/trace/events'
import type { ElfFile } from '../../shared/elf/reader'
import { ramReader } from '../../shared/paging/page-walk'
import { decodeCr3, pagingMode, type X86PagingMode, type X86PagingRegisters } from '../../shared/paging/x86/formats'
import { walkTableX86 } from '../../shared/paging/x86/walk'
import { x86EntryFlags } from '../../shared/paging/x86/formats'
import { translateX86 } from '../../shared/paging/x86/walk'
import { FORMATS } from '../../shared/paging/x86/formats'
import { describePageFaultError, vectorName } from '../../shared/isa/x86/exceptions'
import { CR0_BITS, CR4_BITS, EFER_BITS, VECTOR_BY_MNEMONIC, type BitField } from '../../shared/isa/x86/system-registers'
import { EFER_LMA } from '../../shared/isa/x86/register-fields'
import { MSRS, msrByNumber } from '../../shared/isa/x86/msr'
import { gdtLines, idtLines, tssLines, type DescriptorLine } from '../../shared/pc/descriptor-text'
import { DTR_WHICH, EXC_FLAG, FAR_CAUSE, X86_MODE_CODE, X86_TRACE_KIND, type X86TraceRecord } from '../machine/x86/hart/trace-layout'
import { placeNamer, type EventSink } from './semantic-events'

/** Code regions are 1 GiB of linear address space, as on RISC-V (0x00100000 → 0xC0100000 is a new one). */
export const X86_REGION_SHIFT = 30
/** A/D: set by the walker itself; a store that changes only these is not a "PTE write". */
const ENTRY_AD_BITS = 0x60n
const EXC_FLAG_SHIFT = 12

const FAR_WORDS: Record<number, string> = {
  [FAR_CAUSE.JMP]: 'jmp far',
  [FAR_CAUSE.CALL]: 'call far',
  [FAR_CAUSE.RETF]: 'retf',
  [FAR_CAUSE.SYSCALL]: 'syscall',
  [FAR_CAUSE.SYSRET]: 'sysret',
  [FAR_CAUSE.SYSENTER]: 'sysenter',
  [FAR_CAUSE.SYSEXIT]: 'sysexit',
}
const DTR_WORDS: Record<number, string> = { [DTR_WHICH.GDTR]: 'lgdt', [DTR_WHICH.IDTR]: 'lidt', [DTR_WHICH.LDTR]: 'lldt', [DTR_WHICH.TR]: 'ltr' }
/** Bytes of a descriptor table read for its event (a full GDT is 64 KiB; an IDT 4 KiB). */
const MAX_TABLE_BYTES = 0x10000
/** The rows an event keeps of a decoded table. */
const MAX_TABLE_ROWS = 64

export const MODE_NAMES: Record<number, string> = {
  [X86_MODE_CODE.REAL16]: 'real mode (16-bit)',
  [X86_MODE_CODE.PROTECTED16]: 'protected mode (16-bit code)',
  [X86_MODE_CODE.PROTECTED32]: 'protected mode (32-bit)',
  [X86_MODE_CODE.COMPAT16]: 'compatibility mode (16-bit code)',
  [X86_MODE_CODE.COMPAT32]: 'compatibility mode (32-bit)',
  [X86_MODE_CODE.LONG64]: 'long mode (64-bit)',
}

/** What the deriver needs of the hart. */
export interface X86TracedHart {
  readonly ram: Uint8Array
  watchPage(pa: bigint, on?: boolean): void
  getReg(name: 'cr0' | 'cr3' | 'cr4' | 'efer'): bigint
}

export class X86SemanticEvents {
  /** The paging registers as the records have left them (CR and MSR records keep it current). */
  private regs: X86PagingRegisters
  private readonly tablePages = new Map<bigint, { level: number; vaBase: bigint; entryBytes: number; mode: TranslationMode }>()
  private readonly regionsSeen = new Set<bigint>()
  /** Linear ranges where the active table maps its own pages (a recursive entry), from the last activation. */
  private recursiveRanges: { from: bigint; to: bigint }[] = []
  private readonly symbol: (pc: bigint) => string | null
  /** The paging-register writes of the instruction being read (see `consume`). */
  private pendingChange?: { step: bigint; register: string; old: bigint; new: bigint; from: X86PagingMode }

  constructor(
    private readonly sink: EventSink,
    private readonly hart: X86TracedHart,
    kernel?: ElfFile,
  ) {
    this.regs = { cr0: hart.getReg('cr0'), cr3: hart.getReg('cr3'), cr4: hart.getReg('cr4'), efer: hart.getReg('efer') }
    this.symbol = placeNamer(kernel)
  }

  consume(records: X86TraceRecord[]): void {
    for (const r of records) {
      // One instruction may write several paging registers (mov cr0 with EFER.LME also sets EFER.LMA):
      // its paging change is reported once, after all of them.
      if (this.pendingChange && (r.step !== this.pendingChange.step || !this.isPagingRecord(r))) this.flushPagingChange()
      this.one(r)
    }
    this.flushPagingChange()
  }

  private isPagingRecord(r: X86TraceRecord): boolean {
    return (r.kind === X86_TRACE_KIND.CR && (r.aux === 0 || r.aux === 4)) || (r.kind === X86_TRACE_KIND.MSR && Number(r.a) === MSRS.IA32_EFER.num)
  }

  private one(r: X86TraceRecord): void {
    switch (r.kind) {
      case X86_TRACE_KIND.CR:
        return this.controlRegister(r)
      case X86_TRACE_KIND.MSR:
        return this.msr(r)
      case X86_TRACE_KIND.FAR:
        return this.farTransfer(r)
      case X86_TRACE_KIND.DTR:
        return this.descriptorTable(r)
      case X86_TRACE_KIND.EXC:
        return this.exception(r)
      case X86_TRACE_KIND.IRET: {
        const size = (r.aux >> 16) & 0xff
        this.sink.event(r.step, 'trap_return', hex(r.a), {
          instruction: size === 64 ? 'iretq' : size === 16 ? 'iret' : 'iretd',
          from: `ring ${r.aux & 3}`,
          to: `ring ${(r.aux >> 8) & 3}`,
          target: hex(r.b),
        })
        return
      }
      case X86_TRACE_KIND.MODE: {
        const from = MODE_NAMES[r.aux & 0xff] ?? `mode ${r.aux & 0xff}`
        const to = MODE_NAMES[(r.aux >> 8) & 0xff] ?? `mode ${(r.aux >> 8) & 0xff}`
        this.sink.event(r.step, 'mode_change', hex(r.a), { from, to, rip: hex(r.a) })
        return
      }
      case X86_TRACE_KIND.INVLPG:
        this.sink.event(r.step, 'sfence_vma', null, { vaddr: r.aux === 0 ? hex(r.a) : null, asid: null, instruction: r.aux === 0 ? 'invlpg' : r.aux === 2 ? 'TLB flush (globals kept)' : 'TLB flush' })
        return
      case X86_TRACE_KIND.STORE:
        return this.store(r)
      case X86_TRACE_KIND.REGION: {
        const region = r.b >> BigInt(X86_REGION_SHIFT)
        if (this.regionsSeen.has(region)) return
        this.regionsSeen.add(region)
        this.sink.event(r.step, 'region_enter', hex(r.b), {
          region: r.b >= 0xffff_8000_0000_0000n || (r.b >= 0xc000_0000n && r.b < 1n << 32n) ? 'higher half' : `low memory (${hex(region << BigInt(X86_REGION_SHIFT))})`,
          va: hex(r.b),
          symbol: this.symbol(r.b),
        })
        return
      }
    }
  }

  private controlRegister(r: X86TraceRecord): void {
    if (r.aux === 3) {
      const old: SatpValue = decodeCr3(this.regs)
      this.regs = { ...this.regs, cr3: r.d }
      const now = decodeCr3(this.regs)
      this.sink.event(r.step, 'cr3_write', null, { old, new: now })
      if (now.mode !== 'Bare') this.activate(r.step)
    } else if (r.aux === 0) {
      this.controlBits(r, 'CR0', CR0_BITS)
      this.pagingRegister(r, 'cr0', 'CR0')
    } else if (r.aux === 4) {
      this.controlBits(r, 'CR4', CR4_BITS)
      this.pagingRegister(r, 'cr4', 'CR4')
    }
  }

  /** The named bits a CR0/CR4/EFER write set and cleared (nothing when none changed, e.g. a rewrite of the same value). */
  private controlBits(r: X86TraceRecord, register: string, fields: readonly BitField[]): void {
    const set: string[] = []
    const cleared: string[] = []
    for (const f of fields) {
      if (f.width !== 1) continue
      const m = 1n << BigInt(f.bit)
      if ((r.c & m) === (r.d & m)) continue
      ;(r.d & m ? set : cleared).push(f.name)
    }
    if (set.length || cleared.length) this.sink.event(r.step, 'control_bits', null, { register, old: hex(r.c), new: hex(r.d), set, cleared })
  }

  private msr(r: X86TraceRecord): void {
    const num = Number(r.a)
    if (num === MSRS.IA32_EFER.num) {
      this.controlBits(r, 'EFER', EFER_BITS)
      this.pagingRegister(r, 'efer', 'EFER')
      return
    }
    const info = msrByNumber(num)
    this.sink.event(r.step, 'msr_write', null, { msr: info?.name ?? `MSR ${hex(num)}`, number: hex(num), old: hex(r.c), new: hex(r.d), summary: info?.summary ?? 'an MSR the hart keeps' })
  }

  /** A far transfer that loaded CS: the instruction, the CS change and the mode and ring it enters. */
  private farTransfer(r: X86TraceRecord): void {
    const instruction = FAR_WORDS[Number(r.c)]
    if (!instruction) return // the host setting CS (the loader's entry state) is not the guest's
    const oldCs = r.aux & 0xffff
    const newCs = (r.aux >>> 16) & 0xffff
    const modeCode = Number(r.d)
    this.sink.event(r.step, 'far_transfer', hex(r.a), {
      instruction,
      fromCs: hex(oldCs),
      toCs: hex(newCs),
      from: hex(r.a),
      to: hex(r.b),
      mode: MODE_NAMES[modeCode] ?? `mode ${modeCode}`,
      ring: `ring ${modeCode === X86_MODE_CODE.REAL16 ? 0 : newCs & 3}`,
    })
  }

  /** lgdt/lidt/lldt/ltr: the table read (through paging when it is on) and decoded at the step of the load. */
  private descriptorTable(r: X86TraceRecord): void {
    const instruction = DTR_WORDS[r.aux] ?? `descriptor table ${r.aux}`
    const long = (this.regs.efer & EFER_LMA) !== 0n
    const limit = Number(r.b & 0xffffffffn)
    const bytes = this.readLinear(r.a, Math.min(limit + 1, MAX_TABLE_BYTES))
    let rows: DescriptorLine[] | undefined
    if (bytes) {
      if (r.aux === DTR_WHICH.IDTR) rows = idtLines(bytes, long, this.symbol)
      else if (r.aux === DTR_WHICH.TR) rows = tssLines(bytes, long, this.symbol)
      else rows = gdtLines(bytes, long)
    }
    const entries = rows
      ? rows.slice(0, MAX_TABLE_ROWS).map((x) => `${x.name}: ${x.text}`).concat(rows.length > MAX_TABLE_ROWS ? [`… ${rows.length - MAX_TABLE_ROWS} more`] : [])
      : [`the table at ${hex(r.a)} could not be read: its linear addresses are not mapped or not in RAM`]
    const selector = r.aux === DTR_WHICH.TR || r.aux === DTR_WHICH.LDTR ? hex(Number(r.c & 0xffffn)) : null
    this.sink.event(r.step, 'descriptor_table', null, { instruction, base: hex(r.a), limit: hex(limit), selector, entries })
  }

  /** `length` bytes at linear address `lin` as the CPU sees them now, or undefined when a page is not mapped. */
  private readLinear(lin: bigint, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length)
    const mem = ramReader(this.hart.ram, 0n)
    for (let done = 0; done < length; ) {
      const va = lin + BigInt(done)
      const t = translateX86(mem, this.regs, va, { access: 'load', cpl: 0 })
      if (!t.ok) return undefined
      const pa = Number(BigInt(t.pa))
      const chunk = Math.min(length - done, 0x1000 - Number(va & 0xfffn))
      if (pa + chunk > this.hart.ram.length) return undefined
      out.set(this.hart.ram.subarray(pa, pa + chunk), done)
      done += chunk
    }
    return out
  }

  /** A CR0/CR4/EFER write: a paging_change (and the table walked) when the paging mode changes, once per instruction. */
  private pagingRegister(r: X86TraceRecord, key: 'cr0' | 'cr4' | 'efer', name: string): void {
    if (!this.pendingChange) this.pendingChange = { step: r.step, register: name, old: r.c, new: r.d, from: pagingMode(this.regs) }
    else if (this.pendingChange.register === name) this.pendingChange.new = r.d
    this.regs = { ...this.regs, [key]: r.d }
  }

  private flushPagingChange(): void {
    const p = this.pendingChange
    if (!p) return
    this.pendingChange = undefined
    const to = pagingMode(this.regs)
    if (p.from === to) return
    const root = decodeCr3(this.regs).root
    this.sink.event(p.step, 'paging_change', null, { register: p.register, old: hex(p.old), new: hex(p.new), from: p.from, to, root })
    if (to !== 'Bare') this.activate(p.step)
  }

  /** Walks the table now in force, records it, and watches its pages for entry writes. */
  private activate(step: bigint): void {
    const walk = walkTableX86(ramReader(this.hart.ram, 0n), this.regs)
    const mode = pagingMode(this.regs) as TranslationMode
    this.sink.event(step, 'page_table_activated', null, { mode, root: walk.root, mappings: walk.mappings })
    this.recursiveRanges = walk.mappings.filter((m) => m.pageSize === 'recursive').map((m) => ({ from: BigInt(m.va), to: BigInt(m.va) + BigInt(m.size) }))
    const entryBytes = mode === '32-bit' ? 4 : 8
    for (const t of walk.tables) {
      if (!this.tablePages.has(t.pa)) this.hart.watchPage(t.pa, true)
      this.tablePages.set(t.pa, { level: t.level, vaBase: t.vaBase, entryBytes, mode })
    }
  }

  private exception(r: X86TraceRecord): void {
    const vector = r.aux & 0xff
    const flags = r.aux >> EXC_FLAG_SHIFT
    const external = (flags & EXC_FLAG.EXTERNAL) !== 0
    const software = (flags & EXC_FLAG.SOFTWARE) !== 0
    const errorCode = flags & EXC_FLAG.ERROR_CODE ? Number(r.a) : null
    let detail: string
    if (vector === VECTOR_BY_MNEMONIC.PF) detail = `CR2 = ${hex(r.b)} (${describePageFaultError(errorCode ?? 0)})`
    else if (errorCode !== null) detail = `error code ${hex(errorCode)}`
    else detail = software ? 'software interrupt (int n)' : 'no error code'
    this.sink.event(r.step, 'trap', hex(r.c), {
      cause: hex(vector),
      causeName: external ? `IRQ vector ${vector} (${hex(vector)})` : vectorName(vector) + (flags & EXC_FLAG.DOUBLE ? ' (as #DF)' : ''),
      interrupt: external || (flags & EXC_FLAG.NMI) !== 0,
      tval: detail,
      epc: hex(r.c),
      from: `ring ${(r.aux >> 8) & 3}`,
      to: `ring ${(r.aux >> 10) & 3}`,
    })
  }

  private store(r: X86TraceRecord): void {
    const page = r.a & ~0xfffn
    const table = this.tablePages.get(page)
    if (!table) return
    if (r.c === r.d || ((r.c ^ r.d) & ~ENTRY_AD_BITS) === 0n) return
    const index = (r.a & 0xfffn) / BigInt(table.entryBytes)
    const bits = table.mode === '32-bit' ? [22n, 12n] : table.mode === 'PAE' ? [30n, 21n, 12n] : [39n, 30n, 21n, 12n]
    const shift = bits[bits.length - 1 - table.level] ?? 12n
    const va = table.vaBase + index * (1n << shift)
    const span = 1n << shift
    const present = (r.d & 1n) !== 0n
    const levels = FORMATS[table.mode as keyof typeof FORMATS]?.levels
    const tableName = table.mode === '4-level' || table.mode === '5-level' ? `P${table.level + 1}` : (levels?.[levels.length - 1 - table.level]?.table ?? `level ${table.level}`)
    const recursive = this.recursiveRanges.some((x) => r.b >= x.from && r.b < x.to)
    this.sink.event(r.step, 'pte_write', null, {
      pa: hex(r.a),
      old: hex(r.c),
      new: hex(r.d),
      flags: present ? x86EntryFlags(r.d) : 'not present',
      level: table.level,
      vaRange: `${hex(va)}–${hex(va + span - 1n)}`,
      entry: `${tableName} entry of ${hex(va)}`,
      ...(recursive ? { recursive: hex(r.b) } : {}),
      effect: this.entryEffect(r, table, va, span),
    })
  }

  /** What an entry write does to the address space, in words. */
  private entryEffect(r: X86TraceRecord, table: { level: number; entryBytes: number }, va: bigint, span: bigint): string {
    const wasPresent = (r.c & 1n) !== 0n
    const present = (r.d & 1n) !== 0n
    const what = span === 0x1000n ? `the page at ${hex(va)}` : `${hex(va)}–${hex(va + span - 1n)}`
    if (!present) {
      if (!wasPresent) return `${what} stays unmapped`
      const neighbour = (delta: number) => {
        const at = Number(r.a) + delta * table.entryBytes
        if (Number(r.a & ~0xfffn) !== (at & ~0xfff) || at < 0 || at + table.entryBytes > this.hart.ram.length) return false
        return (this.hart.ram[at] & 1) !== 0
      }
      if (table.level === 0 && neighbour(-1) && neighbour(1)) return `${what} is unmapped: a guard page between mapped pages — an access there faults`
      return `${what} is unmapped: an access there faults`
    }
    const target = r.d & 0x000f_ffff_ffff_f000n
    if (!wasPresent) return `${what} is mapped (${table.level === 0 || (r.d & 0x80n) !== 0n ? `to PA ${hex(target)}` : `through the table at PA ${hex(target)}`})`
    return `${what} is remapped or its permissions change`
  }
}
