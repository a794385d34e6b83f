/**
 * The disassembler round trip of issue 14: every form of the x86 table in every mode (the
 * samples of test/shared/isa/x86/samples.ts, encoded by our encoder) is disassembled by GNU
 * objdump, in AT&T and in Intel syntax, and objdump's text is assembled again — by our GNU as
 * front end and by Debian's `as`. On every line `as` accepts, ours gives the same bytes as `as`,
 * and those are the original bytes wherever `as` gives them back. Relative branches are left out
 * (their text is an absolute address, which GNU as turns into a relocation, not the original
 * displacement); lines `as` refuses too (objdump's `(bad)`) are counted, not compared.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { X86_ROWS, type X86Mode } from '../../../../../src/shared/isa/x86'
import { encodeX86 } from '../../../../../src/main/toolchain/asm/x86/encode'
import { assembleGasX86 } from '../../../../../src/main/toolchain/asm/gas-x86'
import { readRelocatable } from '../../../../../src/shared/elf/read-relocatable'
import type { ObjectFile } from '../../../../../src/main/toolchain/object'
import { x86As, x86Objdump } from '../../../../support/oracles'
import { objdumpRaw } from '../../../../shared/isa/x86/objdump'
import { rowSamples } from '../../../../shared/isa/x86/samples'

/** Every sample of a mode except relative branches, encoded back to back. */
function corpus(mode: X86Mode): { bytes: Uint8Array; starts: number[]; lens: number[] } {
  const out: number[] = []
  const starts: number[] = []
  const lens: number[] = []
  for (const r of X86_ROWS) {
    if (r.operands.some((k) => k === 'rel8' || k === 'relz')) continue
    for (const s of rowSamples(r, mode)) {
      const e = encodeX86(s.insn, { mode, dialect: 'gas' })
      if (!e.ok) continue
      starts.push(out.length)
      lens.push(e.bytes.length)
      out.push(...e.bytes)
    }
  }
  return { bytes: Uint8Array.from(out), starts, lens }
}

/** A source with `xN:` before line N (so each line's bytes can be found), skipping some lines. */
function source(lines: string[], mode: X86Mode, intel: boolean, skip: Set<number>): string {
  return (intel ? '.intel_syntax noprefix\n' : '') + `.code${mode}\n` + lines.map((l, k) => `x${k}: ${skip.has(k) ? '' : l}`).join('\n') + `\nx${lines.length}:\n`
}

function bytesPerLine(o: ObjectFile, n: number): string[] {
  const text = o.sections.find((s) => s.name === '.text')!
  const at = new Map(o.symbols.filter((s) => /^x\d+$/.test(s.name)).map((s) => [s.name, Number(s.value)]))
  return Array.from({ length: n }, (_, k) => Buffer.from(text.data.subarray(at.get(`x${k}`)!, at.get(`x${k + 1}`)!)).toString('hex'))
}

const HEADER_LINES = (intel: boolean) => (intel ? 2 : 1)

/** Assembles with GNU as, dropping the lines it refuses until it accepts the rest. */
function gnu(asPath: string, lines: string[], mode: X86Mode, intel: boolean): { bytes: string[]; refused: Set<number> } {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-rt-'))
  const refused = new Set<number>()
  try {
    for (let pass = 0; pass < 20; pass++) {
      writeFileSync(join(dir, 'rt.s'), source(lines, mode, intel, refused))
      try {
        execFileSync(asPath, [mode === 64 ? '--64' : '--32', join(dir, 'rt.s'), '-o', join(dir, 'rt.o')], { stdio: 'pipe' })
      } catch (e) {
        for (const m of String((e as { stderr?: Buffer }).stderr).matchAll(/rt\.s:(\d+): Error/g)) refused.add(Number(m[1]) - 1 - HEADER_LINES(intel))
        continue
      }
      const r = readRelocatable(new Uint8Array(readFileSync(join(dir, 'rt.o'))), 'rt.o')
      if (!r.ok) throw new Error(r.error.message)
      return { bytes: bytesPerLine(r.value, lines.length), refused }
    }
    throw new Error('as kept refusing lines')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const objdump = x86Objdump()
const as = x86As()
describe.skipIf(objdump.missing || as.missing)('objdump text of our bytes assembles back to the same bytes', () => {
  for (const mode of [16, 32, 64] as const) {
    for (const intel of [false, true]) {
      it(`bits ${mode}, ${intel ? 'Intel (.intel_syntax noprefix)' : 'AT&T'} syntax`, () => {
        const { bytes, starts, lens } = corpus(mode)
        const text = objdumpRaw(objdump.path!, bytes, mode, intel ? 'intel' : 'att')
        const lines = starts.map((a) => text.get(a)!)
        const theirs = gnu(as.path!, lines, mode, intel)
        // What GNU as refuses too (objdump's `(bad)`, 64-bit lss) is left out of both.
        expect(theirs.refused.size).toBeLessThan(20)
        const res = assembleGasX86(source(lines, mode, intel, theirs.refused), { file: 'rt.s', elf: mode === 64 ? 64 : 32 })
        const errors = res.diagnostics.filter((d) => d.severity === 'error').map((d) => `${lines[d.loc!.line - 1 - HEADER_LINES(intel)]}: ${d.message}`)
        expect(errors).toEqual([])
        const ours = bytesPerLine(res.object!, lines.length)
        const notBack: string[] = []
        const notAsAs: string[] = []
        lines.forEach((l, k) => {
          const orig = Buffer.from(bytes.subarray(starts[k], starts[k] + lens[k])).toString('hex')
          if (!theirs.refused.has(k) && ours[k] !== orig && theirs.bytes[k] === orig) notBack.push(`${l}: ${orig} → ${ours[k]}`)
          if (!theirs.refused.has(k) && ours[k] !== theirs.bytes[k]) notAsAs.push(`${l}: as ${theirs.bytes[k]}, ours ${ours[k]}`)
        })
        expect(notAsAs).toEqual([])
        expect(notBack).toEqual([])
        expect(lines.length).toBeGreaterThan(1400)
      }, 180_000)
    }
  }
})
