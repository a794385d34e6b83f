/**
 * A browser-mode server in its own process (serve-child.ts) and a raw client for it, for tests
 * that attack the server: any bytes on a TCP connection, an authorised WebSocket handshake on a
 * raw socket, client frames built bit by bit (RFC 6455 §5.2), and the server's frames parsed
 * back. If what a client sends ends the server, the test sees the process exit.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'

const CHILD = fileURLToPath(new URL('./serve-child.ts', import.meta.url))
const REPO = fileURLToPath(new URL('../../../', import.meta.url))

export interface ServerProcess {
  child: ChildProcess
  port: number
  token: string
  /** Everything the process printed (stdout and stderr). */
  output(): string
}

/** Starts the server in its own process on a scratch workspace; resolves once it listens. */
export function startServerProcess(): Promise<ServerProcess> {
  const base = mkdtempSync(join(tmpdir(), 'bootscope-hostile-'))
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, base], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stderr!.on('data', (d) => (output += String(d)))
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += String(d)
      const m = /READY (\d+) (\S+)/.exec(output)
      if (m) resolve({ child, port: Number(m[1]), token: m[2], output: () => output })
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${output}`)))
  })
}

/** Sends raw bytes on a fresh TCP connection; resolves with the response head, or what came before the server closed. */
export function raw(port: number, request: string | Buffer, waitMs = 2000): Promise<string> {
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

export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)
}

export const upgradeHeaders = (port: number, path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`

/** An authorised WebSocket handshake on a raw socket, so the test can write any frame bytes it likes. */
export function rawWebSocket(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    let head = ''
    const onData = (d: Buffer) => {
      head += d.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      s.off('data', onData)
      s.off('error', reject)
      if (statusOf(head) === 101) resolve(s)
      else reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`))
    }
    s.on('data', onData)
    s.on('error', reject)
    s.write(upgradeHeaders(port, '/api', `Cookie: bootscope_token=${token}\r\n`))
  })
}

export interface FrameOptions {
  fin?: boolean
  /** RSV1–3 as bits 0x40, 0x20, 0x10 of the first byte. */
  rsv?: number
  masked?: boolean
  /** The payload length the header announces (default: the payload's). */
  claimLength?: number | bigint
  /** The 4-byte masking key (default: random). */
  mask?: Buffer
}

/** A client frame (masked, as RFC 6455 §5.3 requires of clients unless `masked` is false). */
export function frame(opcode: number, payload: Buffer, opts: FrameOptions = {}): Buffer {
  const fin = opts.fin ?? true
  const masked = opts.masked ?? true
  const length = BigInt(opts.claimLength ?? payload.length)
  const header: number[] = [(fin ? 0x80 : 0) | ((opts.rsv ?? 0) & 0x70) | (opcode & 0x0f)]
  const maskBit = masked ? 0x80 : 0
  if (length < 126n) header.push(maskBit | Number(length))
  else if (length < 0x10000n) header.push(maskBit | 126, Number(length >> 8n), Number(length & 0xffn))
  else {
    header.push(maskBit | 127)
    const big = Buffer.alloc(8)
    big.writeBigUInt64BE(BigInt.asUintN(64, length))
    header.push(...big)
  }
  if (!masked) return Buffer.concat([Buffer.from(header), payload])
  const mask = opts.mask ?? randomBytes(4)
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))
  return Buffer.concat([Buffer.from(header), mask, body])
}

/** A frame the server sent (servers do not mask). */
export interface ServerFrame {
  opcode: number
  payload: Buffer
}

/** The complete server frames at the start of `bytes`, and how many bytes they took. */
export function parseServerFrames(bytes: Buffer): { frames: ServerFrame[]; used: number } {
  const frames: ServerFrame[] = []
  let at = 0
  for (;;) {
    if (bytes.length < at + 2) break
    const opcode = bytes[at] & 0x0f
    let len = bytes[at + 1] & 0x7f
    let head = 2
    if (len === 126) {
      if (bytes.length < at + 4) break
      len = bytes.readUInt16BE(at + 2)
      head = 4
    } else if (len === 127) {
      if (bytes.length < at + 10) break
      len = Number(bytes.readBigUInt64BE(at + 2))
      head = 10
    }
    if (bytes.length < at + head + len) break
    frames.push({ opcode, payload: bytes.subarray(at + head, at + head + len) })
    at += head + len
  }
  return { frames, used: at }
}
