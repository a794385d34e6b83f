/**
 * The public face of the x86 table (interface notes: /work/coord/x86-isa.md): rows and their
 * lookups, registers, the operand model. Shared by the NASM and GNU as front ends' encoder,
 * the disassembler, the editor and the x86 hart's decoder generator.
 */
export { X86_ROWS, X86_MNEMONICS, ALLOWED_OVERLAPS, MAP_INDEX, isDecodable, x86RowsByMnemonic, x86DecodeCandidates, x86HasModrm } from './table'
export { CONDITIONS } from './rows-general'
export { RM_KINDS, RM_REG_KINDS, MEM_KINDS, REG_KINDS } from './parse-row'
export { X86_REGISTERS, x86Register, gpr, registerUnavailable, type X86Register, type RegClass } from './registers'
export type { X86Value, MemSize, X86Operand, X86RegOperand, X86ImmOperand, X86MemOperand, X86FarOperand, X86Prefix, X86Instruction } from './operands'
export { MODE_BIT, type X86Mode, type X86Map, type X86Row, type X86RowFlags, type OperandKind, type OperandSize, type ModrmSpec } from './types'
export { decodeX86, type X86Decoded } from './decode'
export { disassembleX86, type X86Disassembled, type X86Syntax, type DisassembleOptions } from './disassemble'
export { x86InstructionSummary } from './summaries'
export { attMnemonic, attMnemonicSpellings, type AttMnemonic } from './att-mnemonics'
