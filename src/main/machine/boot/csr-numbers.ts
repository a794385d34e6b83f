/**
 * The CSR numbers the machine and the built-in firmware touch, by their spec names, taken from the
 * one CSR table in `shared/isa/csr.ts` so there is a single source for the numbers.
 */
import { csrNumber } from '../../../shared/isa/csr'

function csr(name: string): number {
  const n = csrNumber(name)
  if (n === undefined) throw new Error(`CSR ${name} missing from shared/isa/csr.ts`)
  return n
}

export const CSR = {
  sstatus: csr('sstatus'),
  sie: csr('sie'),
  stvec: csr('stvec'),
  scounteren: csr('scounteren'),
  sepc: csr('sepc'),
  scause: csr('scause'),
  stval: csr('stval'),
  satp: csr('satp'),
  mvendorid: csr('mvendorid'),
  marchid: csr('marchid'),
  mimpid: csr('mimpid'),
  mhartid: csr('mhartid'),
  mstatus: csr('mstatus'),
  medeleg: csr('medeleg'),
  mideleg: csr('mideleg'),
  mie: csr('mie'),
  mtvec: csr('mtvec'),
  mcounteren: csr('mcounteren'),
  mepc: csr('mepc'),
  mcause: csr('mcause'),
  mtval: csr('mtval'),
  mip: csr('mip'),
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
} as const

/** mstatus/sstatus bits (privileged spec, "Machine Status Registers"). */
export const MSTATUS_SIE = 1n << 1n
export const MSTATUS_SPIE = 1n << 5n
export const MSTATUS_SPP = 1n << 8n

/** Exception codes (privileged spec, table "mcause values after trap"). */
export const CAUSE_INSTRUCTION_ACCESS_FAULT = 1n
export const CAUSE_ILLEGAL_INSTRUCTION = 2n
export const CAUSE_BREAKPOINT = 3n
export const CAUSE_LOAD_ACCESS_FAULT = 5n
export const CAUSE_STORE_ACCESS_FAULT = 7n
export const CAUSE_ECALL_FROM_U = 8n
export const CAUSE_ECALL_FROM_S = 9n
export const CAUSE_ECALL_FROM_M = 11n
export const CAUSE_INSTRUCTION_PAGE_FAULT = 12n
export const CAUSE_LOAD_PAGE_FAULT = 13n
export const CAUSE_STORE_PAGE_FAULT = 15n
export const CAUSE_INTERRUPT = 1n << 63n
export const IRQ_M_SOFT = 3n
export const IRQ_M_TIMER = 7n
export const IRQ_M_EXT = 11n
