/**
 * GNU as directives for x86 (GNU as manual "Assembler Directives" and "80386 Dependent
 * Features"): the x86-specific ones (`.code16/.code32/.code64`, `.intel_syntax`, `.att_syntax`
 * …) plus the target-independent directives of directives.ts without the RISC-V-only ones, and
 * where x86 sizes them differently (`.word` is 2 bytes on x86). One list for the x86 GAS editor
 * language (completion, hovers) and for a front end's "did you mean".
 */
import { ASM_DIRECTIVES, type AsmDirective } from './directives'

const d = (name: string, args: string, summary: string): AsmDirective => ({ name, args, summary })

/** RISC-V-only (or RISC-V-sized) entries of the shared list. */
const RISCV_ONLY = new Set(['.option', '.sdata', '.sbss', '.half', '.dword', '.word'])

export const X86_GAS_DIRECTIVES: readonly AsmDirective[] = [
  d('.code16', '', 'Assemble 16-bit code from here on (real mode, `as` writes operand/address size prefixes for 32-bit forms).'),
  d('.code16gcc', '', '16-bit code as gcc -m16 emits it: 32-bit defaults for push/pop/call/ret.'),
  d('.code32', '', 'Assemble 32-bit code from here on (protected mode; the default of `as --32`).'),
  d('.code64', '', 'Assemble 64-bit code from here on (long mode; the default of `as --64`).'),
  d('.intel_syntax', '[noprefix|prefix]', 'Intel operand order (destination first) and syntax; `noprefix`: registers without `%`.'),
  d('.att_syntax', '[prefix|noprefix]', 'AT&T syntax (the default): source first, `%` registers, `$` immediates, size suffixes.'),
  d('.arch', 'cpu_type', 'Restrict the accepted instructions to a CPU (`i386`, `i686`, `x86-64` …).'),
  d('.word', 'expr, …', 'Emit 16-bit values (x86: a word is 2 bytes).'),
  d('.value', 'expr, …', 'Emit 16-bit values (same as `.word` on x86).'),
  d('.slong', 'expr, …', 'Emit signed 32-bit values.'),
  d('.tfloat', 'number, …', 'Emit x87 80-bit extended-precision floats.'),
  d('.reloc', 'offset, type[, expr]', 'Emit a relocation of `type` at `offset` in the current section.'),
  ...ASM_DIRECTIVES.filter((x) => !RISCV_ONLY.has(x.name)),
]
