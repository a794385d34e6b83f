/**
 * `bootscope boot|record KERNEL --gdb [PORT]`: a live boot served to gdb. The boot waits at its
 * first instruction for gdb; it runs only as far as gdb asks (continue, stepi — and backward over
 * what has run), Ctrl-C interrupts it, and breakpoints are on the addresses the PC runs at (so one
 * set before the paging switch on a virtual address still stops after it). riscv64 and x86 (the
 * i386 or x86-64 description by the kernel's ELF class) boots. When gdb detaches, the
 * boot runs on to its end. With `record`, a Recorder follows the furthest step reached and records
 * the boot as usual; with `boot`, the console output of each new stretch is printed.
 */
import { err, ok, type Result } from '../../shared/api/result'
import type { StopInfo } from '../machine/machine'
import type { BootConfig } from '../machine/core/create-machine'
import { kernelDebugInfoOf } from '../trace/kernel-debug-info'
import { ReplaySession } from '../trace/replay'
import { isRiscvReplay, RiscvReplayTarget } from './riscv64/replay-target'
import { isX86Replay, X86ReplayTarget } from './x86/replay-target'
import { liveTargetOf } from './live-target'
import { serveGdb } from './server'

const RiscvLiveTarget = liveTargetOf(RiscvReplayTarget)
const X86LiveTarget = liveTargetOf(X86ReplayTarget)

export interface LiveGdbOptions {
  config: BootConfig
  budget: bigint
  /** Input typed when the guest first asks for it (`--input`); a recorder following must be given it the same way. */
  input?: Uint8Array
  /** Told the stub's address once it listens (the workbench shows it to copy). */
  onListening?: (address: { host: string; port: number }) => void
  /** Ends the session (the app's Cancel): the stub closes, gdb is disconnected. */
  signal?: AbortSignal
  port: number
  host?: string
  /** The frontier moved: a recorder runs on to it. Without it, the console of the new stretch goes to `write`. */
  follow?: (frontier: bigint) => Promise<void>
  write: (bytes: Uint8Array) => void
  log: (line: string) => void
}

/**
 * Serves the boot until gdb detaches. Without `follow`, then runs it to its end and returns the
 * stop that ended it; with `follow` (a recorder), the caller runs the recorder on.
 */
export async function serveLiveBoot(o: LiveGdbOptions): Promise<Result<StopInfo | undefined>> {
  const debug = o.config.kernel ? kernelDebugInfoOf(o.config.kernel.bytes) : undefined
  const opened = await ReplaySession.live(o.config, o.budget, debug, o.input)
  if (!opened.ok) return opened
  const session = opened.value
  const Target = isRiscvReplay(session) ? RiscvLiveTarget : isX86Replay(session) ? X86LiveTarget : undefined
  if (!Target) return err('gdb.arch', `the gdb stub serves riscv64 and x86 boots; this is a ${session.machineAtStep.preset} boot`)
  let printed = 0
  const printConsole = () => {
    const c = session.machineAtStep.console
    if (c.length > printed) o.write(Buffer.from(c.textSince(printed), 'latin1'))
    printed = c.length
  }
  const target = new Target(session)
  target.follow = async (frontier) => {
    if (o.follow) await o.follow(frontier)
    else if (session.step === frontier) printConsole()
  }
  let server
  try {
    server = await serveGdb(target, { port: o.port, host: o.host ?? '127.0.0.1', log: o.log })
  } catch (e) {
    return err('gdb.listen', `cannot listen on ${o.host ?? '127.0.0.1'}:${o.port}: ${(e as Error).message}`)
  }
  o.log(`stopped at the first instruction (pc 0x${target.pc().toString(16)}); gdb stub on ${o.host ?? '127.0.0.1'}:${server.port} — in gdb: target remote ${o.host ?? '127.0.0.1'}:${server.port}`)
  o.onListening?.({ host: o.host ?? '127.0.0.1', port: server.port })
  const cancelled = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve()
    o.signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  await Promise.race([server.done, cancelled])
  await server.close()
  if (o.signal?.aborted) {
    o.log(`cancelled at step ${target.step}`)
    return ok(undefined)
  }
  o.log(`gdb detached at step ${target.step}; the boot runs on to its end`)
  if (o.follow) return ok(undefined)
  await session.seek(target.frontier)
  const stop = session.end ?? (await session.machineAtStep.run({ maxSteps: o.budget }))
  printConsole()
  return ok(stop)
}
