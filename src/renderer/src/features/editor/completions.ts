/**
 * What the editor offers to complete, as plain data (the Monaco glue maps it to suggestions):
 * at the start of an assembly statement the instructions of the ISA table and GNU's
 * pseudo-instructions with their operand syntax, and the directives the assembler accepts; in
 * operands the ABI register names, the relocation operators, the workspace's symbols and — in a
 * CSR instruction's CSR operand — the CSR names; in a linker script its commands, functions and
 * symbols.
 */
import { CSR_NAMES, FLOAT_ABI_NAMES, INSTRUCTIONS, INT_ABI_NAMES, instructionSummary } from '../../../../shared/isa'
import { PSEUDO_INSTRUCTIONS } from '../../../../shared/asm/pseudo-instructions'
import { ASM_DIRECTIVES } from '../../../../shared/asm/directives'
import type { AsmContext } from './source-text'
import { LD_COMMANDS, LD_FUNCTIONS } from './ld-vocabulary'

export type CompletionKind = 'instruction' | 'pseudo' | 'directive' | 'register' | 'csr' | 'relocation' | 'symbol' | 'keyword' | 'function'

export interface Completion {
  label: string
  kind: CompletionKind
  /** Shown beside the label: operand syntax, CSR number, … */
  detail: string
  documentation?: string
  /** Text inserted, when it differs from the label (`%hi(` for `%hi`). */
  insertText?: string
}

export const RELOCATION_OPERATORS: readonly { name: string; summary: string }[] = [
  { name: '%hi', summary: 'Upper 20 bits of an absolute address, rounded for a following %lo (R_RISCV_HI20): `lui rd, %hi(sym)`.' },
  { name: '%lo', summary: 'Low 12 bits of an absolute address (R_RISCV_LO12_I/S): `addi rd, rd, %lo(sym)`.' },
  { name: '%pcrel_hi', summary: 'Upper 20 bits of sym − pc (R_RISCV_PCREL_HI20): `1: auipc rd, %pcrel_hi(sym)`.' },
  { name: '%pcrel_lo', summary: 'Low 12 bits of the %pcrel_hi at a label (R_RISCV_PCREL_LO12): `addi rd, rd, %pcrel_lo(1b)`.' },
]

const spaced = (operands: string) => operands.replace(/,/g, ', ')

const INSTRUCTION_ITEMS: readonly Completion[] = [
  ...INSTRUCTIONS.map((r) => ({
    label: r.name,
    kind: 'instruction' as const,
    detail: `${r.name} ${spaced(r.operands)}`.trim(),
    documentation: [instructionSummary(r.name), `${r.ext} · ${r.format}-type · ${r.length} bytes`].filter(Boolean).join('\n\n'),
  })),
  ...PSEUDO_INSTRUCTIONS.map((p) => ({
    label: p.name,
    kind: 'pseudo' as const,
    detail: `${p.name} ${spaced(p.operands)}`.trim(),
    documentation: `Pseudo-instruction. ${p.summary}`,
  })),
]

const DIRECTIVE_ITEMS: readonly Completion[] = ASM_DIRECTIVES.map((d) => ({
  label: d.name,
  kind: 'directive',
  detail: `${d.name} ${d.args}`.trim(),
  documentation: d.summary,
}))

const REGISTER_ITEMS: readonly Completion[] = [
  ...INT_ABI_NAMES.map((n, i) => ({ label: n, kind: 'register' as const, detail: `x${i}` })),
  ...FLOAT_ABI_NAMES.map((n, i) => ({ label: n, kind: 'register' as const, detail: `f${i}` })),
]

const CSR_ITEMS: readonly Completion[] = [...CSR_NAMES].map(([name, num]) => ({
  label: name,
  kind: 'csr',
  detail: `CSR 0x${num.toString(16).padStart(3, '0')}`,
}))

const RELOCATION_ITEMS: readonly Completion[] = RELOCATION_OPERATORS.map((r) => ({
  label: r.name,
  kind: 'relocation',
  detail: `${r.name}(symbol)`,
  documentation: r.summary,
  insertText: `${r.name}(`,
}))

/** The operand syntax of a mnemonic (table row or pseudo), split: `['csr', 'rs1']`. */
function operandKinds(mnemonic: string): string[] | undefined {
  const ops = INSTRUCTIONS.find((r) => r.name === mnemonic)?.operands ?? PSEUDO_INSTRUCTIONS.find((p) => p.name === mnemonic)?.operands
  return ops === undefined ? undefined : ops ? ops.split(',') : []
}

/** True when operand `index` of `mnemonic` is a CSR (`csrrw rd, csr, rs1`, `csrw csr, rs1`, …). */
export function isCsrOperand(mnemonic: string, index: number): boolean {
  return operandKinds(mnemonic)?.[index] === 'csr'
}

const symbolItems = (symbols: readonly string[]): Completion[] =>
  symbols.map((s) => ({ label: s, kind: 'symbol' as const, detail: 'symbol' }))

/** Completions for a place in an assembly file; `symbols` are the workspace's labels and the build's symbols. */
export function asmCompletions(ctx: AsmContext, symbols: readonly string[] = []): Completion[] {
  switch (ctx.kind) {
    case 'comment':
      return []
    case 'statement':
      return ctx.prefix.startsWith('.') ? [...DIRECTIVE_ITEMS] : [...INSTRUCTION_ITEMS, ...DIRECTIVE_ITEMS]
    case 'operand':
      if (isCsrOperand(ctx.mnemonic, ctx.index)) return [...CSR_ITEMS]
      if (ctx.mnemonic.startsWith('.')) return ctx.mnemonic === '.section' ? [] : symbolItems(symbols)
      if (ctx.prefix.startsWith('%')) return [...RELOCATION_ITEMS]
      return [...REGISTER_ITEMS, ...RELOCATION_ITEMS, ...symbolItems(symbols)]
  }
}

/** Completions for a linker script: commands, functions and the symbols of the last build. */
export function ldCompletions(symbols: readonly string[] = []): Completion[] {
  return [
    ...LD_COMMANDS.map((w) => ({ label: w.name, kind: 'keyword' as const, detail: w.syntax, documentation: w.summary || undefined })),
    ...LD_FUNCTIONS.map((w) => ({ label: w.name, kind: 'function' as const, detail: w.syntax, documentation: w.summary || undefined })),
    ...symbolItems(symbols),
  ]
}
