/**
 * x86 exception and interrupt vectors as the SDM numbers and names them (Vol. 3A §6.3.1, Table
 * 6-1 "Protected-Mode Exceptions and Interrupts"), which push an error code, and how a fault
 * while delivering a fault is classified (Table 6-4 "Interrupt and Exception Classes", Table 6-5
 * "Conditions for Generating a Double Fault"). One home for the hart, the stop explanations and
 * the timeline.
 */

export interface VectorInfo {
  /** The mnemonic, e.g. `#PF`. */
  mnemonic: string
  name: string
  /** The processor pushes an error code (Table 6-1, "Error Code"). */
  errorCode: boolean
}

export const VECTOR = {
  DE: 0, DB: 1, NMI: 2, BP: 3, OF: 4, BR: 5, UD: 6, NM: 7, DF: 8, TS: 10, NP: 11, SS: 12, GP: 13, PF: 14, MF: 16, AC: 17, MC: 18, XM: 19, VE: 20, CP: 21,
} as const

const VECTORS: Record<number, VectorInfo> = {
  0: { mnemonic: '#DE', name: 'divide error', errorCode: false },
  1: { mnemonic: '#DB', name: 'debug', errorCode: false },
  2: { mnemonic: 'NMI', name: 'non-maskable interrupt', errorCode: false },
  3: { mnemonic: '#BP', name: 'breakpoint', errorCode: false },
  4: { mnemonic: '#OF', name: 'overflow', errorCode: false },
  5: { mnemonic: '#BR', name: 'BOUND range exceeded', errorCode: false },
  6: { mnemonic: '#UD', name: 'invalid opcode', errorCode: false },
  7: { mnemonic: '#NM', name: 'device not available', errorCode: false },
  8: { mnemonic: '#DF', name: 'double fault', errorCode: true },
  9: { mnemonic: 'CSO', name: 'coprocessor segment overrun', errorCode: false },
  10: { mnemonic: '#TS', name: 'invalid TSS', errorCode: true },
  11: { mnemonic: '#NP', name: 'segment not present', errorCode: true },
  12: { mnemonic: '#SS', name: 'stack-segment fault', errorCode: true },
  13: { mnemonic: '#GP', name: 'general protection', errorCode: true },
  14: { mnemonic: '#PF', name: 'page fault', errorCode: true },
  16: { mnemonic: '#MF', name: 'x87 floating-point error', errorCode: false },
  17: { mnemonic: '#AC', name: 'alignment check', errorCode: true },
  18: { mnemonic: '#MC', name: 'machine check', errorCode: false },
  19: { mnemonic: '#XM', name: 'SIMD floating-point exception', errorCode: false },
  20: { mnemonic: '#VE', name: 'virtualization exception', errorCode: false },
  21: { mnemonic: '#CP', name: 'control protection', errorCode: true },
}

/** Vectors 0–31 are the processor's; 32–255 are external interrupts and `int n`. */
export const FIRST_USER_VECTOR = 32

export function vectorInfo(vector: number): VectorInfo | undefined {
  return VECTORS[vector]
}

/** `#PF (page fault)`, `vector 0x21`. */
export function vectorName(vector: number): string {
  const v = VECTORS[vector]
  return v ? `${v.mnemonic} (${v.name})` : `vector ${vector} (0x${vector.toString(16)})`
}

/** Does delivering `vector` as an exception push an error code? (`int n` never does.) */
export function pushesErrorCode(vector: number): boolean {
  return VECTORS[vector]?.errorCode ?? false
}

/** Table 6-4: benign, contributory or page fault (for the double-fault rules). */
export type ExceptionClass = 'benign' | 'contributory' | 'page-fault'

export function exceptionClass(vector: number): ExceptionClass {
  if (vector === VECTOR.PF) return 'page-fault'
  if (vector === VECTOR.DE || (vector >= VECTOR.TS && vector <= VECTOR.GP)) return 'contributory'
  return 'benign'
}

/**
 * Table 6-5: does a second exception raised while delivering the first become a double fault?
 * (Otherwise the two are handled serially: the second is delivered instead.) A fault while
 * delivering #DF itself is a triple fault (§6.15, "Interrupt 8").
 */
export function becomesDoubleFault(first: number, second: number): boolean {
  const a = exceptionClass(first)
  const b = exceptionClass(second)
  if (a === 'contributory') return b === 'contributory'
  if (a === 'page-fault') return b === 'contributory' || b === 'page-fault'
  return false
}

/** The #PF error code's bits (SDM Vol. 3A §4.7, Figure 4-12). */
export const PF_ERROR = { P: 1 << 0, W: 1 << 1, U: 1 << 2, RSVD: 1 << 3, I: 1 << 4, PK: 1 << 5 } as const

/** A #PF error code in words: `not present, write, supervisor`. */
export function describePageFaultError(code: number): string {
  const parts = [
    code & PF_ERROR.P ? 'protection violation' : 'not present',
    code & PF_ERROR.I ? 'instruction fetch' : code & PF_ERROR.W ? 'write' : 'read',
    code & PF_ERROR.U ? 'user mode' : 'supervisor mode',
  ]
  if (code & PF_ERROR.RSVD) parts.push('reserved bit set')
  if (code & PF_ERROR.PK) parts.push('protection key')
  return parts.join(', ')
}

/**
 * A selector error code (#GP, #TS, #NP, #SS; SDM §6.13 Figure 6-7) in words: `GDT selector 0x10`,
 * `IDT vector 14`. EXT (bit 0) says an external event caused it.
 */
export function describeSelectorError(code: number): string {
  if (code === 0) return 'error code 0'
  const index = code >> 3
  const table = code & 2 ? 'IDT' : code & 4 ? 'LDT' : 'GDT'
  const what = table === 'IDT' ? `IDT vector ${index}` : `${table} selector 0x${(code & ~3).toString(16)}`
  return `${what}${code & 1 ? ' (external event)' : ''}`
}
