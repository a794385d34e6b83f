/**
 * Go to definition without a language server: where a name is defined in the workspace's
 * sources, found by reading their text. In assembly a definition is a label (`name:`, also after
 * other labels on the line) or an assignment (`.set/.equ/.equiv name, …`, `name = …`, `.comm`);
 * in a linker script an assignment (`name = …;`, also inside PROVIDE/PROVIDE_HIDDEN/HIDDEN) or an
 * output section (`.text : …`). Numeric local labels (`1b`, `2f`) resolve within their file, to the
 * nearest `1:` before or after the reference, as GNU `as` does.
 */
import { commentStart, type SourceLanguage } from './source-text'

export interface SourceText {
  path: string
  text: string
  language: string
}

export interface Definition {
  path: string
  /** 1-based line and columns of the defined name. */
  line: number
  column: number
  endColumn: number
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The text of a linker script with its block comments blanked (same length and line breaks), so
 * a name inside a comment is never taken for a definition.
 */
function blankBlockComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?(\*\/|$)/g, (c) => c.replace(/[^\n]/g, ' '))
}

function asmPatterns(name: string): RegExp[] {
  const n = escape(name)
  return [
    // `name:` at the start of a statement, possibly after other labels.
    new RegExp(`^(\\s*(?:[A-Za-z0-9_.$]+:\\s*)*)(${n}):`),
    new RegExp(`^(\\s*(?:[A-Za-z0-9_.$]+:\\s*)*\\.(?:set|equ|equiv|comm|lcomm)\\s+)(${n})\\s*(?:,|$)`),
    new RegExp(`^(\\s*)(${n})\\s*=(?!=)`),
  ]
}

function nasmPatterns(name: string): RegExp[] {
  const n = escape(name)
  return [
    // `name:`, `name equ …`, a label without its colon before data or an instruction, and the preprocessor's names.
    new RegExp(`^(\\s*)(${n})\\s*:`),
    new RegExp(`^(\\s*)(${n})\\s+(?:equ|times|d[bwdqtoyz]|res[bwdqtoyz])\\b`, 'i'),
    new RegExp(`^(\\s*%(?:i?x?define|i?assign|i?macro)\\s+)(${n})\\b`, 'i'),
    new RegExp(`^(\\s*(?:struc|istruc)\\s+)(${n})\\b`, 'i'),
  ]
}

function ldPatterns(name: string): RegExp[] {
  const n = escape(name)
  return [
    new RegExp(`^(.*?(?:^|[;{}(\\s]))(${n})\\s*(?:[+\\-*/&|]|<<|>>)?=(?!=)`),
    // An output section: `.text : AT(…) {` (the name starts the statement).
    new RegExp(`^(\\s*)(${n})(?:\\s+[^:;=]*?)?\\s*:(?!:)`),
  ]
}

/** Every place in `files` where `name` is defined, in file order. */
export function findDefinitions(name: string, files: readonly SourceText[]): Definition[] {
  if (!/^[A-Za-z_.$?@][A-Za-z0-9_.$?@#~]*$/.test(name)) return []
  const out: Definition[] = []
  for (const f of files) {
    const lang = f.language as SourceLanguage
    if (lang !== 'riscv-asm' && lang !== 'x86-gas' && lang !== 'gnu-ld' && lang !== 'nasm') continue
    const patterns = lang === 'riscv-asm' || lang === 'x86-gas' ? asmPatterns(name) : lang === 'nasm' ? nasmPatterns(name) : ldPatterns(name)
    const lines = (lang === 'gnu-ld' ? blankBlockComments(f.text) : f.text).split('\n')
    lines.forEach((raw, i) => {
      const line = raw.slice(0, commentStart(raw, lang))
      for (const re of patterns) {
        const m = re.exec(line)
        if (!m) continue
        const column = m[1].length + 1
        out.push({ path: f.path, line: i + 1, column, endColumn: column + name.length })
        return
      }
    })
  }
  return out
}

/**
 * A numeric local label reference (`1b` / `1f`) on `line` (1-based) of an assembly text: the
 * nearest `1:` at or before the line for `b`, strictly after it for `f`.
 */
export function findLocalLabel(ref: string, text: string, line: number, path: string): Definition | undefined {
  const m = /^(\d+)([bf])$/.exec(ref)
  if (!m) return undefined
  const lines = text.split('\n')
  const re = new RegExp(`^(\\s*(?:[A-Za-z0-9_.$]+:\\s*)*)(${m[1]}):`)
  const at = (i: number): Definition | undefined => {
    const raw = lines[i]
    const hit = re.exec(raw.slice(0, commentStart(raw, 'riscv-asm')))
    return hit ? { path, line: i + 1, column: hit[1].length + 1, endColumn: hit[1].length + 1 + m[1].length } : undefined
  }
  // GNU: `1b` is the last `1:` defined before this statement; a label on this very line comes first.
  if (m[2] === 'b') {
    for (let i = line - 1; i >= 0; i--) {
      const d = i === line - 1 ? labelBeforeRef(lines[i], m[1], path, i) : at(i)
      if (d) return d
    }
  } else {
    for (let i = line; i < lines.length; i++) {
      const d = at(i)
      if (d) return d
    }
  }
  return undefined
}

/** On the reference's own line, `1: j 1b` refers to the `1:` before the instruction. */
function labelBeforeRef(raw: string, num: string, path: string, i: number): Definition | undefined {
  const labels = /^\s*(?:[A-Za-z0-9_.$]+:\s*)*/.exec(raw)![0]
  const re = new RegExp(`(^|[\\s:])(${num}):`, 'g')
  let last: RegExpExecArray | null = null
  for (let m = re.exec(labels); m; m = re.exec(labels)) last = m
  if (!last) return undefined
  const column = last.index + last[1].length + 1
  return { path, line: i + 1, column, endColumn: column + num.length }
}
