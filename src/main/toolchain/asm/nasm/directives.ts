/**
 * NASM's assembler directives (NASM manual chapter 7 "Assembler Directives" and 8.9 "elf"):
 * `bits`/`use16/32/64`, `section`/`segment` with ELF attributes, `global` (with `:function`/
 * `:data`, size and visibility), `extern`, `common`, `static`, `default rel|abs`, `absolute`,
 * `sectalign`, and the accepted-and-ignored `cpu`/`float`. One handler per directive; the
 * names are `DIRECTIVES` in statements.ts (what the editor completes).
 */
import type { Tok } from './lexer'
import { ExprError, parseNExpr } from './expr'
import { PassError, type NasmAssembler } from './assembler'
import { applySectionAttrs } from './sections'
import type { Stmt } from './statements'

type Dir = Stmt & { k: 'dir' }
export type DirectiveHandler = (asm: NasmAssembler, st: Dir) => void

const STV = new Map(Object.entries({ default: 0, internal: 1, hidden: 2, protected: 3 }))

/** Splits directive tokens at top-level commas. */
function groups(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [[]]
  let depth = 0
  for (const t of toks) {
    if (t.t === 'op' && t.s === '(') depth++
    if (t.t === 'op' && t.s === ')') depth--
    if (t.t === 'op' && t.s === ',' && depth === 0) out.push([])
    else out[out.length - 1].push(t)
  }
  return out.filter((g) => g.length)
}

function bits(asm: NasmAssembler, n: number, col: number): void {
  if (n !== 16 && n !== 32 && n !== 64) throw new PassError(`\`bits ${n}\`: NASM supports bits 16, 32 and 64`, col)
  asm.bits = n
}

/** `global name[:type [size]] [, …]` */
function global(asm: NasmAssembler, st: Dir): void {
  for (const g of groups(st.toks)) {
    const n = g[0]
    if (n.t !== 'id') throw new PassError('`global` needs symbol names', n.col)
    let type: 'func' | 'object' | undefined
    let visibility: number | undefined
    let sizeExpr
    let i = 1
    if (g[i]?.t === 'op' && (g[i] as { s: string }).s === ':') {
      i++
      while (i < g.length && g[i].t === 'id') {
        const w = (g[i] as { s: string }).s.toLowerCase()
        if (w === 'function' || w === 'func') type = 'func'
        else if (w === 'data' || w === 'object') type = 'object'
        else if (w === 'notype') type = undefined
        else if (STV.has(w)) visibility = STV.get(w)!
        else break
        i++
      }
      if (i < g.length) sizeExpr = parseNExpr(g, i, g.length, (s) => s)
    }
    asm.declare(n.s, 'global', n.col, { type, visibility, sizeExpr })
  }
}

function extern(asm: NasmAssembler, st: Dir): void {
  for (const g of groups(st.toks)) {
    const n = g[0]
    if (n.t !== 'id') throw new PassError('`extern` needs symbol names', n.col)
    asm.declare(n.s, 'extern', n.col)
  }
}

/** `common name size[:align]` */
function common(asm: NasmAssembler, st: Dir): void {
  const t = st.toks
  const n = t[0]
  if (!n || n.t !== 'id' || t.length < 2) throw new PassError('`common` needs a name and a size', st.col)
  const colon = t.findIndex((x) => x.t === 'op' && x.s === ':')
  const sizeToks = colon > 0 ? t.slice(1, colon) : t.slice(1)
  const size = asm.constant(parseNExpr(sizeToks), 'the common size', st.col) ?? 0n
  const align = colon > 0 ? (asm.constant(parseNExpr(t, colon + 1), 'the common alignment', st.col) ?? 1n) : undefined
  asm.declare(n.s, 'common', n.col, { commonSize: size, commonAlign: align })
}

function section(asm: NasmAssembler, st: Dir): void {
  const t = st.toks
  const n = t[0]
  if (!n) throw new PassError('`section` needs a name', st.col)
  const name = n.t === 'id' ? n.s : n.t === 'str' ? new TextDecoder().decode(Uint8Array.from(n.bytes)) : undefined
  if (!name) throw new PassError('`section` needs a name', n.col)
  const fresh = !asm.sections.some((s) => s.name === name && !s.implicit)
  const sec = asm.section(name)
  // Attributes: words and `align=N`, given when the section is first named (later ones must agree).
  const words: string[] = []
  for (let i = 1; i < t.length; i++) {
    const x = t[i]
    if (x.t === 'id' && x.s.toLowerCase() === 'align' && t[i + 1]?.t === 'op' && (t[i + 1] as { s: string }).s === '=' && t[i + 2]?.t === 'num') {
      words.push(`align=${(t[i + 2] as { v: bigint }).v}`)
      i += 2
    } else if (x.t === 'id') words.push(x.s)
    else throw new PassError(`unexpected \`${x.t === 'op' ? x.s : x.t === 'num' ? x.text : ''}\` in section attributes`, x.col)
  }
  if (words.length && (fresh || asm.pass === 1 || true)) {
    const attrs = { ...sec.attrs }
    const err = applySectionAttrs(attrs, words)
    if (err) throw new PassError(err, st.col)
    if (fresh || asm.pass > 0) sec.attrs = { ...attrs, align: Math.max(attrs.align, words.some((w) => w.startsWith('align=')) ? attrs.align : sec.attrs.align) }
  }
  asm.cur = sec
  asm.absolute = undefined
}

function defaultDir(asm: NasmAssembler, st: Dir): void {
  const w = st.args.trim().toLowerCase()
  if (w === 'rel') asm.defaultRel = true
  else if (w === 'abs') asm.defaultRel = false
  else if (!['bnd', 'nobnd'].includes(w)) throw new PassError('`default` takes `rel` or `abs`', st.col)
}

function absolute(asm: NasmAssembler, st: Dir): void {
  const v = asm.constant(parseNExpr(st.toks), 'the `absolute` address', st.col) ?? 0n
  asm.absolute = { value: v, start: v }
}

function sectalign(asm: NasmAssembler, st: Dir): void {
  const w = st.args.trim().toLowerCase()
  if (w === 'on' || w === 'off') return
  const n = asm.constant(parseNExpr(st.toks), 'the section alignment', st.col)
  if (n !== undefined && !asm.absolute && BigInt(asm.cur.attrs.align) < n) asm.cur.attrs.align = Number(n)
}

const ignore: DirectiveHandler = () => {}

export const DIRECTIVE_HANDLERS: Record<string, DirectiveHandler> = {
  bits: (asm, st) => {
    const t = st.toks[0]
    if (!t || t.t !== 'num' || st.toks.length !== 1) throw new PassError('`bits` takes 16, 32 or 64', st.col)
    bits(asm, Number(t.v), st.col)
  },
  use16: (asm, st) => bits(asm, 16, st.col),
  use32: (asm, st) => bits(asm, 32, st.col),
  use64: (asm, st) => bits(asm, 64, st.col),
  section,
  segment: section,
  global,
  extern,
  common,
  static: ignore,
  default: defaultDir,
  absolute,
  sectalign,
  org: (_a, st) => {
    throw new PassError('`org` is only meaningful in flat binary output', st.col, 'in an ELF object, set the address in the linker script instead')
  },
  cpu: ignore,
  float: ignore,
  required: ignore,
  warning: ignore,
}

export { ExprError }
