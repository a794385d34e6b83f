/**
 * Recursive-descent parser for the GNU ld script language, one `readX()` per directive (after
 * LLD's ScriptParser). It builds the tree in `script-ast.ts` and evaluates nothing: expressions
 * are kept for layout. Errors carry file:line:column and a hint; INCLUDE pulls in another file
 * through the caller's `readFile`, at top level, inside SECTIONS or inside an output section.
 */
import type { Diagnostic, SourceLoc } from '../../../shared/api/result'
import { PT_DYNAMIC, PT_INTERP, PT_LOAD, PT_NOTE, PT_NULL, PT_PHDR, PT_SHLIB, PT_TLS, PT_GNU_STACK, PT_GNU_RELRO, PT_GNU_EH_FRAME } from '../../../shared/elf/constants'
import type {
  AssertStmt, Assignment, Expr, InputSectionDesc, MemoryRegion, OutputItem, OutputSectionStmt, PhdrStmt, Script, SectionPattern, SectionsItem, TopItem,
} from './script-ast'
import { Lexer, ScriptSyntaxError, type Token } from './script-lexer'
import { MAX_INCLUDED_TEXT_BYTES, readInput } from '../input-file'

export interface ParseOptions {
  readFile?: (path: string) => string | undefined
}

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '<<=', '>>=', '&=', '|='])
const MAX_INCLUDE_DEPTH = 16
const MAX_EXPR_DEPTH = 200

const PHDR_TYPES: Record<string, number> = {
  PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_SHLIB, PT_PHDR, PT_TLS, PT_GNU_EH_FRAME, PT_GNU_STACK, PT_GNU_RELRO,
}

/** Binary operator precedence, C's: higher binds tighter. */
const PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
}

/** Builtins whose single argument is a name (section, region, constant), not an expression. */
const NAME_ARG_FUNCS = new Set(['ADDR', 'LOADADDR', 'SIZEOF', 'ALIGNOF', 'ORIGIN', 'LENGTH', 'DEFINED', 'CONSTANT'])
const EXPR_FUNCS = new Set(['ALIGN', 'ABSOLUTE', 'MAX', 'MIN', 'SEGMENT_START', 'DATA_SEGMENT_ALIGN', 'DATA_SEGMENT_RELRO_END',
  'DATA_SEGMENT_END', 'NEXT', 'LOG2CEIL', 'BLOCK'])

/** Parses a number the way ld does: 0x/0X hex, leading-0 octal, decimal; K and M suffixes; h/o/b radix suffixes. */
const PLAIN_DECIMAL = /^[1-9][0-9]*$|^0$/
const PLAIN_HEX = /^0[xX][0-9a-fA-F]+$/

export function parseNumber(text: string): bigint | undefined {
  // The common cases first: this runs for every number in every script.
  if (PLAIN_HEX.test(text) || PLAIN_DECIMAL.test(text)) return BigInt.asUintN(64, BigInt(text))
  let s = text
  let mul = 1n
  const last = s[s.length - 1]
  if ((last === 'K' || last === 'k') && !/^0x/i.test(s)) { mul = 1024n; s = s.slice(0, -1) }
  else if ((last === 'M' || last === 'm') && !/^0x/i.test(s)) { mul = 1024n * 1024n; s = s.slice(0, -1) }
  else if (/^0x[0-9a-f]+[km]$/i.test(s)) { mul = /k$/i.test(s) ? 1024n : 1024n * 1024n; s = s.slice(0, -1) }
  let v: bigint
  if (/^0x[0-9a-f]+$/i.test(s)) v = BigInt(s)
  else if (/^[0-9a-f]+h$/i.test(s)) v = BigInt('0x' + s.slice(0, -1))
  else if (/^[0-7]+o$/i.test(s)) v = BigInt('0o' + s.slice(0, -1))
  else if (/^[01]+b$/i.test(s) && s.length > 1) v = BigInt('0b' + s.slice(0, -1))
  else if (/^0[0-7]+$/.test(s)) v = BigInt('0o' + s.slice(1))
  else if (/^[0-9]+$/.test(s)) v = BigInt(s)
  else return undefined
  return BigInt.asUintN(64, v * mul)
}

/**
 * An error message on one line: a token quoted in it (a string can span lines, an unknown
 * directive can be a run of junk) is cut at its first line break and at 40 characters.
 */
function oneLine(message: string): string {
  const clip = (s: string) => {
    const first = s.split('\n', 1)[0]
    return first.length > 40 ? `${first.slice(0, 40)}…` : first.length < s.length ? `${first}…` : first
  }
  return message.replace(/'([^']*)'/g, (_, s: string) => `'${clip(s)}'`).replace(/\s*\n\s*/g, ' ')
}

class Parser {
  readonly lex: Lexer
  private exprDepth = 0

  constructor(text: string, readonly file: string, readonly script: Script, readonly opts: ParseOptions, readonly depth: number) {
    this.lex = new Lexer(text, file)
  }

  private loc(tok: Token): SourceLoc {
    return this.lex.loc(tok.start)
  }

  private fail(tok: Token, message: string, hint?: string): never {
    throw new ScriptSyntaxError(oneLine(message), this.loc(tok), hint)
  }

  private expect(text: string, mode: 'expr' | 'pattern' = 'expr'): Token {
    const tok = this.lex.next(mode)
    if (tok.text !== text || tok.str) {
      this.fail(tok, tok.text === '' ? `expected '${text}' but the script ended` : `expected '${text}' but found '${tok.text}'`,
        text === ';' ? 'end each assignment with a semicolon' : undefined)
    }
    return tok
  }

  private consume(text: string, mode: 'expr' | 'pattern' = 'expr'): boolean {
    const tok = this.lex.peek(mode)
    if (tok.text === text && !tok.str) {
      this.lex.pos = tok.end
      return true
    }
    return false
  }

  private peekIs(text: string, mode: 'expr' | 'pattern' = 'expr'): boolean {
    const t = this.lex.peek(mode)
    return t.text === text && !t.str
  }

  private readName(what: string, mode: 'expr' | 'pattern' = 'expr'): Token {
    const tok = this.lex.next(mode)
    if (tok.text === '' || (!tok.str && !/^[A-Za-z0-9_.$/\\~*?[\]\-+!^@#]/.test(tok.text))) {
      this.fail(tok, tok.text === '' ? `expected ${what} but the script ended` : `expected ${what} but found '${tok.text}'`)
    }
    return tok
  }

  // ---- top level ---------------------------------------------------------------------------

  readTop(into: TopItem[]): void {
    while (!this.lex.atEnd()) {
      const tok = this.lex.peek('pattern')
      if (this.consume(';')) continue
      switch (tok.text) {
        case 'SECTIONS': this.lex.next('pattern'); into.push(this.readSections(tok)); break
        case 'ENTRY': this.lex.next('pattern'); this.readEntry(); break
        case 'OUTPUT_ARCH': this.lex.next('pattern'); this.script.targetLoc = this.loc(tok); this.script.outputArch = this.readArchName(); break
        case 'OUTPUT_FORMAT': this.lex.next('pattern'); this.script.targetLoc = this.loc(tok); this.script.outputFormat = this.readOutputFormat(); break
        case 'MEMORY': this.lex.next('pattern'); this.readMemory(); break
        case 'PHDRS': this.lex.next('pattern'); this.readPhdrs(); break
        case 'INCLUDE': this.lex.next('pattern'); this.readInclude(tok, (p) => p.readTop(into)); break
        case 'SEARCH_DIR': case 'OUTPUT': case 'TARGET': case 'STARTUP': case 'INPUT': case 'GROUP': case 'NOCROSSREFS':
        case 'EXTERN': case 'FORCE_COMMON_ALLOCATION': case 'INHIBIT_COMMON_ALLOCATION':
          this.lex.next('pattern'); this.skipParenList(); break
        default: {
          const item = this.readAssignmentLike(tok)
          if (!item) this.fail(tok, `unknown directive '${tok.text}'`, 'expected SECTIONS, MEMORY, PHDRS, ENTRY, OUTPUT_ARCH, an assignment or ASSERT')
          into.push(item)
        }
      }
    }
  }

  private skipParenList(): void {
    if (!this.consume('(')) return
    let depth = 1
    while (depth > 0) {
      const t = this.lex.next('pattern')
      if (t.text === '') this.fail(t, 'unbalanced parentheses', "close the list with ')'")
      if (!t.str && t.text === '(') depth++
      if (!t.str && t.text === ')') depth--
    }
  }

  /** A BFD architecture name: `riscv`, `i386`, `i386:x86-64` (the colon splits it into tokens). */
  private readArchName(): string {
    this.expect('(')
    let name = this.readName('an architecture name', 'pattern').text
    while (this.consume(':')) name += ':' + this.readName('an architecture name', 'pattern').text
    this.expect(')')
    return name
  }

  private readEntry(): void {
    this.expect('(')
    const t = this.readName('the entry symbol', 'expr')
    this.expect(')')
    this.script.entry = { name: t.text, loc: this.loc(t) }
  }

  private readOutputFormat(): string {
    this.expect('(')
    const first = this.readName('a BFD target name', 'pattern').text
    while (this.consume(',')) this.readName('a BFD target name', 'pattern')
    this.expect(')')
    return first
  }

  private readInclude(tok: Token, body: (p: Parser) => void): void {
    const nameTok = this.readName('a file name', 'pattern')
    if (this.depth >= MAX_INCLUDE_DEPTH) this.fail(nameTok, `INCLUDE nested more than ${MAX_INCLUDE_DEPTH} deep`, 'a script probably includes itself')
    const { data: text, refused } = readInput(() => this.opts.readFile?.(nameTok.text))
    if (refused) this.fail(nameTok, refused.message, refused.hint)
    if (text === undefined) this.fail(nameTok, `cannot find INCLUDE file '${nameTok.text}'`, 'add the file to the project, or fix its name')
    if (text.length > MAX_INCLUDED_TEXT_BYTES) this.fail(nameTok, `INCLUDE file '${nameTok.text}' is larger than ${MAX_INCLUDED_TEXT_BYTES / (1024 * 1024)} MiB`, 'include linker script text')
    void tok
    const sub = new Parser(text, nameTok.text, this.script, this.opts, this.depth + 1)
    body(sub)
    if (!sub.lex.atEnd()) {
      const t = sub.lex.peek('pattern')
      sub.fail(t, `unexpected '${t.text}' in an included file`)
    }
  }

  /** An assignment, PROVIDE/HIDDEN or ASSERT, or undefined when the token starts none of them. */
  private readAssignmentLike(tok: Token): Assignment | AssertStmt | undefined {
    if (tok.text === 'ASSERT') {
      this.lex.next('pattern')
      const s = this.readAssert(tok)
      this.consume(';')
      return s
    }
    if (tok.text === 'PROVIDE' || tok.text === 'PROVIDE_HIDDEN' || tok.text === 'HIDDEN') {
      this.lex.next('pattern')
      this.expect('(')
      const nameTok = this.readName('a symbol name', 'expr')
      const opTok = this.lex.next()
      if (opTok.text !== '=') this.fail(opTok, `expected '=' in ${tok.text}(...) but found '${opTok.text}'`)
      const expr = this.readExpr()
      const close = this.expect(')')
      this.consume(';')
      return {
        kind: 'assign', target: nameTok.text, op: '=', expr, provide: tok.text !== 'HIDDEN', hidden: tok.text !== 'PROVIDE', loc: this.loc(nameTok),
        text: this.lex.text.slice(tok.start, close.end),
      }
    }
    // A plain assignment: a symbol (or `.`) followed by an assignment operator.
    const nameTok = this.lex.peek('expr')
    if (nameTok.text === '' || nameTok.str || !/^[A-Za-z_.$]/.test(nameTok.text)) return undefined
    const opTok = this.lex.scan(nameTok.end, 'expr')
    if (!ASSIGN_OPS.has(opTok.text)) return undefined
    this.lex.pos = opTok.end
    const expr = this.readExpr()
    const exprEnd = this.lex.pos
    const semi = this.lex.peek()
    if (semi.text !== ';' && semi.text !== '}') this.fail(semi, `expected ';' after the assignment to ${nameTok.text} but found '${semi.text || 'the end of the script'}'`, 'end each assignment with a semicolon')
    this.consume(';')
    return { kind: 'assign', target: nameTok.text, op: opTok.text, expr, loc: this.loc(nameTok), text: this.lex.text.slice(nameTok.start, exprEnd).replace(/\s+/g, ' ') }
  }

  private readAssert(tok: Token): AssertStmt {
    this.expect('(')
    const expr = this.readExpr()
    this.expect(',')
    const msg = this.lex.next('pattern')
    if (msg.text === '') this.fail(msg, 'expected the ASSERT message')
    this.expect(')')
    return { kind: 'assert', expr, message: msg.text, loc: this.loc(tok) }
  }

  // ---- MEMORY and PHDRS ----------------------------------------------------------------------

  private readMemory(): void {
    this.expect('{')
    while (!this.consume('}')) {
      const nameTok = this.readName('a memory region name', 'pattern')
      if (nameTok.text === 'INCLUDE') { this.readInclude(nameTok, (p) => p.readMemoryBody()); continue }
      this.readRegion(nameTok)
    }
  }

  private readMemoryBody(): void {
    while (!this.lex.atEnd()) this.readRegion(this.readName('a memory region name', 'pattern'))
  }

  private readRegion(nameTok: Token): void {
    let attrs = ''
    if (this.consume('(')) {
      attrs = this.readName('region attributes (r w x a i l !)', 'pattern').text
      this.expect(')')
    }
    this.expect(':')
    const kw1 = this.readName('ORIGIN', 'expr')
    if (!/^(ORIGIN|org|o)$/.test(kw1.text)) this.fail(kw1, `expected ORIGIN but found '${kw1.text}'`, 'write NAME (rwx) : ORIGIN = 0x80000000, LENGTH = 128M')
    this.expect('=')
    const origin = this.readExpr()
    this.expect(',')
    const kw2 = this.readName('LENGTH', 'expr')
    if (!/^(LENGTH|len|l)$/.test(kw2.text)) this.fail(kw2, `expected LENGTH but found '${kw2.text}'`, 'write NAME (rwx) : ORIGIN = 0x80000000, LENGTH = 128M')
    this.expect('=')
    const length = this.readExpr()
    this.consume(',')
    const region: MemoryRegion = { name: nameTok.text, attrs, origin, length, loc: this.loc(nameTok) }
    if (this.script.memory.some((r) => r.name === region.name)) this.fail(nameTok, `memory region '${region.name}' is defined twice`)
    this.script.memory.push(region)
  }

  private readPhdrs(): void {
    this.expect('{')
    const list: PhdrStmt[] = (this.script.phdrs ??= [])
    while (!this.consume('}')) {
      const nameTok = this.readName('a program header name', 'pattern')
      const typeTok = this.lex.next('expr')
      let type = PHDR_TYPES[typeTok.text]
      if (type === undefined) {
        const n = parseNumber(typeTok.text)
        if (n === undefined) this.fail(typeTok, `unknown program header type '${typeTok.text}'`, 'use PT_LOAD, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK or a number')
        type = Number(n)
      }
      const ph: PhdrStmt = { name: nameTok.text, type, fileHdr: false, phdrs: false, loc: this.loc(nameTok) }
      for (;;) {
        const t = this.lex.peek('expr')
        if (t.text === 'FILEHDR') { this.lex.next(); ph.fileHdr = true }
        else if (t.text === 'PHDRS') { this.lex.next(); ph.phdrs = true }
        else if (t.text === 'AT') { this.lex.next(); this.expect('('); ph.at = this.readExpr(); this.expect(')') }
        else if (t.text === 'FLAGS') { this.lex.next(); this.expect('('); ph.flags = this.readExpr(); this.expect(')') }
        else break
      }
      this.expect(';')
      list.push(ph)
    }
  }

  // ---- SECTIONS ------------------------------------------------------------------------------

  private readSections(tok: Token): TopItem {
    this.expect('{')
    const items: SectionsItem[] = []
    this.readSectionsBody(items, true)
    return { kind: 'sections', items, loc: this.loc(tok) }
  }

  readSectionsBody(items: SectionsItem[], braced: boolean): void {
    for (;;) {
      if (braced && this.consume('}')) return
      if (!braced && this.lex.atEnd()) return
      const tok = this.lex.peek('pattern')
      if (tok.text === '') this.fail(tok, "SECTIONS is not closed: expected '}' but the script ended", "add the closing '}'")
      if (this.consume(';')) continue
      if (tok.text === 'INCLUDE') { this.lex.next('pattern'); this.readInclude(tok, (p) => p.readSectionsBody(items, false)); continue }
      if (tok.text === 'ENTRY') { this.lex.next('pattern'); this.readEntry(); continue }
      if (tok.text === 'OVERLAY') this.fail(tok, 'OVERLAY is not supported', 'place the sections with AT() instead')
      const a = this.readAssignmentLike(tok)
      if (a) { items.push(a); continue }
      items.push(this.readOutputSection())
    }
  }

  private readOutputSection(): OutputSectionStmt {
    const nameTok = this.readName('an output section name', 'pattern')
    const os: OutputSectionStmt = { kind: 'output', name: nameTok.text, phdrs: [], items: [], loc: this.loc(nameTok) }
    // [address] [(type)] : [AT(lma)] [ALIGN(a)] [SUBALIGN(a)] [constraint] { … } [>region] [AT>region] [:phdr…] [=fill]
    if (!this.peekIs(':')) {
      if (this.peekIs('(')) {
        const save = this.lex.pos
        this.lex.next()
        const t = this.lex.peek('expr')
        if (/^(NOLOAD|COPY|INFO|OVERLAY|DSECT|READONLY)$/.test(t.text) && this.lex.scan(t.end, 'expr').text === ')') {
          this.lex.next(); this.lex.next()
          os.type = t.text
        } else {
          this.lex.pos = save
          os.addr = this.readExpr()
        }
      } else {
        os.addr = this.readExpr()
      }
      if (!os.type && this.peekIs('(')) {
        this.lex.next()
        const t = this.readName('a section type', 'expr')
        if (!/^(NOLOAD|COPY|INFO|OVERLAY|DSECT|READONLY)$/.test(t.text)) this.fail(t, `unknown section type '${t.text}'`, 'use NOLOAD, COPY, INFO, OVERLAY or READONLY')
        this.expect(')')
        os.type = t.text
      }
    }
    const colon = this.lex.next()
    if (colon.text !== ':') this.fail(colon, `expected ':' after output section name '${os.name}' but found '${colon.text || 'the end of the script'}'`,
      'write `.name [address] : { … }`')
    for (;;) {
      const t = this.lex.peek('expr')
      if (t.text === 'AT' && this.lex.scan(t.end, 'expr').text === '(') { this.lex.next(); this.expect('('); os.at = this.readExpr(); this.expect(')') }
      else if (t.text === 'ALIGN') { this.lex.next(); this.expect('('); os.align = this.readExpr(); this.expect(')') }
      else if (t.text === 'SUBALIGN') { this.lex.next(); this.expect('('); os.subalign = this.readExpr(); this.expect(')') }
      else if (t.text === 'ONLY_IF_RO' || t.text === 'ONLY_IF_RW') { this.lex.next(); os.constraint = t.text }
      else if (t.text === 'ALIGN_WITH_INPUT') { this.lex.next() }
      else break
    }
    this.expect('{')
    this.readOutputBody(os.items, true)
    // Trailing attributes.
    for (;;) {
      const t = this.lex.peek('expr')
      if (t.text === '>') {
        this.lex.next()
        const r = this.readName('a memory region name', 'pattern')
        os.region = r.text
        os.regionLoc = this.loc(r)
      } else if (t.text === 'AT' && this.lex.scan(t.end, 'expr').text === '>') {
        this.lex.next(); this.lex.next()
        const r = this.readName('a memory region name', 'pattern')
        os.lmaRegion = r.text
        os.regionLoc ??= this.loc(r)
      } else if (t.text === ':') {
        this.lex.next()
        os.phdrs.push(this.readName('a program header name', 'pattern').text)
      } else if (t.text === '=') {
        this.lex.next()
        os.fill = this.readExpr()
      } else break
    }
    this.consume(',')
    return os
  }

  readOutputBody(items: OutputItem[], braced: boolean): void {
    for (;;) {
      if (braced && this.consume('}')) return
      if (!braced && this.lex.atEnd()) return
      const tok = this.lex.peek('pattern')
      if (tok.text === '') this.fail(tok, "output section is not closed: expected '}' but the script ended", "add the closing '}'")
      if (this.consume(';')) continue
      const kw = tok.str ? '' : tok.text
      if (kw === 'INCLUDE') { this.lex.next('pattern'); this.readInclude(tok, (p) => p.readOutputBody(items, false)); continue }
      const size = { BYTE: 1, SHORT: 2, LONG: 4, QUAD: 8, SQUAD: 8 }[kw]
      if (size !== undefined && this.lex.scan(tok.end, 'expr').text === '(') {
        this.lex.next('pattern'); this.expect('(')
        const expr = this.readExpr()
        this.expect(')')
        this.consume(';')
        items.push({ kind: 'data', size, expr, loc: this.loc(tok) })
        continue
      }
      if (kw === 'FILL' && this.lex.scan(tok.end, 'expr').text === '(') {
        this.lex.next('pattern'); this.expect('(')
        const expr = this.readExpr()
        this.expect(')')
        this.consume(';')
        items.push({ kind: 'fill', expr, loc: this.loc(tok) })
        continue
      }
      if (kw === 'CREATE_OBJECT_SYMBOLS' || kw === 'CONSTRUCTORS') { this.lex.next('pattern'); continue }
      if (kw === 'KEEP') {
        this.lex.next('pattern')
        this.expect('(')
        items.push(this.readInputSectionDesc(true))
        this.expect(')')
        continue
      }
      if (kw === 'SORT' && this.lex.scan(tok.end, 'expr').text === '(') {
        // SORT(CONSTRUCTORS) in GNU's default script.
        const save = this.lex.pos
        this.lex.next('pattern'); this.lex.next()
        if (this.lex.peek('pattern').text === 'CONSTRUCTORS') { this.lex.next('pattern'); this.expect(')'); continue }
        this.lex.pos = save
      }
      const a = kw === 'ASSERT' || kw === 'PROVIDE' || kw === 'PROVIDE_HIDDEN' || kw === 'HIDDEN' || /^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(kw)
        ? this.readAssignmentLike(tok) : undefined
      if (a) { items.push(a); continue }
      items.push(this.readInputSectionDesc(false))
    }
  }

  private readExcludeFile(): string[] {
    this.expect('(')
    const files: string[] = []
    while (!this.consume(')')) files.push(this.readName('a file name pattern', 'pattern').text)
    return files
  }

  private readInputSectionDesc(keep: boolean): InputSectionDesc {
    const start = this.lex.peek('pattern')
    let excludeFiles: string[] = []
    let sortFiles = false
    let filePattern: string
    let t = this.readName('an input section description such as *(.text)', 'pattern')
    if (t.text === 'EXCLUDE_FILE') { excludeFiles = this.readExcludeFile(); t = this.readName('a file name pattern', 'pattern') }
    if ((t.text === 'SORT' || t.text === 'SORT_BY_NAME') && this.peekIs('(')) {
      this.expect('(')
      filePattern = this.readName('a file name pattern', 'pattern').text
      this.expect(')')
      sortFiles = true
    } else filePattern = t.text
    const desc: InputSectionDesc = { kind: 'input', filePattern, excludeFiles, sortFiles, sections: [], keep, common: false, loc: this.loc(start) }
    if (!this.consume('(')) {
      // `file.o` alone means every section of that file.
      desc.sections.push({ pattern: '*', excludeFiles: [], sort: 'none' })
      return desc
    }
    let pendingExclude: string[] = []
    while (!this.consume(')')) {
      const p = this.readName('a section name pattern', 'pattern')
      if (p.text === 'EXCLUDE_FILE') { pendingExclude = this.readExcludeFile(); continue }
      const sorts: Record<string, SectionPattern['sort']> = {
        SORT: 'name', SORT_BY_NAME: 'name', SORT_BY_ALIGNMENT: 'alignment', SORT_NONE: 'none', SORT_BY_INIT_PRIORITY: 'init_priority',
      }
      if (sorts[p.text] !== undefined && this.peekIs('(')) {
        this.expect('(')
        let sort = sorts[p.text]
        let inner = this.readName('a section name pattern', 'pattern')
        if (sorts[inner.text] !== undefined && this.peekIs('(')) {
          this.expect('(')
          const second = sorts[inner.text]
          if (sort !== 'none' && second !== 'none' && second !== sort) sort = `${sort},${second}` as SectionPattern['sort']
          inner = this.readName('a section name pattern', 'pattern')
          const more = [inner.text]
          while (!this.consume(')')) more.push(this.readName('a section name pattern', 'pattern').text)
          this.expect(')')
          for (const m of more) desc.sections.push({ pattern: m, excludeFiles: pendingExclude, sort })
          pendingExclude = []
          continue
        }
        const pats = [inner.text]
        while (!this.consume(')')) {
          const q = this.readName('a section name pattern', 'pattern')
          if (q.text === 'EXCLUDE_FILE') { pendingExclude = this.readExcludeFile(); continue }
          pats.push(q.text)
        }
        for (const m of pats) desc.sections.push({ pattern: m, excludeFiles: pendingExclude, sort })
        pendingExclude = []
        continue
      }
      if (p.text === 'COMMON') desc.common = true
      desc.sections.push({ pattern: p.text, excludeFiles: pendingExclude, sort: 'none' })
      pendingExclude = []
    }
    return desc
  }

  // ---- expressions ---------------------------------------------------------------------------

  readExpr(): Expr {
    if (++this.exprDepth > MAX_EXPR_DEPTH) {
      const t = this.lex.peek()
      this.fail(t, 'expression nested too deeply', 'simplify the expression')
    }
    try {
      return this.readTernary()
    } finally {
      this.exprDepth--
    }
  }

  private readTernary(): Expr {
    const c = this.readBinary(1)
    const q = this.lex.peek()
    if (q.text === '?' && !q.str) {
      this.lex.next()
      const a = this.readExpr()
      this.expect(':')
      const b = this.readExpr()
      return { k: 'cond', c, a, b, loc: c.loc }
    }
    return c
  }

  private readBinary(minPrec: number): Expr {
    let lhs = this.readUnary()
    for (;;) {
      const op = this.lex.peek()
      const prec = op.str ? undefined : PRECEDENCE[op.text]
      if (prec === undefined || prec < minPrec) return lhs
      this.lex.next()
      const rhs = this.readBinary(prec + 1)
      lhs = { k: 'bin', op: op.text, a: lhs, b: rhs, loc: this.loc(op) }
    }
  }

  private readUnary(): Expr {
    const t = this.lex.peek()
    if (!t.str && (t.text === '-' || t.text === '!' || t.text === '~' || t.text === '+')) {
      this.lex.next()
      if (++this.exprDepth > MAX_EXPR_DEPTH) this.fail(t, 'expression nested too deeply', 'simplify the expression')
      try {
        const a = this.readUnary()
        return t.text === '+' ? a : { k: 'un', op: t.text, a, loc: this.loc(t) }
      } finally {
        this.exprDepth--
      }
    }
    return this.readPrimary()
  }

  private readPrimary(): Expr {
    const t = this.lex.next()
    const loc = this.loc(t)
    if (t.text === '') this.fail(t, 'expected an expression but the script ended')
    if (t.str) return { k: 'str', s: t.text, loc }
    if (t.text === '(') {
      const e = this.readExpr()
      this.expect(')')
      return e
    }
    if (/^[0-9]/.test(t.text) || /^\$[0-9a-f]/i.test(t.text)) {
      const v = parseNumber(t.text)
      if (v === undefined) this.fail(t, `invalid number '${t.text}'`, 'write numbers as 0x1000, 4096, 4K or 1M')
      return /^0x/i.test(t.text) && !/[km]$/i.test(t.text) ? { k: 'num', v, hex: t.text.slice(2), loc } : { k: 'num', v, loc }
    }
    if (t.text === '.') return { k: 'dot', loc }
    if (!/^[A-Za-z_.$]/.test(t.text)) this.fail(t, `expected an expression but found '${t.text}'`)
    const fn = t.text
    if (this.peekIs('(')) {
      if (NAME_ARG_FUNCS.has(fn)) {
        this.expect('(')
        const nameTok = this.readName(fn === 'CONSTANT' ? 'MAXPAGESIZE or COMMONPAGESIZE' : 'a name', fn === 'DEFINED' ? 'expr' : 'pattern')
        this.expect(')')
        if (fn === 'CONSTANT' && nameTok.text !== 'MAXPAGESIZE' && nameTok.text !== 'COMMONPAGESIZE') {
          this.fail(nameTok, `unknown constant '${nameTok.text}'`, 'CONSTANT takes MAXPAGESIZE or COMMONPAGESIZE')
        }
        return { k: 'call', fn, args: [], name: nameTok.text, loc }
      }
      if (EXPR_FUNCS.has(fn)) {
        this.expect('(')
        const args: Expr[] = []
        if (fn === 'SEGMENT_START') {
          const seg = this.lex.next('pattern')
          args.push({ k: 'str', s: seg.text, loc: this.loc(seg) })
          this.expect(',')
        }
        args.push(this.readExpr())
        while (this.consume(',')) args.push(this.readExpr())
        this.expect(')')
        const arity: Record<string, [number, number]> = {
          ALIGN: [1, 2], ABSOLUTE: [1, 1], MAX: [2, 2], MIN: [2, 2], SEGMENT_START: [2, 2], DATA_SEGMENT_ALIGN: [2, 2],
          DATA_SEGMENT_RELRO_END: [2, 2], DATA_SEGMENT_END: [1, 1], NEXT: [1, 1], LOG2CEIL: [1, 1], BLOCK: [1, 1],
        }
        const [lo, hi] = arity[fn]
        if (args.length < lo || args.length > hi) this.fail(t, `${fn} takes ${lo === hi ? lo : `${lo} or ${hi}`} argument${hi > 1 ? 's' : ''}, not ${args.length}`)
        return { k: 'call', fn, args, loc }
      }
      this.fail(t, `unknown function '${fn}'`, 'builtins are ADDR LOADADDR SIZEOF ALIGN ALIGNOF ORIGIN LENGTH MAX MIN DEFINED ABSOLUTE SEGMENT_START CONSTANT')
    }
    if (fn === 'SIZEOF_HEADERS' || fn === 'sizeof_headers') return { k: 'call', fn: 'SIZEOF_HEADERS', args: [], loc }
    return { k: 'sym', name: fn, loc }
  }
}

export interface ParsedScript {
  script?: Script
  diagnostics: Diagnostic[]
}

/** Parses a linker script. Syntax errors come back as diagnostics with file:line:column. */
export function parseScript(text: string, file: string, opts: ParseOptions = {}): ParsedScript {
  const script: Script = { items: [], memory: [] }
  const p = new Parser(text, file, script, opts, 0)
  try {
    p.readTop(script.items)
    return { script, diagnostics: [] }
  } catch (e) {
    if (e instanceof ScriptSyntaxError) {
      return { diagnostics: [{ severity: 'error', code: 'link.script_syntax', message: e.message, loc: e.loc, hint: e.hint ?? 'see the GNU ld manual, "Linker Scripts"' }] }
    }
    if (e instanceof RangeError) {
      return { diagnostics: [{ severity: 'error', code: 'link.script_syntax', message: 'the script is nested too deeply to parse', loc: { file, line: 1, column: 1 } }] }
    }
    throw e
  }
}
