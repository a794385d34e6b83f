/**
 * GNU as for x86 — `as --32` (elf32-i386) and `as --64` (elf64-x86-64), binutils 2.40 — in pure
 * TypeScript, producing the in-memory relocatable object our linker consumes. The statement
 * loop, macros, conditionals, cpp and the common directives are the shared GNU front end's
 * (asm/assembler.ts, asm/directives.ts, asm/preprocess.ts); this folder adds the x86 parts:
 * AT&T and Intel operands, AT&T mnemonics, the x86 directives, jump relaxation and the object
 * writer. Instructions are encoded by THE x86 encoder (asm/x86) in its `gas` dialect.
 */
import type { Diagnostic } from '../../../../shared/api/result'
import type { ObjectFile } from '../../object'
import { Assembler } from '../assembler'
import { Diagnostics } from '../diagnostics'
import { MAX_INCLUDES, preprocess } from '../preprocess'
import type { GasX86State } from './context'
import { x86Directive } from './directives'
import { x86Instruction } from './instructions'
import { buildX86Object } from './object'
import { instructionLine } from './encoding-cache'

const MAX_INCLUDE_DEPTH = 32

export interface GasX86Options {
  file: string
  /** `as --32` or `as --64`: the ELF class and the code size a file starts in. */
  elf: 32 | 64
  readFile?: (path: string) => Uint8Array | undefined
  defines?: Record<string, string>
  /** Run cpp first; default: the file ends with `.S`. */
  preprocess?: boolean
  /** Reuse encodings of lines seen before (encoding-cache.ts); default true. False: every line afresh (tests compare). */
  encodingCache?: boolean
}

export interface GasX86Result {
  object?: ObjectFile
  diagnostics: Diagnostic[]
}

export function assembleGasX86(source: string, opts: GasX86Options): GasX86Result {
  const diags = new Diagnostics()
  const cpp = opts.preprocess ?? opts.file.endsWith('.S')
  const asm = new Assembler(diags, opts.file)
  asm.foldCodeDifferences = true
  const st: GasX86State = { asm, elf: opts.elf, mode: opts.elf, intel: false, visibility: new Map(), commons: new Map(), groups: new Map(), encodings: new Map() }
  asm.directive = (_a, name, args, col) => x86Directive(st, name, args, col)
  const cache = opts.encodingCache ?? true
  asm.instruction = (_a, word, args, col) => x86Instruction(st, word, args, col, cache)
  if (cache) asm.instructionText = (text) => instructionLine(st, text)
  asm.readFile = opts.readFile
  let includeDepth = 0
  const budget = { includes: MAX_INCLUDES }
  asm.includeText = (path, text) => {
    if (includeDepth >= MAX_INCLUDE_DEPTH || --budget.includes < 0) {
      asm.error('asm.include_depth', `.include nested more than ${MAX_INCLUDE_DEPTH} deep, or more than ${MAX_INCLUDES} includes`, 1, 'an include file probably includes itself')
      return
    }
    includeDepth++
    asm.run(preprocess(text, { ...opts, file: path, cpp, budget }, diags), includeDepth)
    includeDepth--
  }
  asm.run(preprocess(source, { file: opts.file, readFile: opts.readFile, defines: opts.defines, cpp, budget }, diags))
  const object = diags.errors > 0 ? undefined : buildX86Object(st, opts.file)
  return { object: diags.errors > 0 ? undefined : object, diagnostics: diags.list }
}
