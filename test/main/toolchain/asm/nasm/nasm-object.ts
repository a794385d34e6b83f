/**
 * Test support: assemble a source with Debian's `nasm -f elf32/elf64`, read the `.o` with the
 * project's ELF reader, and summarise it like our own object (gnu-object.ts `summarize`:
 * section bytes, symbols, relocations by symbol name) so the two can be compared.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { readRelocatable } from '../../../../../src/shared/elf/read-relocatable'
import type { ObjectFile } from '../../../../../src/main/toolchain/object'

/** Runs nasm on `source` (plus any `files` it includes); returns the object or nasm's error text. */
export function nasmAssemble(nasmPath: string, source: string, format: 'elf32' | 'elf64', fileName = 'in.asm', files: Record<string, string | Uint8Array> = {}): { object?: ObjectFile; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-nasm-'))
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true })
      writeFileSync(join(dir, name), text)
    }
    writeFileSync(join(dir, fileName), source)
    let stderr = ''
    try {
      stderr = execFileSync(nasmPath, ['-f', format, '-o', 'out.o', fileName], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString()
    } catch (e) {
      return { stderr: String((e as { stderr?: Buffer }).stderr ?? e) }
    }
    const r = readRelocatable(new Uint8Array(readFileSync(join(dir, 'out.o'))), fileName)
    if (!r.ok) throw new Error(r.error.message)
    return { object: r.value, stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
