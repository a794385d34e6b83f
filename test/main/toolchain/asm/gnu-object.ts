/**
 * Test support: assemble a source with GNU `as -march=rv64gc -mno-relax`, read the `.o` with
 * the project's ELF reader (`shared/elf/read-relocatable`), and reduce both GNU's object and
 * ours to a comparable summary (section bytes, symbols, relocations by symbol name). GNU-only
 * metadata — `.riscv.attributes`, mapping symbols `$x`/`$d` — is left out.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRelocatable } from '../../../../src/shared/elf/read-relocatable'
import type { ObjectFile } from '../../../../src/main/toolchain/object'

export interface Summary {
  sections: Record<string, { type: number; flags: number; align: number; size: number; hex: string }>
  symbols: string[]
  relocs: Record<string, string[]>
}

/** Runs GNU as; returns the object or the assembler's error text. */
export function gnuAssemble(asPath: string, source: string, fileName = 'in.s'): { object?: ObjectFile; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-as-'))
  try {
    writeFileSync(join(dir, fileName), source)
    const isS = fileName.endsWith('.S')
    let input = join(dir, fileName)
    if (isS) {
      // GNU as has no preprocessor; gcc would run cpp first. Our fixtures only use the subset
      // `cpp -P` handles identically, so use it when available.
      const out = execFileSync('cpp', ['-P', '-undef', '-x', 'assembler-with-cpp', input], { encoding: 'utf8' })
      input = join(dir, 'pp.s')
      writeFileSync(input, out)
    }
    try {
      execFileSync(asPath, ['-march=rv64gc', '-mno-relax', '-o', join(dir, 'out.o'), input], { stdio: 'pipe' })
    } catch (e) {
      return { stderr: String((e as { stderr?: Buffer }).stderr ?? e) }
    }
    const r = readRelocatable(new Uint8Array(readFileSync(join(dir, 'out.o'))), 'out.o')
    if (!r.ok) throw new Error(r.error.message)
    return { object: r.value, stderr: '' }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const hex = (d: Uint8Array) => Buffer.from(d).toString('hex')

/** Name used for comparison: numeric local labels print as `.L1^B1`, like readelf. */
const shown = (n: string) => n.split(String.fromCharCode(2)).join('^B')

export function summarize(o: ObjectFile): Summary {
  const sections: Summary['sections'] = {}
  const relocs: Summary['relocs'] = {}
  for (const s of o.sections) {
    if (s.name === '.riscv.attributes') continue
    sections[s.name] = { type: s.type, flags: s.flags, align: s.align, size: s.size, hex: hex(s.data) }
    const rs = s.relocs.map((r) => {
      const sym = o.symbols[r.symbol]
      return `${r.offset.toString(16).padStart(4, '0')} ${r.type} ${shown(sym?.name ?? '?')} ${r.addend}`
    })
    if (rs.length) relocs[s.name] = rs.sort()
  }
  const symbols = o.symbols
    .filter((s) => s.type !== 'section' && s.type !== 'file' && !s.name.startsWith('$') && s.name !== '')
    .map((s) => {
      const sec = typeof s.section === 'number' ? o.sections[s.section].name : s.section
      return `${shown(s.name)} ${sec} ${s.value} ${s.bind} ${s.type} ${s.size}`
    })
    .sort()
  return { sections, symbols, relocs }
}
