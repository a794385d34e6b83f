/**
 * A riscv64 recording as a `DebugTarget`: the replay session positions the machine at any step
 * (checkpoints make going back cheap), the hart gives the registers, memory is read as the hart
 * sees it at that step (through satp's page table when paging is on), and `monitor where`,
 * `translate VA` and `events [KIND]` explain where the boot is.
 */
import { explainEvent } from '../../../shared/trace/explain'
import { EVENT_KINDS, type EventKind } from '../../../shared/trace/events'
import type { ReplaySession } from '../../trace/replay'
import { Machine } from '../../machine/machine'
import { BOOT_ROM_BASE, BOOT_ROM_SIZE_BYTES } from '../../machine/devices/memory-map'
import type { HartApi } from '../../machine/hart/hart-api'
import { RecordingReader } from '../../trace/recording-reader'
import type { DebugTarget, MemoryRead, MemoryRegion } from '../debug-target'
import type { DebugStops } from '../../machine/core/boot-machine'
import { RISCV64_GDB, riscvRegister } from './arch'

const MONITOR_EVENTS_LIMIT = 40

export class RiscvReplayTarget implements DebugTarget {
  readonly arch = RISCV64_GDB

  constructor(
    protected readonly session: ReplaySession,
    /** The recording's file, for `monitor events` and `where`'s last event (none for a live boot). */
    private readonly recordingPath?: string,
  ) {}

  get step(): bigint {
    return this.session.step
  }

  get lastStep(): bigint {
    return this.session.steps
  }

  async seek(step: bigint): Promise<boolean> {
    await this.session.seek(step)
    return this.session.step === step
  }

  /** A recording of a riscv64-virt boot (see `isRiscvReplay`). */
  private get hart(): HartApi {
    return (this.session.machineAtStep as Machine).hart
  }

  pc(): bigint {
    return this.hart.pc
  }

  register(regnum: number): bigint | undefined {
    return riscvRegister(this.hart, regnum)
  }

  read(address: bigint, length: number, physical = false): MemoryRead {
    return this.session.readBytes(address, length, physical)
  }

  physicalAddress(va: bigint): bigint | undefined {
    return this.session.physicalAddress(va)
  }

  linkAddress(pc: bigint): bigint {
    return this.session.linkAddress(pc)
  }

  memoryRegions(): MemoryRegion[] {
    const m = this.session.machineAtStep
    return [
      { type: 'rom', start: BOOT_ROM_BASE, length: BigInt(BOOT_ROM_SIZE_BYTES) },
      { type: 'ram', start: m.ramBase, length: BigInt(m.hart.ram.length) },
    ]
  }

  breakpointPcs(address: bigint): bigint[] {
    return this.session.loadAddresses(address)
  }

  get window(): bigint {
    return this.session.checkpointInterval
  }

  runToStop(to: bigint, stops: DebugStops, skip: { breakpoint: boolean; watch: boolean }, interrupted: () => boolean) {
    return this.session.runToStop(to, stops, skip, interrupted)
  }

  unwrittenBetween(from: bigint, to: bigint, ranges: { pa: bigint; length: number }[]): boolean {
    return this.session.unwrittenBetween(from, to, ranges)
  }

  async monitor(command: string): Promise<string | undefined> {
    const [word, arg] = command.trim().split(/\s+/)
    if (word === 'where') return this.where()
    if (word === 'translate' && arg) {
      const s = await this.session.stateAt({ step: Number(this.step), translate: arg })
      if (!s.ok) return `${s.error.message}\n`
      const t = s.value.translation!
      const lines = t.steps.map((st) => `  level ${st.level}  vpn[${st.level}] = ${st.vpn}  PTE at ${st.pteAddr} = ${st.pte}  ${st.kind} ${st.flags}`)
      lines.push(t.ok ? `${t.va} -> ${t.pa} (${t.pageSize} page, ${t.flags})` : `${t.va}: fault (cause ${t.cause}): ${t.reason}`)
      return `${lines.join('\n')}\n`
    }
    if (word === 'events') return this.events(arg)
    return undefined
  }

  private async where(): Promise<string> {
    const s = await this.session.stateAt({ step: Number(this.step) })
    if (!s.ok) return `${s.error.message}\n`
    const i = s.value.instruction
    const place = [i.function, i.loc ? `${i.loc.file}:${i.loc.line}` : undefined, i.symbol].filter(Boolean).join(', ')
    const near = this.nearbyEvent()
    return [
      `step ${s.value.step} of ${this.lastStep}, ${s.value.modeLabel}, ${s.value.rootRegister} ${s.value.satp.mode}${s.value.satp.mode === 'Bare' ? '' : ` root ${s.value.satp.root}`}`,
      `pc ${s.value.pc}  ${i.text ?? `cannot fetch: ${i.fault}`}${place ? `  [${place}]` : ''}`,
      ...(near ? [near] : []),
      '',
    ].join('\n')
  }

  private nearbyEvent(): string | undefined {
    if (!this.recordingPath) return undefined
    const r = RecordingReader.open(this.recordingPath)
    if (!r.ok) return undefined
    try {
      const before = r.value.events({ to: Number(this.step), limit: 100000 }).at(-1)
      return before ? `last event: step ${before.step} ${before.kind}: ${explainEvent(before)}` : undefined
    } finally {
      r.value.close()
    }
  }

  private events(kind: string | undefined): string {
    if (kind && !(EVENT_KINDS as readonly string[]).includes(kind)) return `unknown event kind "${kind}": one of ${EVENT_KINDS.join(', ')}\n`
    if (!this.recordingPath) return 'a live boot: its events are in the recording once it ends (bootscope events REC.sqlite)\n'
    const r = RecordingReader.open(this.recordingPath)
    if (!r.ok) return `${r.error.message}\n`
    try {
      const list = r.value.events({ kinds: kind ? [kind as EventKind] : undefined, limit: MONITOR_EVENTS_LIMIT })
      return list.map((e) => `${String(e.step).padStart(12)}  ${e.kind.padEnd(20)} ${explainEvent(e)}\n`).join('') || 'no events\n'
    } finally {
      r.value.close()
    }
  }
}

/** Whether a replay is of the RISC-V machine this target reads (x86 recordings need their own target). */
export function isRiscvReplay(session: ReplaySession): boolean {
  return session.machineAtStep instanceof Machine
}
