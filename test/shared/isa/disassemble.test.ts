/**
 * The disassembler prints what GNU objdump -d prints (default aliases), and its output
 * re-assembles to the same bytes.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../src/main/toolchain/asm'
import { CSR_NAMES, INSTRUCTIONS, disassemble } from '../../../src/shared/isa'

const CSRS = [...CSR_NAMES.values()]
import { gnuAs } from '../../support/oracles'
import { gnuDisassemble } from './gnu-tools'
import { sampleLine } from './samples'

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5
    return (x >>>= 0)
  }
}

/** objdump's text without what needs a symbol table or register tracking (` <sym+off>`, `# comment`). */
const clean = (t: string) => t.replace(/\s*#.*$/, '').replace(/ <[^>]*>/g, '')

describe('disassemble', () => {
  it('prints aliases as objdump does', () => {
    expect(disassemble(0x00000013, 0n).text).toBe('nop')
    expect(disassemble(0x8082, 0n).text).toBe('ret')
    expect(disassemble(0x852e, 0n).text).toBe('mv\ta0,a1')
    expect(disassemble(0x18029073, 0n).text).toBe('csrw\tsatp,t0')
    expect(disassemble(0x12000073, 0n).text).toBe('sfence.vma')
    expect(disassemble(0xa001, 0x80200000n)).toMatchObject({ text: 'j\t80200000', length: 2 })
    expect(disassemble(0xffffffff, 0n)).toEqual({ text: '.4byte\t0xffffffff', length: 4 })
  })

  it('decodes branch targets relative to pc, in 64-bit hex', () => {
    expect(disassemble(0xfe000ee3, 0xffffffff80200010n).text).toBe('beqz\tzero,ffffffff8020000c')
  })
})

/** Rewrites absolute targets of branches/jumps back to `.+offset` so the text re-assembles. */
function relocatable(text: string, pc: bigint): string {
  const m = /^(j|jal|beqz|bnez|blez|bgez|bltz|bgtz|beq|bne|blt|bge|bltu|bgeu)\t(.*?)([0-9a-f]+)$/.exec(text)
  if (!m) return text.replace('\t', ' ')
  const off = BigInt.asIntN(64, BigInt('0x' + m[3]) - pc)
  return `${m[1]} ${m[2]}.${off >= 0n ? '+' : ''}${off}`
}

const as = gnuAs()
describe.skipIf(as.missing)('disassemble agrees with GNU objdump', () => {
  it('prints every table row exactly as objdump -d does', () => {
    const src = INSTRUCTIONS.map((r) => `.option ${r.length === 2 ? 'rvc' : 'norvc'}\n${sampleLine(r)}`).join('\n') + '\n'
    const dis = gnuDisassemble(as.path!, src)
    const bad = dis.map((d) => ({ gnu: clean(d.text), ours: disassemble(d.word, BigInt(d.address)).text })).filter((x) => x.gnu !== x.ours)
    expect(bad).toEqual([])
  })

  it('prints 30 000 random words exactly as objdump -d does', () => {
    const next = rng(4242)
    const opcodes = [...new Set(INSTRUCTIONS.filter((r) => r.length === 4).map((r) => r.match & 0x7f))]
    const words: number[] = []
    for (let i = 0; i < 30000; i++) {
      const w = next()
      if (i % 2) {
        let x = ((w & ~0x7f) | opcodes[w % opcodes.length]) >>> 0
        // CSR fields: only numbers we name (GNU knows vector/hypervisor CSRs we do not list).
        if ((x & 0x7f) === 0x73 && (x & 0x3000) !== 0) x = ((x & 0xfffff) | (CSRS[next() % CSRS.length] << 20)) >>> 0
        words.push(x)
      }
      else words.push((w & 3) === 3 || (w & 0xffff) === 0 ? 1 : w & 0xffff)
    }
    for (const r of INSTRUCTIONS) {
      for (const extra of [0, 1 << 7, 1 << 20, (1 << 7) | (1 << 15)]) {
        const w = (r.match | extra) >>> 0
        words.push(r.length === 2 ? w & 0xffff : w)
      }
    }
    const src = words.filter((w) => w !== 0).map((w) => `.insn ${(w & 3) === 3 ? 4 : 2}, 0x${w.toString(16)}`).join('\n') + '\n'
    const dis = gnuDisassemble(as.path!, src)
    const bad = dis.map((d) => ({ word: d.word.toString(16), gnu: clean(d.text), ours: disassemble(d.word, BigInt(d.address)).text })).filter((x) => x.gnu !== x.ours)
    expect(bad.slice(0, 30)).toEqual([])
  })

  it('round-trips: every row assembles, disassembles and re-assembles to the same bytes', () => {
    const bad: string[] = []
    for (const r of INSTRUCTIONS) {
      const src = `.option ${r.length === 2 ? 'rvc' : 'norvc'}\n${sampleLine(r)}\n`
      const first = assemble(src, { file: 'a.s' }).object!
      const bytes = first.sections[0].data
      const word = bytes.length === 2 ? bytes[0] | (bytes[1] << 8) : (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0
      const text = relocatable(disassemble(word, 0n).text, 0n)
      const again = assemble(`.option ${r.length === 2 ? 'rvc' : 'norvc'}\n${text}\n`, { file: 'b.s' })
      const b2 = again.object?.sections[0].data
      if (!b2 || Buffer.compare(Buffer.from(b2), Buffer.from(bytes)) !== 0) bad.push(`${r.name}: ${sampleLine(r)} → ${text} → ${b2 ? Buffer.from(b2).toString('hex') : again.diagnostics[0]?.message}`)
    }
    expect(bad).toEqual([])
  })
})
