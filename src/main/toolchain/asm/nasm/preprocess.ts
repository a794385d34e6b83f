/**
 * The NASM preprocessor (NASM manual chapter 4): single-line macros (`%define`, `%idefine`,
 * `%xdefine`, `%undef`, `%assign`), multi-line macros (`%macro`/`%imacro` … `%endmacro` with
 * `%1`…`%n`, `%0`, `%{n}`, `%%label`, default and greedy parameters, `%rotate`), `%rep` …
 * `%endrep` (`%exitrep`), the conditional family (`%if`, `%ifdef`, `%ifidn`, `%ifnum`,
 * `%ifstr`, `%ifmacro`, `%ifempty` and their `n`/`%elif` forms), `%include`, `%error` and
 * `%warning`. Output: the lines the assembler sees, each with the file and line it came
 * from (a macro's lines carry the line that called it). Expansion is bounded (depth, lines
 * produced, repetitions), so hostile input ends with an error, not a hang.
 */
import type { Diagnostics } from '../diagnostics'
import { MAX_INCLUDED_TEXT_BYTES, readInput } from '../../input-file'
import { ExprError, evalNExpr, parseNExpr } from './expr'
import { LexError, closingQuote, commentStart, tokenize, type Tok } from './lexer'

export interface PLine {
  text: string
  file: string
  line: number
  /** The macro the line came from, if any. */
  macro?: string
  /** For lines that are nasm standard macros (`istruc`…): the first unique number they took. */
  uniq?: number
}

/**
 * Directives nasm implements as standard macros (its standard.mac), and how many unique
 * numbers each consumes (one per macro call or `%push`): they shift the `..@N` names of `%%`
 * labels that follow, which appear in the symbol table, so we count them the same way.
 */
const STD_MACRO_UNIQUES = new Map(Object.entries({
  section: 1, segment: 1, bits: 1, use16: 1, use32: 1, use64: 1, global: 1, extern: 1, common: 1, static: 1, required: 1,
  default: 1, cpu: 1, float: 1, absolute: 1, org: 1, sectalign: 1, align: 2, alignb: 2, struc: 2, endstruc: 1, istruc: 2, at: 1, iend: 1,
}))

export interface PreprocessOptions {
  file: string
  readFile?: (path: string) => Uint8Array | undefined
  defines?: Record<string, string>
  /** The code size a file starts in (`-f elf64` → 64): `__BITS__` until a `bits` line. */
  bits?: 16 | 32 | 64
}

/**
 * The single-line macros nasm 2.16.01 predefines with a fixed value (its version macros, NASM
 * manual 5.1), in both spellings: `__?NASM_MAJOR?__` is the name, `__NASM_MAJOR__` its alias.
 */
const VERSION_MACROS: Record<string, string> = {
  NASM_MAJOR: '2', NASM_MINOR: '16', NASM_SUBMINOR: '1', NASM_PATCHLEVEL: '0', NASM_VERSION_ID: '002100100h', NASM_VER: '"2.16.01"',
}

/** The macros whose value depends on where they are used (manual 5.2–5.4), by either spelling. */
const CONTEXT_MACROS = new Map<string, 'line' | 'file' | 'bits'>()
for (const [name, k] of [['LINE', 'line'], ['FILE', 'file'], ['BITS', 'bits']] as const) {
  CONTEXT_MACROS.set(`__${name}__`, k)
  CONTEXT_MACROS.set(`__?${name}?__`, k)
}

/** `bits 16`, `[bits 32]`, `use64`: the code size a line sets (after macro expansion), or undefined. */
const BITS_LINE = /^\s*(?:\[\s*bits\s+(16|32|64)\s*\]|bits\s+(16|32|64)|use(16|32|64))\s*$/i

export const MAX_INCLUDE_DEPTH = 32
export const MAX_MACRO_DEPTH = 100
export const MAX_LINES = 2_000_000
const MAX_REP = 1_000_000
const MAX_SINGLE_EXPANSIONS = 10_000

interface SingleMacro {
  params?: string[]
  body: string
  ci: boolean
}

interface MultiMacro {
  name: string
  min: number
  max: number
  greedy: boolean
  defaults: string[]
  body: string[]
  ci: boolean
}

interface Frame {
  lines: string[]
  file: string
  /** Line number of lines[0] in `file`, or the fixed line of a macro call. */
  first: number
  fixedLine?: number
  macro?: string
  i: number
  /** For macro frames: parameters and the unique id for %%labels. */
  params?: string[]
  id?: number
  repsLeft?: number
  repBody?: string[]
  depth: number
}

interface Cond {
  /** This branch is being assembled. */
  active: boolean
  /** Some branch of this %if has been taken. */
  taken: boolean
  /** The enclosing context is active. */
  parent: boolean
  sawElse: boolean
}

export class NasmPreprocessor {
  private singles = new Map<string, SingleMacro>()
  private singlesCi = new Map<string, SingleMacro>()
  private multis = new Map<string, MultiMacro[]>()
  private multisCi = new Map<string, MultiMacro[]>()
  /** nasm's `unique` counter: the N of `..@N.label`. */
  private uniq = 0
  private produced = 0
  private stack: Frame[] = []
  private conds: Cond[] = []
  readonly out: PLine[] = []
  private sink: (l: PLine) => void = (l) => this.out.push(l)
  private stopped = false

  /** The code size in force (`__BITS__`), followed through `bits`/`use` lines as nasm's directives set it. */
  private bits: number
  /**
   * First characters of the defined single-line macros' names (both cases for `%idefine`), so
   * that most names in a line are passed over without a lookup; only ever grows.
   */
  private macroStarts = new Uint8Array(128)

  constructor(private diags: Diagnostics, private opts: PreprocessOptions) {
    this.bits = opts.bits ?? 64
    this.macroStarts[95] = 1 // `_`: the context macros (__LINE__ …)
    for (const [k, v] of Object.entries(VERSION_MACROS)) {
      this.setSingle(`__${k}__`, { body: v, ci: false })
      this.setSingle(`__?${k}?__`, { body: v, ci: false })
    }
    for (const [k, v] of Object.entries({ __OUTPUT_FORMAT__: 'elf64', ...opts.defines })) {
      this.setSingle(k, { body: v, ci: false })
      if (k === '__OUTPUT_FORMAT__') this.setSingle('__?OUTPUT_FORMAT?__', { body: v, ci: false })
    }
  }

  private error(message: string, file: string, line: number, col = 1, hint?: string): void {
    this.diags.error('nasm.preprocess', message, { file, line, column: col }, hint)
  }

  /**
   * Preprocesses `text`: each line the assembler sees goes to `sink` as it is produced (so a
   * caller that parses it at once keeps no 50 000 PLine objects alive), or into the returned list.
   */
  run(text: string, sink?: (l: PLine) => void): PLine[] {
    if (sink) this.sink = sink
    this.stack.push({ lines: text.split(/\r?\n/), file: this.opts.file, first: 1, i: 0, depth: 0 })
    while (this.stack.length && !this.stopped) {
      const f = this.stack[this.stack.length - 1]
      if (f.i >= f.lines.length) {
        if (f.repsLeft !== undefined && f.repsLeft > 1) {
          f.repsLeft--
          f.i = 0
          continue
        }
        this.stack.pop()
        continue
      }
      let raw = f.lines[f.i]
      const lineNo = f.fixedLine ?? f.first + f.i
      f.i++
      // A backslash at the end continues the line (manual 3.1).
      while (raw.endsWith('\\') && f.i < f.lines.length && f.fixedLine === undefined) {
        raw = raw.slice(0, -1) + f.lines[f.i]
        f.i++
      }
      this.line(raw, f, lineNo)
    }
    if (this.conds.length && !this.stopped) this.error('`%if` without `%endif`', this.opts.file, 1, 1, 'close every %if with %endif')
    return this.out
  }

  private line(raw: string, f: Frame, lineNo: number): void {
    const c = commentStart(raw)
    let text = c >= 0 ? raw.slice(0, c) : raw
    if (f.params) text = this.substituteParams(text, f, lineNo)
    // (The first non-blank character found by index: no trimmed copy of every line.)
    const lead = leadingBlanks(text)
    const active = this.conds.length === 0 || this.conds[this.conds.length - 1].active
    if (text.charCodeAt(lead) === 37) {
      const trimmed = text.slice(lead)
      const m = /^%([a-zA-Z]+)\b/.exec(trimmed)
      if (m) {
        const name = m[1].toLowerCase()
        const col = lead + 1
        const args = trimmed.slice(m[0].length)
        if (this.conditional(name, args, f, lineNo, col)) return
        if (!active) return
        if (this.directive(name, args, f, lineNo, col)) return
      }
    }
    if (!active) return
    if (lead === text.length) return
    let expanded: string
    try {
      expanded = pasteTokens(this.expandSingles(text, lineNo, f.file))
    } catch (e) {
      if (e instanceof PpError) {
        this.error(e.message, f.file, lineNo, e.col)
        return
      }
      throw e
    }
    if (this.multis.size || this.multisCi.size) if (this.callMulti(expanded, f, lineNo)) return
    let uniq: number | undefined
    const words = /^\s*([A-Za-z_.?$@][\w.?$#@~]*)(:?)\s*([A-Za-z]*)/.exec(expanded)
    let bump = words ? STD_MACRO_UNIQUES.get(words[1].toLowerCase()) : undefined
    if (words && !bump) bump = STD_MACRO_UNIQUES.get(words[3].toLowerCase())
    if (bump) {
      uniq = this.uniq
      this.uniq += bump
    }
    if (++this.produced > MAX_LINES) {
      this.error(`more than ${MAX_LINES} lines after macro expansion`, f.file, lineNo, 1, 'a macro or %rep probably expands without end')
      this.stopped = true
      return
    }
    const bits = startsLikeBits(expanded) ? BITS_LINE.exec(expanded) : null
    if (bits) this.bits = Number(bits[1] ?? bits[2] ?? bits[3])
    const out: PLine = { text: expanded, file: f.file, line: lineNo }
    if (f.macro) out.macro = f.macro
    if (uniq !== undefined) out.uniq = uniq
    this.sink(out)
  }

  // ---- conditionals ----

  private conditional(name: string, args: string, f: Frame, lineNo: number, col: number): boolean {
    const top = this.conds[this.conds.length - 1]
    if (name.startsWith('if')) {
      const parent = !top || top.active
      const ok = parent ? this.test(name.slice(2), args, f, lineNo, col) : false
      this.conds.push({ active: parent && ok, taken: ok, parent, sawElse: false })
      return true
    }
    if (name.startsWith('elif')) {
      if (!top) {
        this.error('`%elif` without `%if`', f.file, lineNo, col)
        return true
      }
      if (top.sawElse) this.error('`%elif` after `%else`', f.file, lineNo, col)
      if (top.taken || !top.parent) top.active = false
      else {
        const ok = this.test(name.slice(4), args, f, lineNo, col)
        top.active = ok
        top.taken = ok
      }
      return true
    }
    if (name === 'else') {
      if (!top) {
        this.error('`%else` without `%if`', f.file, lineNo, col)
        return true
      }
      if (top.sawElse) this.error('second `%else` for one `%if`', f.file, lineNo, col)
      top.sawElse = true
      top.active = top.parent && !top.taken
      top.taken = true
      return true
    }
    if (name === 'endif') {
      if (!top) this.error('`%endif` without `%if`', f.file, lineNo, col)
      else this.conds.pop()
      return true
    }
    return false
  }

  /** Evaluates the condition of `%if<kind>` (kind may start with `n` for the negation). */
  private test(kind: string, args: string, f: Frame, lineNo: number, col: number): boolean {
    let negate = false
    const kinds = ['', 'def', 'idn', 'idni', 'num', 'str', 'id', 'macro', 'empty', 'token']
    if (!kinds.includes(kind) && kind.startsWith('n') && kinds.includes(kind.slice(1))) {
      negate = true
      kind = kind.slice(1)
    }
    let r: boolean
    const a = args.trim()
    try {
      switch (kind) {
        case '': {
          const text = this.expandSingles(a, lineNo, f.file)
          const toks = tokenize(text, col + 3)
          if (toks.length === 0) throw new PpError('`%if` needs an expression', col)
          const v = evalNExpr(parseNExpr(toks), {
            symbol: (n, c) => {
              throw new PpError(`\`${n}\` is not a preprocessor constant (labels are not known to %if)`, c)
            },
            here: () => {
              throw new PpError('`$` is not known to the preprocessor', col)
            },
            base: () => {
              throw new PpError('`$$` is not known to the preprocessor', col)
            },
          })
          r = v.n !== 0n
          break
        }
        case 'def': r = CONTEXT_MACROS.has(a) || this.singles.has(a) || this.singlesCi.has(a.toLowerCase()); break
        case 'macro': r = this.multis.has(a.split(/\s+/)[0]) || this.multisCi.has(a.split(/\s+/)[0].toLowerCase()); break
        case 'idn': case 'idni': {
          const parts = splitArgs(this.expandSingles(a, lineNo, f.file))
          if (parts.length !== 2) throw new PpError(`\`%if${kind}\` compares two texts separated by a comma`, col)
          const [x, y] = parts.map((p) => p.replace(/\s+/g, ''))
          r = kind === 'idn' ? x === y : x.toLowerCase() === y.toLowerCase()
          break
        }
        case 'num': case 'str': case 'id': case 'token': {
          const toks = tokenize(this.expandSingles(a, lineNo, f.file))
          r = toks.length === 1 && (kind === 'token' || toks[0].t === (kind === 'num' ? 'num' : kind === 'str' ? 'str' : 'id'))
          break
        }
        case 'empty': r = this.expandSingles(a, lineNo, f.file).trim() === ''; break
        default:
          throw new PpError(`unknown conditional \`%if${kind}\``, col)
      }
    } catch (e) {
      if (e instanceof PpError || e instanceof ExprError || e instanceof LexError) {
        this.error(e.message, f.file, lineNo, e.col)
        return false
      }
      throw e
    }
    return negate ? !r : r
  }

  // ---- directives ----

  private directive(name: string, args: string, f: Frame, lineNo: number, col: number): boolean {
    const file = f.file
    try {
      switch (name) {
        case 'define': case 'idefine': case 'xdefine': case 'ixdefine': {
          const m = /^\s*([A-Za-z_.?$@][\w.?$#@~]*)(\(([^)]*)\))?\s?(.*)$/.exec(args)
          if (!m) throw new PpError(`\`%${name}\` needs a name`, col)
          const ci = name.startsWith('i')
          let body = m[4].trim()
          if (name.endsWith('xdefine')) body = this.expandSingles(body, lineNo, file)
          const params = m[2] !== undefined ? m[3].split(',').map((p) => p.trim()).filter(Boolean) : undefined
          this.setSingle(m[1], { params, body, ci })
          return true
        }
        case 'undef': {
          const n = args.trim()
          this.singles.delete(n)
          this.singlesCi.delete(n.toLowerCase())
          return true
        }
        case 'assign': case 'iassign': {
          const m = /^\s*([A-Za-z_.?$@][\w.?$#@~]*)\s+(.*)$/.exec(args)
          if (!m) throw new PpError('`%assign` needs a name and an expression', col)
          const text = this.expandSingles(m[2], lineNo, file)
          const v = evalNExpr(parseNExpr(tokenize(text, col)), {
            symbol: (n, c) => {
              throw new PpError(`\`${n}\` is not a preprocessor constant`, c)
            },
            here: () => {
              throw new PpError('`$` is not known to the preprocessor', col)
            },
            base: () => {
              throw new PpError('`$$` is not known to the preprocessor', col)
            },
          })
          this.setSingle(m[1], { body: BigInt.asIntN(64, v.n).toString(), ci: name === 'iassign' })
          return true
        }
        case 'macro': case 'imacro': {
          this.defineMacro(args, f, lineNo, col, name === 'imacro')
          return true
        }
        case 'endmacro': case 'endm':
          throw new PpError('`%endmacro` without `%macro`', col)
        case 'rep': {
          const body = this.collect(f, ['rep'], ['endrep'], lineNo, col)
          if (!body) return true
          const text = this.expandSingles(args, lineNo, file)
          const v = evalNExpr(parseNExpr(tokenize(text, col + 4)), {
            symbol: (n, c) => {
              throw new PpError(`\`${n}\` is not a preprocessor constant (the %rep count must be known)`, c)
            },
            here: () => {
              throw new PpError('`$` is not known to the preprocessor', col)
            },
            base: () => {
              throw new PpError('`$$` is not known to the preprocessor', col)
            },
          })
          const n = v.n
          if (n < 0n || n > BigInt(MAX_REP)) throw new PpError(`%rep count ${n} is out of range (0…${MAX_REP})`, col)
          if (n === 0n || body.length === 0) return true
          if (f.depth >= MAX_MACRO_DEPTH) throw new PpError('%rep nested too deeply', col)
          this.stack.push({ lines: body, file, first: lineNo + 1, i: 0, params: f.params, id: f.id, macro: f.macro, fixedLine: f.fixedLine, repsLeft: Number(n), repBody: body, depth: f.depth + 1 })
          return true
        }
        case 'endrep':
          throw new PpError('`%endrep` without `%rep`', col)
        case 'exitrep': {
          for (let k = this.stack.length - 1; k >= 0; k--) {
            const fr = this.stack[k]
            if (fr.repsLeft !== undefined) {
              this.stack.length = k
              return true
            }
          }
          throw new PpError('`%exitrep` outside `%rep`', col)
        }
        case 'rotate': {
          if (!f.params) throw new PpError('`%rotate` outside a macro', col)
          const v = evalNExpr(parseNExpr(tokenize(this.expandSingles(args, lineNo, file), col)), { symbol: (n, c) => { throw new PpError(`\`${n}\` is not a constant`, c) }, here: () => ({ n: 0n }), base: () => ({ n: 0n }) })
          const p = f.params
          const k = p.length ? ((Number(v.n) % p.length) + p.length) % p.length : 0
          f.params = [...p.slice(k), ...p.slice(0, k)]
          return true
        }
        case 'include': {
          const m = /^\s*(["'<])(.*)(["'>])\s*$/.exec(args)
          if (!m) throw new PpError('`%include` needs a file name in quotes', col)
          if (this.stack.length > MAX_INCLUDE_DEPTH) throw new PpError(`%include nested more than ${MAX_INCLUDE_DEPTH} deep`, col, 'a file probably includes itself')
          const { data, refused } = readInput(() => this.opts.readFile?.(m[2]))
          if (refused) throw new PpError(refused.message, col, refused.hint)
          if (!data) throw new PpError(`cannot open include file \`${m[2]}\``, col)
          if (data.length > MAX_INCLUDED_TEXT_BYTES) {
            throw new PpError(`include file \`${m[2]}\` is larger than ${MAX_INCLUDED_TEXT_BYTES / (1024 * 1024)} MiB`, col, 'include source text, not data (use incbin for data)')
          }
          this.stack.push({ lines: new TextDecoder().decode(data).split(/\r?\n/), file: m[2], first: 1, i: 0, depth: f.depth + 1 })
          return true
        }
        case 'error': case 'fatal':
          this.error(unquote(this.expandSingles(args.trim(), lineNo, file)), file, lineNo, col)
          if (name === 'fatal') this.stopped = true
          return true
        case 'warning':
          this.diags.warning('nasm.warning', unquote(this.expandSingles(args.trim(), lineNo, file)), { file, line: lineNo, column: col })
          return true
        case 'pragma': case 'line': case 'use':
          return true
      }
    } catch (e) {
      if (e instanceof PpError || e instanceof ExprError || e instanceof LexError) {
        this.error(e.message, file, lineNo, e.col, e instanceof PpError ? e.hint : undefined)
        return true
      }
      throw e
    }
    return false
  }

  private setSingle(name: string, m: SingleMacro): void {
    const c = name.charCodeAt(0)
    if (c < 128) {
      this.macroStarts[c] = 1
      if (m.ci) this.macroStarts[String.fromCharCode(c).toLowerCase().charCodeAt(0)] = this.macroStarts[String.fromCharCode(c).toUpperCase().charCodeAt(0)] = 1
    }
    if (m.ci) this.singlesCi.set(name.toLowerCase(), m)
    else this.singles.set(name, m)
  }

  /** The text of a context macro (`__LINE__`, `__?FILE?__`, `__BITS__` …) here. */
  private contextMacro(kind: 'line' | 'file' | 'bits', lineNo: number, file: string): string {
    return kind === 'line' ? String(lineNo) : kind === 'file' ? `'${file}'` : String(this.bits)
  }

  /** Collects a block's raw lines up to its matching end directive (nesting counted). */
  private collect(f: Frame, starts: string[], ends: string[], lineNo: number, col: number): string[] | undefined {
    const body: string[] = []
    let depth = 1
    while (f.i < f.lines.length) {
      const raw = f.lines[f.i++]
      const m = /^\s*%([a-zA-Z]+)\b/.exec(raw)
      if (m) {
        const n = m[1].toLowerCase()
        if (starts.includes(n)) depth++
        else if (ends.includes(n) && --depth === 0) return body
      }
      body.push(raw)
    }
    this.error(`\`%${starts[0]}\` without \`%${ends[0]}\``, f.file, lineNo, col, `end the block with %${ends[0]}`)
    return undefined
  }

  private defineMacro(args: string, f: Frame, lineNo: number, col: number, ci: boolean): void {
    const m = /^\s*([A-Za-z_.?$@][\w.?$#@~]*)\s+(\d+)(?:\s*-\s*(\d+|\*))?(\+)?(?:\s*\.nolist)?\s*(.*)$/.exec(args)
    const body = this.collect(f, ['macro', 'imacro'], ['endmacro', 'endm'], lineNo, col)
    if (!m) throw new PpError('`%macro` needs a name and a parameter count, e.g. `%macro name 2`', col)
    if (!body) return
    const min = Number(m[2])
    const max = m[3] === undefined ? min : m[3] === '*' ? Infinity : Number(m[3])
    const macro: MultiMacro = { name: m[1], min, max, greedy: !!m[4], defaults: m[5].trim() ? splitArgs(m[5]) : [], body, ci }
    const map = ci ? this.multisCi : this.multis
    const key = ci ? m[1].toLowerCase() : m[1]
    const list = (map.get(key) ?? []).filter((x) => x.min !== min || x.max !== max)
    list.push(macro)
    map.set(key, list)
  }

  /** Calls a multi-line macro when the line's first word (after a label) names one. */
  private callMulti(text: string, f: Frame, lineNo: number): boolean {
    const m = /^(\s*(?:[A-Za-z_.?$@][\w.?$#@~]*:\s*)?)([A-Za-z_.?$@][\w.?$#@~]*)(?=\s|$)(.*)$/.exec(text)
    if (!m) return false
    const list = this.multis.get(m[2]) ?? this.multisCi.get(m[2].toLowerCase())
    if (!list) return false
    let args = m[3].trim() === '' ? [] : splitArgs(m[3])
    const macro = list.find((x) => args.length >= x.min && (args.length <= x.max || x.greedy)) ?? list.find((x) => args.length + x.defaults.length >= x.min)
    if (!macro) {
      this.error(`macro \`${m[2]}\` takes ${list.map((x) => (x.max === x.min ? x.min : `${x.min}-${x.max}`)).join(' or ')} parameters, not ${args.length}`, f.file, lineNo, m[1].length + 1)
      return true
    }
    if (macro.greedy && args.length > macro.max) {
      // The last parameter takes the rest of the line, commas included (manual 4.3.3).
      const keep = macro.max - 1
      const rest = restAfterArgs(m[3], keep)
      args = [...args.slice(0, keep), rest]
    }
    while (args.length < macro.max && args.length - macro.min < macro.defaults.length && macro.max !== Infinity) args.push(macro.defaults[args.length - macro.min])
    if (f.depth >= MAX_MACRO_DEPTH) {
      this.error(`macros nested more than ${MAX_MACRO_DEPTH} deep`, f.file, lineNo, 1, 'a macro probably calls itself without end')
      this.stopped = true
      return true
    }
    if (m[1].trim()) this.out.push({ text: m[1], file: f.file, line: lineNo })
    this.stack.push({ lines: macro.body, file: f.file, first: lineNo, fixedLine: lineNo, macro: macro.name, i: 0, params: args.map((a) => stripBraces(a.trim())), id: this.uniq++, depth: f.depth + 1 })
    return true
  }

  /** `%1`, `%{1}`, `%0`, `%%label` inside a macro body. */
  private substituteParams(text: string, f: Frame, lineNo: number): string {
    if (!text.includes('%')) return text
    const p = f.params!
    return text.replace(/%%([A-Za-z_.?$@][\w.?$#@~]*)|%\{(\d+)\}|%(\d+)|%([+-])(\d+)/g, (all, local: string, braced: string, plain: string, sign: string, cc: string) => {
      if (local !== undefined) return `..@${f.id}.${local}`
      const n = Number(braced ?? plain ?? cc)
      if (sign) return all // condition-code parameters (%+1, %-1) are not supported; leave them visible
      if (n === 0) return String(p.length)
      void lineNo
      return p[n - 1] ?? ''
    })
  }

  // ---- single-line macros ----

  /** Expands %define'd names in `text` (outside strings), recursively but never inside their own expansion. */
  expandSingles(text: string, lineNo: number, file: string, active: Set<SingleMacro> = new Set(), budget = { n: MAX_SINGLE_EXPANSIONS }): string {

    // `out` holds the expanded text before `copied`; text[copied, i) is still to be copied as is.
    let out = ''
    let copied = 0
    let i = 0
    while (i < text.length) {
      const ch = text[i]
      if (ch === "'" || ch === '"' || ch === '`') {
        const end = closingQuote(text, i)
        if (end < 0) break
        i = end + 1
        continue
      }
      if (!isNameStart(text, i) || (i > 0 && isNameChar(text, i - 1))) {
        i++
        continue
      }
      let j = i + 1
      while (j < text.length && isNameChar(text, j)) j++
      if (!this.macroStarts[text.charCodeAt(i)]) {
        i = j
        continue
      }
      const name = text.slice(i, j)
      const context = CONTEXT_MACROS.get(name)
      if (context) {
        out += text.slice(copied, i) + this.contextMacro(context, lineNo, file)
        copied = i = j
        continue
      }
      const m = this.singles.get(name) ?? (this.singlesCi.size ? this.singlesCi.get(name.toLowerCase()) : undefined)
      if (!m || active.has(m)) {
        i = j
        continue
      }
      if (--budget.n < 0) throw new PpError('single-line macros expand without end', i + 1)
      let body = m.body
      if (m.params) {
        let k = j
        while (text[k] === ' ' || text[k] === '\t') k++
        if (text[k] !== '(') {
          i = j
          continue
        }
        const close = matchingParen(text, k)
        if (close < 0) throw new PpError(`missing \`)\` in the call of \`${name}\``, k + 1)
        const args = splitArgs(text.slice(k + 1, close)).map((a) => this.expandSingles(a.trim(), lineNo, file, active, budget))
        if (args.length !== m.params.length && !(m.params.length === 0 && args.length === 1 && args[0] === ''))
          throw new PpError(`macro \`${name}\` takes ${m.params.length} parameters, not ${args.length}`, i + 1)
        const params = m.params
        body = body.replace(/[A-Za-z_.?@$][\w.?$#@~]*/g, (w) => {
          const pi = params.indexOf(w)
          return pi >= 0 ? args[pi] : w
        })
        j = close + 1
      }
      active.add(m)
      out += text.slice(copied, i) + this.expandSingles(body, lineNo, file, active, budget)
      active.delete(m)
      copied = i = j
    }
    return copied === 0 ? text : out + text.slice(copied)
  }
}

/** How many whitespace characters (String.prototype.trimStart's) a line starts with. */
function leadingBlanks(t: string): number {
  let i = 0
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c !== 32 && c !== 9 && (c < 10 || c > 13) && (c < 128 || !/\s/.test(t[i]))) break
  }
  return i
}

/** Whether a line's first word starts like `bits`, `use16` or `[bits` (most lines are passed over without a regex). */
function startsLikeBits(t: string): boolean {
  let i = 0
  while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++
  const c = t.charCodeAt(i) | 32
  return c === 98 || c === 117 || c === 123
}

const NAME_START = /[A-Za-z_.?@$]/
const NAME_CHAR = /[\w.?$#@~]/
/** Name characters by code (macro names are looked up in every line). */
const NAME_CLASS = new Uint8Array(128)
for (let c = 0; c < 128; c++) NAME_CLASS[c] = (NAME_START.test(String.fromCharCode(c)) ? 1 : 0) | (NAME_CHAR.test(String.fromCharCode(c)) ? 2 : 0)
const isNameStart = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i)
  return c < 128 && (NAME_CLASS[c] & 1) !== 0
}
const isNameChar = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i)
  return c < 128 && (NAME_CLASS[c] & 2) !== 0
}

class PpError extends Error {
  constructor(message: string, readonly col: number, readonly hint?: string) {
    super(message)
  }
}

function matchingParen(text: string, open: number): number {
  let depth = 0
  for (let k = open; k < text.length; k++) {
    const c = text[k]
    if (c === "'" || c === '"' || c === '`') {
      const e = closingQuote(text, k)
      if (e < 0) return -1
      k = e
    } else if (c === '(') depth++
    else if (c === ')' && --depth === 0) return k
  }
  return -1
}

/** Splits macro arguments at top-level commas (quotes, parentheses and `{…}` group). */
export function splitArgs(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (let k = 0; k < text.length; k++) {
    const c = text[k]
    if (c === "'" || c === '"' || c === '`') {
      const e = closingQuote(text, k)
      if (e < 0) {
        cur += text.slice(k)
        break
      }
      cur += text.slice(k, e + 1)
      k = e
      continue
    }
    if (c === '(' || c === '{' || c === '[') depth++
    if (c === ')' || c === '}' || c === ']') depth--
    if (c === ',' && depth === 0) {
      out.push(cur.trim())
      cur = ''
      continue
    }
    cur += c
  }
  out.push(cur.trim())
  return out
}

function restAfterArgs(text: string, skip: number): string {
  if (skip === 0) return text.trim()
  const parts = splitArgs(text)
  let pos = 0
  let seen = 0
  // Find the position after the `skip`-th top-level comma.
  let depth = 0
  for (let k = 0; k < text.length && seen < skip; k++) {
    const c = text[k]
    if (c === "'" || c === '"' || c === '`') {
      k = closingQuote(text, k)
      if (k < 0) break
      continue
    }
    if (c === '(' || c === '{' || c === '[') depth++
    if (c === ')' || c === '}' || c === ']') depth--
    if (c === ',' && depth === 0) {
      seen++
      pos = k + 1
    }
  }
  void parts
  return text.slice(pos).trim()
}

function stripBraces(a: string): string {
  return a.startsWith('{') && a.endsWith('}') ? a.slice(1, -1) : a
}

function unquote(s: string): string {
  const m = /^(["'`])(.*)\1$/.exec(s)
  return m ? m[2] : s
}

export type { Tok }

/**
 * The `%+` token-pasting operator (NASM manual 4.1.4 "Concatenating Single Line Macro Tokens"):
 * after expansion, `isr %+ 3` and `isr%+N` with N defined as 3 are `isr3`; strings are left alone.
 */
function pasteTokens(text: string): string {
  if (!text.includes('%+')) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(text, i)
      if (end < 0) return out + text.slice(i)
      out += text.slice(i, end + 1)
      i = end
    } else if (ch === '%' && text[i + 1] === '+') {
      out = out.trimEnd()
      i += 2
      while (text[i] === ' ' || text[i] === '\t') i++
      i--
    } else out += ch
  }
  return out
}
