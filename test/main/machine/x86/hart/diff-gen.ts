/**
 * Generates the differential instruction tests from THE x86 table (as v86's
 * `tests/nasm/create_tests.js` does from its `x86_table`): for the general-purpose rows the hart
 * executes, random instances in a given mode (16-bit code segment, 32-bit, 64-bit), each preceded
 * by a random register, flag and scratch-memory setup and followed by a dump of every general
 * register, the flags and the scratch memory over the serial port. The kernel runs in QEMU and on
 * the hart; the dumps must agree, except for the flags the SDM leaves undefined for that
 * instruction (`undefinedFlags`), which are masked.
 */
import { X86_ROWS, isDecodable, type X86Row, type OperandKind } from '../../../../../src/shared/isa/x86/index'

export type DiffMode = 16 | 32 | 64

/** Deterministic PRNG (mulberry32) so a failing case can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800
const ARITH = CF | PF | AF | ZF | SF | OF

/** Mnemonics whose rows are generated (families with no system or control-flow effects). */
const FAMILIES = new Set([
  'add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'inc', 'dec', 'test', 'not', 'neg', 'mul', 'imul', 'div', 'idiv',
  'rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'shld', 'shrd', 'mov', 'movzx', 'movsx', 'movsxd', 'lea', 'xchg',
  'cmpxchg', 'cmpxchg8b', 'cmpxchg16b', 'xadd', 'bswap', 'bt', 'bts', 'btr', 'btc', 'bsf', 'bsr', 'popcnt', 'tzcnt',
  'lzcnt', 'cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo', 'lahf', 'sahf', 'clc', 'stc', 'cmc', 'cld', 'std', 'xlatb',
  'daa', 'das', 'aaa', 'aas', 'aam', 'aad', 'salc', 'nop',
  'movsb', 'movsw', 'movsd', 'movsq', 'stosb', 'stosw', 'stosd', 'stosq', 'lodsb', 'lodsw', 'lodsd', 'lodsq',
  'cmpsb', 'cmpsw', 'cmpsd', 'cmpsq', 'scasb', 'scasw', 'scasd', 'scasq',
])
const CC_FAMILIES = [/^set/, /^cmov/]

/** Flags the SDM leaves undefined after this instruction (masked when comparing). `count` is the masked shift count. */
export function undefinedFlags(mnemonic: string, count?: number): number {
  switch (mnemonic) {
    case 'and': case 'or': case 'xor': case 'test': return AF
    case 'mul': case 'imul': return SF | ZF | AF | PF
    case 'div': case 'idiv': return ARITH
    case 'shl': case 'shr': case 'sar': return count === 0 ? 0 : AF | (count === 1 ? 0 : OF)
    case 'rol': case 'ror': case 'rcl': case 'rcr': return count === 1 || count === 0 ? 0 : OF
    case 'shld': case 'shrd': return count === 0 ? 0 : AF | (count === 1 ? 0 : OF)
    case 'bt': case 'bts': case 'btr': case 'btc': return OF | SF | AF | PF
    case 'bsf': case 'bsr': case 'tzcnt': return CF | OF | SF | AF | PF
    case 'lzcnt': return OF | SF | AF | PF
    case 'daa': case 'das': return OF
    case 'aaa': case 'aas': return OF | SF | ZF | PF
    case 'aam': case 'aad': return OF | AF | CF
    default: return 0
  }
}

export interface DiffCase {
  /** The instruction as NASM text. */
  text: string
  /** Flags to ignore in the dump after it. */
  flagMask: number
  /** Operand size in bits (0 when the row has none). */
  osz: number
  mnemonic: string
}

const REGS: Record<number, string[]> = {
  8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
  16: ['ax', 'cx', 'dx', 'bx', 'bp', 'si', 'di'],
  32: ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi'],
  64: ['rax', 'rcx', 'rdx', 'rbx', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'],
}
const REX8 = ['al', 'cl', 'dl', 'bl', 'sil', 'dil', 'bpl', 'r8b', 'r9b', 'r12b', 'r15b']
const SIZE_WORD: Record<number, string> = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword', 128: 'oword' }

/** Operand sizes a row takes in a mode (16/32/64 for `ov` rows; fixed otherwise). */
function sizes(r: X86Row, mode: DiffMode): number[] {
  const s = r.opsize
  if (s === undefined) return [0]
  if (s !== 'v') return (s === 64 && mode !== 64) || (s === 32 && mode === 64 && r.flags.d64) ? [] : [s]
  if (mode !== 64) return [16, 32]
  return r.flags.f64 ? [64] : r.flags.d64 ? [16, 64] : [16, 32, 64]
}

/** The rows the generator covers in a mode. */
export function diffRows(mode: DiffMode): X86Row[] {
  return X86_ROWS.filter((r) => isDecodable(r) && (r.modes & (mode === 16 ? 1 : mode === 32 ? 2 : 4)) !== 0 &&
    !r.flags.dis && (FAMILIES.has(r.mnemonic) || CC_FAMILIES.some((re) => re.test(r.mnemonic))) &&
    !r.operands.some((o) => ['sreg', 'cr', 'dr', 'moffs8', 'moffsv', 'mfar', 'ptr16:z'].includes(o)) &&
    !(r.mnemonic === 'movsd' && r.operands.length > 0) && !(r.mnemonic === 'cmpsd' && r.operands.length > 0) &&
    !(r.mnemonic === 'nop' && r.operands.length > 0))
}

const hexv = (v: bigint): string => '0x' + v.toString(16)

/** Random instances of a row (NASM text + its undefined-flag mask), or [] when none apply. */
export function instances(r: X86Row, mode: DiffMode, rnd: () => number, count: number): DiffCase[] {
  const out: DiffCase[] = []
  for (const osz of sizes(r, mode)) {
    for (let k = 0; k < count; k++) {
      const c = instance(r, mode, osz, rnd)
      if (c) out.push(c)
    }
  }
  return out
}

function pick<T>(rnd: () => number, xs: readonly T[]): T { return xs[Math.floor(rnd() * xs.length)] }
function randBits(rnd: () => number, bits: number): bigint {
  let v = 0n
  for (let i = 0; i < bits; i += 16) v |= BigInt(Math.floor(rnd() * 65536)) << BigInt(i)
  return v & ((1n << BigInt(bits)) - 1n)
}

/** The memory operand of the tests: the scratch buffer at rSI (SI in 16-bit mode) plus an offset. */
function mem(mode: DiffMode, size: number, rnd: () => number, align = 1): string {
  const off = Math.floor(rnd() * ((48 - size / 8) / align)) * align
  const base = mode === 16 ? 'si' : mode === 32 ? 'esi' : 'rsi'
  return `${SIZE_WORD[size] ?? ''} [${base}+${off}]`.trim()
}

function instance(r: X86Row, mode: DiffMode, osz: number, rnd: () => number): DiffCase | undefined {
  const m = r.mnemonic
  const o = osz || (mode === 16 ? 16 : 32)
  const ops = r.operands
  // String instructions: rSI/rDI point into the scratch buffer; rCX is a small count.
  if (ops.length === 0 && /^(movs|stos|lods|cmps|scas)[bwdq]$/.test(m)) {
    const p = pick(rnd, r.flags.repe ? ['', 'repe ', 'repne '] : ['', 'rep '])
    return { text: `${p}${m}`, flagMask: 0, osz, mnemonic: m }
  }
  const texts: string[] = []
  let count: number | undefined
  const rex8 = mode === 64
  const regsOf = (size: number, exclude: string[] = []): string[] => {
    const base = size === 8 && rex8 ? REX8 : REGS[size === 64 && mode !== 64 ? 32 : size]
    return base.filter((n) => !exclude.includes(n))
  }
  // Registers that must keep their setup value: the scratch base and, for div, the dividend.
  const keep = mode === 16 ? ['si', 'sil'] : mode === 32 ? ['esi', 'si'] : ['rsi', 'esi', 'si', 'sil']
  const divide = m === 'div' || m === 'idiv'
  for (let i = 0; i < ops.length; i++) {
    const kind = ops[i] as OperandKind
    const size = kindSize(kind, o)
    const memOk = !(m === 'lea' && i === 0)
    // div/idiv: the divisor is neither part of the dividend nor zeroed by the setup; bt*: the bit offset is not the scratch base.
    const excl = divide ? [...keep, 'al', 'ah', 'ax', 'eax', 'rax', 'dl', 'dh', 'dx', 'edx', 'rdx']
      : i === 0 || /^bt[src]?$/.test(m) ? keep : []
    switch (kind) {
      case 'r8': case 'r16': case 'r32': case 'r64': case 'rv':
        texts.push(pick(rnd, regsOf(size, excl)))
        break
      case 'r/m8': case 'r/m16': case 'r/m32': case 'r/m64': case 'r/mv':
        texts.push(memOk && rnd() < 0.4 ? mem(mode, size, rnd, m === 'cmpxchg16b' ? 16 : 1) : pick(rnd, regsOf(size, excl)))
        break
      case 'm': case 'm64': case 'm128':
        texts.push(m === 'lea' ? leaOperand(mode, rnd) : mem(mode, kind === 'm' ? 0 : Number(kind.slice(1)), rnd, m === 'cmpxchg16b' ? 16 : 1))
        break
      case 'al': case 'ax': case 'eax': case 'rax': case 'cl': case 'dx': texts.push(kind); break
      case 'accv': texts.push(REGS[o === 64 && mode !== 64 ? 32 : o][0]); break
      case '1': texts.push('1'); count = 1; break
      case 'imm8': case 'simm8': {
        let v = BigInt(Math.floor(rnd() * 256))
        if (['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'].includes(m)) v = BigInt(Math.floor(rnd() * (o === 64 ? 64 : 32)))
        if (m === 'shld' || m === 'shrd') v = BigInt(Math.floor(rnd() * o))
        if (m === 'bt' || m === 'bts' || m === 'btr' || m === 'btc') v = BigInt(Math.floor(rnd() * 256))
        if (m === 'aam' || m === 'aad') v = BigInt(1 + Math.floor(rnd() * 255))
        if (kind === 'simm8') v = BigInt(Math.floor(rnd() * 256) - 128)
        texts.push(v < 0n ? `-${hexv(-v)}` : hexv(v))
        count = Number(v & (o === 64 ? 63n : 31n))
        break
      }
      case 'imm16': case 'imm32': case 'immz': case 'immv': {
        const bits = kind === 'imm16' ? 16 : kind === 'immv' ? o : o === 16 ? 16 : 32
        texts.push(hexv(randBits(rnd, bits)))
        break
      }
      default: return undefined
    }
  }
  if (m === 'xlatb' && mode === 64) return undefined
  // Shift counts in CL: the setup loads a random count; the mask is unknown here, so OF/AF are ignored.
  if (ops.includes('cl')) count = -1
  let mask = undefinedFlags(m.startsWith('cmov') || m.startsWith('set') ? 'x' : m, count === -1 ? undefined : count)
  if (count === -1 && ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'shld', 'shrd'].includes(m)) mask |= OF | AF
  return { text: `${m} ${texts.join(', ')}`.trim(), flagMask: mask, osz: osz || kindSize(ops[0] ?? 'rv', o), mnemonic: m }
}

/** A random addressing form for lea (any registers: nothing is accessed). */
function leaOperand(mode: DiffMode, rnd: () => number): string {
  const disp = Math.floor(rnd() * 0x10000) - 0x8000
  const d = disp < 0 ? `-${-disp}` : `+${disp}`
  if (mode === 16) return `[${pick(rnd, ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bx', 'bp'])}${d}]`
  const regs = mode === 32 ? ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi'] : ['rax', 'rcx', 'rbx', 'rbp', 'rdi', 'r9', 'r13']
  const scale = pick(rnd, [1, 2, 4, 8])
  return `[${pick(rnd, regs)}+${pick(rnd, regs)}*${scale}${d}]`
}

function kindSize(kind: OperandKind, o: number): number {
  if (kind.endsWith('8')) return 8
  if (kind.endsWith('16') || kind === 'ax') return 16
  if (kind.endsWith('32') || kind === 'eax') return 32
  if (kind.endsWith('64') || kind === 'rax') return 64
  if (kind.endsWith('128')) return 128
  return o
}

/** The register setup before a case: random values, the scratch pointers, what a family needs, flags. */
export function setup(c: DiffCase, mode: DiffMode, rnd: () => number): string {
  const lines: string[] = []
  const regs = mode === 64 ? REGS[64] : REGS[32]
  for (const r of regs) lines.push(`mov ${r}, ${hexv(randBits(rnd, mode === 64 ? 64 : 32))}`)
  const sp = mode === 64 ? 'rsi' : 'esi'
  const dp = mode === 64 ? 'rdi' : 'edi'
  const cx = mode === 64 ? 'rcx' : 'ecx'
  lines.push(`mov ${sp}, scratch`)
  const m = c.mnemonic
  if (/^(movs|stos|lods|cmps|scas)[bwdq]$/.test(m)) {
    lines.push(`lea ${dp}, [${sp}+24]`, `add ${sp}, 8`, `mov ${cx}, ${Math.floor(rnd() * 3)}`)
  }
  if (m === 'xlatb') lines.push(mode === 64 ? 'mov rbx, rsi' : 'mov ebx, esi', 'and eax, 0x1f')
  const divisor = c.text.split(' ').slice(1).join(' ')
  const acc: Record<number, string> = { 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' }
  if (m === 'div') lines.push(`or ${sizeWord(divisor, c.osz)}${divisor}, 1`, 'xor edx, edx', 'mov ah, 0')
  if (m === 'idiv') {
    const ext: Record<number, string> = { 8: 'cbw', 16: 'cwd', 32: 'cdq', 64: 'cqo' }
    lines.push(`or ${sizeWord(divisor, c.osz)}${divisor}, 1`, `shr ${acc[c.osz]}, 1`, ext[c.osz])
  }
  if (/^(shld|shrd) .*, cl$/.test(c.text)) lines.push(`and ecx, ${c.osz - 1}`)
  // bt* with a memory operand and a register bit offset address a bit string: keep it near the scratch buffer.
  const bt = /^bt[src]? (byte|word|dword|qword) \[[^\]]*\], (\w+)$/.exec(c.text)
  if (bt && !/^(0x|-)/.test(bt[2])) lines.push(`and ${bt[2]}, 0x7f`)
  const flags = Math.floor(rnd() * 0x1000) & (ARITH | 0x400)
  lines.push(`push ${mode === 16 ? 'dword ' : ''}${flags | 2}`, mode === 64 ? 'popfq' : 'popfd')
  return lines.join('\n')
}

/** `byte ` … for a memory operand text without a size (registers need none). */
function sizeWord(operand: string, osz: number): string {
  return operand.includes('[') && !/^(byte|word|dword|qword)/.test(operand) ? `${SIZE_WORD[osz]} ` : ''
}
