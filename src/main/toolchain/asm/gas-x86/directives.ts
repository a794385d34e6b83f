/**
 * Directives of GNU as for x86 (GNU as manual, "i386-Dependent Features" and "Assembler
 * Directives") on top of the shared ones (sections, symbols, data, macros — asm/directives.ts):
 * `.code16/.code32/.code64` (and `.code16gcc`), `.att_syntax`/`.intel_syntax [noprefix|prefix]`, and what x86
 * means differently from RISC-V: `.align n` is a byte count (as `.balign`), `.word` and
 * `.value` are 2 bytes. `.hidden/.protected/.internal` set the symbol's visibility, `.arch`
 * and `.att_mnemonic`-style settings are accepted. Subsections, `.comm` and `.lcomm`: subsections.ts.
 */
import { AsmError } from '../assembler'
import { data, directive as shared } from '../directives'
import { splitOperands } from '../operands'
import type { GasX86State } from './context'
import { commonDirective, subsectionDirective } from './subsections'
import { groupSection } from './groups'
import { noteRelocOp } from './instructions'
import { withReloc } from './operands'
import { R_386_NAMES, R_X86_64_NAMES } from '../../../../shared/elf/relocs-x86'

/** x86 data sizes that differ from the shared table (tc-i386.c md_pseudo_table). */
const X86_DATA: Record<string, number> = { '.word': 2, '.value': 2, '.slong': 4 }
const DATA_SIZES: Record<string, number> = { '.byte': 1, '.hword': 2, '.short': 2, '.2byte': 2, '.long': 4, '.int': 4, '.4byte': 4, '.quad': 8, '.8byte': 8 }
/** ELF st_other visibilities (gABI "Symbol Visibility"). */
const VISIBILITY: Record<string, number> = { '.internal': 1, '.hidden': 2, '.protected': 3 }

export function x86Directive(st: GasX86State, name: string, args: string, col: number): void {
  const asm = st.asm
  if (subsectionDirective(st, name, args, col)) return
  if (groupSection(st, name, args, col, (rest) => shared(asm, name, rest, col))) return
  switch (name) {
    case '.comm': case '.lcomm':
      return commonDirective(st, name, args, col)
    case '.code16': case '.code32': case '.code64': {
      const mode = Number(name.slice(5)) as 16 | 32 | 64
      if (mode === 64 && st.elf === 32) throw new AsmError('64-bit code is not possible in an elf32 object (as --32)', col - name.length, 'asm.bad_directive', 'assemble with --64 (bootscope build --arch x86_64), or keep this file 32-bit')
      st.mode = mode
      st.code16gcc = undefined
      return
    }
    case '.code16gcc':
      st.mode = 16
      st.code16gcc = true
      return
    case '.att_syntax': case '.intel_syntax': {
      const a = args.trim().toLowerCase()
      if (a && a !== 'prefix' && a !== 'noprefix') throw new AsmError(`unknown argument \`${args.trim()}\` for ${name}`, col, 'asm.bad_directive', 'write `prefix` or `noprefix`')
      st.intel = name === '.intel_syntax'
      return
    }
    case '.arch': case '.att_mnemonic': case '.intel_mnemonic': case '.lfence_before_ret': case '.extern':
      return
    case '.org': {
      // After a relaxable jump or an alignment the offset is only known after layout: an item
      // that fills up to the target (GNU's rs_org frag).
      if (asm.cur.epoch === 0) return shared(asm, name, args, col)
      const p = splitOperands(args, col)
      if (p.length < 1 || p.length > 2) throw new AsmError('.org takes an offset and an optional fill byte', col, 'asm.bad_directive')
      const v = asm.eval(asm.parse(p[0].text, p[0].col), false)
      if (v.add || v.sub) throw new AsmError('.org after a relaxable jump or an alignment needs a constant offset', p[0].col, 'asm.not_constant')
      const fill = p[1] ? Number(asm.constant(asm.parse(p[1].text, p[1].col), 'fill byte', p[1].col) & 0xffn) : 0
      asm.emitOrg(Number(v.n), fill)
      return
    }
    case '.align': case '.balign': case '.p2align': {
      // x86 ELF: `.align n` aligns to n bytes.
      return shared(asm, name === '.align' ? '.balign' : name, args, col)
    }
    case '.reloc': {
      // .reloc offset, R_X86_64_…/R_386_…, expression (GNU as "Reloc")
      const p = splitOperands(args, col)
      if (p.length < 2 || p.length > 3) throw new AsmError('.reloc takes an offset, a relocation name and an optional expression', col, 'asm.bad_directive')
      const names = st.elf === 64 ? R_X86_64_NAMES : R_386_NAMES
      const type = Object.entries(names).find(([, n]) => n === p[1].text.trim())?.[0]
      if (type === undefined) throw new AsmError(`unknown relocation \`${p[1].text.trim()}\``, p[1].col, 'asm.bad_directive', st.elf === 64 ? 'write an R_X86_64_* name' : 'write an R_386_* name')
      const off = asm.parse(p[0].text, p[0].col)
      const v = asm.eval(off, false)
      const here = asm.cur.size
      const at = !v.add && !v.sub ? Number(v.n) : v.add && !v.sub && v.add.kind === 'label' && v.add.section === asm.cur.index && v.add.epoch === asm.cur.epoch ? v.add.tentative! + Number(v.n) : undefined
      if (at === undefined || at !== here) throw new AsmError('.reloc is supported at `.` only', p[0].col, 'asm.bad_directive', 'write `.reloc ., TYPE, sym`')
      const e = p[2] ? asm.parse(p[2].text, p[2].col) : { k: 'num' as const, v: 0n }
      asm.emitBytes(new Uint8Array(0), [{ at: 0, kind: 'x86', expr: e, loc: asm.loc(p[0].col), x86: { size: 4, pcrel: false, signed: false, toEnd: 0, type: Number(type) } }])
      return
    }
    case '.hidden': case '.protected': case '.internal':
      for (const o of splitOperands(args, col)) st.visibility.set(asm.sym(o.text.trim(), o.col), VISIBILITY[name])
      return
  }
  const size = X86_DATA[name] ?? DATA_SIZES[name]
  if (size) return args.includes('@') ? relocData(st, size, args, col) : data(asm, size, args, col, true)
  shared(asm, name, args, col)
}

/** Data with relocation operators (`.long x@ntpoff`, `.quad v@dtpoff`, `.long f@GOTOFF`): a field each. */
function relocData(st: GasX86State, size: number, args: string, col: number): void {
  const asm = st.asm
  for (const p of splitOperands(args, col)) {
    if (!p.text.includes('@')) {
      data(asm, size, p.text, p.col, true)
      continue
    }
    const v = withReloc(p.text.trim(), p.col)
    noteRelocOp(st, v.reloc)
    asm.emitBytes(new Uint8Array(size), [{ at: 0, kind: 'x86', expr: v.expr, loc: asm.loc(p.col), x86: { size: size as 1 | 2 | 4 | 8, pcrel: false, signed: false, toEnd: 0, reloc: v.reloc } }])
  }
}
