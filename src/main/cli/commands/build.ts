/**
 * `bootscope build [-T script.ld] FILE.S... -o OUT.elf [--layout OUT.json]`: assembles and links
 * with our toolchain, like `as` + `ld -T` in one step. Diagnostics go to stderr GNU-style
 * (`file:line:col: error: …`), so editors and CI parse them; exit 1 on any error.
 */
import { writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { formatDiagnostic } from '../../../shared/api/result'
import { UsageError, type CliCommand } from '../command'
import { build } from '../../toolchain/build'
import { readInputText } from '../inputs'
import { MAX_INCBIN_BYTES, readRegularFile } from '../../files/regular-file'
import { InputFileRefused } from '../../toolchain/input-file'

const USAGE = `Usage: bootscope build [-T SCRIPT.ld] FILE.S... -o OUT.elf [--layout OUT.json] [-D NAME[=VALUE]]

Assembles each .S/.s file and links them with SCRIPT.ld (GNU ld syntax; without -T, ld's default
layout at 0x10000). Writes the ELF to OUT.elf and, with --layout, the layout report as JSON
(sections, symbols, program headers, the location counter after each statement, warnings).

Options:
  -T FILE        linker script
  -o FILE        output ELF (required)
  --layout FILE  write the layout report (JSON)
  -D NAME[=VAL]  define a preprocessor macro for .S files`

interface BuildArgs {
  script?: string
  sources: string[]
  out: string
  layout?: string
  defines: Record<string, string>
}

export function parseBuildArgs(argv: string[]): BuildArgs {
  const a: Partial<BuildArgs> & { sources: string[]; defines: Record<string, string> } = { sources: [], defines: {} }
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
    else if (arg === '-D') {
      const [k, v = '1'] = value().split('=')
      a.defines[k] = v
    } else if (arg.startsWith('-D') && arg.length > 2) {
      const [k, v = '1'] = arg.slice(2).split('=')
      a.defines[k] = v
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`)
    else a.sources.push(arg)
  }
  if (!a.out) throw new UsageError('where to? give the output ELF with -o OUT.elf')
  if (a.sources.length === 0) throw new UsageError('no input files: give one or more .S/.s files')
  for (const s of a.sources) if (!/\.[sS]$/.test(s)) throw new UsageError(`${s} is not an assembly file (.S or .s)`)
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
