/**
 * Assembler directives (GNU `as` manual, "Assembler Directives", plus the RISC-V `.option`):
 * sections, symbol binding and type, data, alignment, fills, strings, `.equ/.set`, `.incbin`,
 * `.include`. Metadata GNU records but a linker does not need (`.file`, `.ident`,
 * `.attribute`, CFI) is accepted and ignored; GNU writes `.riscv.attributes`, we do not.
 */
import { AsmError, Assembler } from './assembler'
import { splitArgs } from './text'
import { closest } from './diagnostics'
import type { Expr } from './expr'
import { SHF_ALLOC, SHF_EXECINSTR, SHF_MERGE, SHF_STRINGS, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS, type Fixup } from './state'
import { splitOperands } from './operands'
import { ASM_DIRECTIVES, ASM_DIRECTIVE_NAMES } from '../../../shared/asm/directives'
import { MAX_INCLUDED_TEXT_BYTES, readInput } from '../input-file'

const DATA_SIZES: Record<string, number> = {
  '.byte': 1, '.half': 2, '.hword': 2, '.2byte': 2, '.short': 2, '.word': 4, '.4byte': 4, '.long': 4, '.int': 4,
  '.quad': 8, '.8byte': 8, '.dword': 8,
}

const IGNORED = new Set(ASM_DIRECTIVES.filter((x) => x.ignored).map((x) => x.name))

/** The directive names, shared with the editor's completion (`shared/asm/directives.ts`). */
const ALL_DIRECTIVES = ASM_DIRECTIVE_NAMES

/** Parses `"..."` with C escapes into bytes (GNU `as` "Strings"). */
export function parseString(text: string, col: number): { bytes: number[]; rest: string } {
  const t = text.trimStart()
  const c0 = col + (text.length - t.length)
  if (t[0] !== '"') throw new AsmError('expected a string in double quotes', c0, 'asm.bad_directive')
  const bytes: number[] = []
  let i = 1
  for (; i < t.length && t[i] !== '"'; i++) {
    let ch = t.charCodeAt(i)
    if (t[i] === '\\') {
      const e = t[++i]
      if (e === undefined) break
      if (/[0-7]/.test(e)) {
        let v = 0
        let k = 0
        for (; k < 3 && /[0-7]/.test(t[i]); k++) v = v * 8 + Number(t[i++])
        i--
        ch = v & 0xff
      } else if (e === 'x' || e === 'X') {
        let v = 0
        while (/[0-9a-fA-F]/.test(t[i + 1] ?? '')) v = (v * 16 + parseInt(t[++i], 16)) & 0xff
        ch = v
      } else ch = ({ n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, '"': 34, "'": 39 } as Record<string, number>)[e] ?? e.charCodeAt(0)
    }
    if (ch > 0xff) {
      for (const b of new TextEncoder().encode(String.fromCharCode(ch))) bytes.push(b)
    } else bytes.push(ch)
  }
  if (t[i] !== '"') throw new AsmError('unterminated string', c0, 'asm.bad_directive', 'add the closing `"`')
  return { bytes, rest: t.slice(i + 1) }
}

function symName(text: string, col: number): string {
  const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*|"[^"]+")\s*$/.exec(text)
  if (!m) throw new AsmError(`expected a symbol name, got \`${text.trim()}\``, col, 'asm.bad_directive')
  return m[1].replace(/^"|"$/g, '')
}

const sectionStack: WeakMap<Assembler, string[]> = new WeakMap()

export function directive(asm: Assembler, name: string, args: string, col: number): void {
  const size = DATA_SIZES[name]
  if (size) return data(asm, size, args, col)
  if (IGNORED.has(name) || name.startsWith('.cfi_')) return
  return other(asm, name, args, col)
}

function other(asm: Assembler, name: string, args: string, col: number): void {
  const ops = () => splitOperands(args, col)
  const expr = (text: string, c: number) => asm.parse(text, c)
  switch (name) {
    case '.text': case '.data': case '.bss': case '.rodata': case '.sdata': case '.sbss':
      asm.switchSection(name)
      return
    case '.section': case '.pushsection': {
      const parts = ops()
      if (!parts.length || !parts[0].text) throw new AsmError('.section needs a name', col, 'asm.bad_directive')
      const secName = parts[0].text.replace(/^"|"$/g, '')
      let flags: number | undefined
      let type: number | undefined
      let entsize: number | undefined
      if (parts[1]) {
        const f = /^"([a-zA-Z?]*)"$/.exec(parts[1].text)
        if (!f) throw new AsmError(`bad section flags \`${parts[1].text}\``, parts[1].col, 'asm.bad_directive', 'write flags in quotes, e.g. "awx"')
        flags = 0
        for (const ch of f[1]) {
          const bit = ({ a: SHF_ALLOC, w: SHF_WRITE, x: SHF_EXECINSTR, M: SHF_MERGE, S: SHF_STRINGS, T: SHF_TLS } as Record<string, number>)[ch]
          if (bit === undefined && !'G?oRd'.includes(ch)) throw new AsmError(`unknown section flag \`${ch}\``, parts[1].col, 'asm.bad_directive', 'flags are a (alloc), w (write), x (execute), M (merge), S (strings), T (TLS)')
          flags |= bit ?? 0
        }
      }
      if (parts[2]) {
        const t = parts[2].text.replace(/^[@%]/, '')
        type = ({ progbits: SHT_PROGBITS, nobits: SHT_NOBITS, init_array: 14, fini_array: 15, preinit_array: 16, note: 7 } as Record<string, number>)[t]
        if (type === undefined) throw new AsmError(`unknown section type \`${parts[2].text}\``, parts[2].col, 'asm.bad_directive', 'use @progbits or @nobits')
      }
      if (parts[3] && flags !== undefined && flags & SHF_MERGE) entsize = Number(asm.constant(expr(parts[3].text, parts[3].col), 'entry size', parts[3].col))
      if (name === '.pushsection') {
        const st = sectionStack.get(asm) ?? []
        st.push(asm.cur.name)
        sectionStack.set(asm, st)
      }
      const d = flags === undefined ? undefined : { flags, type: type ?? Assembler.defaultsFor(secName).type, entsize }
      asm.switchSection(secName, d ?? (type !== undefined ? { type } : undefined))
      return
    }
    case '.popsection': {
      const prev = sectionStack.get(asm)?.pop()
      if (!prev) throw new AsmError('.popsection without .pushsection', col, 'asm.bad_directive')
      asm.switchSection(prev)
      return
    }
    case '.previous':
      if (asm.prev) asm.switchSection(asm.prev.name)
      return
    case '.globl': case '.global': case '.local': case '.weak':
      for (const o of ops()) {
        const s = asm.sym(symName(o.text, o.col), o.col)
        s.bind = name === '.local' ? 'local' : name === '.weak' ? 'weak' : 'global'
        s.bindSet = true
      }
      return
    case '.hidden': case '.protected': case '.internal':
      return
    case '.type': {
      const p = ops()
      if (p.length !== 2) throw new AsmError('.type takes a symbol and a type, e.g. `.type f, @function`', col, 'asm.bad_directive')
      const s = asm.sym(symName(p[0].text, p[0].col), p[0].col)
      const t = p[1].text.replace(/^[@%#]|^STT_/i, '').toLowerCase()
      if (t === 'function' || t === 'func') s.type = 'func'
      else if (t === 'object') s.type = 'object'
      else if (t === 'notype') s.type = 'notype'
      else throw new AsmError(`unknown symbol type \`${p[1].text}\``, p[1].col, 'asm.bad_directive', 'use @function, @object or @notype')
      return
    }
    case '.size': {
      const p = ops()
      if (p.length !== 2) throw new AsmError('.size takes a symbol and an expression, e.g. `.size f, . - f`', col, 'asm.bad_directive')
      asm.sym(symName(p[0].text, p[0].col), p[0].col).size = expr(p[1].text, p[1].col)
      return
    }
    case '.align': case '.p2align': case '.balign': {
      const p = ops()
      if (p.length < 1 || p.length > 3) throw new AsmError(`${name} takes 1 to 3 operands`, col, 'asm.bad_directive')
      const n = Number(asm.constant(expr(p[0].text, p[0].col), 'alignment', p[0].col))
      let align: number
      // On RISC-V, GNU's .align is a power of two, like .p2align.
      if (name === '.balign') {
        if (n <= 0 || (n & (n - 1)) !== 0) throw new AsmError(`alignment ${n} is not a power of 2`, p[0].col, 'asm.bad_directive')
        align = n
      } else {
        if (n < 0 || n > 16) throw new AsmError(`alignment 2^${n} is out of range (0..16)`, p[0].col, 'asm.bad_directive')
        align = 1 << n
      }
      const fill = p[1]?.text ? Number(asm.constant(expr(p[1].text, p[1].col), 'fill value', p[1].col)) & 0xff : undefined
      const max = p[2] ? Number(asm.constant(expr(p[2].text, p[2].col), 'maximum skip', p[2].col)) : 0
      asm.emitAlign(align, fill, max)
      return
    }
    case '.zero': case '.space': case '.skip': {
      const p = ops()
      if (p.length < 1 || p.length > (name === '.zero' ? 1 : 2)) throw new AsmError(`${name} takes ${name === '.zero' ? 'a size' : 'a size and an optional fill byte'}`, col, 'asm.bad_directive')
      const n = asm.constant(expr(p[0].text, p[0].col), 'size', p[0].col)
      if (n < 0n || n > 1n << 28n) throw new AsmError(`size ${n} is out of range`, p[0].col, 'asm.bad_directive')
      const fill = p[1] ? asm.constant(expr(p[1].text, p[1].col), 'fill byte', p[1].col) & 0xffn : 0n
      asm.emitFill(Number(n), fill, 1)
      return
    }
    case '.fill': {
      const p = ops()
      if (p.length < 1 || p.length > 3) throw new AsmError('.fill takes repeat[, size[, value]]', col, 'asm.bad_directive')
      const rep = asm.constant(expr(p[0].text, p[0].col), 'repeat count', p[0].col)
      const sz = p[1] ? Number(asm.constant(expr(p[1].text, p[1].col), 'size', p[1].col)) : 1
      const val = p[2] ? asm.constant(expr(p[2].text, p[2].col), 'value', p[2].col) : 0n
      if (rep < 0n || sz < 0 || sz > 8 || rep * BigInt(sz) > 1n << 28n) throw new AsmError('.fill size out of range (size 0..8)', col, 'asm.bad_directive')
      if (sz === 0 || rep === 0n) return
      // GNU: the value is an 8-byte number whose high 4 bytes are zero ("Fill" in the manual).
      asm.emitFill(Number(rep) * sz, sz > 4 ? val & 0xffffffffn : val, sz)
      return
    }
    case '.ascii': case '.asciz': case '.string': {
      let rest = args
      let any = false
      while (rest.trim()) {
        const { bytes, rest: r } = parseString(rest, col)
        if (name !== '.ascii') bytes.push(0)
        asm.emitBytes(Uint8Array.from(bytes))
        any = true
        rest = r.trim()
        if (rest && rest[0] !== ',') throw new AsmError('expected `,` between strings', col, 'asm.bad_directive')
        rest = rest.slice(1)
      }
      if (!any) throw new AsmError(`${name} needs a string`, col, 'asm.bad_directive')
      return
    }
    case '.equ': case '.set': case '.equiv': {
      const p = ops()
      if (p.length !== 2) throw new AsmError(`${name} takes a symbol and a value, e.g. \`${name} SIZE, 4096\``, col, 'asm.bad_directive')
      const nm = symName(p[0].text, p[0].col)
      const s = asm.sym(nm, p[0].col)
      if (s.kind === 'label' || (s.kind === 'equ' && name === '.equiv')) throw new AsmError(`symbol \`${nm}\` is already defined`, p[0].col, 'asm.symbol_redefined')
      const e = expr(p[1].text, p[1].col)
      // GNU assigns the value when it is known now (so `.set n, n+1` counts); otherwise the
      // symbol stays an expression over labels, resolved after layout.
      let now: bigint | undefined
      try {
        now = asm.evalNow(e)
      } catch (x) {
        if (!(x instanceof AsmError)) throw x
        if (/itself/.test(x.message)) throw x
      }
      if (now === undefined && s.kind === 'undef' && refersTo(e, nm)) throw new AsmError(`symbol \`${nm}\` is defined in terms of itself`, p[1].col, 'asm.bad_expression')
      s.kind = 'equ'
      s.equ = now !== undefined ? { k: 'num', v: now } : e
      s.loc = asm.loc(p[0].col)
      return
    }
    case '.altmacro': asm.altmacro = true; return
    case '.noaltmacro': asm.altmacro = false; return
    case '.option': {
      const o = args.trim().toLowerCase()
      if (o === 'rvc') asm.rvc = true
      else if (o === 'norvc') asm.rvc = false
      else if (o === 'push') asm.optionStack.push(asm.rvc)
      else if (o === 'pop') {
        if (!asm.optionStack.length) throw new AsmError('.option pop without .option push', col, 'asm.bad_directive')
        asm.rvc = asm.optionStack.pop()!
      } else if (o === 'relax' || o === 'norelax' || o === 'pic' || o === 'nopic' || o === 'csr-check' || o === 'no-csr-check') {
        // Accepted; output always matches GNU -mno-relax (see index.ts).
      } else if (o.startsWith('arch')) {
        if (/[+]c\b/.test(o)) asm.rvc = true
        else if (/-c\b/.test(o)) asm.rvc = false
      } else throw new AsmError(`unknown .option \`${args.trim()}\``, col, 'asm.bad_directive', 'use rvc, norvc, push, pop, relax, norelax, pic, nopic or arch')
      return
    }
    case '.incbin': case '.include': {
      const { bytes, rest } = parseString(args, col)
      const path = new TextDecoder().decode(Uint8Array.from(bytes))
      const { data, refused } = readInput(() => asm.readFile?.(path))
      if (refused) throw new AsmError(refused.message, col, name === '.include' ? 'asm.include_refused' : 'asm.incbin_refused', refused.hint)
      if (!data) throw new AsmError(`cannot find file \`${path}\``, col, name === '.include' ? 'asm.include_missing' : 'asm.incbin_missing', 'paths are relative to the workspace')
      if (name === '.include') {
        if (data.length > MAX_INCLUDED_TEXT_BYTES) throw new AsmError(`include file \`${path}\` is larger than ${MAX_INCLUDED_TEXT_BYTES / (1024 * 1024)} MiB`, col, 'asm.include_too_large', 'include source text, not data (use .incbin for data)')
        asm.includeText?.(path, new TextDecoder().decode(data))
        return
      }
      const extra = rest.trim() ? splitOperands(rest.trim().replace(/^,/, ''), col) : []
      const skip = extra[0] ? Number(asm.constant(expr(extra[0].text, extra[0].col), 'skip', extra[0].col)) : 0
      const count = extra[1] ? Number(asm.constant(expr(extra[1].text, extra[1].col), 'count', extra[1].col)) : data.length - skip
      if (skip < 0 || skip > data.length || count < 0 || skip + count > data.length) throw new AsmError(`.incbin range ${skip}+${count} is outside the ${data.length}-byte file`, col, 'asm.bad_directive')
      asm.emitBytes(data.slice(skip, skip + count))
      return
    }
    case '.org': {
      const p = ops()
      if (p.length < 1 || p.length > 2) throw new AsmError('.org takes an offset and an optional fill byte', col, 'asm.bad_directive')
      const v = asm.eval(expr(p[0].text, p[0].col), false)
      let target: bigint
      if (!v.add && !v.sub) target = v.n
      else if (v.add && !v.sub && v.add.kind === 'label' && v.add.section === asm.cur.index && v.add.epoch === asm.cur.epoch) target = BigInt(v.add.tentative!) + v.n
      else throw new AsmError('.org needs a constant or a label earlier in this section', p[0].col, 'asm.not_constant')
      if (asm.cur.epoch !== 0 && !(v.add && v.add.epoch === asm.cur.epoch)) throw new AsmError('.org after alignment or a relaxable branch needs a label offset (e.g. `.org start + 0x100`)', p[0].col, 'asm.not_constant')
      const gap = target - BigInt(asm.cur.size)
      if (gap < 0n) throw new AsmError(`.org moves the location counter backwards (from ${asm.cur.size} to ${target})`, p[0].col, 'asm.bad_directive')
      const fill = p[1] ? asm.constant(expr(p[1].text, p[1].col), 'fill byte', p[1].col) & 0xffn : 0n
      asm.emitFill(Number(gap), fill, 1)
      return
    }
    case '.uleb128': case '.sleb128':
      for (const o of ops()) {
        let v = asm.constant(expr(o.text, o.col), 'LEB128 value', o.col)
        const out: number[] = []
        for (;;) {
          const byte = Number(v & 0x7fn)
          v = name === '.uleb128' ? BigInt.asUintN(64, v) >> 7n : v >> 7n
          const done = name === '.uleb128' ? v === 0n : (v === 0n && !(byte & 0x40)) || (v === -1n && byte & 0x40)
          out.push(done ? byte : byte | 0x80)
          if (done) break
        }
        asm.emitBytes(Uint8Array.from(out))
      }
      return
    case '.float': case '.single': case '.double':
      for (const o of ops()) {
        const t = o.text.replace(/^0[fFdDeE]/, '')
        const f = Number(t)
        if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf|nan)$/i.test(t) || Number.isNaN(f) && !/nan/i.test(t)) throw new AsmError(`bad floating-point number \`${o.text}\``, o.col, 'asm.bad_directive')
        const size = name === '.double' ? 8 : 4
        const b = new Uint8Array(size)
        const dv = new DataView(b.buffer)
        if (size === 8) dv.setFloat64(0, /inf/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : f, true)
        else dv.setFloat32(0, /inf/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : f, true)
        asm.emitBytes(b)
      }
      return
    case '.endm': case '.endr':
      throw new AsmError(`${name} without a matching ${name === '.endm' ? '.macro' : '.rept/.irp'}`, col, 'asm.bad_directive')
    case '.exitm':
      throw new AsmError('.exitm outside a macro', col, 'asm.bad_directive')
    case '.purgem':
      asm.macros.delete(args.trim().toLowerCase())
      return
    case '.err': case '.error': {
      const msg = args.trim() ? (() => { try { return new TextDecoder().decode(Uint8Array.from(parseString(args, col).bytes)) } catch { return args.trim() } })() : '.err encountered'
      throw new AsmError(msg, col, 'asm.user_error')
    }
    case '.warning':
      asm.diags.warning('asm.user_warning', args.trim() || '.warning encountered', asm.loc(col))
      return
    case '.comm': case '.lcomm': {
      const p = ops()
      if (p.length < 2) throw new AsmError(`${name} takes a symbol and a size`, col, 'asm.bad_directive')
      const s = asm.sym(symName(p[0].text, p[0].col), p[0].col)
      const sz = asm.constant(expr(p[1].text, p[1].col), 'size', p[1].col)
      const al = p[2] ? Number(asm.constant(expr(p[2].text, p[2].col), 'alignment', p[2].col)) : 8
      const saved = asm.cur
      asm.switchSection('.bss')
      if (al > 1) asm.emitAlign(al, 0, 0)
      asm.defineLabel(s.name, p[0].col)
      s.type = 'object'
      s.size = { k: 'num', v: sz }
      if (name === '.comm') {
        s.bind = 'global'
        s.bindSet = true
      }
      asm.emitFill(Number(sz), 0n, 1)
      asm.switchSection(saved.name)
      return
    }
  }
  const guess = closest(name, ALL_DIRECTIVES)
  throw new AsmError(`unknown directive \`${name}\``, col - name.length, 'asm.unknown_directive', guess ? `did you mean \`${guess}\`?` : undefined)
}

/**
 * `.byte`/`.half`/`.word`/`.quad` and friends: constants now, or fixups resolved after layout.
 * With `defer`, an expression that cannot be evaluated yet (`(end - start) / 4` before `end`) is
 * also left to the end, as GNU as does for x86.
 */
export function data(asm: Assembler, size: number, args: string, col: number, defer = false): void {
  const parts = splitArgs(args)
  if (!parts.length || (parts.length === 1 && !parts[0])) throw new AsmError('missing value', col, 'asm.bad_directive')
  let c = col
  for (const p of parts) {
    if (!p) throw new AsmError('empty value in list', c, 'asm.bad_directive')
    const at = args.indexOf(p, c - col)
    const pc = col + Math.max(at, 0)
    const e: Expr = asm.parse(p, pc)
    let v: bigint | undefined
    try {
      v = asm.evalNow(e)
    } catch (x) {
      if (!defer || !(x instanceof AsmError)) throw x
    }
    const bytes = new Uint8Array(size)
    if (v !== undefined) {
      const lim = 1n << BigInt(size * 8)
      if (size < 8 && (v >= lim || v < -lim)) asm.diags.warning('asm.value_truncated', `value ${v} does not fit in ${size} byte(s); truncated`, asm.loc(pc))
      let x = BigInt.asUintN(size * 8, v)
      for (let i = 0; i < size; i++, x >>= 8n) bytes[i] = Number(x & 0xffn)
      asm.emitBytes(bytes)
    } else {
      const fixup: Fixup = { at: 0, kind: `data${size}` as Fixup['kind'], expr: e, loc: asm.loc(pc) }
      asm.emitBytes(bytes, [fixup])
    }
    c = pc + p.length + 1
  }
}

function refersTo(e: Expr, name: string): boolean {
  switch (e.k) {
    case 'sym': return e.name === name
    case 'un': return refersTo(e.e, name)
    case 'bin': return refersTo(e.l, name) || refersTo(e.r, name)
    case 'mod': return refersTo(e.e, name)
    default: return false
  }
}
