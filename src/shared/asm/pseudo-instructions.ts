/**
 * GNU's pseudo-instructions and aliases: operand syntax and what each expands to (RISC-V
 * unprivileged spec, "RISC-V Assembly Programmer's Handbook" tables). The one list: the editor
 * completes these and the assembler accepts these names (`PSEUDO_NAMES` in
 * main/toolchain/asm/instructions.ts); a test assembles each of them.
 */

export interface PseudoInstruction {
  name: string
  /** GNU operand syntax, comma separated, as in the ISA table's `operands`. */
  operands: string
  /** What it does and the base instructions it becomes. */
  summary: string
}

const p = (name: string, operands: string, summary: string): PseudoInstruction => ({ name, operands, summary })

export const PSEUDO_INSTRUCTIONS: readonly PseudoInstruction[] = [
  p('nop', '', 'No operation: `addi x0, x0, 0`.'),
  p('li', 'rd,imm', 'Load immediate: `lui`/`addi(w)`/`slli` sequence, as short as GNU makes it.'),
  p('la', 'rd,symbol', 'Load address (non-PIC, same as `lla`): `auipc rd, %pcrel_hi(symbol)` + `addi rd, rd, %pcrel_lo(…)`.'),
  p('lla', 'rd,symbol', 'Load local address: `auipc` + `addi` with %pcrel_hi/%pcrel_lo.'),
  p('call', 'symbol', 'Call a far function: `auipc ra, …` + `jalr ra, …(ra)` (R_RISCV_CALL_PLT).'),
  p('tail', 'symbol', 'Tail call: `auipc t1, …` + `jalr x0, …(t1)`.'),
  p('jump', 'symbol,rt', 'Far jump through temporary `rt`: `auipc rt, …` + `jalr x0, …(rt)`.'),
  p('mv', 'rd,rs1', 'Copy register: `addi rd, rs1, 0`.'),
  p('move', 'rd,rs1', 'Same as `mv`.'),
  p('not', 'rd,rs1', "One's complement: `xori rd, rs1, -1`."),
  p('neg', 'rd,rs1', "Two's complement: `sub rd, x0, rs1`."),
  p('negw', 'rd,rs1', "Two's complement word: `subw rd, x0, rs1`."),
  p('j', 'offset', 'Jump: `jal x0, offset`.'),
  p('jr', 'rs1', 'Jump register: `jalr x0, 0(rs1)`.'),
  p('ret', '', 'Return from a function: `jalr x0, 0(ra)`.'),
  p('beqz', 'rs1,offset', 'Branch if = 0: `beq rs1, x0, offset`.'),
  p('bnez', 'rs1,offset', 'Branch if ≠ 0: `bne rs1, x0, offset`.'),
  p('blez', 'rs1,offset', 'Branch if ≤ 0: `bge x0, rs1, offset`.'),
  p('bgez', 'rs1,offset', 'Branch if ≥ 0: `bge rs1, x0, offset`.'),
  p('bltz', 'rs1,offset', 'Branch if < 0: `blt rs1, x0, offset`.'),
  p('bgtz', 'rs1,offset', 'Branch if > 0: `blt x0, rs1, offset`.'),
  p('bgt', 'rs1,rs2,offset', 'Branch if >: `blt rs2, rs1, offset`.'),
  p('ble', 'rs1,rs2,offset', 'Branch if ≤: `bge rs2, rs1, offset`.'),
  p('bgtu', 'rs1,rs2,offset', 'Branch if >, unsigned: `bltu rs2, rs1, offset`.'),
  p('bleu', 'rs1,rs2,offset', 'Branch if ≤, unsigned: `bgeu rs2, rs1, offset`.'),
  p('seqz', 'rd,rs1', 'Set if = 0: `sltiu rd, rs1, 1`.'),
  p('snez', 'rd,rs1', 'Set if ≠ 0: `sltu rd, x0, rs1`.'),
  p('sltz', 'rd,rs1', 'Set if < 0: `slt rd, rs1, x0`.'),
  p('sgtz', 'rd,rs1', 'Set if > 0: `slt rd, x0, rs1`.'),
  p('sgt', 'rd,rs1,rs2', 'Set if >: `slt rd, rs2, rs1`.'),
  p('sgtu', 'rd,rs1,rs2', 'Set if >, unsigned: `sltu rd, rs2, rs1`.'),
  p('csrr', 'rd,csr', 'Read CSR: `csrrs rd, csr, x0`.'),
  p('csrw', 'csr,rs1', 'Write CSR: `csrrw x0, csr, rs1`.'),
  p('csrs', 'csr,rs1', 'Set bits in CSR: `csrrs x0, csr, rs1`.'),
  p('csrc', 'csr,rs1', 'Clear bits in CSR: `csrrc x0, csr, rs1`.'),
  p('csrwi', 'csr,uimm', 'Write CSR, immediate: `csrrwi x0, csr, uimm`.'),
  p('csrsi', 'csr,uimm', 'Set bits in CSR, immediate: `csrrsi x0, csr, uimm`.'),
  p('csrci', 'csr,uimm', 'Clear bits in CSR, immediate: `csrrci x0, csr, uimm`.'),
  p('rdcycle', 'rd', 'Read the cycle counter: `csrrs rd, cycle, x0`.'),
  p('rdtime', 'rd', 'Read the real-time clock: `csrrs rd, time, x0`.'),
  p('rdinstret', 'rd', 'Read the retired-instruction counter: `csrrs rd, instret, x0`.'),
  p('sext.w', 'rd,rs1', 'Sign-extend word: `addiw rd, rs1, 0`.'),
  p('zext.b', 'rd,rs1', 'Zero-extend byte: `andi rd, rs1, 255`.'),
  p('fmv.s', 'fd,fs1', 'Copy single: `fsgnj.s fd, fs1, fs1`.'),
  p('fmv.d', 'fd,fs1', 'Copy double: `fsgnj.d fd, fs1, fs1`.'),
  p('fabs.s', 'fd,fs1', 'Absolute value, single: `fsgnjx.s fd, fs1, fs1`.'),
  p('fabs.d', 'fd,fs1', 'Absolute value, double: `fsgnjx.d fd, fs1, fs1`.'),
  p('fneg.s', 'fd,fs1', 'Negate single: `fsgnjn.s fd, fs1, fs1`.'),
  p('fneg.d', 'fd,fs1', 'Negate double: `fsgnjn.d fd, fs1, fs1`.'),
  p('frcsr', 'rd', 'Read fcsr: `csrrs rd, fcsr, x0`.'),
  p('fscsr', 'rd,rs1', 'Swap fcsr: `csrrw rd, fcsr, rs1` (or `fscsr rs1`).'),
  p('frrm', 'rd', 'Read the rounding mode: `csrrs rd, frm, x0`.'),
  p('fsrm', 'rd,rs1', 'Swap the rounding mode: `csrrw rd, frm, rs1` (or `fsrm rs1`).'),
  p('fsrmi', 'rd,uimm', 'Swap the rounding mode, immediate: `csrrwi rd, frm, uimm`.'),
  p('frflags', 'rd', 'Read the exception flags: `csrrs rd, fflags, x0`.'),
  p('fsflags', 'rd,rs1', 'Swap the exception flags: `csrrw rd, fflags, rs1` (or `fsflags rs1`).'),
  p('fsflagsi', 'rd,uimm', 'Swap the exception flags, immediate: `csrrwi rd, fflags, uimm`.'),
  p('unimp', '', 'An illegal instruction on purpose: `csrrw x0, cycle, x0` (`c.unimp` when compressed).'),
  p('scall', '', 'Old name of `ecall`.'),
  p('sbreak', '', 'Old name of `ebreak`.'),
]
