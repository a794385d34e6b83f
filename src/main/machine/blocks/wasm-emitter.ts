/**
 * A small WebAssembly binary emitter (WebAssembly Core Specification 2.0, chapter 5 "Binary
 * Format"): enough of the module format to build one compiled region — types, an imported memory,
 * functions with locals, exports — and a code builder for the instructions a translator needs.
 * Architecture-neutral: the RISC-V translator uses it, an x86 one can too.
 *
 * Structured control uses label objects instead of hand-counted depths: `block()`, `loop()` and
 * `if_()` return a label, `br(label)` computes the relative depth from the open-label stack, and
 * `end()` closes the innermost one — so a translator cannot get a branch depth wrong silently
 * (a branch to a label that is not open throws while emitting).
 */

/** Value types (5.3.1). */
export const I32 = 0x7f
export const I64 = 0x7e
export type ValType = typeof I32 | typeof I64
/** The empty block type (5.4.1). */
const BLOCK_EMPTY = 0x40

/** Opcodes by their text-format names (5.4). Only the ones translators use. */
export const OP = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d,
  br_table: 0x0e, return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  'local.get': 0x20, 'local.set': 0x21, 'local.tee': 0x22,
  'i32.load': 0x28, 'i64.load': 0x29, 'i32.load8_s': 0x2c, 'i32.load8_u': 0x2d, 'i32.load16_s': 0x2e, 'i32.load16_u': 0x2f,
  'i64.load8_s': 0x30, 'i64.load8_u': 0x31, 'i64.load16_s': 0x32, 'i64.load16_u': 0x33, 'i64.load32_s': 0x34,
  'i64.load32_u': 0x35, 'i32.store': 0x36, 'i64.store': 0x37, 'i32.store8': 0x3a, 'i32.store16': 0x3b,
  'i64.store8': 0x3c, 'i64.store16': 0x3d, 'i64.store32': 0x3e,
  'i32.const': 0x41, 'i64.const': 0x42,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49, 'i32.gt_s': 0x4a, 'i32.gt_u': 0x4b,
  'i32.le_s': 0x4c, 'i32.le_u': 0x4d, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'i64.eqz': 0x50, 'i64.eq': 0x51, 'i64.ne': 0x52, 'i64.lt_s': 0x53, 'i64.lt_u': 0x54, 'i64.gt_s': 0x55, 'i64.gt_u': 0x56,
  'i64.le_s': 0x57, 'i64.le_u': 0x58, 'i64.ge_s': 0x59, 'i64.ge_u': 0x5a,
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i32.div_s': 0x6d, 'i32.div_u': 0x6e, 'i32.rem_s': 0x6f,
  'i32.rem_u': 0x70, 'i32.and': 0x71, 'i32.or': 0x72, 'i32.xor': 0x73, 'i32.shl': 0x74, 'i32.shr_s': 0x75, 'i32.shr_u': 0x76,
  'i64.add': 0x7c, 'i64.sub': 0x7d, 'i64.mul': 0x7e, 'i64.div_s': 0x7f, 'i64.div_u': 0x80, 'i64.rem_s': 0x81,
  'i64.rem_u': 0x82, 'i64.and': 0x83, 'i64.or': 0x84, 'i64.xor': 0x85, 'i64.shl': 0x86, 'i64.shr_s': 0x87, 'i64.shr_u': 0x88,
  'i32.wrap_i64': 0xa7, 'i64.extend_i32_s': 0xac, 'i64.extend_i32_u': 0xad,
} as const
export type OpName = keyof typeof OP

/** Loads and stores by name → natural alignment exponent (used only as a hint; we pass 0: guest accesses may be misaligned). */
export type MemOp = Extract<OpName, `${string}.load${string}` | `${string}.store${string}`>

// ---- bytes ------------------------------------------------------------------------------------------

/** A growable byte buffer (typed, so building a module does not copy arrays of numbers around). */
export class Bytes {
  private buf = new Uint8Array(256)
  length = 0
  push(b: number): void {
    this.byte(b)
  }
  byte(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2)
      bigger.set(this.buf)
      this.buf = bigger
    }
    this.buf[this.length++] = b
  }
  append(other: Bytes | Uint8Array): void {
    const src = other instanceof Bytes ? other.view() : other
    while (this.length + src.length > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2)
      bigger.set(this.buf)
      this.buf = bigger
    }
    this.buf.set(src, this.length)
    this.length += src.length
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }
}

/** Where LEB128 encoders write (a Bytes, or a plain array in tests). */
export interface ByteSink { push(b: number): unknown }

// ---- LEB128 (5.2.2) ----------------------------------------------------------------------------

export function unsignedLeb<T extends ByteSink = number[]>(n: number | bigint, out: T = [] as unknown as T): T {
  if (typeof n === 'number' && n >= 0 && n <= 0x7fffffff) {
    // Number fast path (sizes, indices, offsets).
    do {
      const byte = n & 0x7f
      n >>>= 7
      out.push(n !== 0 ? byte | 0x80 : byte)
    } while (n !== 0)
    return out
  }
  let v = BigInt(n)
  if (v < 0n) throw new Error(`unsignedLeb: negative ${v}`)
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) byte |= 0x80
    out.push(byte)
  } while (v !== 0n)
  return out
}

export function signedLeb<T extends ByteSink = number[]>(n: number | bigint, out: T = [] as unknown as T): T {
  if (typeof n === 'number' ? n === (n | 0) : n >= -0x80000000n && n <= 0x7fffffffn) {
    // 32-bit fast path: `>>` on numbers is arithmetic, as the encoding needs.
    let v = Number(n)
    for (;;) {
      const byte = v & 0x7f
      v >>= 7
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)
      out.push(done ? byte : byte | 0x80)
      if (done) return out
    }
  }
  let v = BigInt(n)
  for (;;) {
    const byte = Number(v & 0x7fn)
    v >>= 7n // arithmetic for BigInt
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

// ---- function bodies ------------------------------------------------------------------------------

/** An open structured-control label (from `block`, `loop` or `if_`). */
export interface Label { readonly kind: 'block' | 'loop' | 'if'; readonly id: number }

/** Builds one function body: locals, then instructions; `bytes()` gives the encoded `code` entry (5.5.13). */
export class Code {
  private readonly ops = new Bytes()
  private readonly labels: Label[] = []
  private nextLabel = 0
  private readonly localTypes: ValType[] = []

  /** `params` are locals 0..params.length-1; declared locals follow. */
  constructor(private readonly params: readonly ValType[]) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type)
    return this.params.length + this.localTypes.length - 1
  }

  /** Any instruction without immediates. */
  op(name: OpName): this {
    this.ops.push(OP[name])
    return this
  }
  i32(n: number): this {
    this.ops.push(OP['i32.const'])
    signedLeb(n | 0, this.ops)
    return this
  }
  /** An i64 constant; any bigint is taken modulo 2^64 (as two's complement). */
  i64(n: bigint | number): this {
    this.ops.push(OP['i64.const'])
    signedLeb(typeof n === 'number' && n === (n | 0) ? n : BigInt.asIntN(64, BigInt(n)), this.ops)
    return this
  }
  get(i: number): this {
    this.ops.push(OP['local.get'])
    unsignedLeb(i, this.ops)
    return this
  }
  set(i: number): this {
    this.ops.push(OP['local.set'])
    unsignedLeb(i, this.ops)
    return this
  }
  tee(i: number): this {
    this.ops.push(OP['local.tee'])
    unsignedLeb(i, this.ops)
    return this
  }
  /** A load or store with memarg {align: 0, offset}. */
  mem(name: MemOp, offset = 0): this {
    this.ops.push(OP[name])
    this.ops.push(0)
    unsignedLeb(offset, this.ops)
    return this
  }

  block(result?: ValType): Label {
    return this.open('block', OP.block, result)
  }
  loop(result?: ValType): Label {
    return this.open('loop', OP.loop, result)
  }
  if_(result?: ValType): Label {
    return this.open('if', OP.if, result)
  }
  else_(): this {
    const top = this.labels[this.labels.length - 1]
    if (!top || top.kind !== 'if') throw new Error('else_ outside an if')
    this.ops.push(OP.else)
    return this
  }
  end(label?: Label): this {
    const top = this.labels.pop()
    if (!top) throw new Error('end without an open label')
    if (label && label !== top) throw new Error('end closes a label other than the innermost')
    this.ops.push(OP.end)
    return this
  }
  br(label: Label): this {
    this.ops.push(OP.br)
    unsignedLeb(this.depth(label), this.ops)
    return this
  }
  brIf(label: Label): this {
    this.ops.push(OP.br_if)
    unsignedLeb(this.depth(label), this.ops)
    return this
  }
  brTable(targets: readonly Label[], fallback: Label): this {
    this.ops.push(OP.br_table)
    unsignedLeb(targets.length, this.ops)
    for (const t of targets) unsignedLeb(this.depth(t), this.ops)
    unsignedLeb(this.depth(fallback), this.ops)
    return this
  }
  call(fn: number): this {
    this.ops.push(OP.call)
    unsignedLeb(fn, this.ops)
    return this
  }

  /** Bytes of instructions emitted so far (compile-size budgets look at this). */
  get size(): number {
    return this.ops.length
  }

  /** The encoded body: size, local declarations (runs of one type), instructions, final `end`. */
  bytes(): Bytes {
    if (this.labels.length !== 0) throw new Error(`function body has ${this.labels.length} unclosed label(s)`)
    const body = new Bytes()
    const runs: Array<[number, ValType]> = []
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1]
      if (last && last[1] === t) last[0]++
      else runs.push([1, t])
    }
    unsignedLeb(runs.length, body)
    for (const [n, t] of runs) {
      unsignedLeb(n, body)
      body.push(t)
    }
    body.append(this.ops)
    body.push(OP.end)
    const out = unsignedLeb(body.length, new Bytes())
    out.append(body)
    return out
  }

  private open(kind: Label['kind'], opcode: number, result?: ValType): Label {
    const label = { kind, id: this.nextLabel++ }
    this.ops.push(opcode)
    this.ops.push(result ?? BLOCK_EMPTY)
    this.labels.push(label)
    return label
  }
  private depth(label: Label): number {
    const i = this.labels.lastIndexOf(label)
    if (i < 0) throw new Error(`branch to label ${label.id}, which is not open`)
    return this.labels.length - 1 - i
  }
}

// ---- modules --------------------------------------------------------------------------------------

interface FuncType { params: readonly ValType[]; results: readonly ValType[] }
interface Func { type: number; code: Code; exportName?: string }

/** Section ids (5.5.2). */
const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const

/** A module of functions over one imported memory (`env.memory`). */
export class ModuleBuilder {
  private readonly types: FuncType[] = []
  private readonly funcs: Func[] = []
  private memoryImport?: { module: string; name: string; minPages: number }
  private readonly funcImports: { module: string; name: string; type: number }[] = []

  importMemory(module: string, name: string, minPages = 0): this {
    this.memoryImport = { module, name, minPages }
    return this
  }

  /** Imports a function; returns its index. Imported functions come first in the index space: import them before any func(). */
  importFunc(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.funcs.length > 0) throw new Error('wasm-emitter: import functions before defining any')
    return this.funcImports.push({ module, name, type: this.typeIndex(params, results) }) - 1
  }

  /** Adds a function; returns its index (and a Code builder for its body). */
  func(params: readonly ValType[], results: readonly ValType[], exportName?: string): { index: number; code: Code } {
    const type = this.typeIndex(params, results)
    const code = new Code(params)
    const index = this.funcImports.length + this.funcs.push({ type, code, exportName }) - 1
    return { index, code }
  }

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const type = this.types.findIndex((t) => same(t.params, params) && same(t.results, results))
    return type >= 0 ? type : this.types.push({ params, results }) - 1
  }

  bytes(): Uint8Array {
    const out = new Bytes()
    for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.push(b) // magic, version 1
    section(out, SECTION.type, vec(this.types.map((t) => [0x60, ...vec(t.params.map((p) => [p])).view(), ...vec(t.results.map((r) => [r])).view()])))
    const imports: number[][] = this.funcImports.map((f) => [...name(f.module), ...name(f.name), 0x00, ...unsignedLeb(f.type)])
    if (this.memoryImport) {
      const m = this.memoryImport
      imports.push([...name(m.module), ...name(m.name), 0x02, 0x00, ...unsignedLeb(m.minPages)])
    }
    if (imports.length > 0) section(out, SECTION.import, vec(imports))
    section(out, SECTION.function, vec(this.funcs.map((f) => unsignedLeb(f.type))))
    const first = this.funcImports.length
    const exports = this.funcs.flatMap((f, i) => (f.exportName ? [[...name(f.exportName), 0x00, ...unsignedLeb(first + i)]] : []))
    section(out, SECTION.export, vec(exports))
    section(out, SECTION.code, vec(this.funcs.map((f) => f.code.bytes())))
    return out.view().slice()
  }
}

function same(a: readonly ValType[], b: readonly ValType[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
function vec(items: Array<number[] | Bytes>): Bytes {
  const out = unsignedLeb(items.length, new Bytes())
  for (const item of items) {
    if (item instanceof Bytes) out.append(item)
    else for (const b of item) out.push(b)
  }
  return out
}
function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)]
  return [...unsignedLeb(b.length), ...b]
}
function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id)
  unsignedLeb(content.length, out)
  out.append(content)
}
