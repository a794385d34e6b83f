/**
 * The editor's x86 GNU as language features (`x86-gas`: AT&T syntax and `.intel_syntax`) as
 * plain data, mapped onto Monaco by language-features.ts: where a comment starts (`#`, `/*`),
 * the syntax and the code size in force at a line (`.intel_syntax`/`.att_syntax`,
 * `.code16/32/64`), what the cursor is in, completions (mnemonics in the line's syntax —
 * AT&T suffixed spellings or Intel names — with their forms from the x86 table, `%registers`
 * of the mode, directives, symbols) and hovers (an AT&T mnemonic explained as the table's
 * instruction and operand size, its forms and encodings; registers; directives). Pure, so
 * unit-tested without Monaco.
 */
import { X86_GAS_DIRECTIVES } from '../../../../shared/asm/x86-gas-vocabulary'
import { MODE_BIT, X86_MNEMONICS, X86_REGISTERS, attMnemonic, attMnemonicSpellings, registerUnavailable, x86InstructionSummary, x86RowsByMnemonic, type X86Mode } from '../../../../shared/isa/x86'
import type { Completion } from './completions'
import { commentStart, wordAround } from './source-text'
import { encodingText, nasmWordHover } from './nasm-features'

export type GasSyntax = 'att' | 'intel'

/** Index of the comment start (`#`, or `/*`, outside "…"), or the line's length. A `.S` cpp line is code. */
export const gasX86CommentStart = (line: string): number => commentStart(line, 'x86-gas')

const WORD = /[A-Za-z0-9_.$%]/

/** The word under (or just before) the cursor: names, `.directives`, `%registers`, `1f`/`1b`. */
export function gasX86WordAt(line: string, column: number): { word: string; start: number; end: number } | undefined {
  const w = wordAround(line, column, gasX86CommentStart(line), WORD)
  // `$value` is an immediate, not part of a name.
  const dollars = w ? /^\$*/.exec(w.word)![0].length : 0
  if (!w || dollars === w.word.length) return w
  return { word: w.word.slice(dollars), start: w.start + dollars, end: w.end }
}

/** The directive in force at `line` (1-based) among those `re` matches, scanning upwards. */
function lastAbove(text: string, line: number, re: RegExp): RegExpExecArray | undefined {
  const lines = text.split('\n')
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = re.exec(lines[i].slice(0, gasX86CommentStart(lines[i])))
    if (m) return m
  }
  return undefined
}

/** `.intel_syntax` or `.att_syntax` in force at `line` (AT&T when none); `prefix`: registers need `%`. */
export function gasSyntaxAt(text: string, line: number): { syntax: GasSyntax; prefix: boolean } {
  const m = lastAbove(text, line, /^\s*\.(intel|att)_syntax\b\s*(noprefix|prefix)?/)
  if (!m || m[1] === 'att') return { syntax: 'att', prefix: m?.[2] !== 'noprefix' }
  return { syntax: 'intel', prefix: m[2] === 'prefix' }
}

/** The code size in force at `line`: the last `.code16/.code32/.code64` above, else `fallback`. */
export function gasCodeAt(text: string, line: number, fallback: X86Mode = 64): X86Mode {
  const m = lastAbove(text, line, /^\s*\.code(16|32|64)(?:gcc)?\b/)
  return m ? (Number(m[1]) as X86Mode) : fallback
}

export type GasX86Context = { kind: 'comment' } | { kind: 'statement'; prefix: string } | { kind: 'operand'; mnemonic: string; index: number; prefix: string }

const PREFIX_WORDS = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'data32', 'addr16', 'addr32', 'rex64', 'cs', 'ds', 'es', 'fs', 'gs', 'ss'])

/** What the cursor is in, from the text before it (after the last `;` statement separator). */
export function gasX86Context(before: string): GasX86Context {
  if (gasX86CommentStart(before) < before.length) return { kind: 'comment' }
  let rest = before.slice(before.lastIndexOf(';') + 1).replace(/^\s*(?:(?:[A-Za-z_.$][\w.$]*|\d+):\s*)*/, '')
  for (;;) {
    const p = /^([A-Za-z0-9]+)\s+/.exec(rest)
    if (!p || !PREFIX_WORDS.has(p[1].toLowerCase())) break
    rest = rest.slice(p[0].length)
  }
  const m = /^([A-Za-z_.][\w.]*)(\s+)(.*)$/.exec(rest)
  if (!m) return { kind: 'statement', prefix: rest }
  return { kind: 'operand', mnemonic: m[1].toLowerCase(), index: (m[3].match(/,/g) ?? []).length, prefix: /[\w.$%]*$/.exec(m[3])![0] }
}

/** The table instruction an x86 GAS mnemonic stands for in `syntax` (AT&T suffixes and renames; Intel names as is). */
export function gasX86Instruction(word: string, syntax: GasSyntax): { mnemonic: string; size?: number; srcSize?: number; far?: boolean } | undefined {
  const w = word.toLowerCase()
  if (syntax === 'intel' && x86RowsByMnemonic(w).length) return { mnemonic: w }
  const m = attMnemonic(w, false) ?? attMnemonic(w, true)
  return m && x86RowsByMnemonic(m.mnemonic).length ? m : undefined
}

const SIZE_WORDS: Record<number, string> = { 8: 'byte', 16: 'word', 32: 'long (dword)', 64: 'quad', 80: 'ten-byte' }

/** Completions for a place in an x86 GAS file. */
export function gasX86Completions(ctx: GasX86Context, syntax: { syntax: GasSyntax; prefix: boolean }, code: X86Mode, symbols: readonly string[] = []): Completion[] {
  switch (ctx.kind) {
    case 'comment':
      return []
    case 'statement': {
      const directives = X86_GAS_DIRECTIVES.map((d): Completion => ({ label: d.name, kind: 'directive', detail: `${d.name} ${d.args}`.trim(), documentation: d.summary }))
      if (ctx.prefix.startsWith('.')) return directives
      const names = syntax.syntax === 'att' ? attMnemonicSpellings() : X86_MNEMONICS
      const instructions = names.flatMap((name): Completion[] => {
        const insn = gasX86Instruction(name, syntax.syntax)
        if (!insn) return []
        const forms = x86RowsByMnemonic(insn.mnemonic).filter((r) => !r.flags.dis && !r.flags.nasm && r.modes & MODE_BIT[code])
        if (!forms.length) return []
        const size = insn.size ? `, ${SIZE_WORDS[insn.size] ?? insn.size + '-bit'} operands` : ''
        return [{ label: name, kind: 'instruction', detail: name === insn.mnemonic ? forms.length + ' forms' : `${insn.far ? 'far ' : ''}${insn.mnemonic}${size}`, documentation: x86InstructionSummary(insn.mnemonic) }]
      })
      return [...instructions, ...directives]
    }
    case 'operand': {
      const pct = syntax.prefix || ctx.prefix.startsWith('%')
      const registers = X86_REGISTERS.filter((r) => !registerUnavailable(r, code) && (r.cls !== 'ip' || code === 64)).map((r): Completion => ({ label: pct ? `%${r.name}` : r.name, kind: 'register', detail: `${r.cls === 'gpr' ? `${r.size}-bit general` : r.cls} register` }))
      const sym = symbols.map((s): Completion => ({ label: s, kind: 'symbol', detail: 'symbol' }))
      return ctx.prefix.startsWith('%') ? registers : [...registers, ...sym]
    }
  }
}

/** Hover text for an x86 GAS word that is not a symbol of the last build. */
export function gasX86WordHover(word: string, syntax: GasSyntax, code: X86Mode): string[] | undefined {
  const w = word.toLowerCase()
  if (w.startsWith('.')) {
    const d = X86_GAS_DIRECTIVES.find((x) => x.name === w)
    return d ? [`**${d.name}**${d.args ? ` \`${d.name} ${d.args}\`` : ''}`, d.summary] : undefined
  }
  if (w.startsWith('%')) return nasmWordHover(w.slice(1), code)
  const insn = gasX86Instruction(w, syntax)
  if (insn) {
    const forms = x86RowsByMnemonic(insn.mnemonic).filter((r) => !r.flags.dis && !r.flags.nasm)
    const here = forms.filter((r) => r.modes & MODE_BIT[code])
    const sized = (insn.size ? here.filter((r) => r.operands.some((k) => kindSize(k, insn.size!))) : here)
    const shown = (sized.length ? sized : here.length ? here : forms).slice(0, 10)
    const what = w === insn.mnemonic ? '' : ` = ${insn.far ? 'far ' : ''}\`${insn.mnemonic}\`${insn.size ? ` with ${SIZE_WORDS[insn.size] ?? insn.size + '-bit'} operands` : ''}${insn.srcSize ? ` from a ${SIZE_WORDS[insn.srcSize]} source` : ''}`
    const lines = [`**${w}**${what}${x86InstructionSummary(insn.mnemonic) ? ` — ${x86InstructionSummary(insn.mnemonic)}` : ''}`]
    lines.push(shown.map((r) => `\`${insn.mnemonic} ${r.operands.join(', ')}\``.replace(' `', '`') + ` — ${encodingText(r)}`).join('  \n') + (forms.length > shown.length ? `  \n… ${forms.length - shown.length} more forms` : ''))
    lines.push(syntax === 'att' ? 'Forms in Intel order (destination first); AT&T writes the operands source first: `addl $1, %eax`.' : 'Intel syntax: destination first.')
    if (!here.length) lines.push(`not available in \`.code${code}\``)
    return lines
  }
  return nasmWordHover(w, code)?.slice(0, 2)
}

/** Does operand kind `k` name an operand of `size` bits (for narrowing the forms a suffix selects)? */
function kindSize(k: string, size: number): boolean {
  if (/v$|accv|immz|immv|simm8/.test(k)) return size >= 16
  return new RegExp(`(^|[^0-9])${size}($|[^0-9])`).test(k)
}
