/**
 * `bootscope build [-T script.ld] FILE.S|FILE.asm|FILE.o|LIB.a... -o OUT.elf [--layout OUT.json]`:
 * assembles and links with our toolchain, like `as`/`nasm` + `ld -T` in one step. Diagnostics go
 * to stderr GNU-style (`file:line:col: error: …`), so editors and CI parse them; exit 1 on any error.
 */
import { writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { formatDiagnostic } from '../../../shared/api/result'
import { UsageError, type CliCommand } from '../command'
import { build, type BuildArch, type BuildSyntax } from '../../toolchain/build'
import { readInputFile, readInputText } from '../inputs'
import { MAX_INCBIN_BYTES, readRegularFile } from '../../files/regular-file'
import { InputFileRefused } from '../../toolchain/input-file'

const USAGE = `Usage: bootscope build [-T SCRIPT.ld] FILE... -o OUT.elf [--layout OUT.json] [-D NAME[=VALUE]]

Assembles each .S/.s (GNU as) and .asm/.nasm (NASM) file, adds .o objects and .a archives built
elsewhere (gcc, rustc), and links them with SCRIPT.ld (GNU ld syntax; without -T, ld's default
layout for the target). Writes the ELF to OUT.elf and, with --layout, the layout report as JSON
(sections, symbols, program headers, the location counter after each statement, warnings).

Options:
  -T FILE             linker script
  -o FILE             output ELF (required)
  --layout FILE       write the layout report (JSON)
  -D NAME[=VAL]       define a preprocessor macro for .S files
  --arch ARCH         riscv64, i386 or x86_64 (default: what the sources say: bits 64, .code64, …)
  -m EMULATION        as ld: elf64lriscv, elf_i386, elf_x86_64 (sets --arch)
  --syntax SYNTAX     gas or nasm for every source (default: by extension)
  -n                  as ld -n: do not page-align sections in the file
  --gc-sections       as ld: drop sections nothing refers to (KEEP() keeps them)
  -e SYMBOL           entry point (over the script's ENTRY)`

interface BuildArgs {
  script?: string
  sources: string[]
  /** .o and .a inputs, in command-line order. */
  objects: string[]
  out: string
  layout?: string
  defines: Record<string, string>
  arch?: BuildArch
  syntax?: BuildSyntax
  nmagic?: boolean
  gcSections?: boolean
  entry?: string
}

const ARCH_BY_EMULATION: Record<string, BuildArch> = { elf64lriscv: 'riscv64', elf_i386: 'i386', elf_x86_64: 'x86_64' }

export function parseBuildArgs(argv: string[]): BuildArgs {
  const a: Partial<BuildArgs> & { sources: string[]; objects: string[]; defines: Record<string, string> } = { sources: [], objects: [], defines: {} }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new UsageError(`${arg} needs a value`)
      return v
    }
    if (arg === '-T' || arg === '--script') a.script = value()
    else if (arg.startsWith('-T') && arg.length > 2) a.script = arg.slice(2)
    else if (arg === '-o' || arg === '--output') a.out = value()
    else if (arg === '--layout') a.layout = value()
    else if (arg === '--arch') {
      const v = value()
      if (v !== 'riscv64' && v !== 'i386' && v !== 'x86_64') throw new UsageError(`--arch ${v}: expected riscv64, i386 or x86_64`)
      a.arch = v
    } else if (arg === '-m') {
      const v = value()
      if (!ARCH_BY_EMULATION[v]) throw new UsageError(`-m ${v}: expected one of ${Object.keys(ARCH_BY_EMULATION).join(', ')}`)
      a.arch = ARCH_BY_EMULATION[v]
    } else if (arg === '--syntax') {
      const v = value()
      if (v !== 'gas' && v !== 'nasm') throw new UsageError(`--syntax ${v}: expected gas or nasm`)
      a.syntax = v
    } else if (arg === '-n' || arg === '--nmagic') a.nmagic = true
    else if (arg === '--gc-sections') a.gcSections = true
    else if (arg === '-e' || arg === '--entry') a.entry = value()
    else if (arg === '-D') {
      const [k, v = '1'] = value().split('=')
      a.defines[k] = v
    } else if (arg.startsWith('-D') && arg.length > 2) {
      const [k, v = '1'] = arg.slice(2).split('=')
      a.defines[k] = v
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`)
    else if (/\.(o|a)$/.test(arg)) a.objects.push(arg)
    else a.sources.push(arg)
  }
  if (!a.out) throw new UsageError('where to? give the output ELF with -o OUT.elf')
  if (a.sources.length === 0 && a.objects.length === 0) throw new UsageError('no input files: give .S/.s/.asm sources, .o objects or .a archives')
  for (const s of a.sources) if (!/\.([sS]|asm|nasm)$/i.test(s)) throw new UsageError(`${s} is not an input this command takes (.S, .s, .asm, .nasm, .o or .a)`)
  return a as BuildArgs
}

/** bigint-safe JSON (the report itself is hex strings; this guards future fields). */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? '0x' + x.toString(16) : x), 2)
}

export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'assemble and link a kernel (as + ld -T in one step)',
  usage: USAGE,
  async run(argv) {
    const args = parseBuildArgs(argv)
    // Paths as the user typed them, so diagnostics read `entry.S:12:5: error: …`.
    const files = args.sources.map((p) => ({ path: p, text: readInputText(p, 'source') }))
    if (args.script) files.push({ path: args.script, text: readInputText(args.script, 'linker script') })
    const result = build({
      files,
      script: args.script,
      defines: args.defines,
      arch: args.arch,
      syntax: args.syntax,
      nmagic: args.nmagic,
      gcSections: args.gcSections,
      entry: args.entry,
      objects: args.objects.map((p) => ({ path: p, bytes: readInputFile(p, 'object') })),
      // Included files: regular files only, size-limited; a device or a FIFO is refused at the directive.
      readFile: (p) => {
        for (const cand of [p, ...args.sources.map((s) => relative('.', resolve(dirname(s), p)))]) {
          const r = readRegularFile(cand, 'included file', MAX_INCBIN_BYTES)
          if (r.ok) return r.value
          if (r.error.code !== 'file.not_found') throw new InputFileRefused(r.error.message, r.error.hint)
        }
        return undefined
      },
    })
    for (const d of result.diagnostics) console.error(formatDiagnostic(d, d.severity))
    if (!result.ok || !result.elf) return 1
    writeFileSync(args.out, result.elf)
    if (args.layout && result.layout) writeFileSync(args.layout, toJson(result.layout) + '\n')
    return 0
  },
}
