/**
 * Builds a folder of kernel sources (the built-in example, a lab) into an ELF for tests of the
 * machine, the recorder and the app, with our own toolchain — as the app's Build does.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from '../../src/main/toolchain/build'
import { formatDiagnostic } from '../../src/shared/api/result'
import { hex } from '../../src/shared/trace/events'
import type { SourceLine } from '../../src/shared/trace/source-map'

export const EXAMPLE = join(import.meta.dirname, '../../resources/examples/higher-half')

export interface BuiltFolder {
  elf: Uint8Array
  sourceLines: SourceLine[]
}

/** Builds every .S/.s and the .ld script in `dir`, with `override` replacing file contents. */
export function buildFolderWithLines(dir: string, override: Record<string, string> = {}): BuiltFolder {
  const names = readdirSync(dir).filter((n) => /\.([sS]|ld)$/.test(n))
  const files = names.map((n) => ({ path: n, text: override[n] ?? readFileSync(join(dir, n), 'utf8') }))
  const r = build({ files, script: names.find((n) => n.endsWith('.ld')) })
  if (!r.ok || !r.elf) throw new Error(`the build of ${dir} failed:\n${r.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`)
  return { elf: r.elf, sourceLines: r.lines.map((l) => ({ address: hex(l.address), size: l.size, file: l.file, line: l.line })) }
}

export function buildFolder(dir: string, override: Record<string, string> = {}): Uint8Array {
  return buildFolderWithLines(dir, override).elf
}

/** The example's entry.S with the identity mapping (boot page table entry 2) removed. */
export function withoutIdentityMapping(entryS: string): string {
  const lines = entryS.split('\n')
  const i = lines.findIndex((l) => l.includes('.quad (0x80000 << 10) | 0xcf'))
  if (i < 0) throw new Error('the example no longer has its identity-mapping line')
  lines[i] = '    .quad 0'
  return lines.join('\n')
}
