/**
 * Reading a line of assembly or linker script the way the editor features need it: where the
 * code ends and the comment starts, which word is under the cursor, and what the cursor is in
 * (a mnemonic, a directive, the n-th operand of an instruction). Pure string work, no Monaco,
 * so it is unit-tested directly. Columns are Monaco's: 1-based, `end` exclusive.
 */

import { nasmCommentStart } from './nasm-features'

export type SourceLanguage = 'riscv-asm' | 'x86-gas' | 'nasm' | 'gnu-ld'

export interface WordAt {
  word: string
  /** First column of the word. */
  start: number
  /** Column just after the word. */
  end: number
}

/** Symbol characters: GNU `as` allows `.` and `$` in names, ld scripts `.` (section names). */
const WORD_CHAR = /[A-Za-z0-9_.$]/

const CPP_LINE = /^\s*#\s*(define|undef|include|if|ifdef|ifndef|elif|else|endif)\b/

/**
 * The index where the line's comment starts (or the line's length): `#` in GNU assembly (and
 * `//` for RISC-V) outside strings (a `.S` preprocessor line is code), `/*` in all but NASM (`;`).
 */
export function commentStart(line: string, language: SourceLanguage): number {
  if (language === 'nasm') return nasmCommentStart(line)
  const gas = language === 'riscv-asm' || language === 'x86-gas'
  if (gas && CPP_LINE.test(line)) return line.length
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '/' && line[i + 1] === '*') return i
    else if (gas && (c === '#' || (language === 'riscv-asm' && c === '/' && line[i + 1] === '/'))) return i
  }
  return line.length
}

/** The run of `wordChar` characters around (or just before) 1-based `column`, before `codeEnd`; columns 1-based, end exclusive. */
export function wordAround(line: string, column: number, codeEnd: number, wordChar: RegExp): WordAt | undefined {
  let i = Math.min(column - 1, codeEnd)
  if (i >= codeEnd || !wordChar.test(line[i] ?? '')) i-- // the cursor sits just after the word
  if (i < 0 || i >= codeEnd || !wordChar.test(line[i])) return undefined
  let s = i
  while (s > 0 && wordChar.test(line[s - 1])) s--
  let e = i + 1
  while (e < codeEnd && wordChar.test(line[e])) e++
  return { word: line.slice(s, e), start: s + 1, end: e + 1 }
}

/**
 * The word under (or just before) the cursor at `column`, outside comments and strings. A word
 * is a name (`rust_main`, `.text`, `sfence.vma`), a numeric local label reference (`1b`, `2f`)
 * or a number; `%hi` style relocation operators include their `%`.
 */
export function wordAt(line: string, column: number, language: SourceLanguage): WordAt | undefined {
  const w = wordAround(line, column, commentStart(line, language), WORD_CHAR)
  if (!w || inString(line, w.start - 1)) return undefined
  if (w.start > 1 && line[w.start - 2] === '%') return { ...w, word: '%' + w.word, start: w.start - 1 }
  return w
}

function inString(line: string, index: number): boolean {
  let open = false
  for (let i = 0; i < index; i++) {
    if (line[i] === '\\' && open) i++
    else if (line[i] === '"') open = !open
  }
  return open
}

/** What the cursor is in, on a line of assembly (only the text before the cursor matters). */
export type AsmContext =
  | { kind: 'comment' }
  /** At the start of a statement: an instruction, a directive or a label may go here. */
  | { kind: 'statement'; prefix: string }
  /** In the operands of an instruction or directive; `index` counts commas before the cursor. */
  | { kind: 'operand'; mnemonic: string; index: number; prefix: string }

/** Labels at the start of a statement (`1:`, `loop:`, `a: b:`). */
const LEADING_LABELS = /^\s*(?:[A-Za-z0-9_.$]+:\s*)*/

export function asmContext(lineBeforeCursor: string): AsmContext {
  if (commentStart(lineBeforeCursor, 'riscv-asm') < lineBeforeCursor.length) return { kind: 'comment' }
  const statement = lineBeforeCursor.slice(LEADING_LABELS.exec(lineBeforeCursor)![0].length)
  const m = /^([A-Za-z_.][A-Za-z0-9_.]*)(\s+)(.*)$/.exec(statement)
  if (!m) return { kind: 'statement', prefix: statement }
  const args = m[3]
  const prefix = /[A-Za-z0-9_.$%]*$/.exec(args)![0]
  return { kind: 'operand', mnemonic: m[1].toLowerCase(), index: topLevelCommas(args), prefix }
}

/** Commas outside parentheses and strings: `lw a0, 8(sp)` has one. */
function topLevelCommas(text: string): number {
  let n = 0
  let depth = 0
  let str = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (str) {
      if (c === '\\') i++
      else if (c === '"') str = false
    } else if (c === '"') str = true
    else if (c === '(') depth++
    else if (c === ')') depth = Math.max(0, depth - 1)
    else if (c === ',' && depth === 0) n++
  }
  return n
}
