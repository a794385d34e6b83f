/**
 * The public face of the ISA table: the rows, lookups by name and by encoded word, CSR and
 * register names. Shared by the assembler, the disassembler and the hart-decoder generator.
 */
import { INSTRUCTIONS } from './table'
import type { IsaRow } from './types'
import { rvcImmDecode } from './rvc-imm'

export { INSTRUCTIONS, ALLOWED_OVERLAPS } from './table'
export type { IsaRow, IsaFormat, IsaExtension, RvcImm } from './types'
export { CSR_NAMES, csrNumber, csrName } from './csr'
export { INT_ABI_NAMES, FLOAT_ABI_NAMES, intRegister, floatRegister } from './registers'
export { rvcImmDecode, rvcImmEncode } from './rvc-imm'
export { disassemble, type Disassembled } from './disassemble'
export { instructionSummary } from './summaries'

const popcount = (n: number): number => {
  let c = 0
  for (let v = n >>> 0; v; v &= v - 1) c++
  return c
}

// Buckets keep findRow to a handful of mask tests: 32-bit rows by major opcode (bits 6..0),
// 16-bit rows by quadrant and funct3 (bits 1..0 and 15..13). Each bucket is sorted most
// specific first, so the first hit is the answer.
const BUCKETS_32: IsaRow[][] = Array.from({ length: 128 }, () => [])
const BUCKETS_16: IsaRow[][] = Array.from({ length: 32 }, () => [])
const BY_NAME = new Map<string, IsaRow>()
for (const row of INSTRUCTIONS) {
  BY_NAME.set(row.name, row)
  if (row.length === 4) BUCKETS_32[row.match & 0x7f].push(row)
  else BUCKETS_16[((row.match >>> 13) << 2) | (row.match & 3)].push(row)
}
for (const b of [...BUCKETS_32, ...BUCKETS_16]) b.sort((a, c) => popcount(c.mask) - popcount(a.mask))

/** The row for a GNU mnemonic (`addi`, `c.addi`, `amoadd.w.aqrl`), or undefined. */
export function rowByName(name: string): IsaRow | undefined {
  return BY_NAME.get(name)
}

/**
 * Decodes a 16- or 32-bit word to its row, preferring the most specific match. The length
 * comes from the low bits (RISC-V "Base Instruction-Length Encoding": bits 1..0 = 11 → 32-bit).
 * Returns undefined for an illegal or unsupported encoding (including the all-zero parcel).
 */
export function findRow(word: number): IsaRow | undefined {
  if ((word & 3) === 3) {
    const w = word >>> 0
    for (const row of BUCKETS_32[w & 0x7f]) if (((w & row.mask) >>> 0) === row.match) return row
    return undefined
  }
  const h = word & 0xffff
  if (h === 0) return undefined // the all-zero parcel is defined illegal (spec, "C" chapter)
  for (const row of BUCKETS_16[((h >>> 13) << 2) | (h & 3)]) {
    if ((h & row.mask) !== row.match) continue
    if (row.nonZero && !nonZeroHolds(row, h)) continue
    return row
  }
  return undefined
}

function nonZeroHolds(row: IsaRow, h: number): boolean {
  for (const f of row.nonZero!) {
    if (f === 'rd' && ((h >>> 7) & 31) === 0) return false
    if (f === 'rs2' && ((h >>> 2) & 31) === 0) return false
    if (f === 'imm' && rvcImmDecode(row.imm!, h) === 0) return false
  }
  return true
}

/** Instruction length in bytes from the first 16-bit parcel. */
export function instructionLength(parcel: number): 2 | 4 {
  return (parcel & 3) === 3 ? 4 : 2
}
