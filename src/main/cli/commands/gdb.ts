/**
 * `bootscope gdb REC.sqlite [--port N] [--host H]`: serves a recording to gdb over the remote
 * serial protocol, forward and backward (see docs/gdb.md).
 */
import { formatDiagnostic } from '../../../shared/api/result'
import { UsageError, type CliCommand } from '../command'
import { ReplaySession } from '../../trace/replay'
import { isRiscvReplay, RiscvReplayTarget } from '../../gdb/riscv64/replay-target'
import { isX86Replay, X86ReplayTarget } from '../../gdb/x86/replay-target'
import { serveGdb } from '../../gdb/server'

const USAGE = `Usage: bootscope gdb REC.sqlite [--port N] [--host H]

Serves the recording to gdb (gdb-multiarch) over the GDB remote serial protocol on
127.0.0.1:N (default 1234; 0 picks a free port), starting at step 0, until gdb detaches:
  gdb-multiarch kernel.elf -ex 'target remote :N'
Then break, continue, stepi, watch, x/4gx, info registers — and backward: reverse-continue,
reverse-stepi, reverse-step, reverse-next, reverse-finish. "monitor help" lists the rest
(step N, where, phys PA [LEN], translate VA, events [KIND]).`

export const gdbCommand: CliCommand = {
  name: 'gdb',
  summary: 'serve a recording to gdb (forward and reverse debugging)',
  usage: USAGE,
  async run(argv) {
    const positional: string[] = []
    let port = 1234
    let host = '127.0.0.1'
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--port') {
        const v = argv[++i]
        if (!v || !/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError('--port takes a TCP port number (0 picks a free one)')
        port = Number(v)
      } else if (a === '--host') {
        host = argv[++i] ?? ''
        if (!host) throw new UsageError('--host takes an address to listen on')
      } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else positional.push(a)
    }
    if (positional.length !== 1) throw new UsageError('give one recording: bootscope gdb REC.sqlite')
    const path = positional[0]
    const opened = await ReplaySession.open(path)
    if (!opened.ok) {
      console.error(formatDiagnostic(opened.error))
      return 1
    }
    const target = isRiscvReplay(opened.value) ? new RiscvReplayTarget(opened.value, path) : isX86Replay(opened.value) ? new X86ReplayTarget(opened.value, path) : undefined
    if (!target) {
      console.error(`bootscope gdb: ${path} is a recording of a ${opened.value.machineAtStep.preset} boot; the gdb stub serves riscv64 and x86 recordings`)
      return 1
    }
    let server
    try {
      server = await serveGdb(target, { port, host, log: (l) => console.error(`bootscope gdb: ${l}`) })
    } catch (e) {
      console.error(`bootscope gdb: cannot listen on ${host}:${port}: ${(e as Error).message}`)
      return 1
    }
    console.log(`bootscope gdb: serving ${path} (${opened.value.steps} steps) on ${host}:${server.port} — in gdb: target remote ${host}:${server.port}`)
    await server.done
    await server.close()
    return 0
  },
}
