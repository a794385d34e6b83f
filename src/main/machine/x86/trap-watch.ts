/**
 * Spots an x86 guest stuck in a trap loop: the same exception (vector, faulting RIP, error code,
 * CR2) delivered again and again — a #GP or #PF handler that returns to the faulting instruction
 * without fixing anything. External interrupts in between (a timer ticking) do not break the
 * streak; a different exception does. Fed with the hart's EXC trace records.
 */
import { describePageFaultError, vectorName } from '../../../shared/isa/x86/exceptions'
import { VECTOR_BY_MNEMONIC } from '../../../shared/isa/x86/system-registers'
import { EXC_FLAG, TRACE_FIELD, TRACE_RECORD_BYTES, X86_TRACE_KIND, type X86TraceRecord } from './hart/trace-layout'

/** Identical consecutive exceptions before we call it a loop (as on RISC-V). */
export const X86_TRAP_REPEAT_LIMIT = 64
const EXC_FLAG_SHIFT = 12

const hex = (v: bigint | number) => `0x${v.toString(16)}`

export interface X86TrapLoop {
  message: string
  hint: string
  pc: bigint
}

export class X86TrapWatch {
  private lastKey = ''
  private repeats = 0

  /**
   * The faults in a chunk of raw ring bytes, read in place (no record objects: an interrupt-heavy
   * guest fills the ring with EXC and IRET records that a boot without a recorder never needs).
   */
  scan(bytes: Uint8Array): X86TrapLoop | undefined {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let o = 0; o + TRACE_RECORD_BYTES <= bytes.byteLength; o += TRACE_RECORD_BYTES) {
      if (dv.getUint32(o + TRACE_FIELD.kind, true) !== X86_TRACE_KIND.EXC) continue
      const aux = dv.getUint32(o + TRACE_FIELD.aux, true)
      if ((aux >> EXC_FLAG_SHIFT) & (EXC_FLAG.EXTERNAL | EXC_FLAG.SOFTWARE)) continue
      const loop = this.observe({
        step: dv.getBigUint64(o + TRACE_FIELD.step, true),
        kind: X86_TRACE_KIND.EXC,
        aux,
        a: dv.getBigUint64(o + TRACE_FIELD.a, true),
        b: dv.getBigUint64(o + TRACE_FIELD.b, true),
        c: dv.getBigUint64(o + TRACE_FIELD.c, true),
        d: dv.getBigUint64(o + TRACE_FIELD.d, true),
      })
      if (loop) return loop
    }
    return undefined
  }

  /** One EXC record; returns the loop once the same exception repeated X86_TRAP_REPEAT_LIMIT times. */
  observe(r: X86TraceRecord): X86TrapLoop | undefined {
    const flags = r.aux >> EXC_FLAG_SHIFT
    if (flags & (EXC_FLAG.EXTERNAL | EXC_FLAG.SOFTWARE)) return undefined // interrupts and int n are not faults
    const vector = r.aux & 0xff
    const key = `${vector}:${r.c}:${r.a}:${r.b}`
    this.repeats = key === this.lastKey ? this.repeats + 1 : 1
    this.lastKey = key
    if (this.repeats < X86_TRAP_REPEAT_LIMIT) return undefined
    const pf = vector === VECTOR_BY_MNEMONIC.PF ? ` (CR2 ${hex(r.b)}: ${describePageFaultError(Number(r.a))})` : flags & EXC_FLAG.ERROR_CODE ? ` (error code ${hex(r.a)})` : ''
    return {
      pc: r.c,
      message: `the same exception, ${vectorName(vector)} at rip ${hex(r.c)}${pf}, was taken ${this.repeats} times in a row: its handler returns to the faulting instruction, which faults again`,
      hint: 'a fault handler must fix the cause (map the page, load a valid segment) or skip or end the faulting code; returning with iret retries the same instruction',
    }
  }
}
