/**
 * Encodings kept per file, so a line like one seen before is not parsed and matched against the
 * table again (most of a kernel's lines repeat: `pushq %rbp`, `movq %rsp, %rbp`, `call fn`).
 * Two kinds, by code size (`.code16gcc` apart), mnemonic and AT&T operand text:
 * - operands of registers and numbers only: the bytes;
 * - operands naming one symbol or numeric label (`call fn7`, `leaq table(%rip), %rsi`,
 *   `jne .L3`, `jnz 1b`): a template keyed by the text with the name left out — the bytes and the
 *   fixups (or the relaxable jump) that any other label or undefined symbol in that place gets,
 *   since GNU as sizes forms by whether a value is a constant, not by which symbol it names. A
 *   name that is a constant (`.set`, `=`) or anything else in the text (`.`, a second name,
 *   `@PLT`, strings, other operators) takes the full path.
 * A line is kept only when it became exactly one item and said nothing (no warning).
 */
import type { Expr } from '../expr'
import type { Fixup, X86FieldFixup } from '../state'
import type { GasX86State } from './context'

/**
 * A column a template keeps (where a diagnostic points): from the start of the operand text when
 * it is not after the name, else from the end of the name (names differ in length).
 */
interface Column {
  delta: number
  afterName: boolean
}

/** A name's fixup in a template. */
interface FixupTemplate {
  at: number
  kind: Fixup['kind']
  x86?: X86FieldFixup
  loc: Column
}

type Template =
  | { k: 'bytes'; bytes: Uint8Array; fixups: FixupTemplate[]; nameDelta: number }
  | { k: 'jump'; cc: number; bits: 16 | 32; size: number; loc: Column; nameDelta: number }

/** The cache of one code size: by mnemonic, then operand text; constant lines also by their whole text. */
interface ModeCache {
  constants: Map<string, Map<string, Uint8Array>>
  templates: Map<string, Map<string, Template>>
  /** `movq %rsp, %rbp` → its bytes: found before the statement is split into mnemonic and operands. */
  lines: Map<string, Uint8Array>
}

/** By code size: 16, 32, 64, or 0 for `.code16gcc`. */
export type EncodingCache = Map<number, ModeCache>

/** One symbol name (or numeric label reference, `1b`/`1f`) in the operand text: [start, end), or none. */
type Shape = { name: false } | { name: true; start: number; end: number; local: boolean }
/** (Most lines have no name: one object for them all.) */
const NO_NAME: Shape = { name: false }

function isAlpha(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function isHex(c: number): boolean {
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102)
}

function isNameChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 95 || c === 46 || c === 36
}

/** Separators: blanks `,` `(` `)` `$` `*` `:` `+` `-`. */
function isSeparator(c: number, t: string, i: number): boolean {
  return c === 32 || c === 9 || c === 44 || c === 40 || c === 41 || c === 36 || c === 42 || c === 58 || c === 43 || c === 45 || (c >= 10 && c <= 13) || (c >= 128 && /\s/.test(t[i]))
}

/**
 * What an AT&T operand text is made of: `%reg`, `0x…` and decimal tokens, separators, and at
 * most one name; undefined for anything else.
 */
function shapeOf(t: string): Shape | undefined {
  const n = t.length
  let shape: Shape = NO_NAME
  let i = 0
  while (i < n) {
    const c = t.charCodeAt(i)
    if (c === 37) {
      i++
      if (isAlpha(t.charCodeAt(i))) {
        i++
        while (isAlpha(t.charCodeAt(i)) || isDigit(t.charCodeAt(i))) i++
      }
    } else if (isDigit(c)) {
      if (c === 48 && (t.charCodeAt(i + 1) | 32) === 120 && isHex(t.charCodeAt(i + 2))) {
        i += 3
        while (isHex(t.charCodeAt(i))) i++
      } else {
        const start = i
        i++
        while (isDigit(t.charCodeAt(i))) i++
        const d = t.charCodeAt(i)
        if ((d === 98 || d === 102) && !isNameChar(t.charCodeAt(i + 1))) {
          // `1b`, `2f`: a numeric label reference.
          if (shape.name) return undefined
          i++
          shape = { name: true, start, end: i, local: true }
          continue
        }
      }
      // `0b101`, `1x`: not a plain number.
      if (isNameChar(t.charCodeAt(i))) return undefined
    } else if (isAlpha(c) || c === 95 || c === 46) {
      if (shape.name) return undefined
      const start = i
      i++
      while (isNameChar(t.charCodeAt(i))) i++
      // `.` alone is the location counter.
      if (i === start + 1 && c === 46) return undefined
      shape = { name: true, start, end: i, local: false }
    } else if (isSeparator(c, t, i)) i++
    else return undefined
  }
  return shape
}

function table<V>(m: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let t = m.get(key)
  if (!t) m.set(key, (t = new Map()))
  return t
}

/**
 * Assembles one AT&T instruction statement through the cache: a hit emits the kept encoding; a
 * miss runs `assemble` and keeps what it made when that can be reused.
 */
export function cachedInstruction(st: GasX86State, word: string, args: string, col: number, assemble: () => void): void {
  const shape = shapeOf(args)
  if (!shape) return assemble()
  const asm = st.asm
  const cache = modeCache(st)
  if (!shape.name) {
    const byArgs = table(cache.constants, word)
    const hit = byArgs.get(args)
    if (hit) return asm.emitBytes(hit)
    const item = assembleOne(st, assemble)
    if (item?.k === 'bytes' && !item.fixups) {
      byArgs.set(args, item.bytes)
      // The whole line too, when instructionLine saw it (same mnemonic and operands).
      const line = st.lineText
      if (line !== undefined && line.length === word.length + args.length && line.endsWith(args) && line.slice(0, word.length).toLowerCase() === word) cache.lines.set(line, item.bytes)
    }
    return
  }
  const written = args.slice(shape.start, shape.end)
  const local = shape.local ? { n: written.slice(0, -1), dir: written.endsWith('b') ? 'b' as const : 'f' as const } : undefined
  // The symbol's name: a numeric label reference's is the instance it stands for here.
  const name = local ? asm.localLabelName(local.n, local.dir) : written
  if (name === undefined) return assemble()
  const key = (local ? (local.dir === 'b' ? '\u0002' : '\u0003') : '\u0001') + args.slice(0, shape.start) + '\u0001' + args.slice(shape.end)
  const templates = table(cache.templates, word)
  const known = asm.symbols.get(name)
  // A constant symbol changes the form (`$N` may be an imm8): the full path, and nothing kept.
  if (known?.kind === 'equ') return assemble()
  const hit = templates.get(key)
  if (hit) {
    const nameCol = col + hit.nameDelta
    // Mentioning a name creates its symbol, where it is written (as the full path does).
    const target = local ? asm.bind({ k: 'local', n: local.n, dir: local.dir, col: nameCol }) : { k: 'sym' as const, name, col: nameCol }
    if (!known && !local) asm.sym(name, nameCol)
    const at = (c: Column) => asm.loc(col + (c.afterName ? shape.end : 0) + c.delta)
    if (hit.k === 'jump') return asm.emitX86Jump({ cc: hit.cc, bits: hit.bits, target, loc: at(hit.loc) }, hit.size)
    return asm.emitBytes(hit.bytes, hit.fixups.map((f) => ({ at: f.at, kind: f.kind, expr: target, loc: at(f.loc), x86: f.x86 })))
  }
  const item = assembleOne(st, assemble)
  if (!item || asm.symbols.get(name)?.kind === 'equ') return
  const nameCol = col + shape.start
  const nameEnd = col + shape.end
  const column = (c: number): Column => (c >= nameEnd ? { delta: c - nameEnd, afterName: true } : { delta: c - col, afterName: false })
  const named = (e: Expr) => e.k === 'sym' && e.name === name && e.col === nameCol
  if (item.k === 'x86jump' && named(item.j.target) && item.j.reloc === undefined) {
    templates.set(key, { k: 'jump', cc: item.j.cc, bits: item.j.bits, size: item.size, loc: column(item.j.loc.column), nameDelta: shape.start })
  } else if (item.k === 'bytes' && item.fixups?.length && item.fixups.every((f) => named(f.expr))) {
    const fixups = item.fixups.map((f) => ({ at: f.at, kind: f.kind, x86: f.x86, loc: column(f.loc.column) }))
    templates.set(key, { k: 'bytes', bytes: item.bytes, fixups, nameDelta: shape.start })
  }
}

function modeCache(st: GasX86State): ModeCache {
  const modeKey = st.code16gcc ? 0 : st.mode
  let cache = st.encodings.get(modeKey)
  if (!cache) st.encodings.set(modeKey, (cache = { constants: new Map(), templates: new Map(), lines: new Map() }))
  return cache
}

/**
 * A statement's whole text (mnemonic first) whose bytes are known: emitted, true. Otherwise the
 * text is remembered for cachedInstruction, which keeps it when it turns out to be a constant line.
 */
export function instructionLine(st: GasX86State, text: string): boolean {
  st.lineText = undefined
  if (st.intel) return false
  const hit = modeCache(st).lines.get(text)
  if (hit) {
    st.asm.emitBytes(hit)
    return true
  }
  st.lineText = text
  return false
}

/** Runs `assemble`; the item it made when it made exactly one in the same section and said nothing. */
function assembleOne(st: GasX86State, assemble: () => void) {
  const asm = st.asm
  const section = asm.cur
  const before = section.items.length
  const said = asm.diags.list.length
  assemble()
  if (section !== asm.cur || section.items.length !== before + 1 || asm.diags.list.length !== said) return undefined
  return section.items[before]
}
