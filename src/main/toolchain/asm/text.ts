/**
 * Line-level text handling shared by the statement loop and macro expansion: GNU's `#`
 * comments, `;` statement separators, argument lists and `\name` substitution in macro bodies.
 */
import type { SourceLine } from './preprocess'

/** Removes a `#` comment (GNU's comment character for RISC-V), respecting strings and 'c. */
export function stripComment(text: string): string {
  if (!text.includes('#')) return text
  let inStr = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inStr) {
      if (c === '\\') i++
      else if (c === '"') inStr = false
    } else if (c === '"') inStr = true
    else if (c === "'") i += text[i + 1] === '\\' ? 2 : 1
    else if (c === '#') return text.slice(0, i)
  }
  return text
}

/** Splits at `;` (GNU's line separator for RISC-V) outside strings; columns are 1-based. */
export function splitStatements(text: string): { text: string; col: number }[] {
  if (!text.includes(';')) return [{ text, col: 1 }]
  const out: { text: string; col: number }[] = []
  let inStr = false
  let start = 0
  for (let i = 0; i <= text.length; i++) {
    const c = text[i]
    if (inStr) {
      if (c === '\\') i++
      else if (c === '"') inStr = false
      continue
    }
    if (c === '"') inStr = true
    else if (c === ';' || i === text.length) {
      out.push({ text: ' '.repeat(0) + text.slice(start, i), col: start + 1 })
      start = i + 1
    }
  }
  return out
}

/** Splits macro/.irp arguments at top-level commas. */
export function splitArgs(text: string): string[] {
  const out: string[] = []
  let level = 0
  let cur = ''
  let inStr = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inStr) {
      cur += c
      if (c === '\\') cur += text[++i] ?? ''
      else if (c === '"') inStr = false
      continue
    }
    if (c === '"') inStr = true
    if (c === '(') level++
    if (c === ')') level--
    if (c === ',' && level <= 0) {
      out.push(cur.trim())
      cur = ''
    } else cur += c
  }
  if (cur.trim() || out.length) out.push(cur.trim())
  return out
}

/** Macro body substitution: `\name` → value, `\@` → invocation counter, `\()` → nothing. */
export function substitute(body: SourceLine[], values: Map<string, string>, counter: string): SourceLine[] {
  const names = [...values.keys()].sort((a, b) => b.length - a.length)
  return body.map((l) => {
    if (!l.text.includes('\\')) return l
    let out = ''
    const t = l.text
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== '\\') {
        out += t[i]
        continue
      }
      if (t[i + 1] === '@') {
        out += counter
        i++
        continue
      }
      if (t[i + 1] === '(' && t[i + 2] === ')') {
        i += 2
        continue
      }
      const name = names.find((nm) => t.startsWith(nm, i + 1) && !/[A-Za-z0-9_$]/.test(t[i + 1 + nm.length] ?? ''))
      if (name !== undefined) {
        out += values.get(name)
        i += name.length
      } else out += '\\'
    }
    return { text: out, origin: l.origin }
  })
}
