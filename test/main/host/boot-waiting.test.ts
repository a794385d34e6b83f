/** Through the Host and the core worker: a boot whose guest waits for input stays open; typed input reaches it; Cancel ends it. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Host } from '../../../src/main/host/host'
import type { BootOutcome, BootProgress } from '../../../src/shared/api/boot'
import { buildKernel } from '../../fixtures/machine/build-kernel'

let host: Host | undefined
afterEach(async () => {
  await host?.dispose()
})

describe('a boot that waits for input', () => {
  it('stays open while the guest waits, takes typed input, and ends on cancel with its recording', async () => {
    const home = join(mkdtempSync(join(tmpdir(), 'bootscope-wait-')), 'workspace')
    host = new Host({ workspaceRoot: home, transport: 'websocket' })
    await host.core.whenReady()
    copyFileSync(buildKernel(['uart-irq-echo.S'], 'm-mode.ld').elf, join(home, 'echo.elf'))
    const progress: BootProgress[] = []
    let output = ''
    let finished: (o: BootOutcome) => void = () => {}
    const done = new Promise<BootOutcome>((r) => (finished = r))
    host.onEvent((e, p) => {
      if (e === 'boot.progress') progress.push(p as BootProgress)
      if (e === 'boot.output') output += (p as { text: string }).text
      if (e === 'boot.finished') finished(p as BootOutcome)
    })
    const started = await host.invoke('boot.start', { kernel: { kind: 'file', path: 'echo.elf' }, bios: 'none' })
    if (!started.ok) throw new Error(started.error.message)
    const runId = (started.value as { runId: string }).runId
    const until = async (f: () => boolean) => {
      for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 25))
      expect(f()).toBe(true)
    }
    await until(() => progress.at(-1)?.waiting === true)
    const input = await host.invoke('boot.input', { runId, text: 'x' })
    expect(input.ok).toBe(true)
    await until(() => output.includes('[x]'))
    await until(() => progress.at(-1)?.waiting === true)
    const cancelled = await host.invoke('boot.cancel', { runId })
    expect(cancelled).toMatchObject({ ok: true, value: { cancelled: true } })
    const outcome = await done
    expect(outcome.stop.reason).toBe('cancelled')
    rmSync(join(home, '..'), { recursive: true, force: true })
  }, 30_000)
})
