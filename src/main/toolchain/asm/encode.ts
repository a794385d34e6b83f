/**
 * Bit placement for every format of the ISA table: given a row and operand field values,
 * produce the instruction word. Immediate layouts follow the unprivileged spec ("Immediate
 * Encoding Variants"); compressed layouts come from `shared/isa/rvc-imm`. Range checks live
 * with the callers, which know how to explain them to the user.
 */
import { rvcImmEncode, type IsaRow } from '../../../shared/isa'

export interface Fields {
  rd?: number
  rs1?: number
  rs2?: number
  rs3?: number
  rm?: number
  /** Immediate as the row's operand means it (byte offset, shift amount, 20-bit upper, CSR uimm…). */
  imm?: number
  csr?: number
  pred?: number
  succ?: number
}

export function encodeIType(imm: number): number {
  return ((imm & 0xfff) << 20) >>> 0
}
export function encodeSType(imm: number): number {
  return (((imm >> 5) & 0x7f) << 25) | ((imm & 0x1f) << 7)
}
export function encodeBType(imm: number): number {
  return ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7)) >>> 0
}
export function encodeUType(imm20: number): number {
  return ((imm20 & 0xfffff) << 12) >>> 0
}
export function encodeJType(imm: number): number {
  return ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12)) >>> 0
}

/** Encodes a 32-bit row. Fields absent from the format are ignored. */
export function encode32(row: IsaRow, f: Fields): number {
  let w = row.match
  const rd = (f.rd ?? 0) & 31
  const rs1 = (f.rs1 ?? 0) & 31
  const rs2 = (f.rs2 ?? 0) & 31
  const imm = f.imm ?? 0
  const usesRm = row.operands.endsWith(',rm')
  switch (row.format) {
    case 'R': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20); break
    case 'R4': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20) | (((f.rs3 ?? 0) & 31) << 27); break
    case 'I': w |= (rd << 7) | (rs1 << 15) | encodeIType(imm); break
    case 'S': w |= (rs1 << 15) | (rs2 << 20) | encodeSType(imm); break
    case 'B': w |= (rs1 << 15) | (rs2 << 20) | encodeBType(imm); break
    case 'U': w |= (rd << 7) | encodeUType(imm); break
    case 'J': w |= (rd << 7) | encodeJType(imm); break
    case 'SHIFT64': w |= (rd << 7) | (rs1 << 15) | ((imm & 63) << 20); break
    case 'SHIFT32': w |= (rd << 7) | (rs1 << 15) | ((imm & 31) << 20); break
    case 'CSR': w |= (rd << 7) | (rs1 << 15) | (((f.csr ?? 0) & 0xfff) << 20); break
    case 'CSRI': w |= (rd << 7) | ((imm & 31) << 15) | (((f.csr ?? 0) & 0xfff) << 20); break
    case 'FENCE': w |= (((f.pred ?? 0) & 15) << 24) | (((f.succ ?? 0) & 15) << 20); break
    case 'AMO': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20); break
    case 'LR': w |= (rd << 7) | (rs1 << 15); break
    case 'SYS': break
    case 'SFENCE': w |= (rs1 << 15) | (rs2 << 20); break
    default: throw new Error(`encode32: ${row.name} is ${row.format}`)
  }
  if (usesRm) w = (w & ~0x7000) | (((f.rm ?? 7) & 7) << 12)
  return w >>> 0
}

/** Encodes a 16-bit row; `imm` must already be valid for the row's layout (see rvcImmEncode). */
function full(r: number | undefined): number {
  return (r ?? 0) & 31
}
function prime(r: number | undefined): number {
  return ((r ?? 8) - 8) & 7
}

export function encode16(row: IsaRow, f: Fields): number {
  let w = row.match
  const imm = row.imm ? (rvcImmEncode(row.imm, f.imm ?? 0) ?? 0) : 0
  switch (row.format) {
    case 'CR': w |= (full(f.rd ?? f.rs1) << 7) | (full(f.rs2) << 2); break
    case 'CI': w |= (full(f.rd) << 7) | imm; break
    case 'CSS': w |= (full(f.rs2) << 2) | imm; break
    case 'CIW': w |= (prime(f.rd) << 2) | imm; break
    case 'CL': w |= (prime(f.rd) << 2) | (prime(f.rs1) << 7) | imm; break
    case 'CS': w |= (prime(f.rs2) << 2) | (prime(f.rs1) << 7) | imm; break
    case 'CA': w |= (prime(f.rd) << 7) | (prime(f.rs2) << 2); break
    case 'CB': w |= (prime(f.rs1 ?? f.rd) << 7) | imm; break
    case 'CJ': w |= imm; break
    default: throw new Error(`encode16: ${row.name} is ${row.format}`)
  }
  return w & 0xffff
}

/** True for x8..x15 (f8..f15), the registers a 3-bit compressed field can name. */
export function isPrime(r: number | undefined): boolean {
  return r !== undefined && r >= 8 && r <= 15
}
