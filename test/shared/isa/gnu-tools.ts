/**
 * Runs GNU `as` and `objdump` on a source text and returns what objdump printed for each
 * instruction (address, word, mnemonic, operands) — the oracle for the ISA table and the
 * disassembler. Test support only: uses Node and temporary files.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ObjdumpLine {
  address: number
  word: number
  length: 2 | 4
  mnemonic: string
  operands: string
  /** `mnemonic\toperands` exactly as objdump printed it (trailing spaces trimmed). */
  text: string
}

/** Assembles `source` with GNU as (-march=rv64gc -mno-relax) and disassembles it with objdump. */
export function gnuDisassemble(asPath: string, source: string, objdumpArgs: string[] = []): ObjdumpLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-isa-'))
  try {
    writeFileSync(join(dir, 'in.s'), source)
    execFileSync(asPath, ['-march=rv64gc', '-mno-relax', '-o', join(dir, 'in.o'), join(dir, 'in.s')], { stdio: 'pipe' })
    const objdump = asPath.replace(/-as$/, '-objdump')
    const out = execFileSync(objdump, ['-d', '-z', ...objdumpArgs, join(dir, 'in.o')], { encoding: 'utf8', maxBuffer: 1 << 28 })
    const lines: ObjdumpLine[] = []
    for (const l of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+\t(.*)$/.exec(l)
      if (!m) continue
      const text = m[3].replace(/\s+$/, '')
      const [mnemonic, operands = ''] = text.split('\t')
      lines.push({ address: parseInt(m[1], 16), word: parseInt(m[2], 16) >>> 0, length: m[2].length === 4 ? 2 : 4, mnemonic, operands, text })
    }
    return lines
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
