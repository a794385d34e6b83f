/**
 * The GDB stub on a TCP port (127.0.0.1): one gdb connection at a time, packets handled in order,
 * a Ctrl-C (0x03) interrupting a running continue at once. `target remote HOST:PORT` in gdb.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { DebugTarget } from './debug-target'
import { framePacket, PacketReader } from './packets'
import { GdbStub } from './stub'

export interface GdbServer {
  port: number
  server: Server
  /** Resolves when the first gdb disconnects (detach, kill, or closed socket). */
  done: Promise<void>
  close(): Promise<void>
}

export async function serveGdb(target: DebugTarget, opts: { port?: number; host?: string; log?: (line: string) => void } = {}): Promise<GdbServer> {
  let finished!: () => void
  const done = new Promise<void>((r) => (finished = r))
  let busy = false
  const server = createServer((socket) => {
    if (busy) {
      socket.end()
      return
    }
    busy = true
    opts.log?.(`gdb connected from ${socket.remoteAddress}:${socket.remotePort}`)
    connection(socket, new GdbStub(target)).finally(() => {
      busy = false
      finished()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    server,
    done,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

function connection(socket: Socket, stub: GdbStub): Promise<void> {
  const reader = new PacketReader()
  const queue: string[] = []
  let working = false
  return new Promise<void>((resolve) => {
    const pump = async () => {
      if (working) return
      working = true
      while (queue.length && !socket.destroyed) {
        const reply = await stub.handle(queue.shift()!)
        socket.write(framePacket(reply))
        if (stub.detached) {
          socket.end()
          break
        }
      }
      working = false
    }
    socket.on('data', (bytes) => {
      for (const e of reader.push(bytes)) {
        if (e.kind === 'interrupt') stub.interrupt()
        else if (e.kind === 'bad-checksum') socket.write('-')
        else if (e.kind === 'packet') {
          if (!stub.noAck) socket.write('+')
          queue.push(e.data)
        }
      }
      void pump()
    })
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
}
