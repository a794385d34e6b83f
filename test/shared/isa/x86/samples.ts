/**
 * Sample instructions for every form of the x86 table in every mode it is valid in, as an
 * operand-model value and as nasm text — the corpus the encoder, disassembler and round-trip
 * tests compare against nasm and objdump (v86 generates its instruction tests from its table
 * the same way). Several variants per form: register and memory r/m, low and REX registers.
 */
import { MODE_BIT, gpr, x86Register, type OperandKind, type X86Instruction, type X86Mode, type X86Operand, type X86Row } from '../../../../src/shared/isa/x86'

export interface Sample {
  row: X86Row
  mode: X86Mode
  osz: number | undefined
  insn: X86Instruction<string>
  text: string
}

const R = (name: string) => x86Register(name)!
const SIZE_WORD: Record<number, string> = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword', 80: 'tword', 128: 'oword' }

/** Operand sizes the row can take in the mode (mirrors the encoder's rule, kept separate on purpose). */
export function sampleSizes(row: X86Row, mode: X86Mode): (number | undefined)[] {
  const s = row.opsize
  if (s === undefined) return [undefined]
  if (s !== 'v') return (s === 64 && mode !== 64) || (s === 32 && mode === 64 && row.flags.d64) ? [] : [s]
  if (mode !== 64) return [16, 32]
  return row.flags.f64 ? [64] : row.flags.d64 ? [16, 64] : [16, 32, 64]
}

interface Variant {
  mem: boolean
  high: boolean
}

/** nasm rejects sizes on some SSE memory operands (`pshufd xmm1, oword [..], 1`), so SSE samples leave them out. */
function memOperand(mode: X86Mode, v: Variant, size: number | undefined, far = false, sse = false): [X86Operand<string>, string] {
  if (sse) size = undefined
  const sz = size !== undefined && SIZE_WORD[size] && !sse ? SIZE_WORD[size] + ' ' : ''
  const f = far ? 'far ' : ''
  if (mode === 16) return [{ kind: 'mem', base: R('bx'), index: R('si'), scale: 1, disp: { value: 0x12n }, size: size as 8, far }, `${f}${sz}[bx+si+0x12]`]
  if (mode === 32) return [{ kind: 'mem', base: R('ebx'), index: R('esi'), scale: 4, disp: { value: 0x12n }, size: size as 8, far }, `${f}${sz}[ebx+esi*4+0x12]`]
  if (v.high) return [{ kind: 'mem', base: R('r9'), index: R('r10'), scale: 8, disp: { value: 0x1234n }, size: size as 8, far }, `${f}${sz}[r9+r10*8+0x1234]`]
  return [{ kind: 'mem', base: R('rbx'), index: R('rsi'), scale: 4, disp: { value: 0x12n }, size: size as 8, far }, `${f}${sz}[rbx+rsi*4+0x12]`]
}

const imm = (value: bigint, text?: string): [X86Operand<string>, string] => [{ kind: 'imm', value: { value } }, text ?? '0x' + value.toString(16)]

function sampleOperand(kind: OperandKind, osz: number | undefined, mode: X86Mode, v: Variant, row: X86Row): [X86Operand<string>, string] | undefined {
  const o = osz ?? 32
  const n = v.high && mode === 64 ? 9 : 1
  const reg = (r: ReturnType<typeof R>): [X86Operand<string>, string] => [{ kind: 'reg', reg: r }, r.name]
  const rmSize: Partial<Record<OperandKind, number>> = { 'r/m8': 8, 'r/m16': 16, 'r/m32': 32, 'r/m64': 64, 'r/mv': o, 'xmm/m16': 16, 'xmm/m32': 32, 'xmm/m64': 64, 'xmm/m128': 128, 'mm/m32': 32, 'mm/m64': 64 }
  switch (kind) {
    case 'r8': case 'r16': case 'r32': case 'r64': return reg(gpr(Number(kind.slice(1)) as 8, n))
    case 'rv': return reg(gpr(o as 16, n))
    case 'r32.rm': return reg(gpr(32, v.high && mode === 64 ? 10 : 2))
    case 'r64.rm': return reg(gpr(64, v.high ? 10 : 2))
    case 'rv.rm': return reg(gpr(o as 16, v.high && mode === 64 ? 10 : 2))
    case 'r/m8': case 'r/m16': case 'r/m32': case 'r/m64': case 'r/mv':
      return v.mem ? memOperand(mode, v, rmSize[kind]) : reg(gpr(rmSize[kind] as 8, v.high && mode === 64 ? 10 : 2))
    case 'rv/m16': return v.mem ? memOperand(mode, v, 16) : reg(gpr(o as 16, v.high && mode === 64 ? 10 : 2))
    case 'r32/m16': return v.mem ? memOperand(mode, v, 16) : reg(gpr(32, v.high && mode === 64 ? 10 : 2))
    case 'xmm/m16': case 'xmm/m32': case 'xmm/m64': case 'xmm/m128':
      return v.mem ? memOperand(mode, v, rmSize[kind], false, true) : reg(R(`xmm${v.high && mode === 64 ? 10 : 2}`))
    case 'mm/m32': case 'mm/m64': return v.mem ? memOperand(mode, v, rmSize[kind], false, true) : reg(R('mm2'))
    case 'xmm.rm': return reg(R(`xmm${v.high && mode === 64 ? 10 : 2}`))
    case 'mm.rm': return reg(R('mm2'))
    case 'm': case 'm512': return memOperand(mode, v, undefined)
    case 'm8': case 'm16': case 'm32': case 'm64': case 'm80': case 'm128': return memOperand(mode, v, Number(kind.slice(1)))
    case 'mv': return memOperand(mode, v, o)
    case 'mfar': return memOperand(mode, v, o, true)
    case 'al': case 'ax': case 'eax': case 'rax': case 'cl': case 'dx': case 'es': case 'cs': case 'ss': case 'ds': case 'fs': case 'gs': case 'st0':
      return reg(R(kind))
    case 'accv': return reg(gpr(o as 16, 0))
    case 'sreg': return reg(R(row.operands[0] === 'sreg' ? 'ds' : 'ss'))
    case 'cr': return reg(R(v.high && mode === 64 ? 'cr8' : 'cr3'))
    case 'dr': return reg(R('dr1'))
    case 'xmm': return reg(R(`xmm${n}`))
    case 'mm': return reg(R('mm1'))
    case 'st(i)': return reg(R('st3'))
    case '1': return imm(1n, '1')
    case 'imm8': return imm(0x12n)
    case 'imm16': return imm(0x1234n)
    case 'imm32': return imm(0x12345678n)
    case 'imm64': return imm(0x123456789an)
    case 'immz': return o === 16 ? imm(0x1234n) : o === 64 ? imm(-0x12345678n, '-0x12345678') : imm(0x12345678n)
    case 'immv': return o === 16 ? imm(0x1234n) : o === 64 ? imm(0x123456789an) : imm(0x12345678n)
    case 'simm8': return imm(-0x12n, '-0x12')
    case 'moffs8': case 'moffsv': {
      const q = mode === 64 ? 'qword ' : ''
      return [{ kind: 'mem', scale: 1, disp: { value: 0x1234n }, dispSize: mode === 64 ? 64 : undefined }, `[${q}0x1234]`]
    }
    case 'ptr16:z': return [{ kind: 'far', selector: { value: 0x10n }, offset: { value: 0x20n }, size: o as 16 }, `${SIZE_WORD[o]} 0x10:0x20`]
    case 'rel8': case 'relz': return undefined
  }
}

/** The samples of one row in one mode: up to four variants (register/memory × low/REX registers). */
export function rowSamples(row: X86Row, mode: X86Mode): Sample[] {
  if (!(row.modes & MODE_BIT[mode]) || row.flags.dis || row.flags.gas) return []
  const out: Sample[] = []
  const hasRm = row.operands.some((k) => k.includes('/m'))
  const variants: Variant[] = [{ mem: false, high: false }]
  if (hasRm) variants.push({ mem: true, high: false })
  if (mode === 64) variants.push({ mem: false, high: true }, ...(hasRm ? [{ mem: true, high: true }] : []))
  for (const osz of sampleSizes(row, mode)) {
    const seen = new Set<string>()
    for (const v of variants) {
      const parts = row.operands.map((k) => sampleOperand(k, osz, mode, v, row))
      if (parts.some((p) => p === undefined)) continue
      const ops = parts.map((p) => p![0])
      const texts = parts.map((p) => p![1])
      // An operand size nothing else pins down is written on the immediate (`push word 0x1234`),
      // or as a raw prefix when there are no operands (`o16 leave`).
      const pinned = ops.some((op) => op.kind === 'reg' && op.reg.cls === 'gpr') || ops.some((op) => op.kind === 'mem' && op.size !== undefined) || ops.some((op) => op.kind === 'far')
      let prefix = ''
      if (osz !== undefined && !pinned && row.opsize === 'v') {
        const i = ops.findIndex((op) => op.kind === 'imm')
        if (i >= 0 && row.operands[i] !== 'imm8' && row.operands[i] !== 'imm16') {
          ops[i] = { ...(ops[i] as Extract<X86Operand<string>, { kind: 'imm' }>), size: osz as 16 }
          texts[i] = `${SIZE_WORD[osz]} ${texts[i]}`
        } else prefix = `o${osz} `
      }
      let text = texts.join(', ')
      text = `${prefix}${row.mnemonic}${text ? ' ' + text : ''}`
      if (seen.has(text)) continue
      seen.add(text)
      out.push({ row, mode, osz, text, insn: { mnemonic: row.mnemonic, operands: ops, prefixes: prefix ? [prefix.trim() as 'o16'] : [] } })
    }
  }
  return out
}
