/**
 * The x86 disassembler for the inspectors: bytes → text as GNU objdump 2.40 prints it, in
 * Intel syntax (`objdump -M intel`, our default) or AT&T (`objdump -d`), with branch targets
 * and RIP-relative addresses symbolised (` <kernel_main+0x10>`, `# 0x1040 <gdt64>`). The
 * spellings objdump uses where the table's nasm mnemonic differs (movabs, string operands,
 * AT&T suffixes, the x87 fsub/fsubr AT&T quirk …) live here, not in the table.
 */
import { decodeX86, type X86Decoded } from './decode'
import { x86RowsByMnemonic } from './table'
import type { X86MemOperand, X86Operand } from './operands'
import { gpr, type X86Register } from './registers'
import type { OperandKind, X86Mode } from './types'

export type X86Syntax = 'intel' | 'att'

export interface X86Disassembled {
  /** objdump's layout: mnemonic padded to 6, a space, the operands (`mov    eax,0x1`). */
  text: string
  length: number
  decoded?: X86Decoded
}

export interface DisassembleOptions {
  mode: X86Mode
  syntax?: X86Syntax
  /** Address of `bytes[at]`. */
  address?: bigint
  /** Names an address: `kernel_main` or `kernel_main+0x10`; undefined when no symbol is near. */
  symbolize?: (address: bigint) => string | undefined
}

const hex = (v: bigint): string => '0x' + v.toString(16)
const SIZE_PTR: Record<number, string> = { 8: 'BYTE', 16: 'WORD', 32: 'DWORD', 64: 'QWORD', 80: 'TBYTE', 128: 'XMMWORD' }
const SUFFIX: Record<number, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' }

/** objdump spellings of table mnemonics: [intel, att]. */
const RENAME: Record<string, [string, string]> = {
  cbw: ['cbw', 'cbtw'], cwde: ['cwde', 'cwtl'], cdqe: ['cdqe', 'cltq'], cwd: ['cwd', 'cwtd'], cdq: ['cdq', 'cltd'], cqo: ['cqo', 'cqto'],
  iretd: ['iret', 'iret'], retf: ['retf', 'lret'], sysret: ['sysretd', 'sysretl'], sysexit: ['sysexitd', 'sysexitl'],
  pushfq: ['pushf', 'pushf'], popfq: ['popf', 'popf'], pushfd: ['pushf', 'pushf'], popfd: ['popf', 'popf'],
  movsxd: ['movsxd', 'movslq'], xlatb: ['xlat', 'xlat'], int3: ['int3', 'int3'],
  pushad: ['pusha', 'pusha'], popad: ['popa', 'popa'],
}

/** String instructions: base name and which operands objdump shows ('s' = ds:[rsi], 'd' = es:[rdi], 'a' = accumulator, 'x' = dx). */
const STRINGS: Record<string, [string, string]> = {
  movs: ['movs', 'ds'], cmps: ['cmps', 'sd'], stos: ['stos', 'da'], lods: ['lods', 'as'], scas: ['scas', 'ad'], ins: ['ins', 'dx'], outs: ['outs', 'xs'],
}

/** The waiting x87 forms objdump shows for 9B + the no-wait instruction. */
const WAIT_FORMS: Record<string, string> = { fninit: 'finit', fnclex: 'fclex', fnstsw: 'fstsw', fnstcw: 'fstcw', fnstenv: 'fstenv', fnsave: 'fsave' }

/** Disassembles one instruction; undecodable bytes print as objdump's `(bad)`. */
export function disassembleX86(bytes: Uint8Array, at: number, opts: DisassembleOptions): X86Disassembled {
  const address = opts.address ?? 0n
  if (bytes[at] === 0x9b && at + 1 < bytes.length) {
    const next = disassembleX86(bytes, at + 1, { ...opts, address: address + 1n })
    const name = next.decoded?.row.mnemonic
    if (name && WAIT_FORMS[name] && next.decoded!.prefixes.length === 0) {
      const operands = next.text.slice(name.length).trim()
      const mn = WAIT_FORMS[name]
      return { text: operands ? `${mn.padEnd(6)} ${operands}` : mn, length: next.length + 1, decoded: next.decoded }
    }
  }
  const d = decodeX86(bytes, at, opts.mode, address)
  if (!d) return { text: '(bad)', length: 1 }
  const syntax = opts.syntax ?? 'intel'
  const p = new Printer(d, opts.mode, syntax, opts.symbolize, address)
  return { text: p.text(), length: d.length, decoded: d }
}

class Printer {
  constructor(readonly d: X86Decoded, readonly mode: X86Mode, readonly syntax: X86Syntax, readonly symbolize: DisassembleOptions['symbolize'], readonly address: bigint) {}

  private get att(): boolean {
    return this.syntax === 'att'
  }

  text(): string {
    const d = this.d
    const row = d.row
    let m = row.mnemonic
    let ops = d.operands
    let kinds: readonly OperandKind[] = d.kinds
    const prefixWords: string[] = []
    let comment = ''
    for (const p of d.prefixes) {
      if (p === 0xf0) prefixWords.push('lock')
      else if (p === 0xf3) prefixWords.push(row.flags.repe ? 'repz' : row.flags.rep ? 'rep' : 'repz')
      else if (p === 0xf2) prefixWords.push('repnz')
    }
    // String instructions print their implicit operands.
    const base = m.replace(/[bwdq]$/, '')
    if (STRINGS[base] && row.operands.length === 0 && (row.flags.rep || row.flags.repe)) return this.stringOp(base, prefixWords)
    if ((m === 'monitor' || m === 'mwait') && this.att) {
      const a = this.d.asz === 64 ? '%rax' : this.d.asz === 32 ? '%eax' : '%ax'
      return m === 'monitor' ? `monitor ${a},%ecx,%edx` : 'mwait  %eax,%ecx'
    }
    if (m === 'xlatb') {
      ops = [this.implicitMem('b', 8)]
      kinds = ['m8']
    }
    // mov with a 64-bit immediate or a 64-bit moffs is objdump's movabs.
    if (m === 'mov' && ((row.opcode >= 0xb8 && row.opcode <= 0xbf && d.osz === 64) || (row.operands.some((k) => k.startsWith('moffs')) && d.asz === 64))) m = 'movabs'
    const sized = this.defaultSized(m)
    if (sized !== undefined) m = sized
    else {
      const renamed = RENAME[m]
      if (renamed && !(m.startsWith('sys') && this.mode !== 64)) m = renamed[this.att ? 1 : 0]
    }
    // A REX.W the instruction does not use is shown as a prefix (objdump: `rex.W ret`).
    if (d.rex & 8 && (row.flags.d64 || row.flags.f64 || row.operands.includes('mfar') || (row.operands.length === 0 && row.opsize === 'v' && m !== 'retfq' && !sized?.endsWith('q'))))
      prefixWords.unshift('rex.' + ['W', 'R', 'X', 'B'].filter((_, k) => d.rex & (8 >> k)).join(''))
    if (m.startsWith('lgdt') || m.startsWith('lidt') || m.startsWith('sgdt') || m.startsWith('sidt')) if (this.mode !== 64 && !this.att) m += this.mode === 32 ? 'd' : 'w'

    const printed: string[] = []
    for (let k = 0; k < ops.length; k++) {
      const o = ops[k]
      const kind = kinds[k]
      if (kind === '1' && this.att) continue // `shl %eax`: objdump leaves the implicit 1 out in AT&T
      const r = this.operand(o, kind, k)
      printed.push(r.text)
      if (r.comment) comment = r.comment
    }
    // Indirect near and far jumps and calls mark their operand with `*` in AT&T.
    if (this.att && (row.mnemonic === 'jmp' || row.mnemonic === 'call') && (row.operands[0] === 'r/mv' || row.operands[0] === 'mfar')) printed[0] = '*' + printed[0]
    if (this.att && row.mnemonic !== 'enter' && row.mnemonic !== 'bound') {
      printed.reverse()
      m = this.attMnemonic(m, ops, kinds)
      if (m === 'in' || m === 'out') for (let k = 0; k < printed.length; k++) if (printed[k] === '%dx') printed[k] = '(%dx)'
    }
    const head = [...prefixWords, m].join(' ')
    const body = printed.join(',')
    const text = body ? `${head.padEnd(6)} ${body}` : head
    return comment ? `${text}        ${comment}` : text
  }

  /**
   * Instructions whose operand size only shows in their name (pusha, pushf, iret, ret, retf,
   * enter, leave, push imm): objdump adds w/d/q (AT&T w/l/q) when it is not the mode's default.
   */
  private defaultSized(m: string): string | undefined {
    const base = /^(pusha|popa|pushf|popf|iret)[wdq]?$/.exec(m)?.[1] ?? (['ret', 'retf', 'enter', 'leave'].includes(m) ? m : m === 'push' && this.d.operands[0]?.kind === 'imm' ? 'push' : undefined)
    if (!base) return undefined
    const row = this.d.row
    const def = this.mode === 64 ? (row.flags.d64 || row.flags.f64 ? 64 : 32) : this.mode
    const osz = this.d.osz
    if (osz === def) {
      if (this.att && base === 'retf') return 'lret'
      return base
    }
    const suffix = this.att ? SUFFIX[osz] : ({ 16: 'w', 32: 'd', 64: 'q' } as Record<number, string>)[osz]
    if (this.att && base === 'retf') return 'lret' + suffix
    return base + suffix
  }

  /** AT&T mnemonic: x87 sub/div direction quirk, movzx/movsx spellings, size suffixes where no register says the size. */
  private attMnemonic(m: string, ops: X86Operand[], kinds: readonly OperandKind[]): string {
    const row = this.d.row
    // DC/DE E0–FF: GNU's AT&T names have sub↔subr and div↔divr swapped (binutils "UnixWare" quirk).
    if ((row.opcode === 0xdc || row.opcode === 0xde) && row.modrm?.rmIsSti && /^f(sub|div)/.test(m)) m = m.includes('r') ? m.replace('r', '') : m.replace(/^(fsub|fdiv)/, '$1r')
    if (m === 'movzx' || m === 'movsx') {
      const src = kinds[1] === 'r/m8' ? 'b' : 'w'
      const dst = SUFFIX[(ops[0] as { reg: X86Register }).reg.size]
      return (m === 'movzx' ? 'movz' : 'movs') + src + dst
    }
    if (/^cvtsi2s[sd]$/.test(m) && ops[1].kind === 'mem') return this.mode === 64 ? m + (kinds[1] === 'r/m64' ? 'q' : 'l') : m
    if (/^[ls][gi]dt$/.test(m) && this.mode !== 64) return m + (this.mode === 32 ? 'l' : 'w')
    // x87 memory operands: s/l/t for reals, s/l/ll for integers (AT&T).
    if (m.startsWith('f') && ops.some((o) => o.kind === 'mem') && this.d.row.map === 'legacy' && this.d.row.opcode >= 0xd8 && this.d.row.opcode <= 0xdf) {
      const k = kinds.find((x) => /^m(16|32|64|80)$/.test(x))
      if (!k || /^f(n?st[cs]w|ldcw|bld|bstp)/.test(m)) return m
      const bits = Number(k.slice(1))
      if (m.startsWith('fi')) return m + ({ 16: 's', 32: 'l', 64: 'll' } as Record<number, string>)[bits]
      return m + ({ 32: 's', 64: 'l', 80: 't' } as Record<number, string>)[bits]
    }
    if (row.mnemonic === 'jmp' || row.mnemonic === 'call') {
      const far = row.operands[0] === 'mfar' || row.operands[0] === 'ptr16:z'
      const def = this.mode === 64 && !far ? 64 : this.mode === 16 ? 16 : 32
      const suffix = this.d.osz === def || (far && this.d.osz === 64) ? '' : SUFFIX[this.d.osz]
      if (far) return (m === 'jmp' ? 'ljmp' : 'lcall') + suffix
      if (row.operands[0] === 'r/mv' && ops[0].kind === 'mem') return m + suffix
      return m
    }
    if (m === 'fld' || m === 'fstp') if (kinds[0] === 'm80') return m + 't'
    const hasReg = ops.some((o, k) => o.kind === 'reg' && o.reg.cls !== 'seg' && kinds[k] !== 'cl' && kinds[k] !== 'dx')
    const mem = ops.findIndex((o) => o.kind === 'mem')
    if (hasReg || mem < 0) return m
    const kind = kinds[mem]
    if (!this.needsSize(kind, ops)) return m
    const size = this.memSize(kind)
    if (m === 'push' || m === 'pop' || m === 'call' || m === 'jmp') return size === (this.mode === 64 ? 64 : this.mode) ? m : m + (SUFFIX[size] ?? '')
    return size && SUFFIX[size] ? m + SUFFIX[size] : m
  }

  /** Whether a memory operand's size is printed (Intel `DWORD PTR`, AT&T suffix). */
  private needsSize(kind: OperandKind, ops: X86Operand[]): boolean {
    const row = this.d.row
    if (kind === 'm' || kind === 'm512') return false
    if (row.operands.includes('sreg') && this.att) return false
    if (this.att) return !ops.some((o, k) => o.kind === 'reg' && o.reg.cls === 'gpr' && this.d.kinds[k] !== 'cl' && this.d.kinds[k] !== 'dx') && this.sizeVaries()
    return true
  }

  /** AT&T: a suffix is only needed when the mnemonic exists with several operand sizes (not setcc, cmpxchg8b …). */
  private sizeVaries(): boolean {
    const row = this.d.row
    if (row.operands.includes('rv/m16')) return false
    return row.opsize === 'v' || x86RowsByMnemonic(row.mnemonic).some((r) => r.operands.some((k) => k === 'r/m8') !== row.operands.some((k) => k === 'r/m8'))
  }

  private memSize(kind: OperandKind): number {
    const v = this.d.osz
    const sizes: Partial<Record<OperandKind, number>> = {
      'r/m8': 8, 'r/m16': 16, 'r/m32': 32, 'r/m64': 64, 'r/mv': v, 'r32/m16': 16, 'rv/m16': 16, 'r32/m8': 8, 'rv/m8': 8, m8: 8, m16: 16, m32: 32, m64: 64, m80: 80, m128: 128, mv: v,
      'xmm/m16': 16, 'xmm/m32': 32, 'xmm/m64': 64, 'xmm/m128': 128, 'mm/m32': 32, 'mm/m64': 64,
    }
    return sizes[kind] ?? 0
  }

  private reg(r: X86Register): string {
    let n = r.name
    if (r.cls === 'st') n = r.num === 0 && this.d.row.operands.includes('st0') ? 'st' : `st(${r.num})`
    if (r.cls === 'st' && this.d.row.operands.length === 2 && r.num === 0 && (this.d.row.operands[0] === 'st0' || this.d.row.operands[1] === 'st0')) n = 'st'
    if (r.cls === 'dr' && this.att) n = r.name.replace(/^dr/, 'db')
    return this.att ? '%' + n : n
  }

  private operand(o: X86Operand, kind: OperandKind, index: number): { text: string; comment?: string } {
    switch (o.kind) {
      case 'reg':
        // `mov ds, dx` is printed with the 32-bit register, as objdump does (8E with mod 11).
        if (this.d.row.operands[0] === 'sreg' && o.reg.cls === 'gpr') return { text: this.reg(gpr(Math.min(this.d.osz, 32) as 16, o.reg.num)) }
        return { text: this.reg(o.reg) }
      case 'imm': return { text: this.immediate(o.value.value, kind) }
      case 'far': return { text: this.att ? `$${hex(o.selector.value)},$${hex(o.offset.value)}` : `${hex(o.selector.value)}:${hex(o.offset.value)}` }
      case 'mem': return this.memory(o, kind, index)
    }
  }

  private immediate(v: bigint, kind: OperandKind): string {
    if (kind === 'rel8' || kind === 'relz') {
      const sym = this.symbolize?.(v)
      return sym ? `${v.toString(16)} <${sym}>` : hex(v)
    }
    let bits: number
    switch (kind) {
      case 'imm8': bits = 8; break
      case 'imm16': bits = 16; break
      case 'simm8': case 'immz': bits = this.d.osz; break
      default: bits = this.d.osz
    }
    if (kind === '1') return '1'
    const u = BigInt.asUintN(bits, v)
    return (this.att ? '$' : '') + hex(u)
  }

  private implicitMem(which: 's' | 'd' | 'b', size: number): X86MemOperand {
    const asz = this.d.asz
    const name = which === 's' ? 'si' : which === 'd' ? 'di' : 'bx'
    const full = asz === 64 ? 'r' + name : asz === 32 ? 'e' + name : name
    return { kind: 'mem', base: { name: full, cls: 'gpr', size: asz, num: 0 }, scale: 1, size: size as 8, seg: { name: which === 'd' ? 'es' : 'ds', cls: 'seg', size: 16, num: 0 } }
  }

  private stringOp(base: string, prefixes: string[]): string {
    const d = this.d
    const [name, order] = STRINGS[base]
    const size = d.row.opsize === undefined ? 8 : d.osz
    const acc = { 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' }[size]!
    const parts: string[] = []
    for (const c of order) {
      if (c === 'a') parts.push(this.att ? `%${acc}` : acc)
      else if (c === 'x') parts.push(this.att ? '(%dx)' : 'dx')
      else {
        const mem = this.implicitMem(c as 's' | 'd', size)
        // An explicit segment override replaces the source's ds:.
        if (c === 's' && d.segment !== undefined) mem.seg = { name: ({ 0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs' } as Record<number, string>)[d.segment], cls: 'seg', size: 16, num: 0 }
        parts.push(this.memText(mem, size, true))
      }
    }
    if (this.att) parts.reverse()
    const suffixed = this.att && (base === 'movs' || base === 'cmps' || base === 'ins' || base === 'outs') ? name + SUFFIX[size] : name
    const head = [...prefixes, suffixed].join(' ')
    return `${head.padEnd(6)} ${parts.join(',')}`
  }

  private memory(o: X86MemOperand, kind: OperandKind, _index: number): { text: string; comment?: string } {
    let size = this.memSize(kind)
    const m = this.d.row.mnemonic
    let sized = this.needsSize(kind, this.d.operands)
    if (kind === 'mfar' || /^l[defgs]s$/.test(m)) {
      size = this.d.osz === 16 ? 32 : 48
      sized = !this.att
    } else if (m === 'bound') {
      size = this.d.osz * 2
      sized = !this.att
    } else if (m === 'invlpg' || m === 'clflush') {
      size = 8
      sized = !this.att
    }
    let comment: string | undefined
    if (o.rel && o.disp) {
      const target = BigInt.asUintN(this.mode === 64 ? 64 : 32, this.address + BigInt(this.d.length) + o.disp.value)
      const sym = this.symbolize?.(target)
      comment = `# ${sym ? `${target.toString(16)} <${sym}>` : hex(target)}`
    }
    return { text: this.memText(o, sized ? size : 0, false), comment }
  }

  private memText(o: X86MemOperand, size: number, forceSeg: boolean): string {
    const seg = o.seg?.name
    const disp = o.disp?.value
    if (this.att) {
      const idx = o.index ? `,%${o.index.name}${this.d.asz === 16 ? '' : `,${o.scale}`}` : ''
      const regs = o.base || o.index ? `(${o.base ? '%' + o.base.name : ''}${idx})` : ''
      let dtext = ''
      if (disp !== undefined && (disp !== 0n || !regs || o.dispSize)) dtext = disp < 0n && regs ? '-' + hex(-disp) : hex(BigInt.asUintN(this.d.asz, disp))
      if (o.rel && o.base?.cls === 'ip') dtext = disp !== undefined && disp < 0n ? '-' + hex(-disp) : hex(disp ?? 0n)
      return `${seg ? `%${seg}:` : ''}${dtext}${regs}`
    }
    const ptr = size ? `${size === 48 ? 'FWORD' : size === 128 && this.d.row.mnemonic.startsWith('cmpxchg') ? 'OWORD' : SIZE_PTR[size]} PTR ` : ''
    if (!o.base && !o.index) return `${ptr}${seg ?? 'ds'}:${hex(BigInt.asUintN(this.d.asz, disp ?? 0n))}`
    let inner = o.base ? o.base.name : ''
    if (o.index) inner += `${inner ? '+' : ''}${o.index.name}${this.d.asz === 16 ? '' : `*${o.scale}`}`
    if (disp !== undefined && (disp !== 0n || o.dispSize !== undefined)) {
      if (o.base?.cls === 'ip') inner += '+' + hex(BigInt.asUintN(64, disp))
      else inner += disp < 0n ? '-' + hex(-disp) : '+' + hex(disp)
    }
    return `${ptr}${seg && (forceSeg || o.seg) ? seg + ':' : ''}[${inner}]`
  }
}
