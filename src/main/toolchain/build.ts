/**
 * The build driver: assembles every source of a project with the front end its extension (or
 * `syntax`) names — GNU as syntax for `.S`/`.s`, NASM for `.asm`/`.nasm` — for the target the
 * project is built for (`arch`, else what the sources say: `bits 64`, `.code64`, AT&T registers),
 * adds objects and `ar` archives built elsewhere (gcc, rustc), links everything with the project's
 * linker script (or ld's default layout), and returns the ELF, the layout report, every
 * diagnostic, a line table from final addresses back to source lines, and the symbol table. Pure
 * TypeScript like the rest of the toolchain: the app, the worker, the CLI (`bootscope build`) and
 * tests all call this one function.
 */
import type { Diagnostic } from '../../shared/api/result'
import { readArchive, isArchive } from '../../shared/elf/archive'
import { readRelocatable } from '../../shared/elf/read-relocatable'
import { assemble } from './asm/index'
import { assembleNasm } from './asm/nasm/index'
import { link, type LayoutReport, type LinkInput } from './link/index'
import type { ObjectFile } from './object'
import { gnuArch, riscvAttributesSection } from './asm/attributes'
import { assembleGasX86 } from './asm/gas-x86'
import { isX86GasSource, saysLongMode } from '../../shared/asm/x86-gas'

/** What a project is built for; it picks the assembler's mode, the object format and the linker's emulation. */
export type BuildArch = 'riscv64' | 'i386' | 'x86_64'
/** Assembly syntax for `.s`/`.S` and `.asm` sources. */
export type BuildSyntax = 'gas' | 'nasm'

export interface BuildInput {
  files: { path: string; text: string }[]
  /** Path (among `files`) of the linker script; without it ld's default layout is used. */
  script?: string
  /** For `#include`, `.incbin` and INCLUDE of files not in `files`. */
  readFile?: (path: string) => Uint8Array | undefined
  /** -D definitions for `.S` files. */
  defines?: Record<string, string>
  /** The target; without it, the sources decide (RISC-V unless they are x86). */
  arch?: BuildArch
  /** Syntax of every source, over what the extension says. */
  syntax?: BuildSyntax
  /** Objects (`.o`) and archives (`.a`) built elsewhere, linked after the sources' objects, in this order. */
  objects?: { path: string; bytes: Uint8Array }[]
  /** ld's `-n`: no page alignment of the file (seed 002). */
  nmagic?: boolean
  /** ld's `--gc-sections`. */
  gcSections?: boolean
  /** ld's `-e`. */
  entry?: string
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

const NASM_RE = /\.(asm|nasm)$/i
const SOURCE_RE = /\.([sS]|asm|nasm)$/i
const DECODER = new TextDecoder()

/** `src/entry.S` → `src/entry.o`: the object name scripts refer to (`entry.o(.text)`), as with GNU as. */
export function objectName(path: string): string {
  return path.replace(SOURCE_RE, '.o')
}

/** The syntax a source is written in: `syntax` when given, else its extension's. */
export function syntaxOf(path: string, syntax?: BuildSyntax): BuildSyntax {
  return syntax ?? (NASM_RE.test(path) ? 'nasm' : 'gas')
}

/**
 * The target the sources are written for when the project does not say: x86-64 when one says
 * `bits 64`/`[BITS 64]`/`.code64`, i386 when they are otherwise x86 (NASM, `.code16/32`, `%eax`),
 * else RISC-V.
 */
export function detectArch(files: { path: string; text: string }[], syntax?: BuildSyntax): BuildArch {
  let x86 = false
  for (const f of files) {
    if (!SOURCE_RE.test(f.path)) continue
    if (saysLongMode(f.text)) return 'x86_64'
    if (syntaxOf(f.path, syntax) === 'nasm' || isX86GasSource(f.text)) x86 = true
  }
  return x86 ? 'i386' : 'riscv64'
}

const EMULATIONS: Record<BuildArch, string> = { riscv64: 'elf64lriscv', i386: 'elf_i386', x86_64: 'elf_x86_64' }

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

  // 1. Assemble each source on its own, as `as` or `nasm` would.
  const sources = input.files.filter((f) => SOURCE_RE.test(f.path))
  if (sources.length === 0 && !input.objects?.length) {
    diagnostics.push({ severity: 'error', code: 'build.no_sources', message: 'nothing to build: the project has no .S, .s or .asm file', hint: 'add an assembly file such as entry.S' })
    return { ok: false, diagnostics, lines: [], symbols: [] }
  }
  const arch = input.arch ?? detectArch(sources, input.syntax)
  const objects: ObjectFile[] = []
  for (const f of sources) {
    const readFile = (p: string) => readBytes(p, dirOf(f.path))
    let r: { object?: ObjectFile; diagnostics: Diagnostic[]; rvc?: boolean }
    try {
      if (syntaxOf(f.path, input.syntax) === 'nasm') {
        r = arch === 'riscv64'
          ? { diagnostics: [{ severity: 'error', code: 'build.wrong_arch', message: `${f.path} is NASM (x86) source, but the project is built for RISC-V`, loc: { file: f.path, line: 1, column: 1 }, hint: 'build with --arch i386 or --arch x86_64' }] }
          : assembleNasm(f.text, { file: f.path, format: arch === 'i386' ? 'elf32' : 'elf64', readFile, defines: input.defines })
      } else if (arch !== 'riscv64') {
        r = assembleGasX86(f.text, { file: f.path, elf: arch === 'i386' ? 32 : 64, readFile, defines: input.defines })
      } else r = assemble(f.text, { file: f.path, readFile, defines: input.defines })
    } catch (e) {
      // The assembler's bug must still reach the user as a value.
      r = { diagnostics: [{ severity: 'error', code: 'asm.internal', message: `internal assembler error: ${(e as Error).message}`, loc: { file: f.path, line: 1, column: 1 }, hint: 'this is a Bootscope bug; please report it with this file' }] }
    }
    diagnostics.push(...r.diagnostics)
    if (!r.object) continue
    // GNU as always writes .riscv.attributes for RISC-V; so do we, for identical program headers.
    const riscv = (r.object.machine ?? 243) === 243
    const hasAttrs = !riscv || r.object.sections.some((s) => s.name === '.riscv.attributes')
    objects.push({ ...r.object, name: objectName(f.path), sections: hasAttrs ? r.object.sections : [...r.object.sections, riscvAttributesSection(gnuArch(r.rvc ?? true))] })
  }
  if (objects.length !== sources.length) return { ok: false, diagnostics, lines: [], symbols: [] }
  // Objects and archives built elsewhere, after ours (as on ld's command line).
  const inputs: LinkInput[] = [...objects]
  for (const o of input.objects ?? []) {
    const r = isArchive(o.bytes) ? readArchive(o.bytes, o.path) : readRelocatable(o.bytes, o.path)
    if (!r.ok) {
      diagnostics.push({ severity: 'error', code: r.error.code, message: r.error.message, hint: r.error.hint, loc: { file: o.path, line: 1, column: 1 } })
      continue
    }
    inputs.push(r.value)
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics, lines: [], symbols: [] }

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
  const linked = link(inputs, {
    script,
    emulation: input.arch || arch !== 'riscv64' ? EMULATIONS[arch] : undefined,
    nmagic: input.nmagic,
    gcSections: input.gcSections,
    entry: input.entry,
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
