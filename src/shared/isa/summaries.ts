/**
 * One-line summaries of what each instruction of the ISA table does, for the editor's hover
 * (the table itself is encodings only). Families are described once — AMOs by operation and
 * width, F/D by operation and precision, `c.*` by what they expand to — so a new table row
 * gets a summary without a new entry here.
 */
import { INSTRUCTIONS } from './table'

const ROWS = new Map(INSTRUCTIONS.map((r) => [r.name, r]))

const BASE: Record<string, string> = {
  lui: 'Load upper immediate: rd = imm << 12 (sign-extended).',
  auipc: 'Add upper immediate to pc: rd = pc + (imm << 12).',
  jal: 'Jump and link: rd = pc + 4; pc += offset (±1 MiB).',
  jalr: 'Jump and link register: rd = pc + 4; pc = (rs1 + imm) & ~1.',
  beq: 'Branch if rs1 = rs2.', bne: 'Branch if rs1 ≠ rs2.', blt: 'Branch if rs1 < rs2 (signed).',
  bge: 'Branch if rs1 ≥ rs2 (signed).', bltu: 'Branch if rs1 < rs2 (unsigned).', bgeu: 'Branch if rs1 ≥ rs2 (unsigned).',
  lb: 'Load byte, sign-extended.', lh: 'Load halfword, sign-extended.', lw: 'Load word, sign-extended.', ld: 'Load doubleword.',
  lbu: 'Load byte, zero-extended.', lhu: 'Load halfword, zero-extended.', lwu: 'Load word, zero-extended.',
  sb: 'Store byte.', sh: 'Store halfword.', sw: 'Store word.', sd: 'Store doubleword.',
  addi: 'rd = rs1 + imm.', slti: 'rd = (rs1 < imm) signed.', sltiu: 'rd = (rs1 < imm) unsigned.',
  xori: 'rd = rs1 ^ imm.', ori: 'rd = rs1 | imm.', andi: 'rd = rs1 & imm.',
  slli: 'rd = rs1 << shamt.', srli: 'rd = rs1 >> shamt (logical).', srai: 'rd = rs1 >> shamt (arithmetic).',
  add: 'rd = rs1 + rs2.', sub: 'rd = rs1 - rs2.', sll: 'rd = rs1 << rs2.', slt: 'rd = (rs1 < rs2) signed.',
  sltu: 'rd = (rs1 < rs2) unsigned.', xor: 'rd = rs1 ^ rs2.', srl: 'rd = rs1 >> rs2 (logical).',
  sra: 'rd = rs1 >> rs2 (arithmetic).', or: 'rd = rs1 | rs2.', and: 'rd = rs1 & rs2.',
  fence: 'Order memory accesses: predecessor set before successor set (iorw).',
  'fence.tso': 'Total-store-order fence (rw,rw without write→read ordering).',
  ecall: 'Environment call: trap to the next privilege level (a system call or an SBI call from S-mode).',
  ebreak: 'Breakpoint trap.',
  addiw: 'rd = sext((rs1 + imm)[31:0]).', slliw: 'Word shift left.', srliw: 'Word shift right, logical.', sraiw: 'Word shift right, arithmetic.',
  addw: 'rd = sext((rs1 + rs2)[31:0]).', subw: 'rd = sext((rs1 - rs2)[31:0]).', sllw: 'Word shift left by rs2.',
  srlw: 'Word shift right by rs2, logical.', sraw: 'Word shift right by rs2, arithmetic.',
  mul: 'rd = (rs1 × rs2)[63:0].', mulh: 'High 64 bits of signed × signed.', mulhsu: 'High 64 bits of signed × unsigned.',
  mulhu: 'High 64 bits of unsigned × unsigned.', div: 'Signed division.', divu: 'Unsigned division.',
  rem: 'Signed remainder.', remu: 'Unsigned remainder.', mulw: 'Word multiply.', divw: 'Word signed division.',
  divuw: 'Word unsigned division.', remw: 'Word signed remainder.', remuw: 'Word unsigned remainder.',
  csrrw: 'Atomic read/write CSR: rd = csr; csr = rs1.', csrrs: 'Atomic read and set bits: rd = csr; csr |= rs1.',
  csrrc: 'Atomic read and clear bits: rd = csr; csr &= ~rs1.', csrrwi: 'csrrw with a 5-bit immediate.',
  csrrsi: 'csrrs with a 5-bit immediate.', csrrci: 'csrrc with a 5-bit immediate.',
  'fence.i': 'Synchronise instruction fetch with earlier stores (self-modifying code, loaded programs).',
  sret: 'Return from an S-mode trap: pc = sepc, privilege = sstatus.SPP, SIE = SPIE.',
  mret: 'Return from an M-mode trap: pc = mepc, privilege = mstatus.MPP, MIE = MPIE.',
  wfi: 'Wait for interrupt (may be a no-op).',
  'sfence.vma': 'Flush address-translation caches (TLB) for a VA (rs1) and ASID (rs2); x0 means all.',
  'lr.w': 'Load-reserved word.', 'lr.d': 'Load-reserved doubleword.',
  'sc.w': 'Store-conditional word: rd = 0 on success.', 'sc.d': 'Store-conditional doubleword: rd = 0 on success.',
  flw: 'Load single-precision float.', fsw: 'Store single-precision float.', fld: 'Load double-precision float.', fsd: 'Store double-precision float.',
}

const AMO_OPS: Record<string, string> = {
  swap: 'swap', add: 'add', xor: 'xor', and: 'and', or: 'or', min: 'signed min', max: 'signed max', minu: 'unsigned min', maxu: 'unsigned max',
}
const FP_OPS: Record<string, string> = {
  fadd: 'Add', fsub: 'Subtract', fmul: 'Multiply', fdiv: 'Divide', fsqrt: 'Square root', fmin: 'Minimum', fmax: 'Maximum',
  fmadd: 'Fused multiply-add (fs1×fs2)+fs3', fmsub: 'Fused multiply-subtract (fs1×fs2)−fs3', fnmsub: 'Negated fused multiply-subtract',
  fnmadd: 'Negated fused multiply-add', fsgnj: 'Sign injection', fsgnjn: 'Negated sign injection', fsgnjx: 'Xor sign injection',
  feq: 'Compare equal (rd = 1/0)', flt: 'Compare less than (rd = 1/0)', fle: 'Compare less or equal (rd = 1/0)', fclass: 'Classify (rd = a class bit mask)',
}

/** A one-line description of a table instruction, or undefined for a name not in the table. */
export function instructionSummary(name: string): string | undefined {
  const row = ROWS.get(name)
  if (!row) return undefined
  const ordering = /\.(aqrl|aq|rl)$/.exec(name)
  const base = ordering ? name.slice(0, -ordering[0].length) : name
  const suffix = ordering ? ` Ordering: ${ordering[1] === 'aqrl' ? 'acquire and release' : ordering[1] === 'aq' ? 'acquire' : 'release'}.` : ''
  if (BASE[base]) return BASE[base] + suffix
  const amo = /^amo(\w+)\.([wd])$/.exec(base)
  if (amo) return `Atomic memory ${AMO_OPS[amo[1]] ?? amo[1]} of a ${amo[2] === 'w' ? 'word' : 'doubleword'}: rd = M[rs1]; M[rs1] = M[rs1] op rs2.${suffix}`
  if (row.expandsTo) return `Compressed (16-bit) form of \`${row.expandsTo}\`.`
  const prec = (c: string) => (c === 's' ? 'single precision' : c === 'd' ? 'double precision' : c === 'w' ? 'word' : c === 'wu' ? 'unsigned word' : c === 'l' ? 'long' : c === 'lu' ? 'unsigned long' : c === 'x' ? 'integer register' : c)
  const fp = /^(f[a-z]+)\.([sd])$/.exec(base)
  if (fp && FP_OPS[fp[1]]) return `${FP_OPS[fp[1]]}, ${prec(fp[2])}.`
  const cvt = /^fcvt\.(\w+)\.(\w+)$/.exec(base)
  if (cvt) return `Convert ${prec(cvt[2])} to ${prec(cvt[1])}.`
  const mv = /^fmv\.(\w)\.(\w)$/.exec(base)
  if (mv) return `Move the bits of a ${mv[2] === 'x' ? 'integer register' : 'float register'} to a ${mv[1] === 'x' ? 'integer register' : 'float register'} unchanged.`
  return undefined
}
