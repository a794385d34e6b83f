/**
 * Test support: assemble a source with Debian's `as --32` / `as --64` (binutils 2.40), after
 * `cpp -P` for `.S` files as gcc would run it, and read the object with the project's ELF
 * reader, so it can be summarised like ours (gnu-object.ts `summarize`).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRelocatable } from '../../../../../src/shared/elf/read-relocatable'
import type { ObjectFile } from '../../../../../src/main/toolchain/object'

/** Runs `as --32/--64`; returns the object, or as's error text. */
export function x86AsAssemble(asPath: string, source: string, elf: 32 | 64, fileName = 'in.s'): { object?: ObjectFile; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-x86as-'))
  try {
    let input = join(dir, fileName)
    writeFileSync(input, source)
    if (fileName.endsWith('.S')) {
      const out = execFileSync('cpp', ['-P', '-undef', '-x', 'assembler-with-cpp', input], { encoding: 'utf8' })
      input = join(dir, 'pp.s')
      writeFileSync(input, out)
    }
    try {
      execFileSync(asPath, [`--${elf}`, '-o', join(dir, 'out.o'), input], { stdio: 'pipe' })
    } catch (e) {
      return { stderr: String((e as { stderr?: Buffer }).stderr ?? e) }
    }
    const r = readRelocatable(new Uint8Array(readFileSync(join(dir, 'out.o'))), fileName)
    if (!r.ok) throw new Error(r.error.message)
    return { object: r.value, stderr: '' }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The `# as: --32` / `# as: --64` line at the top of a fixture (default --32). */
export const elfOf = (src: string): 32 | 64 => (/^#\s*as:\s*--64/m.test(src.slice(0, 300)) ? 64 : 32)
