/**
 * Test support: disassemble raw x86 bytes with GNU objdump (`-D -b binary`) in Intel or AT&T
 * syntax and return one entry per instruction (address → objdump's text, trailing spaces
 * trimmed), so our disassembler can be compared line by line.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const MACHINE: Record<number, string> = { 16: 'i8086', 32: 'i386', 64: 'i386:x86-64' }

export function objdumpRaw(objdump: string, bytes: Uint8Array, mode: 16 | 32 | 64, syntax: 'intel' | 'att'): Map<number, string> {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-objdump-'))
  try {
    const f = join(dir, 'code.bin')
    writeFileSync(f, bytes)
    const args = ['-D', '-b', 'binary', '-m', MACHINE[mode], '-w', ...(syntax === 'intel' ? ['-M', 'intel'] : []), f]
    const out = execFileSync(objdump, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    const lines = new Map<number, string>()
    for (const l of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/.exec(l)
      if (m) lines.set(parseInt(m[1], 16), m[3].trimEnd())
    }
    return lines
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
