/**
 * The assembler: GNU `as` syntax for RV64GC, in pure TypeScript (no Node imports), producing
 * the in-memory relocatable object of `../object.ts` that our linker consumes.
 *
 * Output contract — we match `riscv64-unknown-elf-as -march=rv64gc -mno-relax` (binutils 2.40)
 * byte for byte on section contents, symbols and relocations:
 *  - no R_RISCV_RELAX / R_RISCV_ALIGN: alignment is padded with nops here, and code that the
 *    linker would relax is left as written. `.option relax` is accepted and has no effect.
 *    This keeps the linker simple (no relaxation pass) while staying GNU-compatible.
 *  - like GNU, every reference to a symbol becomes a relocation, even a branch to a local
 *    label in the same section (the field is also filled with the resolved offset), and
 *    symbol differences inside code sections become ADD/SUB pairs.
 *  - `la` is `lla` (non-PIC): auipc + addi with PCREL_HI20 / PCREL_LO12_I, the LO12 against a
 *    local `.L0 ` label at the auipc; `call` emits R_RISCV_CALL_PLT.
 *  - RVC is on (`-march=rv64gc`): eligible instructions are compressed as GNU chooses.
 * We do not write `.riscv.attributes` or mapping symbols (`$x`, `$d`); the linker needs neither.
 */
import type { Diagnostic } from '../../../shared/api/result'
import type { ObjectFile } from '../object'
import { Assembler } from './assembler'
import { Diagnostics } from './diagnostics'
import { directive } from './directives'
import { instruction } from './instructions'
import { buildObject } from './layout'
import { MAX_INCLUDES, preprocess } from './preprocess'

const MAX_INCLUDE_DEPTH = 32

export interface AssembleOptions {
  file: string // name used in diagnostics and the line table, e.g. 'entry.S'
  /** For `#include "x"` and `.incbin "x"`: workspace-relative path → contents, undefined if missing. */
  readFile?: (path: string) => Uint8Array | undefined
  defines?: Record<string, string> // -D for the preprocessor
  preprocess?: boolean // default: file ends with `.S`
}

export interface AssembleResult {
  object?: ObjectFile
  diagnostics: Diagnostic[]
  /** Compression in force at the end of the file (`.option rvc`/`norvc`): what GNU as's arch attribute says. */
  rvc?: boolean
} // object undefined iff any error

export function assemble(source: string, opts: AssembleOptions): AssembleResult {
  const diags = new Diagnostics()
  const cpp = opts.preprocess ?? opts.file.endsWith('.S')
  const asm = new Assembler(diags, opts.file)
  asm.directive = directive
  asm.instruction = instruction
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
  const lines = preprocess(source, { file: opts.file, readFile: opts.readFile, defines: opts.defines, cpp, budget }, diags)
  asm.run(lines)
  const object = buildObject(asm, opts.file)
  return { object: diags.errors > 0 ? undefined : object, diagnostics: diags.list, rvc: asm.rvc }
}

export type { ObjectFile }
