/**
 * The browser-mode server against clients that misbehave (issue 10, item 5): malformed request
 * targets, bad percent-encoding, a `//` WebSocket upgrade, oversized and malformed WebSocket
 * frames, connections dropped half way. The server runs in its own process, so anything that
 * would end it (an uncaught exception, an unhandled 'error' event) shows up as that process
 * exiting; after every attack a normal request must still be answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'

const CHILD = fileURLToPath(new URL('./serve-child.ts', import.meta.url))
const REPO = fileURLToPath(new URL('../../../', import.meta.url))

let child: ChildProcess
let port = 0
let token = ''
let childOutput = ''

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'bootscope-hostile-'))
  child = spawn(process.execPath, ['--import', 'tsx', CHILD, base], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr!.on('data', (d) => (childOutput += String(d)))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      childOutput += String(d)
      const m = /READY (\d+) (\S+)/.exec(childOutput)
      if (m) {
        port = Number(m[1])
        token = m[2]
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${childOutput}`)))
  })
})

afterAll(() => {
  child?.kill('SIGKILL')
})

/** Sends raw bytes on a fresh TCP connection; resolves with the response head, or what came before the server closed. */
function raw(request: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let got = ''
    const done = () => {
      s.destroy()
      resolve(got)
    }
    s.on('data', (d) => {
      got += d.toString('latin1')
      if (got.includes('\r\n\r\n')) done()
    })
    s.on('error', done)
    s.on('close', done)
    s.setTimeout(waitMs, done)
    s.write(request)
  })
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)
}

const UPGRADE_HEADERS = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`

/** An authorised WebSocket handshake on a raw socket, so the test can write any frame bytes it likes. */
function rawWebSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    let head = ''
    const onData = (d: Buffer) => {
      head += d.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      s.off('data', onData)
      if (statusOf(head) === 101) resolve(s)
      else reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`))
    }
    s.on('data', onData)
    s.on('error', reject)
    s.write(UPGRADE_HEADERS('/api', `Cookie: bootscope_token=${token}\r\n`))
  })
}

/** A client frame (masked, as RFC 6455 §5.3 requires of clients unless `masked` is false). */
function frame(opcode: number, payload: Buffer, opts: { fin?: boolean; masked?: boolean; claimLength?: number } = {}): Buffer {
  const fin = opts.fin ?? true
  const masked = opts.masked ?? true
  const length = opts.claimLength ?? payload.length
  const header: number[] = [(fin ? 0x80 : 0) | opcode]
  const maskBit = masked ? 0x80 : 0
  if (length < 126) header.push(maskBit | length)
  else if (length < 0x10000) header.push(maskBit | 126, length >> 8, length & 0xff)
  else {
    header.push(maskBit | 127)
    const big = Buffer.alloc(8)
    big.writeBigUInt64BE(BigInt(length))
    header.push(...big)
  }
  if (!masked) return Buffer.concat([Buffer.from(header), payload])
  const mask = randomBytes(4)
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))
  return Buffer.concat([Buffer.from(header), mask, body])
}

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
  expect(child.exitCode, `the server process ended:\n${childOutput}`).toBeNull()
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
