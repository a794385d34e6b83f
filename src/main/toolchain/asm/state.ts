/**
 * The assembler's working state: sections as lists of items (fixed bytes, instructions,
 * alignment, fills and relaxable branches), symbols, and fixups waiting for final offsets.
 * Items rather than bytes, because branch sizes (2, 4, 6 or 8 bytes, as GNU relaxes them) and
 * alignment padding are only known after layout.
 */
import type { SourceLoc } from '../../../shared/api/result'
import type { SymbolBind, SymbolType } from '../object'
import type { Origin } from './diagnostics'
import type { Expr } from './expr'

export type FixupKind =
  | 'branch' | 'jal' | 'rvc_branch' | 'rvc_jump' | 'call'
  | 'hi' | 'lo_i' | 'lo_s' | 'pcrel_hi' | 'pcrel_lo_i' | 'pcrel_lo_s'
  | 'data1' | 'data2' | 'data4' | 'data8'
  | 'x86'

/** An x86 field (GNU as for x86): its width, whether it is PC-relative, and how to relocate it. */
export interface X86FieldFixup {
  size: 1 | 2 | 4 | 8
  pcrel: boolean
  /** Sign-extended 32-bit field in 64-bit code (R_X86_64_32S). */
  signed: boolean
  /** Bytes from the field to the end of the instruction. */
  toEnd: number
  /** Written `sym@PLT`, `sym@GOTPCREL` … */
  reloc?: string
  /** A call/jump target (R_X86_64_PLT32 when the symbol may be global). */
  branch?: boolean
  /** The instruction's opcode and REX (GOTPCRELX relaxation needs them, as GNU as records). */
  relaxable?: 'rex' | 'norex'
  /** `.reloc`: this relocation type, as written. */
  type?: number
}

export interface Fixup {
  /** Byte offset within the item. */
  at: number
  kind: FixupKind
  expr: Expr
  /** Where `.` was when the expression was written (section, item index). */
  loc: SourceLoc
  /** For kind 'x86'. */
  x86?: X86FieldFixup
}

export interface ItemBase {
  origin: Origin
  /** Offset in the section, set by layout. */
  offset: number
}

export type Item =
  | (ItemBase & { k: 'bytes'; bytes: Uint8Array; fixups?: Fixup[] })
  /** One instruction: kept as a number, not a byte array (50 000-line files allocate less). */
  | (ItemBase & { k: 'insn'; word: number; size: 2 | 4; fixups?: Fixup[] })
  | (ItemBase & { k: 'align'; align: number; fill: number; code: boolean; max: number; size: number })
  | (ItemBase & { k: 'fill'; size: number; value: bigint; width: number })
  | (ItemBase & { k: 'branch'; b: BranchInfo; size: number })
  /** `.org` after variable-size items (x86): fills up to `target`, a section offset known after layout. */
  | (ItemBase & { k: 'org'; target: number; fill: number; size: number })
  /** An x86 jmp/jcc that GNU as relaxes: 2 bytes (rel8) or the long form (rel16/rel32). */
  | (ItemBase & { k: 'x86jump'; j: X86Jump; size: number })

/** A branch or jump to a symbolic target, relaxed as GNU's `relaxed_branch_length` does. */
export interface BranchInfo {
  /** Base row name: beq/bne/blt/bge/bltu/bgeu, or jal. */
  row: string
  rs1: number
  rs2: number
  rd: number
  /** The compressed form is possible (c.beqz/c.bnez/c.j) with these operands and RVC on. */
  rvc: boolean
  target: Expr
  loc: SourceLoc
}

/** A relaxable x86 jump (tc-i386.c md_relax_table: short, then near). */
export interface X86Jump {
  /** Condition code 0–15 for jcc, -1 for jmp. */
  cc: number
  /** Operand-size bits of the near form: 16 in .code16, else 32. */
  bits: 16 | 32
  target: Expr
  /** `sym@PLT` written on the target. */
  reloc?: string
  loc: SourceLoc
}

export interface Section {
  name: string
  index: number
  type: number
  flags: number
  align: number
  entsize: number
  items: Item[]
  /** Bytes so far, assuming current item sizes (exact until a variable item appears). */
  size: number
  /** Count of variable-size items so far: label differences across one are not constant at parse time. */
  epoch: number
}

export interface Sym {
  name: string
  /** label: section+item; equ: expression; undef: referenced but not defined (yet). */
  kind: 'label' | 'equ' | 'undef'
  section?: number
  item?: number
  epoch?: number
  /** Tentative offset at definition (exact when epoch matches). */
  tentative?: number
  equ?: Expr
  bind: SymbolBind
  /** .globl/.local/.weak was written. */
  bindSet: boolean
  type: SymbolType
  size?: Expr
  loc: SourceLoc
  /** Emitted only when a relocation refers to it (.L names, numeric and internal labels). */
  internal: boolean
  usedByReloc: boolean
  /** Index in the assembler's `hidden` list, for the internal symbols kept there. */
  hiddenIndex?: number
  /** Index in the output symbol table, once assigned. */
  outIndex?: number
}

export const SHT_PROGBITS = 1
export const SHT_NOBITS = 8
export const SHT_INIT_ARRAY = 14
export const SHT_FINI_ARRAY = 15
export const SHT_PREINIT_ARRAY = 16
export const SHF_WRITE = 1
export const SHF_ALLOC = 2
export const SHF_EXECINSTR = 4
export const SHF_MERGE = 0x10
export const SHF_STRINGS = 0x20
export const SHF_GROUP = 0x200
export const SHF_TLS = 0x400

/** R_RISCV_* numbers, ELF psABI "Relocations". */
export const R = {
  R_RISCV_32: 1, R_RISCV_64: 2, R_RISCV_BRANCH: 16, R_RISCV_JAL: 17, R_RISCV_CALL_PLT: 19,
  R_RISCV_PCREL_HI20: 23, R_RISCV_PCREL_LO12_I: 24, R_RISCV_PCREL_LO12_S: 25,
  R_RISCV_HI20: 26, R_RISCV_LO12_I: 27, R_RISCV_LO12_S: 28,
  R_RISCV_ADD8: 33, R_RISCV_ADD16: 34, R_RISCV_ADD32: 35, R_RISCV_ADD64: 36,
  R_RISCV_SUB8: 37, R_RISCV_SUB16: 38, R_RISCV_SUB32: 39, R_RISCV_SUB64: 40,
  R_RISCV_RVC_BRANCH: 44, R_RISCV_RVC_JUMP: 45,
} as const
