/**
 * Builds a folder of kernel sources (the built-in example, a lab) into an ELF for tests of the
 * machine, the recorder and the app — with GNU as/ld for now (binutils-riscv64-unknown-elf),
 * switching to our own toolchain once `src/main/toolchain/build.ts` lands.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gnuAs, gnuLd } from './oracles'

export const EXAMPLE = join(import.meta.dirname, '../../resources/examples/higher-half')

export function gnuMissing(): boolean {
  return gnuAs().missing || gnuLd().missing
}

/** Assembles every .S/.s in `dir` (or `sources`, replacing file contents) and links with its .ld script. */
export function buildFolder(dir: string, override: Record<string, string> = {}): Uint8Array {
  const out = mkdtempSync(join(tmpdir(), 'bootscope-build-'))
  const files = readdirSync(dir)
  const objects: string[] = []
  for (const f of files.filter((n) => /\.[sS]$/.test(n))) {
    const obj = join(out, `${f}.o`)
    const text = override[f] ?? readFileSync(join(dir, f), 'utf8')
    execFileSync(gnuAs().path!, ['-march=rv64gc', '-mabi=lp64d', '-o', obj, '-'], { input: text, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] })
    objects.push(obj)
  }
  const script = files.find((n) => n.endsWith('.ld'))
  const elf = join(out, 'kernel.elf')
  execFileSync(gnuLd().path!, ['--no-relax', ...(script ? ['-T', join(dir, script)] : []), '-o', elf, ...objects], { stdio: 'pipe' })
  return readFileSync(elf)
}

/** The example's entry.S with the identity mapping (boot page table entry 2) removed. */
export function withoutIdentityMapping(entryS: string): string {
  const lines = entryS.split('\n')
  const i = lines.findIndex((l) => l.includes('.quad (0x80000 << 10) | 0xcf'))
  if (i < 0) throw new Error('the example no longer has its identity-mapping line')
  lines[i] = '    .quad 0'
  return lines.join('\n')
}
