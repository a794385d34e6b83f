/**
 * Fuzz target: the GNU assembler front end (`assemble`) on slices of the fixture corpus with
 * characters, tokens and lines mutated, and on token soup. Every input must end in an object or
 * in located one-line errors; `readFile` offers a file that includes itself. Run by fuzz.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { assemble } from '../../../../src/main/toolchain/asm'
import { errorProblem, mutateLines, rngFor, tokenSoup, type FuzzTarget } from '../../../support/fuzz'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/asm', import.meta.url))
const corpus = readdirSync(FIXTURES).map((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n'))

const TOKENS = [
  ',', '(', ')', '%hi(', '%lo(', '%pcrel_lo(', '1b', '1f', '.', ':', ';', '#', '"', "'", '\\', '-', '<<', '>>', '*', '/', '%',
  '0x', '99999999999999999999', '-2049', '4096', 'sp', 'x0', 'a0', 'zero', '.rept 5', '.endr', '.macro m a', '.endm', 'm 1',
  '.irp x, 1, 2', '.section', '.text', '.bss', '.align 12', '.space 16', '.equ Q, Q+1', '.set n, n*2', '#if', '#endif', '#define X X',
  '#include "x"', '.incbin "x"', 'li', 'la', 'call', 'c.lui', '\n', '\t', '\u00e9', '\0', '.option pop', '.option push', '/*', '*/',
]

const selfInclude = new TextEncoder().encode('nop\n#include "x"\n.include "x"\n')
const readFile = (p: string) => (p === 'x' ? selfInclude : undefined)

export const tally: Record<string, number> = { 'with an object': 0, 'with errors': 0 }

export const gnuAssembler: FuzzTarget<{ src: string; file: string }> & { tally: Record<string, number> } = {
  tally,
  input(i) {
    const next = rngFor(0xa55, i)
    if (i % 4 === 0) return { src: tokenSoup(next, TOKENS, 120), file: 'r.s' }
    const doc = corpus[next() % corpus.length]
    const start = next() % doc.length
    const lines = mutateLines(doc.slice(start, start + 1 + (next() % 12)), next, TOKENS, next() % 6)
    return { src: lines.join('\n'), file: next() % 2 ? 'f.S' : 'f.s' }
  },
  run({ src, file }) {
    const r = assemble(src, { file, readFile })
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
