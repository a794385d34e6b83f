/**
 * The assembler core: statements in, sections/symbols/fixups out. It owns the state (see
 * `state.ts`), binds `.` and numeric labels at parse time, evaluates expressions either "now"
 * (what GNU calls an O_constant at parse time: needed for `li`, compression, `.rept`) or
 * "final" (after layout), and runs the statement loop with GNU's macro, `.rept` and `.irp`
 * block handling. Directives and instructions live in their own modules.
 */
import type { SourceLoc } from '../../../shared/api/result'
import { Diagnostics, locOf, type Origin } from './diagnostics'
import { ExprError, constBinary, parseExpr, type Expr } from './expr'
import type { SourceLine } from './preprocess'
import { splitArgs, splitStatements, stripComment, substitute } from './text'
import { COND, COND_HINT, conditional, type Cond } from './conditionals'
import { SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS, type BranchInfo, type Fixup, type Item, type Section, type Sym, type X86Jump } from './state'

/** A value: constant `n`, plus optionally a symbol to add and one to subtract (for relocations). */
export interface Val {
  n: bigint
  add?: Sym
  sub?: Sym
}

export class AsmError extends Error {
  constructor(message: string, readonly col: number, readonly code = 'asm.bad_expression', readonly hint?: string) {
    super(message)
  }
}

interface MacroDef {
  name: string
  params: { name: string; def?: string; req: boolean; vararg: boolean }[]
  body: SourceLine[]
}

/** Limits that keep hostile input bounded (each produces a diagnostic, not a hang). */
export const MAX_BLOCK_DEPTH = 100
export const MAX_EXPANDED_STATEMENTS = 500_000
/**
 * Text that macros, `.rept` and `.irp` may produce in one assembly. Work grows with it (a macro
 * whose argument doubles at each level, a macro invoking itself twice), so it bounds the time a
 * hostile file can take, not only its size (issue 10, item 8).
 */
export const MAX_EXPANDED_CHARS = 4 * 1024 * 1024
/** Bytes a section with contents may hold (a @nobits section may describe more). */
export const MAX_SECTION_BYTES = 64 * 1024 * 1024
export const MAX_NOBITS_BYTES = 1024 * 1024 * 1024

const MAX_EQU_DEPTH = 100
/** Separates a numeric label from its instance in internal names (`.L1\x021`), as GNU does. */
export const NUMERIC_MARK = String.fromCharCode(2)
/** Cheap pre-test before the full block-start match (most lines are instructions). */
const BLOCK_HINT = /\.(macro|rept|irp)/i

export class Assembler {
  readonly sections: Section[] = []
  cur!: Section
  private sectionByName = new Map<string, Section>()
  readonly symbols = new Map<string, Sym>()
  /** Internal symbols that are not in `symbols` by name (`.L0 `, `.` markers). */
  readonly hidden: Sym[] = []
  private numericCount = new Map<string, number>()
  private dotCache = new Map<string, Sym>()
  readonly macros = new Map<string, MacroDef>()
  private macroCounter = 0
  private statements = 0
  private expandedChars = 0
  /** Set once the expansion budget is spent (reported once); everything after is skipped. */
  private budgetSpent = false
  rvc = true
  /**
   * Label differences inside code sections fold to constants (x86: GNU as has no linker
   * relaxation there); RISC-V keeps them as ADD/SUB relocation pairs.
   */
  foldCodeDifferences = false
  /** `.altmacro`: macro arguments written `%expr` are replaced by the expression's value. */
  altmacro = false
  optionStack: boolean[] = []
  /** Previous section, for `.previous`. */
  prev?: Section
  origin: Origin = { file: '', line: 0 }

  /** File access for `.incbin` / `.include`, supplied by the caller (the toolchain is pure). */
  readFile?: (path: string) => Uint8Array | undefined
  includeText?: (path: string, text: string) => void

  /** Handlers installed by index.ts (directives, instructions), to keep modules acyclic. */
  directive!: (asm: Assembler, name: string, args: string, col: number) => void
  instruction!: (asm: Assembler, mnemonic: string, args: string, col: number) => void
  /**
   * Optional: tries a statement that may be an instruction (no macros defined, not a directive)
   * as its whole text, mnemonic first (`movq %rsp, %rbp`), before it is split; true when it
   * was assembled (the x86 front end's encodings of lines seen before).
   */
  instructionText?: (text: string, col: number) => boolean

  constructor(readonly diags: Diagnostics, readonly file: string) {
    this.switchSection('.text')
    this.switchSection('.data')
    this.switchSection('.bss')
    this.switchSection('.text')
    this.prev = undefined
  }

  loc(col = 1): SourceLoc {
    return locOf(this.origin, col)
  }

  error(code: string, message: string, col = 1, hint?: string): void {
    this.diags.error(code, message, this.loc(col), hint)
  }

  // ---- sections ----

  /** Default type/flags for a section name, as GNU's ELF backend derives them from the name. */
  static defaultsFor(name: string): { type: number; flags: number } {
    const is = (p: string) => name === p || name.startsWith(p + '.')
    if (is('.text')) return { type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR }
    if (is('.bss') || is('.sbss') || is('.tbss')) return { type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE }
    if (is('.data') || is('.sdata') || is('.tdata')) return { type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE }
    if (is('.rodata') || is('.srodata')) return { type: SHT_PROGBITS, flags: SHF_ALLOC }
    if (is('.init_array')) return { type: 14, flags: SHF_ALLOC | SHF_WRITE }
    if (is('.fini_array')) return { type: 15, flags: SHF_ALLOC | SHF_WRITE }
    if (is('.preinit_array')) return { type: 16, flags: SHF_ALLOC | SHF_WRITE }
    if (is('.note')) return { type: 7, flags: 0 }
    return { type: SHT_PROGBITS, flags: 0 }
  }

  switchSection(name: string, attrs?: { type?: number; flags?: number; entsize?: number }): Section {
    let s = this.sectionByName.get(name)
    if (!s) {
      const d = Assembler.defaultsFor(name)
      s = {
        name, index: this.sections.length, type: attrs?.type ?? d.type, flags: attrs?.flags ?? d.flags,
        align: 1, entsize: attrs?.entsize ?? 0, items: [], size: 0, epoch: 0,
      }
      this.sections.push(s)
      this.sectionByName.set(name, s)
    } else if (attrs?.flags !== undefined && attrs.flags !== s.flags && s.items.length) {
      this.diags.warning('asm.section_flags', `section \`${name}\` changed attributes`, this.loc())
    }
    if (this.cur !== s) this.prev = this.cur
    this.cur = s
    return s
  }

  isCode(s: Section = this.cur): boolean {
    return (s.flags & SHF_EXECINSTR) !== 0
  }

  // ---- emission ----

  private push(item: Item, size: number): void {
    const s = this.cur
    if (s.type === SHT_NOBITS) {
      const nobits = this.nobitsItem(s, item)
      if (!nobits) return
      item = nobits
    }
    const limit = s.type === SHT_NOBITS ? MAX_NOBITS_BYTES : MAX_SECTION_BYTES
    if (s.size + size > limit) {
      this.error('asm.section_too_large', `section \`${s.name}\` would exceed ${limit} bytes`)
      return
    }
    item.offset = s.size
    s.items.push(item)
    s.size += size
  }

  /**
   * What a @nobits section (`.bss`) can hold: space, and data that is all zeros (GNU as stores
   * `.byte 0`, `.long 0`, `.asciz ""` there as space; write.c refuses any other value with
   * "attempt to store non-zero value in section"). Undefined (after the error) otherwise.
   */
  private nobitsItem(s: Section, item: Item): Item | undefined {
    const hint = `\`${s.name}\` (@nobits) has no bytes in the file: put initialised data in \`.data\`, or reserve space with \`.zero\`/\`.skip\``
    if (item.k === 'bytes') {
      if (!item.fixups?.length && item.bytes.every((b) => b === 0)) return { k: 'fill', size: item.bytes.length, value: 0n, width: 1, origin: item.origin, offset: 0 }
      this.error('asm.nobits_data', `attempt to store non-zero value in section \`${s.name}\``, 1, hint)
      return undefined
    }
    if (item.k === 'fill' && item.value !== 0n) {
      this.error('asm.nobits_data', `attempt to fill section \`${s.name}\` with non-zero value`, 1, hint)
      return undefined
    }
    if (item.k === 'insn' || item.k === 'branch' || item.k === 'x86jump') {
      this.error('asm.nobits_data', `instructions cannot go in \`${s.name}\` (@nobits)`, 1, hint)
      return undefined
    }
    return item
  }

  emitBytes(bytes: Uint8Array, fixups?: Fixup[]): void {
    this.push({ k: 'bytes', bytes, fixups, origin: this.origin, offset: 0 }, bytes.length)
  }

  emitInsn(word: number, length: 2 | 4, fixups?: Fixup[]): void {
    if (this.cur.type === SHT_NOBITS) {
      this.error('asm.nobits_data', `instructions cannot go in \`${this.cur.name}\` (@nobits)`)
      return
    }
    this.push({ k: 'insn', word, size: length, fixups, origin: this.origin, offset: 0 }, length)
  }

  emitFill(size: number, value: bigint, width: number): void {
    if (size <= 0) return
    this.push({ k: 'fill', size, value, width, origin: this.origin, offset: 0 }, size)
  }

  emitAlign(align: number, fill: number | undefined, max: number): void {
    const s = this.cur
    if (align > s.align) s.align = align
    const code = fill === undefined && this.isCode()
    if (fill && s.type === SHT_NOBITS) this.diags.warning('asm.nobits_fill', `ignoring fill value in section \`${s.name}\``, this.loc())
    const size = (align - (s.size % align)) % align
    s.epoch++
    this.push({ k: 'align', align, fill: fill ?? 0, code, max, size, origin: this.origin, offset: 0 }, size)
  }

  emitBranch(b: BranchInfo, size: number): void {
    this.cur.epoch++
    this.push({ k: 'branch', b, size, origin: this.origin, offset: 0 }, size)
  }

  /** `.org` to a section offset that layout reaches (GNU as for x86). */
  emitOrg(target: number, fill: number): void {
    this.cur.epoch++
    const size = Math.max(0, target - this.cur.size)
    this.push({ k: 'org', target, fill, size, origin: this.origin, offset: 0 }, size)
  }

  /** An x86 jump whose size layout decides (GNU as for x86). */
  emitX86Jump(j: X86Jump, size: number): void {
    this.cur.epoch++
    this.push({ k: 'x86jump', j, size, origin: this.origin, offset: 0 }, size)
  }

  // ---- symbols ----

  private newSym(name: string, col: number, internal: boolean): Sym {
    return { name, kind: 'undef', bind: 'local', bindSet: false, type: 'notype', loc: this.loc(col), internal, usedByReloc: false }
  }

  /** The named symbol, created undefined on first mention. */
  sym(name: string, col = 1): Sym {
    let s = this.symbols.get(name)
    if (!s) {
      s = this.newSym(name, col, name.startsWith('.L'))
      this.symbols.set(name, s)
    }
    return s
  }

  private placeLabel(s: Sym): void {
    s.kind = 'label'
    s.section = this.cur.index
    s.item = this.cur.items.length
    s.epoch = this.cur.epoch
    s.tentative = this.cur.size
  }

  defineLabel(name: string, col: number): void {
    if (/^[0-9]+$/.test(name)) {
      const k = (this.numericCount.get(name) ?? 0) + 1
      this.numericCount.set(name, k)
      const s = this.sym(`.L${name}\x02${k}`, col)
      this.placeLabel(s)
      s.loc = this.loc(col)
      return
    }
    const s = this.sym(name, col)
    if (s.kind !== 'undef') {
      this.error('asm.symbol_redefined', `symbol \`${name}\` is already defined`, col, `first defined at ${s.loc.file}:${s.loc.line}`)
      return
    }
    this.placeLabel(s)
    s.loc = this.loc(col)
  }

  /** A fresh internal label at the current position, e.g. GNU's `.L0 ` for `la`'s %pcrel_lo. */
  hereLabel(name: string): Sym {
    const s = this.newSym(name, 1, true)
    this.placeLabel(s)
    s.hiddenIndex = this.hidden.length
    this.hidden.push(s)
    return s
  }

  /** Replaces `.` and numeric label references by symbols bound to the current position. */
  bind(e: Expr): Expr {
    switch (e.k) {
      case 'dot': {
        const key = `${this.cur.index}:${this.cur.items.length}`
        let s = this.dotCache.get(key)
        if (!s) {
          s = this.hereLabel('.L0 ')
          this.dotCache.set(key, s)
        }
        return { k: 'sym', name: '\0' + s.hiddenIndex, col: e.col }
      }
      case 'local': {
        const name = this.localLabelName(e.n, e.dir)
        if (name === undefined) throw new AsmError(`undefined local label \`${e.n}b\`: no \`${e.n}:\` before this line`, e.col, 'asm.undefined_local_label', `define \`${e.n}:\` above, or use \`${e.n}f\` for a label below`)
        const s = this.sym(name, e.col)
        if (e.dir === 'f' && s.kind === 'undef') s.loc = this.loc(e.col)
        return { k: 'sym', name, col: e.col }
      }
      case 'un': return { ...e, e: this.bind(e.e) }
      case 'bin': return { ...e, l: this.bind(e.l), r: this.bind(e.r) }
      case 'mod': return { ...e, e: this.bind(e.e) }
      default: return e
    }
  }

  /** The internal name `1b` / `1f` stands for here; undefined for `b` before any `1:`. */
  localLabelName(n: string, dir: 'b' | 'f'): string | undefined {
    const count = this.numericCount.get(n) ?? 0
    if (dir === 'b' && count === 0) return undefined
    return `.L${n}${NUMERIC_MARK}${dir === 'b' ? count : count + 1}`
  }

  /** Parses and binds an expression; throws AsmError/ExprError. */
  parse(text: string, col: number): Expr {
    return this.bind(parseExpr(text, col))
  }

  /** The symbol a `sym` node names, remembered on the node (names never change their symbol). */
  private resolveRef(e: Expr & { k: 'sym' }): Sym {
    const r = e.ref
    if (r !== undefined && r.owner === this) return r.sym as Sym
    const s = this.resolveName(e.name, e.col)
    e.ref = { owner: this, sym: s }
    return s
  }

  resolveName(name: string, col: number): Sym {
    if (name.charCodeAt(0) === 0) return this.hidden[Number(name.slice(1))]
    return this.sym(name, col)
  }

  /**
   * A section's name used as a symbol (`.quad .text`, `la a0, .data`, `movl $.data, %eax`,
   * `call .init`) is the section's symbol in GNU as (every section has one, named like it:
   * subsegs.c subseg_new): it stands for offset 0 of the section, so relocations go against the
   * section symbol and a reference from the section itself resolves in place. Only names nothing
   * else defined; called once parsing is done. Returns the symbols that stand for sections.
   */
  sectionNamesAsSymbols(): Set<Sym> {
    const aliases = new Set<Sym>()
    for (const sec of this.sections) {
      // (Created when missing: some references are only resolved after parsing, e.g. RISC-V `call`.)
      const s = this.sym(sec.name)
      if (s.kind !== 'undef' || s.bindSet) continue
      Object.assign(s, { kind: 'label', section: sec.index, item: 0, epoch: 0, tentative: 0, internal: true })
      aliases.add(s)
    }
    return aliases
  }

  // ---- evaluation ----

  /** Section offset of a label: exact after layout, tentative before. */
  labelOffset(s: Sym, final: boolean): number {
    if (s.kind === 'equ') {
      const p = this.place(s, final)!
      return p.offset
    }
    if (!final) return s.tentative!
    const sec = this.sections[s.section!]
    return s.item! < sec.items.length ? sec.items[s.item!].offset : sec.size
  }

  /**
   * Where a symbol sits: a label, or an `.equ`/`.set` alias of `label + constant` (GNU keeps
   * relocations against the alias itself). Undefined for constants and undefined symbols.
   */
  place(s: Sym, final: boolean, depth = 0): { section: number; offset: number; epoch: number; target: Sym } | undefined {
    if (s.kind === 'label') return { section: s.section!, offset: this.labelOffset(s, final), epoch: s.epoch!, target: s }
    if (s.kind !== 'equ' || depth > MAX_EQU_DEPTH) return undefined
    let v: Val
    try {
      v = this.eval(s.equ!, final, depth + 1)
    } catch {
      return undefined
    }
    if (!v.add || v.sub) return undefined
    const p = v.add === s ? undefined : this.place(v.add, final, depth + 1)
    return p && { ...p, offset: p.offset + Number(v.n) }
  }

  eval(e: Expr, final: boolean, depth = 0): Val {
    switch (e.k) {
      case 'num': return { n: e.v }
      case 'sym': {
        const s = this.resolveRef(e)
        if (s.kind === 'equ') {
          if (depth > MAX_EQU_DEPTH) throw new AsmError(`symbol \`${s.name}\` is defined in terms of itself`, e.col)
          const v = this.eval(s.equ!, final, depth + 1)
          // An alias of a label (plus a constant) stands for itself, as in GNU.
          if (v.add && !v.sub && this.place(v.add, final, depth + 1)) return { n: 0n, add: s }
          return v
        }
        return { n: 0n, add: s }
      }
      case 'un': {
        const v = this.eval(e.e, final, depth + 1)
        if (v.add || v.sub) {
          // −(a − b + n) = b − a − n: a symbol difference negates into the opposite difference.
          if (e.op === '-' && v.sub) return this.simplify({ n: BigInt.asIntN(64, -v.n), add: v.sub, sub: v.add }, final)
          if (e.op === '-' && v.add && !v.sub) throw new AsmError(`cannot negate symbol \`${v.add.name}\``, 1)
          throw new AsmError(`operator \`${e.op}\` needs a constant`, 1)
        }
        const n = e.op === '-' ? -v.n : e.op === '~' ? ~v.n : v.n === 0n ? 1n : 0n
        return { n: BigInt.asIntN(64, n) }
      }
      case 'bin': {
        const l = this.eval(e.l, final, depth + 1)
        const r = this.eval(e.r, final, depth + 1)
        if (e.op === '+') {
          if ((l.add && r.add) || (l.sub && r.sub)) throw new AsmError('cannot add two symbols', e.col)
          return this.simplify({ n: BigInt.asIntN(64, l.n + r.n), add: l.add ?? r.add, sub: l.sub ?? r.sub }, final)
        }
        if (e.op === '-') {
          // c − (a − b + n) = b − a + (c − n)
          if (r.add && r.sub && !l.add && !l.sub) return this.simplify({ n: BigInt.asIntN(64, l.n - r.n), add: r.sub, sub: r.add }, final)
          if (r.sub && !r.add) throw new AsmError('cannot subtract a negated symbol', e.col)
          if (r.add && (l.sub || r.sub)) throw new AsmError('expression too complex: more than one symbol difference', e.col)
          return this.simplify({ n: BigInt.asIntN(64, l.n - r.n), add: l.add, sub: r.add }, final)
        }
        if (l.add || l.sub || r.add || r.sub) {
          const s = (l.add ?? l.sub ?? r.add ?? r.sub)!
          throw new AsmError(`operator \`${e.op}\` needs constants, but \`${s.name.split(NUMERIC_MARK).join('^B')}\` is not a constant here`, e.col)
        }
        try {
          return { n: constBinary(e.op, l.n, r.n, e.col) }
        } catch (x) {
          if (x instanceof ExprError) throw new AsmError(x.message, x.col)
          throw x
        }
      }
      case 'mod':
        throw new AsmError(`\`%${e.mod}\` is only allowed as a whole instruction operand`, e.col, 'asm.bad_modifier')
      default:
        throw new AsmError('unbound expression', 1)
    }
  }

  /** Folds `a - b` when both labels are in one section and GNU would not keep relocations. */
  private simplify(v: Val, final: boolean): Val {
    if (!v.sub) return v
    const pa = v.add && this.place(v.add, final)
    const pb = this.place(v.sub, final)
    if (pa && pb && pa.section === pb.section) {
      const sec = this.sections[pa.section]
      // GNU keeps ADD/SUB relocations for differences inside code sections (they may change
      // under linker relaxation), even with -mno-relax; data-section differences fold.
      const keep = this.isCode(sec) && !this.foldCodeDifferences
      const foldable = final ? !keep : !keep && pa.epoch === pb.epoch
      if (foldable) return { n: BigInt.asIntN(64, v.n + BigInt(pa.offset - pb.offset)) }
    }
    if (v.add === v.sub) return { n: v.n }
    return v
  }

  /** The constant value of `e` at parse time, or undefined when it depends on later layout. */
  evalNow(e: Expr): bigint | undefined {
    const v = this.eval(e, false)
    return v.add || v.sub ? undefined : v.n
  }

  /** Like evalNow, but an error when not constant (for `.rept`, `.space`, `.align` …). */
  constant(e: Expr, what: string, col: number): bigint {
    const v = this.evalNow(e)
    if (v === undefined) throw new AsmError(`${what} must be a constant known at this point`, col, 'asm.not_constant', 'symbols defined later in the file, or label differences in code, are not constants yet')
    return v
  }

  // ---- statements ----

  /** Assembles preprocessed lines, expanding macros and repeat blocks. */
  run(lines: SourceLine[], depth = 0): void {
    if (depth > MAX_BLOCK_DEPTH) {
      this.error('asm.recursion', `macros or .rept nested more than ${MAX_BLOCK_DEPTH} deep`, 1, 'a macro probably invokes itself without an end condition')
      return
    }
    // GNU conditional assembly (.if/.ifdef/…/.endif), local to this run of lines.
    const conds: Cond[] = []
    for (let i = 0; i < lines.length; i++) {
      if (this.diags.full || this.overBudget(lines[i], depth)) return
      const text = lines[i].text
      // (Every conditional and block directive has a `.`: most lines are tested no further.)
      const dotted = text.indexOf('.') >= 0
      const cm = dotted && COND_HINT.test(text) ? COND.exec(stripComment(text)) : null
      if (cm) {
        const saved = this.origin
        this.origin = lines[i].origin
        const active = conds.length === 0 || conds[conds.length - 1].active
        conditional(this, cm[1].toLowerCase(), cm[2], conds, active, lines[i].text.indexOf('.') + 1)
        this.origin = saved
        continue
      }
      if (conds.length && !conds[conds.length - 1].active) continue
      const saved = this.origin
      this.origin = lines[i].origin
      const block = dotted && BLOCK_HINT.test(text) ? this.blockStart(text) : undefined
      if (block) {
        i = this.runBlock(block, lines, i, depth)
      } else {
        this.line(lines[i].text, depth)
      }
      this.origin = saved
    }
    for (const c of conds) this.diags.error('asm.unterminated_block', '.if without .endif', locOf(c.origin), 'add `.endif`')
  }

  /**
   * Counts one line (conditionals too) toward the assembly's budget, and the text of lines that
   * macros and repeat blocks produced; once either runs out, one error at the line that started
   * the expansion, and true from then on.
   */
  private overBudget(line: SourceLine, depth: number): boolean {
    if (this.budgetSpent) return true
    this.statements++
    if (depth > 0) this.expandedChars += line.text.length
    if (this.statements <= MAX_EXPANDED_STATEMENTS && this.expandedChars <= MAX_EXPANDED_CHARS) return false
    this.budgetSpent = true
    const what = this.statements > MAX_EXPANDED_STATEMENTS ? `more than ${MAX_EXPANDED_STATEMENTS} lines` : `more than ${MAX_EXPANDED_CHARS / (1024 * 1024)} MiB of text`
    this.diags.error('asm.too_large', `macros, .rept and .irp expand to ${what}`, locOf(line.origin),
      'a macro that invokes itself twice, or passes its argument on doubled, grows exponentially: give it an end condition that comes sooner')
    return true
  }

  /** Recognises `.macro`, `.rept`, `.irp`, `.irpc` (after optional labels) — they own the lines up to their end. */
  private blockStart(text: string): { kind: string; args: string; col: number; labels: string } | undefined {
    const m = /^((?:\s*[A-Za-z_.$0-9][A-Za-z0-9_.$]*\s*:)*)\s*\.(macro|rept|irpc|irp)\b(.*)$/i.exec(stripComment(text))
    if (!m) return undefined
    return { kind: m[2].toLowerCase(), args: m[3], col: text.indexOf('.' + m[2]) + m[2].length + 2, labels: m[1] }
  }

  private runBlock(block: { kind: string; args: string; col: number; labels: string }, lines: SourceLine[], start: number, depth: number): number {
    if (block.labels) this.line(block.labels, depth)
    let level = 1
    let end = start + 1
    const endName = block.kind === 'macro' ? 'endm' : 'endr'
    for (; end < lines.length; end++) {
      const t = stripComment(lines[end].text)
      if (/^\s*(?:[A-Za-z_.$0-9][A-Za-z0-9_.$]*\s*:\s*)*\.(macro|rept|irpc|irp)\b/i.test(t)) level++
      else if (/^\s*\.(endm|endr)\b/i.test(t) && --level === 0) break
    }
    if (end >= lines.length) {
      this.error('asm.unterminated_block', `.${block.kind} without .${endName}`, block.col - block.kind.length - 1, `add \`.${endName}\``)
      return lines.length
    }
    const endLine = stripComment(lines[end].text).trim().toLowerCase()
    if (!endLine.startsWith('.' + endName)) this.error('asm.bad_block_end', `.${block.kind} closed by ${endLine.split(/\s/)[0]}`, 1, `use \`.${endName}\``)
    const body = lines.slice(start + 1, end)
    try {
      if (block.kind === 'macro') this.defineMacro(block.args, body, block.col)
      else if (block.kind === 'rept') {
        const n = this.constant(this.parse(block.args.trim(), block.col), '.rept count', block.col)
        if (n < 0n || n > BigInt(MAX_EXPANDED_STATEMENTS)) throw new AsmError(`.rept count ${n} is out of range 0..${MAX_EXPANDED_STATEMENTS}`, block.col, 'asm.bad_directive')
        const lines = this.reorigin(body)
        for (let k = 0n; k < n && !this.budgetSpent && !this.diags.full; k++) this.run(lines, depth + 1)
      } else {
        const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?(.*)$/.exec(block.args)
        if (!m) throw new AsmError(`.${block.kind} needs a symbol name`, block.col, 'asm.bad_directive')
        const values = block.kind === 'irp' ? splitArgs(m[2]) : [...m[2].trim()]
        if (block.kind === 'irp' && values.length === 0) values.push('')
        for (const v of values) {
          if (this.budgetSpent || this.diags.full) break
          this.run(this.reorigin(substitute(body, new Map([[m[1], v]]), '')), depth + 1)
        }
      }
    } catch (x) {
      this.report(x)
    }
    return end
  }

  /** Lines expanded from a block are attributed to the line that produced them (the invocation). */
  private reorigin(body: SourceLine[]): SourceLine[] {
    const o = this.origin
    return body.map((l) => ({ text: l.text, origin: o }))
  }

  private defineMacro(args: string, body: SourceLine[], col: number): void {
    const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?(.*)$/.exec(args)
    if (!m) throw new AsmError('.macro needs a name', col, 'asm.bad_directive')
    const params = splitArgs(m[2].includes(',') ? m[2] : m[2].trim().replace(/\s*=\s*/g, '=').split(/\s+/).join(','))
      .filter((p) => p)
      .map((p) => {
        const pm = /^([A-Za-z_.$][A-Za-z0-9_.$]*)(?::(req|vararg))?(?:\s*=\s*(.*))?$/.exec(p.trim())
        if (!pm) throw new AsmError(`bad macro parameter \`${p}\``, col, 'asm.bad_directive')
        return { name: pm[1], def: pm[3], req: pm[2] === 'req', vararg: pm[2] === 'vararg' }
      })
    this.macros.set(m[1].toLowerCase(), { name: m[1], params, body })
  }

  invokeMacro(def: MacroDef, argText: string, col: number, depth: number): void {
    const given = argText.includes(',') || !argText.trim() ? splitArgs(argText) : argText.trim().split(/\s+/)
    const values = new Map<string, string>()
    let pos = 0
    for (let i = 0; i < given.length; i++) {
      const g = given[i]
      const kw = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)\s*(.*)$/.exec(g)
      if (kw && def.params.some((p) => p.name === kw[1])) {
        values.set(kw[1], kw[2])
        continue
      }
      const p = def.params[pos++]
      if (!p) {
        this.error('asm.macro_args', `too many arguments to macro \`${def.name}\` (it takes ${def.params.length})`, col)
        break
      }
      if (p.vararg) {
        values.set(p.name, given.slice(i).join(','))
        break
      }
      values.set(p.name, this.altArg(g, col))
    }
    for (const p of def.params) {
      if (!values.has(p.name) || values.get(p.name) === '') {
        if (p.req) this.error('asm.macro_args', `missing value for required parameter \`${p.name}\` of macro \`${def.name}\``, col)
        values.set(p.name, p.def ?? '')
      }
    }
    const counter = String(this.macroCounter++)
    const lines: SourceLine[] = []
    for (const l of substitute(def.body, values, counter)) {
      if (/^\s*\.exitm\b/i.test(l.text)) break
      lines.push({ text: l.text, origin: this.origin })
    }
    this.run(lines, depth + 1)
  }

  private altArg(g: string, col: number): string {
    if (!this.altmacro || !g.startsWith('%')) return g
    return String(this.constant(this.parse(g.slice(1), col), 'macro argument', col))
  }

  /** One source line: comment removal, `;` separation, labels, then one statement each. */
  line(text: string, depth = 0): void {
    const t = stripComment(text)
    if (isBlank(t)) return
    if (!t.includes(';')) return this.statement(t, 1, depth)
    for (const part of splitStatements(t)) this.statement(part.text, part.col, depth)
  }

  private statement(text: string, col0: number, depth: number): void {
    let i = 0
    const n = text.length
    const maybeLabel = text.includes(':')
    for (;;) {
      while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++
      if (!maybeLabel) break
      LABEL.lastIndex = i
      const m = LABEL.exec(text)
      if (!m) break
      this.defineLabel(m[1], col0 + i)
      i += m[0].length
    }
    if (i >= n) return
    if (this.instructionText && this.macros.size === 0 && text.charCodeAt(i) !== 46) {
      try {
        if (this.instructionText(i === 0 ? text : text.slice(i), col0 + i)) return
      } catch (x) {
        this.report(x, col0 + i)
        return
      }
    }
    // The statement's first word; `{disp32}`-style pseudo-prefixes start an x86 instruction.
    const end = wordEnd(text, i)
    if (end === i) {
      this.error('asm.syntax', `unexpected \`${text.slice(i).trim().slice(0, 20)}\``, col0 + i, 'a statement starts with a label, a directive or an instruction')
      return
    }
    const word = text.slice(i, end)
    const argCol = col0 + end
    const args = text.slice(end)
    try {
      const eq = assignment(args)
      if (eq >= 0) {
        this.directive(this, '.set', `${word}, ${args.slice(eq + 1)}`, argCol)
        return
      }
      const lower = word.toLowerCase()
      const macro = this.macros.size ? this.macros.get(lower) : undefined
      if (macro) {
        this.invokeMacro(macro, args, argCol, depth)
        return
      }
      if (lower.charCodeAt(0) === 46) this.directive(this, lower, args, argCol)
      else this.instruction(this, lower, args, argCol)
    } catch (x) {
      this.report(x, col0 + i)
    }
  }

  report(x: unknown, col = 1): void {
    if (x instanceof AsmError) this.error(x.code, x.message, x.col || col, x.hint)
    else if (x instanceof ExprError) this.error('asm.bad_expression', x.message, x.col || col)
    else throw x
  }
}

/** A label at a given position (sticky: no slice of the statement per attempt). */
const LABEL = /([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)\s*:(?!=)/y

/** Whether a line is empty or only blanks (no trimmed copy). */
function isBlank(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12) return false
  }
  return true
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46 || c === 36
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57)
}

/**
 * End of the statement's first word at `i` (`[A-Za-z_.$][A-Za-z0-9_.$]*` or `{name}`), or `i`
 * when there is none.
 */
function wordEnd(text: string, i: number): number {
  const n = text.length
  const c = text.charCodeAt(i)
  if (isWordStart(c)) {
    let j = i + 1
    while (j < n && isWordChar(text.charCodeAt(j))) j++
    return j
  }
  if (c !== 123) return i
  let j = i + 1
  while (j < n && (isWordChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 46 && text.charCodeAt(j) !== 36)) j++
  return j > i + 1 && text.charCodeAt(j) === 125 ? j + 1 : i
}

/** Index of the `=` of `name = value` in the text after the name (not `==`), or −1. */
function assignment(args: string): number {
  let i = 0
  for (; i < args.length; i++) {
    const c = args.charCodeAt(i)
    if (c !== 32 && c !== 9 && (c < 10 || c > 13) && (c < 128 || !/\s/.test(args[i]))) break
  }
  return args.charCodeAt(i) === 61 && args.charCodeAt(i + 1) !== 61 ? i : -1
}

export { parseExpr, splitArgs, stripComment }
