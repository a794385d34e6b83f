/**
 * Runs Debian's `nasm` on generated sources and reads back what it made: the bytes of each
 * source line (from its listing, `-l`), or the object file. The x86 differential tests compare
 * our encoder and NASM front end against it.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ListedLine {
  /** Bytes nasm emitted for the line (empty when none or on error). */
  bytes: string
  /** nasm's error/warning text for the line, if any. */
  messages: string[]
}

/**
 * Assembles `lines` (one instruction each) with `nasm -fbin` under `bits <mode>` and returns,
 * per line, the hex bytes from the listing and the diagnostics nasm printed for it. A line
 * nasm rejects does not stop the others: errors are collected per line and the file is
 * re-assembled without them.
 */
export function nasmLines(nasm: string, lines: readonly string[], mode: 16 | 32 | 64): ListedLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-nasm-'))
  try {
    const result: ListedLine[] = lines.map(() => ({ bytes: '', messages: [] }))
    let active = lines.map((_, i) => i)
    for (let round = 0; round < 3; round++) {
      const src = join(dir, 't.asm')
      writeFileSync(src, `bits ${mode}\n` + active.map((i) => lines[i]).join('\n') + '\n')
      let stderr = ''
      try {
        execFileSync(nasm, ['-fbin', '-Ox', src, '-o', join(dir, 't.bin'), '-l', join(dir, 't.lst')], { stdio: ['ignore', 'ignore', 'pipe'] })
      } catch (e) {
        stderr = String((e as { stderr?: Buffer }).stderr ?? '')
      }
      const bad = new Set<number>()
      for (const m of stderr.matchAll(/t\.asm:(\d+): (error|warning): (.*)/g)) {
        const i = active[Number(m[1]) - 2]
        if (i === undefined) continue
        result[i].messages.push(`${m[2]}: ${m[3]}`)
        if (m[2] === 'error') bad.add(i)
      }
      if (bad.size) {
        active = active.filter((i) => !bad.has(i))
        continue
      }
      const listing = readFileSync(join(dir, 't.lst'), 'utf8')
      for (const l of listing.split('\n')) {
        const m = /^\s*(\d+)\s+[0-9A-F]{8}\s+([0-9A-F()[\]]+)-?/.exec(l)
        if (!m) continue
        const i = active[Number(m[1]) - 2]
        if (i !== undefined) result[i].bytes += m[2].replace(/[()[\]]/g, '').toLowerCase()
      }
      return result
    }
    throw new Error('nasm kept failing on the sample file')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
