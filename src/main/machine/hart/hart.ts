/**
 * The host side of the hart: loads the wasm build (untraced or traced), and implements
 * `HartApi` over the module's exports and its linear memory. Registers and the state block
 * are read and written directly in wasm memory at offsets the module reports, so nothing here
 * hard-codes the AssemblyScript layout except the state-slot numbers below (a test checks them
 * against assembly/layout.ts).
 */
import { readFileSync, existsSync } from 'node:fs'
import { wasmFile as builtWasm } from '../wasm-file'
import type { HartApi, HartEngine, HartOptions, MmioAccess, TrapInfo } from './hart-api'
import { HartExit } from './hart-api'
import { TRACE_RECORD_BYTES } from './trace-layout'
import type { DebugStops } from '../core/boot-machine'
import { BlockEngine, type BlockStats, type WasmTable } from '../blocks/block-engine'

/** State-slot numbers: must equal the `S_* = STATE + n * 8` slots of assembly/layout.ts. */
export const SLOT = {
  pc: 0, priv: 1, instret: 2, mstatus: 3, mie: 4, mipSw: 5, mipLines: 6, medeleg: 7, mideleg: 8,
  mtvec: 9, stvec: 10, mscratch: 11, sscratch: 12, mepc: 13, sepc: 14, mcause: 15, scause: 16, mtval: 17, stval: 18,
  satp: 19, mcounteren: 20, scounteren: 21, menvcfg: 22, senvcfg: 23, fcsr: 24, mtimeOffset: 25, mtimecmp: 26,
  msip: 27, resValid: 28, resAddr: 29, mcycleDelta: 30, minstretDelta: 31, firmwareTraps: 32, haltOnEbreak: 33,
  strictTlb: 34, ramBase: 35, ramSize: 36, trapCause: 37, trapTval: 38, trapEpc: 39, trapFromPriv: 40,
  mmioAddr: 41, mmioSize: 42, mmioIsWrite: 43, mmioValue: 44, mmioIsFetch: 45, mmioRd: 46, mmioKind: 47,
  mmioVa: 48, mmioLen: 49, traceRegionShift: 50, traceWalks: 51, ringHead: 52, ringTail: 53, lastPc: 54,
  stopRequested: 55, mhartid: 56, traceRegion: 57, mmioPending: 58, pendingExc: 59, pendingCause: 60, pendingTval: 61,
  uartMirrorBase: 96, uartMirrorRegs: 97, uartMirrorPure: 98, uartMirrorIdle: 99, uartPollReg: 100, uartPolling: 101,
  uartPollSince: 102, uartPollLimit: 103,
  chainEpc: 120, chainCause: 121, chainTval: 122,
} as const

const NO_RECORDS = new Uint8Array(0)

export const DEFAULT_RAM_BASE = 0x8000_0000n
export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024
/** Retired instructions per mtime tick (assembly/timer.ts TIME_RATIO; 10 MHz timebase at 100 MIPS). */
export const TIME_RATIO = 10
const SNAPSHOT_MAGIC = 0x31485342 // "BSH1"
const PAGE_BYTES = 4096

// The project's lib settings (ES2023, no DOM) do not declare WebAssembly; this is the part we use.
interface WasmModule { readonly __wasmModule?: never }
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (m: WasmModule, imports: object) => { exports: unknown }
  Table: new (desc: { initial: number; element: 'anyfunc' }) => WasmTable
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

interface HartExports {
  memory: { buffer: ArrayBuffer }
  init(ramBase: bigint, ramSize: bigint): number
  reset(): void
  run(maxSteps: bigint): number
  invalidateCaches(): void
  completeMmio(value: bigint, fault: number): void
  getCsr(num: number): bigint
  csrExists(num: number): number
  setCsr(num: number, v: bigint): number
  resumeAt(pc: bigint, priv: bigint): void
  setPriv(priv: bigint): void
  setInterruptLine(bit: number, level: number): void
  getMtime(): bigint
  setMtime(v: bigint): void
  setWatchedPage(page: number, on: number): void
  setExitPage(page: number, on: number): void
  debugStopsClear(): void
  debugBreakpointAdd(pc: bigint): number
  debugWatchAdd(pa: bigint, length: number, kinds: number): number
  debugSkip(pc: bigint, instret: bigint, breakpoint: number, watch: number): void
  clearDirty(): void
  layoutRegs(): number
  layoutFregs(): number
  layoutState(): number
  layoutStateBytes(): number
  layoutRam(): number
  layoutRom(): number
  layoutRomSize(): number
  layoutPageFlags(): number
  layoutRing(): number
  layoutRingRecords(): bigint
  layoutRingRecordBytes(): number
  layoutStateSlot(i: number): number
  layoutBlockCtl(): number
  layoutBlockMap(): number
  layoutBlockHot(): number
  layoutTlb(): number
  layoutPageFlagCompiled(): number
  armPage(pagePa: bigint): void
  /** Compiled code's TLB refill (assembly/blocks.ts); passed to compiled regions as their `env.refill`. */
  blockRefill: unknown
  /** Compiled code's read-only CSR access (assembly/blocks.ts); compiled regions' `env.csrRead`. */
  blockCsrRead: unknown
  blockMmioRead: unknown
  layoutBlockCsrValue(): number
  isTraced(): number
  decodeWord(w: number): number
}

const modules = new Map<string, WasmModule>()

/** Where `npm run build:wasm` puts the modules. */
export function wasmPath(trace: boolean): string {
  return builtWasm(trace ? 'hart-trace' : 'hart')
}

function compiled(trace: boolean, path?: string): WasmModule {
  const file = path ?? wasmPath(trace)
  let m = modules.get(file)
  if (!m) {
    if (!existsSync(file)) throw new Error(`hart wasm not built: ${file} is missing — run \`npm run build:wasm\``)
    m = new WA.Module(readFileSync(file))
    modules.set(file, m)
  }
  return m
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v)

/**
 * The engine a hart uses when its options do not say: BOOTSCOPE_ENGINE=blocks|interpreter, else
 * compiled blocks (the default since the test suites ran green under it; docs/block-compiler.md).
 */
export function defaultEngine(): HartEngine {
  const v = typeof process === 'undefined' ? undefined : process.env.BOOTSCOPE_ENGINE
  if (v === undefined || v === '' || v === 'blocks') return 'blocks'
  if (v === 'interpreter') return 'interpreter'
  throw new Error(`BOOTSCOPE_ENGINE=${v}: expected 'interpreter' or 'blocks'`)
}

/** One RV64GC hart instance with its own wasm memory (RAM included). */
export class Hart implements HartApi {
  readonly traced: boolean
  private readonly x: HartExports
  private readonly regs: number
  private readonly fregs: number
  private readonly ramOff: number
  private readonly ramSize: number
  private readonly ramBase: bigint
  private dv: DataView
  /** The block compiler when the engine is 'blocks'. */
  private readonly blocks?: BlockEngine
  readonly engine: HartEngine

  constructor(opts: Partial<HartOptions> = {}, wasmFile?: string) {
    this.traced = !!opts.trace
    this.engine = opts.engine ?? defaultEngine()
    // The hart's function table: compiled blocks are added to it (call_indirect from the run loop).
    const table = new WA.Table({ initial: 1, element: 'anyfunc' })
    const instance = new WA.Instance(compiled(this.traced, wasmFile), {
      env: {
        abort: () => {
          throw new Error('hart wasm aborted')
        },
        table,
        compileBlock: (pc: bigint, pa: bigint) => this.blocks?.request(u64(pc), u64(pa)),
      },
    })
    this.x = instance.exports as unknown as HartExports
    this.ramBase = opts.ramBase ?? DEFAULT_RAM_BASE
    this.ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE
    if (this.ramSize % PAGE_BYTES !== 0) throw new Error(`ramSize must be a multiple of 4 KiB, got ${this.ramSize}`)
    const rc = this.x.init(this.ramBase, BigInt(this.ramSize))
    if (rc !== 0) throw new Error(`hart init failed (${rc === 1 ? 'cannot grow wasm memory' : 'static data overlaps the fixed layout'})`)
    this.regs = this.x.layoutRegs()
    this.fregs = this.x.layoutFregs()
    this.ramOff = this.x.layoutRam()
    this.dv = new DataView(this.x.memory.buffer)
    if (this.engine === 'blocks') {
      const x = this.x
      const tlb = x.layoutTlb()
      this.blocks = new BlockEngine({
        memory: x.memory,
        table,
        traced: this.traced,
        ramBase: this.ramBase,
        ramSize: this.ramSize,
        layout: {
          regs: this.regs, pc: x.layoutStateSlot(SLOT.pc), instret: x.layoutStateSlot(SLOT.instret),
          lastPc: x.layoutStateSlot(SLOT.lastPc), tlbLoad: tlb + 256 * 32, tlbStore: tlb + 2 * 256 * 32,
          blockCtl: x.layoutBlockCtl(), blockMap: x.layoutBlockMap(), blockHot: x.layoutBlockHot(), csrValue: x.layoutBlockCsrValue(),
          pageFlags: x.layoutPageFlags(), pageFlagCompiled: x.layoutPageFlagCompiled(), ram: this.ramOff,
        },
        decode: (word) => this.decode(word),
        armPage: (pagePa) => x.armPage(BigInt.asIntN(64, pagePa)),
        refill: x.blockRefill,
        csrRead: x.blockCsrRead,
        mmioRead: x.blockMmioRead,
      }, opts.hotThreshold, opts.compileBudget)
    }
  }

  /** Compiled-code statistics (engine 'blocks'), else undefined. */
  get blockStats(): BlockStats | undefined {
    return this.blocks?.stats()
  }

  private view(): DataView {
    if (this.dv.buffer !== this.x.memory.buffer) this.dv = new DataView(this.x.memory.buffer)
    return this.dv
  }
  /** Where state slot 0 is in the wasm memory (slots are 8 bytes apart: `layoutStateSlot`); read once, the exits read slots often. */
  private slotBase = -1
  private slotAt(name: keyof typeof SLOT): number {
    if (this.slotBase < 0) this.slotBase = this.x.layoutStateSlot(0)
    return this.slotBase + SLOT[name] * 8
  }
  private slot(name: keyof typeof SLOT): bigint {
    return this.view().getBigUint64(this.slotAt(name), true)
  }
  private setSlot(name: keyof typeof SLOT, v: bigint): void {
    this.view().setBigUint64(this.slotAt(name), u64(v), true)
  }

  run(maxSteps: number): HartExit {
    this.blocks?.beforeRun()
    return this.x.run(BigInt(maxSteps)) as HartExit
  }
  get instret(): bigint {
    return this.slot('instret')
  }

  get ram(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.ramOff, this.ramSize)
  }
  get rom(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.layoutRom(), this.x.layoutRomSize())
  }

  get mmio(): MmioAccess {
    return {
      addr: this.slot('mmioAddr'),
      size: Number(this.slot('mmioSize')) as 1 | 2 | 4 | 8,
      isWrite: this.slot('mmioIsWrite') !== 0n,
      value: this.slot('mmioValue'),
      isFetch: this.slot('mmioIsFetch') !== 0n,
    }
  }
  completeMmio(value: bigint, fault = false): void {
    this.x.completeMmio(BigInt.asIntN(64, value), fault ? 1 : 0)
  }

  getX(i: number): bigint {
    if (i === 0) return 0n
    return this.view().getBigUint64(this.regs + i * 8, true)
  }
  setX(i: number, v: bigint): void {
    if (i !== 0) this.view().setBigUint64(this.regs + i * 8, u64(v), true)
  }
  getF(i: number): bigint {
    return this.view().getBigUint64(this.fregs + i * 8, true)
  }
  setF(i: number, v: bigint): void {
    this.view().setBigUint64(this.fregs + i * 8, u64(v), true)
  }
  get pc(): bigint {
    return this.slot('pc')
  }
  set pc(v: bigint) {
    this.setSlot('pc', v)
  }
  get priv(): number {
    return Number(this.slot('priv'))
  }
  set priv(p: number) {
    this.x.setPriv(BigInt(p))
  }
  getCsr(num: number): bigint | undefined {
    if (!this.x.csrExists(num)) return undefined
    return u64(this.x.getCsr(num))
  }
  setCsr(num: number, v: bigint): void {
    if (!this.x.setCsr(num, BigInt.asIntN(64, v))) throw new Error(`setCsr: CSR 0x${num.toString(16)} is not implemented`)
  }

  get firmwareTraps(): boolean {
    return this.slot('firmwareTraps') !== 0n
  }
  set firmwareTraps(on: boolean) {
    this.setSlot('firmwareTraps', on ? 1n : 0n)
  }
  /** When on, `ebreak` stops the run with HartExit.Halt (pc stays on the ebreak) instead of trapping. */
  get haltOnEbreak(): boolean {
    return this.slot('haltOnEbreak') !== 0n
  }
  set haltOnEbreak(on: boolean) {
    this.setSlot('haltOnEbreak', on ? 1n : 0n)
  }
  /**
   * Strict TLB: satp writes do not flush the TLB (only sfence.vma does), so a kernel that forgets
   * its fence after changing page tables sees stale translations, as it may on real hardware.
   * Off by default (QEMU flushes on every satp write). Privilege changes still flush.
   */
  get strictTlb(): boolean {
    return this.slot('strictTlb') !== 0n
  }
  set strictTlb(on: boolean) {
    this.setSlot('strictTlb', on ? 1n : 0n)
  }
  get trap(): TrapInfo {
    return {
      cause: this.slot('trapCause'),
      tval: this.slot('trapTval'),
      epc: this.slot('trapEpc'),
      fromPriv: Number(this.slot('trapFromPriv')),
    }
  }
  /** `trap.cause` alone (a firmware trap's first question). */
  get trapCause(): bigint {
    return this.slot('trapCause')
  }
  get trapChainStart(): { epc: bigint; cause: bigint; tval: bigint } {
    return { epc: this.slot('chainEpc'), cause: this.slot('chainCause'), tval: this.slot('chainTval') }
  }
  resumeAt(pc: bigint, priv: number): void {
    this.x.resumeAt(BigInt.asIntN(64, pc), BigInt(priv))
  }

  setInterruptLine(bit: number, level: boolean): void {
    this.x.setInterruptLine(bit, level ? 1 : 0)
  }
  get mtime(): bigint {
    return u64(this.x.getMtime())
  }
  set mtime(v: bigint) {
    this.x.setMtime(BigInt.asIntN(64, v))
  }
  get mtimecmp(): bigint {
    return this.slot('mtimecmp')
  }
  set mtimecmp(v: bigint) {
    this.setSlot('mtimecmp', v)
  }
  get msip(): boolean {
    return this.slot('msip') !== 0n
  }
  set msip(on: boolean) {
    this.setSlot('msip', on ? 1n : 0n)
  }

  mirrorUart(base: bigint, pollRegister: number): void {
    this.setSlot('uartMirrorBase', base)
    this.setSlot('uartPollReg', BigInt(pollRegister))
  }
  publishUart(registers: Uint8Array, pure: number, inputIdle: boolean): void {
    let v = 0n
    for (let i = registers.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(registers[i])
    this.setSlot('uartMirrorRegs', v)
    this.setSlot('uartMirrorPure', BigInt(pure))
    this.setSlot('uartMirrorIdle', inputIdle ? 1n : 0n)
  }
  get inputPollSince(): bigint | undefined {
    return this.slot('uartPolling') !== 0n ? this.slot('uartPollSince') : undefined
  }
  set inputPollSince(since: bigint | undefined) {
    this.setSlot('uartPolling', since === undefined ? 0n : 1n)
    this.setSlot('uartPollSince', since ?? 0n)
  }
  get inputPollLimit(): bigint {
    return this.slot('uartPollLimit')
  }
  set inputPollLimit(ticks: bigint) {
    this.setSlot('uartPollLimit', ticks)
  }

  /** Drops TLBs and pre-decoded instructions: call after writing guest code through `ram`/`rom` once the hart has run. */
  setDebugStops(stops: DebugStops): boolean {
    this.x.debugStopsClear()
    let ok = true
    // Compiled code stops before the same pcs (docs/block-compiler.md, "Debugger stops"); the engine's pcs are unsigned.
    this.blocks?.setStopPcs(stops.breakpoints.map((pc) => BigInt.asUintN(64, pc)))
    for (const pc of stops.breakpoints) ok = !!this.x.debugBreakpointAdd(BigInt.asIntN(64, pc)) && ok
    for (const w of stops.watches) ok = !!this.x.debugWatchAdd(BigInt.asIntN(64, w.pa), w.length, (w.write ? 1 : 0) | (w.read ? 2 : 0)) && ok
    return ok
  }
  skipDebugStop(kinds: { breakpoint: boolean; watch: boolean }): void {
    this.x.debugSkip(BigInt.asIntN(64, this.pc), BigInt.asIntN(64, this.instret), kinds.breakpoint ? 1 : 0, kinds.watch ? 1 : 0)
  }

  invalidateCaches(): void {
    this.x.invalidateCaches()
  }
  /** Architectural reset (M-mode at 0x1000); RAM and ROM contents are kept. */
  reset(): void {
    this.x.reset()
  }

  /** The hart decoder's view of one instruction word (rd = 32 means x0: writes go to a dummy slot). */
  decode(word: number): DecodedInstruction {
    const e = this.x.decodeWord(word >>> 0)
    const dv = this.view()
    return {
      op: dv.getUint16(e + 16, true),
      rd: dv.getUint16(e + 18, true) >> 3,
      rs1: dv.getUint16(e + 20, true) >> 3,
      rs2: dv.getUint16(e + 22, true) >> 3,
      rs3: dv.getUint8(e + 29),
      len: dv.getUint8(e + 28),
      imm: dv.getBigInt64(e + 8, true),
    }
  }

  // ---- checkpoints ----

  snapshot(): Uint8Array {
    const stateOff = this.x.layoutState()
    const stateBytes = this.x.layoutStateBytes()
    const romBytes = this.x.layoutRomSize()
    const header = 16
    const out = new Uint8Array(header + stateBytes + romBytes + this.ramSize)
    const dv = new DataView(out.buffer)
    dv.setUint32(0, SNAPSHOT_MAGIC, true)
    dv.setUint32(4, stateBytes, true)
    dv.setUint32(8, romBytes, true)
    dv.setUint32(12, this.ramSize / PAGE_BYTES, true)
    const mem = new Uint8Array(this.x.memory.buffer)
    out.set(mem.subarray(stateOff, stateOff + stateBytes), header)
    out.set(this.rom, header + stateBytes)
    out.set(this.ram, header + stateBytes + romBytes)
    return out
  }

  restore(state: Uint8Array): void {
    const dv = new DataView(state.buffer, state.byteOffset, state.byteLength)
    const stateOff = this.x.layoutState()
    const stateBytes = this.x.layoutStateBytes()
    const romBytes = this.x.layoutRomSize()
    if (dv.getUint32(0, true) !== SNAPSHOT_MAGIC) throw new Error('restore: not a hart snapshot')
    if (dv.getUint32(4, true) !== stateBytes || dv.getUint32(8, true) !== romBytes || dv.getUint32(12, true) * PAGE_BYTES !== this.ramSize) {
      throw new Error('restore: snapshot layout or RAM size differs from this hart')
    }
    // The trace ring belongs to the recorder, not to the guest: keep its cursors.
    const head = this.slot('ringHead')
    const tail = this.slot('ringTail')
    const mem = new Uint8Array(this.x.memory.buffer)
    mem.set(state.subarray(16, 16 + stateBytes), stateOff)
    this.rom.set(state.subarray(16 + stateBytes, 16 + stateBytes + romBytes))
    this.ram.set(state.subarray(16 + stateBytes + romBytes, 16 + stateBytes + romBytes + this.ramSize))
    this.setSlot('ringHead', head)
    this.setSlot('ringTail', tail)
    this.x.invalidateCaches()
    this.markAllDirty()
  }

  /** The hart's state without RAM and ROM (registers, CSRs, CLINT): replay checkpoints keep RAM as page deltas. */
  saveState(): Uint8Array {
    const off = this.x.layoutState()
    return new Uint8Array(this.x.memory.buffer, off, this.x.layoutStateBytes()).slice()
  }

  /** Puts back a `saveState` (RAM is the caller's business); cached translations and decodes are dropped. */
  loadState(state: Uint8Array): void {
    if (state.length !== this.x.layoutStateBytes()) throw new Error('loadState: the state layout differs from this hart')
    const head = this.slot('ringHead')
    const tail = this.slot('ringTail')
    new Uint8Array(this.x.memory.buffer).set(state, this.x.layoutState())
    this.setSlot('ringHead', head)
    this.setSlot('ringTail', tail)
    this.x.invalidateCaches()
  }

  /** Indices (from ramBase, 4 KiB each) of RAM pages written since the last `clearDirty`. */
  dirtyPages(): number[] {
    const flags = new Uint8Array(this.x.memory.buffer, this.x.layoutPageFlags(), this.ramSize / PAGE_BYTES)
    const out: number[] = []
    for (let i = 0; i < flags.length; i++) if (flags[i] & 1) out.push(i)
    return out
  }
  clearDirty(): void {
    this.x.clearDirty()
  }
  private markAllDirty(): void {
    const flags = new Uint8Array(this.x.memory.buffer, this.x.layoutPageFlags(), this.ramSize / PAGE_BYTES)
    for (let i = 0; i < flags.length; i++) flags[i] |= 1
  }

  // ---- tracing (traced build) ----

  /** Records stores into the RAM page holding physical address `pa` (traced build). */
  watchPage(pa: bigint, on = true): void {
    const off = pa - this.ramBase
    if (off < 0n || off >= BigInt(this.ramSize)) return
    this.x.setWatchedPage(Number(off / BigInt(PAGE_BYTES)), on ? 1 : 0)
  }
  /** Stores to the RAM page holding `pa` end `run` right after the storing instruction (a value the host watches, like tohost). */
  exitOnStore(pa: bigint, on = true): void {
    const off = pa - this.ramBase
    if (off < 0n || off >= BigInt(this.ramSize)) return
    this.x.setExitPage(Number(off / BigInt(PAGE_BYTES)), on ? 1 : 0)
  }
  /** Records a REGION event when the pc enters a new (pc >> shift) region; 0 turns it off (e.g. 21 = 2 MiB). */
  set regionShift(shift: number) {
    this.setSlot('traceRegionShift', BigInt(shift))
    this.setSlot('traceRegion', -1n)
  }
  /** Records every PTE the walker reads (WALK events). */
  set traceWalks(on: boolean) {
    this.setSlot('traceWalks', on ? 1n : 0n)
  }
  /** Copies out and consumes every record in the ring (raw bytes, see trace-layout.ts). */
  drainTrace(): Uint8Array {
    const head = this.slot('ringHead')
    const tail = this.slot('ringTail')
    const n = Number(head - tail)
    if (n === 0) return NO_RECORDS // most exits (SBI calls, devices) trace nothing
    const cap = Number(this.x.layoutRingRecords())
    const ring = new Uint8Array(this.x.memory.buffer, this.x.layoutRing(), cap * TRACE_RECORD_BYTES)
    const out = new Uint8Array(n * TRACE_RECORD_BYTES)
    for (let i = 0; i < n; i++) {
      const idx = Number((tail + BigInt(i)) % BigInt(cap))
      out.set(ring.subarray(idx * TRACE_RECORD_BYTES, (idx + 1) * TRACE_RECORD_BYTES), i * TRACE_RECORD_BYTES)
    }
    this.setSlot('ringTail', head)
    return out
  }
}

/** One pre-decoded instruction, as the execute loop sees it (compressed ones already expanded). */
export interface DecodedInstruction {
  /** Op id from decode.generated.ts (0 = illegal). */
  op: number
  rd: number
  rs1: number
  rs2: number
  rs3: number
  /** Encoded length in bytes (2 or 4). */
  len: number
  imm: bigint
}

/** Decodes a 16- or 32-bit instruction word with the hart's own decoder (for tests and tools). */
export function decodeInstruction(hart: Hart, word: number): DecodedInstruction {
  return hart.decode(word)
}

/** Creates a hart with QEMU virt defaults (RAM at 0x8000_0000, 128 MiB). */
export function createHart(opts: Partial<HartOptions> = {}): Hart {
  return new Hart(opts)
}
