/**
 * What a hover says, as Markdown paragraphs: for a symbol or label its address from the last
 * build's layout report (VMA, the LMA when it differs, its section); for an output section its
 * VMA, LMA and size; for a mnemonic its summary, operand syntax and encoding from the ISA table;
 * for a CSR its number; for a register its number. Pure, so unit-tested without Monaco.
 */
import { CSR_NAMES, floatRegister, instructionSummary, intRegister, rowByName } from '../../../../shared/isa'
import { PSEUDO_INSTRUCTIONS } from '../../../../shared/asm/pseudo-instructions'
import { ASM_DIRECTIVES } from '../../../../shared/asm/directives'
import type { LayoutOutputSection, LayoutReport, LayoutSymbol } from '../../../../shared/api/layout'
import { RELOCATION_OPERATORS } from './completions'
import { LD_COMMANDS, LD_FUNCTIONS } from './ld-vocabulary'

const hex = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16)}`
const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`

/** The load address of a symbol: its section's LMA plus its offset in the section. */
export function symbolLma(sym: LayoutSymbol, sections: readonly LayoutOutputSection[]): string | undefined {
  const sec = sections.find((s) => s.name === sym.section)
  if (!sec) return undefined
  return hex(BigInt(sec.lma) + (BigInt(sym.value) - BigInt(sec.vma)))
}

/**
 * A symbol's address in the last build, or a section's placement; undefined when the layout does
 * not know the name. A local symbol of the file hovered (`file`, workspace path) shadows a global
 * of the same name, as it does for the assembler.
 */
export function layoutHover(name: string, layout: LayoutReport | undefined, file?: string): string[] | undefined {
  if (!layout) return undefined
  const named = layout.symbols.filter((s) => s.name === name)
  const sym = named.find((s) => s.local && s.loc?.file === file) ?? named.find((s) => !s.local) ?? named[0]
  if (sym) {
    const lines = [`**${name}** = \`${sym.value}\``]
    if (sym.section === '*ABS*') lines.push('absolute value (no section)')
    else {
      const lma = symbolLma(sym, layout.outputSections)
      const addr = lma && BigInt(lma) !== BigInt(sym.value) ? `VMA \`${sym.value}\` · LMA \`${lma}\`` : `VMA = LMA \`${sym.value}\``
      lines.push(`${addr} · in \`${sym.section}\``)
    }
    lines.push(`${sym.local ? 'local symbol of' : 'defined by'} ${sym.definedBy === 'script' ? 'the linker script' : `\`${sym.definedBy}\``} · from the last build`)
    return lines
  }
  const sec = layout.outputSections.find((s) => s.name === name)
  if (sec) {
    const addr = BigInt(sec.lma) !== BigInt(sec.vma) ? `VMA \`${sec.vma}\` · LMA \`${sec.lma}\`` : `VMA = LMA \`${sec.vma}\``
    return [`**${name}** (output section)`, `${addr} · size \`${sec.size}\` · align ${sec.align} · ${sec.flags || '-'} ${sec.type}`, 'from the last build']
  }
  return undefined
}

/** Hover text for an assembly word that is not a symbol: a mnemonic, directive, CSR, register or relocation operator. */
export function asmWordHover(word: string): string[] | undefined {
  const lower = word.toLowerCase()
  const row = rowByName(lower)
  if (row) {
    const lines = [`**${row.name}** \`${`${row.name} ${row.operands.replace(/,/g, ', ')}`.trim()}\``]
    const summary = instructionSummary(row.name)
    if (summary) lines.push(summary)
    lines.push(`${row.ext} · ${row.format}-type · ${row.length} bytes · match \`${hex32(row.match)}\` mask \`${hex32(row.mask)}\``)
    return lines
  }
  const pseudo = PSEUDO_INSTRUCTIONS.find((p) => p.name === lower)
  if (pseudo) return [`**${pseudo.name}** \`${`${pseudo.name} ${pseudo.operands.replace(/,/g, ', ')}`.trim()}\``, `Pseudo-instruction. ${pseudo.summary}`]
  const dir = ASM_DIRECTIVES.find((d) => d.name === lower)
  if (dir) return [`**${dir.name}** \`${`${dir.name} ${dir.args}`.trim()}\``, dir.summary]
  const csr = CSR_NAMES.get(lower)
  if (csr !== undefined) return [`**${lower}**: CSR \`0x${csr.toString(16).padStart(3, '0')}\` (${csr})`]
  const x = intRegister(lower)
  if (x !== undefined && !/^\d/.test(word)) return [`**${word}**: integer register \`x${x}\``]
  const f = floatRegister(lower)
  if (f !== undefined) return [`**${word}**: floating-point register \`f${f}\``]
  const rel = RELOCATION_OPERATORS.find((r) => r.name === lower)
  if (rel) return [`**${rel.name}**`, rel.summary]
  return undefined
}

/** Hover text for a linker-script keyword or function. */
export function ldWordHover(word: string): string[] | undefined {
  const w = LD_COMMANDS.find((c) => c.name === word) ?? LD_FUNCTIONS.find((c) => c.name === word)
  if (!w) return undefined
  return [`**${w.name}**${w.syntax ? ` \`${w.syntax}\`` : ''}`, ...(w.summary ? [w.summary] : [])]
}
