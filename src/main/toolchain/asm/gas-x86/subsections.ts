/**
 * Subsections and the `.bss` allocations that use them (GNU as manual, "Sub-Sections", `.comm`,
 * `.lcomm`; binutils 2.40 read.c bss_alloc, obj-elf.c elf_common_parse): `.text 1`, `.data 2`,
 * `.subsection N` put what follows after everything of lower-numbered subsections of the same
 * section. While assembling, subsection N > 0 of a section is a section of its own (its name
 * carries the number after a NUL, which no source name holds); before layout the subsections
 * are appended to their section in number order and disappear, so labels, relocations, the
 * line table and the symbol table only ever see the real section.
 *
 * `.lcomm sym, size` and `.comm` of a symbol declared `.local` allocate `size` bytes in `.bss`
 * subsection 1 (after whatever the file puts in `.bss` itself), aligned by size for `.lcomm`
 * (8, 4, 2 or 1 bytes) or as written for `.comm`; a global `.comm` is a COMMON symbol whose
 * value is its alignment (as written, else the size rounded up to a power of two, at most 16).
 */
import { AsmError, type Assembler } from '../assembler'
import { splitOperands } from '../operands'
import type { Section, Sym } from '../state'
import type { GasX86State } from './context'

const MARK = '\u0000'

/** The section name without a subsection number. */
export function sectionOf(name: string): string {
  const k = name.indexOf(MARK)
  return k < 0 ? name : name.slice(0, k)
}

/** Switches to subsection `n` of section `name` (0 = the section itself); `.previous` returns to where it was. */
export function switchSubsection(asm: Assembler, name: string, n: number, col: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 8192) throw new AsmError(`subsection ${n} is not a number from 0 to 8192`, col, 'asm.bad_directive')
  const before = asm.cur
  const main = asm.switchSection(name)
  if (n > 0) asm.switchSection(`${name}${MARK}${n}`, { type: main.type, flags: main.flags, entsize: main.entsize })
  asm.prev = before === asm.cur ? asm.prev : before
}

/** `.text N`, `.data N`, `.bss N`, `.subsection N`; false when the directive names no subsection. */
export function subsectionDirective(st: GasX86State, name: string, args: string, col: number): boolean {
  const asm = st.asm
  if (name === '.subsection') {
    switchSubsection(asm, sectionOf(asm.cur.name), Number(asm.constant(asm.parse(args, col), 'subsection', col)), col)
    return true
  }
  if ((name === '.text' || name === '.data' || name === '.bss') && args.trim()) {
    switchSubsection(asm, name, Number(asm.constant(asm.parse(args, col), 'subsection', col)), col)
    return true
  }
  return false
}

/** Before layout: every subsection's items go to the end of its section, in subsection order. */
export function mergeSubsections(asm: Assembler): void {
  const subs = asm.sections.filter((s) => s.name.includes(MARK))
  if (subs.length === 0) return
  const number = (s: Section) => Number(s.name.slice(s.name.indexOf(MARK) + 1))
  subs.sort((a, b) => number(a) - number(b))
  // Named labels and the hidden ones (`.` in expressions, `hereLabel`) all move with their items.
  const labels = [...asm.symbols.values(), ...asm.hidden].filter((s) => s.kind === 'label')
  for (const sub of subs) {
    const main = asm.switchSection(sectionOf(sub.name))
    const base = main.items.length
    for (const s of labels) {
      if (s.section !== sub.index) continue
      s.section = main.index
      s.item! += base
    }
    main.items.push(...sub.items)
    main.size += sub.size
    main.epoch += sub.epoch + 1
    main.align = Math.max(main.align, sub.align)
  }
  const kept = asm.sections.filter((s) => !s.name.includes(MARK))
  const index = new Map<number, number>()
  kept.forEach((s, i) => {
    index.set(s.index, i)
    s.index = i
  })
  for (const s of labels) s.section = index.get(s.section!)
  asm.sections.splice(0, asm.sections.length, ...kept)
}

/** GNU as ELF `.lcomm` alignment when none is written: by size, at most 8 (read.c s_lcomm_internal). */
const lcommAlign = (size: number): number => (size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1)

/** read.c bss_alloc: `size` bytes for `sym` in `.bss` subsection 1. */
function bssAlloc(asm: Assembler, sym: Sym, size: bigint, align: number, col: number): void {
  if (sym.kind !== 'undef') throw new AsmError(`symbol \`${sym.name}\` is already defined`, col, 'asm.redefined')
  const [cur, prev] = [asm.cur, asm.prev]
  switchSubsection(asm, '.bss', 1, col)
  if (align > 1) asm.emitAlign(align, 0, 0)
  asm.defineLabel(sym.name, col)
  sym.type = 'object'
  sym.size = { k: 'num', v: size }
  asm.emitFill(Number(size), 0n, 1)
  asm.cur = cur
  asm.prev = prev
}

/** `.comm sym, size[, align]` and `.lcomm sym, size`. */
export function commonDirective(st: GasX86State, name: '.comm' | '.lcomm', args: string, col: number): void {
  const asm = st.asm
  const p = splitOperands(args, col)
  const max = name === '.comm' ? 3 : 2
  if (p.length < 2 || p.length > max) throw new AsmError(`${name} takes a symbol, a size${name === '.comm' ? ' and an optional alignment' : ''}`, col, 'asm.bad_directive', name === '.lcomm' ? 'GNU as for x86 ELF takes no alignment here: use .local sym and .comm sym, size, align' : undefined)
  const sym = asm.sym(p[0].text.trim(), p[0].col)
  const size = asm.constant(asm.parse(p[1].text, p[1].col), 'size', p[1].col)
  if (size < 0n) throw new AsmError(`${name} size ${size} is negative`, p[1].col, 'asm.bad_directive')
  let align: number | undefined
  if (p[2]) {
    align = Number(asm.constant(asm.parse(p[2].text, p[2].col), 'alignment', p[2].col))
    if (align < 0 || (align & (align - 1)) !== 0) throw new AsmError(`common alignment ${align} is not a power of 2`, p[2].col, 'asm.bad_directive')
  }
  if (name === '.lcomm') return bssAlloc(asm, sym, size, lcommAlign(Number(size)), p[0].col)
  if (sym.bindSet && sym.bind === 'local') return bssAlloc(asm, sym, size, align ?? 1, p[0].col)
  if (sym.bind === 'weak') throw new AsmError(`symbol \`${sym.name}\` can not be both weak and common`, p[0].col, 'asm.bad_directive')
  if (sym.kind !== 'undef') throw new AsmError(`symbol \`${sym.name}\` is already defined`, p[0].col, 'asm.redefined')
  const known = st.commons.get(sym)
  if (known) {
    if (known.size !== size) asm.diags.warning('asm.common_size', `size of \`${sym.name}\` is already ${known.size}; not changing to ${size}`, asm.loc(p[1].col))
    return
  }
  let deflt = 1
  while (deflt < 16 && BigInt(deflt) < size) deflt *= 2
  sym.type = 'object'
  st.commons.set(sym, { size, align: align ?? deflt })
}
