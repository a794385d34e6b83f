/**
 * Test helpers for live boots under gdb (`serveLiveBoot`): start one with its stub on a free port,
 * and talk to a stub over the raw remote protocol (what gdb cannot do in batch mode: send Ctrl-C,
 * a 0x03 byte, while a continue runs).
 */
import { connect, type Socket } from 'node:net'
import { serveLiveBoot, type LiveGdbOptions } from '../../src/main/gdb/live-boot'
import type { StopInfo } from '../../src/main/machine/machine'
import type { Result } from '../../src/shared/api/result'

/** Starts a live boot with its stub on a free port; resolves with the port once it listens. */
export function liveBoot(opts: Omit<LiveGdbOptions, 'port' | 'log' | 'write'>, output: number[] = []): { port: Promise<number>; done: Promise<Result<StopInfo | undefined>>; log: string[] } {
  const log: string[] = []
  let portFound!: (p: number) => void
  const port = new Promise<number>((r) => (portFound = r))
  const done = serveLiveBoot({
    ...opts,
    port: 0,
    write: (b) => output.push(...b),
    log: (line) => {
      log.push(line)
      const m = /gdb stub on [\d.]+:(\d+)/.exec(line)
      if (m) portFound(Number(m[1]))
    },
  })
  return { port, done, log }
}

/** A raw remote-protocol client: `packet` sends `$data#checksum`, `reply` waits for the next packet's data. */
export function rspClient(port: number): { socket: Socket; packet: (data: string) => void; reply: () => Promise<string>; interrupt: () => void } {
  const socket = connect(port, '127.0.0.1')
  const received: string[] = []
  socket.on('data', (d) => received.push(d.toString('latin1').replace(/^\+/, '')))
  const packet = (data: string) => {
    let sum = 0
    for (const c of Buffer.from(data)) sum = (sum + c) & 0xff
    socket.write(`$${data}#${sum.toString(16).padStart(2, '0')}`)
  }
  const reply = () =>
    new Promise<string>((resolve) => {
      const check = () => {
        const all = received.join('')
        const m = /\$([^#]*)#[0-9a-f]{2}/.exec(all)
        if (!m) return void setTimeout(check, 10)
        received.length = 0
        received.push(all.slice(m.index + m[0].length))
        resolve(m[1])
      }
      check()
    })
  return { socket, packet, reply, interrupt: () => socket.write(Buffer.from([0x03])) }
}
