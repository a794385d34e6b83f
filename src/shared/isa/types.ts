/**
 * The shape of THE RISC-V instruction table (ARCHITECTURE.md, "One ISA table"). One row per
 * instruction, in the spirit of GNU opcodes' riscv-opc.c and Spike's encoding tables: the
 * assembler encodes from it, the disassembler decodes with it, and the hart's decoder is
 * generated from it (src/main/machine/hart/gen-decoder). Do not duplicate encodings elsewhere.
 */

export type IsaExtension = 'I' | 'M' | 'A' | 'F' | 'D' | 'C' | 'Zicsr' | 'Zifencei' | 'Priv'

/**
 * Encoding formats. 32-bit: R, R4 (fused multiply-add), I, S, B, U, J, plus the special I-forms
 * SHIFT64 (6-bit shamt), SHIFT32 (5-bit shamt, *W), CSR (csr,rs1), CSRI (csr,uimm5), FENCE,
 * AMO (aq/rl bits), LR, SYS (no operands: ecall/mret/…), SFENCE (rs1, rs2).
 * Compressed (16-bit): CR, CI, CSS, CIW, CL, CS, CA, CB, CJ — see the C extension chapter.
 */
export type IsaFormat =
  | 'R' | 'R4' | 'I' | 'S' | 'B' | 'U' | 'J'
  | 'SHIFT64' | 'SHIFT32' | 'CSR' | 'CSRI' | 'FENCE' | 'AMO' | 'LR' | 'SYS' | 'SFENCE'
  | 'CR' | 'CI' | 'CSS' | 'CIW' | 'CL' | 'CS' | 'CA' | 'CB' | 'CJ'

export interface IsaRow {
  /** GNU mnemonic, e.g. `addi`, `fadd.d`, `lr.w`, `c.addi16sp`. */
  name: string
  ext: IsaExtension
  format: IsaFormat
  /** Encoding bits that are fixed, and which bits they are (uint32; 16-bit forms use the low half). */
  match: number
  mask: number
  /** 2 or 4 bytes. */
  length: 2 | 4
  /**
   * GNU-style operand syntax, comma separated, e.g. `rd,rs1,imm` or `rd,imm(rs1)` or `rd,csr,rs1`.
   * Operand kinds: rd rs1 rs2 rs3 (integer regs), fd fs1 fs2 fs3 (float regs), imm, csr, uimm,
   * shamt, rm (optional rounding mode), pred,succ (fence), aqrl handled by name suffixes.
   */
  operands: string
  /** For compressed rows: the 32-bit instruction this expands to (e.g. `c.addi` → `addi`). */
  expandsTo?: string
  /**
   * For compressed rows with an immediate: how its bits are scattered, named as Spike's
   * accessors are (`rvc_lwsp_imm`, `rvc_b_imm`, …); see `rvc-imm.ts` for encode/decode.
   */
  imm?: RvcImm
  /**
   * Operand fields that must not be zero for this row to apply: zero is reserved (spec) and
   * GNU objdump does not decode it as this instruction, e.g. `c.lwsp` with rd=x0, `c.lui` with
   * imm=0. `rd` is bits 11..7 (also rs1 of c.jr), `rs2` bits 6..2; `imm` is the row's `imm` layout.
   */
  nonZero?: readonly ('rd' | 'rs2' | 'imm')[]
}

/** The scrambled immediate layouts of the C extension (RISC-V unprivileged spec, chapter "C"). */
export type RvcImm =
  | 'rvc_imm' | 'rvc_lui_imm' | 'rvc_addi16sp_imm' | 'rvc_addi4spn_imm' | 'rvc_shamt'
  | 'rvc_lw_imm' | 'rvc_ld_imm' | 'rvc_lwsp_imm' | 'rvc_ldsp_imm' | 'rvc_swsp_imm' | 'rvc_sdsp_imm'
  | 'rvc_b_imm' | 'rvc_j_imm'
