/**
 * `build()` on x86 projects against the GNU pipeline: our NASM and GNU as front ends and our
 * linker (with the project's other inputs — gcc objects, a Rust staticlib — built by the real
 * tools) against `nasm`/`as` + `ld` on the same sources. Same sections, bytes, symbols and
 * program headers. Seed 000 (a higher-half GAS stub + gcc -m32 C) and seed 002 (NASM) included.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { build } from '../../../../src/main/toolchain/build'
import { readElf } from '../../../../src/shared/elf/reader'
import { gccX86, nasmOracle, rustcOracle, x86Ar, x86As, x86Ld } from '../../../support/oracles'
import { compareElf } from './gnu'
import { buildObjects, linkOptionsFor, listX86Fixtures } from './x86-gnu'

const tools = { as: x86As(), ld: x86Ld(), nasm: nasmOracle(), gcc: gccX86(), ar: x86Ar() }
const missing = Object.values(tools).some((t) => t.missing)
/** Fixtures whose assembly (NASM or GNU as) our front ends build; the rest comes from gcc/rustc. */
const FIXTURES = [
  'seed-002-multiboot2-long-mode', 'multiboot1-nasm-i386', 'gc-sections-seed-002-x86_64', 'rust-staticlib-seed-002',
  'seed-000-higher-half-i386', 'osdev-bare-bones-i386', 'higher-half-i386-at', 'archive-members-i386',
  'higher-half-x86_64-kernel-model', 'real-mode-boot-sector', 'gc-sections-keep-multiboot-i386',
]
const OURS_RE = /\.(asm|s|S)$/

describe.skipIf(missing)('bootscope build (our assemblers + our linker) against nasm/as + ld', () => {
  const all = listX86Fixtures()
  for (const name of FIXTURES) {
    const fx = all.find((f) => f.name === name)!
    const rust = fx.sources.some((s) => s.endsWith('.rs'))
    it(`${name}: same sections, bytes, symbols and program headers`, () => {
      const rustc = rust ? rustcOracle() : undefined
      if (rustc?.missing) return
      const work = mkdtempSync(join(tmpdir(), `bootscope-bx86-${name}-`))
      try {
        const t = { as: tools.as.path!, ld: tools.ld.path!, nasm: tools.nasm.path!, gcc: tools.gcc.path!, ar: tools.ar.path!, rustc: rustc?.path }
        const inputs = buildObjects(fx, t, work)
        const opts = linkOptionsFor(fx)
        execFileSync(t.ld, ['-m', opts.emulation, ...fx.ldFlags, ...(fx.script ? ['-T', join(fx.dir, fx.script)] : []), ...inputs, '-o', 'gnu.elf'], { cwd: work, stdio: 'pipe' })
        // Ours: the assembly sources through build(); what gcc and rustc made, as objects and archives.
        const asm = readdirSync(fx.dir).filter((f) => OURS_RE.test(f) && !f.startsWith('lib-'))
        const others = inputs.filter((p) => !asm.some((a) => p === a.replace(OURS_RE, '.o')))
        const r = build({
          files: [...asm, ...(fx.script ? [fx.script] : [])].map((f) => ({ path: f, text: readFileSync(join(fx.dir, f), 'utf8') })),
          script: fx.script,
          arch: fx.target,
          nmagic: opts.nmagic,
          gcSections: opts.gcSections,
          entry: opts.entry,
          objects: others.map((p) => ({ path: p, bytes: new Uint8Array(readFileSync(join(work, p))) })),
        })
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        const gnu = readElf(new Uint8Array(readFileSync(join(work, 'gnu.elf'))))
        const ours = readElf(r.elf!)
        if (!gnu.ok || !ours.ok) throw new Error('unreadable ELF')
        expect(compareElf(gnu.value, ours.value)).toEqual([])
        expect(existsSync(join(work, 'gnu.elf'))).toBe(true)
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    }, 120_000)
  }
})
