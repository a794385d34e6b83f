/**
 * Fuzz target: the linker-script parser and the linker (`link`), on the link fixtures' scripts
 * with characters, tokens and lines mutated, and on token soup, each linked against that
 * fixture's real objects (assembled once by our assembler). Every input must end in an ELF or in
 * one-line errors, never in an exception or `link.internal`; INCLUDE offers a file that includes
 * itself. Run by fuzz.test.ts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { assemble } from '../../../../src/main/toolchain/asm'
import { link } from '../../../../src/main/toolchain/link'
import type { ObjectFile } from '../../../../src/main/toolchain/object'
import { errorProblem, mutateLines, rngFor, tokenSoup, type FuzzTarget } from '../../../support/fuzz'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/link', import.meta.url))

/** Each fixture's script and objects (fixtures whose sources do not assemble alone are left out). */
const corpus: { script: string[]; objects: ObjectFile[] }[] = []
for (const name of readdirSync(FIXTURES).sort()) {
  const dir = join(FIXTURES, name)
  if (!existsSync(join(dir, 'script.ld'))) continue
  const objects: ObjectFile[] = []
  let ok = true
  for (const f of readdirSync(dir).filter((n) => /\.[sS]$/.test(n))) {
    const r = assemble(readFileSync(join(dir, f), 'utf8'), { file: f })
    if (r.object) objects.push({ ...r.object, name: f.replace(/\.[sS]$/, '.o') })
    else ok = false
  }
  if (ok && objects.length) corpus.push({ script: readFileSync(join(dir, 'script.ld'), 'utf8').split('\n'), objects })
}

const TOKENS = [
  'SECTIONS', 'MEMORY', 'PHDRS', 'ENTRY(', 'INCLUDE x', 'PROVIDE(', 'PROVIDE_HIDDEN(', 'HIDDEN(', 'KEEP(', 'ASSERT(', 'ALIGN(', 'AT(', 'AT>', '>',
  'ADDR(', 'LOADADDR(', 'SIZEOF(', 'ORIGIN(', 'LENGTH(', 'DEFINED(', 'MAX(', 'MIN(', 'BLOCK(', 'SUBALIGN(', 'FILL(', 'BYTE(', 'QUAD(',
  'SORT(', 'SORT_BY_ALIGNMENT(', 'EXCLUDE_FILE(', '/DISCARD/', 'NOLOAD', 'ONLY_IF_RO', 'OVERLAY', 'OUTPUT_ARCH(riscv)', 'FLAGS(', 'PT_LOAD',
  '.', '=', '+=', '-=', '*=', '/=', '<<=', '&=', '|=', '?', ':', ';', '{', '}', '(', ')', ',', '*', '/*', '*/', '"', '!', '~', '-', '%',
  '0x', '0xffffffffffffffff', '0x8000000000000000', '99999999999999999999', '1K', '4M', '-1', '0', '. = . - 4', '. = 0xffffffffffffffff',
  '*(.text)', '*(.data*)', '.text : {', '}', 'ORIGIN = 0x80000000, LENGTH = 128M', 'ram (rwx) :', '_end = .;', 'x = x + 1;', '\n', '\t', '\0',
]

/** INCLUDE x: a file that includes itself. */
const readFile = (p: string) => (p === 'x' ? 'INCLUDE x\n. = . + 4;\n' : undefined)

export const tally: Record<string, number> = { 'with an ELF': 0, 'with errors': 0 }

export const linkerScript: FuzzTarget<{ fixture: number; text: string }> & { tally: Record<string, number> } = {
  tally,
  input(i) {
    const next = rngFor(0x1d5, i)
    const fixture = next() % corpus.length
    if (i % 5 === 0) return { fixture, text: tokenSoup(next, TOKENS, 200) }
    return { fixture, text: mutateLines(corpus[fixture].script, next, TOKENS, 1 + (next() % 5)).join('\n') }
  },
  run({ fixture, text }) {
    // The linker gets its own copy: inputs must not see each other's objects.
    const objects = structuredClone(corpus[fixture].objects)
    const r = link(objects, { script: { file: 'fuzz.ld', text }, readFile })
    for (const d of r.diagnostics) {
      const problem = errorProblem(d)
      if (problem) return problem
      if (d.code === 'link.script_syntax' && !d.loc) return `a script syntax error without a location: ${d.message}`
    }
    if (r.elf) tally['with an ELF']++
    else if (r.diagnostics.some((d) => d.severity === 'error')) tally['with errors']++
    else return 'no ELF and no error'
    return undefined
  },
  show: ({ fixture, text }) => `fixture ${fixture}: ${JSON.stringify(text)}`,
}
