/**
 * One x86 instruction statement of GNU as (AT&T or `.intel_syntax`): prefixes, the mnemonic
 * (AT&T suffixes → table mnemonic + operand size, mnemonics.ts), operands (operands.ts) turned
 * into the shared operand model in Intel order, then THE encoder (asm/x86/encode.ts, dialect
 * `gas`). What is not a constant when the line is read stays an expression: the encoder picks
 * the form a symbol needs (imm32, disp32) and the field becomes a fixup that the object writer
 * (object.ts) resolves or turns into a relocation — as GNU as does, which decides form sizes at
 * parse time and values at the end. `jmp`/`jcc` to a symbol become relaxable items (GNU's
 * md_relax_table: rel8 first, rel16/rel32 when out of reach).
 */
import { CONDITIONS, gpr, registerUnavailable, x86RowsByMnemonic, type X86Instruction, type X86Mode, type X86MemOperand, type X86Operand, type X86Prefix, type X86Register, type X86Row, type X86Value } from '../../../../shared/isa/x86'
import { encodeX86 } from '../x86/encode'
import { AsmError, type Assembler } from '../assembler'
import type { Expr } from '../expr'
import type { Fixup } from '../state'
import { closest } from '../diagnostics'
import { SIZED_RETURNS, attMnemonic } from './mnemonics'
import { TLS_OPS, parseAttOperand, parseIntelOperand, splitGasOperands, type GasOperand, type GasValue, type RelocOp } from './operands'
import type { GasX86State } from './context'
import { applyDisp, readPseudoPrefixes } from './pseudo'
import { cachedInstruction } from './encoding-cache'

/** Prefixes written as words before the mnemonic (GNU as "Instruction Prefixes"). */
const PREFIX_WORDS: Record<string, X86Prefix> = {
  lock: 'lock', rep: 'rep', repe: 'repe', repz: 'repz', repne: 'repne', repnz: 'repnz',
  data16: 'o16', data32: 'o32', addr16: 'a16', addr32: 'a32', rex64: 'o64',
  cs: 'cs', ds: 'ds', es: 'es', fs: 'fs', gs: 'gs', ss: 'ss',
}
/** Raw bytes of a prefix written alone on a line (`rep; movsb`, `lock`). */
const PREFIX_BYTE: Record<X86Prefix, number> = {
  lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2, o16: 0x66, o32: 0x66, o64: 0x48,
  a16: 0x67, a32: 0x67, a64: 0x67, cs: 0x2e, ds: 0x3e, es: 0x26, fs: 0x64, gs: 0x65, ss: 0x36,
}

/** Condition code of a `j<cc>` mnemonic, or -1 for `jmp`; undefined for other mnemonics. */
const JUMP_CC = new Map<string, number>([['jmp', -1]])
CONDITIONS.forEach((names, cc) => names.forEach((n) => JUMP_CC.set('j' + n, cc)))

/** Operands kept in written order in AT&T syntax (tc-i386.c: "All Intel opcodes have reversed operands except …"). */
const UNREVERSED = new Set(['bound', 'enter', 'invlpga', 'monitor', 'mwait'])

type Val = X86Value<Expr>

/** Operators that make GNU as create `_GLOBAL_OFFSET_TABLE_` (tc-i386.c gotrel[].need_GOT_symbol; every TLS one too). */
const GOT_OPS = new Set(['GOTPCREL', 'GOT', 'GOTOFF', 'GOTPC', ...TLS_OPS])

/** String instructions written with their operands (`stos %al,%es:(%edi)`, `movsb %ds:(%esi),%es:(%edi)`). */
const STRING_BASE = /^(movs|cmps|stos|lods|scas|ins|outs)[bwlqd]?$/
const SHIFTS = new Set(['rol', 'ror', 'rcl', 'rcr', 'shl', 'sal', 'shr', 'sar'])
/** Instructions whose register operands are implicit; GNU as accepts them written (`monitor %eax,%ecx,%edx`). */
const IMPLICIT_REGS = new Set(['monitor', 'mwait', 'xlat', 'xlatb'])
const SUFFIX_OF: Record<number, string> = { 8: 'b', 16: 'w', 32: 'd', 64: 'q' }

/**
 * Forms GNU as accepts that the table spells differently: a shift without a count (by 1); string
 * instructions with their operands (the size from the suffix, a register or `BYTE PTR`, a
 * segment override of the source kept); implicit operands written out; `(%dx)` as the port;
 * `xchg` with the destination in ModRM.rm (GNU's template order); `mov %ss,%rdx`, `sldt`,
 * `str` of a 64-bit register without REX.W (GNU writes the 32-bit form: same effect).
 */
function normalize(p: Parsed, prefixes: X86Prefix[], mode: number, col: number): void {
  const m = p.mnemonic
  if (SHIFTS.has(m) && p.ops.length === 1) p.ops.push({ kind: 'imm', value: { expr: { k: 'num', v: 1n } }, col, star: false })
  else if (m === 'xchg' && p.ops.length === 2 && p.ops.every((o) => o.kind === 'reg')) p.ops.reverse()
  else if (IMPLICIT_REGS.has(m) && p.ops.length) {
    const mem = p.ops.find((o) => o.kind === 'mem')
    if (mem?.kind === 'mem' && mem.seg && mem.seg.name !== 'ds') prefixes.push(mem.seg.name as X86Prefix)
    p.ops = []
  } else if ((m === 'in' || m === 'out') && p.ops.length === 2) {
    p.ops = p.ops.map((o) => (o.kind === 'mem' && o.base?.name === 'dx' && !o.index && !o.disp ? { kind: 'reg', reg: o.base, col: o.col, star: false } : o))
  } else if (STRING_BASE.test(m) && p.ops.length && !p.ops.some((o) => o.kind === 'reg' && (o.reg.cls === 'xmm' || o.reg.cls === 'mm'))) {
    const base = STRING_BASE.exec(m)![1]
    let size = m.length > base.length ? ({ b: 8, w: 16, l: 32, d: 32, q: 64 } as Record<string, number>)[m[m.length - 1]] : p.size
    for (const o of p.ops) {
      if (o.kind === 'reg' && o.reg.cls === 'gpr' && o.reg.name !== 'dx') size ??= o.reg.size
      if (o.kind === 'mem' && o.base?.name !== 'dx') {
        size ??= o.size
        if (o.seg && o.seg.name !== 'es' && o.seg.name !== 'ds') prefixes.push(o.seg.name as X86Prefix)
        const asz = o.base?.size
        if (asz && asz !== mode && !(mode === 64 && asz === 64)) prefixes.push(asz === 16 ? 'a16' : asz === 32 ? 'a32' : 'a64')
      }
    }
    if (!size) throw new AsmError(`no size for \`${m}\`: write a suffix (\`${base}b\`, \`${base}l\` …) or a register`, col, 'asm.bad_operand')
    p.mnemonic = base + SUFFIX_OF[size]
    p.ops = []
  } else if ((m === 'mov' || m === 'sldt' || m === 'str') && p.ops.length >= 1) {
    const [d, src] = p.ops
    if (d.kind === 'reg' && d.reg.cls === 'gpr' && d.reg.size === 64 && (m !== 'mov' || (src?.kind === 'reg' && src.reg.cls === 'seg'))) {
      p.ops[0] = { ...d, reg: gpr(32, d.reg.num) }
    }
  }
}

/** A segment override that only repeats the default segment is not written (GNU as: `default_seg`). */
function dropDefaultSegment(m: X86MemOperand<Expr>): void {
  if (!m.seg) return
  const stackBased = m.base && /^(bp|sp|ebp|esp|rbp|rsp)$/.test(m.base.name)
  if (m.seg.name === (stackBased ? 'ss' : 'ds')) m.seg = undefined
}

/** A value the encoder can place: a constant now, or the expression (resolved after layout). */
function value(asm: Assembler, v: GasValue): Val {
  const e = asm.bind(v.expr)
  if (!v.reloc) {
    let n: bigint | undefined
    try {
      n = asm.evalNow(e)
    } catch (x) {
      // Not computable yet (`(end - start) / 4` before `end`): GNU as resolves it at the end.
      if (!(x instanceof AsmError)) throw x
    }
    if (n !== undefined) return { value: n }
  }
  return { value: 0n, sym: e }
}

function toMem(asm: Assembler, o: GasOperand & { kind: 'mem' }, size: number | undefined): X86MemOperand<Expr> {
  const rip = o.base?.cls === 'ip'
  return {
    kind: 'mem', scale: o.scale, size: size as X86MemOperand['size'],
    base: rip ? undefined : o.base, index: o.index, seg: o.seg, rel: rip || undefined,
    disp: o.disp ? value(asm, o.disp) : undefined,
  }
}

interface Parsed {
  mnemonic: string
  size?: number
  srcSize?: number
  far?: boolean
  ops: GasOperand[]
}

/** Reads the mnemonic and its operands in either syntax; operands come back in Intel order. */
function parse(st: GasX86State, word: string, args: string, col: number): Parsed {
  const parts = splitGasOperands(args, col)
  // Intel `jmp 0x08:target`: a far pointer, selector first.
  const far = st.intel && parts.length === 1 && (word === 'jmp' || word === 'call') ? /^([^[\]:]+):([^[\]:]+)$/.exec(parts[0].text) : null
  if (far && !/^%?[c-gs]s$/i.test(far[1].trim())) {
    const c = parts[0].col
    return { mnemonic: word, far: true, ops: [parseIntelOperand(far[1], c), parseIntelOperand(far[2], c + far[1].length + 1)] }
  }
  let ops = parts.map((p) => (st.intel ? parseIntelOperand(p.text, p.col) : parseAttOperand(p.text, p.col)))
  const vector = ops.some((o) => o.kind === 'reg' && (o.reg.cls === 'xmm' || o.reg.cls === 'mm'))
  if (st.intel) {
    const sized = SIZED_RETURNS[word]
    if (sized) return { mnemonic: sized.mnemonic, size: sized.size, ops }
    if (x86RowsByMnemonic(word).length || STRING_BASE.test(word)) return { mnemonic: word, ops }
    // GNU as takes AT&T-suffixed names in Intel syntax too (`pushw`, `retw`), and objdump's `lgdtd`.
    const m = attMnemonic(word, vector) ?? (/d$/.test(word) && x86RowsByMnemonic(word.slice(0, -1)).length ? { mnemonic: word.slice(0, -1), size: 32 } : undefined)
    if (m) return { mnemonic: m.mnemonic, size: m.size, far: m.far, ops }
    throw unknownMnemonic(word, col)
  }
  if (STRING_BASE.test(word) && ops.length && !vector) return { mnemonic: word, ops: ops.reverse() }
  // The System V AT&T x87 quirk (GNU as SYSV386_COMPAT): with %st(i) as destination, fsub means
  // Intel fsubr and fdiv means fdivr, and the reverse (`fsubp` alone is `fsubrp st(1), st`).
  const x87 = /^f(sub|div)(r?)(p?)$/.exec(word)
  if (x87 && ((ops.length === 2 && ops[1].kind === 'reg' && ops[1].reg.cls === 'st' && ops[1].reg.num !== 0) || (ops.length === 0 && x87[3]))) {
    return { mnemonic: `f${x87[1]}${x87[2] ? '' : 'r'}${x87[3]}`, ops: ops.reverse() }
  }
  const m = attMnemonic(word, vector)
  if (!m) throw unknownMnemonic(word, col)
  if (!UNREVERSED.has(m.mnemonic) && !(m.far && ops.length === 2)) ops = ops.reverse()
  return { mnemonic: m.mnemonic, size: m.size, srcSize: m.srcSize, far: m.far, ops }
}

function unknownMnemonic(word: string, col: number): AsmError {
  const guess = closest(word, ['mov', 'movl', 'movq', 'movb', 'movw', 'movzbl', 'movzwl', 'lea', 'leal', 'push', 'pushl', 'pop', 'popl', 'ljmp', 'lgdt', 'lidt', 'call', 'jmp', 'ret', 'iret', 'hlt', 'cli', 'sti', 'int', 'outb', 'inb'])
  return new AsmError(`no such instruction: \`${word}\``, col - word.length, 'asm.unknown_instruction', guess ? `did you mean \`${guess}\`?` : 'GNU as x86 mnemonics are the Intel ones, with a b/w/l/q size suffix in AT&T syntax')
}

/** The instruction handler the Assembler calls for every non-directive statement. */
export function x86Instruction(st: GasX86State, word: string, args: string, col: number, cache = true): void {
  if (word.startsWith('{')) {
    const p = readPseudoPrefixes(word, args, col)
    st.pseudo = p.pseudo
    try {
      return statement(st, p.word, p.args, p.col)
    } finally {
      st.pseudo = undefined
    }
  }
  if (!cache || st.intel || st.rex !== undefined) return statement(st, word, args, col)
  cachedInstruction(st, word, args, col, () => statement(st, word, args, col))
}

function statement(st: GasX86State, word: string, args: string, col: number): void {
  const asm = st.asm
  const prefixes: X86Prefix[] = []
  let rest = args
  let restCol = col
  // `rex.W` / `rex.RB` …: an explicit REX prefix (objdump prints one the instruction does not need).
  const rexm = /^rex(?:\.([wrxb]+))?$/.exec(word)
  if (rexm) {
    if (st.mode !== 64) throw new AsmError('a REX prefix is only possible in 64-bit code', col - word.length, 'asm.bad_operand')
    const bits = [...(rexm[1] ?? '')].reduce((b, c) => b | ({ w: 8, r: 4, x: 2, b: 1 } as Record<string, number>)[c], 0)
    const m = /^(\s*)([A-Za-z][A-Za-z0-9.]*)/.exec(rest)
    if (!m) return asm.emitBytes(Uint8Array.of(0x40 | bits))
    st.rex = 0x40 | bits
    try {
      return statement(st, m[2].toLowerCase(), rest.slice(m[0].length), col + m[0].length)
    } finally {
      st.rex = undefined
    }
  }
  while (PREFIX_WORDS[word] !== undefined) {
    prefixes.push(PREFIX_WORDS[word])
    const m = /^(\s*)([A-Za-z][A-Za-z0-9.]*)/.exec(rest)
    if (!m || PREFIX_BYTE[PREFIX_WORDS[word]] === undefined) break
    word = m[2].toLowerCase()
    restCol += m[0].length
    rest = rest.slice(m[0].length)
    if (PREFIX_WORDS[word] === undefined) {
      if (!x86RowsByMnemonic(word).length && !attMnemonic(word, true)) throw unknownMnemonic(word, restCol)
      return instruction(st, word, rest, restCol, prefixes)
    }
  }
  if (PREFIX_WORDS[word] !== undefined && !rest.trim()) {
    // A prefix alone (`rep; movsb`, `lock`): its byte.
    asm.emitBytes(Uint8Array.of(...prefixes.map((p) => PREFIX_BYTE[p])))
    return
  }
  instruction(st, word, rest, restCol, prefixes)
}

function instruction(st: GasX86State, word: string, args: string, col: number, prefixes: X86Prefix[]): void {
  const asm = st.asm
  const p = parse(st, word, args, col)
  const mode = st.mode
  normalize(p, prefixes, mode, col)
  if (st.code16gcc && p.size === undefined) code16gcc(st, p, col)
  if (mode !== 64) checkRegisters(p.ops, mode)
  // GNU as creates `_GLOBAL_OFFSET_TABLE_` (undefined) when it reads a GOT operator (tc-i386.c lex_got).
  for (const o of p.ops) noteRelocOp(st, (o.kind === 'imm' ? o.value : o.kind === 'mem' ? o.disp : undefined)?.reloc)

  // Relative jumps: jmp/jcc relax (object.ts), call/loop/jcxz get a fixed field.
  const target = branchTarget(p)
  if (target) {
    const cc = JUMP_CC.get(p.mnemonic)
    if (cc !== undefined && prefixes.length === 0) {
      const v = value(asm, target.value)
      const bits = mode === 16 ? 16 : 32
      // `{disp32} jmp x`: the near form from the start (the layout only ever grows a 2-byte jump).
      const near = (st.pseudo?.disp ?? 8) > 8 ? (cc < 0 ? 1 : 2) + bits / 8 : 2
      asm.emitX86Jump({ cc, bits, target: v.sym ?? { k: 'num', v: v.value }, reloc: target.value.reloc, loc: asm.loc(target.col) }, near)
      return
    }
    const v = value(asm, target.value)
    // A constant target is an address: relative to it through the absolute symbol, as GNU as.
    const operand: X86Operand<Expr> = { kind: 'imm', value: v.sym ? v : { value: 0n, sym: { k: 'num', v: v.value } }, jump: 'near' }
    if (relativeForms(p.mnemonic) === 'short') operand.jump = undefined
    // `calll x` in 16-bit code (and `call x` after .code16gcc): 66 E8 rel32.
    else if (p.size !== undefined && p.size !== (mode === 64 ? 64 : mode)) operand.size = p.size as 16 | 32
    return encodeAndEmit(st, { mnemonic: p.mnemonic, operands: [operand], prefixes }, [target.col], target.value.reloc, true)
  }

  const ops: X86Operand<Expr>[] = []
  const cols: number[] = []
  if (p.far && p.ops.length === 2) {
    // ljmp $sel, $off (AT&T order kept) / Intel `jmp far` with two immediates.
    // Intel syntax reads a bare symbol as memory: here it is the offset.
    const imm = (o: GasOperand): GasValue | undefined => (o.kind === 'imm' ? o.value : o.kind === 'mem' && st.intel && !o.bracketed && !o.base && !o.index && !o.seg ? o.disp : undefined)
    const [s, o] = p.ops.map(imm)
    if (!s || !o) throw new AsmError(`\`${word}\` takes \`$selector, $offset\` or \`*memory\``, col, 'asm.bad_operand')
    ops.push({ kind: 'far', selector: value(asm, s), offset: value(asm, o), size: p.size as 16 | 32 | 64 | undefined })
    cols.push(p.ops[0].col)
    return encodeAndEmit(st, { mnemonic: p.mnemonic, operands: ops, prefixes }, cols, undefined, false)
  }
  let reloc: RelocOp | undefined
  const hasGpr = p.ops.some((o) => o.kind === 'reg' && o.reg.cls === 'gpr')
  for (const o of p.ops) {
    cols.push(o.col)
    if (o.kind === 'reg') ops.push({ kind: 'reg', reg: o.reg })
    else if (o.kind === 'imm') {
      if (o.value.reloc) reloc = o.value.reloc
      ops.push({ kind: 'imm', value: value(asm, o.value) })
    } else {
      if (o.disp?.reloc) reloc = o.disp.reloc
      const m = toMem(asm, o, o.size ?? (p.srcSize ? undefined : p.size))
      dropDefaultSegment(m)
      applyDisp(m, st.pseudo?.disp)
      // Intel `jmp FWORD PTR [x]`: a far pointer in memory, m16:16 (DWORD, not in 32-bit code
      // where that is the near form), m16:32 (FWORD) or m16:64 (TBYTE); its offset size is the operand size.
      const farIntel = st.intel && (p.mnemonic === 'jmp' || p.mnemonic === 'call') && (o.size === 48 || (o.size === 32 && mode !== 32) || (o.size === 80 && mode === 64))
      if (p.far || farIntel) {
        m.far = true
        if (farIntel) {
          const osz = o.size! - 16
          if (osz !== (mode === 16 ? 16 : 32)) prefixes.push(osz === 16 ? 'o16' : osz === 32 ? 'o32' : 'o64')
          m.size = undefined
        }
      }
      ops.push(m)
    }
  }
  // movzx/movsx: the source (second in Intel order) has the suffix's source size.
  if (p.srcSize) {
    const src = ops[1]
    if (src?.kind === 'mem') src.size = p.srcSize as X86MemOperand['size']
  }
  // A suffix with no register to say the size: it sizes the immediate (`pushl $5`, `pushw $x`).
  if (p.size && !hasGpr && !ops.some((o) => o.kind === 'mem')) {
    for (const o of ops) if (o.kind === 'imm') o.size = p.size as 8 | 16 | 32 | 64
  }
  if (p.mnemonic === 'movabs') {
    // movabs: the 64-bit immediate (B8+r io) or the 64-bit absolute address (A0–A3).
    for (const o of ops) {
      if (o.kind === 'imm') Object.assign(o, { size: 64, strict: true })
      else if (o.kind === 'mem') o.dispSize = 64
    }
    return encodeAndEmit(st, { mnemonic: 'mov', operands: ops, prefixes }, cols, reloc, false)
  }
  // A suffix on an instruction without sized operands (`retw`, `lretq`, `leavew`): the operand-size prefix.
  if (p.size && !hasGpr && !ops.some((o) => o.kind === 'mem' || o.kind === 'imm')) {
    const probe = encodeX86({ mnemonic: p.mnemonic, operands: ops, prefixes }, { mode, dialect: 'gas' })
    if (probe.ok && probe.osz !== undefined && probe.osz !== p.size) prefixes.push(p.size === 16 ? 'o16' : p.size === 32 ? 'o32' : 'o64')
  }
  encodeAndEmit(st, { mnemonic: p.mnemonic, operands: ops, prefixes }, cols, reloc, false)
}

/** Registers of another mode, reported at the first one as written (the encoder sees Intel order). */
function checkRegisters(ops: GasOperand[], mode: number): void {
  let first: { why: string; r: X86Register; col: number } | undefined
  for (const o of ops) {
    if (first && o.col >= first.col) continue
    const regs = o.kind === 'reg' ? [o.reg] : o.kind === 'mem' ? [o.base, o.index, o.seg] : []
    for (const r of regs) {
      const why = r && registerUnavailable(r, mode as X86Mode)
      if (why) {
        first = { why, r, col: o.col }
        break
      }
    }
  }
  if (first) throw new AsmError(first.why.replace(/`bits (16|32|64)`/, '`.code$1`'), first.col, 'asm.bad_operand', first.r.size === 64 ? 'assemble 64-bit code with --64 (bootscope build --arch x86_64) after `.code64`' : undefined)
}

/**
 * What reading a relocation operator does to the symbol table (tc-i386.c lex_got): GOT and TLS
 * operators create `_GLOBAL_OFFSET_TABLE_` (undefined).
 */
export function noteRelocOp(st: GasX86State, op: RelocOp | undefined): void {
  if (!op || !GOT_OPS.has(op)) return
  const got = st.asm.sym('_GLOBAL_OFFSET_TABLE_')
  if (got.kind === 'undef') Object.assign(got, { bind: 'global', bindSet: true })
}

/**
 * `.code16gcc` (GNU as "i386-16bit"): 16-bit code in which the instructions that use the stack
 * implicitly default to 32-bit operands, as gcc's 32-bit code expects (tc-i386.c stackop_size):
 * push/pop without a register, call, ret, lret, pushf/popf, enter/leave get the `l` suffix;
 * `iret` stays 16-bit, with GNU's warning.
 */
const STACK_OPS = new Set(['push', 'pop', 'call', 'ret', 'retf', 'pushf', 'popf', 'enter', 'leave'])

function code16gcc(st: GasX86State, p: Parsed, col: number): void {
  if (p.mnemonic === 'iret') st.asm.diags.warning('asm.x86_warning', "generating 16-bit `iret' for .code16gcc directive", st.asm.loc(col))
  if (STACK_OPS.has(p.mnemonic) && !p.far && !p.ops.some((o) => o.kind === 'reg' || (o.kind === 'mem' && o.size !== undefined))) p.size = 32
}

/** Mnemonics with a relative-target form: 'short' (rel8 only: loop, jcxz), 'near' (relz too), or none. */
const RELATIVE = new Map<string, 'short' | 'near' | undefined>()

function relativeForms(mnemonic: string): 'short' | 'near' | undefined {
  if (RELATIVE.has(mnemonic)) return RELATIVE.get(mnemonic)
  const rows = x86RowsByMnemonic(mnemonic)
  const direct = rows.some((r) => r.operands[0] === 'rel8' || r.operands[0] === 'relz')
  const r = !direct ? undefined : rows.some((r) => r.operands.includes('relz')) ? 'near' : 'short'
  if (rows.length) RELATIVE.set(mnemonic, r)
  return r
}

/** The target of a direct jmp/jcc/call/loop: a bare expression (AT&T) or symbol/constant (Intel). */
function branchTarget(p: Parsed): { value: GasValue; col: number } | undefined {
  if (p.ops.length !== 1 || p.far) return undefined
  if (!relativeForms(p.mnemonic)) return undefined
  const o = p.ops[0]
  if (o.kind === 'mem' && !o.star && !o.bracketed && !o.seg && !o.size && o.disp) return { value: o.disp, col: o.col }
  if (o.kind === 'imm' && o.value && !o.star) return { value: o.value, col: o.col }
  return undefined
}

function encodeAndEmit(st: GasX86State, insn: X86Instruction<Expr>, cols: number[], reloc: RelocOp | undefined, branch: boolean): void {
  const asm = st.asm
  const direction = st.pseudo?.direction
  let r: ReturnType<typeof encodeX86<Expr>> = encodeX86(insn, { mode: st.mode, dialect: 'gas', direction })
  // A suffix also sizes memory operands that have one size only (lgdtl, invlpg, lea): retry without it.
  if (!r.ok && insn.operands.some((o) => o.kind === 'mem' && o.size !== undefined)) {
    const retry = encodeX86({ ...insn, operands: insn.operands.map((o) => (o.kind === 'mem' ? { ...o, size: undefined } : o)) }, { mode: st.mode, dialect: 'gas', direction })
    if (retry.ok) r = retry
  }
  if (!r.ok) {
    const c = r.operand !== undefined ? cols[r.operand] ?? cols[0] : cols[0]
    // The encoder speaks NASM (`bits 32`); GNU as says `.code32`.
    const gas = (t: string | undefined) => t?.replace(/`bits (16|32|64)`/g, '`.code$1`')
    throw new AsmError(gas(r.message)!, c ?? 1, 'asm.bad_operand', gas(r.hint))
  }
  for (const w of r.warnings) asm.diags.warning('asm.x86_warning', w, asm.loc(cols[0] ?? 1))
  if (st.rex !== undefined) r = { ...r, ...withRex(r.bytes, r.fixups, st.rex) }
  const relaxable = (reloc === 'GOTPCREL' || reloc === 'GOT') && gotRelaxable(r.row) ? (hasRex(r.bytes) && st.mode === 64 ? 'rex' : 'norex') : undefined
  const fixups: Fixup[] = r.fixups.map((f) => ({
    at: f.offset, kind: 'x86', expr: f.value.sym ?? { k: 'num', v: f.value.value }, loc: asm.loc(cols[0] ?? 1),
    x86: { size: f.size, pcrel: f.pcrel, signed: f.signed, toEnd: f.toEnd, reloc, branch: branch || undefined, relaxable },
  }))
  asm.emitBytes(r.bytes, fixups.length ? fixups : undefined)
}

/**
 * GOT loads the linker may rewrite (tc-i386.c, -mrelax-relocations=yes): `mov` (8B), `test` (85),
 * the ALU ops with a memory source (03 0B 13 1B 23 2B 33 3B), indirect `call`/`jmp` (FF /2, /4) —
 * these get R_X86_64_(REX_)GOTPCRELX / R_386_GOT32X.
 */
function gotRelaxable(row: X86Row): boolean {
  if (row.map !== 'legacy') return false
  if (row.opcode === 0x8b || row.opcode === 0x85 || (row.opcode | 0x38) === 0x3b) return true
  return row.opcode === 0xff && (row.modrm?.reg === 2 || row.modrm?.reg === 4)
}

/** Merges an explicit REX into the encoding (inserted after the legacy prefixes when there is none). */
function withRex<F extends { offset: number }>(bytes: Uint8Array, fixups: F[], rex: number): { bytes: Uint8Array; fixups: F[] } {
  let i = 0
  while (LEGACY_PREFIXES.includes(bytes[i])) i++
  if (hasRex(bytes)) {
    const b = Uint8Array.from(bytes)
    b[i] |= rex
    return { bytes: b, fixups }
  }
  const b = new Uint8Array(bytes.length + 1)
  b.set(bytes.subarray(0, i))
  b[i] = rex
  b.set(bytes.subarray(i), i + 1)
  return { bytes: b, fixups: fixups.map((f) => ({ ...f, offset: f.offset + 1 })) }
}

const LEGACY_PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]

/** A REX prefix after the legacy prefixes. */
function hasRex(bytes: Uint8Array): boolean {
  let i = 0
  while (LEGACY_PREFIXES.includes(bytes[i])) i++
  return bytes[i] >= 0x40 && bytes[i] <= 0x4f
}

export type { X86Register }
