import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CoreWorker } from '../../../src/main/host/core-worker'

let core: CoreWorker | undefined
afterEach(async () => {
  await core?.dispose()
  core = undefined
})

describe('CoreWorker', () => {
  it('answers from SQLite in the worker thread', async () => {
    core = new CoreWorker()
    const r = await core.request('core.info', {})
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value.sqliteVersion).toMatch(/^3\.\d+\.\d+/)
      expect(r.value.schemaVersion).toBeGreaterThan(0)
    }
  })

  it('creates a recording file and lists it with its summary', async () => {
    core = new CoreWorker()
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-rec-'))
    const created = await core.request('recordings.create', { path: join(dir, 'a.sqlite'), kernel: 'k.elf', config: { bios: 'builtin' } })
    expect(created.ok).toBe(true)
    const list = await core.request('recordings.list', { dir })
    expect(list.ok).toBe(true)
    if (list.ok) {
      expect(list.value).toHaveLength(1)
      expect(list.value[0]).toMatchObject({ path: 'a.sqlite', kernel: 'k.elf', outcome: 'incomplete', steps: 0 })
    }
  })

  it('reports progress and honours cancellation', async () => {
    core = new CoreWorker({ allowDebug: true })
    const progress: unknown[] = []
    const ac = new AbortController()
    const p = core.request('debug.spin', { millis: 10_000 }, { onProgress: (x) => progress.push(x), signal: ac.signal })
    while (progress.length < 3) await new Promise((r) => setTimeout(r, 5))
    ac.abort()
    const r = await p
    expect(r.ok && r.value.cancelled).toBe(true)
  })

  it('reports a crash, fails the request in flight, and restarts', async () => {
    const crashes: string[] = []
    core = new CoreWorker({ allowDebug: true, onCrash: (m) => crashes.push(m) })
    const r = await core.request('debug.crash', { how: 'throw' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('core_crashed')
    expect(crashes[0]).toMatch(/deliberate crash/)
    expect(core.restarts).toBe(1)
    const again = await core.request('core.info', {})
    expect(again.ok).toBe(true)
  })

  it('runs its harts on the engine the app chose, also after a crash and restart', async () => {
    core = new CoreWorker({ allowDebug: true })
    const engineNow = async () => {
      const info = await core!.request('core.info', {})
      if (!info.ok) throw new Error(info.error.message)
      return info.value.engine
    }
    for (const engine of ['interpreter', 'blocks', 'interpreter', 'blocks'] as const) {
      const set = await core.setEngine(engine)
      expect(set.ok && set.value.engine).toBe(engine)
      expect(await engineNow()).toBe(engine)
    }
    await core.request('debug.crash', { how: 'throw' })
    expect(core.restarts).toBe(1)
    expect(await engineNow()).toBe('blocks')
  })

  it('refuses debug requests unless enabled', async () => {
    core = new CoreWorker()
    const r = await core.request('debug.crash', { how: 'exit' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('forbidden')
  })
})
