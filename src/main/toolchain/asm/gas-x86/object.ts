/**
 * After parsing, GNU as for x86 (binutils 2.40 `as --32/--64`): relax `jmp`/`jcc` (tc-i386.c
 * md_relax_table — the 2-byte form while the target is in the same section and in reach, else
 * the near form; a target in another section, undefined, weak or written `@PLT` gets the near
 * form and a relocation at once), pad aligned code with GNU's no-ops (nops.ts), then resolve
 * every field: constants and PC-relative references to local labels of the same section are
 * written; the rest become relocations — R_386_* (SHT_REL, addend also in the field) or
 * R_X86_64_* (SHT_RELA) — against the section symbol for local labels (GNU's
 * adjust_reloc_syms) and against the symbol itself otherwise. 64-bit calls and jumps to global
 * symbols are R_X86_64_PLT32 (tc-i386.c need_plt32_p). Relocations of relaxed jumps come after
 * the others of their section, because GNU creates them when it sizes the jump.
 */
import { EM_386, EM_X86_64 } from '../../../../shared/elf/constants'
import * as R from '../../../../shared/elf/relocs-x86'
import type { ObjSection, ObjSymbol, ObjectFile, Reloc } from '../../object'
import { AsmError, NUMERIC_MARK, type Assembler, type Val } from '../assembler'
import { lineTable, toObjSymbol } from '../layout'
import { locOf } from '../diagnostics'
import type { Expr } from '../expr'
import { SHF_GROUP, SHF_TLS, SHT_NOBITS, type Fixup, type Item, type Section, type Sym, type X86FieldFixup } from '../state'
import type { GasX86State } from './context'
import { gasNops } from './nops'
import { mergeSubsections } from './subsections'
import { TLS_OPS } from './operands'

/** Layout passes: jump sizes only grow, so this ends; the cap guards against a bug. */
const MAX_PASSES = 200

type JumpItem = Item & { k: 'x86jump' }

/** Size of the near form of a jump (E9 rel16/rel32, 0F 8x rel16/rel32). */
function longSize(it: JumpItem): number {
  const disp = it.j.bits === 16 ? 2 : 4
  return (it.j.cc < 0 ? 1 : 2) + disp
}

/** Where a jump goes when the relaxation may decide its size: same section, not preemptible. */
function localTarget(asm: Assembler, it: JumpItem, sec: Section): number | undefined {
  if (it.j.reloc) return undefined
  let v: Val
  try {
    v = asm.eval(it.j.target, true)
  } catch {
    return undefined
  }
  if (!v.add || v.sub || v.add.bind === 'weak') return undefined
  const p = asm.place(v.add, true)
  if (!p || p.section !== sec.index) return undefined
  return p.offset + Number(v.n)
}

function layout(asm: Assembler): void {
  const backwards = new Set<Item>()
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false
    for (const sec of asm.sections) {
      let off = 0
      for (const it of sec.items) {
        it.offset = off
        if (it.k === 'align') {
          let pad = (it.align - (off % it.align)) % it.align
          if (it.max > 0 && pad > it.max) pad = 0
          if (pad !== it.size) changed = true
          it.size = pad
        } else if (it.k === 'org') {
          const size = it.target - off
          if (size < 0 && !backwards.has(it)) {
            backwards.add(it)
            asm.diags.error('asm.org_backwards', `.org moves the location counter backwards (from ${off} to ${it.target})`, locOf(it.origin, 1), 'the code before it is longer than the offset')
          }
          if (Math.max(size, 0) !== it.size) changed = true
          it.size = Math.max(size, 0)
        } else if (it.k === 'x86jump' && it.size === 2) {
          const t = localTarget(asm, it, sec)
          const d = t === undefined ? undefined : t - (off + 2)
          if (d === undefined || d < -128 || d > 127) {
            it.size = longSize(it)
            changed = true
          }
        }
        off += it.k === 'bytes' ? it.bytes.length : it.size
      }
      sec.size = off
    }
    if (!changed) return
  }
}

interface PendingReloc {
  offset: number
  type: number
  /** The symbol, or undefined for the absolute (null) symbol. */
  sym?: Sym
  /** Relocate against this section's symbol instead. */
  section?: number
  addend: bigint
  loc: Fixup['loc']
}

export function buildX86Object(st: GasX86State, name: string): ObjectFile | undefined {
  const asm = st.asm
  mergeSubsections(asm)
  asm.sectionNamesAsSymbols()
  layout(asm)
  const elf64 = st.elf === 64
  const datas = asm.sections.map((s) => new Uint8Array(s.type === SHT_NOBITS ? 0 : s.size))
  const fixed: PendingReloc[][] = asm.sections.map(() => [])
  const late: PendingReloc[][] = asm.sections.map(() => [])
  const usedSections = new Set<number>()

  for (const sec of asm.sections) {
    const data = datas[sec.index]
    const put = (off: number, v: bigint, n: number) => {
      for (let i = 0; i < n; i++) data[off + i] = Number(BigInt.asUintN(8, v >> BigInt(8 * i)))
    }
    const w = new Writer(st, sec, put, fixed[sec.index], usedSections)
    for (const it of sec.items) {
      asm.origin = it.origin
      if (sec.type === SHT_NOBITS) continue
      switch (it.k) {
        case 'bytes': data.set(it.bytes, it.offset); break
        case 'fill':
          if (it.value !== 0n) {
            const pattern = Uint8Array.from({ length: it.width }, (_, i) => Number(BigInt.asUintN(8, it.value >> BigInt(8 * i))))
            if (it.width === 1) data.fill(pattern[0], it.offset, it.offset + it.size)
            else for (let o = 0; o < it.size; o += it.width) data.set(pattern.subarray(0, Math.min(it.width, it.size - o)), it.offset + o)
          }
          break
        case 'org':
          data.fill(it.fill, it.offset, it.offset + it.size)
          break
        case 'align':
          if (it.code && asm.isCode(sec)) gasNops(data, it.offset, it.size, st.mode, st.elf)
          else data.fill(it.fill, it.offset, it.offset + it.size)
          break
        case 'x86jump':
          try {
            w.jump(it, late[sec.index])
          } catch (x) {
            if (x instanceof AsmError) asm.diags.error(x.code, x.message, it.j.loc, x.hint)
            else throw x
          }
          break
      }
      if (it.k !== 'bytes' || !it.fixups) continue
      for (const f of it.fixups) {
        try {
          w.fixup(it, f)
        } catch (x) {
          if (x instanceof AsmError) asm.diags.error(x.code, x.message, f.loc, x.hint)
          else throw x
        }
      }
    }
  }
  if (asm.diags.errors > 0) return undefined

  const symbols = buildSymbols(st, usedSections)
  const sections: ObjSection[] = asm.sections.map((s) => ({
    name: s.name, type: s.type, flags: s.flags | (st.groups.has(s.name) ? SHF_GROUP : 0), align: s.align, data: datas[s.index], size: s.size, entsize: s.entsize,
    ...(st.groups.get(s.name)?.comdat ? { group: st.groups.get(s.name)!.signature } : {}),
    relocs: [...fixed[s.index], ...late[s.index]].map((r): Reloc => ({
      offset: r.offset, type: r.type, addend: r.addend, loc: r.loc,
      symbol: r.section !== undefined ? symbols.sectionSym.get(r.section)! : r.sym ? r.sym.outIndex! : -1,
    })),
  }))
  if (asm.diags.errors > 0) return undefined
  return { name, machine: elf64 ? EM_X86_64 : EM_386, sections, symbols: symbols.list, lines: lineTable(asm) }
}

/** Resolves one section's fields into bytes and relocations. */
class Writer {
  private readonly asm: Assembler
  constructor(
    private readonly st: GasX86State,
    private readonly sec: Section,
    private readonly put: (off: number, v: bigint, n: number) => void,
    private readonly relocs: PendingReloc[],
    private readonly usedSections: Set<number>,
  ) {
    this.asm = st.asm
  }

  /** A relocation against `sym` (+ `addend`), moved to the section symbol for local labels. */
  private reloc(list: PendingReloc[], offset: number, type: number, sym: Sym | undefined, addend: bigint, loc: Fixup['loc'], keepSymbol: boolean, size: number): void {
    let r: PendingReloc = { offset, type, sym, addend, loc }
    if (sym) {
      if (sym.kind === 'undef' && sym.internal) {
        const parts = sym.name.split(NUMERIC_MARK)
        const shown = parts.length === 2 ? `${parts[0].slice(2)}${'f'}` : sym.name
        throw new AsmError(`undefined local label \`${shown}\``, loc.column, 'asm.undefined_local_label', 'define the label, or use a global name')
      }
      // write.c adjust_reloc_syms: never against the section symbol of a thread-local symbol.
      const p = sym.bind === 'local' && !keepSymbol && !inTlsSection(this.asm, sym) && !this.inGroup(sym) ? this.asm.place(sym, true) : undefined
      if (p) {
        r = { offset, type, section: p.section, addend: addend + BigInt(p.offset), loc }
        this.usedSections.add(p.section)
      } else sym.usedByReloc = true
    }
    // SHT_REL (i386): the addend is stored in the field, and is what the field holds.
    if (this.st.elf === 32) {
      r.addend = BigInt.asIntN(size * 8, r.addend)
      this.put(offset, r.addend, size)
    }
    list.push(r)
  }

  /** Whether a symbol is defined in a member of a section group (relocations keep it). */
  private inGroup(sym: Sym): boolean {
    const p = sym.kind === 'label' ? this.asm.place(sym, true) : undefined
    return p !== undefined && this.st.groups.has(this.asm.sections[p.section].name)
  }

  jump(it: JumpItem, late: PendingReloc[]): void {
    const { cc, bits } = it.j
    const disp = bits === 16 ? 2 : 4
    const op = it.size === 2 ? [cc < 0 ? 0xeb : 0x70 + cc] : cc < 0 ? [0xe9] : [0x0f, 0x80 + cc]
    op.forEach((b, i) => this.put(it.offset + i, BigInt(b), 1))
    const field = it.offset + op.length
    const end = it.offset + it.size
    const t = localTarget(this.asm, it, this.sec)
    if (t !== undefined) {
      this.put(field, BigInt(t - end), it.size === 2 ? 1 : disp)
      return
    }
    const v = this.asm.eval(it.j.target, true)
    if (v.sub) throw new AsmError('a jump target cannot be a difference of symbols', it.j.loc.column, 'asm.bad_operand')
    const type = this.pcrelType(disp, v.add, it.j.reloc, true, it.j.loc.column)
    this.reloc(late, field, type, v.add, v.n - BigInt(disp), it.j.loc, it.j.reloc !== undefined, disp)
  }

  /** R_386_PC32 / R_X86_64_PC32 or PLT32 for a PC-relative field of `size` bytes. */
  private pcrelType(size: number, sym: Sym | undefined, op: string | undefined, branch: boolean, col: number): number {
    const elf64 = this.st.elf === 64
    if (op === 'PLT') {
      if (size !== 4) throw new AsmError('@PLT needs a 32-bit field', col, 'asm.bad_operand')
      return elf64 ? R.R_X86_64_PLT32 : R.R_386_PLT32
    }
    if (op) throw new AsmError(`@${op} cannot be used in a PC-relative field here`, col, 'asm.bad_operand')
    if (size === 4) {
      // tc-i386.c need_plt32_p: undefined, weak or global branch targets go through the PLT.
      const plt = elf64 && branch && sym !== undefined && (sym.kind === 'undef' || sym.bind !== 'local')
      return elf64 ? (plt ? R.R_X86_64_PLT32 : R.R_X86_64_PC32) : R.R_386_PC32
    }
    if (size === 2) return elf64 ? R.R_X86_64_PC16 : R.R_386_PC16
    if (size === 1) return elf64 ? R.R_X86_64_PC8 : R.R_386_PC8
    if (elf64) return R.R_X86_64_PC64
    throw new AsmError('a 64-bit PC-relative value is not possible in an elf32 object', col, 'asm.bad_operand')
  }

  private absType(size: number, signed: boolean, op: string | undefined, relaxable: 'rex' | 'norex' | undefined, col: number): number {
    const elf64 = this.st.elf === 64
    if (op) {
      if (!elf64 && size === 4) {
        if (op === 'GOT') return relaxable ? R.R_386_GOT32X : R.R_386_GOT32
        if (op === 'GOTOFF') return R.R_386_GOTOFF
      }
      throw new AsmError(`@${op} cannot be used here`, col, 'asm.bad_operand', elf64 ? 'in 64-bit code write `sym@GOTPCREL(%rip)`' : undefined)
    }
    if (size === 8) {
      if (!elf64) throw new AsmError('a 64-bit address is not possible in an elf32 object', col, 'asm.bad_operand', 'use .long, or assemble with --64')
      return R.R_X86_64_64
    }
    if (size === 4) return elf64 ? (signed ? R.R_X86_64_32S : R.R_X86_64_32) : R.R_386_32
    if (size === 2) return elf64 ? R.R_X86_64_16 : R.R_386_16
    return elf64 ? R.R_X86_64_8 : R.R_386_8
  }

  /** `sym@GOTPCREL + n`: the symbol stays, even when it is a constant (`.set bar, 0x1234`). */
  private relocValue(e: Expr, col: number): Val {
    const parts = (x: Expr, sign: bigint): { sym?: string; n: bigint } => {
      if (x.k === 'sym') return { sym: x.name, n: 0n }
      if (x.k === 'bin' && (x.op === '+' || x.op === '-')) {
        const l = parts(x.l, sign)
        const r = parts(x.r, x.op === '-' ? -sign : sign)
        if (l.sym && r.sym) throw new AsmError('a relocation operator takes one symbol', col, 'asm.bad_operand')
        return { sym: l.sym ?? r.sym, n: l.n + (x.op === '-' ? -r.n : r.n) }
      }
      return { n: this.asm.evalNow(x) ?? this.asm.eval(x, true).n }
    }
    const p = parts(e, 1n)
    if (!p.sym) throw new AsmError('a relocation operator needs a symbol', col, 'asm.bad_operand')
    return { n: p.n, add: this.asm.resolveName(p.sym, col) }
  }

  /**
   * A thread-local storage operator (i386 and x86-64 TLS ABI; tc-i386.c gotrel): the relocation
   * for the field, always against the symbol itself, which becomes STT_TLS.
   */
  private tls(at: number, x: X86FieldFixup, op: string, v: Val, loc: Fixup['loc']): void {
    const col = loc.column
    if (!v.add || v.sub) throw new AsmError(`@${op} needs a symbol plus a constant`, col, 'asm.bad_operand')
    const elf64 = this.st.elf === 64
    const type = elf64
      ? ({ TPOFF: x.size === 8 ? R.R_X86_64_TPOFF64 : R.R_X86_64_TPOFF32, DTPOFF: x.size === 8 ? R.R_X86_64_DTPOFF64 : R.R_X86_64_DTPOFF32, GOTTPOFF: R.R_X86_64_GOTTPOFF, TLSGD: R.R_X86_64_TLSGD, TLSLD: R.R_X86_64_TLSLD } as Record<string, number>)[op]
      : ({ TPOFF: R.R_386_TLS_LE_32, NTPOFF: R.R_386_TLS_LE, DTPOFF: R.R_386_TLS_LDO_32, GOTTPOFF: R.R_386_TLS_IE_32, GOTNTPOFF: R.R_386_TLS_GOTIE, INDNTPOFF: R.R_386_TLS_IE, TLSGD: R.R_386_TLS_GD, TLSLDM: R.R_386_TLS_LDM } as Record<string, number>)[op]
    if (type === undefined) throw new AsmError(`@${op} reloc is not supported with ${elf64 ? 64 : 32}-bit output format`, col, 'asm.bad_operand', elf64 ? 'x86-64 code uses @TPOFF, @DTPOFF, @GOTTPOFF, @TLSGD and @TLSLD' : 'i386 code uses @NTPOFF, @TPOFF, @DTPOFF, @GOTNTPOFF, @INDNTPOFF, @GOTTPOFF, @TLSGD and @TLSLDM')
    const wide = elf64 && x.size === 8 && (op === 'TPOFF' || op === 'DTPOFF')
    if (x.size !== 4 && !wide) throw new AsmError(`@${op} needs a 32-bit field`, col, 'asm.bad_operand')
    if (x.pcrel && (op === 'TPOFF' || op === 'DTPOFF' || !elf64)) throw new AsmError('non-pc-relative relocation for pc-relative field', col, 'asm.bad_operand', `@${op} is an offset, not an address: write it without (%rip)`)
    if (v.add.type === 'notype') v.add.type = 'tls'
    this.reloc(this.relocs, at, type, v.add, x.pcrel ? v.n - BigInt(x.toEnd) : v.n, loc, true, x.size)
  }

  fixup(it: Item & { k: 'bytes' }, f: Fixup): void {
    const at = it.offset + f.at
    const col = f.loc.column
    const x: X86FieldFixup = f.x86 ?? { size: Number(f.kind.slice(4)) as 1 | 2 | 4 | 8, pcrel: false, signed: false, toEnd: 0 }
    const v = x.reloc ? this.relocValue(f.expr, col) : this.asm.eval(f.expr, true)
    if (x.type !== undefined) {
      // `.reloc`: the relocation as written.
      if (v.sub) throw new AsmError('.reloc needs a symbol plus a constant', col, 'asm.bad_directive')
      this.relocs.push(v.add ? { offset: at, type: x.type, sym: v.add, addend: v.n, loc: f.loc } : { offset: at, type: x.type, addend: v.n, loc: f.loc })
      if (v.add) v.add.usedByReloc = true
      return
    }
    const op = x.reloc
    if (op && TLS_OPS.has(op)) return this.tls(at, x, op, v, f.loc)
    // `sym - .` (or `sym - label_here`): PC-relative to this section.
    const pcrel = x.pcrel
    const n = v.n
    const add = v.add
    if (v.sub) {
      const p = this.asm.place(v.sub, true)
      if (!p || p.section !== this.sec.index || pcrel) {
        throw new AsmError(`can't resolve \`${v.add?.name ?? '0'} - ${v.sub.name}\`: the symbols are in different sections`, col, 'asm.bad_expression', 'a difference needs both symbols in one section, or the second in the section being assembled')
      }
      if (!add) throw new AsmError(`cannot emit a relocation for minus \`${v.sub.name}\``, col, 'asm.bad_expression')
      const type = this.pcrelType(x.size, add, op, false, col)
      this.reloc(this.relocs, at, type, add, n + BigInt(at - p.offset), f.loc, op !== undefined, x.size)
      return
    }
    if (!add) {
      if (pcrel) {
        // A constant target (`call 0x1000`): relative through the absolute symbol.
        this.reloc(this.relocs, at, this.pcrelType(x.size, undefined, op, false, col), undefined, n - BigInt(x.toEnd), f.loc, false, x.size)
        return
      }
      checkFits(n, x.size, x.signed, col)
      this.put(at, n, x.size)
      return
    }
    if (pcrel) {
      const p = op ? undefined : this.asm.place(add, true)
      if (p && p.section === this.sec.index && add.bind === 'local') {
        const d = BigInt(p.offset) + n - BigInt(at + x.toEnd)
        if (x.size < 4 && !fitsSigned(d, x.size)) throw new AsmError(`jump target is out of range (${d} does not fit in ${x.size * 8} bits)`, col, 'asm.branch_range', 'the target is too far for this short form')
        this.put(at, d, x.size)
        return
      }
      if (op === 'GOTPCREL') {
        if (this.st.elf !== 64 || x.size !== 4) throw new AsmError('@GOTPCREL needs 64-bit code and a 32-bit field', col, 'asm.bad_operand')
        const type = x.relaxable === 'rex' ? R.R_X86_64_REX_GOTPCRELX : x.relaxable === 'norex' ? R.R_X86_64_GOTPCRELX : R.R_X86_64_GOTPCREL
        this.reloc(this.relocs, at, type, add, n - BigInt(x.toEnd), f.loc, true, x.size)
        return
      }
      const type = this.pcrelType(x.size, add, op, x.branch ?? false, col)
      this.reloc(this.relocs, at, type, add, n - BigInt(x.toEnd), f.loc, op !== undefined, x.size)
      return
    }
    // tc_i386_fix_adjustable: GOT and PLT references keep their symbol; @GOTOFF moves to the section symbol.
    this.reloc(this.relocs, at, this.absType(x.size, x.signed, op, x.relaxable, col), add, n, f.loc, op !== undefined && op !== 'GOTOFF', x.size)
  }
}

/** Whether a symbol is defined in a thread-local (SHF_TLS) section. */
function inTlsSection(asm: Assembler, sym: Sym): boolean {
  const p = sym.kind === 'label' ? asm.place(sym, true) : undefined
  return p !== undefined && (asm.sections[p.section].flags & SHF_TLS) !== 0
}

function fitsSigned(v: bigint, size: number): boolean {
  const b = BigInt(size * 8)
  return v >= -(1n << (b - 1n)) && v < 1n << (b - 1n)
}

/** GNU as: "value of N too large for field of K bytes" (signed or unsigned range). */
function checkFits(v: bigint, size: number, signed: boolean, col: number): void {
  if (size === 8) return
  const b = BigInt(size * 8)
  // write.c fixup_segment: an unsigned field takes anything whose value or negation fits.
  const ok = signed ? fitsSigned(v, size) : v > -(1n << b) && v < 1n << b
  if (!ok) throw new AsmError(`value of ${v} too large for field of ${size} byte${size === 1 ? '' : 's'}`, col, 'asm.value_range')
}

/**
 * The symbol table as GNU as writes it: section symbols that relocations use, then local
 * symbols (labels and `=` constants, not `.L` names) in the order they were first mentioned,
 * then global, weak and undefined ones in that order.
 */
function buildSymbols(st: GasX86State, usedSections: Set<number>): { list: ObjSymbol[]; sectionSym: Map<number, number> } {
  const asm = st.asm
  const list: ObjSymbol[] = []
  const sectionSym = new Map<number, number>()
  for (const s of asm.sections) {
    if (!usedSections.has(s.index)) continue
    sectionSym.set(s.index, list.length)
    list.push({ name: s.name, section: s.index, value: 0n, size: 0n, bind: 'local', type: 'section', visibility: 0 })
  }
  const locals: Sym[] = []
  const globals: Sym[] = []
  for (const s of asm.symbols.values()) {
    const defined = s.kind !== 'undef'
    if (s.internal && !(s.usedByReloc && defined)) continue
    if (defined && s.bind === 'local') locals.push(s)
    else if (defined || s.usedByReloc || (s.bindSet && s.bind !== 'local') || st.commons.has(s)) globals.push(s)
  }
  for (const s of locals) {
    s.outIndex = list.length
    list.push(objSymbol(st, s))
  }
  // Group signatures that name no symbol of the file: local symbols GNU as makes for the groups.
  for (const sig of new Set([...st.groups.values()].map((g) => g.signature))) {
    const s = asm.symbols.get(sig)
    if (s && (s.kind !== 'undef' || s.usedByReloc || s.bindSet)) continue
    list.push({ name: sig, section: 'abs', value: 0n, size: 0n, bind: 'local', type: 'notype', visibility: 0 })
  }
  for (const s of globals) {
    s.outIndex = list.length
    list.push(objSymbol(st, s))
  }
  return { list, sectionSym }
}

/** One symbol as the ELF symbol table holds it. */
function objSymbol(st: GasX86State, s: Sym): ObjSymbol {
  const asm = st.asm
  const common = st.commons.get(s)
  const o = common ? { name: s.name, section: 'common' as const, value: BigInt(common.align), size: common.size, bind: 'global' as const, type: 'object' as const, visibility: 0, loc: s.loc } : toObjSymbol(asm, s)
  // Symbols of SHF_TLS sections are STT_TLS (obj-elf.c elf_frob_symbol).
  if (typeof o.section === 'number' && (asm.sections[o.section].flags & SHF_TLS) !== 0 && (o.type === 'notype' || o.type === 'object')) o.type = 'tls'
  // An ELF32 symbol value has 32 bits (`-(MAGIC + FLAGS)` is 0xe4524ffb, not a 64-bit negative).
  if (st.elf === 32) o.value = BigInt.asUintN(32, o.value)
  return { ...o, visibility: st.visibility.get(s) ?? 0 }
}
