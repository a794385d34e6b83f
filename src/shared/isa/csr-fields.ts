/**
 * CSR values in words, for the register inspector and `bootscope at`: the fields of mstatus and
 * sstatus, the trap vector registers (mtvec, stvec: BASE and MODE), the cause registers (mcause,
 * scause: interrupt bit and the cause's name) and satp. Field positions are the privileged
 * specification's (Volume II, "Machine Status Register", "Machine Trap-Vector Base-Address
 * Register", "Machine Cause Register", "Supervisor Address Translation and Protection Register"),
 * named as the spec names them; this is their one home on the TypeScript side.
 */
import { causeName, isInterrupt } from '../trace/causes'
import { decodeSatp } from '../paging/page-walk'

/** One field of a status register: its spec name, lowest bit and width. */
export interface CsrField {
  name: string
  bit: number
  width: number
  /** Words for the values a multi-bit field can take (MPP: 0 U, 1 S, 3 M). */
  values?: Record<number, string>
}

const PRIV_FIELD_VALUES: Record<number, string> = { 0: 'U', 1: 'S', 3: 'M' }
const FS_VALUES: Record<number, string> = { 0: 'Off', 1: 'Initial', 2: 'Clean', 3: 'Dirty' }
const XL_VALUES: Record<number, string> = { 1: '32', 2: '64', 3: '128' }

/** mstatus (RV64), low bit first. */
export const MSTATUS_FIELDS: readonly CsrField[] = [
  { name: 'SIE', bit: 1, width: 1 },
  { name: 'MIE', bit: 3, width: 1 },
  { name: 'SPIE', bit: 5, width: 1 },
  { name: 'UBE', bit: 6, width: 1 },
  { name: 'MPIE', bit: 7, width: 1 },
  { name: 'SPP', bit: 8, width: 1, values: { 0: 'U', 1: 'S' } },
  { name: 'VS', bit: 9, width: 2, values: FS_VALUES },
  { name: 'MPP', bit: 11, width: 2, values: PRIV_FIELD_VALUES },
  { name: 'FS', bit: 13, width: 2, values: FS_VALUES },
  { name: 'XS', bit: 15, width: 2, values: FS_VALUES },
  { name: 'MPRV', bit: 17, width: 1 },
  { name: 'SUM', bit: 18, width: 1 },
  { name: 'MXR', bit: 19, width: 1 },
  { name: 'TVM', bit: 20, width: 1 },
  { name: 'TW', bit: 21, width: 1 },
  { name: 'TSR', bit: 22, width: 1 },
  { name: 'UXL', bit: 32, width: 2, values: XL_VALUES },
  { name: 'SXL', bit: 34, width: 2, values: XL_VALUES },
  { name: 'SBE', bit: 36, width: 1 },
  { name: 'MBE', bit: 37, width: 1 },
  { name: 'SD', bit: 63, width: 1 },
]

/** The fields of mstatus that sstatus shows (the spec's restricted view). */
const SSTATUS_NAMES = new Set(['SIE', 'SPIE', 'UBE', 'SPP', 'VS', 'FS', 'XS', 'SUM', 'MXR', 'UXL', 'SD'])
export const SSTATUS_FIELDS: readonly CsrField[] = MSTATUS_FIELDS.filter((f) => SSTATUS_NAMES.has(f.name))

/** The xtvec MODE field (bits 1..0): where traps go. */
export const TVEC_MODES: Record<number, string> = { 0: 'Direct', 1: 'Vectored' }

function field(v: bigint, f: CsrField): number {
  return Number((v >> BigInt(f.bit)) & ((1n << BigInt(f.width)) - 1n))
}

const hex = (v: bigint) => `0x${v.toString(16)}`

/**
 * A status register's fields in words: single bits that are set by name (`SIE`), multi-bit
 * fields as `NAME=value` (`MPP=S`, `FS=Dirty`), skipping zero fields with no name for zero and
 * the XLEN fields (always 64 here). `SPP=U` and `MPP=U` are shown: "returns to U-mode" matters.
 */
export function statusFields(v: bigint, fields: readonly CsrField[]): string[] {
  const out: string[] = []
  for (const f of fields) {
    const x = field(v, f)
    if (f.name === 'UXL' || f.name === 'SXL') continue
    if (f.width === 1 && !f.values) {
      if (x) out.push(f.name)
    } else if (f.name === 'SPP' || f.name === 'MPP') out.push(`${f.name}=${f.values?.[x] ?? x}`)
    else if (x) out.push(`${f.name}=${f.values?.[x] ?? x}`)
  }
  return out
}

/** mtvec / stvec: `Direct, BASE 0x80200040` (vectored: interrupts to BASE + 4 × cause). */
export function describeTvec(v: bigint): string {
  const mode = Number(v & 3n)
  const base = v & ~3n
  return `${TVEC_MODES[mode] ?? `reserved mode ${mode}`}, BASE ${hex(base)}${mode === 1 ? ' (interrupts at BASE + 4 × cause)' : ''}`
}

/**
 * mcause / scause: `exception 12: instruction page fault`, `interrupt 5: supervisor timer
 * interrupt`. Zero is also the value at reset, before any trap: the words say both.
 */
export function describeCause(v: bigint): string {
  const code = v & ~(1n << 63n)
  const words = `${isInterrupt(v) ? 'interrupt' : 'exception'} ${code}: ${causeName(v)}`
  return v === 0n ? `no trap taken yet (the reset value), or ${words}` : words
}

/** satp: `Sv39, ASID 0, root table at PA 0x80202000`, or `Bare: no translation`. */
export function describeSatp(v: bigint): string {
  const s = decodeSatp(v)
  return s.mode === 'Bare' ? 'Bare: no translation' : `${s.mode}, ASID ${s.asid}, root table at PA ${s.root}`
}

/** A CSR's value in words, by its name, or undefined for CSRs shown as plain numbers. */
export function describeCsr(name: string, value: bigint): string | undefined {
  switch (name) {
    case 'mstatus':
      return statusFields(value, MSTATUS_FIELDS).join(' ') || 'all fields 0'
    case 'sstatus':
      return statusFields(value, SSTATUS_FIELDS).join(' ') || 'all fields 0'
    case 'mtvec':
    case 'stvec':
      return describeTvec(value)
    case 'mcause':
    case 'scause':
      return describeCause(value)
    case 'satp':
      return describeSatp(value)
    default:
      return undefined
  }
}
