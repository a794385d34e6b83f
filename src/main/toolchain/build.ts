/**
 * The build driver: assembles every `.S`/`.s` file of a project with our assembler, links the
 * objects with the project's linker script (or ld's default layout), and returns the ELF, the
 * layout report, every diagnostic, a line table from final addresses back to source lines, and
 * the symbol table. Pure TypeScript like the rest of the toolchain: the app, the worker, the
 * CLI (`bootscope build`) and tests all call this one function.
 */
import type { Diagnostic } from '../../shared/api/result'
import { assemble } from './asm/index'
import { link, type LayoutReport } from './link/index'
import type { ObjectFile } from './object'
import { gnuArch, riscvAttributesSection } from './asm/attributes'

export interface BuildInput {
  files: { path: string; text: string }[]
  /** Path (among `files`) of the linker script; without it ld's default layout is used. */
  script?: string
  /** For `#include`, `.incbin` and INCLUDE of files not in `files`. */
  readFile?: (path: string) => Uint8Array | undefined
  /** -D definitions for `.S` files. */
  defines?: Record<string, string>
}

/** One run of bytes at a final address, produced by one source line. */
export interface BuildLine {
  address: bigint
  size: number
  file: string
  line: number
}

export interface BuildSymbol {
  name: string
  value: bigint
  size: bigint
  /** Output section name, or `*ABS*`. */
  section: string
}

export interface BuildResult {
  ok: boolean
  elf?: Uint8Array
  layout?: LayoutReport
  diagnostics: Diagnostic[]
  /** Sorted by address. */
  lines: BuildLine[]
  symbols: BuildSymbol[]
}

const SOURCE_RE = /\.[sS]$/
const DECODER = new TextDecoder()

/** `src/entry.S` → `src/entry.o`: the object name scripts refer to (`entry.o(.text)`), as with GNU as. */
export function objectName(path: string): string {
  return path.replace(SOURCE_RE, '.o')
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i + 1)
}

export function build(input: BuildInput): BuildResult {
  const diagnostics: Diagnostic[] = []
  const byPath = new Map(input.files.map((f) => [f.path, f.text]))
  const encoder = new TextEncoder()
  const readBytes = (path: string, from = ''): Uint8Array | undefined => {
    for (const p of from ? [from + path, path] : [path]) {
      const t = byPath.get(p)
      if (t !== undefined) return encoder.encode(t)
    }
    return input.readFile?.(from + path) ?? input.readFile?.(path)
  }

  // 1. Assemble each source on its own, as `as` would.
  const sources = input.files.filter((f) => SOURCE_RE.test(f.path))
  if (sources.length === 0) {
    diagnostics.push({ severity: 'error', code: 'build.no_sources', message: 'nothing to build: the project has no .S or .s file', hint: 'add an assembly file such as entry.S' })
    return { ok: false, diagnostics, lines: [], symbols: [] }
  }
  const objects: ObjectFile[] = []
  for (const f of sources) {
    let r: ReturnType<typeof assemble>
    try {
      r = assemble(f.text, { file: f.path, readFile: (p) => readBytes(p, dirOf(f.path)), defines: input.defines })
    } catch (e) {
      // The assembler's bug must still reach the user as a value.
      r = { diagnostics: [{ severity: 'error', code: 'asm.internal', message: `internal assembler error: ${(e as Error).message}`, loc: { file: f.path, line: 1, column: 1 }, hint: 'this is a Bootscope bug; please report it with this file' }] }
    }
    diagnostics.push(...r.diagnostics)
    if (!r.object) continue
    // GNU as always writes .riscv.attributes; so do we, for identical program headers.
    const hasAttrs = r.object.sections.some((s) => s.name === '.riscv.attributes')
    objects.push({ ...r.object, name: objectName(f.path), sections: hasAttrs ? r.object.sections : [...r.object.sections, riscvAttributesSection(gnuArch(r.rvc ?? true))] })
  }
  if (objects.length !== sources.length) return { ok: false, diagnostics, lines: [], symbols: [] }

  // 2. Link.
  let script: { file: string; text: string } | undefined
  if (input.script !== undefined) {
    const text = byPath.get(input.script) ?? (input.readFile?.(input.script) ? DECODER.decode(input.readFile(input.script)) : undefined)
    if (text === undefined) {
      diagnostics.push({ severity: 'error', code: 'build.no_script', message: `linker script '${input.script}' is not in the project`, hint: 'add the file, or build without -T to use the default layout' })
      return { ok: false, diagnostics, lines: [], symbols: [] }
    }
    script = { file: input.script, text }
  }
  const scriptDir = input.script ? dirOf(input.script) : ''
  const linked = link(objects, {
    script,
    readFile: (p) => {
      const b = readBytes(p, scriptDir)
      return b ? DECODER.decode(b) : undefined
    },
  })
  diagnostics.push(...linked.diagnostics)
  if (!linked.elf || !linked.layout) return { ok: false, diagnostics, lines: [], symbols: [] }

  // 3. Line table at final addresses (after any R_RISCV_ALIGN trimming the linker did).
  const lines: BuildLine[] = []
  const linkedObjects = linked.objects ?? objects
  linkedObjects.forEach((o, oi) => {
    for (const l of o.lines) {
      const base = linked.sectionAddress?.(oi, l.section)
      if (base === undefined) continue
      lines.push({ address: base + BigInt(l.offset), size: l.size, file: l.file, line: l.line })
    }
  })
  lines.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))

  // Object-defined globals carry sizes (from `.size`); the report has names and values only.
  const sizes = new Map<string, bigint>()
  for (const o of linkedObjects) for (const x of o.symbols) if (x.bind !== 'local' && x.section !== 'undef' && !sizes.has(x.name)) sizes.set(x.name, x.size)
  const symbols: BuildSymbol[] = linked.layout.symbols.map((s) => ({ name: s.name, value: BigInt(s.value), size: sizes.get(s.name) ?? 0n, section: s.section }))
  const ok = !diagnostics.some((d) => d.severity === 'error')
  return { ok, elf: linked.elf, layout: linked.layout, diagnostics, lines, symbols }
}
