/**
 * The x86 encoder against nasm: every form of the table, in every mode it is valid in, in
 * several operand variants (register/memory r/m, low/REX registers), must give nasm's bytes —
 * or both must refuse it. Plus the choices and errors a user meets directly.
 */
import { describe, expect, it } from 'vitest'
import { X86_ROWS, x86Register, type X86Instruction, type X86Mode, type X86Operand } from '../../../../../src/shared/isa/x86'
import { encodeX86 } from '../../../../../src/main/toolchain/asm/x86/encode'
import { nasmOracle } from '../../../../support/oracles'
import { nasmLines } from '../../../../support/nasm'
import { rowSamples } from '../../../../shared/isa/x86/samples'

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const R = (n: string) => ({ kind: 'reg', reg: x86Register(n)! }) as const
const I = (v: number | bigint, extra: object = {}): X86Operand<string> => ({ kind: 'imm', value: { value: BigInt(v) }, ...extra })
const M = (base: string | undefined, extra: object = {}): X86Operand<string> => ({ kind: 'mem', base: base ? x86Register(base) : undefined, scale: 1, ...extra })
const enc = (mode: X86Mode, mnemonic: string, operands: X86Operand<string>[], extra: Partial<X86Instruction<string>> = {}, ip?: bigint) =>
  encodeX86({ mnemonic, operands, ...extra }, { mode, dialect: 'nasm', ip })
const bytes = (r: ReturnType<typeof enc>): string => (r.ok ? hex(r.bytes) : `error: ${r.message}`)

describe('x86 encoder choices', () => {
  it('takes the shortest form: sign-extended byte, accumulator, moffs, 1-byte inc', () => {
    expect(bytes(enc(32, 'add', [R('eax'), I(5)]))).toBe('83c005')
    expect(bytes(enc(32, 'add', [R('eax'), I(500)]))).toBe('05f4010000')
    expect(bytes(enc(32, 'add', [R('ebx'), I(500)]))).toBe('81c3f4010000')
    expect(bytes(enc(32, 'mov', [R('eax'), M(undefined, { disp: { value: 0x1234n } })]))).toBe('a134120000')
    expect(bytes(enc(64, 'mov', [R('eax'), M(undefined, { disp: { value: 0x1234n } })]))).toBe('8b042534120000')
    expect(bytes(enc(32, 'inc', [R('eax')]))).toBe('40')
    expect(bytes(enc(64, 'inc', [R('eax')]))).toBe('ffc0')
  })

  it('prefers the sign-extended byte form at equal length (16-bit accumulator), as nasm', () => {
    expect(bytes(enc(16, 'and', [R('ax'), I(5)]))).toBe('83e005')
    expect(bytes(enc(64, 'and', [R('ax'), I(0xfffb)]))).toBe('6683e0fb')
    expect(bytes(enc(16, 'and', [R('ax'), I(500)]))).toBe('25f401')
  })

  it('reads [dword x] in 64-bit code as a dword displacement with 64-bit addressing; refuses [word x] there', () => {
    expect(bytes(enc(64, 'mov', [R('eax'), M(undefined, { disp: { value: 0x1000n }, dispSize: 32 })]))).toBe('8b042500100000')
    expect(bytes(enc(64, 'mov', [M(undefined, { disp: { value: 0x2000n }, dispSize: 32 }), R('rbx')]))).toBe('48891c2500200000')
    expect(bytes(enc(16, 'mov', [R('eax'), M(undefined, { disp: { value: 0x1000n }, dispSize: 32 })]))).toBe('6667a100100000')
    expect(bytes(enc(64, 'mov', [R('eax'), M(undefined, { disp: { value: 0x1000n }, dispSize: 16 })]))).toMatch(/^error: impossible combination of address sizes/)
  })

  it('follows nasm: mov r64 of a 32-bit constant is mov r32; xchg eax,eax is not nop in 64-bit mode', () => {
    expect(bytes(enc(64, 'mov', [R('rax'), I(1)]))).toBe('b801000000')
    expect(bytes(enc(64, 'mov', [R('rax'), I(-1)]))).toBe('48c7c0ffffffff')
    expect(bytes(enc(64, 'mov', [R('rax'), I(0x100000000n)]))).toBe('48b80000000001000000')
    expect(bytes(enc(64, 'mov', [R('rax'), I(5, { size: 64, strict: true })]))).toBe('48b80500000000000000')
    expect(bytes(enc(64, 'xchg', [R('eax'), R('eax')]))).toBe('87c0')
    expect(bytes(enc(32, 'xchg', [R('eax'), R('eax')]))).toBe('90')
  })

  it('sizes jumps to local labels: short in reach, near beyond', () => {
    const target = (v: bigint) => ({ kind: 'imm', value: { value: v, sym: 'l', local: true } }) as const
    expect(bytes(enc(32, 'jmp', [target(0x10n)], {}, 0n))).toBe('eb0e')
    expect(bytes(enc(32, 'jmp', [target(0x1000n)], {}, 0n))).toBe('e9fb0f0000')
    expect(bytes(enc(32, 'jne', [target(0x1000n)], {}, 0n))).toBe('0f85fa0f0000')
    expect(bytes(enc(16, 'jmp', [target(0x1000n)], {}, 0n))).toBe('e9fd0f')
    expect(bytes(enc(32, 'jmp', [{ ...target(0x1000n), jump: 'short' }], {}, 0n))).toBe('error: short jump is out of range')
  })

  it('returns fixups for symbols: PC-relative calls, sign-extended 64-bit displacements, RIP-relative memory', () => {
    const call = enc(64, 'call', [{ kind: 'imm', value: { value: 0n, sym: 'foo' } }])
    expect(call.ok && call.fixups).toEqual([{ offset: 1, size: 4, pcrel: true, signed: true, value: { value: 0n, sym: 'foo' }, toEnd: 4 }])
    const abs = enc(64, 'mov', [R('eax'), M(undefined, { disp: { value: 0n, sym: 'foo' } })])
    expect(abs.ok && abs.fixups[0]).toMatchObject({ offset: 3, size: 4, pcrel: false, signed: true })
    const rip = enc(64, 'mov', [M(undefined, { disp: { value: 0n, sym: 'foo' }, rel: true, size: 32 }), I(5)])
    expect(rip.ok && [hex(rip.bytes), rip.fixups[0].toEnd]).toEqual(['c7050000000005000000', 8])
  })

  it('explains what cannot be encoded', () => {
    expect(enc(32, 'mov', [R('rax'), I(1)])).toMatchObject({ ok: false, message: '`rax` is not available in `bits 32`', operand: 0 })
    expect(enc(32, 'mov', [M('eax'), M('ebx')])).toMatchObject({ ok: false, message: '`mov` cannot take two memory operands' })
    expect(enc(32, 'inc', [M('eax')])).toMatchObject({ ok: false, message: 'operation size not specified', operand: 0 })
    expect(enc(32, 'mov', [R('eax'), R('bx')])).toMatchObject({ ok: false, message: 'mismatch in operand sizes (eax, bx)' })
    expect(enc(64, 'mov', [R('ah'), R('sil')])).toMatchObject({ ok: false, message: '`ah` cannot be used in an instruction that needs a REX prefix' })
    expect(enc(64, 'pusha', [])).toMatchObject({ ok: false, message: '`pusha` is not available in `bits 64`' })
    expect(enc(32, 'hlt', [R('eax')])).toMatchObject({ ok: false, message: '`hlt` takes 0 operands, not 1' })
  })
})

const oracle = nasmOracle()
describe.skipIf(oracle.missing)('x86 encoder against nasm', () => {
  for (const mode of [16, 32, 64] as const) {
    it(`encodes every form of the table in bits ${mode} as nasm does`, () => {
      const samples = X86_ROWS.flatMap((r) => rowSamples(r, mode))
      const listed = nasmLines(oracle.path!, samples.map((s) => s.text), mode)
      const mismatches: string[] = []
      let encoded = 0
      samples.forEach((s, i) => {
        const ours = encodeX86(s.insn, { mode, dialect: 'nasm' })
        const want = listed[i].bytes
        if (ours.ok) encoded++
        if (ours.ok ? hex(ours.bytes) !== want : want !== '') mismatches.push(`${s.text}: nasm ${want || listed[i].messages.join('; ')}, ours ${ours.ok ? hex(ours.bytes) : ours.message}`)
      })
      expect(mismatches).toEqual([])
      expect(encoded).toBeGreaterThan(mode === 64 ? 2500 : 1400)
    })
  }
})
