/** Through the Host: shutting down (the server's SIGINT/SIGTERM, quitting the app) ends a running boot's recording cleanly. */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Host } from '../../../src/main/host/host'
import type { BootProgress } from '../../../src/shared/api/boot'
import { readSummary } from '../../../src/main/trace/recording-file'
import { buildKernel } from '../../fixtures/machine/build-kernel'

describe('shutting the host down during a boot', () => {
  it('finishes the recording as interrupted, in place, before the worker goes', async () => {
    const home = join(mkdtempSync(join(tmpdir(), 'bootscope-shutdown-')), 'workspace')
    const host = new Host({ workspaceRoot: home, transport: 'websocket' })
    await host.core.whenReady()
    copyFileSync(buildKernel(['uart-irq-echo.S'], 'm-mode.ld').elf, join(home, 'echo.elf'))
    let waiting = false
    host.onEvent((e, p) => {
      if (e === 'boot.progress' && (p as BootProgress).waiting) waiting = true
    })
    const started = await host.invoke('boot.start', { kernel: { kind: 'file', path: 'echo.elf' }, bios: 'none' })
    if (!started.ok) throw new Error(started.error.message)
    for (let i = 0; i < 400 && !waiting; i++) await new Promise((r) => setTimeout(r, 25))
    expect(waiting).toBe(true)
    await host.dispose()
    const dir = join(home, '.bootscope', 'recordings')
    const files = readdirSync(dir).filter((n) => n.endsWith('.sqlite'))
    expect(files).toHaveLength(1)
    expect(files[0]).not.toContain('.partial-')
    const s = readSummary(join(dir, files[0]))
    if (!s.ok) throw new Error(s.message)
    expect(s.summary.outcome).toBe('interrupted')
    expect(s.summary.steps).toBeGreaterThan(0)
  }, 30_000)
})
