/**
 * The trace ring's record layout, shared by the hart (assembly/trace.ts writes it) and the
 * recorder (drains it into SQLite BLOB chunks). One ring, fixed 48-byte little-endian records in
 * execution order, so chunks can be stored as-is and decoded later with these offsets.
 *
 * | off | type | field                                                          |
 * |-----|------|----------------------------------------------------------------|
 * |   0 | u64  | step: retired-instruction count when the event happened       |
 * |   8 | u32  | kind (TRACE_KIND)                                               |
 * |  12 | u32  | aux (per kind, below)                                           |
 * |  16 | u64  | a                                                               |
 * |  24 | u64  | b                                                               |
 * |  32 | u64  | c                                                               |
 * |  40 | u64  | d                                                               |
 *
 * Per kind:
 * - STORE  (store into a watched page, incl. hardware A/D updates): aux = size, a = paddr, b = vaddr, c = old, d = new
 *   (old/new are the little-endian bytes of the access, for straddling stores the whole value)
 * - CSR    (any CSR written by an instruction, incl. satp): aux = csr number, c = old, d = new (after WARL)
 * - TRAP   (exception or interrupt taken in the guest): aux = fromPriv | toPriv << 8, a = cause, b = tval, c = epc, d = handler pc
 * - XRET   (mret/sret): aux = fromPriv | toPriv << 8, a = 0x302 (mret) or 0x102 (sret), b = target pc
 * - SFENCE (sfence.vma): aux = bit0 rs1 was x0 (all VAs) | bit1 rs2 was x0 (all ASIDs), a = vaddr, b = asid
 * - WALK   (each PTE read by the walker, when walk tracing is on): aux = level, a = vaddr, b = PTE paddr, c = PTE
 * - REGION (first fetch in a new pc region, region = pc >> regionShift): aux = priv, a = from pc (last executed), b = to pc
 * - PRIV   (host-driven privilege change via resumeAt, e.g. the built-in SBI returning): aux = from | to << 8, a = pc
 *
 * Steps: a record's step is the instret before the instruction that caused it retires (a trap's
 * step is that of the trapping instruction), so "at step N" means "while executing instruction N".
 */

export const TRACE_RECORD_BYTES = 48

export const TRACE_FIELD = {
  step: 0,
  kind: 8,
  aux: 12,
  a: 16,
  b: 24,
  c: 32,
  d: 40,
} as const

export const TRACE_KIND = {
  STORE: 1,
  CSR: 2,
  TRAP: 3,
  XRET: 4,
  SFENCE: 5,
  WALK: 6,
  REGION: 7,
  PRIV: 8,
} as const

export type TraceKind = (typeof TRACE_KIND)[keyof typeof TRACE_KIND]

export interface TraceRecord {
  step: bigint
  kind: TraceKind
  aux: number
  a: bigint
  b: bigint
  c: bigint
  d: bigint
}

/** Decodes the records in a chunk of drained ring bytes. */
export function decodeTraceRecords(bytes: Uint8Array): TraceRecord[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: TraceRecord[] = []
  for (let o = 0; o + TRACE_RECORD_BYTES <= bytes.byteLength; o += TRACE_RECORD_BYTES) {
    out.push({
      step: dv.getBigUint64(o + TRACE_FIELD.step, true),
      kind: dv.getUint32(o + TRACE_FIELD.kind, true) as TraceKind,
      aux: dv.getUint32(o + TRACE_FIELD.aux, true),
      a: dv.getBigUint64(o + TRACE_FIELD.a, true),
      b: dv.getBigUint64(o + TRACE_FIELD.b, true),
      c: dv.getBigUint64(o + TRACE_FIELD.c, true),
      d: dv.getBigUint64(o + TRACE_FIELD.d, true),
    })
  }
  return out
}
