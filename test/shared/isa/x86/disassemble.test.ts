/**
 * The x86 disassembler prints what GNU objdump 2.40 prints: every form of the table, in every
 * mode, in Intel (`-M intel`) and AT&T syntax, text for text; plus symbolised branch targets
 * and RIP-relative comments, and `(bad)` for what is not an instruction.
 */
import { describe, expect, it } from 'vitest'
import { X86_ROWS, type X86Mode } from '../../../../src/shared/isa/x86'
import { disassembleX86 } from '../../../../src/shared/isa/x86/disassemble'
import { encodeX86 } from '../../../../src/main/toolchain/asm/x86/encode'
import { x86Objdump } from '../../../support/oracles'
import { objdumpRaw } from './objdump'
import { rowSamples } from './samples'

/** All samples of a mode, encoded back to back. */
function sampleCode(mode: X86Mode): { bytes: Uint8Array; starts: number[]; texts: string[] } {
  const out: number[] = []
  const starts: number[] = []
  const texts: string[] = []
  for (const r of X86_ROWS) {
    for (const s of rowSamples(r, mode)) {
      const e = encodeX86(s.insn, { mode, dialect: 'nasm' })
      if (!e.ok) continue
      starts.push(out.length)
      texts.push(s.text)
      out.push(...e.bytes)
    }
  }
  return { bytes: Uint8Array.from(out), starts, texts }
}

const hexBytes = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)))

describe('x86 disassembler', () => {
  it('symbolises branch targets and RIP-relative addresses like objdump', () => {
    const sym = (a: bigint) => (a === 0x1000n ? 'kernel_main' : a === 0x2010n ? 'gdt64+0x10' : undefined)
    // call rel32 at 0xff0 → 0x1000; lea rax,[rip+0x1016] at 0xff0 (7 bytes) → 0x2010
    expect(disassembleX86(hexBytes('e80b000000'), 0, { mode: 64, address: 0xff0n, symbolize: sym }).text).toBe('call   1000 <kernel_main>')
    expect(disassembleX86(hexBytes('488d0519100000'), 0, { mode: 64, address: 0xff0n, symbolize: sym }).text).toBe('lea    rax,[rip+0x1019]        # 2010 <gdt64+0x10>')
    expect(disassembleX86(hexBytes('488d0519100000'), 0, { mode: 64, syntax: 'att', address: 0xff0n, symbolize: sym }).text).toBe('lea    0x1019(%rip),%rax        # 2010 <gdt64+0x10>')
    expect(disassembleX86(hexBytes('eb fe'.replace(' ', '')), 0, { mode: 32, address: 0x100n }).text).toBe('jmp    0x100')
  })

  it('prints the seed boot code the way objdump does in both syntaxes', () => {
    const far = hexBytes('ea000010000800') // jmp 0x08:0x100000 in 32-bit code
    expect(disassembleX86(far, 0, { mode: 32 }).text).toBe('jmp    0x8:0x100000')
    expect(disassembleX86(far, 0, { mode: 32, syntax: 'att' }).text).toBe('ljmp   $0x8,$0x100000')
    const cr = hexBytes('0f22d8') // mov cr3, eax
    expect(disassembleX86(cr, 0, { mode: 32 }).text).toBe('mov    cr3,eax')
    expect(disassembleX86(cr, 0, { mode: 32, syntax: 'att' }).text).toBe('mov    %eax,%cr3')
  })

  it('prints (bad) for bytes that are not an instruction and moves on by one byte', () => {
    expect(disassembleX86(hexBytes('0f0b'), 0, { mode: 64 }).text).toBe('ud2')
    expect(disassembleX86(hexBytes('0fff'), 0, { mode: 64 })).toEqual({ text: '(bad)', length: 1 })
    expect(disassembleX86(hexBytes('06'), 0, { mode: 64 })).toEqual({ text: '(bad)', length: 1 }) // push es is invalid in 64-bit mode
  })
})

const objdump = x86Objdump()
describe.skipIf(objdump.missing)('x86 disassembler against objdump', () => {
  for (const mode of [16, 32, 64] as const) {
    for (const syntax of ['intel', 'att'] as const) {
      it(`prints every form of the table in bits ${mode} as objdump ${syntax === 'intel' ? '-M intel' : '(AT&T)'} does`, () => {
        const { bytes, starts, texts } = sampleCode(mode)
        const want = objdumpRaw(objdump.path!, bytes, mode, syntax)
        const mismatches: string[] = []
        starts.forEach((at, k) => {
          const ours = disassembleX86(bytes, at, { mode, syntax, address: BigInt(at) })
          const theirs = want.get(at)
          if (ours.text !== theirs) mismatches.push(`${texts[k]}: objdump \`${theirs}\`, ours \`${ours.text}\``)
        })
        expect(mismatches).toEqual([])
        expect(starts.length).toBeGreaterThan(1000)
      })
    }
  }
})
