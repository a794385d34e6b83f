/**
 * The C preprocessor subset that `.S` files use with GNU `as` (through `gcc -E`): comments,
 * `#define` (object-like and function-like), `#undef`, `#include "…"`, `#if/#ifdef/#ifndef/
 * #elif/#else/#endif` with `defined()`. Lines keep their origin (file and line) so diagnostics
 * and the line table point at what the user wrote. A `#` line that is not a directive is kept:
 * GNU's assembler-with-cpp mode passes it through and `as` treats it as a comment.
 */
import { Diagnostics, type Origin } from './diagnostics'
import { MAX_INCLUDED_TEXT_BYTES, readInput } from '../input-file'

export interface SourceLine {
  text: string
  origin: Origin
}

/**
 * A line read from a file is its own origin (one object per line, not two: a 50 000-line file
 * keeps every line alive through the assembly, and each object kept costs garbage-collector copies).
 */
export function sourceLine(text: string, file: string, line: number): SourceLine {
  const l = { text, origin: undefined as unknown as Origin, file, line }
  l.origin = l
  return l
}

export interface PreprocessOptions {
  file: string
  readFile?: (path: string) => Uint8Array | undefined
  defines?: Record<string, string>
  /** Run the cpp subset (directives and macro expansion); comments are handled either way. */
  cpp: boolean
  /** Shared across nested runs: includes left before we stop (guards include fan-out). */
  budget?: { includes: number }
}

/** Total #include/.include expansions per assembly: self-including files must stop early. */
export const MAX_INCLUDES = 256

interface Macro {
  params?: string[]
  body: string
}

const MAX_INCLUDE_DEPTH = 32
const MAX_EXPANSION_DEPTH = 64

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y

export function preprocess(source: string, opts: PreprocessOptions, diags: Diagnostics): SourceLine[] {
  const macros = new Map<string, Macro>()
  for (const [k, v] of Object.entries(opts.defines ?? {})) macros.set(k, { body: v })
  const out: SourceLine[] = []
  const decoder = new TextDecoder()

  const run = (text: string, file: string, depth: number): void => {
    const stripped = stripComments(text, opts.cpp)
    if (!opts.cpp) {
      joinContinuations(stripped, (raw, line) => out.push(sourceLine(raw, file, line)))
      return
    }
    const lines: { text: string; line: number }[] = []
    joinContinuations(stripped, (raw, line) => lines.push({ text: raw, line }))
    // Conditional stack: `active` = this branch emits, `taken` = some branch already did.
    const conds: { active: boolean; taken: boolean; parentActive: boolean; origin: Origin; sawElse: boolean }[] = []
    const active = () => conds.length === 0 || conds[conds.length - 1].active
    for (const { text: raw, line } of lines) {
      const origin = { file, line }
      const m = /^\s*#\s*([A-Za-z_]+)\b(.*)$/.exec(raw)
      const dir = m?.[1]
      const rest = m?.[2]?.trim() ?? ''
      switch (dir) {
        case 'if': case 'ifdef': case 'ifndef': {
          const parentActive = active()
          let v = false
          if (parentActive) {
            if (dir === 'if') v = evalCondition(rest, macros, diags, origin)
            else {
              const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0]
              if (!name) diags.error('asm.cpp_syntax', `#${dir} needs a macro name`, { file, line, column: 1 })
              v = name ? macros.has(name) === (dir === 'ifdef') : false
            }
          }
          conds.push({ active: parentActive && v, taken: v, parentActive, origin, sawElse: false })
          continue
        }
        case 'elif': case 'else': {
          const top = conds[conds.length - 1]
          if (!top) {
            diags.error('asm.cpp_syntax', `#${dir} without #if`, { file, line, column: 1 })
            continue
          }
          if (top.sawElse) diags.error('asm.cpp_syntax', `#${dir} after #else`, { file, line, column: 1 })
          if (dir === 'else') {
            top.sawElse = true
            top.active = top.parentActive && !top.taken
            top.taken = true
          } else {
            const v = top.parentActive && !top.taken && evalCondition(rest, macros, diags, origin)
            top.active = v
            top.taken ||= v
          }
          continue
        }
        case 'endif':
          if (!conds.pop()) diags.error('asm.cpp_syntax', '#endif without #if', { file, line, column: 1 })
          continue
      }
      if (!active()) continue
      switch (dir) {
        case 'define': {
          const dm = /^([A-Za-z_][A-Za-z0-9_]*)(\(([^)]*)\))?\s*(.*)$/.exec(rest)
          if (!dm) {
            diags.error('asm.cpp_syntax', '#define needs a macro name', { file, line, column: 1 })
            continue
          }
          const params = dm[2] !== undefined ? dm[3].split(',').map((p) => p.trim()).filter((p) => p) : undefined
          macros.set(dm[1], { params, body: dm[4] })
          continue
        }
        case 'undef':
          macros.delete(rest.split(/\s/)[0])
          continue
        case 'include': {
          const im = /^"([^"]*)"|^<([^>]*)>/.exec(rest)
          if (!im) {
            diags.error('asm.cpp_syntax', '#include expects "file"', { file, line, column: 1 })
            continue
          }
          const path = im[1] ?? im[2]
          if (depth >= MAX_INCLUDE_DEPTH) {
            diags.error('asm.include_depth', `#include nested more than ${MAX_INCLUDE_DEPTH} deep`, { file, line, column: 1 }, 'an include file probably includes itself')
            continue
          }
          const budget = (opts.budget ??= { includes: MAX_INCLUDES })
          if (--budget.includes < 0) {
            if (budget.includes === -1) diags.error('asm.include_depth', `more than ${MAX_INCLUDES} includes in one assembly`, { file, line, column: 1 }, 'an include file probably includes itself')
            continue
          }
          const { data, refused } = readInput(() => opts.readFile?.(path))
          if (refused) {
            diags.error('asm.include_refused', refused.message, { file, line, column: 1 }, refused.hint)
            continue
          }
          if (!data) {
            diags.error('asm.include_missing', `cannot find include file \`${path}\``, { file, line, column: 1 }, 'paths are relative to the workspace')
            continue
          }
          if (data.length > MAX_INCLUDED_TEXT_BYTES) {
            diags.error('asm.include_too_large', `include file \`${path}\` is larger than ${MAX_INCLUDED_TEXT_BYTES / (1024 * 1024)} MiB`, { file, line, column: 1 }, 'include source text, not data (use .incbin for data)')
            continue
          }
          run(decoder.decode(data), path, depth + 1)
          continue
        }
        case 'error':
          diags.error('asm.cpp_error', `#error ${rest}`, { file, line, column: 1 })
          continue
        case 'warning':
          diags.warning('asm.cpp_warning', `#warning ${rest}`, { file, line, column: 1 })
          continue
        case 'pragma': case 'line': case 'ident':
          continue
      }
      out.push(sourceLine(macros.size ? expandMacros(raw, macros, diags, origin) : raw, file, line))
    }
    for (const c of conds) diags.error('asm.unterminated_if', 'unterminated #if', { file: c.origin.file, line: c.origin.line, column: 1 }, 'add the matching #endif')
  }

  run(source, opts.file, 0)
  return out
}

/**
 * Removes C comments (always — GNU as accepts `/* *\/` too) and, in cpp mode, `//` comments.
 * Newlines inside block comments are kept so line numbers stay right. Strings are respected.
 */
function stripComments(text: string, cpp: boolean): string {
  if (!text.includes('/')) return text
  let out = ''
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (j < n && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      const body = text.slice(i, end < 0 ? n : end + 2)
      out += ' ' + body.replace(/[^\n]/g, '')
      i = end < 0 ? n : end + 2
    } else if (cpp && c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++
    } else {
      out += c
      i++
    }
  }
  return out
}

/** Calls `each` with every line (its number from 1), lines ending in `\` joined to the next, CR before LF dropped. */
function joinContinuations(text: string, each: (text: string, line: number) => void): void {
  const n = text.length
  let start = 0
  let line = 1
  let pending: string | undefined
  let pendingLine = 1
  for (;;) {
    let end = text.indexOf('\n', start)
    const last = end < 0
    if (last) end = n
    const t = text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end)
    if (pending === undefined) pendingLine = line
    const joined = pending === undefined ? t : pending + t
    if (!last && joined.endsWith('\\')) pending = joined.slice(0, -1)
    else {
      each(joined, pendingLine)
      pending = undefined
    }
    if (last) return
    start = end + 1
    line++
  }
}

/**
 * The work one line's macro expansion may take: text produced by every expansion at every
 * level, counted as it is produced. `#define A2 A1+A1` doubles with each level, so without a
 * bound `A40` costs 2^40 steps long before any single string gets big (issue 10, item 8).
 */
export const MAX_EXPANSION_CHARS = 1 << 20

/** Thrown out of the recursion when a line's expansion budget runs out; reported once, at the line. */
class ExpansionTooLarge extends Error {
  macro = ''
  column = 1
}

/** Expands macros in one line, outside string literals, with the usual no-self-recursion rule. */
export function expandMacros(text: string, macros: Map<string, Macro>, diags: Diagnostics, origin: Origin): string {
  const budget = { chars: MAX_EXPANSION_CHARS }
  try {
    return expandIn(text, macros, diags, origin, 0, new Set(), budget)
  } catch (e) {
    if (!(e instanceof ExpansionTooLarge)) throw e
    diags.error('asm.macro_too_large', `expanding \`${e.macro}\` produces more than ${MAX_EXPANSION_CHARS / (1 << 20)} MiB of text`, { file: origin.file, line: origin.line, column: e.column },
      'a macro that uses another one twice doubles the text at every level (`#define A2 A1+A1`): use .equ/`=` symbols, which the assembler evaluates once')
    return ''
  }
}

function expandIn(text: string, macros: Map<string, Macro>, diags: Diagnostics, origin: Origin, depth: number, hide: Set<string>, budget: { chars: number }): string {
  if (depth > MAX_EXPANSION_DEPTH) {
    diags.error('asm.cpp_recursion', 'macro expansion nested too deeply', { file: origin.file, line: origin.line, column: 1 })
    return text
  }
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
      continue
    }
    // `$` is not part of a cpp identifier: `$KERNEL_VMA` (an x86 AT&T immediate) expands, as with cpp.
    if (/[A-Za-z_]/.test(c) && (i === 0 || !/[A-Za-z0-9_.]/.test(text[i - 1]))) {
      IDENT.lastIndex = i
      const name = IDENT.exec(text)![0]
      const m = macros.get(name)
      const end = i + name.length
      if (!m || hide.has(name) || (end < text.length && /[.$]/.test(text[end]))) {
        out += name
        i = end
        continue
      }
      let body = m.body
      let next = end
      if (m.params) {
        let j = end
        while (text[j] === ' ' || text[j] === '\t') j++
        if (text[j] !== '(') {
          out += name
          i = end
          continue
        }
        const args: string[] = []
        let level = 0
        let cur = ''
        j++
        for (; j < text.length; j++) {
          const ch = text[j]
          if (ch === '(') level++
          if (ch === ')') {
            if (level === 0) break
            level--
          }
          if (ch === ',' && level === 0) {
            args.push(cur.trim())
            cur = ''
          } else cur += ch
        }
        if (j >= text.length) {
          diags.error('asm.cpp_syntax', `unterminated argument list for macro \`${name}\``, { file: origin.file, line: origin.line, column: i + 1 })
          return out + text.slice(i)
        }
        if (cur.trim() || args.length) args.push(cur.trim())
        next = j + 1
        if (args.length !== m.params.length && !(m.params.length === 0 && args.length === 0)) {
          diags.error('asm.cpp_syntax', `macro \`${name}\` takes ${m.params.length} argument(s), got ${args.length}`, { file: origin.file, line: origin.line, column: i + 1 })
        }
        const params = m.params
        body = body.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (w) => {
          const k = params.indexOf(w)
          return k >= 0 ? (args[k] ?? '') : w
        })
      }
      budget.chars -= body.length
      let expanded: string
      try {
        if (budget.chars < 0) throw new ExpansionTooLarge()
        expanded = expandIn(body, macros, diags, origin, depth + 1, new Set(hide).add(name), budget)
      } catch (e) {
        // The outermost macro of the line is the one the user wrote: the error names it.
        if (e instanceof ExpansionTooLarge && depth === 0) Object.assign(e, { macro: name, column: i + 1 })
        throw e
      }
      out += expanded
      i = next
      continue
    }
    out += c
    i++
  }
  return out
}

/** Evaluates an `#if` condition with C operator precedence; unknown identifiers are 0. */
function evalCondition(text: string, macros: Map<string, Macro>, diags: Diagnostics, origin: Origin): boolean {
  const withDefined = text.replace(/\bdefined\s*(\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))/g, (_, __, a, b) => (macros.has(a ?? b) ? '1' : '0'))
  const expanded = expandMacros(withDefined, macros, diags, origin).replace(/[A-Za-z_][A-Za-z0-9_]*/g, '0')
  try {
    return cExpr(expanded) !== 0n
  } catch (e) {
    diags.error('asm.cpp_syntax', `bad #if expression: ${(e as Error).message}`, { file: origin.file, line: origin.line, column: 1 })
    return false
  }
}

const C_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
}
const C_OPS = ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>', '|', '^', '&', '<', '>', '+', '-', '*', '/', '%']

function cExpr(s: string): bigint {
  let i = 0
  let depth = 0
  const ws = () => { while (s[i] === ' ' || s[i] === '\t') i++ }
  const primary = (): bigint => {
    ws()
    if (++depth > 200) throw new Error('too deep')
    const c = s[i]
    let v: bigint
    if (c === '(') {
      i++
      v = binary(0)
      ws()
      if (s[i] !== ')') throw new Error('missing )')
      i++
    } else if (c === '!' ) { i++; v = primary() === 0n ? 1n : 0n }
    else if (c === '-') { i++; v = -primary() }
    else if (c === '~') { i++; v = ~primary() }
    else if (c === '+') { i++; v = primary() }
    else {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(s.slice(i))
      if (!m) throw new Error(`unexpected \`${c ?? 'end'}\``)
      i += m[0].length
      v = /^0[0-7]+$/.test(m[1]) ? BigInt('0o' + m[1].slice(1)) : BigInt(m[1])
    }
    depth--
    return v
  }
  const binary = (min: number): bigint => {
    let l = primary()
    for (;;) {
      ws()
      const op = C_OPS.find((o) => s.startsWith(o, i))
      if (!op || C_PREC[op] < min) return l
      i += op.length
      const r = binary(C_PREC[op] + 1)
      l = applyC(op, l, r)
    }
  }
  const v = binary(0)
  ws()
  if (i < s.length) throw new Error(`unexpected \`${s[i]}\``)
  return v
}

function applyC(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '||': return a || b ? 1n : 0n
    case '&&': return a && b ? 1n : 0n
    case '|': return a | b
    case '^': return a ^ b
    case '&': return a & b
    case '==': return a === b ? 1n : 0n
    case '!=': return a !== b ? 1n : 0n
    case '<': return a < b ? 1n : 0n
    case '>': return a > b ? 1n : 0n
    case '<=': return a <= b ? 1n : 0n
    case '>=': return a >= b ? 1n : 0n
    case '<<': return b > 64n ? 0n : a << b
    case '>>': return b > 64n ? 0n : a >> b
    case '+': return a + b
    case '-': return a - b
    case '*': return a * b
    case '/': if (b === 0n) throw new Error('division by zero'); return a / b
    case '%': if (b === 0n) throw new Error('division by zero'); return a % b
  }
  throw new Error(op)
}
