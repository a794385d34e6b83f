/**
 * Boot with gdb from the app (issue 16): `boot.start` with `gdb` through the Host, as both the
 * Electron window and browser mode call it, on the C test kernel built by its bootscope.json's
 * make. `boot.gdb` says where the stub listens; gdb-multiarch attaches there, breaks in
 * kernel_main and steps backward; keys typed while gdb drives are refused with the reason; when
 * gdb detaches the boot runs on and its recording is the same boot as one without gdb. A boot
 * waiting for gdb is cancelled (the stub closes). A port already taken is a clear error.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Host } from '../../../src/main/host/host'
import type { ArgsOf, RequestName, ResultOf } from '../../../src/shared/api/contract'
import type { Result } from '../../../src/shared/api/result'
import type { BootGdbStatus, BootOutcome } from '../../../src/shared/api/boot'
import { oracle } from '../../support/oracles'
import { gdbBatch } from '../../support/gdb-batch'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { RECORDINGS_FOLDER } from '../../../src/main/host/workspace'
import { buildX86Kernel, gasX86, gccMulti, ldX86, nasm } from '../../support/x86-tools'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const x86Tools = [gasX86(), ldX86(), gccMulti(), nasm()]

let base: string
let root: string
let host: Host
const events: { event: string; payload: unknown }[] = []

async function call<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<Result<ResultOf<N>>> {
  return (await host.invoke(name, args)) as Result<ResultOf<N>>
}

/** The first event (after `from`) that `match` accepts. */
async function next<T>(from: number, match: (e: { event: string; payload: unknown }) => boolean): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const e = events.slice(from).find(match)
    if (e) return e.payload as T
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('no such event within 60 s')
}
const gdbEvent = (runId: string, state: BootGdbStatus['state']) => (e: { event: string; payload: unknown }) => e.event === 'boot.gdb' && (e.payload as BootGdbStatus).runId === runId && (e.payload as BootGdbStatus).state === state
const finished = (runId: string) => (e: { event: string; payload: unknown }) => e.event === 'boot.finished' && (e.payload as BootOutcome).runId === runId

function stepsAndKinds(name: string): { steps: number; kinds: string[] } {
  const r = RecordingReader.open(join(root, RECORDINGS_FOLDER, name))
  if (!r.ok) throw new Error(r.error.message)
  try {
    return { steps: r.value.steps, kinds: r.value.events({}).map((e) => e.kind) }
  } finally {
    r.value.close()
  }
}

describe.skipIf(make.missing || gcc.missing || gdb.missing)('boot with gdb from the app', () => {
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'bootscope-app-gdb-'))
    root = join(base, 'workspace')
    cpSync(C_KERNEL, root, { recursive: true })
    writeFileSync(join(root, 'bootscope.json'), JSON.stringify({ version: 1, build: { command: 'make' }, kernel: 'kernel.elf' }))
    host = new Host({ workspaceRoot: root, transport: 'websocket' })
    host.onEvent((event, payload) => events.push({ event, payload }))
    await host.core.whenReady()
  }, 120_000)

  afterAll(async () => {
    await host?.dispose()
    if (base) rmSync(base, { recursive: true, force: true })
  })

  it('serves the boot to gdb at the address it gives, refuses typed keys while gdb drives, and records the same boot', async () => {
    const from = events.length
    const started = await call('boot.start', { kernel: { kind: 'build' }, gdb: { port: 0 } })
    if (!started.ok) throw new Error(started.error.message)
    const { runId } = started.value
    const listening = await next<BootGdbStatus>(from, gdbEvent(runId, 'listening'))
    expect(listening.address).toMatch(/^127\.0\.0\.1:\d+$/)
    const typed = await call('boot.input', { runId, text: 'x' })
    expect(!typed.ok && typed.error).toMatchObject({ code: 'boot.gdb_input', message: expect.stringContaining('gdb drives this boot') })

    const port = Number(listening.address.split(':')[1])
    const out = await gdbBatch({ gdb: gdb.path!, dir: base, port, elf: join(root, 'kernel.elf') }, ['p/x $pc', 'break kernel_main', 'continue', 'stepi 5', 'reverse-stepi 3', 'p/x $pc', 'info symbol $pc'])
    expect(out).toMatch(/\$1 = 0x80200000/)
    expect(out).toMatch(/Breakpoint 1, (0x[0-9a-f]+ in )?kernel_main \(\) at .*main\.c:\d+/)
    expect(out).toMatch(/kernel_main \+ \d+ in section \.text/)
    await next(from, gdbEvent(runId, 'detached'))
    const outcome = await next<BootOutcome>(from, finished(runId))
    expect(outcome.stop.reason).toBe('shutdown')

    // The same boot without gdb.
    const plainFrom = events.length
    const plain = await call('boot.start', { kernel: { kind: 'build' } })
    if (!plain.ok) throw new Error(plain.error.message)
    const plainOutcome = await next<BootOutcome>(plainFrom, finished(plain.value.runId))
    expect(stepsAndKinds(outcome.recording)).toEqual(stepsAndKinds(plainOutcome.recording))
    expect(events.slice(plainFrom).some((e) => e.event === 'boot.gdb')).toBe(false)
  }, 180_000)

  it.skipIf(x86Tools.some((t) => t.missing))('serves an x86 kernel the same way (a file from the workspace, i386 registers in gdb)', async () => {
    const seed = buildX86Kernel({ sources: ['seed-000/boot.S', 'seed-000/kmain.c'], bits: 32, script: 'seed-000/linker.ld', debug: true })
    writeFileSync(join(root, 'x86.elf'), seed.bytes)
    const from = events.length
    const started = await call('boot.start', { kernel: { kind: 'file', path: 'x86.elf' }, gdb: { port: 0 } })
    if (!started.ok) throw new Error(started.error.message)
    const listening = await next<BootGdbStatus>(from, gdbEvent(started.value.runId, 'listening'))
    const out = await gdbBatch({ gdb: gdb.path!, dir: base, port: Number(listening.address.split(':')[1]), elf: seed.path }, ['p/x $eip', 'break kmain', 'continue', 'p/x $cr0'])
    expect(out).toMatch(/\$1 = 0x10000c/) // the Multiboot entry
    expect(out).toMatch(/Breakpoint 1, kmain \(/)
    expect(out).toMatch(/\$2 = 0x8[0-9a-f]{7}/) // paging on in kmain
    const outcome = await next<BootOutcome>(from, finished(started.value.runId))
    expect(outcome.stop.reason).toBe('shutdown') // detached: it ran on to its end
  }, 180_000)

  it('cancels a boot waiting for gdb (the stub closes), and says so when the port is taken', async () => {
    const from = events.length
    const started = await call('boot.start', { kernel: { kind: 'build' }, gdb: { port: 0 } })
    if (!started.ok) throw new Error(started.error.message)
    const { runId } = started.value
    const listening = await next<BootGdbStatus>(from, gdbEvent(runId, 'listening'))
    expect(await call('boot.cancel', { runId })).toEqual({ ok: true, value: { cancelled: true } })
    await next(from, gdbEvent(runId, 'closed'))
    const outcome = await next<BootOutcome>(from, finished(runId))
    expect(outcome.stop.reason).toBe('cancelled')
    const port = Number(listening.address.split(':')[1])
    // The stub no longer listens.
    const refused = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(false))
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
    })
    expect(refused).toBe(true)

    // A port that is taken.
    const taken = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()))
    try {
      const takenFrom = events.length
      const busy = await call('boot.start', { kernel: { kind: 'build' }, gdb: { port: (taken.address() as AddressInfo).port } })
      if (!busy.ok) throw new Error(busy.error.message)
      const o = await next<BootOutcome>(takenFrom, finished(busy.value.runId))
      expect(o.stop.reason).toBe('error')
      expect(o.stop.message).toMatch(/^cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
    } finally {
      taken.close()
    }
  }, 180_000)
})
