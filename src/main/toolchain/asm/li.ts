/**
 * `li rd, imm` for any 64-bit constant, with the exact instruction sequence GNU `as` 2.40
 * builds (tc-riscv.c `load_const`): a sign-extended 32-bit value is `lui` and/or `addiw`
 * (`addi` when nothing else is needed); a wider value is built recursively from its upper
 * bits, then `slli` by the distance to the lowest set bit and an `addi` of the low 12 bits.
 * Each step is then assembled (and compressed) like a written instruction.
 */

export interface LiStep {
  mnemonic: 'lui' | 'addiw' | 'addi' | 'slli'
  /** Source register for addiw/addi/slli (0 = x0). */
  rs1: number
  imm: bigint
}

const sext = (v: bigint, bits: number) => BigInt.asIntN(bits, v)

/** The steps for loading `value` (already reduced to 64 bits) into `rd`. */
export function liSequence(rd: number, value: bigint): LiStep[] {
  const out: LiStep[] = []
  build(rd, BigInt.asIntN(64, value), out)
  return out
}

function build(rd: number, v: bigint, out: LiStep[]): void {
  const lower = sext(v & 0xfffn, 12)
  let upper = BigInt.asIntN(64, v - lower)
  if (sext(v, 32) !== v) {
    // Reduce to a signed 32-bit constant using SLLI and ADDI.
    let shift = 12n
    while (((upper >> shift) & 1n) === 0n) shift++
    upper = upper >> shift
    build(rd, upper, out)
    out.push({ mnemonic: 'slli', rs1: rd, imm: shift })
    if (lower !== 0n) out.push({ mnemonic: 'addi', rs1: rd, imm: lower })
    return
  }
  let hiReg = 0
  if (upper !== 0n) {
    out.push({ mnemonic: 'lui', rs1: 0, imm: (BigInt.asUintN(32, upper) >> 12n) & 0xfffffn })
    hiReg = rd
  }
  if (lower !== 0n || hiReg === 0) out.push({ mnemonic: 'addiw', rs1: hiReg, imm: lower })
}
