/**
 * Where a recording's semantic events come from, per architecture: the one place that knows
 * which hart writes which trace records. The recorder attaches a deriver to the machine it
 * records; the deriver drains the hart's trace rings after every slice (so memory stays bounded
 * and no record is lost) and turns them into events (`semantic-events.ts` for RISC-V).
 */
import { hex, PRIV_NAMES } from '../../shared/trace/events'
import { causeName, isInterrupt } from '../../shared/trace/causes'
import { HartExit } from '../machine/hart/hart-api'
import type { Hart } from '../machine/hart/hart'
import { decodeTraceRecords } from '../machine/hart/trace-layout'
import type { BootMachine } from '../machine/core/boot-machine'
import { SemanticEvents, REGION_SHIFT, type EventSink } from './semantic-events'
import type { PcMachine } from '../machine/x86/pc-machine'
import { X86SemanticEvents, X86_REGION_SHIFT } from './x86-semantic-events'
import { bootInfoPayload } from './x86-boot-info-event'

export interface EventDeriver {
  /** Turns whatever the hart has traced so far into events. */
  drain(): void
}

/** Starts deriving events from `machine` (created with `trace: true`) into `sink`. */
export function attachEventDeriver(machine: BootMachine, sink: EventSink): EventDeriver {
  switch (machine.arch) {
    case 'riscv64':
      return riscvDeriver(machine, sink)
    case 'x86':
      return x86Deriver(machine as PcMachine, sink)
  }
}

/**
 * The PC machine drains its (always traced) hart itself and hands the records on. Attached at
 * the kernel's entry (after the hand-off event): the boot information is read there.
 */
function x86Deriver(machine: PcMachine, sink: EventSink): EventDeriver {
  const hart = machine.x86
  const info = machine.steps === 0n ? bootInfoPayload(hart.ram, Number(hart.getReg('rax') & 0xffffffffn), hart.getReg('rbx') & 0xffffffffn) : undefined
  if (info) sink.event(0n, 'boot_info', null, info)
  hart.regionShift = X86_REGION_SHIFT
  const derive = new X86SemanticEvents(sink, hart, machine.images[0]?.elf)
  machine.onTraceRecords((records) => derive.consume(records))
  return { drain: () => {} }
}

function riscvDeriver(machine: BootMachine, sink: EventSink): EventDeriver {
  const hart = machine.hart as Hart
  hart.regionShift = REGION_SHIFT
  const derive = new SemanticEvents(sink, hart, machine.ramBase, machine.images[0]?.elf)
  const drain = () => {
    const bytes = hart.drainTrace()
    if (bytes.length) derive.consume(decodeTraceRecords(bytes))
  }
  machine.onHartExit((exit) => {
    drain()
    if (exit === HartExit.FirmwareTrap) firmwareTrap(hart, sink)
  })
  return { drain }
}

/**
 * A trap taken into the built-in firmware (M-mode, handled in TypeScript) leaves no ring record.
 * SBI calls and the timer are the firmware's business; any other trap (a fault the firmware
 * redirects, or cannot handle) is the guest's and goes on the timeline.
 */
function firmwareTrap(hart: Hart, sink: EventSink): void {
  const cause = hart.trapCause
  const code = cause & 0xffn
  if (isInterrupt(cause) || code === 8n || code === 9n) return
  const t = hart.trap
  sink.event(hart.instret, 'trap', hex(t.epc), {
    cause: hex(t.cause),
    causeName: causeName(t.cause),
    interrupt: false,
    tval: hex(t.tval),
    epc: hex(t.epc),
    from: PRIV_NAMES[t.fromPriv] ?? '?',
    to: 'M',
  })
}
