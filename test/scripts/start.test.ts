/**
 * `npm start` on a fresh machine: Electron 45 downloads its binary lazily, so the start script must
 * ask Electron for its path (running Electron's own installer when the binary is missing) before
 * electron-vite looks for it, and build once. Electron cannot be downloaded or run here, so the
 * installer is pointed at a local server that records what it asks for, and the "binary" is a
 * script that records how it was started.
 */
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ELECTRON_VERSION = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version as string

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code, out }))
  })
}

describe('npm start', () => {
  it('is the start script, not electron-vite build && preview (which builds twice)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(pkg.scripts.start).toBe('node scripts/start.mjs')
  })

  it.skipIf(existsSync(join(ROOT, 'node_modules/electron/path.txt')))('runs Electron’s installer when the binary is missing, and says how to retry when it fails', async () => {
    const asked: string[] = []
    const server = createServer((req, res) => {
      asked.push(req.url ?? '')
      res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const port = (server.address() as AddressInfo).port
      const cache = mkdtempSync(join(tmpdir(), 'electron-cache-'))
      const r = await run({ ELECTRON_MIRROR: `http://127.0.0.1:${port}/`, electron_config_cache: cache })
      expect(asked.some((u) => u.includes(`electron-v${ELECTRON_VERSION}-${process.platform}-`))).toBe(true)
      expect(r.code).toBe(1)
      expect(r.out).toContain("npm start: cannot get Electron's binary")
      expect(r.out).toContain('npx install-electron --no')
    } finally {
      server.close()
    }
  }, 120_000)

  it('hands Electron’s path to electron-vite, builds once and starts the app', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'electron-dist-'))
    const record = join(dist, 'started-with.txt')
    writeFileSync(join(dist, 'electron'), `#!/bin/sh\necho "$PWD $*" > '${record}'\n`)
    chmodSync(join(dist, 'electron'), 0o755)
    const r = await run({ ELECTRON_OVERRIDE_DIST_PATH: dist })
    expect(r.code, r.out).toBe(0)
    expect(readFileSync(record, 'utf8').trim()).toMatch(new RegExp(`^${ROOT.replace(/\/$/, '')}`))
    // main, preload, renderer: each bundle built once.
    expect(r.out.match(/built in \d/g)?.length).toBe(3)
    expect(existsSync(join(ROOT, 'out/main/index.js'))).toBe(true)
  }, 300_000)
})
