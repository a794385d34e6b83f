/**
 * The GDB stub: answers the remote serial protocol's packets (gdb manual, Appendix E "GDB Remote
 * Serial Protocol") against any `DebugTarget` — registers (`g`, `p`), memory (`m`, `x`),
 * breakpoints and write/read/access watchpoints (`Z0`–`Z4`), continue and step forward (`c`, `s`,
 * `vCont`) and backward (`bc`, `bs`: gdb's reverse-continue, reverse-stepi, and the
 * reverse-step/next/finish built on them), the target description and memory map (`qXfer`), and
 * `monitor` commands (`qRcmd`). One gdb at a time; the machine is never written (a recording is
 * history: `G`, `P`, `M` and `X` writes are refused with an error gdb shows).
 */
import type { DebugTarget } from './debug-target'
import { Execution, type StopSet, type StopWhy, type WatchKind } from './execution'
import { regHex, textHex, toHex } from './packets'
import { memoryMapXml, targetXml } from './target-xml'

/** Signals in stop replies (gdb's numbering): SIGINT for an interrupt, SIGTRAP for the rest. */
const SIGINT = 0x02
const SIGTRAP = 0x05
const PACKET_SIZE = 0x4000
const MAX_READ = 0x2000
const MONITOR_HELP = `monitor commands:
  step N          go to step N (the state after N instructions retired); then "flushregs"
  where           the step, privilege, translation mode, PC with its function and line, the last event
  phys PA [LEN]   LEN bytes (default 8) at a physical address
  translate VA    the page-table walk of VA at this step
  events [KIND]   the recording's events (of one kind)
`

export interface StubIo {
  /** Sends console text to gdb (an `O` packet) while the target runs, e.g. a monitor's progress. */
  log?: (text: string) => void
}

export class GdbStub {
  private readonly stops: StopSet = { software: new Set(), hardware: new Set(), watches: [] }
  private readonly execution: Execution
  private lastStop: StopWhy = { kind: 'step' }
  /** Set once gdb asked for no acknowledgements (QStartNoAckMode). */
  noAck = false
  /** Set by `k`, `D` and vKill: the connection should close after the reply. */
  detached = false

  constructor(private readonly target: DebugTarget) {
    this.execution = new Execution(target, this.stops)
  }

  /** Ctrl-C from gdb while the target runs. */
  interrupt(): void {
    this.execution.interrupted = true
  }

  /** The reply to one packet ('' = "not supported", as the protocol says). */
  async handle(packet: string): Promise<string> {
    try {
      return await this.dispatch(packet)
    } catch (e) {
      return `E.${(e as Error).message}`
    }
  }

  private async dispatch(p: string): Promise<string> {
    const t = this.target
    switch (p[0]) {
      case '?':
        return this.stopReply(this.lastStop)
      case 'g':
        return Array.from({ length: t.arch.gCount }, (_, i) => this.registerHex(i) ?? '').join('')
      case 'p': {
        const hex = this.registerHex(parseInt(p.slice(1), 16))
        return hex ?? 'E45'
      }
      case 'G':
      case 'P':
      case 'M':
      case 'X':
        return 'E.a recording is history: registers and memory cannot be changed'
      case 'm':
      case 'x': {
        const [a, l] = p.slice(1).split(',')
        const r = t.read(BigInt(`0x${a}`), Math.min(MAX_READ, parseInt(l, 16)))
        if (!('bytes' in r)) return 'E14'
        return p[0] === 'm' ? toHex(r.bytes) : `b${Buffer.from(r.bytes).toString('latin1')}`
      }
      case 'H':
        return 'OK'
      case 'T':
        return 'OK'
      case 'c':
        return this.resume(() => this.execution.continueForward())
      case 's':
        return this.resume(() => this.execution.stepForward())
      case 'b':
        if (p === 'bc') return this.resume(() => this.execution.continueBackward())
        if (p === 'bs') return this.resume(() => this.execution.stepBackward())
        return ''
      case 'Z':
      case 'z':
        return this.breakpoint(p)
      case 'k':
        this.detached = true
        return 'OK'
      case 'D':
        this.detached = true
        return 'OK'
      case 'q':
      case 'Q':
        return this.query(p)
      case 'v':
        return this.vPacket(p)
      default:
        return ''
    }
  }

  private register(regnum: number) {
    for (const f of this.target.arch.features) for (const r of f.registers) if (r.regnum === regnum) return r
    return undefined
  }

  private registerHex(regnum: number): string | undefined {
    const r = this.register(regnum)
    if (!r) return undefined
    const v = this.target.register(regnum)
    return v === undefined ? 'xx'.repeat(r.bitsize / 8) : regHex(v, r.bitsize / 8)
  }

  private async resume(run: () => Promise<StopWhy>): Promise<string> {
    this.lastStop = await run()
    return this.stopReply(this.lastStop)
  }

  private stopReply(why: StopWhy): string {
    const thread = 'thread:1;'
    switch (why.kind) {
      case 'breakpoint':
        return `T${hex2(SIGTRAP)}${why.hardware ? 'hwbreak' : 'swbreak'}:;${thread}`
      case 'watch':
        return `T${hex2(SIGTRAP)}${STOP_WORD[why.watch.kind]}:${why.watch.va.toString(16)};${thread}`
      case 'history-end':
        return `T${hex2(SIGTRAP)}replaylog:end;${thread}`
      case 'history-begin':
        return `T${hex2(SIGTRAP)}replaylog:begin;${thread}`
      case 'interrupted':
        return `T${hex2(SIGINT)}${thread}`
      case 'ended':
      case 'step':
        return `T${hex2(SIGTRAP)}${thread}`
    }
  }

  /** Z/z type,addr,kind: 0 software and 1 hardware breakpoints, 2 write, 3 read and 4 access watchpoints. */
  private breakpoint(p: string): string {
    const [type, a, k] = p.slice(1).split(/[,;]/)
    const address = BigInt(`0x${a}`)
    const insert = p[0] === 'Z'
    if (type === '0' || type === '1') {
      const set = type === '0' ? this.stops.software : this.stops.hardware
      if (insert) set.add(address)
      else set.delete(address)
      return 'OK'
    }
    const kind = WATCH_TYPES[type]
    if (!kind) return ''
    const length = parseInt(k, 16)
    if (!insert) {
      const i = this.stops.watches.findIndex((w) => w.va === address && w.length === length && w.kind === kind)
      if (i >= 0) this.stops.watches.splice(i, 1)
      return 'OK'
    }
    const pa = this.target.physicalAddress(address)
    if (pa === undefined) return 'E.the address is not mapped at this step: watch it where the kernel has mapped it, or watch its physical address'
    this.stops.watches.push({ va: address, pa, length, kind })
    return 'OK'
  }

  private async query(p: string): Promise<string> {
    if (p.startsWith('qSupported')) return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;qXfer:memory-map:read+;swbreak+;hwbreak+;vContSupported+;ReverseStep+;ReverseContinue+;QStartNoAckMode+`
    if (p === 'QStartNoAckMode') {
      this.noAck = true
      return 'OK'
    }
    if (p.startsWith('qXfer:features:read:')) {
      const [annex, range] = p.slice('qXfer:features:read:'.length).split(':')
      if (annex !== 'target.xml') return 'E00'
      const [off, len] = range.split(',').map((x) => parseInt(x, 16))
      const xml = targetXml(this.target.arch)
      const chunk = xml.slice(off, off + len)
      return (off + len >= xml.length ? 'l' : 'm') + chunk
    }
    if (p.startsWith('qXfer:memory-map:read::')) {
      const [off, len] = p.slice('qXfer:memory-map:read::'.length).split(',').map((x) => parseInt(x, 16))
      const xml = memoryMapXml(this.target.memoryRegions?.() ?? [])
      return (off + len >= xml.length ? 'l' : 'm') + xml.slice(off, off + len)
    }
    if (p === 'qAttached') return '1'
    if (p === 'qC') return 'QC1'
    if (p === 'qfThreadInfo') return 'm1'
    if (p === 'qsThreadInfo') return 'l'
    if (p.startsWith('qRcmd,')) return this.monitor(Buffer.from(p.slice(6), 'hex').toString('utf8'))
    return ''
  }

  private async vPacket(p: string): Promise<string> {
    if (p === 'vCont?') return 'vCont;c;C;s;S'
    if (p.startsWith('vCont;')) {
      const action = p.slice(6).split(';')[0].split(':')[0]
      if (action[0] === 'c' || action[0] === 'C') return this.resume(() => this.execution.continueForward())
      if (action[0] === 's' || action[0] === 'S') return this.resume(() => this.execution.stepForward())
      return 'E.unsupported vCont action'
    }
    if (p === 'vKill' || p.startsWith('vKill;')) {
      this.detached = true
      return 'OK'
    }
    return ''
  }

  /** `monitor …`: the stub's own commands, then the target's. The reply is the text, hex-encoded. */
  private async monitor(command: string): Promise<string> {
    const words = command.trim().split(/\s+/)
    const t = this.target
    let text: string | undefined
    if (words[0] === 'help') text = MONITOR_HELP
    else if (words[0] === 'step' && words.length === 2 && /^\d+$/.test(words[1])) {
      const to = BigInt(words[1])
      if (to > t.lastStep) text = `the recording has ${t.lastStep} steps\n`
      else {
        await t.seek(to)
        this.lastStop = { kind: 'step' }
        text = `at step ${t.step}, pc 0x${t.pc().toString(16)} (gdb: run "flushregs" to see it)\n`
      }
    } else if (words[0] === 'phys' && words.length >= 2) {
      const address = BigInt(words[1])
      const length = Math.min(MAX_READ, Number(words[2] ?? 8))
      const r = t.read(address, length, true)
      text = 'bytes' in r ? `PA 0x${address.toString(16)}: ${toHex(r.bytes).replace(/(..)/g, '$1 ').trim()}\n` : `PA 0x${address.toString(16)}: ${r.error}\n`
    } else text = await t.monitor?.(command)
    if (text === undefined) text = `unknown monitor command "${command}"\n${MONITOR_HELP}`
    return textHex(text)
  }
}

/** Z packet types of watchpoints, and the stop reply word gdb expects for each. */
const WATCH_TYPES: Record<string, WatchKind | undefined> = { '2': 'write', '3': 'read', '4': 'access' }
const STOP_WORD: Record<WatchKind, string> = { write: 'watch', read: 'rwatch', access: 'awatch' }

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0')
}
