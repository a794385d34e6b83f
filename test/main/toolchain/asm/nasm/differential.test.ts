/**
 * Differential tests against Debian's `nasm -f elf64` / `-f elf32` (NASM 2.16): our NASM front
 * end must give the same section bytes and attributes, symbols (name, section, value, binding,
 * type, size) and relocations (offset, type, symbol, addend) as nasm's object file for
 * - the corpus in test/fixtures/nasm/ (issue 14: at least 60 programs, boot code in the style
 *   of both seeds — Multiboot 1 and 2 headers, the long-mode switch, higher-half stubs, 16-bit
 *   code — and the directives, preprocessor and instruction families a kernel uses). A fixture
 *   whose first lines say `; format: elf32` is assembled as elf32; `%include`/`incbin` read
 *   test/fixtures/nasm/inc/;
 * - one generated program per mode holding every form of the x86 table valid in that mode
 *   (the encoder's samples), so each form is also checked through the front end and ELF.
 * Bounded for CI: one nasm run per program (about 70), each test with an explicit timeout.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assembleNasm } from '../../../../../src/main/toolchain/asm/nasm'
import { encodeX86 } from '../../../../../src/main/toolchain/asm/x86/encode'
import { X86_ROWS, type X86Mode } from '../../../../../src/shared/isa/x86'
import { rowSamples } from '../../../../shared/isa/x86/samples'
import { nasmOracle } from '../../../../support/oracles'
import { summarize } from '../gnu-object'
import { nasmAssemble } from './nasm-object'

const FIXTURES = join(__dirname, '../../../../fixtures/nasm')
const MIN_PROGRAMS = 60
const files = readdirSync(FIXTURES).filter((f) => /\.(asm|nasm)$/.test(f)).sort()
const includes: Record<string, Uint8Array> = Object.fromEntries(readdirSync(join(FIXTURES, 'inc')).map((f) => [`inc/${f}`, new Uint8Array(readFileSync(join(FIXTURES, 'inc', f)))]))
const formatOf = (src: string): 'elf32' | 'elf64' => (/^;\s*format:\s*elf32/m.test(src.slice(0, 200)) ? 'elf32' : 'elf64')

/** Every encodable sample of every table form in `mode`, one per line. */
function everyForm(mode: X86Mode): string {
  const lines = [`bits ${mode}`, 'section .text']
  for (const row of X86_ROWS) for (const s of rowSamples(row, mode)) if (encodeX86(s.insn, { mode, dialect: 'nasm' }).ok) lines.push(`    ${s.text}`)
  return lines.join('\n') + '\n'
}

describe('NASM fixture corpus', () => {
  it(`has at least ${MIN_PROGRAMS} programs, with the seed-style boot code`, () => {
    expect(files.length).toBeGreaterThanOrEqual(MIN_PROGRAMS)
    expect(files).toEqual(
      expect.arrayContaining([
        'seed-002-multiboot-header.asm', 'seed-002-boot.asm', 'seed-002-long-mode-init.asm', 'multiboot1-header.asm', 'multiboot2-framebuffer.asm',
        'long-mode-switch-pae.asm', 'higher-half-32.asm', 'higher-half-64.asm', 'real-mode-16.asm', 'boot-sector.asm', 'protected-mode-switch.asm',
      ]),
    )
  })
})

const nasm = nasmOracle()
const same = (src: string, file: string, format: 'elf32' | 'elf64'): void => {
  const ours = assembleNasm(src, { file, format, readFile: (p) => includes[p] })
  expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  const theirs = nasmAssemble(nasm.path!, src, format, file, includes)
  expect(theirs.object, theirs.stderr).toBeDefined()
  expect(summarize(ours.object!)).toEqual(summarize(theirs.object!))
}

describe.skipIf(nasm.missing)('NASM front end output equals nasm', () => {
  for (const f of files) {
    it(`${f}: same sections, symbols and relocations`, { timeout: 30_000 }, () => {
      const src = readFileSync(join(FIXTURES, f), 'utf8')
      same(src, f, formatOf(src))
    })
  }
  for (const [mode, format] of [[16, 'elf32'], [32, 'elf32'], [64, 'elf64']] as const) {
    it(`every form of the x86 table in bits ${mode}, as one program in an ${format} object`, { timeout: 60_000 }, () => {
      const src = everyForm(mode)
      expect(src.split('\n').length).toBeGreaterThan(500)
      same(src, `every-form-${mode}.asm`, format)
    })
  }
})
