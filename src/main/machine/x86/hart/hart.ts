/**
 * The host side of the x86 hart: loads the wasm build (untraced or traced) and implements
 * `X86HartApi` over the module's exports and its linear memory. Registers and the state block
 * are read and written directly in wasm memory at offsets the module reports; only the state-slot
 * numbers below mirror assembly/layout.ts (a test checks them).
 */
import { readFileSync, existsSync } from 'node:fs'
import { wasmFile } from '../../wasm-file'
import {
  X86HartExit, X86_GPR_NAMES, X86_SEGMENT_NAMES, X86_HART_MSRS,
  type X86HartApi, type X86HartOptions, type X86IoAccess, type X86MmioAccess, type X86MsrAccess, type X86RegName,
  type X86Segment, type X86SegmentName, type X86TableRegister, type X86Mode, type X86PagingMode, type X86ProbeAccess,
  type X86ProbeResult, type X86TripleFault, type X86FaultRecord, type X86UndefinedOpcode, type X86DeliveryStep,
} from './hart-api'
import { TRACE_RECORD_BYTES, X86_MODE_CODE, X86_TRACE_KIND, type X86TraceKind } from './trace-layout'
import { X86_ROWS } from '../../../../shared/isa/x86/index'
import type { DebugStops } from '../../core/boot-machine'

/** State-slot numbers: must equal the `S_* = STATE + n * 8` slots of assembly/layout.ts. */
export const SLOT = {
  rip: 0, flags: 1, instret: 2, timeOffset: 3, cr0: 4, cr2: 5, cr3: 6, cr4: 7, cr8: 8, efer: 9,
  dr0: 10, dr1: 11, dr2: 12, dr3: 13, dr6: 14, dr7: 15, gdtrBase: 16, gdtrLimit: 17, idtrBase: 18, idtrLimit: 19,
  cpl: 20, mode: 21, kernelGsBase: 36, fcw: 48, fsw: 49, ftw: 50, ftop: 51, mxcsr: 52,
  intrLine: 56, nmiPending: 57, nmiBlocked: 58, halted: 59, shadowAt: 60, ackVector: 61,
  ioPort: 64, ioSize: 65, ioWrite: 66, ioValue: 67, ioString: 68, ioRep: 69,
  mmioAddr: 70, mmioSize: 71, mmioWrite: 72, mmioValue: 73, mmioFetch: 74, msrNum: 75, msrWrite: 76, msrValue: 77,
  ansCount: 78, ansStep: 79, exitWaiting: 80, stopOnUnimpl: 84, haltOnInt3: 85, strictTlb: 86, stopRequested: 87,
  ramSize: 88, traceRegionShift: 90, traceWalks: 91, ringHead: 92, ringTail: 93, lastRip: 94, traceRegion: 95,
  shutdown: 96, tfStep: 97, tfChain: 98, udValid: 124, udRip: 125, udReason: 126, udRow: 127, udStep: 128, udLen: 129,
  udBytes: 130, traceSkip: 208,
} as const
/** u64 slots per fault record (deliver.ts FR_*). */
const FAULT_SLOTS = 8
const DELIVERY_STEPS: readonly (X86DeliveryStep | null)[] = [null, 'idt', 'gate', 'code-segment', 'tss', 'stack-segment', 'stack', 'handler']

export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024
const SNAPSHOT_MAGIC = 0x36385842 // "BX86"
const PAGE_BYTES = 4096
const SEG_BYTES = 64
const U64 = (1n << 64n) - 1n

// The project's lib settings (ES2023, no DOM) do not declare WebAssembly; this is the part we use.
interface WasmModule { readonly __wasmModule?: never }
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (m: WasmModule, imports: object) => { exports: unknown }
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

interface X86Exports {
  memory: { buffer: ArrayBuffer }
  init(ramSize: bigint): number
  reset(): void
  run(maxSteps: bigint): number
  invalidateCaches(): void
  completeIo(v: bigint): void
  completeMmio(v: bigint): void
  completeMsr(v: bigint, fault: number): void
  acknowledgeInterrupt(vector: number): void
  raiseNmi(): void
  setIntrLine(level: number): void
  getRflags(): bigint
  setRflags(v: bigint): void
  setSegment(i: number, sel: bigint, base: bigint, limit: bigint, attrs: bigint): void
  setControl(which: number, v: bigint): void
  getMsr(num: number): bigint
  msrKnown(): number
  setMsr(num: number, v: bigint): number
  cpuid(leaf: number, sub: number): void
  cpuidA(): number
  cpuidB(): number
  cpuidC(): number
  cpuidD(): number
  probe(lin: bigint, write: number, fetch: number, user: number): number
  probePa(): bigint
  time(): bigint
  advanceTime(steps: bigint): void
  setDevicePages(first: number, count: number, on: number): void
  setWatchedPage(page: number, on: number): void
  clearDirty(): void
  afterStateLoad(): void
  layoutRegs(): number
  layoutXmm(): number
  layoutSegs(): number
  layoutState(): number
  layoutStateBytes(): number
  layoutRam(): number
  layoutPageFlags(): number
  layoutRing(): number
  layoutRingRecords(): bigint
  layoutStateSlot(i: number): number
  layoutFetchBuf(): number
  layoutScratch(): number
  decodeBytes(n: number, mode: bigint): number
  isTraced(): number
  debugStopsClear(): void
  debugBreakpointAdd(lin: bigint): number
  debugWatchAdd(pa: bigint, length: number, kinds: number): number
  debugSkip(rip: bigint, instret: bigint, breakpoint: number, watch: number): void
}

const modules = new Map<string, WasmModule>()

/** Where `npm run build:wasm` puts the modules. */
export function x86WasmPath(trace: boolean): string {
  return wasmFile(trace ? 'x86-hart-trace' : 'x86-hart')
}

function compiled(trace: boolean): WasmModule {
  // BOOTSCOPE_X86_WASM / BOOTSCOPE_X86_TRACE_WASM = path loads another untraced / traced build (benchmarks, profiling builds with names).
  const other = trace ? process.env.BOOTSCOPE_X86_TRACE_WASM : process.env.BOOTSCOPE_X86_WASM
  const file = other ? other : x86WasmPath(trace)
  let m = modules.get(file)
  if (!m) {
    if (!existsSync(file)) throw new Error(`x86 hart wasm not built: ${file} is missing — run \`npm run build:wasm\``)
    m = new WA.Module(readFileSync(file))
    modules.set(file, m)
  }
  return m
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v)
const i64 = (v: bigint): bigint => BigInt.asIntN(64, v)
const MODE_NAMES: Record<number, X86Mode> = {
  [X86_MODE_CODE.REAL16]: 'real', [X86_MODE_CODE.PROTECTED16]: 'protected', [X86_MODE_CODE.PROTECTED32]: 'protected',
  [X86_MODE_CODE.COMPAT16]: 'compat', [X86_MODE_CODE.COMPAT32]: 'compat', [X86_MODE_CODE.LONG64]: 'long',
}

/** Register names that live in a state slot. */
const REG_SLOTS: Partial<Record<X86RegName, keyof typeof SLOT>> = {
  rip: 'rip', cr2: 'cr2', cr8: 'cr8', dr0: 'dr0', dr1: 'dr1', dr2: 'dr2', dr3: 'dr3', dr6: 'dr6', dr7: 'dr7',
  kernel_gs_base: 'kernelGsBase', mxcsr: 'mxcsr', fcw: 'fcw', ftw: 'ftw',
}

/** One x86 hart instance with its own wasm memory (RAM included). */
export class X86Hart implements X86HartApi {
  readonly traced: boolean
  private readonly x: X86Exports
  private readonly ramSize: number
  private dv: DataView
  /** drainTrace's buffer (reused: see drainTrace). */
  private drained = new Uint8Array(0)

  constructor(opts: Partial<X86HartOptions> = {}) {
    this.traced = !!opts.trace
    const instance = new WA.Instance(compiled(this.traced), {
      env: { abort: () => { throw new Error('x86 hart wasm aborted') } },
    })
    this.x = instance.exports as unknown as X86Exports
    this.ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE
    if (this.ramSize % PAGE_BYTES !== 0) throw new Error(`ramSize must be a multiple of 4 KiB, got ${this.ramSize}`)
    if (this.ramSize > 3 * 1024 * 1024 * 1024) throw new Error(`ramSize must be at most 3 GiB, got ${this.ramSize}`)
    const rc = this.x.init(BigInt(this.ramSize))
    if (rc !== 0) throw new Error(`x86 hart init failed (${rc === 1 ? 'cannot grow wasm memory' : 'static data overlaps the fixed layout'})`)
    this.dv = new DataView(this.x.memory.buffer)
    for (const r of opts.deviceRanges ?? []) this.setDeviceRange(r.base, r.size, true)
  }

  private view(): DataView {
    if (this.dv.buffer !== this.x.memory.buffer) this.dv = new DataView(this.x.memory.buffer)
    return this.dv
  }
  private slotAddr(name: keyof typeof SLOT): number {
    return this.x.layoutStateSlot(SLOT[name])
  }
  private slot(name: keyof typeof SLOT): bigint {
    return this.view().getBigUint64(this.slotAddr(name), true)
  }
  private setSlot(name: keyof typeof SLOT, v: bigint): void {
    this.view().setBigUint64(this.slotAddr(name), u64(v), true)
  }

  run(maxSteps: number): X86HartExit {
    return this.x.run(BigInt(maxSteps)) as X86HartExit
  }
  get instret(): bigint { return this.slot('instret') }
  get time(): bigint { return u64(this.x.time()) }
  advanceTime(steps: bigint): void { this.x.advanceTime(i64(steps)) }

  get ram(): Uint8Array { return new Uint8Array(this.x.memory.buffer, this.x.layoutRam(), this.ramSize) }
  setDeviceRange(base: bigint, size: number, isDevice: boolean): void {
    const first = Number(base / BigInt(PAGE_BYTES))
    const last = Math.ceil((Number(base) + size) / PAGE_BYTES)
    this.x.setDevicePages(first, last - first, isDevice ? 1 : 0)
  }

  get io(): X86IoAccess {
    return {
      port: Number(this.slot('ioPort')), size: Number(this.slot('ioSize')) as 1 | 2 | 4, isWrite: this.slot('ioWrite') !== 0n,
      value: Number(this.slot('ioValue')), string: this.slot('ioString') !== 0n, rep: this.slot('ioRep') !== 0n,
    }
  }
  completeIo(value: number): void { this.x.completeIo(BigInt(value >>> 0)) }
  get mmio(): X86MmioAccess {
    return {
      addr: this.slot('mmioAddr'), size: Number(this.slot('mmioSize')) as 1 | 2 | 4 | 8, isWrite: this.slot('mmioWrite') !== 0n,
      value: this.slot('mmioValue'), isFetch: this.slot('mmioFetch') !== 0n,
    }
  }
  completeMmio(value: bigint): void { this.x.completeMmio(i64(value)) }
  get msr(): X86MsrAccess {
    return { msr: Number(this.slot('msrNum')), isWrite: this.slot('msrWrite') !== 0n, value: this.slot('msrValue') }
  }
  completeMsr(value: bigint | null): void { this.x.completeMsr(i64(value ?? 0n), value === null ? 1 : 0) }

  get intrLine(): boolean { return this.slot('intrLine') !== 0n }
  set intrLine(level: boolean) { this.x.setIntrLine(level ? 1 : 0) }
  acknowledgeInterrupt(vector: number | null): void { this.x.acknowledgeInterrupt(vector === null ? -1 : vector & 0xff) }
  raiseNmi(): void { this.x.raiseNmi() }
  get halted(): boolean { return this.slot('halted') !== 0n }
  set halted(on: boolean) { this.setSlot('halted', on ? 1n : 0n) }
  get interruptible(): boolean {
    return (this.getReg('rflags') & 0x200n) !== 0n && !(this.slot('shadowAt') === this.instret && this.instret !== 0n)
  }

  getGpr(i: number): bigint { return this.view().getBigUint64(this.x.layoutRegs() + i * 8, true) }
  setGpr(i: number, v: bigint): void { this.view().setBigUint64(this.x.layoutRegs() + i * 8, u64(v), true) }

  getReg(name: X86RegName): bigint {
    const g = (X86_GPR_NAMES as readonly string[]).indexOf(name)
    if (g >= 0) return this.getGpr(g)
    switch (name) {
      case 'rflags': return u64(this.x.getRflags())
      case 'cr0': return this.slot('cr0')
      case 'cr3': return this.slot('cr3')
      case 'cr4': return this.slot('cr4')
      case 'efer': return this.slot('efer')
      case 'fs_base': return this.getSegment('fs').base
      case 'gs_base': return this.getSegment('gs').base
      case 'fsw': return (this.slot('fsw') & ~0x3800n) | ((this.slot('ftop') & 7n) << 11n)
      default: return this.slot(REG_SLOTS[name]!)
    }
  }
  setReg(name: X86RegName, v: bigint): void {
    const g = (X86_GPR_NAMES as readonly string[]).indexOf(name)
    if (g >= 0) return this.setGpr(g, v)
    switch (name) {
      case 'rflags': this.x.setRflags(i64(v | 2n)); return
      case 'cr0': this.x.setControl(0, i64(v)); return
      case 'cr3': this.x.setControl(3, i64(v)); return
      case 'cr4': this.x.setControl(4, i64(v)); return
      case 'efer': this.x.setControl(9, i64(v)); return
      case 'fs_base': this.setMsr(X86_HART_MSRS.IA32_FS_BASE, v); return
      case 'gs_base': this.setMsr(X86_HART_MSRS.IA32_GS_BASE, v); return
      case 'fsw': this.setSlot('fsw', v & ~0x3800n); this.setSlot('ftop', (v >> 11n) & 7n); return
      default: this.setSlot(REG_SLOTS[name]!, v)
    }
  }

  getSegment(name: X86SegmentName): X86Segment {
    const at = this.x.layoutSegs() + X86_SEGMENT_NAMES.indexOf(name) * SEG_BYTES
    const dv = this.view()
    return {
      selector: Number(dv.getBigUint64(at, true)), base: dv.getBigUint64(at + 8, true),
      limit: Number(dv.getBigUint64(at + 16, true)), attrs: Number(dv.getBigUint64(at + 24, true)),
    }
  }
  setSegment(name: X86SegmentName, seg: X86Segment): void {
    this.x.setSegment(X86_SEGMENT_NAMES.indexOf(name), BigInt(seg.selector & 0xffff), i64(seg.base), BigInt(seg.limit >>> 0), BigInt(seg.attrs >>> 0))
  }
  get gdtr(): X86TableRegister { return { base: this.slot('gdtrBase'), limit: Number(this.slot('gdtrLimit')) } }
  set gdtr(t: X86TableRegister) { this.setSlot('gdtrBase', t.base); this.setSlot('gdtrLimit', BigInt(t.limit & 0xffff)) }
  get idtr(): X86TableRegister { return { base: this.slot('idtrBase'), limit: Number(this.slot('idtrLimit')) } }
  set idtr(t: X86TableRegister) { this.setSlot('idtrBase', t.base); this.setSlot('idtrLimit', BigInt(t.limit & 0xffff)) }

  getXmm(i: number): Uint8Array {
    const at = this.x.layoutXmm() + i * 16
    return new Uint8Array(this.x.memory.buffer, at, 16).slice()
  }
  setXmm(i: number, bytes: Uint8Array): void {
    new Uint8Array(this.x.memory.buffer, this.x.layoutXmm() + i * 16, 16).set(bytes.subarray(0, 16))
  }
  getMsr(num: number): bigint | undefined {
    const v = this.x.getMsr(num >>> 0)
    return this.x.msrKnown() ? u64(v) : undefined
  }
  setMsr(num: number, v: bigint): void {
    if (!this.x.setMsr(num >>> 0, i64(v))) throw new Error(`setMsr: MSR 0x${(num >>> 0).toString(16)} is not one the hart owns`)
  }
  cpuid(leaf: number, subleaf = 0): { eax: number; ebx: number; ecx: number; edx: number } {
    this.x.cpuid(leaf >>> 0, subleaf >>> 0)
    return { eax: this.x.cpuidA() >>> 0, ebx: this.x.cpuidB() >>> 0, ecx: this.x.cpuidC() >>> 0, edx: this.x.cpuidD() >>> 0 }
  }

  get mode(): X86Mode { return MODE_NAMES[Number(this.slot('mode'))] }
  get codeSize(): 16 | 32 | 64 {
    const m = Number(this.slot('mode'))
    return m === X86_MODE_CODE.LONG64 ? 64 : m === X86_MODE_CODE.PROTECTED32 || m === X86_MODE_CODE.COMPAT32 ? 32 : 16
  }
  get cpl(): number { return Number(this.slot('cpl')) }
  get pagingMode(): X86PagingMode {
    if ((this.slot('cr0') & 0x80000000n) === 0n) return 'none'
    if ((this.slot('efer') & 0x400n) !== 0n) return '4-level'
    return (this.slot('cr4') & 0x20n) !== 0n ? 'pae' : '32-bit'
  }

  probe(va: bigint, access: X86ProbeAccess = {}): X86ProbeResult {
    const r = this.x.probe(i64(va), access.write ? 1 : 0, access.fetch ? 1 : 0, access.user ?? this.cpl === 3 ? 1 : 0)
    if (r !== 0) return { ok: false, errorCode: r - 1 }
    return { ok: true, pa: u64(this.x.probePa()), pageSize: PAGE_BYTES }
  }

  get tripleFault(): X86TripleFault | null {
    if (this.slot('shutdown') === 0n) return null
    const base = this.slotAddr('tfChain')
    const dv = this.view()
    const rec = (i: number): X86FaultRecord => {
      const at = base + i * FAULT_SLOTS * 8
      const q = (k: number): bigint => dv.getBigUint64(at + k * 8, true)
      return {
        vector: Number(q(0)), errorCode: q(1) === U64 ? null : Number(q(1)), rip: q(2), cs: Number(q(3)), cr2: q(4),
        during: DELIVERY_STEPS[Number(q(5))] ?? null, address: q(6) === U64 ? null : q(6),
      }
    }
    return { faults: [rec(0), rec(1), rec(2)], step: this.slot('tfStep') }
  }
  get undefinedOpcode(): X86UndefinedOpcode | null {
    if (this.slot('udValid') === 0n) return null
    const len = Number(this.slot('udLen'))
    const row = Number(BigInt.asIntN(64, this.slot('udRow')))
    return {
      rip: this.slot('udRip'), bytes: new Uint8Array(this.x.memory.buffer, this.slotAddr('udBytes'), len).slice(),
      reason: this.slot('udReason') === 2n ? 'unimplemented' : 'invalid',
      mnemonic: row >= 0 && row < X86_ROWS.length ? X86_ROWS[row].mnemonic : null, step: this.slot('udStep'),
    }
  }
  get stopOnUnimplemented(): boolean { return this.slot('stopOnUnimpl') !== 0n }
  set stopOnUnimplemented(on: boolean) { this.setSlot('stopOnUnimpl', on ? 1n : 0n) }
  get haltOnInt3(): boolean { return this.slot('haltOnInt3') !== 0n }
  set haltOnInt3(on: boolean) { this.setSlot('haltOnInt3', on ? 1n : 0n) }
  requestStop(): void { this.setSlot('stopRequested', 1n) }
  setDebugStops(stops: DebugStops): boolean {
    this.x.debugStopsClear()
    let ok = true
    for (const lin of stops.breakpoints) ok = !!this.x.debugBreakpointAdd(i64(lin)) && ok
    for (const w of stops.watches) ok = !!this.x.debugWatchAdd(i64(w.pa), w.length, (w.write ? 1 : 0) | (w.read ? 2 : 0)) && ok
    return ok
  }
  skipDebugStop(kinds: { breakpoint: boolean; watch: boolean }): void {
    this.x.debugSkip(i64(this.getReg('rip')), i64(this.instret), kinds.breakpoint ? 1 : 0, kinds.watch ? 1 : 0)
  }
  get strictTlb(): boolean { return this.slot('strictTlb') !== 0n }
  set strictTlb(on: boolean) {
    this.setSlot('strictTlb', on ? 1n : 0n)
    this.x.invalidateCaches()
  }

  reset(): void { this.x.reset() }
  invalidateCaches(): void { this.x.invalidateCaches() }

  // ---- checkpoints ----

  snapshot(): Uint8Array {
    const state = this.saveState()
    const out = new Uint8Array(12 + state.length + this.ramSize)
    const dv = new DataView(out.buffer)
    dv.setUint32(0, SNAPSHOT_MAGIC, true)
    dv.setUint32(4, state.length, true)
    dv.setUint32(8, this.ramSize / PAGE_BYTES, true)
    out.set(state, 12)
    out.set(this.ram, 12 + state.length)
    return out
  }
  restore(snap: Uint8Array): void {
    const dv = new DataView(snap.buffer, snap.byteOffset, snap.byteLength)
    const stateBytes = this.x.layoutStateBytes()
    if (dv.getUint32(0, true) !== SNAPSHOT_MAGIC) throw new Error('restore: not an x86 hart snapshot')
    if (dv.getUint32(4, true) !== stateBytes || dv.getUint32(8, true) * PAGE_BYTES !== this.ramSize) {
      throw new Error('restore: snapshot layout or RAM size differs from this hart')
    }
    this.ram.set(snap.subarray(12 + stateBytes, 12 + stateBytes + this.ramSize))
    this.loadState(snap.subarray(12, 12 + stateBytes))
    this.markAllDirty()
  }
  saveState(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.layoutState(), this.x.layoutStateBytes()).slice()
  }
  loadState(state: Uint8Array): void {
    if (state.length !== this.x.layoutStateBytes()) throw new Error('loadState: the state layout differs from this hart')
    // The trace ring belongs to the recorder, not to the guest: keep its cursors.
    const head = this.slot('ringHead')
    const tail = this.slot('ringTail')
    new Uint8Array(this.x.memory.buffer).set(state, this.x.layoutState())
    this.setSlot('ringHead', head)
    this.setSlot('ringTail', tail)
    this.x.afterStateLoad()
  }
  dirtyPages(): number[] {
    const flags = new Uint8Array(this.x.memory.buffer, this.x.layoutPageFlags(), this.ramSize / PAGE_BYTES)
    const out: number[] = []
    for (let i = 0; i < flags.length; i++) if (flags[i] & 1) out.push(i)
    return out
  }
  clearDirty(): void { this.x.clearDirty() }
  private markAllDirty(): void {
    const flags = new Uint8Array(this.x.memory.buffer, this.x.layoutPageFlags(), this.ramSize / PAGE_BYTES)
    for (let i = 0; i < flags.length; i++) flags[i] |= 1
  }

  // ---- tracing (traced build) ----

  watchPage(pa: bigint, on = true): void {
    if (pa < 0n || pa >= BigInt(this.ramSize)) return
    this.x.setWatchedPage(Number(pa / BigInt(PAGE_BYTES)), on ? 1 : 0)
  }
  get regionShift(): number { return Number(this.slot('traceRegionShift')) }
  set regionShift(shift: number) {
    this.setSlot('traceRegionShift', BigInt(shift))
    this.setSlot('traceRegion', U64)
  }
  get traceWalks(): boolean { return this.slot('traceWalks') !== 0n }
  set traceWalks(on: boolean) { this.setSlot('traceWalks', on ? 1n : 0n) }
  get traceKinds(): readonly X86TraceKind[] {
    const skip = this.slot('traceSkip')
    return Object.values(X86_TRACE_KIND).filter((k) => ((skip >> BigInt(k)) & 1n) === 0n)
  }
  set traceKinds(kinds: readonly X86TraceKind[]) {
    let skip = 0n
    for (const k of Object.values(X86_TRACE_KIND)) if (!kinds.includes(k)) skip |= 1n << BigInt(k)
    this.setSlot('traceSkip', skip)
  }
  drainTrace(): Uint8Array {
    const head = this.slot('ringHead')
    const tail = this.slot('ringTail')
    const n = Number(head - tail)
    if (n === 0) return new Uint8Array(0)
    const cap = Number(this.x.layoutRingRecords())
    const ring = new Uint8Array(this.x.memory.buffer, this.x.layoutRing(), cap * TRACE_RECORD_BYTES)
    // One buffer, reused: a fresh one per drain (up to 3 MiB) costs the host more than the run itself.
    if (this.drained.length < cap * TRACE_RECORD_BYTES) this.drained = new Uint8Array(cap * TRACE_RECORD_BYTES)
    const out = this.drained.subarray(0, n * TRACE_RECORD_BYTES)
    // At most two contiguous runs: tail … the ring's end, then its start … head.
    const first = Number(tail % BigInt(cap))
    const before = Math.min(n, cap - first)
    out.set(ring.subarray(first * TRACE_RECORD_BYTES, (first + before) * TRACE_RECORD_BYTES), 0)
    if (n > before) out.set(ring.subarray(0, (n - before) * TRACE_RECORD_BYTES), before * TRACE_RECORD_BYTES)
    this.setSlot('ringTail', head)
    return out
  }

  /** The hart decoder's view of an instruction's bytes in a mode (tests and tools): length, or a negative DEC_* code. */
  decode(bytes: Uint8Array, codeSize: 16 | 32 | 64): { length: number; row: number; op: number } {
    new Uint8Array(this.x.memory.buffer, this.x.layoutFetchBuf(), 16).set(bytes.subarray(0, 16))
    const mode = codeSize === 64 ? X86_MODE_CODE.LONG64 : codeSize === 32 ? X86_MODE_CODE.PROTECTED32 : X86_MODE_CODE.REAL16
    const length = this.x.decodeBytes(Math.min(bytes.length, 16), BigInt(mode))
    const e = this.x.layoutScratch()
    return { length, row: this.view().getUint16(e + 56, true), op: this.view().getUint16(e + 24, true) }
  }
}

/** Creates an x86 hart (128 MiB of RAM from physical 0 unless told otherwise). */
export function createX86Hart(opts: Partial<X86HartOptions> = {}): X86Hart {
  return new X86Hart(opts)
}
