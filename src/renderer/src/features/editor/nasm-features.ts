/**
 * The editor's NASM language features as plain data (the Monaco glue in language-features.ts
 * maps them): where a comment starts (`;`), the word under the cursor, what the cursor is in,
 * the `bits` in force at a line, completions (instructions with their operand forms from the
 * x86 table, registers of the current mode, directives, preprocessor directives, macros,
 * symbols), hovers (instruction summary and encodings, registers, directives) and where a
 * `.local` label is defined. Pure, so unit-tested without Monaco.
 */
import { NASM_DATA, NASM_DIRECTIVES, NASM_KEYWORDS, NASM_PREPROCESSOR, type NasmWord } from '../../../../shared/asm/nasm-vocabulary'
import { MODE_BIT, X86_MNEMONICS, X86_REGISTERS, registerUnavailable, x86InstructionSummary, x86RowsByMnemonic, type X86Mode, type X86Row } from '../../../../shared/isa/x86'
import type { Completion } from './completions'
import { wordAround } from './source-text'

/** Index of the `;` that starts the comment (outside '…', "…", `…`), or the line's length. */
export function nasmCommentStart(line: string): number {
  let q: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (q) {
      if (q === '`' && c === '\\') i++
      else if (c === q) q = undefined
    } else if (c === "'" || c === '"' || c === '`') q = c
    else if (c === ';') return i
  }
  return line.length
}

const WORD = /[A-Za-z0-9_.$?@#~%]/

/** The word under (or just before) the cursor, outside comments: names, `.local` labels, `%define`, `%%label`. */
export function nasmWordAt(line: string, column: number): { word: string; start: number; end: number } | undefined {
  return wordAround(line, column, nasmCommentStart(line), WORD)
}

export type NasmContext =
  | { kind: 'comment' }
  | { kind: 'statement'; prefix: string }
  | { kind: 'operand'; mnemonic: string; index: number; prefix: string }

const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64', 'times'])

/** What the cursor is in, from the text before it on its line. */
export function nasmContext(before: string): NasmContext {
  if (nasmCommentStart(before) < before.length) return { kind: 'comment' }
  let rest = before.replace(/^\s*(?:[A-Za-z_.?@$][\w.?@$#~]*:\s*)?/, '')
  // Skip prefixes and a `times n` count: the mnemonic follows.
  for (;;) {
    const p = /^([A-Za-z0-9]+)\s+/.exec(rest)
    if (!p || !PREFIXES.has(p[1].toLowerCase())) break
    rest = rest.slice(p[0].length)
    if (p[1].toLowerCase() === 'times') rest = rest.replace(/^[^\sA-Za-z]*\s*|^[\w$()+\-*/]+\s+/, '')
  }
  const m = /^(%?[A-Za-z_.?@][\w.?@$#~]*)(\s+)(.*)$/.exec(rest)
  if (!m) return { kind: 'statement', prefix: rest }
  const args = m[3]
  return { kind: 'operand', mnemonic: m[1].toLowerCase(), index: (args.match(/,/g) ?? []).length, prefix: /[\w.$?@%]*$/.exec(args)![0] }
}

/** The `bits` in force on line `line` (1-based): the last `bits`/`[bits]`/`useNN` above it, else `fallback`. */
export function bitsAt(text: string, line: number, fallback: X86Mode = 64): X86Mode {
  const lines = text.split('\n')
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const code = lines[i].slice(0, nasmCommentStart(lines[i]))
    const m = /^\s*\[?\s*(?:bits\s+(16|32|64)|use(16|32|64))\b/i.exec(code)
    if (m) return Number(m[1] ?? m[2]) as X86Mode
  }
  return fallback
}

/** Macros defined in a text: `%macro name`, `%define name`, `%assign name` (with their kind). */
export function macrosIn(text: string): { name: string; kind: 'macro' | 'define' }[] {
  const out = new Map<string, 'macro' | 'define'>()
  for (const m of text.matchAll(/^\s*%(i?macro|i?x?define|i?assign)\s+([A-Za-z_.?@$][\w.?@$#~]*)/gim)) out.set(m[2], m[1].toLowerCase().includes('macro') ? 'macro' : 'define')
  return [...out].map(([name, kind]) => ({ name, kind }))
}

/** Labels defined in a NASM text (`name:`, and `name equ …`), for completion before a build. */
export function nasmLabelsIn(text: string): string[] {
  const out = new Set<string>()
  for (const m of text.matchAll(/^\s*([A-Za-z_.?@$][\w.?@$#~]*)(?::|\s+equ\b)/gim)) if (!m[1].startsWith('.')) out.add(m[1])
  return [...out]
}

const operandsText = (r: X86Row): string => r.operands.join(', ')
const modesText = (modes: number): string => ([16, 32, 64] as const).filter((m) => modes & MODE_BIT[m]).join('/') + '-bit'

/** The forms of a mnemonic valid in `bits` (decodable spellings first, assembler-only ones too). */
function formsOf(mnemonic: string, bits?: X86Mode): X86Row[] {
  return x86RowsByMnemonic(mnemonic).filter((r) => !r.flags.dis && !r.flags.gas && (bits === undefined || r.modes & MODE_BIT[bits]))
}

const wordItem = (kind: Completion['kind']) => (d: NasmWord): Completion => ({ label: d.name, kind, detail: `${d.name} ${d.args}`.trim(), documentation: d.summary })

/** Completions for a place in a NASM file. */
export function nasmCompletions(ctx: NasmContext, bits: X86Mode, symbols: readonly string[] = [], macros: readonly { name: string; kind: 'macro' | 'define' }[] = []): Completion[] {
  const macroItems = macros.map((m) => ({ label: m.name, kind: (m.kind === 'macro' ? 'instruction' : 'symbol') as Completion['kind'], detail: m.kind === 'macro' ? 'macro' : '%define' }))
  switch (ctx.kind) {
    case 'comment':
      return []
    case 'statement': {
      if (ctx.prefix.startsWith('%')) return NASM_PREPROCESSOR.map(wordItem('directive'))
      const instructions = X86_MNEMONICS.flatMap((m): Completion[] => {
        const forms = formsOf(m, bits)
        if (!forms.length) return []
        const shapes = [...new Set(forms.map(operandsText))]
        return [{ label: m, kind: 'instruction', detail: `${m} ${shapes[0]}`.trim() + (shapes.length > 1 ? ` (+${shapes.length - 1} forms)` : ''), documentation: [x86InstructionSummary(m), shapes.map((s) => `\`${m} ${s}\``.replace(' `', '`')).join(' · ')].filter(Boolean).join('\n\n') }]
      })
      return [...instructions, ...macroItems.filter((m) => m.detail === 'macro'), ...NASM_DIRECTIVES.map(wordItem('directive')), ...NASM_DATA.map(wordItem('keyword'))]
    }
    case 'operand': {
      if (ctx.prefix.startsWith('%')) return NASM_PREPROCESSOR.map(wordItem('directive'))
      const registers = X86_REGISTERS.filter((r) => !registerUnavailable(r, bits) && r.cls !== 'ip').map((r) => ({ label: r.name, kind: 'register' as const, detail: registerDetail(r.cls, r.size, r.num) }))
      return [...registers, ...NASM_KEYWORDS.map(wordItem('keyword')), ...symbols.map((s) => ({ label: s, kind: 'symbol' as const, detail: 'symbol' })), ...macroItems]
    }
  }
}

function registerDetail(cls: string, size: number, num: number): string {
  const what: Record<string, string> = { gpr: `${size}-bit general register`, seg: 'segment register', cr: 'control register', dr: 'debug register', xmm: 'SSE register', mm: 'MMX register', st: 'x87 stack register', ip: 'instruction pointer' }
  return `${what[cls] ?? cls} ${num}`
}

/** Hover text for a NASM word that is not a symbol of the last build. */
export function nasmWordHover(word: string, bits: X86Mode): string[] | undefined {
  const lower = word.toLowerCase()
  const forms = formsOf(lower)
  if (forms.length) {
    const lines = [`**${lower}**${x86InstructionSummary(lower) ? ` — ${x86InstructionSummary(lower)}` : ''}`]
    const here = forms.filter((r) => r.modes & MODE_BIT[bits])
    const list = (here.length ? here : forms).slice(0, 12).map((r) => `\`${`${lower} ${operandsText(r)}`.trim()}\` — ${encodingText(r)}${r.modes === 7 ? '' : ` (${modesText(r.modes)})`}`)
    lines.push(list.join('  \n') + (forms.length > 12 ? `  \n… ${forms.length - 12} more forms` : ''))
    if (!here.length) lines.push(`not available in \`bits ${bits}\``)
    return lines
  }
  const reg = X86_REGISTERS.find((r) => r.name === lower)
  if (reg) {
    const why = registerUnavailable(reg, bits)
    return [`**${reg.name}**: ${registerDetail(reg.cls, reg.size, reg.num)}${reg.needsRex ? ' (needs a REX prefix)' : ''}`, ...(why ? [why] : [])]
  }
  const d = [...NASM_DIRECTIVES, ...NASM_DATA, ...NASM_KEYWORDS].find((x) => x.name === lower) ?? NASM_PREPROCESSOR.find((x) => x.name === lower)
  if (d) return [`**${d.name}**${d.args ? ` \`${d.name} ${d.args}\`` : ''}`, d.summary]
  return undefined
}

/** A row's encoding as the SDM writes it: `REX.W + 83 /0 ib`. */
export function encodingText(r: X86Row): string {
  const parts: string[] = []
  if (r.flags.wait) parts.push('9B')
  if (r.opsize === 16) parts.push('o16')
  if (r.opsize === 64 && !r.flags.d64) parts.push('REX.W')
  if (r.prefix) parts.push(r.prefix.toString(16).toUpperCase())
  if (r.map !== 'legacy') parts.push(r.map === '0F' ? '0F' : r.map === '0F38' ? '0F 38' : '0F 3A')
  parts.push(r.opcode.toString(16).toUpperCase().padStart(2, '0') + (r.plusReg ? '+r' : ''))
  if (r.modrm) {
    if (r.modrm.rm !== undefined) parts.push((0xc0 | ((r.modrm.reg as number) << 3) | r.modrm.rm).toString(16).toUpperCase())
    else if (r.modrm.rmIsSti) parts.push(`${(0xc0 | ((r.modrm.reg as number) << 3)).toString(16).toUpperCase()}+i`)
    else parts.push(r.modrm.reg === 'r' ? '/r' : `/${r.modrm.reg}`)
  }
  const imm: Record<string, string> = { imm8: 'ib', simm8: 'ib', imm16: 'iw', immz: 'iz', immv: 'iv', rel8: 'cb', relz: 'cz', 'ptr16:z': 'cp' }
  for (const k of r.operands) if (imm[k]) parts.push(imm[k])
  return parts.join(' ')
}

/**
 * Where a `.local` label referenced on `line` is defined: NASM attaches it to the last
 * non-local label above the reference, so the definition is the `.name:` between that label
 * and the next one.
 */
export function findNasmLocalLabel(name: string, text: string, line: number): { line: number; column: number; endColumn: number } | undefined {
  if (!name.startsWith('.') || name.startsWith('..')) return undefined
  const lines = text.split('\n')
  const isBase = (l: string) => /^\s*[A-Za-z_?@$][\w.?@$#~]*:/.test(l.slice(0, nasmCommentStart(l))) && !/^\s*(\.\.@|\.)/.test(l)
  let from = 0
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    if (isBase(lines[i])) {
      from = i
      break
    }
  }
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const re = new RegExp(`^(\\s*)(${escaped})(?::|\\s|$)`)
  for (let i = from; i < lines.length; i++) {
    if (i > from && isBase(lines[i])) break
    const m = re.exec(lines[i].slice(0, nasmCommentStart(lines[i])))
    if (m) return { line: i + 1, column: m[1].length + 1, endColumn: m[1].length + 1 + name.length }
  }
  return undefined
}
