/**
 * The x86 hart's trace ring: the same fixed 48-byte little-endian records as the RV64 hart
 * (`../../hart/trace-layout.ts`: step u64, kind u32, aux u32, a, b, c, d u64) so the recorder
 * drains and stores both the same way; only the kinds and their fields are x86's. The hart writes
 * them on slow paths only (control-register and MSR writes, exception delivery, iret, far
 * transfers, descriptor-table loads, invlpg, page walks, stores into watched pages, fetches in a
 * new region), so the untraced build and the traced hot loop pay nothing per instruction.
 *
 * Per kind (all addresses linear unless named pa):
 * - STORE   store into a watched RAM page (incl. A/D updates by the walker): aux = size, a = pa, b = linear address
 *           (the PTE's own pa for A/D updates), c = old, d = new (little-endian bytes of the access, ≤ 8)
 * - CR      mov to CR0/CR2/CR3/CR4/CR8, clts, lmsw, and CR0/CR3/CR4 loads by task switches: aux = CR number, c = old, d = new
 * - EXC     exception or interrupt delivered through the IDT: aux = vector | fromCpl << 8 | toCpl << 10 | EXC_FLAG_* << 12,
 *           a = error code (when EXC_FLAG.ERROR_CODE), b = CR2 for #PF (else 0), c = RIP of the event (the faulting or
 *           interrupted instruction; the next one for traps and int n), d = handler RIP (its CS is the gate's selector)
 * - IRET    iret/iretd/iretq: aux = fromCpl | toCpl << 8 | operand size (16/32/64) << 16, a = RIP of the iret, b = target RIP, c = target CS
 * - INVLPG  invlpg: a = linear address; also invpcid/TLB-flushing instructions (aux = 1 for a full flush, 2 keeping globals)
 * - WALK    each paging-structure entry read by the walker (when walk tracing is on): aux = level (4 PML4 … 1 PT; for
 *           32-bit paging 2 PD, 1 PT; PAE 3 PDPTE), a = linear address, b = entry pa, c = entry value
 * - REGION  first fetch in a new RIP region (region = rip >> regionShift): aux = CPL, a = from RIP (last executed), b = to RIP
 * - FAR     a far transfer that loaded CS (jmp/call far, retf, and syscall/sysret/sysenter/sysexit): aux = old CS | new CS << 16,
 *           a = from RIP, b = to RIP, c = FAR_* cause, d = new mode (X86_MODE_CODE)
 * - DTR     lgdt/lidt/lldt/ltr: aux = DTR_* which, a = base, b = limit, c = selector (lldt/ltr)
 * - MODE    operating mode or code size changed: aux = old X86_MODE_CODE | new << 8, a = RIP of the instruction that changed it
 * - MSR     wrmsr to a hart-owned MSR (EFER, STAR, LSTAR, FS/GS base, …) and EFER.LMA changes: aux = 0, a = MSR number, c = old, d = new
 * - SHUTDOWN triple fault: aux = vector of the third fault, a = RIP, b = CR2
 *
 * Steps: a record's step is the instret before the instruction that caused it retires (an
 * exception's step is that of the faulting instruction), as on RISC-V. int n, int3, into and int1
 * retire with their delivery: their EXC carries the instruction's own step and the handler's first
 * instruction runs one step later; a fault while delivering them is the instruction's own (step
 * unchanged, it does not retire, the fault returns to it). External interrupts, NMIs and the
 * single-step #DB are taken between instructions: their step is that of the instruction they
 * come before (the handler's first instruction runs at that step).
 */
import { TRACE_FIELD, TRACE_RECORD_BYTES } from '../../hart/trace-layout'

export { TRACE_FIELD, TRACE_RECORD_BYTES }

export const X86_TRACE_KIND = {
  STORE: 1,
  CR: 2,
  EXC: 3,
  IRET: 4,
  INVLPG: 5,
  WALK: 6,
  REGION: 7,
  FAR: 8,
  DTR: 9,
  MODE: 10,
  MSR: 11,
  SHUTDOWN: 12,
} as const
export type X86TraceKind = (typeof X86_TRACE_KIND)[keyof typeof X86_TRACE_KIND]

/** EXC aux flag bits (after `<< 12`). */
export const EXC_FLAG = {
  /** An error code was pushed (a holds it). */
  ERROR_CODE: 1,
  /** External interrupt (from `acknowledgeInterrupt`). */
  EXTERNAL: 2,
  /** Software interrupt: int n, int3, into (not int1: a #DB trap delivered as an exception, EXT set, gate DPL ignored). */
  SOFTWARE: 4,
  /** NMI. */
  NMI: 8,
  /** Delivered as #DF after a fault during delivery. */
  DOUBLE: 16,
} as const

/** FAR c field: what loaded CS. */
export const FAR_CAUSE = {
  JMP: 1,
  CALL: 2,
  RETF: 3,
  SYSCALL: 4,
  SYSRET: 5,
  SYSENTER: 6,
  SYSEXIT: 7,
  /** A mov/pop to CS is impossible; a host `setSegment('cs')` is recorded as this. */
  HOST: 8,
} as const

/** DTR aux: which register was loaded. */
export const DTR_WHICH = { GDTR: 0, IDTR: 1, LDTR: 2, TR: 3 } as const

/** Mode codes in MODE and FAR records: mode and code size in one number. */
export const X86_MODE_CODE = {
  REAL16: 0,
  PROTECTED16: 1,
  PROTECTED32: 2,
  COMPAT16: 3,
  COMPAT32: 4,
  LONG64: 5,
} as const

export interface X86TraceRecord {
  step: bigint
  kind: X86TraceKind
  aux: number
  a: bigint
  b: bigint
  c: bigint
  d: bigint
}

/** Decodes the records in a chunk of drained ring bytes. */
export function decodeX86TraceRecords(bytes: Uint8Array): X86TraceRecord[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: X86TraceRecord[] = []
  for (let o = 0; o + TRACE_RECORD_BYTES <= bytes.byteLength; o += TRACE_RECORD_BYTES) {
    out.push({
      step: dv.getBigUint64(o + TRACE_FIELD.step, true),
      kind: dv.getUint32(o + TRACE_FIELD.kind, true) as X86TraceKind,
      aux: dv.getUint32(o + TRACE_FIELD.aux, true),
      a: dv.getBigUint64(o + TRACE_FIELD.a, true),
      b: dv.getBigUint64(o + TRACE_FIELD.b, true),
      c: dv.getBigUint64(o + TRACE_FIELD.c, true),
      d: dv.getBigUint64(o + TRACE_FIELD.d, true),
    })
  }
  return out
}
