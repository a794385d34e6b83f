/**
 * Where in the kernel's source an address is, in words: the function (with the inlined call it is
 * inside) and the source line, from the recording's line table and DWARF functions — for the
 * timeline's event texts ("first instruction in the .text … — in `kernel_main` (main.c:42)"),
 * fault explanations and anything else that names code by address. Which address an event is
 * about depends on its kind: a trap is about its epc, a return about where it returns to, a new
 * region about its first instruction; otherwise the PC of the instruction that caused it.
 */
import type { SourceLoc } from '../api/result'
import type { TraceEvent } from './events'
import { describeFrames, FunctionMap, type FunctionRange } from './function-map'
import { SourceMap, type SegmentAddresses, type SourceLine } from './source-map'

export interface CodePlace {
  /** The address, hex. */
  pc: string
  /** "kernel_main", "write_satp (inlined into kernel_main)". */
  function?: string
  loc?: SourceLoc
}

/** The loaded segments (link ↔ load address) the recording's `segment_loaded` events name. */
export function segmentsOf(events: TraceEvent[]): SegmentAddresses[] {
  return events
    .filter((e): e is TraceEvent<'segment_loaded'> => e.kind === 'segment_loaded')
    .map((e) => ({ vaddr: BigInt(e.data.vaddr), paddr: BigInt(e.data.paddr), memsz: BigInt(e.data.memsz) }))
}

/** The address an event is about in the code (see the file's comment), or null. */
export function codeAddressOf(e: TraceEvent): string | null {
  switch (e.kind) {
    case 'region_enter':
      return (e as TraceEvent<'region_enter'>).data.va
    case 'trap':
      return (e as TraceEvent<'trap'>).data.epc
    case 'trap_return':
      return (e as TraceEvent<'trap_return'>).data.target
    case 'firmware_handoff':
      return (e as TraceEvent<'firmware_handoff'>).data.entry
    case 'mode_change':
      return (e as TraceEvent<'mode_change'>).data.rip
    case 'segment_loaded':
    case 'uart_output':
    case 'page_table_activated':
      return null
    default:
      return e.pc
  }
}

/**
 * Kinds the recorder writes without a PC whose cause is the instruction about to run at the
 * event's step (a csrw satp, an sfence.vma, a store into a page table, a mov to CR0/CR3/CR4): a
 * caller that can read the state at that step takes the PC from there.
 */
export const CAUSED_AT_STEP: ReadonlySet<string> = new Set(['satp_write', 'sfence_vma', 'pte_write', 'cr3_write', 'paging_change'])

export class CodePlaces {
  private readonly lines: SourceMap
  private readonly functions: FunctionMap

  constructor(lines: SourceLine[], functions: FunctionRange[], segments: SegmentAddresses[] = []) {
    this.lines = new SourceMap(lines, segments)
    this.functions = new FunctionMap(functions, segments)
  }

  /** From a recording's overview (its line table, functions and segments). */
  static of(o: { sourceLines: SourceLine[]; functions?: FunctionRange[]; events: TraceEvent[] }): CodePlaces {
    return new CodePlaces(o.sourceLines, o.functions ?? [], segmentsOf(o.events))
  }

  /** True when there is nothing to name addresses with. */
  get empty(): boolean {
    return this.lines.size === 0 && this.functions.size === 0
  }

  /** The function and line at `pc`; undefined when neither is known. */
  at(pc: string | bigint): CodePlace | undefined {
    let address: bigint
    try {
      address = BigInt(pc)
    } catch {
      return undefined
    }
    const fn = describeFrames(this.functions.framesAt(address))
    const loc = this.lines.locate(address)
    if (!fn && !loc) return undefined
    return { pc: `0x${address.toString(16)}`, ...(fn ? { function: fn } : {}), ...(loc ? { loc } : {}) }
  }

  /** The place an event is about (codeAddressOf), when it is known. */
  ofEvent(e: TraceEvent): CodePlace | undefined {
    const pc = codeAddressOf(e)
    return pc ? this.at(pc) : undefined
  }
}

/** A POSIX path with `.` and `x/..` segments removed (DWARF joins `comp_dir` and `../lib/x.c` as they are). */
export function normalPath(p: string): string {
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '.' || (part === '' && out.length > 0)) continue
    const last = out[out.length - 1]
    if (part === '..' && last === '' && out.length === 1) continue // `/..` is `/`
    if (part === '..' && last !== undefined && last !== '..') out.pop()
    else out.push(part)
  }
  const joined = out.join('/')
  return joined || (p.startsWith('/') ? '/' : '.')
}

/** "in `kernel_main` (main.c:42)", "in `_start`", "at main.c:42"; `file` shortens the path shown. */
export function placeWords(p: CodePlace, file: (path: string) => string = (f) => f): string {
  const where = p.loc ? `${file(p.loc.file)}:${p.loc.line}` : undefined
  if (p.function) return `in \`${p.function}\`${where ? ` (${where})` : ''}`
  return where ? `at ${where}` : ''
}
