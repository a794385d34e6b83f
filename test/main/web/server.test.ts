import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { Host } from '../../../src/main/host/host'
import { startWebServer, type RunningWebServer } from '../../../src/main/web/server'

let host: Host
let server: RunningWebServer
const base = mkdtempSync(join(tmpdir(), 'bootscope-web-'))

beforeAll(async () => {
  const dist = join(base, 'dist')
  mkdirSync(join(dist, 'assets'), { recursive: true })
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Bootscope</title>')
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)')
  host = new Host({ workspaceRoot: join(base, 'ws'), transport: 'websocket' })
  server = await startWebServer({ host, distDir: dist })
})
afterAll(async () => {
  await server.close()
  await host.dispose()
})

function origin(): string {
  return `http://127.0.0.1:${server.port}`
}

function connect(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, name: string, args: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const m = JSON.parse(raw.toString())
      if (m.type === 'result' && m.id === id) {
        ws.off('message', onMessage)
        resolve(m.result)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ type: 'invoke', id, name, args }))
  })
}

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{20,}$`))
  })

  it('refuses the page without the token, or with a wrong one', async () => {
    expect((await fetch(`${origin()}/`)).status).toBe(403)
    expect((await fetch(`${origin()}/?token=wrong`)).status).toBe(403)
    expect((await fetch(`${origin()}/assets/app.js`)).status).toBe(403)
  })

  it('serves the page with the token, with a strict CSP, and sets the cookie for assets', async () => {
    const res = await fetch(server.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const cookie = res.headers.get('set-cookie')!.split(';')[0]
    expect(cookie).toContain('bootscope_token=')
    const asset = await fetch(`${origin()}/assets/app.js`, { headers: { cookie } })
    expect(asset.status).toBe(200)
    expect((await fetch(`${origin()}/../../etc/passwd`, { headers: { cookie } })).status).toBe(404)
  })

  it('refuses a WebSocket without the token, and one from another origin', async () => {
    await expect(connect({})).rejects.toThrow(/403/)
    await expect(connect({ cookie: `bootscope_token=${server.token}`, origin: 'http://evil.example' })).rejects.toThrow(/403/)
  })

  it('answers contract requests over the WebSocket, through the worker to SQLite', async () => {
    const ws = await connect({ cookie: `bootscope_token=${server.token}`, origin: origin() })
    const info = await call(ws, 1, 'app.info', {})
    expect(info.ok).toBe(true)
    expect(info.value.transport).toBe('websocket')
    expect(info.value.core.sqliteVersion).toMatch(/^3\./)
    const files = await call(ws, 2, 'workspace.get', {})
    expect(files.value.files.map((f: { path: string }) => f.path)).toContain('entry.S')
    const unknown = await call(ws, 3, 'shell.exec', { cmd: 'ls' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_request' } })
    ws.close()
  })

  it('answers arguments of the wrong type with bad_request before any service sees them', async () => {
    const ws = await connect({ cookie: `bootscope_token=${server.token}`, origin: origin() })
    const write = await call(ws, 1, 'file.write', { path: 'evil.S', text: 5 })
    expect(write).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(write.error.message).toContain('text')
    expect(existsSync(join(base, 'ws', 'evil.S'))).toBe(false)
    const recordingsBefore = readdirSync(join(base, 'ws', '.bootscope', 'recordings')).length
    const boot = await call(ws, 2, 'boot.start', { kernel: { kind: 'build' }, maxSteps: 'forever' })
    expect(boot).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(boot.error.message).toContain('maxSteps')
    expect(readdirSync(join(base, 'ws', '.bootscope', 'recordings'))).toHaveLength(recordingsBefore)
    const events = await call(ws, 3, 'recording.events', { path: 'x.sqlite', limit: '1; DROP TABLE events' })
    expect(events).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const extra = await call(ws, 4, 'app.info', { sudo: true })
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_request', message: "request 'app.info': sudo is not an argument of this request" } })
    ws.close()
  })

  it('refuses boot.start of /etc/passwd, an absolute path nobody granted, and reads no file the request alone names', async () => {
    const ws = await connect({ cookie: `bootscope_token=${server.token}`, origin: origin() })
    const recordingsBefore = readdirSync(join(base, 'ws', '.bootscope', 'recordings')).length
    const kernel = await call(ws, 1, 'boot.start', { kernel: { kind: 'file', path: '/etc/passwd' }, bios: 'none' })
    expect(kernel).toMatchObject({ ok: false, error: { code: 'boot.not_granted' } })
    expect(kernel.error.message).toContain("'/etc/passwd' is outside the workspace")
    const firmware = await call(ws, 2, 'boot.start', { bios: { file: '/etc/passwd' } })
    expect(firmware).toMatchObject({ ok: false, error: { code: 'boot.not_granted' } })
    const escape = await call(ws, 3, 'file.read', { path: '../../../../../../etc/passwd' })
    expect(escape).toMatchObject({ ok: false, error: { code: 'workspace.outside' } })
    const device = await call(ws, 4, 'file.grant', { path: '/dev/zero', role: 'kernel' })
    expect(device).toMatchObject({ ok: false, error: { code: 'file.not_regular' } })
    expect(readdirSync(join(base, 'ws', '.bootscope', 'recordings'))).toHaveLength(recordingsBefore)
    ws.close()
  })
})
