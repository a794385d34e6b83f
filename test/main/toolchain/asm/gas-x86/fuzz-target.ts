/**
 * Fuzz target: GNU as for x86 (`assembleGasX86`, --32 and --64, with and without cpp) on slices
 * of the GAS x86 fixture corpus with characters, tokens and lines mutated, and on token soup.
 * Every input must end in an object or in located one-line errors; `readFile` offers a file that
 * includes itself. Run by fuzz.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { assembleGasX86 } from '../../../../../src/main/toolchain/asm/gas-x86'
import { errorProblem, mutateLines, rngFor, tokenSoup, type FuzzTarget } from '../../../../support/fuzz'

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/gas-x86', import.meta.url))
const corpus = readdirSync(FIXTURES).map((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n'))

const TOKENS = [
  ',', '(', ')', '[', ']', ':', ';', '"', "'", '\\', '-', '<<', '>>', '*', '$', '%', '@', '0x', '99999999999999999999999', '-129', '.',
  '%eax', '%rax', '%ah', '%sil', '%r15', '%cr3', '%xmm9', '%st(3)', '%st', '%fs:', '%rip', '(%esp)', '(,%eax,3)', '0x10(%ebp,%esi,8)', '*%eax', '$sym',
  'sym@PLT', 'sym@GOTPCREL(%rip)', 'sym@BAD', 'dword ptr', 'offset', '[eax+ebx*4]', 'movl', 'movq', 'movabsq', 'ljmp $0x08, $x', 'lgdt', 'jmp', 'je 1f',
  '1:', '1b', 'x:', 'x:', '.code16', '.code32', '.code64', '.intel_syntax noprefix', '.att_syntax', '.align 4096', '.p2align 40', '.org 0x10000000',
  '.org 0', '.byte 300', '.word', '.long x - .', '.quad', '.fill 3,8,-1', '.skip -1', '.section .bss', '.globl x', '.weak y', '.hidden z',
  '.reloc ., R_X86_64_PC32, x', '.reloc ., R_BAD, x', '.set x, x+1', '.equ y, y', '.macro m a', '.endm', 'm 1', '.rept 3', '.endr', '.if 1', '.else',
  '.endif', '.irp r, %eax, %ebx', 'rep', 'lock', 'rex.W', 'data16', 'addr32', '#define X X', '#include "x"', '\n', '\t', '\u00e9', '\0',
]

const selfInclude = new TextEncoder().encode('nop\n#include "x"\n.include "x"\n')
const readFile = (p: string) => (p === 'x' ? selfInclude : undefined)

export const tally: Record<string, number> = { 'with an object': 0, 'with errors': 0 }

export const gasX86: FuzzTarget<{ src: string; file: string; elf: 32 | 64 }> & { tally: Record<string, number> } = {
  tally,
  input(i) {
    const next = rngFor(0x9a5, i)
    const elf = next() % 3 === 0 ? 32 : 64
    if (i % 4 === 0) return { src: tokenSoup(next, TOKENS, 120), file: 'r.s', elf }
    const doc = corpus[next() % corpus.length]
    const start = next() % doc.length
    const lines = mutateLines(doc.slice(start, start + 1 + (next() % 16)), next, TOKENS, next() % 6)
    return { src: lines.join('\n'), file: next() % 2 ? 'f.S' : 'f.s', elf }
  },
  run({ src, file, elf }) {
    const r = assembleGasX86(src, { file, elf, readFile })
    for (const d of r.diagnostics) {
      const problem = errorProblem(d)
      if (problem) return problem
      if (d.severity === 'error' && !d.loc) return `an error without a location: ${d.message}`
    }
    if (r.object) tally['with an object']++
    else if (r.diagnostics.some((d) => d.severity === 'error')) tally['with errors']++
    else return 'no object and no error'
    return undefined
  },
  show: ({ src }) => JSON.stringify(src),
}
