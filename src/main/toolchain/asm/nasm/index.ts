/**
 * The NASM front end: `.asm`/`.nasm` sources → the relocatable object `nasm -f elf32` /
 * `nasm -f elf64` (NASM 2.16) writes, byte for byte in section contents, with the same
 * symbols and relocations (checked by the differential tests against Debian's nasm). Pure
 * TypeScript: files come through `readFile`. Pipeline: preprocess (macros, conditionals,
 * includes) → parse each line once → assembly passes until labels settle → the object.
 */
import type { Diagnostic } from '../../../../shared/api/result'
import type { ObjectFile } from '../../object'
import { Diagnostics } from '../diagnostics'
import { NasmAssembler } from './assembler'
import { ExprError } from './expr'
import { LexError } from './lexer'
import { buildNasmObject } from './object'
import { NasmPreprocessor } from './preprocess'
import { LabelScope, StmtError, parseLine, type Line, type Stmt } from './statements'

export interface NasmOptions {
  /** Name used in diagnostics, the line table and the file symbol, e.g. `boot.asm`. */
  file: string
  /** `elf64` (default bits 64) or `elf32` (default bits 32), as nasm's `-f`. */
  format: 'elf32' | 'elf64'
  /** For `%include` and `incbin`: workspace-relative path → contents, undefined if missing. */
  readFile?: (path: string) => Uint8Array | undefined
  /** `-D name=value` */
  defines?: Record<string, string>
}

export interface NasmResult {
  /** Undefined when there is any error. */
  object?: ObjectFile
  diagnostics: Diagnostic[]
}

export function assembleNasm(source: string, opts: NasmOptions): NasmResult {
  const diags = new Diagnostics()
  const pp = new NasmPreprocessor(diags, { file: opts.file, readFile: opts.readFile, defines: { __OUTPUT_FORMAT__: opts.format, ...opts.defines }, bits: opts.format === 'elf64' ? 64 : 32 })
  const scope = new LabelScope()
  const lines: Line[] = []
  // An instruction line without labels or local names (`.x`) parses the same wherever it is:
  // repeated lines (`push rbp`, `ret`) share one statement.
  const shared = new Map<string, Stmt>()
  // Each line is parsed as the preprocessor produces it.
  pp.run(source, (pl) => {
    const seen = shared.get(pl.text)
    if (seen) {
      lines.push({ stmt: seen, file: pl.file, line: pl.line })
      return
    }
    try {
      const l = parseLine(pl.text, scope, pl.file, pl.line, pl.uniq)
      if (l.label || l.stmt) lines.push(l)
      if (!l.label && l.stmt?.k === 'insn' && !pl.text.includes('.')) shared.set(pl.text, l.stmt)
    } catch (e) {
      if (e instanceof StmtError || e instanceof ExprError || e instanceof LexError) diags.error('nasm.syntax', e.message, { file: pl.file, line: pl.line, column: e.col }, 'hint' in e ? (e.hint as string | undefined) : undefined)
      else throw e
    }
  })
  if (scope.strucs.length) diags.error('nasm.syntax', `\`struc ${scope.strucs[0]}\` has no \`endstruc\``, { file: opts.file, line: 1, column: 1 })
  const asm = new NasmAssembler(diags, opts.format, lines)
  asm.readFile = opts.readFile
  if (diags.errors === 0) asm.run()
  const object = diags.errors === 0 ? buildNasmObject(asm, opts.file) : undefined
  return { object: diags.errors > 0 ? undefined : object, diagnostics: diags.list }
}
