/**
 * x86 exceptions in words and rules, on top of the vector table of `system-registers.ts` (SDM
 * vol. 3, Table 6-1): names for any vector, which ones push an error code, when a fault while
 * delivering a fault becomes a double fault (Table 6-5 "Conditions for Generating a Double
 * Fault"), and the error codes read for people (#PF: Figure 4-12; selector error codes: §6.13).
 * The stop explanations and the timeline use them.
 */
import { PF_ERROR_BITS } from '../../paging/x86/entry-bits'
import { exceptionVector, type ExceptionClass } from './system-registers'

/** Vectors 0–31 are the processor's; 32–255 are external interrupts and `int n`. */
export const FIRST_USER_VECTOR = 32

/** `#PF (page fault)`, `vector 33 (0x21)`. */
export function vectorName(vector: number): string {
  const v = exceptionVector(vector)
  return v ? `${v.mnemonic} (${v.name})` : `vector ${vector} (0x${vector.toString(16)})`
}

/** Does delivering `vector` as an exception push an error code? (`int n` never does.) */
export function pushesErrorCode(vector: number): boolean {
  return exceptionVector(vector)?.errorCode ?? false
}

/** Table 6-4: benign, contributory or page fault. */
export function exceptionClass(vector: number): ExceptionClass {
  return exceptionVector(vector)?.dfClass ?? 'benign'
}

/**
 * Table 6-5: does a second exception raised while delivering the first become a double fault?
 * (Otherwise the two are handled serially.) A fault while delivering #DF itself is a triple
 * fault (§6.15, "Interrupt 8").
 */
export function becomesDoubleFault(first: number, second: number): boolean {
  const a = exceptionClass(first)
  const b = exceptionClass(second)
  if (a === 'contributory') return b === 'contributory'
  if (a === 'page-fault') return b === 'contributory' || b === 'page-fault'
  return false
}

const pfBit = (name: string) => 1 << PF_ERROR_BITS.find((b) => b.name === name)!.bit

/** The #PF error code's bits as masks. */
export const PF_ERROR = { P: pfBit('P'), W: pfBit('WR'), U: pfBit('US'), RSVD: pfBit('RSVD'), I: pfBit('ID'), PK: pfBit('PK') } as const

/** A #PF error code in words: `not present, write, supervisor mode`. */
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
