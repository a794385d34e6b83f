/**
 * WebSocket frames against the real browser-mode server (issue 10, the fuzz suite): at least
 * 10 000 generated inputs (up to 100 000 within a 15 s budget), each on its own authorised
 * connection — contract envelopes with generated names and arguments, mutated envelopes, frames
 * with generated header bits, lengths, masks, fragments and control frames, and raw bytes. The
 * server runs in its own process; for every input it must answer within 5 s with results and
 * close codes only (never 1011, never a frame that is not JSON), and close the connection when
 * the client ends it; the process must never exit or print a stack trace, and must go on
 * answering a normal request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { REQUEST_NAMES } from '../../../src/shared/api/contract'
import { fuzzAsync, rngFor, type FuzzTarget } from '../../support/fuzz'
import { frame, parseServerFrames, rawWebSocket, startServerProcess, type ServerProcess } from './raw-client'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
  // The toolchain worker starts on the first build: start it now, so that start-up is not taken for a hang.
  expect(await request('build.run', {})).toMatchObject({ type: 'result', result: { ok: true } })
})
afterAll(() => {
  server?.child.kill('SIGKILL')
})

/** Requests that would start long work (a boot, a lab) when their arguments happen to be valid: always sent with one argument too many. */
const HEAVY = new Set(['boot.start', 'lab.start', 'lab.check', 'file.write', 'file.import'])
const KEYS = ['path', 'text', 'kind', 'file', 'bios', 'kernel', 'memBytes', 'maxSteps', 'step', 'address', 'length', 'id', 'runId', 'role', 'name', 'base64',
  'from', 'to', 'limit', 'kinds', 'target', 'pc', 'direction', 'translate', 'memory', 'table', 'defaultPath', 'script', '__proto__', 'constructor', '']
const STRINGS = ['', 'entry.S', '../../etc/passwd', '/etc/passwd', '/dev/zero', 'x.sqlite', 'forward', 'build', 'file', 'kernel', 'none', '0x80000000',
  '\u0000', '\ud800', '%E0%A4%A', 'a'.repeat(5000), '💥', 'app.info']
const NUMBERS = [0, -1, 1, 1.5, 2 ** 53, 2 ** 53 + 2, -0, 1e308, 4096, 0x80000000]

/** A JSON value with the shapes requests take, nested at most `depth` deep. */
function value(next: () => number, depth: number): unknown {
  switch (next() % (depth > 0 ? 8 : 5)) {
    case 0: return null
    case 1: return next() % 2 === 0
    case 2: return NUMBERS[next() % NUMBERS.length]
    case 3: return STRINGS[next() % STRINGS.length]
    case 4: return String.fromCharCode(...Array.from({ length: next() % 12 }, () => next() % 0x3000))
    case 5: return Array.from({ length: next() % 4 }, () => value(next, depth - 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let k = next() % 5; k > 0; k--) o[KEYS[next() % KEYS.length]] = value(next, depth - 1)
      return o
    }
  }
}

interface Input {
  kind: 'envelope' | 'mutated' | 'frames' | 'bytes'
  /** Bytes written after the handshake. */
  bytes: Buffer
  /** For an envelope: the id whose result must come back. */
  id?: number
}

function envelope(next: () => number, id: number): string {
  const names = [...REQUEST_NAMES, 'shell.exec', '', 'app.info ', '__proto__']
  const name = names[next() % names.length]
  let args = value(next, 3)
  if (HEAVY.has(name)) args = { ...(typeof args === 'object' && args && !Array.isArray(args) ? args : {}), fuzz: 1 }
  return JSON.stringify({ type: 'invoke', id, name, args })
}

/** A masking key from the input's generator (not random: input i must be the same every run). */
const maskFrom = (next: () => number) => Buffer.from([next() & 0xff, next() & 0xff, next() & 0xff, next() & 0xff])

function fuzzFrames(next: () => number): Buffer {
  const parts: Buffer[] = []
  for (let n = 1 + (next() % 3); n > 0; n--) {
    const opcode = [0x0, 0x1, 0x2, 0x8, 0x9, 0xa, 0x3, 0xb, 0xf][next() % 9]
    const payload = Buffer.from(Array.from({ length: next() % 3 === 0 ? 126 + (next() % 300) : next() % 40 }, () => next() & 0xff))
    if (opcode === 0x8 && payload.length >= 2 && next() % 2) payload.writeUInt16BE([1000, 1001, 1005, 1006, 1015, 999, 4999, 65535][next() % 8])
    const claims = [undefined, undefined, 0, 125, 126, 65535, 65536, 2 ** 31, 2 ** 53 - 1, 2n ** 63n - 1n, 2n ** 64n - 1n]
    const f = frame(opcode, payload, {
      mask: maskFrom(next),
      fin: next() % 4 !== 0,
      rsv: next() % 6 === 0 ? (next() & 7) << 4 : 0,
      masked: next() % 8 !== 0,
      claimLength: claims[next() % claims.length],
    })
    // Sometimes cut short: the server must wait, then close when the client ends the connection.
    parts.push(next() % 5 === 0 ? f.subarray(0, next() % f.length) : f)
  }
  return Buffer.concat(parts)
}

const tally = { results: 0, 'close codes': 0 }

const target: FuzzTarget<Input> & { tally: Record<string, number> } = {
  tally,
  input(i) {
    const next = rngFor(0x3e5, i)
    const id = 1 + (next() % 1_000_000)
    switch (i % 10) {
      case 0: case 1: case 2: case 3:
        return { kind: 'envelope', id, bytes: frame(0x1, Buffer.from(envelope(next, id)), { mask: maskFrom(next) }) }
      case 4: case 5: {
        const text = Buffer.from(envelope(next, id))
        for (let k = 1 + (next() % 4); k > 0; k--) text[next() % text.length] = next() & 0xff
        return { kind: 'mutated', bytes: frame(0x1, text, { mask: maskFrom(next) }) }
      }
      case 6: case 7: case 8:
        return { kind: 'frames', bytes: fuzzFrames(next) }
      default:
        return { kind: 'bytes', bytes: Buffer.from(Array.from({ length: next() % 64 }, () => next() & 0xff)) }
    }
  },
  async run(input) {
    if (server.child.exitCode !== null) return `the server process ended: ${server.output().slice(-2000)}`
    const s = await rawWebSocket(server.port, server.token)
    return new Promise<string | undefined>((resolve) => {
      let got = Buffer.alloc(0)
      let problem: string | undefined
      let answered = false
      s.on('data', (d) => {
        got = Buffer.concat([got, d])
        const { frames, used } = parseServerFrames(got)
        got = got.subarray(used)
        for (const f of frames) {
          if (f.opcode === 0x1) {
            let m: { type?: string; id?: number; result?: { ok?: boolean } }
            try {
              m = JSON.parse(f.payload.toString('utf8'))
            } catch {
              problem ??= `a text frame that is not JSON: ${f.payload.toString('utf8').slice(0, 200)}`
              continue
            }
            if (m.type === 'result') {
              tally.results++
              if (typeof m.result?.ok !== 'boolean') problem ??= `a result that is not a Result: ${f.payload.toString('utf8').slice(0, 200)}`
              if (m.id === input.id) answered = true
            } else if (m.type !== 'event') problem ??= `a message that is neither a result nor an event: ${f.payload.toString('utf8').slice(0, 200)}`
            // The envelope's answer came: end the connection as a client would.
            if (answered) s.end()
          } else if (f.opcode === 0x8) {
            tally['close codes']++
            const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005
            if (![1000, 1001, 1002, 1003, 1005, 1007, 1008, 1009].includes(code) && !(code >= 3000 && code <= 4999)) problem ??= `close code ${code}: ${f.payload.subarray(2).toString('utf8')}`
          }
        }
      })
      s.on('error', () => {}) // a reset is one of the outcomes; the 'close' below decides
      s.on('close', () => {
        if (input.kind === 'envelope' && !answered && !problem) problem = `no result for the request (id ${input.id})`
        resolve(problem)
      })
      s.write(input.bytes)
      // Without an answer to wait for, end the connection: the server must close its side.
      if (input.kind !== 'envelope') s.end()
    })
  },
  show: (input) => `${input.kind}: ${input.bytes.subarray(0, 300).toString('hex')}${input.bytes.length > 300 ? `… (${input.bytes.length} bytes)` : ''}`,
}

/** A normal client's request, answered. */
async function request(name: string, args: unknown): Promise<unknown> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { cookie: `bootscope_token=${server.token}` } })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  // Events (build.finished…) may come first: wait for the result.
  const reply = new Promise<unknown>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(String(d))
      if (m.type === 'result' && m.id === 1) resolve(m)
    }),
  )
  ws.send(JSON.stringify({ type: 'invoke', id: 1, name, args }))
  const r = await reply
  ws.close()
  return r
}

describe('WebSocket frame fuzzing against the real server', () => {
  it('answers or closes every one of ≥ 10 000 generated inputs within 5 s, and never falls over', async () => {
    const r = await fuzzAsync('WebSocket frames', target, { min: 10_000, max: 100_000, budgetMs: 15_000, concurrency: 8 })
    expect(r.failures).toEqual([])
    expect(r.count).toBeGreaterThanOrEqual(10_000)
    expect(r.tally.results).toBeGreaterThan(r.count / 5)
    expect(r.tally['close codes']).toBeGreaterThan(r.count / 10)
    expect(server.child.exitCode, server.output()).toBeNull()
    expect(await request('app.info', {})).toMatchObject({ type: 'result', id: 1, result: { ok: true } })
    // Nothing leaked to the server's output as a stack trace.
    expect(server.output()).not.toMatch(/\n\s+at /)
  }, 300_000)
})
