/**
 * After parsing: size relaxable branches and alignment to a fixed point (GNU tc-riscv.c
 * `relaxed_branch_length`), then patch instructions, resolve fixups into bytes or
 * relocations exactly as GNU `as -mno-relax` leaves them, and build the ObjectFile with its
 * symbol table and line table.
 */
import { rowByName } from '../../../shared/isa'
import type { LineEntry, ObjSection, ObjSymbol, ObjectFile, Reloc } from '../object'
import { AsmError, NUMERIC_MARK, type Assembler, type Val } from './assembler'
import { encode16, encode32, encodeBType, encodeIType, encodeJType, encodeSType, encodeUType } from './encode'
import { INVERT_BRANCH } from './instructions'
import { R, SHF_EXECINSTR, SHT_NOBITS, type BranchInfo, type Fixup, type Item, type Section, type Sym } from './state'
import { rvcImmEncode } from '../../../shared/isa'

const RVC_BRANCH_REACH = 1 << 9
const RVC_JUMP_REACH = 1 << 12
const RISCV_BRANCH_REACH = 1 << 13
const RISCV_JUMP_REACH = 1 << 21
/** Layout passes before branch sizes may only grow (guarantees termination). */
const FREE_PASSES = 8
const MAX_PASSES = 64

const RISCV_NOP = 0x00000013
const RVC_NOP = 0x0001

function inReach(v: number, reach: number): boolean {
  return v >= -reach / 2 && v < reach / 2
}

/** GNU relaxed_branch_length: 2 (compressed), 4, 6 (c.b + jal) or 8 (b + jal). */
function branchLength(asm: Assembler, item: Item & { k: 'branch' }, sec: Section): number {
  const b = item.b
  const jump = b.row === 'jal'
  const worst = jump ? 4 : 8
  let v: Val
  try {
    v = asm.eval(b.target, true)
  } catch {
    return worst
  }
  const s = v.add
  const p = s && !v.sub ? asm.place(s, true) : undefined
  if (!s || !p || p.section !== sec.index || s.bind === 'weak') return worst
  const val = p.offset + Number(v.n) - item.offset
  if (b.rvc && inReach(val, jump ? RVC_JUMP_REACH : RVC_BRANCH_REACH)) return 2
  if (inReach(val, jump ? RISCV_JUMP_REACH : RISCV_BRANCH_REACH)) return 4
  if (!jump && b.rvc) return 6
  return worst
}

function layout(asm: Assembler): void {
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
          off += pad
        } else if (it.k === 'branch') {
          let n = branchLength(asm, it, sec)
          if (pass >= FREE_PASSES && n < it.size) n = it.size
          if (n !== it.size) changed = true
          it.size = n
          off += n
        } else off += it.k === 'bytes' ? it.bytes.length : it.size
      }
      sec.size = off
    }
    if (!changed) return
  }
}

interface Out {
  data: Uint8Array
  relocs: Reloc[]
}

export function buildObject(asm: Assembler, name: string): ObjectFile | undefined {
  // GNU pads the end of a code section to the section's alignment with nops.
  for (const sec of asm.sections) {
    const last = sec.items[sec.items.length - 1]
    if (sec.flags & SHF_EXECINSTR && sec.align > 1 && last) sec.items.push({ k: 'align', align: sec.align, fill: 0, code: true, max: 0, size: 0, origin: last.origin, offset: 0 })
  }
  // Section names used as symbols: relocations against them are against the section's symbol.
  const sectionSymbols = asm.sectionNamesAsSymbols()
  layout(asm)
  const outs: Out[] = asm.sections.map((s) => ({ data: new Uint8Array(s.type === SHT_NOBITS ? 0 : s.size), relocs: [] }))
  const pendingRelocs: { sec: number; offset: number; type: number; sym: Sym; addend: bigint; loc: Fixup['loc'] }[] = []
  const reloc = (sec: number, offset: number, type: number, sym: Sym, addend: bigint, loc: Fixup['loc']) => {
    if (!sectionSymbols.has(sym)) sym.usedByReloc = true
    pendingRelocs.push({ sec, offset, type, sym, addend, loc })
  }

  for (const sec of asm.sections) {
    const out = outs[sec.index]
    const put = (off: number, v: number, n: number) => {
      for (let i = 0; i < n; i++) out.data[off + i] = (v >>> (8 * i)) & 0xff
    }
    const get32 = (off: number) => (out.data[off] | (out.data[off + 1] << 8) | (out.data[off + 2] << 16) | (out.data[off + 3] << 24)) >>> 0
    const code = (sec.flags & SHF_EXECINSTR) !== 0
    for (const it of sec.items) {
      asm.origin = it.origin
      if (sec.type === SHT_NOBITS) continue
      switch (it.k) {
        case 'insn': put(it.offset, it.word, it.size); break
        case 'bytes': out.data.set(it.bytes, it.offset); break
        case 'fill':
          if (it.value !== 0n) {
            const pattern = new Uint8Array(it.width)
            let x = BigInt.asUintN(64, it.value)
            for (let i = 0; i < it.width; i++, x >>= 8n) pattern[i] = Number(x & 0xffn)
            if (it.width === 1) out.data.fill(pattern[0], it.offset, it.offset + it.size)
            else for (let o = 0; o < it.size; o += it.width) out.data.set(it.size - o >= it.width ? pattern : pattern.subarray(0, it.size - o), it.offset + o)
          }
          break
        case 'align':
          if (it.code && code) {
            let i = it.offset
            const end = it.offset + it.size
            if (it.size % 2 === 1) out.data[i++] = 0
            if ((end - i) % 4 === 2) {
              put(i, RVC_NOP, 2)
              i += 2
            }
            for (; i < end; i += 4) put(i, RISCV_NOP, 4)
          } else out.data.fill(it.fill, it.offset, it.offset + it.size)
          break
        case 'branch':
          emitBranch(asm, sec, it, put, reloc)
          break
      }
      if ((it.k !== 'bytes' && it.k !== 'insn') || !it.fixups) continue
      for (const f of it.fixups) {
        try {
          applyFixup(asm, sec, it.offset + f.at, f, put, get32, reloc)
        } catch (x) {
          if (x instanceof AsmError) asm.diags.error(x.code, x.message, f.loc, x.hint)
          else throw x
        }
      }
    }
  }

  // Undefined local labels are errors (GNU: "undefined local label"); .L names too.
  for (const r of pendingRelocs) {
    if (r.sym.kind === 'undef' && r.sym.internal) {
      const parts = r.sym.name.split(NUMERIC_MARK)
      const shown = parts.length === 2 ? `${parts[0].slice(2)}f` : r.sym.name
      asm.diags.error('asm.undefined_local_label', `undefined local label \`${shown}\``, r.loc, /^[0-9]+f$/.test(shown) ? `define \`${shown.slice(0, -1)}:\` below this line` : 'define the label, or use a global name')
      r.sym.internal = false
    }
  }

  const symbols = buildSymbols(asm)
  // (Section symbols come first, in section order: buildSymbols.)
  for (const r of pendingRelocs) outs[r.sec].relocs.push({ offset: r.offset, type: r.type, symbol: sectionSymbols.has(r.sym) ? r.sym.section! : r.sym.outIndex!, addend: r.addend, loc: r.loc })

  const sections: ObjSection[] = asm.sections.map((s) => {
    // GNU gives .text 2-byte alignment up front when RVC is on (md_begin); other sections start at 1.
    const minAlign = s.name === '.text' ? 2 : 1
    return {
      name: s.name, type: s.type, flags: s.flags, align: Math.max(s.align, minAlign), data: outs[s.index].data,
      size: s.size, entsize: s.entsize, relocs: outs[s.index].relocs,
    }
  })
  if (asm.diags.errors > 0) return undefined
  return { name, sections, symbols, lines: lineTable(asm) }
}

type Put = (off: number, v: number, n: number) => void
type AddReloc = (sec: number, offset: number, type: number, sym: Sym, addend: bigint, loc: Fixup['loc']) => void

/** S + A − P as GNU's md_apply_fix fills branch fields (S = section offset of a defined symbol, else 0). */
function pcrelValue(asm: Assembler, v: Val, p: number): number {
  const s = v.add!
  const base = asm.place(s, true)?.offset ?? 0
  return base + Number(v.n) - p
}

function targetOf(asm: Assembler, b: BranchInfo): Val {
  const v = asm.eval(b.target, true)
  if (!v.add || v.sub) throw new AsmError('branch target must be a label', b.loc.column, 'asm.bad_operand')
  return v
}

function row(n: string) {
  return rowByName(n)!
}

function emitBranch(asm: Assembler, sec: Section, it: Item & { k: 'branch' }, put: Put, reloc: AddReloc): void {
  const b = it.b
  let v: Val
  try {
    v = targetOf(asm, b)
  } catch (x) {
    if (x instanceof AsmError) asm.diags.error(x.code, x.message, b.loc, x.hint)
    return
  }
  const jump = b.row === 'jal'
  const p = it.offset
  const rel = pcrelValue(asm, v, p)
  const check = (ok: boolean, range: string) => {
    if (!ok) asm.diags.error('asm.branch_range', `branch target is out of range (${range})`, b.loc, 'use `j`/`tail` for far targets')
  }
  if (it.size === 2) {
    const name = jump ? 'c.j' : b.row === 'beq' ? 'c.beqz' : 'c.bnez'
    put(p, encode16(row(name), { rs1: b.rs1, imm: rvcImmEncode(row(name).imm!, rel) === undefined ? 0 : rel }), 2)
    reloc(sec.index, p, jump ? R.R_RISCV_RVC_JUMP : R.R_RISCV_RVC_BRANCH, v.add!, v.n, b.loc)
    return
  }
  if (it.size === 4) {
    if (jump) {
      check(inReach(rel, RISCV_JUMP_REACH) || !asm.place(v.add!, true), '±1 MiB')
      put(p, encode32(row('jal'), { rd: b.rd }) | encodeJType(rel), 4)
      reloc(sec.index, p, R.R_RISCV_JAL, v.add!, v.n, b.loc)
    } else {
      put(p, (encode32(row(b.row), { rs1: b.rs1, rs2: b.rs2 }) | encodeBType(rel)) >>> 0, 4)
      reloc(sec.index, p, R.R_RISCV_BRANCH, v.add!, v.n, b.loc)
    }
    return
  }
  // Out of reach or unresolved: an inverted branch over a jal (GNU md_convert_frag_branch).
  const inv = INVERT_BRANCH[b.row]
  if (it.size === 6) {
    put(p, encode16(row(inv === 'bne' ? 'c.bnez' : 'c.beqz'), { rs1: b.rs1, imm: 6 }), 2)
  } else {
    put(p, (encode32(row(inv), { rs1: b.rs1, rs2: b.rs2 }) | encodeBType(8)) >>> 0, 4)
  }
  const jp = p + it.size - 4
  put(jp, encode32(row('jal'), { rd: 0 }) | encodeJType(pcrelValue(asm, v, jp)), 4)
  reloc(sec.index, jp, R.R_RISCV_JAL, v.add!, v.n, b.loc)
}

function applyFixup(asm: Assembler, sec: Section, off: number, f: Fixup, put: Put, get32: (o: number) => number, reloc: AddReloc): void {
  const v = asm.eval(f.expr, true)
  const col = f.loc.column
  if (f.kind.startsWith('data')) {
    const size = Number(f.kind.slice(4))
    if (!v.add && !v.sub) {
      let x = BigInt.asUintN(size * 8, v.n)
      for (let i = 0; i < size; i++, x >>= 8n) put(off + i, Number(x & 0xffn), 1)
      return
    }
    if (v.add && v.sub) {
      const add = { 1: R.R_RISCV_ADD8, 2: R.R_RISCV_ADD16, 4: R.R_RISCV_ADD32, 8: R.R_RISCV_ADD64 }[size]!
      reloc(sec.index, off, add, v.add, v.n, f.loc)
      reloc(sec.index, off, add + 4, v.sub, 0n, f.loc)
      return
    }
    if (!v.add) throw new AsmError(`cannot emit a relocation for minus \`${v.sub!.name}\``, col, 'asm.bad_expression')
    if (size < 4) throw new AsmError(`a ${size}-byte value cannot hold the address of \`${v.add.name}\``, col, 'asm.bad_expression', 'use .word or .quad for addresses')
    reloc(sec.index, off, size === 4 ? R.R_RISCV_32 : R.R_RISCV_64, v.add, v.n, f.loc)
    return
  }
  if (v.sub) throw new AsmError('a symbol difference cannot be used here', col, 'asm.bad_expression')
  if (!v.add) {
    if (f.kind === 'lo_i' || f.kind === 'lo_s' || f.kind === 'hi') {
      // A constant that only became known after parsing (e.g. a later .equ).
      const w = get32(off)
      if (f.kind === 'hi') put(off, (w | encodeUType(Number(((v.n + 0x800n) >> 12n) & 0xfffffn))) >>> 0, 4)
      else put(off, (w | (f.kind === 'lo_i' ? encodeIType(Number(v.n)) : encodeSType(Number(v.n)))) >>> 0, 4)
      return
    }
    throw new AsmError(`\`${f.kind.replace(/_.*/, '')}\` needs a symbol, not a constant`, col, 'asm.bad_operand')
  }
  const type = {
    hi: R.R_RISCV_HI20, lo_i: R.R_RISCV_LO12_I, lo_s: R.R_RISCV_LO12_S, pcrel_hi: R.R_RISCV_PCREL_HI20,
    pcrel_lo_i: R.R_RISCV_PCREL_LO12_I, pcrel_lo_s: R.R_RISCV_PCREL_LO12_S, call: R.R_RISCV_CALL_PLT,
  }[f.kind as 'hi']
  if (f.kind === 'lo_i' || f.kind === 'lo_s') {
    // GNU leaves the addend in the instruction's 12-bit field too.
    const w = get32(off)
    put(off, (w | (f.kind === 'lo_i' ? encodeIType(Number(v.n)) : encodeSType(Number(v.n)))) >>> 0, 4)
  } else if (f.kind === 'hi') {
    // …and the addend's %hi in a lui's 20-bit field.
    put(off, (get32(off) | encodeUType(Number(((v.n + 0x800n) >> 12n) & 0xfffffn))) >>> 0, 4)
  }
  reloc(sec.index, off, type, v.add, v.n, f.loc)
}

/** Symbol table: section symbols, then locals, then globals (ELF order), as GNU keeps them. */
function buildSymbols(asm: Assembler): ObjSymbol[] {
  const out: ObjSymbol[] = []
  for (const s of asm.sections) out.push({ name: s.name, section: s.index, value: 0n, size: 0n, bind: 'local', type: 'section', visibility: 0 })
  const all: Sym[] = [...asm.symbols.values(), ...asm.hidden]
  const emitted: Sym[] = []
  for (const s of all) {
    if (s.internal && !s.usedByReloc) continue
    if (s.kind === 'undef' && !s.usedByReloc && !(s.bindSet && s.bind !== 'local')) continue
    emitted.push(s)
  }
  const locals = emitted.filter((s) => s.kind !== 'undef' && s.bind === 'local')
  const globals = emitted.filter((s) => !(s.kind !== 'undef' && s.bind === 'local'))
  for (const s of [...locals, ...globals]) {
    s.outIndex = out.length
    out.push(toObjSymbol(asm, s))
  }
  return out
}

export function toObjSymbol(asm: Assembler, s: Sym): ObjSymbol {
  const bind = s.kind === 'undef' ? (s.bind === 'weak' ? 'weak' : 'global') : s.bind
  let size = 0n
  if (s.size) {
    try {
      const v = asm.eval(s.size, true)
      const pa = v.add && asm.place(v.add, true)
      const pb = v.sub && asm.place(v.sub, true)
      if (pa && pb && pa.section === pb.section) {
        size = v.n + BigInt(pa.offset - pb.offset)
      } else if (!v.add && !v.sub) size = v.n
      else asm.diags.error('asm.bad_size', `.size of \`${s.name}\` is not a constant`, s.loc)
    } catch (x) {
      if (x instanceof AsmError) asm.diags.error(x.code, x.message, s.loc)
      else throw x
    }
  }
  const base = { name: s.name, size, bind, type: s.type, visibility: 0, loc: s.loc } as const
  if (s.kind === 'label') return { ...base, section: s.section!, value: BigInt(asm.labelOffset(s, true)) }
  if (s.kind === 'equ') {
    try {
      const v = asm.eval(s.equ!, true)
      if (!v.add && !v.sub) return { ...base, section: 'abs', value: BigInt.asUintN(64, v.n) }
      const p = asm.place(s, true)
      if (p) {
        // GNU gives an alias the type and size of what it aliases.
        const t = p.target
        return { ...base, section: p.section, value: BigInt(p.offset), type: s.type === 'notype' ? t.type : s.type, size: s.size ? size : t.size ? toObjSymbol(asm, t).size : 0n }
      }
    } catch (x) {
      if (!(x instanceof AsmError)) throw x
    }
    asm.diags.error('asm.bad_equ', `cannot resolve the value of \`${s.name}\``, s.loc)
    return { ...base, section: 'abs', value: 0n }
  }
  return { ...base, section: 'undef', value: 0n }
}

export function lineTable(asm: Assembler): LineEntry[] {
  const out: LineEntry[] = []
  for (const sec of asm.sections) {
    let last: LineEntry | undefined
    for (const it of sec.items) {
      const size = it.k === 'bytes' ? it.bytes.length : it.size
      if (size === 0) continue
      if (last && last.file === it.origin.file && last.line === it.origin.line && last.offset + last.size === it.offset) {
        last.size += size
        continue
      }
      last = { section: sec.index, offset: it.offset, size, file: it.origin.file, line: it.origin.line }
      out.push(last)
    }
  }
  return out
}
