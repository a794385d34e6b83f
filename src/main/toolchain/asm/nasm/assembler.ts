/**
 * NASM's assembly passes (NASM manual 2.1.24 "-O: multipass optimization"): the parsed lines are
 * walked pass after pass, each with the symbol values the previous pass found, until no label
 * moves; every pass after the first writes bytes, relocations and the line table, and the one
 * where nothing moved is the output (its diagnostics are the ones reported). Forward references
 * start optimistic (jumps short, as nasm's `jmp_match` "be optimistic in pass 1") and sizes
 * settle; after a few passes sizes may only grow, so the passes always end. Statement handlers
 * are a table keyed by statement kind.
 */
import type { SourceLoc } from '../../../../shared/api/result'
import { x86Register, type X86Instruction, type X86Mode, type X86Operand, type X86Value } from '../../../../shared/isa/x86'
import type { Diagnostics } from '../diagnostics'
import { readInput } from '../../input-file'
import { SHT_NOBITS } from '../state'
import type { LineEntry } from '../../object'
import { ByteBuffer } from './byte-buffer'
import { encodeX86, type Encoded, type X86Fixup } from '../x86/encode'
import { ExprError, evalNExpr, type EvalContext, type NExpr, type NVal } from './expr'
import { normaliseAddress, type NOperand } from './operands'
import { sectionDefaults, type SectionAttrs } from './sections'
import type { DataItem, Line, Stmt } from './statements'
import { floatBytes } from './floats'
import { DIRECTIVE_HANDLERS } from './directives'

/** What a relocatable value refers to (the encoder's opaque symbol). */
export interface Ref {
  sec?: number
  ext?: string
  wrt?: string
  unknown?: boolean
}

export interface NSection {
  name: string
  /** Creation index: the identity used in values. */
  index: number
  attrs: SectionAttrs
  /** Position in the object's section list (declaration order; the implicit .text goes last). */
  order: number
  /** The default `.text` before any `section` line named it. */
  implicit: boolean
  offset: number
  data: ByteBuffer
  fixups: { at: number; f: X86Fixup<Ref>; loc: SourceLoc }[]
  /** Data fields to relocate; `pcrel`: `sym - $`-style values (NVal.sub, the field's own section). */
  dataRelocs: { at: number; size: number; v: NVal; wrt?: string; pcrel?: boolean; loc: SourceLoc }[]
  /** The line table's entries for this section (`section` is set to the output index when the object is built). */
  lines: LineEntry[]
  /** Current pass used it (emitted something or was declared). */
  used: boolean
}

export interface NSymbol {
  name: string
  kind: 'label' | 'equ' | 'extern' | 'common'
  /** Section index, or undefined for an absolute value. */
  sec?: number
  value: bigint
  /** Pass in which the value was last set. */
  pass: number
  global: boolean
  type?: 'func' | 'object'
  sizeExpr?: NExpr
  visibility?: number
  commonSize?: bigint
  commonAlign?: bigint
  loc: SourceLoc
  /** Order of first definition/declaration (the symbol table keeps it). */
  order: number
  /** A value of an equ that could not be evaluated this pass. */
  equUnknown?: boolean
}

/**
 * What the passes remember of an instruction statement (parsed lines share statements: `push
 * rbp` is encoded once per mode): whether it has only registers and constants, its encodings
 * by mode if so, else its last encoding and what that depended on (`Inputs`).
 */
interface InsnMemo {
  constant: boolean
  byMode: Encoded<Ref>[]
  last?: { sig: Inputs; r: Encoded<Ref>; size: number; late: boolean }
}

/** Passes before sizes may only grow, and the hard limit (nasm's default -Ox limit is similar). */
const FREE_PASSES = 12
const MAX_PASSES = 60
export const MAX_SECTION_BYTES = 64 * 1024 * 1024
/** Space a nobits section (or `absolute` block) may describe. */
export const MAX_NOBITS_BYTES = 1024 * 1024 * 1024
const MAX_TIMES = 16 * 1024 * 1024

export class PassError extends Error {
  constructor(message: string, readonly col: number, readonly hint?: string) {
    super(message)
  }
}

export class NasmAssembler {
  readonly sections: NSection[] = []
  readonly symbols = new Map<string, NSymbol>()
  private symOrder = 0
  pass = 0
  final = false
  private changed = false
  cur!: NSection
  /** `absolute` mode: the location counter is a plain number. */
  absolute?: { value: bigint; start: bigint }
  bits: X86Mode
  defaultRel = false
  private sectionOrder = 0
  private line!: Line
  private istrucStart = new Map<string, bigint>()
  private strucReturn: { sec: NSection; absolute?: { value: bigint; start: bigint } }[] = []
  readFile?: (path: string) => Uint8Array | undefined
  readonly warnedLines = new Set<string>()
  /** Diagnostics of the current output pass, reported only if it turns out to be the last. */
  private pending: (() => void)[] = []
  /** Instruction sizes of the previous pass, in walk order: after FREE_PASSES they may only grow. */
  private sizes: number[] = []
  private prevSizes: number[] = []

  constructor(readonly diags: Diagnostics, readonly format: 'elf32' | 'elf64', private lines: Line[]) {
    this.bits = format === 'elf64' ? 64 : 32
  }

  loc(col = 1): SourceLoc {
    return { file: this.line.file, line: this.line.line, column: col }
  }

  private error(message: string, col: number, hint?: string): void {
    if (!this.final) return
    const loc = this.loc(col)
    this.pending.push(() => this.diags.error('nasm.error', message, loc, hint))
  }

  warn(message: string, col: number): void {
    if (!this.final) return
    const key = `${this.line.file}:${this.line.line}:${message}`
    if (this.warnedLines.has(key)) return
    this.warnedLines.add(key)
    const loc = this.loc(col)
    this.pending.push(() => this.diags.warning('nasm.warning', message, loc))
  }

  // ---- passes ----

  /**
   * Pass 1 sizes everything (forward references optimistic); every later pass writes the output
   * as if it were the last, and is the last when no label moved — its diagnostics are kept then.
   */
  run(): void {
    this.runPass(1, false)
    for (let p = 2; p <= MAX_PASSES; p++) {
      this.pending = []
      this.warnedLines.clear()
      this.runPass(p, true)
      if (!this.changed) {
        for (const report of this.pending) report()
        return
      }
    }
    this.diags.error('nasm.passes', `the layout did not settle after ${MAX_PASSES} passes`, { file: this.lines[0]?.file ?? '', line: 1, column: 1 })
  }

  private runPass(p: number, final: boolean): void {
    this.pass = p
    this.final = final
    this.changed = false
    this.bits = this.format === 'elf64' ? 64 : 32
    this.defaultRel = false
    this.absolute = undefined
    this.strucReturn = []
    this.prevSizes = this.sizes
    this.sizes = []
    for (const s of this.sections) {
      s.offset = 0
      s.data = new ByteBuffer()
      s.fixups = []
      s.dataRelocs = []
      s.lines = []
      s.used = false
    }
    this.cur = this.section('.text', true)
    for (const line of this.lines) {
      this.line = line
      try {
        if (line.label && line.stmt?.k !== 'equ') this.defineLabel(line.label.name, line.label.col)
        if (line.stmt) this.statement(line.stmt)
      } catch (e) {
        if (e instanceof PassError || e instanceof ExprError) this.error(e.message, e.col, e.hint)
        else throw e
      }
    }
  }

  // ---- sections and symbols ----

  section(name: string, implicit = false): NSection {
    let s = this.sections.find((x) => x.name === name)
    if (!s) {
      s = { name, index: this.sections.length, attrs: sectionDefaults(name), order: implicit ? Infinity : this.sectionOrder++, implicit, offset: 0, data: new ByteBuffer(), fixups: [], dataRelocs: [], lines: [], used: false }
      this.sections.push(s)
    } else if (!implicit && s.implicit) {
      s.implicit = false
      s.order = this.sectionOrder++
    }
    if (!implicit) s.used = true
    return s
  }

  here(): NVal {
    if (this.absolute) return { n: this.absolute.value }
    return { n: BigInt(this.cur.offset), sec: this.cur.index }
  }

  private base(): NVal {
    if (this.absolute) return { n: this.absolute.start }
    return { n: 0n, sec: this.cur.index }
  }

  private setSymbol(name: string, col: number, kind: 'label' | 'equ', v: NVal): void {
    let s = this.symbols.get(name)
    if (!s) {
      s = { name, kind, value: 0n, pass: 0, global: false, loc: this.loc(col), order: this.symOrder++ }
      this.symbols.set(name, s)
    }
    if (s.kind === 'extern' || s.kind === 'common') {
      this.error(`\`${name}\` is declared extern and defined here`, col, 'remove the `extern` line, or rename the label')
      return
    }
    if (s.pass === this.pass && (s.kind !== kind || s.loc.line !== this.line.line || s.loc.file !== this.line.file)) {
      this.error(`label \`${name}\` redefined`, col, `it was first defined at ${s.loc.file}:${s.loc.line}`)
      return
    }
    if (v.ext || v.sub !== undefined) {
      this.error(v.ext ? `\`${name}\` cannot be defined as an external symbol plus a constant` : `\`${name}\` cannot be a difference of addresses in different sections`, col)
      return
    }
    if (s.value !== v.n || s.sec !== v.sec) this.changed = true
    s.kind = kind
    s.value = v.n
    s.sec = v.sec
    s.pass = this.pass
    s.equUnknown = v.unknown
    s.loc = this.loc(col)
  }

  private defineLabel(name: string, col: number): void {
    this.setSymbol(name, col, 'label', this.here())
  }

  /** Symbol lookup for expressions: this pass's value, else the previous pass's, else unknown. */
  readonly ctx: EvalContext = {
    symbol: (name, col) => {
      const s = this.symbols.get(name)
      if (s && (s.kind === 'extern' || s.kind === 'common')) return { n: 0n, ext: name }
      if (s && s.pass > 0) return { n: s.value, sec: s.sec, ...(s.equUnknown || s.pass < this.pass - 1 ? { unknown: true } : {}) }
      if (x86Register(name)) throw new PassError(`register \`${name}\` cannot be used in an expression`, col)
      if (this.final) throw new PassError(`symbol \`${name}\` not defined`, col, 'define it, or declare it with `extern`')
      return { n: 0n, unknown: true }
    },
    here: () => this.here(),
    base: () => this.base(),
  }

  eval(e: NExpr): NVal {
    return evalNExpr(e, this.ctx)
  }

  /** A value that must be a known constant (times counts, alignments, resb sizes). */
  constant(e: NExpr, what: string, col: number): bigint | undefined {
    const v = this.eval(e)
    if (v.sec !== undefined || v.ext !== undefined) throw new PassError(`${what} must be a constant, not an address`, col)
    if (v.unknown) {
      if (this.final) throw new PassError(`${what} depends on a symbol that is never defined`, col)
      return undefined
    }
    return v.n
  }

  // ---- output ----

  /** Refuses growth past the limits before anything is allocated. */
  private checkRoom(n: number, col: number): void {
    if (this.absolute) {
      if (n > MAX_NOBITS_BYTES) throw new PassError(`${n} bytes is more than an absolute block may describe`, col)
      return
    }
    const nobits = this.cur.attrs.type === SHT_NOBITS
    const limit = nobits ? MAX_NOBITS_BYTES : MAX_SECTION_BYTES
    if (this.cur.offset + n > limit) throw new PassError(`section \`${this.cur.name}\` would grow beyond ${limit} bytes`, col, nobits ? undefined : 'large zeroed areas belong in a nobits section such as .bss')
  }

  private advance(n: number, col: number): void {
    this.checkRoom(n, col)
    if (this.absolute) {
      this.absolute.value += BigInt(n)
      return
    }
    this.cur.offset += n
    this.cur.used = true
  }

  /** Appends bytes (final pass) and advances; in nobits sections only advances, as nasm does. */
  emit(bytes: ArrayLike<number>, col: number): void {
    this.checkRoom(bytes.length, col)
    if (this.absolute) {
      this.absolute.value += BigInt(bytes.length)
      return
    }
    if (this.final) {
      if (this.cur.attrs.type === SHT_NOBITS) {
        if (bytes.length) this.warn(`attempt to initialize memory in BSS section \`${this.cur.name}\`: ignored`, col)
      } else {
        this.cur.data.push(bytes)
        if (bytes.length) this.cur.lines.push({ section: 0, offset: this.cur.offset, size: bytes.length, file: this.line.file, line: this.line.line })
      }
    }
    this.advance(bytes.length, col)
  }

  /** Reserves space: zeros in progbits sections (with nasm's warning), nothing in nobits. */
  reserve(n: number, col: number): void {
    if (n < 0) throw new PassError(`cannot reserve a negative amount of space (${n})`, col)
    this.checkRoom(n, col)
    if (!this.absolute && this.final && this.cur.attrs.type !== SHT_NOBITS) {
      if (n) this.warn(`uninitialized space declared in non-BSS section \`${this.cur.name}\`: zeroing`, col)
      this.cur.data.zeros(n)
    }
    this.advance(n, col)
  }

  // ---- statements ----

  statement(st: Stmt): void {
    ;(HANDLERS[st.k] as (a: NasmAssembler, s: Stmt) => void)(this, st)
  }

  mode(): X86Mode {
    return this.bits
  }

  /** Operands → the encoder's model, with this pass's values. */
  operands(ops: NOperand[]): X86Operand<Ref>[] {
    return ops.map((op) => {
      switch (op.kind) {
        case 'reg': return { kind: 'reg', reg: op.reg }
        case 'imm': return { kind: 'imm', value: this.value(op.expr, op.wrt), size: op.size, strict: op.strict, jump: op.jump }
        case 'far': return { kind: 'far', selector: this.value(op.selector), offset: this.value(op.offset), size: op.size }
        case 'mem': {
          const addr = normaliseAddress(op)
          // `default rel` applies to [disp] addresses without fs/gs (manual 7.2 "DEFAULT").
          const rel = this.bits === 64 && !addr.base && !addr.index && (op.rel ?? (this.defaultRel && op.seg?.name !== 'fs' && op.seg?.name !== 'gs'))
          const disp = op.disp ? this.value(op.disp, op.wrt) : undefined
          return {
            kind: 'mem', size: op.size, base: addr.base, index: addr.index, scale: addr.scale, disp, dispSize: op.dispSize, seg: op.seg,
            // A constant address cannot be RIP-relative: nasm warns and uses it as absolute.
            rel: rel && disp?.sym !== undefined ? true : undefined, far: op.far,
          }
        }
      }
    })
  }

  /** An expression as an encoder value: constant, or relative to a section/extern (or unknown). */
  value(e: NExpr, wrt?: string): X86Value<Ref> {
    const v = this.eval(e)
    if (v.sub !== undefined) throw new PassError('the difference of addresses in different sections is not a constant', 'col' in e ? e.col : 1, 'only data (`dd target - $`) can hold it, as a PC-relative relocation')
    if (v.unknown) return { value: this.absolute ? 0n : BigInt(this.cur.offset), sym: { unknown: true }, local: true }
    if (v.sec === undefined && v.ext === undefined && !wrt) return { value: v.n }
    return { value: v.n, sym: { sec: v.sec, ext: v.ext, wrt }, local: !this.absolute && v.sec === this.cur.index && !v.ext && !wrt }
  }

  instruction(st: Stmt & { k: 'insn' }): void {
    if (st.mnemonic === '') {
      // Prefixes alone (`rep` on its own line) emit their bytes.
      const PREFIX_BYTE: Record<string, number> = { lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2, es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 }
      this.emit(st.prefixes.map((p) => PREFIX_BYTE[p] ?? 0x66), st.col)
      return
    }
    // An instruction without symbols (registers and constants only) encodes once per mode.
    let memo = st.memo as InsnMemo | undefined
    if (!memo) st.memo = memo = { constant: st.operands.every(isConstantOperand), byMode: [] }
    const constant = memo.constant
    if (constant) {
      const c = memo.byMode[this.bits]
      if (c) {
        this.sizes.push(c.bytes.length)
        this.emitEncoded(c, st)
        return
      }
    }
    const insn: X86Instruction<Ref> = { mnemonic: st.mnemonic, operands: this.operands(st.operands), prefixes: st.prefixes }
    const ip = this.absolute ? 0n : BigInt(this.cur.offset)
    // Most instructions encode the same in every pass: reuse the last encoding when nothing it
    // depends on (mode, operand values, and the address for relative operands) changed.
    const sig = constant ? undefined : inputsOf(insn, this.bits, ip)
    const cache = memo.last
    if (sig && cache && sameInputs(cache.sig, sig) && this.pass > FREE_PASSES === cache.late) {
      this.sizes.push(cache.size)
      this.emitEncoded(cache.r, st)
      return
    }
    let r = encodeX86(insn, { mode: this.bits, dialect: 'nasm', ip })
    // Late passes: a jump that was near stays near, so the layout cannot oscillate.
    const k = this.sizes.length
    if (r.ok && this.pass > FREE_PASSES && r.bytes.length < (this.prevSizes[k] ?? 0) && r.row.flags.branch) {
      const ops = insn.operands.map((o) => (o.kind === 'imm' && !o.jump ? { ...o, jump: 'near' as const } : o))
      const near = encodeX86({ ...insn, operands: ops }, { mode: this.bits, dialect: 'nasm', ip })
      if (near.ok) r = near
    }
    this.sizes.push(r.ok ? r.bytes.length : 0)
    if (!r.ok) {
      const col = r.operand !== undefined ? st.operands[r.operand]?.col ?? st.col : st.col
      throw new PassError(r.message, col, r.hint)
    }
    if (constant) memo.byMode[this.bits] = r
    else memo.last = { sig: sig!, r, size: r.bytes.length, late: this.pass > FREE_PASSES }
    this.emitEncoded(r, st)
  }

  private emitEncoded(r: Encoded<Ref>, st: Stmt & { k: 'insn' }): void {
    if (this.final) {
      for (const w of r.warnings) this.warn(w, st.col)
      // (In `absolute` space or a struc nothing is written, so nothing is relocated.)
      if (!this.absolute) for (const f of r.fixups) {
        if (f.value.sym?.unknown) throw new PassError('an operand depends on a symbol that is never defined', st.col)
        this.cur.fixups.push({ at: this.cur.offset + f.offset, f, loc: this.loc(st.col) })
      }
    }
    this.emit(r.bytes, st.col)
  }

  data(st: Stmt & { k: 'data' }): void {
    for (const item of st.items) this.dataItem(item, st.width, st.col)
  }

  private dataItem(item: DataItem, width: number, col: number): void {
    switch (item.k) {
      case 'str': {
        const pad = (width - (item.bytes.length % width)) % width
        this.emit([...item.bytes, ...new Array(pad).fill(0)], col)
        return
      }
      case 'undef':
        this.emit(new Array(width).fill(0), col)
        return
      case 'float': {
        const b = floatBytes(item.text, item.neg, width)
        if (!b) throw new PassError(`a floating-point constant cannot be ${width} bytes wide`, item.col, 'use dd (single), dq (double) or dt (extended)')
        this.emit(b, col)
        return
      }
      case 'expr': {
        const v = this.eval(item.e)
        if (width > 8) {
          if (v.sec !== undefined || v.ext !== undefined) throw new PassError(`an address cannot be stored in ${width} bytes`, item.col)
          const out: number[] = []
          let n = v.n
          for (let i = 0; i < width; i++, n >>= 8n) out.push(Number(BigInt.asUintN(8, n)))
          this.emit(out, col)
          return
        }
        if ((v.sec !== undefined || v.ext !== undefined || item.wrt) && !v.unknown) {
          const pcrel = v.sub !== undefined
          if (pcrel && (this.absolute || v.sub !== this.cur.index || item.wrt))
            throw new PassError('a difference of addresses in two sections can only subtract an address of the section it is in', item.col, 'e.g. `dd target - $` (a PC-relative relocation)')
          if (!this.absolute && this.final) this.cur.dataRelocs.push({ at: this.cur.offset, size: width, v, wrt: item.wrt, pcrel: pcrel || undefined, loc: this.loc(item.col) })
          this.emit(new Array(width).fill(0), col)
          return
        }
        const bits = BigInt(width * 8)
        if (!v.unknown && (v.n >= 1n << bits || v.n < -(1n << (bits - 1n)))) this.warn(`${['', 'byte', 'word', '', 'dword', '', '', '', 'qword'][width]} data exceeds bounds`, item.col)
        const out: number[] = []
        let n = v.n
        for (let i = 0; i < width; i++, n >>= 8n) out.push(Number(BigInt.asUintN(8, n)))
        this.emit(out, col)
      }
    }
  }

  times(st: Stmt & { k: 'times' }): void {
    const n = this.constant(st.count, 'the `times` count', st.col)
    if (n === undefined) return
    if (n < 0n) throw new PassError(`\`times\` value ${n} is negative`, st.col, 'the code before it is probably larger than the space it should fit in')
    if (n > BigInt(MAX_TIMES)) throw new PassError(`\`times\` value ${n} is too large`, st.col)
    // Each repetition is checked against the section limits as it is emitted.
    // A data or instruction statement repeated: evaluated every time, since `$` moves.
    for (let i = 0n; i < n; i++) this.statement(st.stmt)
  }

  align(st: Stmt & { k: 'align' }): void {
    const n = this.constant(st.n, 'the alignment', st.col)
    if (n === undefined) return
    if (n <= 0n || (n & (n - 1n)) !== 0n) throw new PassError(`alignment ${n} is not a power of two`, st.col)
    if (n > 1n << 30n) throw new PassError(`alignment ${n} is too large`, st.col)
    // ALIGN and ALIGNB also raise the section's alignment (nasm's SECTALIGN, on by default).
    if (!this.absolute && BigInt(this.cur.attrs.align) < n) this.cur.attrs.align = Number(n)
    const here = this.absolute ? this.absolute.value - this.absolute.start : BigInt(this.cur.offset)
    const pad = Number((n - (here % n)) % n)
    if (st.b && !st.fill) {
      this.reserveQuiet(pad, st.col)
      return
    }
    if (!st.fill) {
      this.emit(new Array(pad).fill(0x90), st.col)
      return
    }
    for (let i = 0; i < pad; i++) this.statement(st.fill)
  }

  /** `alignb` padding: reserved space without nasm's zeroing warning. */
  private reserveQuiet(n: number, col: number): void {
    this.checkRoom(n, col)
    if (!this.absolute && this.final && this.cur.attrs.type !== SHT_NOBITS) this.cur.data.zeros(n)
    this.advance(n, col)
  }

  directive(st: Stmt & { k: 'dir' }): void {
    const handler = DIRECTIVE_HANDLERS[st.name]
    if (!handler) throw new PassError(`unknown directive \`${st.name}\``, st.col)
    handler(this, st)
  }

  enterStruc(st: Stmt & { k: 'struc' }): void {
    this.strucReturn.push({ sec: this.cur, absolute: this.absolute })
    const base = st.base ? this.constant(st.base, 'the structure base', st.col) ?? 0n : 0n
    this.absolute = { value: base, start: base }
    this.setSymbol(st.name, st.col, 'label', { n: base })
  }

  leaveStruc(st: Stmt & { k: 'endstruc' }): void {
    const start = this.symbols.get(st.name)?.value ?? 0n
    const size = (this.absolute?.value ?? 0n) - start
    this.setSymbol(`${st.name}_size`, st.col, 'equ', { n: size })
    // nasm's endstruc ends with `__SECT__`, a `[section …]` line: it names the section it returns to.
    const back = this.strucReturn.pop()
    this.cur = this.section((back?.sec ?? this.cur).name)
    this.absolute = back?.absolute
  }

  istruc(st: Stmt & { k: 'istruc' }): void {
    if (st.label) this.setSymbol(st.label, st.col, 'label', this.here())
    this.istrucStart.set(st.name, this.absolute ? this.absolute.value : BigInt(this.cur.offset))
  }

  at(st: Stmt & { k: 'at' }): void {
    const field = this.eval(st.field)
    const start = this.istrucStart.get(st.name) ?? 0n
    const base = this.symbols.get(st.name)?.value ?? 0n
    const here = this.absolute ? this.absolute.value : BigInt(this.cur.offset)
    if (!field.unknown) {
      if (field.sec !== undefined || field.ext !== undefined) throw new PassError('`at` needs a structure field (a constant offset)', st.col)
      const pad = field.n - base - (here - start)
      if (pad < 0n) throw new PassError('`at` fields must be in order and not overlap', st.col)
      this.checkRoom(Number(pad), st.col)
      this.emit(new Array(Number(pad)).fill(0), st.col)
    }
    if (st.stmt) this.statement(st.stmt)
  }

  iend(st: Stmt & { k: 'iend' }): void {
    const size = this.symbols.get(`${st.name}_size`)
    const start = this.istrucStart.get(st.name) ?? 0n
    const here = this.absolute ? this.absolute.value : BigInt(this.cur.offset)
    if (!size || size.pass === 0) {
      if (this.final) throw new PassError(`structure \`${st.name}\` is not defined`, st.col)
      return
    }
    const pad = size.value - (here - start)
    if (pad < 0n) throw new PassError(`the instance of \`${st.name}\` is larger than the structure`, st.col)
    this.checkRoom(Number(pad), st.col)
    this.emit(new Array(Number(pad)).fill(0), st.col)
  }

  equ(name: string | undefined, st: Stmt & { k: 'equ' }): void {
    if (!name) throw new PassError('`equ` needs a label', st.col)
    const v = this.eval(st.e)
    this.setSymbol(name, st.col, 'equ', v)
  }

  incbin(st: Stmt & { k: 'incbin' }): void {
    const { data, refused } = readInput(() => this.readFile?.(st.file))
    if (refused) throw new PassError(refused.message, st.col, refused.hint)
    if (!data) throw new PassError(`cannot open \`${st.file}\` for \`incbin\``, st.col)
    const skip = st.skip ? Number(this.constant(st.skip, 'the incbin offset', st.col) ?? 0n) : 0
    const len = st.len ? Number(this.constant(st.len, 'the incbin length', st.col) ?? 0n) : data.length - skip
    if (skip < 0 || skip > data.length) throw new PassError(`incbin offset ${skip} is beyond the end of \`${st.file}\` (${data.length} bytes)`, st.col)
    this.emit(data.subarray(skip, Math.min(data.length, skip + Math.max(0, len))), st.col)
  }

  declare(name: string, kind: 'global' | 'extern' | 'common', col: number, extra: { type?: 'func' | 'object'; sizeExpr?: NExpr; visibility?: number; commonSize?: bigint; commonAlign?: bigint } = {}): void {
    let s = this.symbols.get(name)
    if (!s) {
      s = { name, kind: kind === 'global' ? 'label' : kind, value: 0n, pass: 0, global: false, loc: this.loc(col), order: this.symOrder++ }
      this.symbols.set(name, s)
    }
    if (kind === 'global') {
      s.global = true
      Object.assign(s, Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)))
      return
    }
    if (s.pass > 0 && s.kind !== kind) {
      if (kind === 'extern') return // nasm: extern of a symbol defined here is ignored
      throw new PassError(`\`${name}\` is already defined here and cannot be ${kind}`, col)
    }
    s.kind = kind
    s.global = true
    if (kind === 'common') Object.assign(s, extra)
  }

  /** The line currently being assembled (for the equ handler, which needs its label). */
  currentLine(): Line {
    return this.line
  }
}

/** An expression with no symbol, `$` or `$$`: its value never changes between passes. */
function isConstantExpr(e: NExpr): boolean {
  switch (e.k) {
    case 'num': case 'float': return true
    case 'sym': case 'here': case 'base': return false
    case 'un': return isConstantExpr(e.e)
    case 'bin': return isConstantExpr(e.l) && isConstantExpr(e.r)
    case 'cond': return isConstantExpr(e.c) && isConstantExpr(e.a) && isConstantExpr(e.b)
  }
}

function isConstantOperand(op: NOperand): boolean {
  switch (op.kind) {
    case 'reg': return true
    case 'imm': return !op.wrt && isConstantExpr(op.expr)
    case 'far': return isConstantExpr(op.selector) && isConstantExpr(op.offset)
    case 'mem': return !op.wrt && (!op.disp || isConstantExpr(op.disp))
  }
}

/**
 * What an encoding depends on: mode, each operand's value and relocatable part, and — only
 * when an operand is local to the section (relative jumps, RIP-relative) or unknown — the address.
 */
/**
 * What an instruction's encoding depends on: the mode, its operand values (constants, and the
 * section/extern/wrt of symbolic ones), and the address when an operand is relative to it.
 */
interface Inputs {
  bits: number
  values: (X86Value<Ref> | undefined)[]
  ip: bigint | undefined
}

function inputsOf(insn: X86Instruction<Ref>, bits: number, ip: bigint): Inputs {
  const values: (X86Value<Ref> | undefined)[] = []
  let needsIp = false
  const val = (v: X86Value<Ref> | undefined): void => {
    values.push(v)
    if (v?.sym) needsIp ||= v.local === true || v.sym.unknown === true
  }
  for (const op of insn.operands) {
    if (op.kind === 'imm') val(op.value)
    else if (op.kind === 'mem') {
      val(op.disp)
      if (op.rel) needsIp = true
    } else if (op.kind === 'far') {
      val(op.selector)
      val(op.offset)
    }
  }
  return { bits, values, ip: needsIp ? ip : undefined }
}

function sameInputs(a: Inputs, b: Inputs): boolean {
  if (a.bits !== b.bits || a.ip !== b.ip || a.values.length !== b.values.length) return false
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i]
    const y = b.values[i]
    if (x === undefined || y === undefined) {
      if (x !== y) return false
      continue
    }
    if (x.value !== y.value) return false
    const p = x.sym
    const q = y.sym
    if (p === undefined || q === undefined) {
      if (p !== q) return false
      continue
    }
    if (p.sec !== q.sec || p.ext !== q.ext || p.wrt !== q.wrt || (p.unknown === true) !== (q.unknown === true)) return false
  }
  return true
}

type Handler<K extends Stmt['k']> = (asm: NasmAssembler, st: Stmt & { k: K }) => void

const HANDLERS: { [K in Stmt['k']]: Handler<K> } = {
  insn: (a, st) => a.instruction(st),
  data: (a, st) => a.data(st),
  res: (a, st) => {
    const n = a.constant(st.count, 'the reserve count', st.col)
    if (n === undefined) return
    if (n < 0n || n * BigInt(st.width) > BigInt(MAX_NOBITS_BYTES)) throw new PassError(`cannot reserve ${n} × ${st.width} bytes`, st.col)
    a.reserve(Number(n) * st.width, st.col)
  },
  times: (a, st) => a.times(st),
  equ: (a, st) => a.equ(a.currentLine().label?.name, st),
  incbin: (a, st) => a.incbin(st),
  dir: (a, st) => a.directive(st),
  align: (a, st) => a.align(st),
  struc: (a, st) => a.enterStruc(st),
  endstruc: (a, st) => a.leaveStruc(st),
  istruc: (a, st) => a.istruc(st),
  at: (a, st) => a.at(st),
  iend: (a, st) => a.iend(st),
}
