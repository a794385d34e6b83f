/**
 * The browser-mode server against clients that misbehave (issue 10, item 5): malformed request
 * targets, bad percent-encoding, a `//` WebSocket upgrade, oversized and malformed WebSocket
 * frames, connections dropped half way. The server runs in its own process, so anything that
 * would end it (an uncaught exception, an unhandled 'error' event) shows up as that process
 * exiting; after every attack a normal request must still be answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import WebSocket from 'ws'
import { frame, raw as rawTo, rawWebSocket as rawWebSocketTo, startServerProcess, statusOf, upgradeHeaders, type ServerProcess } from './raw-client'

let server: ServerProcess
let child: ChildProcess
let port = 0
let token = ''

beforeAll(async () => {
  server = await startServerProcess()
  ;({ child, port, token } = server)
})

afterAll(() => {
  child?.kill('SIGKILL')
})

const raw = (request: string | Buffer, waitMs?: number) => rawTo(port, request, waitMs)
const UPGRADE_HEADERS = (path: string, extra = '') => upgradeHeaders(port, path, extra)
const rawWebSocket = () => rawWebSocketTo(port, token)

/** Writes frames on an authorised raw WebSocket and returns the close code the server sends (0 if none). */
async function closeCodeAfter(...frames: Buffer[]): Promise<number> {
  const s = await rawWebSocket()
  return new Promise((resolve) => {
    let got = Buffer.alloc(0)
    // A close frame from the server: 0x88, length, then the 2-byte status code.
    const code = () => {
      const at = got.indexOf(0x88)
      return at >= 0 && got.length >= at + 4 ? got.readUInt16BE(at + 2) : 0
    }
    const done = () => {
      s.destroy()
      resolve(code())
    }
    s.on('data', (d) => {
      got = Buffer.concat([got, d])
      if (code()) done()
    })
    s.on('close', done)
    s.on('error', done)
    s.setTimeout(3000, done)
    for (const f of frames) s.write(f)
  })
}

/** An authorised WebSocket through the ws client; rejects when the server is not there. */
function openWs(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { cookie: `bootscope_token=${token}` } })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** The server is still there and still serves the page to its rightful user. */
async function stillServing(): Promise<void> {
  expect(child.exitCode, `the server process ended:\n${server.output()}`).toBeNull()
  const res = await fetch(`http://127.0.0.1:${port}/?token=${token}`)
  expect(res.status).toBe(200)
}

describe('browser-mode server under hostile clients', () => {
  it('answers 400 to `GET //` without a token, and keeps serving', async () => {
    expect(statusOf(await raw('GET // HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'))).toBe(400)
    await stillServing()
  })

  it('answers 400 to an unparsable absolute URL (`GET http://[::1`), and keeps serving', async () => {
    expect(statusOf(await raw('GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'))).toBe(400)
    await stillServing()
  })

  it('answers 400 to `GET //%zz`, and keeps serving', async () => {
    expect(statusOf(await raw('GET //%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'))).toBe(400)
    await stillServing()
  })

  it('answers 400 to an authorised request whose path is not valid percent-encoding (`/%E0%A4%A`)', async () => {
    const r = await raw(`GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: bootscope_token=${token}\r\n\r\n`)
    expect(statusOf(r)).toBe(400)
    await stillServing()
  })

  it('answers 400 to a WebSocket upgrade on `//` and on `http://[::1`', async () => {
    expect(statusOf(await raw(UPGRADE_HEADERS('//')))).toBe(400)
    expect(statusOf(await raw(UPGRADE_HEADERS('http://[::1')))).toBe(400)
    await stillServing()
  })

  it('closes with 1009 a WebSocket message over 16 MiB, and keeps serving', async () => {
    const ws = await openWs()
    ws.on('error', () => {}) // the client also notices the 1009
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send(Buffer.alloc(16 * 1024 * 1024 + 1, 0x61), { binary: false })
    expect(await closed).toBe(1009)
    await stillServing()
  })

  it('closes with 1009 on a frame header announcing 2^63-1 bytes', async () => {
    expect(await closeCodeAfter(frame(0x1, Buffer.alloc(0), { claimLength: 2 ** 53 - 1 }))).toBe(1009)
    await stillServing()
  })

  it('closes with 1002 on protocol errors: an unmasked client frame, a reserved opcode, a fragmented ping, RSV bits', async () => {
    expect(await closeCodeAfter(frame(0x1, Buffer.from('{}'), { masked: false }))).toBe(1002)
    expect(await closeCodeAfter(frame(0x3, Buffer.from('x')))).toBe(1002)
    expect(await closeCodeAfter(frame(0x9, Buffer.from('x'), { fin: false }))).toBe(1002)
    const rsv = frame(0x1, Buffer.from('{}'))
    rsv[0] |= 0x40
    expect(await closeCodeAfter(rsv)).toBe(1002)
    await stillServing()
  })

  it('closes with 1007 a text message that is not UTF-8', async () => {
    expect(await closeCodeAfter(frame(0x1, Buffer.from([0xc3, 0x28, 0xff])))).toBe(1007)
    await stillServing()
  })

  it('closes with 1003 a binary message, and with 1008 one that is not a Bootscope request', async () => {
    expect(await closeCodeAfter(frame(0x2, Buffer.from([1, 2, 3])))).toBe(1003)
    expect(await closeCodeAfter(frame(0x1, Buffer.from('not json')))).toBe(1008)
    expect(await closeCodeAfter(frame(0x1, Buffer.from('{"type":"invoke","id":"1"}')))).toBe(1008)
    expect(await closeCodeAfter(frame(0x1, Buffer.from('null')))).toBe(1008)
    await stillServing()
  })

  it('survives connections dropped half way: a partial request line, a partial upgrade, a reset mid-frame', async () => {
    await raw('GET /ind', 200)
    await raw(UPGRADE_HEADERS('/api').slice(0, 60), 200)
    const s = await rawWebSocket()
    s.write(frame(0x1, Buffer.from('{"type":"invoke","id":1,"name":"app.info","args":{}}')).subarray(0, 9))
    s.resetAndDestroy()
    await new Promise((r) => setTimeout(r, 200))
    await stillServing()
  })

  it('still answers contract requests on a new connection after all of the above', async () => {
    const ws = await openWs()
    const reply = new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))))
    ws.send(JSON.stringify({ type: 'invoke', id: 7, name: 'app.info', args: {} }))
    expect(await reply).toMatchObject({ type: 'result', id: 7, result: { ok: true } })
    ws.close()
    expect(child.exitCode).toBeNull()
  })
})
