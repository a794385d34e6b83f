/**
 * What GNU binutils say about a file's DWARF, for the DWARF reader's tests: the decoded line
 * rows (`objdump --dwarf=decodedline`) and, per address, the inlined frames with their source
 * locations (`addr2line -a -f -i -C`: names demangled and qualified, as gdb shows them).
 */
import { execFileSync } from 'node:child_process'

export interface OracleRow {
  /** Base name of the file (objdump shortens long paths). */
  file: string
  /** undefined for an end_sequence row. */
  line?: number
  address: bigint
  isStmt: boolean
}

const ROW = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+|0)(?:\s+\d+)?(\s+x)?\s*$/

export function decodedLines(objdump: string, elf: string): OracleRow[] {
  const text = execFileSync(objdump, ['--dwarf=decodedline', elf], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const rows: OracleRow[] = []
  for (const l of text.split('\n')) {
    const m = ROW.exec(l.trim())
    if (!m) continue
    rows.push({ file: baseName(m[1]), line: m[2] === '-' ? undefined : Number(m[2]), address: BigInt(m[3]), isStmt: !!m[4] })
  }
  return rows
}

export interface OracleFrame {
  name: string
  file: string
  line: number
}

/** For each address: its frames innermost first, each with the location inside it ('??' and 0 when unknown). */
export function addr2lineFrames(addr2line: string, elf: string, addresses: bigint[]): Map<bigint, OracleFrame[]> {
  const out = new Map<bigint, OracleFrame[]>()
  const text = execFileSync(addr2line, ['-a', '-f', '-i', '-C', '-e', elf, ...addresses.map((a) => `0x${a.toString(16)}`)], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const lines = text.split('\n')
  let frames: OracleFrame[] = []
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]
    if (/^0x[0-9a-f]+$/.test(l)) {
      frames = []
      out.set(BigInt(l), frames)
    } else if (l !== '') {
      const loc = (lines[++i] ?? '').replace(/ \(discriminator \d+\)$/, '')
      const colon = loc.lastIndexOf(':')
      frames.push({ name: l, file: loc.slice(0, colon), line: Number(loc.slice(colon + 1)) || 0 })
    }
  }
  return out
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1)
}
