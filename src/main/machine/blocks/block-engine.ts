/**
 * The block compiler's host side (docs/block-compiler.md): answers the hart's compile requests
 * (a hot pc), finds and translates the blocks of that pc's code page (`riscv-region.ts`), compiles
 * the module with `new WebAssembly.Module` over the hart's own memory, puts the function into the
 * hart's table and its entries into the hart's entry map, and arms the page. It also keeps the
 * cache bounded (MAX_REGIONS, oldest evicted first), re-checks code bytes after the hart reports a
 * write into a compiled page (self-modifying code, DMA, fence.i, restore), and keeps stats.
 *
 * Runs synchronously inside the hart's run() (an imported call): nothing here may run guest code.
 */
import { INSTRUCTIONS } from '../../../shared/isa/index'
import { discoverBlocks, emitRegion, compiles, type GuestInstruction, type RegionEntry, type RegionLayout } from './riscv-region'

/** Compiled regions kept at once (one per code page and virtual address); the oldest is evicted past this. */
export const MAX_REGIONS = 512
/** A module larger than this is not compiled (the region caps keep real ones far below). */
export const MAX_MODULE_BYTES = 512 * 1024
/** A page compiled this many times more (each for a new entry) takes no more entries: its other pcs stay interpreted. */
export const MAX_RECOMPILES = 16
/** Slice starts at a pc before it is compiled. */
export const HOT_THRESHOLD = 512
/** A pc that cannot start compiled code is not asked about again for this many sightings. */
const BACKOFF_SIGHTINGS = 1 << 20
/**
 * Compile time budget: compiling may take at most this share of the process's CPU time since the
 * engine started (past COMPILE_BUDGET_FLOOR_MS of compiling). A request over budget is deferred —
 * its pc is asked about again after DEFER_SIGHTINGS more sightings — so a boot that runs much code
 * a few hundred times each (a Linux kernel's init) cannot spend its time in V8's compiler. Not
 * applied at hot threshold 1 (the tests' compile-everything mode). Which pcs get compiled then
 * depends on the host's speed; what the guest computes never does (compiled code is exact).
 */
export const COMPILE_BUDGET_SHARE = 0.25
export const COMPILE_BUDGET_FLOOR_MS = 100
const DEFER_SIGHTINGS = 1 << 14
/**
 * Runs (hart.run calls: slices) after a breakpoint is removed before the regions that stop at it are
 * dropped, unless it is set again meanwhile: a history search or a debugger re-arms the same
 * breakpoints between its runs, and keeps its compiled regions. A stale stop is only slower (one exit
 * per pass), never wrong.
 */
export const STALE_STOP_RUNS = 256
const ENTRY_BYTES = 32
const MAP_ENTRIES = 16384

// The project's lib settings (ES2023, no DOM) do not declare WebAssembly; this is the part we use.
export interface WasmTable { length: number; grow(n: number): number; set(i: number, f: unknown): void }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> }
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** What the engine needs from the hart it serves. */
export interface BlockHost {
  /** The hart's WebAssembly.Memory (imported by every compiled module). */
  memory: { buffer: ArrayBuffer }
  table: WasmTable
  traced: boolean
  layout: RegionLayout & { blockCtl: number; blockMap: number; blockHot: number; pageFlags: number; pageFlagCompiled: number; ram: number }
  ramBase: bigint
  ramSize: number
  /** The hart's decoder: op id (decode.generated.ts), operands, length. */
  decode(word: number): { op: number; rd: number; rs1: number; rs2: number; imm: bigint; len: number }
  armPage(pagePa: bigint): void
  /** The hart's blockRefill export (compiled code's TLB refill), imported by each region. */
  refill: unknown
  /** The hart's blockCsrRead export (compiled code's read-only CSR access). */
  csrRead: unknown
  /** The hart's blockMmioRead export (compiled byte loads the UART's mirror serves: line-status polling). */
  mmioRead: unknown
}

export interface BlockStats {
  regionsCompiled: number
  regionsLive: number
  evicted: number
  invalidated: number
  /** Compile requests put off because compiling had used its share of the CPU time (COMPILE_BUDGET_SHARE). */
  deferred: number
  /** Wall time spent compiling (emitting, WebAssembly.Module, Instance). */
  compileMs: number
  /** The process's CPU time spent meanwhile (V8's compiler threads included). */
  compileCpuMs: number
  moduleBytes: number
  /** Instructions retired by compiled code since the engine started. */
  compiledSteps: bigint
  /** Calls into compiled code. */
  entries: bigint
  /** How those calls ended: a jump out of the region, a stop before an instruction the interpreter runs, the slice budget. */
  exits: { left: bigint; slow: bigint; budget: bigint }
}

interface Region {
  key: string
  vpage: bigint
  ppage: bigint
  roots: Set<bigint>
  leaders: bigint[]
  /** Where each leader is compiled (function, entry number, straight-line length for the hart's budget check). */
  entries: RegionEntry[]
  /** The table slots of the region's functions. */
  fns: number[]
  /** The pcs of every compiled instruction, and those of them the hart asked about once (not block starts). */
  inside: Set<bigint>
  insideAsked: Set<bigint>
  /** The breakpoint pcs of its page when it was compiled (it stops before each). */
  stops: Set<bigint>
  /** Times this page was compiled again for a new entry pc. */
  recompiles: number
  /** Page offsets [lo, hi) of the compiled instructions, and their bytes when compiled. */
  lo: number
  hi: number
  bytes: Uint8Array
}

/** The process's CPU time in ms (all threads: V8's compiler threads included). */
function cpuMs(u: { user: number; system: number } = process.cpuUsage()): number {
  return (u.user + u.system) / 1000
}

const CTL = { on: 0, codeWritten: 8, threshold: 16, compiledSteps: 24, entries: 32, left: 48, slow: 56, budget: 64 } as const
const OP_NAMES = ['', ...INSTRUCTIONS.map((r) => r.name.replace(/\.(aq|rl|aqrl)$/, ''))]

export class BlockEngine {
  private readonly regions = new Map<string, Region>()
  private readonly freeSlots: number[] = []
  private readonly stat = { regionsCompiled: 0, evicted: 0, invalidated: 0, deferred: 0, compileMs: 0, compileCpuMs: 0, moduleBytes: 0 }
  /** The process's CPU time (ms) when the engine started: the compile budget is a share of what was spent since. */
  private readonly cpuStartMs = cpuMs()

  /** A debugger's breakpoint pcs (virtual, as the hart sees them): compiled as stops before their instruction. */
  private stopPcs = new Set<bigint>()
  /** A breakpoint was removed: regions that stop at it are dropped after STALE_STOP_RUNS runs if it is still gone. */
  private staleStops = false
  private runsSinceStops = 0

  /** The compile time budget; none at hot threshold 1 (every pc compiled at first sight: the tests' mode) unless one is given. */
  private readonly budget?: { share: number; floorMs: number }

  constructor(private readonly host: BlockHost, hotThreshold = HOT_THRESHOLD, budget?: { share: number; floorMs: number }) {
    this.budget = budget ?? (hotThreshold > 1 ? { share: COMPILE_BUDGET_SHARE, floorMs: COMPILE_BUDGET_FLOOR_MS } : undefined)
    const dv = this.view()
    dv.setBigUint64(host.layout.blockCtl + CTL.threshold, BigInt(Math.max(1, hotThreshold)), true)
    dv.setBigUint64(host.layout.blockCtl + CTL.on, 1n, true)
  }

  /** Before each run: re-check pages the hart disarmed. */
  beforeRun(): void {
    if (this.view().getBigUint64(this.host.layout.blockCtl + CTL.codeWritten, true) !== 0n) this.revalidate()
    if (this.staleStops && ++this.runsSinceStops >= STALE_STOP_RUNS) this.dropStaleStops()
  }

  /**
   * A debugger's breakpoints changed (`CoreHart.setDebugStops`): from now on every region stops
   * before the instruction at each of `pcs` (virtual). A region that compiled one of them is dropped
   * (compiled again, with the stop, when hot); one that stops at a removed breakpoint is dropped at
   * the next run unless the breakpoint is back by then (`dropStaleStops`).
   */
  setStopPcs(pcs: readonly bigint[]): void {
    const next = new Set(pcs)
    for (const pc of this.stopPcs) if (!next.has(pc)) this.staleStops = true
    this.runsSinceStops = 0
    this.stopPcs = next
    // A region that compiled the instruction at a new breakpoint would run through it: dropped now.
    for (const r of [...this.regions.values()]) if (pcs.some((pc) => r.inside.has(pc))) this.drop(r)
  }

  /** The hart's compile request: `pc` (virtual) was hot at physical `pa`. */
  request(pc: bigint, pa: bigint): void {
    this.beforeRun()
    if (this.stopPcs.has(pc)) return // the hart does not enter compiled code at a breakpoint pc (it does not ask either)
    const vpage = pc & ~0xfffn
    const ppage = pa & ~0xfffn
    const key = `${vpage}:${ppage}`
    const old = this.regions.get(key)
    if (old?.leaders.includes(pc) && this.pageArmed(ppage)) {
      // Its map entry was taken by another pc with the same hash: put the region's entries back.
      this.register(old)
      return
    }
    if (old && old.inside.has(pc) && !old.insideAsked.has(pc)) {
      // Inside a compiled block: mostly where an interpreted pass happened to end. Only a second request recompiles.
      old.insideAsked.add(pc)
      return
    }
    const decode = this.decoder(vpage, ppage)
    const first = decode(pc)
    if (!first || !compiles(first)) {
      this.backOff(pa)
      return
    }
    if (old && old.recompiles >= MAX_RECOMPILES) {
      this.backOff(pa)
      return
    }
    const cpu0 = process.cpuUsage()
    const b = this.budget
    if (b && this.stat.compileCpuMs >= b.floorMs && this.stat.compileCpuMs > b.share * (cpuMs(cpu0) - this.cpuStartMs)) {
      this.stat.deferred++
      this.backOff(pa, DEFER_SIGHTINGS)
      return
    }
    const roots = new Set(old?.roots ?? [])
    roots.add(pc)
    const t0 = performance.now()
    const blocks = discoverBlocks([...roots], decode, this.stopPcs)
    const { bytes, functions, entries } = emitRegion(blocks, this.host.layout, this.host.traced)
    if (bytes.length > MAX_MODULE_BYTES) {
      this.backOff(pa)
      return
    }
    const instance = new WA.Instance(new WA.Module(bytes), { env: { memory: this.host.memory, refill: this.host.refill, csrRead: this.host.csrRead, mmioRead: this.host.mmioRead } })
    this.stat.compileMs += performance.now() - t0
    this.stat.compileCpuMs += cpuMs(process.cpuUsage(cpu0))
    this.stat.regionsCompiled++
    this.stat.moduleBytes += bytes.length
    if (old) this.drop(old)
    else if (this.regions.size >= MAX_REGIONS) this.evictOldest()
    const fns: number[] = []
    for (let k = 0; k < functions; k++) {
      fns.push(this.slot())
      this.host.table.set(fns[k], instance.exports[`run${k}`])
    }
    let lo = 4096
    let hi = 0
    const inside = new Set<bigint>()
    for (const b of blocks) {
      for (const ins of [...b.body, ...('ins' in b.tail ? [b.tail.ins] : [])]) {
        lo = Math.min(lo, Number(ins.pc - vpage))
        hi = Math.max(hi, Number(ins.pc - vpage) + ins.len)
        inside.add(ins.pc)
      }
    }
    const at = Number(ppage - this.host.ramBase)
    const region: Region = {
      key, vpage, ppage, roots, fns, lo, hi, recompiles: old ? old.recompiles + 1 : 0, inside, insideAsked: new Set(),
      stops: new Set([...this.stopPcs].filter((s) => (s & ~0xfffn) === vpage)),
      leaders: blocks.map((b) => b.start),
      entries,
      bytes: this.ram().slice(at + lo, at + Math.max(lo, hi)),
    }
    this.regions.set(key, region)
    this.register(region)
    this.host.armPage(ppage)
  }

  stats(): BlockStats {
    const dv = this.view()
    return {
      ...this.stat,
      compileMs: Math.round(this.stat.compileMs * 1000) / 1000,
      compileCpuMs: Math.round(this.stat.compileCpuMs * 1000) / 1000,
      regionsLive: this.regions.size,
      compiledSteps: dv.getBigUint64(this.host.layout.blockCtl + CTL.compiledSteps, true),
      entries: dv.getBigUint64(this.host.layout.blockCtl + CTL.entries, true),
      exits: {
        left: dv.getBigUint64(this.host.layout.blockCtl + CTL.left, true),
        slow: dv.getBigUint64(this.host.layout.blockCtl + CTL.slow, true),
        budget: dv.getBigUint64(this.host.layout.blockCtl + CTL.budget, true),
      },
    }
  }

  // ---- cache ----

  /** Drops the regions that stop before a pc that is no longer a breakpoint (correct, but slower: one exit per pass there). */
  private dropStaleStops(): void {
    for (const r of [...this.regions.values()]) if ([...r.stops].some((pc) => !this.stopPcs.has(pc))) this.drop(r)
    this.staleStops = false
  }

  private register(r: Region): void {
    const dv = this.view()
    r.leaders.forEach((pc, i) => {
      const pa = r.ppage + (pc - r.vpage)
      const e = this.entryAddr(pa)
      dv.setBigUint64(e, pa | 1n, true)
      dv.setBigUint64(e + 8, pc, true)
      const at = r.entries[i]
      dv.setUint32(e + 16, r.fns[at.fn], true)
      dv.setUint32(e + 20, at.index, true)
      dv.setUint32(e + 24, at.length, true)
    })
  }

  private drop(r: Region): void {
    const dv = this.view()
    for (const pc of r.leaders) {
      const pa = r.ppage + (pc - r.vpage)
      const e = this.entryAddr(pa)
      if (dv.getBigUint64(e, true) === (pa | 1n) && r.fns.includes(dv.getUint32(e + 16, true))) dv.setBigUint64(e, 0n, true)
    }
    for (const fn of r.fns) {
      this.host.table.set(fn, null)
      this.freeSlots.push(fn)
    }
    this.regions.delete(r.key)
  }

  private evictOldest(): void {
    const oldest = this.regions.values().next().value
    if (oldest) {
      this.drop(oldest)
      this.stat.evicted++
    }
  }

  private slot(): number {
    const free = this.freeSlots.pop()
    if (free !== undefined) return free
    const t = this.host.table
    return t.grow(1)
  }

  /** Pages the hart disarmed: re-arm those whose compiled bytes are unchanged, drop the others. */
  private revalidate(): void {
    const ram = this.ram()
    for (const r of [...this.regions.values()]) {
      if (this.pageArmed(r.ppage)) continue
      const at = Number(r.ppage - this.host.ramBase)
      const now = ram.subarray(at + r.lo, at + r.lo + r.bytes.length)
      if (now.every((b, i) => b === r.bytes[i])) {
        this.host.armPage(r.ppage)
      } else {
        this.drop(r)
        this.stat.invalidated++
      }
    }
    this.view().setBigUint64(this.host.layout.blockCtl + CTL.codeWritten, 0n, true)
  }

  // ---- helpers ----

  private decoder(vpage: bigint, ppage: bigint): (pc: bigint) => GuestInstruction | undefined {
    const ram = this.ram()
    const base = Number(ppage - this.host.ramBase)
    return (pc) => {
      const off = Number(pc - vpage)
      if (off < 0 || off >= 4096) return undefined
      const lo = ram[base + off] | (ram[base + off + 1] << 8)
      let word = lo
      if ((lo & 3) === 3) {
        if (off + 4 > 4096) return undefined
        word = (lo | (ram[base + off + 2] << 16) | (ram[base + off + 3] << 24)) >>> 0
      }
      const d = this.host.decode(word)
      return { pc, op: OP_NAMES[d.op] ?? '', rd: d.rd, rs1: d.rs1, rs2: d.rs2, imm: d.imm, len: d.len }
    }
  }

  private backOff(pa: bigint, sightings = BACKOFF_SIGHTINGS): void {
    const bucket = Number((pa >> 1n) & BigInt(MAP_ENTRIES - 1))
    this.view().setInt32(this.host.layout.blockHot + bucket * 4, -sightings, true)
  }

  private pageArmed(ppage: bigint): boolean {
    const page = Number((ppage - this.host.ramBase) >> 12n)
    return (new Uint8Array(this.host.memory.buffer)[this.host.layout.pageFlags + page] & this.host.layout.pageFlagCompiled) !== 0
  }

  private entryAddr(pa: bigint): number {
    return this.host.layout.blockMap + Number((pa >> 1n) & BigInt(MAP_ENTRIES - 1)) * ENTRY_BYTES
  }

  private view(): DataView {
    return new DataView(this.host.memory.buffer)
  }

  private ram(): Uint8Array {
    return new Uint8Array(this.host.memory.buffer, this.host.layout.ram, this.host.ramSize)
  }
}
