/**
 * The x86 hart's decoder is generated from the x86 table: the checked-in generated files are
 * current, every execute op is either executed or listed as not implemented, the hart's host
 * wrapper names the same state slots as the AssemblyScript layout, and the decoder reads NASM's
 * bytes for every sample of every table row in every mode back as that row, with the right length.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, beforeAll } from 'vitest'
import { generateDecoder, executeOps, execName } from '../../../../../src/main/machine/x86/hart/gen-decoder'
import { generateSpec } from '../../../../../src/main/machine/x86/hart/gen-spec'
import { NOT_IMPLEMENTED } from '../../../../../src/main/machine/x86/hart/not-implemented'
import { SLOT, X86Hart } from '../../../../../src/main/machine/x86/hart/hart'
import { X86_ROWS, isDecodable, decodeX86 } from '../../../../../src/shared/isa/x86/index'
import type { X86Mode } from '../../../../../src/shared/isa/x86/index'
import { rowSamples } from '../../../../shared/isa/x86/samples'
import { nasmLines } from '../../../../support/nasm'
import { nasmOracle } from '../../../../support/oracles'
import { ensureX86Wasm } from './x86-run'

const dir = fileURLToPath(new URL('../../../../../src/main/machine/x86/hart/assembly/', import.meta.url))
const read = (f: string): string => readFileSync(dir + f, 'utf8')

describe('the generated x86 decoder', () => {
  it('is current with the x86 table and the shared spec tables', () => {
    expect(read('decode.generated.ts')).toBe(generateDecoder())
    expect(read('spec.generated.ts')).toBe(generateSpec())
  })

  it('every execute op is executed by the hart or listed as not implemented, never both', () => {
    const src = readdirSync(dir).filter((f) => f.endsWith('.ts')).map(read).join('\n')
    const handled = new Set([...src.matchAll(/case G\.X_([A-Z0-9_]+)/g)].map((m) => m[1].toLowerCase()))
    const ops = executeOps().map((o) => o.toLowerCase())
    expect(ops.filter((o) => !handled.has(o) && !(o in NOT_IMPLEMENTED))).toEqual([])
    expect(Object.keys(NOT_IMPLEMENTED).filter((o) => handled.has(o))).toEqual([])
    expect(Object.keys(NOT_IMPLEMENTED).filter((o) => !ops.includes(o))).toEqual([])
  })

  it('the host wrapper reads the state slots the AssemblyScript layout defines', () => {
    const layout = read('layout.ts')
    const slots = new Map([...layout.matchAll(/export const S_([A-Z0-9_]+): usize = STATE \+ (\d+) \* 8/g)]
      .map((m) => [m[1].toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), Number(m[2])]))
    const named = Object.entries(SLOT).filter(([k]) => slots.has(k))
    expect(named.length).toBeGreaterThan(60)
    for (const [k, v] of named) expect([k, v]).toEqual([k, slots.get(k)])
  })

  it('keeps the MMIO answer area clear of every state slot and of the recent-events ring', () => {
    const layout = read('layout.ts')
    const num = (name: string): number => Number(new RegExp(`export const ${name}: u(?:size|64) = (?:STATE \\+ )?(0x[0-9a-f]+|\\d+)`).exec(layout)![1])
    const slotNumbers = [...layout.matchAll(/export const S_[A-Z0-9_]+: usize = STATE \+ (\d+) \* 8/g)].map((m) => Number(m[1]))
    const recentEnd = Number(/S_RECENT: usize = STATE \+ (\d+) \* 8/.exec(layout)![1]) + num('RECENT_RECORDS') * num('FAULT_SLOTS')
    const answers = num('ANSWERS') / 8
    expect(answers).toBeGreaterThanOrEqual(Math.max(recentEnd, ...slotNumbers.map((n) => n + 1)))
    expect((answers + num('ANS_MAX')) * 8, 'inside the state block').toBeLessThanOrEqual(num('STATE_BYTES') - 0x800) // STATE = BASE + 0x800
  })
})

const nasm = nasmOracle()
describe.skipIf(nasm.missing)('the x86 decoder on NASM output', () => {
  beforeAll(() => ensureX86Wasm())

  for (const mode of [16, 32, 64] as X86Mode[]) {
    it(`decodes every sample of every row in ${mode}-bit mode as that row's instruction, with NASM's length`, () => {
      const samples = X86_ROWS.flatMap((r) => rowSamples(r, mode))
      const listed = nasmLines(nasm.path!, samples.map((s) => s.text), mode)
      const hart = new X86Hart({ ramSize: 1 << 20 })
      const bad: string[] = []
      let checked = 0
      samples.forEach((s, i) => {
        const hex = listed[i].bytes
        if (!hex || listed[i].messages.some((m) => m.startsWith('error'))) return
        const bytes = Uint8Array.from(Buffer.from(hex, 'hex'))
        // fwait-prefixed spellings (finit = 9B DB E3) are two instructions for a decoder.
        if (s.row.flags.wait) return
        const d = hart.decode(bytes, mode)
        checked++
        // Bytes the reference decoder refuses (an assembler-only row such as salc) are an invalid opcode to the hart too.
        if (!decodeX86(bytes, 0, mode)) {
          if (d.length >= 0) bad.push(`${s.text} (${hex}): decoded (length ${d.length}), but the reference decoder refuses it`)
          return
        }
        const got = X86_ROWS[d.row]
        // NASM may pick another row's encoding for the same instruction (movq xmm, m64 → F3 0F 7E), and a
        // second spelling (retn, wait) decodes as its canonical row: the mnemonic or the execute op must agree.
        const same = got && (execName(got) === execName(s.row) || got.mnemonic === s.row.mnemonic || s.row.flags.asm)
        if (d.length !== bytes.length || !same) {
          bad.push(`${s.text} (${hex}): length ${d.length}, row ${got?.name ?? d.row}, expected ${s.row.name}`)
        }
      })
      expect(checked).toBeGreaterThan(500)
      expect(bad.slice(0, 20).join('\n')).toBe('')
    }, 120_000)
  }

  it('every decodable row is reachable', () => {
    expect(X86_ROWS.filter(isDecodable).length).toBeGreaterThan(700)
  })
})
