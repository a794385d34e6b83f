/**
 * The watchdog (issue 10, item 8): a build or query that overruns its deadline is cancelled; a
 * worker that cannot even read the cancel (a synchronous loop) is terminated and restarted, the
 * request fails with `core_timeout`, and nothing on disk is lost. Builds run in a worker of their
 * own, so stopping one leaves a boot that is recording untouched. And the 811-byte file of the
 * issue, which used to hang the worker for good, is now an error at its line.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CoreWorker } from '../../../src/main/host/core-worker'
import { Host } from '../../../src/main/host/host'
import type { BootOutcome, BootProgress } from '../../../src/shared/api/boot'
import type { BuildSummary } from '../../../src/shared/api/build'
import { buildKernel } from '../../fixtures/machine/build-kernel'

let core: CoreWorker | undefined
let host: Host | undefined
afterEach(async () => {
  await core?.dispose()
  await host?.dispose()
  core = host = undefined
})

/** `#define A{n+1} A{n}+A{n}` forty times, then `.word A40`: 2^40 copies of `A0`. */
export function doublingDefines(levels = 40): string {
  let s = '#define A0 1\n'
  for (let n = 0; n < levels; n++) s += `#define A${n + 1} A${n}+A${n}\n`
  return s + `.word A${levels}\n`
}

describe('the core worker watchdog', () => {
  it('terminates a worker stuck past the deadline, fails that request with core_timeout, restarts, and keeps recordings', async () => {
    const crashes: string[] = []
    core = new CoreWorker({ allowDebug: true, deadlines: { 'debug.hang': 300 }, onCrash: (m) => crashes.push(m) })
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-watchdog-'))
    expect((await core.request('recordings.create', { path: join(dir, 'kept.sqlite'), kernel: 'k.elf', config: {} })).ok).toBe(true)
    const r = await core.request('debug.hang', { millis: 120_000 })
    expect(r).toMatchObject({ ok: false, error: { code: 'core_timeout', message: 'debug.hang took longer than 0.3 s and was stopped' } })
    expect(crashes).toEqual(['debug.hang ran longer than 0.3 s and did not stop when cancelled: the core worker was restarted'])
    expect(core.restarts).toBe(1)
    const list = await core.request('recordings.list', { dir })
    expect(list.ok && list.value.map((x) => x.path)).toEqual(['kept.sqlite'])
  })

  it('cancels a request that overruns but listens, without restarting the worker', async () => {
    core = new CoreWorker({ allowDebug: true, deadlines: { 'debug.spin': 200 } })
    const r = await core.request('debug.spin', { millis: 60_000 })
    expect(r).toMatchObject({ ok: true, value: { cancelled: true } })
    expect(core.restarts).toBe(0)
  })
})

describe('builds that used to hang the worker', () => {
  it('answers the issue\'s doubling #define file (40 lines, ~800 bytes) with an error at its line, and the next request too', async () => {
    const ws = join(mkdtempSync(join(tmpdir(), 'bootscope-bomb-')), 'ws')
    host = new Host({ workspaceRoot: ws, transport: 'websocket' })
    writeFileSync(join(ws, 'main.S'), doublingDefines())
    const r = await host.invoke('build.run', {})
    expect(r.ok).toBe(true)
    const summary = r.ok ? (r.value as BuildSummary) : undefined
    expect(summary?.ok).toBe(false)
    expect(summary?.diagnostics).toContainEqual(expect.objectContaining({
      code: 'asm.macro_too_large', message: 'expanding `A40` produces more than 1 MiB of text', loc: expect.objectContaining({ file: 'main.S', line: 42, column: 7 }),
    }))
    expect((await host.invoke('app.info', {})).ok).toBe(true)
  })

  it('stops a build in its own worker, so a boot being recorded goes on and takes input', async () => {
    const ws = join(mkdtempSync(join(tmpdir(), 'bootscope-wd-boot-')), 'ws')
    host = new Host({ workspaceRoot: ws, transport: 'websocket', allowDebug: true, workerDeadlines: { 'debug.hang': 300 } })
    copyFileSync(buildKernel(['uart-irq-echo.S'], 'm-mode.ld').elf, join(ws, 'echo.elf'))
    const progress: BootProgress[] = []
    const crashes: string[] = []
    let output = ''
    let finished: (o: BootOutcome) => void = () => {}
    const done = new Promise<BootOutcome>((r) => (finished = r))
    host.onEvent((e, p) => {
      if (e === 'boot.progress') progress.push(p as BootProgress)
      if (e === 'boot.output') output += (p as { text: string }).text
      if (e === 'core.crashed') crashes.push((p as { message: string }).message)
      if (e === 'boot.finished') finished(p as BootOutcome)
    })
    const until = async (f: () => boolean) => {
      for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 25))
      expect(f()).toBe(true)
    }
    const started = await host.invoke('boot.start', { kernel: { kind: 'file', path: 'echo.elf' }, bios: 'none' })
    if (!started.ok) throw new Error(started.error.message)
    const runId = (started.value as { runId: string }).runId
    await until(() => progress.at(-1)?.waiting === true)
    // A build that never ends, in the toolchain worker (the debug hook stands for one).
    const toolchain = (host as unknown as { toolchain(): CoreWorker }).toolchain()
    const stuck = await toolchain.request('debug.hang', { millis: 120_000 })
    expect(stuck).toMatchObject({ ok: false, error: { code: 'core_timeout' } })
    expect(crashes[0]).toMatch(/the toolchain worker was restarted/)
    expect(host.core.restarts).toBe(0)
    expect(await host.invoke('boot.input', { runId, text: 'x' })).toMatchObject({ ok: true })
    await until(() => output.includes('[x]'))
    await host.invoke('boot.cancel', { runId })
    const outcome = await done
    expect(outcome.stop.reason).toBe('cancelled')
    expect(outcome.steps).toBeGreaterThan(0)
  }, 60_000)
})
