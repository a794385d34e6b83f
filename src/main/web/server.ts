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
import { parseClientMessage, TOKEN_COOKIE, WS_CLOSE, WS_PATH, type ServerMessage } from './web-protocol'
import { err } from '../../shared/api/result'
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

/**
 * A request target as this server accepts it: origin-form (`/path?query`, RFC 9112 §3.2.1), its
 * path percent-decoded. Anything else — absolute-form, `//` (which URL parsers read as a host),
 * bad percent-encoding, a NUL — is undefined, answered with 400 before anything else looks at it.
 */
export function parseTarget(target: string | undefined): { path: string; query: URLSearchParams } | undefined {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return undefined
  const q = target.indexOf('?')
  const rawPath = q < 0 ? target : target.slice(0, q)
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  return { path, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) }
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

  const authorised = (req: IncomingMessage, query: URLSearchParams): { ok: boolean; viaQuery: boolean } => {
    if (sameToken(query.get('token') ?? undefined, token)) return { ok: true, viaQuery: true }
    return { ok: sameToken(cookieToken(req), token), viaQuery: false }
  }

  const plain = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(text)
  }

  const serveFile = (req: IncomingMessage, res: ServerResponse): void => {
    const target = parseTarget(req.url)
    if (!target) return plain(res, 400, 'Bad request: the path is not a valid URL path.\n')
    const auth = authorised(req, target.query)
    if (!auth.ok) return plain(res, 403, 'Forbidden: open the URL with its token, as printed by `npm run web`.\n')
    const rel = target.path === '/' ? '/index.html' : target.path
    const abs = normalize(join(distDir, rel))
    if (!abs.startsWith(distDir + sep) || !existsSync(abs) || !statSync(abs).isFile()) {
      return plain(res, 404, 'Not found\n')
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
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end()
        return
      }
      serveFile(req, res)
    } catch (e) {
      // Nothing a request carries may end the process; an unforeseen failure is this request's 500.
      if (!res.headersSent) plain(res, 500, `Internal error: ${(e as Error).message}\n`)
      else res.destroy()
    }
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  server.on('upgrade', (req, socket, head) => {
    // The socket is ours from here on: a reset must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy())
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy())
    }
    const target = parseTarget(req.url)
    if (!target) return refuse('400 Bad Request')
    const origin = req.headers.origin
    const originOk = origin === undefined || origin === `http://${req.headers.host}`
    if (target.path !== WS_PATH || !authorised(req, target.query).ok || !originOk) return refuse('403 Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws))
  })

  const connect = (ws: WebSocket): void => {
    const send = (m: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return
      let text: string
      try {
        text = JSON.stringify(m)
      } catch (e) {
        if (m.type !== 'result') return
        text = JSON.stringify({ type: 'result', id: m.id, result: err('internal', `the answer could not be sent: ${(e as Error).message}`) })
      }
      ws.send(text)
    }
    const off = opts.host.onEvent((name, payload) => send({ type: 'event', name, payload }))
    ws.on('close', off)
    // ws closes the connection itself on a bad frame (1002), bad UTF-8 (1007) or an oversized
    // message (1009) and reports it here; without a listener the report would end the process.
    ws.on('error', () => {})
    ws.on('message', async (raw, isBinary) => {
      if (isBinary) return ws.close(WS_CLOSE.unsupportedData, 'text messages only')
      const msg = parseClientMessage(raw.toString())
      if (!msg) return ws.close(WS_CLOSE.policyViolation, 'not a Bootscope request')
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
