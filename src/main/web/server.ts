/**
 * Browser mode: serves the built renderer and the contract over a WebSocket, on 127.0.0.1 only,
 * guarded by a random per-run token. The token arrives once in the URL; the server then sets it
 * as a SameSite=Strict, HttpOnly cookie so assets and the WebSocket are authorised too. No token,
 * no access — not even to the page. This is what e2e tests drive and what a classroom without
 * Electron uses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Host } from '../host/host'
import { TOKEN_COOKIE, WS_PATH, type ClientMessage, type ServerMessage } from './web-protocol'
import { CONTENT_SECURITY_POLICY } from '../host/csp'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}
/** Largest request message accepted over the WebSocket (file saves included). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024

export interface WebServerOptions {
  host: Host
  /** Folder with the built renderer (index.html and assets). */
  distDir: string
  /** 0 = any free port. */
  port?: number
  /** Fixed token (tests); random otherwise. */
  token?: string
}

export interface RunningWebServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === TOKEN_COOKIE) return v
  }
  return undefined
}

export async function startWebServer(opts: WebServerOptions): Promise<RunningWebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const distDir = normalize(opts.distDir)
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`no built renderer in ${distDir}: run \`npm run build:web\` first`)
  }

  const authorised = (req: IncomingMessage): { ok: boolean; viaQuery: boolean } => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (sameToken(url.searchParams.get('token') ?? undefined, token)) return { ok: true, viaQuery: true }
    return { ok: sameToken(cookieToken(req), token), viaQuery: false }
  }

  const serveFile = (req: IncomingMessage, res: ServerResponse): void => {
    const auth = authorised(req)
    if (!auth.ok) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Forbidden: open the URL with its token, as printed by `npm run web`.\n')
      return
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)
    const abs = normalize(join(distDir, rel))
    if (!abs.startsWith(distDir + sep) || !existsSync(abs) || !statSync(abs).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Not found\n')
      return
    }
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[extname(abs)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    }
    if (auth.viaQuery) headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    res.writeHead(200, headers)
    res.end(readFileSync(abs))
  }

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
      return
    }
    serveFile(req, res)
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const origin = req.headers.origin
    const originOk = origin === undefined || origin === `http://${req.headers.host}`
    if (url.pathname !== WS_PATH || !authorised(req).ok || !originOk) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws))
  })

  const connect = (ws: WebSocket): void => {
    const send = (m: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m))
    }
    const off = opts.host.onEvent((name, payload) => send({ type: 'event', name, payload }))
    ws.on('close', off)
    ws.on('message', async (raw) => {
      let msg: ClientMessage
      try {
        msg = JSON.parse(raw.toString())
      } catch {
        return
      }
      if (msg?.type !== 'invoke' || typeof msg.id !== 'number') return
      const result = await opts.host.invoke(msg.name, msg.args)
      send({ type: 'result', id: msg.id, result })
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
