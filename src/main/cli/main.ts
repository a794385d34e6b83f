/**
 * The `bootscope` command line: the headless face of the workbench (build, boot, record, query,
 * check, grade, bench). Dispatches to one module per subcommand.
 */
import { readFileSync } from 'node:fs'
import { packagePath } from '../files/package-root'
import { COMMANDS } from './commands/index'
import { UsageError } from './command'
import { DamagedRecording } from '../trace/recording-damage'

function version(): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8'))
  return pkg.version as string
}

export function helpText(): string {
  const width = Math.max(8, ...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return [
    'Usage: bootscope <command> [options]',
    '',
    'Build, boot, record and inspect kernels on an emulated RISC-V machine.',
    '',
    'Commands:',
    ...(lines.length ? lines : ['  (none yet)']),
    '',
    'Options:',
    '  -h, --help     show this help (or `bootscope help <command>`)',
    '  -v, --version  print the version',
    '  --engine interp|blocks',
    '                 how every command runs RISC-V guest code: compiled blocks (default) or the',
    '                 interpreter (docs/block-compiler.md; same results step for step). Also BOOTSCOPE_ENGINE.',
  ].join('\n')
}

/** An unexpected failure in words: SQLite's and the OS's codes named, the message without a stack. */
function describeFailure(e: unknown): string {
  const code = (e as { code?: unknown }).code
  const message = e instanceof Error ? e.message : String(e)
  if (e instanceof DamagedRecording) return message
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `the disk is full (${message})`
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return `the file is damaged: ${message}`
  return typeof code === 'string' ? `${message} (${code})` : message
}

/**
 * `--engine interp|blocks` (any command): sets BOOTSCOPE_ENGINE for every hart this process and its
 * workers create (boot, record, replay, at, find, check, grade, gdb); the rest of argv goes to the command.
 */
function takeEngine(argv: string[]): string[] {
  const i = argv.findIndex((a) => a === '--engine' || a.startsWith('--engine='))
  if (i < 0) return argv
  const inline = argv[i].startsWith('--engine=')
  const value = inline ? argv[i].slice('--engine='.length) : argv[i + 1]
  const engine = value === 'interp' || value === 'interpreter' ? 'interpreter' : value === 'blocks' ? 'blocks' : undefined
  if (!engine) throw new UsageError(`--engine: expected 'interp' or 'blocks', got ${value === undefined ? 'nothing' : `'${value}'`}`)
  process.env.BOOTSCOPE_ENGINE = engine
  return [...argv.slice(0, i), ...argv.slice(i + (inline ? 1 : 2))]
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help') {
    console.log(helpText())
    return first === undefined ? 2 : 0
  }
  if (first === '-v' || first === '--version') {
    console.log(version())
    return 0
  }
  if (first === 'help') {
    const cmd = COMMANDS.find((c) => c.name === rest[0])
    console.log(cmd ? cmd.usage : helpText())
    return cmd || rest.length === 0 ? 0 : 2
  }
  const cmd = COMMANDS.find((c) => c.name === first)
  if (!cmd) {
    console.error(`bootscope: unknown command '${first}'\n\n${helpText()}`)
    return 2
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    console.log(cmd.usage)
    return 0
  }
  try {
    return await cmd.run(takeEngine(rest))
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`bootscope ${cmd.name}: ${e.message}\n\n${cmd.usage}`)
      return 2
    }
    // Whatever a command did not foresee is still one line, never a stack trace (BOOTSCOPE_DEBUG=1 shows it).
    console.error(`bootscope ${cmd.name}: ${describeFailure(e)}`)
    if (process.env.BOOTSCOPE_DEBUG === '1') console.error((e as Error).stack)
    return 1
  }
}
