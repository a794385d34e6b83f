/**
 * A workspace with a bootscope.json, through the Host as the app's Build and Boot call it (issue
 * 16): Build runs the file's `make` (riscv64-unknown-elf-gcc -g on the C test kernel) in the
 * workspace, its output streamed as `build.output`; Boot boots what it built with the file's boot
 * options (memory, command line, step budget) and the recording names the C line and function of
 * an instruction (checked against addr2line); a C error becomes a Problem at its file:line:column
 * and keeps Boot from starting; a build tool that is not installed is named; a mistake in the
 * file itself is reported at its line and column. The recording's sources are readable through
 * `source.read` — a file outside the workspace only when the line table names it.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Host } from '../../../src/main/host/host'
import type { ArgsOf, RequestName, ResultOf } from '../../../src/shared/api/contract'
import type { Result } from '../../../src/shared/api/result'
import type { BootOutcome } from '../../../src/shared/api/boot'
import { readElf } from '../../../src/shared/elf/reader'
import { oracle } from '../../support/oracles'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { META } from '../../../src/main/trace/schema'
import { RECORDINGS_FOLDER } from '../../../src/main/host/workspace'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const addr2line = oracle('riscv64-unknown-elf-addr2line', 'binutils-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const WORKSPACE_FILE = { version: 1, build: { command: 'make' }, kernel: 'kernel.elf', memory: '64M', cmdline: 'console=ttyS0', maxSteps: 2_000_000, strictTlb: true }

let base: string
let root: string
let host: Host
const events: { event: string; payload: unknown }[] = []

async function call<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<Result<ResultOf<N>>> {
  return (await host.invoke(name, args)) as Result<ResultOf<N>>
}

async function value<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<ResultOf<N>> {
  const r = await call(name, args)
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`)
  return r.value
}

/** Boot (Build first), and the outcome once the recording is written. */
async function bootBuild(): Promise<Result<{ runId: string }> & { outcome?: BootOutcome }> {
  let finished: (o: BootOutcome) => void = () => {}
  const done = new Promise<BootOutcome>((r) => (finished = r))
  const off = host.onEvent((e, p) => e === 'boot.finished' && finished(p as BootOutcome))
  try {
    const r = await call('boot.start', { kernel: { kind: 'build' } })
    if (!r.ok) return r
    return { ...r, outcome: await done }
  } finally {
    off()
  }
}

const original = readFileSync(join(C_KERNEL, 'main.c'), 'utf8')

describe.skipIf(make.missing || gcc.missing || addr2line.missing)('a workspace built by its bootscope.json command', () => {
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'bootscope-wsfile-'))
    root = join(base, 'workspace')
    cpSync(C_KERNEL, root, { recursive: true })
    rmSync(join(root, 'kernel.elf'), { force: true })
    writeFileSync(join(root, 'bootscope.json'), JSON.stringify(WORKSPACE_FILE, null, 2))
    host = new Host({ workspaceRoot: root, transport: 'websocket' })
    host.onEvent((event, payload) => events.push({ event, payload }))
    await host.core.whenReady()
  }, 120_000)

  afterAll(async () => {
    await host?.dispose()
    if (base) rmSync(base, { recursive: true, force: true })
  })

  it('builds with make in the workspace, streaming the command output, and reports the ELF', async () => {
    events.length = 0
    const summary = await value('build.run', {})
    expect(summary.diagnostics).toEqual([])
    expect(summary).toMatchObject({ ok: true, elf: { path: 'kernel.elf' } })
    const elf = readElf(readFileSync(join(root, 'kernel.elf')))
    expect(elf.ok && `0x${elf.value.header.entry.toString(16)}`).toBe(summary.elf!.entry)
    const output = events.filter((e) => e.event === 'build.output').map((e) => (e.payload as { text: string }).text).join('')
    expect(output).toMatch(/riscv64-unknown-elf-gcc .*-g .*-o kernel\.elf start\.S main\.c/)
    expect(events.find((e) => e.event === 'build.finished')?.payload).toEqual(summary)
  }, 120_000)

  it('boots what it built with the file\'s options, and the recording names C lines and functions', async () => {
    const r = await bootBuild()
    expect(r.ok).toBe(true)
    const outcome = r.outcome!
    expect(outcome.stop.reason).toBe('shutdown')
    const overview = await value('recording.open', { path: outcome.recording })
    const reader = RecordingReader.open(join(root, RECORDINGS_FOLDER, outcome.recording))
    if (!reader.ok) throw new Error(reader.error.message)
    const config = JSON.parse(reader.value.meta()[META.config]) as Record<string, unknown>
    reader.value.close()
    expect(config).toMatchObject({ memBytes: 64 * 1024 * 1024, maxSteps: '2000000', append: 'console=ttyS0', machine: 'riscv64-virt', strictTlb: true })
    expect(overview.sourceLines.some((l) => l.file === join(root, 'main.c'))).toBe(true)

    const bytes = readFileSync(join(root, 'kernel.elf'))
    const elf = readElf(bytes)
    if (!elf.ok) throw new Error(elf.error.message)
    const fn = elf.value.symbols.find((s) => s.name === 'map_gigapage')!
    const found = await value('recording.find', { path: outcome.recording, from: 0, direction: 'forward', target: { pc: `0x${fn.value.toString(16)}` } })
    expect(found.step).not.toBeNull()
    const state = await value('recording.state', { path: outcome.recording, step: found.step! })
    const [file, line] = execFileSync(addr2line.path!, ['-e', join(root, 'kernel.elf'), `0x${fn.value.toString(16)}`], { encoding: 'utf8' }).trim().split(':')
    expect(state.instruction.loc).toMatchObject({ file, line: Number(line) })
    expect(state.instruction.function).toBe('map_gigapage')
  }, 180_000)

  it('reads the sources a recording names — a workspace file as the workspace\'s, one outside it only when named, and only source files', async () => {
    const lib = join(base, 'lib')
    mkdirSync(lib, { recursive: true })
    writeFileSync(join(lib, 'extra.c'), '#include "body.def"\nint extra_fn(int x)\n{\n    return def_fn(x) * 3 + 1;\n}\n')
    // Code from a file that is not a source file by its name: the line table names it, source.read does not read it.
    writeFileSync(join(lib, 'body.def'), '__attribute__((noinline)) int def_fn(int x)\n{\n    return x - 7;\n}\n')
    const flags = '-g -O1 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -fno-builtin -nostdlib'
    await value('file.write', { path: 'bootscope.json', text: JSON.stringify({ ...WORKSPACE_FILE, build: { command: `riscv64-unknown-elf-gcc ${flags} -T kernel.ld -o kernel.elf start.S main.c ${join(lib, 'extra.c')}` } }) })
    try {
      const r = await bootBuild()
      expect(r.ok && r.outcome!.stop.reason).toBe('shutdown')
      const recording = r.outcome!.recording
      const overview = await value('recording.open', { path: recording })
      expect(overview.functions.map((f) => f.name)).toEqual(expect.arrayContaining(['kernel_main', 'map_gigapage', 'extra_fn']))
      const outside = await value('source.read', { recording, file: join(lib, 'extra.c') })
      expect(outside).toMatchObject({ path: join(lib, 'extra.c'), text: readFileSync(join(lib, 'extra.c'), 'utf8') })
      const inside = await value('source.read', { recording, file: join(root, 'main.c') })
      expect(inside).toMatchObject({ path: 'main.c', text: original })
      const passwd = await call('source.read', { recording, file: '/etc/passwd' })
      expect(!passwd.ok && passwd.error.code).toBe('source.not_in_recording')
      const notSource = await call('source.read', { recording, file: join(lib, 'body.def') })
      expect(overview.sourceLines.some((l) => l.file === join(lib, 'body.def'))).toBe(true)
      expect(!notSource.ok && notSource.error.code).toBe('source.not_source')
      const notNamed = await call('source.read', { recording, file: join(lib, 'other.c') })
      expect(!notNamed.ok && notNamed.error.code).toBe('source.not_in_recording')
    } finally {
      await value('file.write', { path: 'bootscope.json', text: JSON.stringify(WORKSPACE_FILE, null, 2) })
    }
  }, 180_000)

  it('makes a C error a Problem at its file:line:column, and Boot does not start', async () => {
    await value('file.write', { path: 'main.c', text: original.replace('    uart_puts("C kernel\\n");', '    uart_puts("C kernel\\n")') })
    try {
      const summary = await value('build.run', {})
      expect(summary.ok).toBe(false)
      const error = summary.diagnostics.find((d) => d.loc?.file === 'main.c')
      expect(error).toMatchObject({ severity: 'error', loc: { line: 42, column: 28 } })
      expect(error!.message).toMatch(/expected ';'/)
      const boot = await bootBuild()
      expect(boot.ok).toBe(false)
      expect(!boot.ok && boot.error).toMatchObject({ code: 'build.failed', loc: { file: 'main.c', line: 42, column: 28 } })
    } finally {
      await value('file.write', { path: 'main.c', text: original })
    }
  }, 120_000)

  it('cancels a build (Build\'s and Boot\'s): the command\'s process group ends, and the console says so', async () => {
    const file = (o: object) => value('file.write', { path: 'bootscope.json', text: JSON.stringify(o, null, 2) })
    // The shell starts a sleep in the background and waits for it: only ending the whole group ends the sleep.
    await file({ ...WORKSPACE_FILE, build: { command: 'sleep 60 & echo "sleeper $!"; wait' } })
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    const sleeper = async (from: number): Promise<number> => {
      for (;;) {
        const text = events.slice(from).filter((e) => e.event === 'build.output').map((e) => (e.payload as { text: string }).text).join('')
        const m = /sleeper (\d+)/.exec(text)
        if (m) return Number(m[1])
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    try {
      expect(await value('build.cancel', {})).toEqual({ cancelled: false }) // nothing is building
      let from = events.length
      const building = call('build.run', {})
      const pid = await sleeper(from)
      expect(alive(pid)).toBe(true)
      expect(await value('build.cancel', {})).toEqual({ cancelled: true })
      const summary = await building
      expect(summary.ok && summary.value).toMatchObject({ ok: false, cancelled: true })
      expect(summary.ok && summary.value.diagnostics.at(-1)!.message).toBe('the build was cancelled')
      const said = events.slice(from).filter((e) => e.event === 'build.output').map((e) => (e.payload as { text: string }).text).join('')
      expect(said).toMatch(/build cancelled: sent SIGTERM to the build command's process group \(\d+\)/)
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20))
      expect(alive(pid)).toBe(false)

      // Boot starts with the build: cancelling it there boots nothing, and says why.
      from = events.length
      const boot = bootBuild()
      const bootPid = await sleeper(from)
      await value('build.cancel', {})
      const r = await boot
      expect(!r.ok && r.error).toMatchObject({ code: 'build.cancelled' })
      for (let i = 0; i < 100 && alive(bootPid); i++) await new Promise((r) => setTimeout(r, 20))
      expect(alive(bootPid)).toBe(false)
    } finally {
      await file(WORKSPACE_FILE)
    }
  }, 120_000)

  it('names a build tool that is not installed, and a mistake in bootscope.json at its line and column', async () => {
    const file = (o: object) => value('file.write', { path: 'bootscope.json', text: JSON.stringify(o, null, 2) })
    try {
      await file({ ...WORKSPACE_FILE, build: { command: 'no-such-build-tool-xyz all' } })
      const missing = await value('build.run', {})
      expect(missing.ok).toBe(false)
      expect(missing.diagnostics.at(-1)).toMatchObject({ message: 'the build command\'s tool `no-such-build-tool-xyz` is not installed (or not on PATH)', loc: { file: 'bootscope.json' } })
      const boot = await bootBuild()
      expect(!boot.ok && boot.error.message).toMatch(/`no-such-build-tool-xyz` is not installed/)

      await file({ ...WORKSPACE_FILE, memory: 'lots' })
      const bad = await value('build.run', {})
      expect(bad.ok).toBe(false)
      expect(bad.diagnostics[0]).toMatchObject({ message: 'memory "lots" is not a size', loc: { file: 'bootscope.json', line: 7 } })
    } finally {
      await file(WORKSPACE_FILE)
    }
  }, 120_000)
})
