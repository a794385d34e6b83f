/**
 * The C extension scatters immediate bits differently per instruction (unprivileged spec,
 * "Compressed Instruction Formats"). Each layout is listed as data: for every instruction bit
 * that carries an immediate bit, which immediate bit it is. Encoding and decoding both walk
 * the same list, so they cannot disagree.
 */
import type { RvcImm } from './types'

interface Layout {
  /** [instruction bit, immediate bit] pairs. */
  bits: readonly (readonly [number, number])[]
  /** Width of the immediate when signed (sign bit = width-1); 0 when unsigned. */
  signedWidth: number
}

/** Builds pairs from a spec-style field: instruction bits hi..lo carry immediate bits `imm` in order. */
function field(hi: number, imm: number[]): [number, number][] {
  return imm.map((b, i) => [hi - i, b] as [number, number])
}

const LAYOUTS: Record<RvcImm, Layout> = {
  // imm[5] | imm[4:0]
  rvc_imm: { bits: [...field(12, [5]), ...field(6, [4, 3, 2, 1, 0])], signedWidth: 6 },
  rvc_shamt: { bits: [...field(12, [5]), ...field(6, [4, 3, 2, 1, 0])], signedWidth: 0 },
  // nzimm[17] | nzimm[16:12], expressed here in units of 4 KiB pages (the lui operand)
  rvc_lui_imm: { bits: [...field(12, [5]), ...field(6, [4, 3, 2, 1, 0])], signedWidth: 6 },
  // nzimm[9] | nzimm[4|6|8:7|5]
  rvc_addi16sp_imm: { bits: [...field(12, [9]), ...field(6, [4, 6, 8, 7, 5])], signedWidth: 10 },
  // nzuimm[5:4|9:6|2|3]
  rvc_addi4spn_imm: { bits: field(12, [5, 4, 9, 8, 7, 6, 2, 3]), signedWidth: 0 },
  // uimm[5:3] | uimm[2|6]
  rvc_lw_imm: { bits: [...field(12, [5, 4, 3]), ...field(6, [2, 6])], signedWidth: 0 },
  // uimm[5:3] | uimm[7:6]
  rvc_ld_imm: { bits: [...field(12, [5, 4, 3]), ...field(6, [7, 6])], signedWidth: 0 },
  // uimm[5] | uimm[4:2|7:6]
  rvc_lwsp_imm: { bits: [...field(12, [5]), ...field(6, [4, 3, 2, 7, 6])], signedWidth: 0 },
  // uimm[5] | uimm[4:3|8:6]
  rvc_ldsp_imm: { bits: [...field(12, [5]), ...field(6, [4, 3, 8, 7, 6])], signedWidth: 0 },
  // uimm[5:2|7:6]
  rvc_swsp_imm: { bits: field(12, [5, 4, 3, 2, 7, 6]), signedWidth: 0 },
  // uimm[5:3|8:6]
  rvc_sdsp_imm: { bits: field(12, [5, 4, 3, 8, 7, 6]), signedWidth: 0 },
  // offset[8|4:3] | offset[7:6|2:1|5]
  rvc_b_imm: { bits: [...field(12, [8, 4, 3]), ...field(6, [7, 6, 2, 1, 5])], signedWidth: 9 },
  // offset[11|4|9:8|10|6|7|3:1|5]
  rvc_j_imm: { bits: field(12, [11, 4, 9, 8, 10, 6, 7, 3, 2, 1, 5]), signedWidth: 12 },
}

/** Precomputed: which immediate bits a layout can represent (the rest must be zero). */
const REPRESENTABLE: Record<string, number> = {}
for (const [k, l] of Object.entries(LAYOUTS)) REPRESENTABLE[k] = l.bits.reduce((m, [, b]) => m | (1 << b), 0)

/** The immediate carried by a 16-bit instruction, sign-extended where the layout is signed. */
export function rvcImmDecode(kind: RvcImm, inst: number): number {
  const l = LAYOUTS[kind]
  let v = 0
  for (const [ib, mb] of l.bits) if ((inst >>> ib) & 1) v |= 1 << mb
  if (l.signedWidth && (v >>> (l.signedWidth - 1)) & 1) v -= 1 << l.signedWidth
  return v
}

/**
 * The instruction bits for an immediate, or undefined when it does not fit the layout (out of
 * range or misaligned). Signed layouts accept [-2^(w-1), 2^(w-1)); unsigned ones [0, 2^maxbit+1).
 */
export function rvcImmEncode(kind: RvcImm, value: number): number | undefined {
  const l = LAYOUTS[kind]
  let v = value
  if (l.signedWidth) {
    const half = 1 << (l.signedWidth - 1)
    if (v < -half || v >= half) return undefined
    v &= (1 << l.signedWidth) - 1
  } else if (v < 0) return undefined
  if ((v & ~REPRESENTABLE[kind]) !== 0 || v > REPRESENTABLE[kind]) return undefined
  let inst = 0
  for (const [ib, mb] of l.bits) if ((v >>> mb) & 1) inst |= 1 << ib
  return inst
}
