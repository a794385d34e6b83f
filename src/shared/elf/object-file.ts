/**
 * The relocatable object in memory: what the assembler produces and the linker consumes.
 * It mirrors an ELF ET_REL file (sections, symbols, relocations with explicit addends) closely
 * enough that `elf/read-relocatable.ts` can turn a GNU-assembled `.o` into one, so our linker can be
 * compared with GNU ld on the very same inputs. Plus a line table for source sync in the UI.
 */
import type { SourceLoc } from '../api/result'

export interface ObjectFile {
  /** Name of the source (e.g. `entry.S`) or of the `.o` it was read from. */
  name: string
  /**
   * ELF e_machine: EM_RISCV (243), EM_386 (3) or EM_X86_64 (62). Absent means EM_RISCV (objects
   * from before x86). It fixes the ELF class (EM_386 → ELF32) and what `Reloc.type` numbers mean.
   */
  machine?: number
  sections: ObjSection[]
  /** Index 0 is not special here (unlike ELF's null symbol). */
  symbols: ObjSymbol[]
  /** Every emitted byte range mapped back to its source line. */
  lines: LineEntry[]
}

export interface ObjSection {
  name: string
  /** ELF sh_type: SHT_PROGBITS = 1, SHT_NOBITS = 8, SHT_INIT_ARRAY = 14, … */
  type: number
  /** ELF sh_flags: SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_MERGE = 0x10, SHF_STRINGS = 0x20, … */
  flags: number
  /** sh_addralign, a power of two (1 when unaligned). */
  align: number
  /** Contents; for SHT_NOBITS an empty array and `size` holds the length. */
  data: Uint8Array
  size: number
  /** sh_entsize (for SHF_MERGE sections), 0 otherwise. */
  entsize: number
  relocs: Reloc[]
  /**
   * Signature of the COMDAT section group (SHT_GROUP with GRP_COMDAT) this section belongs to, if
   * any: the linker keeps the first group of each signature and drops the others (gcc's
   * `__x86.get_pc_thunk.bx`, C++ inline functions).
   */
  group?: string
}

export type SymbolBind = 'local' | 'global' | 'weak'
export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'tls'

export interface ObjSymbol {
  name: string
  /** Index into `sections`, or 'abs' (SHN_ABS), 'undef' (SHN_UNDEF), 'common' (SHN_COMMON). */
  section: number | 'abs' | 'undef' | 'common'
  /** Offset within the section (or the absolute value). */
  value: bigint
  size: bigint
  bind: SymbolBind
  type: SymbolType
  /** STV_HIDDEN etc. as the ELF st_other value (0 = default). */
  visibility: number
  /** Where the symbol was defined (or first used, when undefined). */
  loc?: SourceLoc
}

export interface Reloc {
  /** Offset within the section being patched. */
  offset: number
  /** Relocation number for the object's machine: R_386_*, R_X86_64_* (`relocs-x86.ts`) or R_RISCV_* (ELF psABI): 1 R_RISCV_32, 2 R_RISCV_64, 16 BRANCH, 17 JAL, 18 CALL, 19 CALL_PLT, 23 PCREL_HI20, 24 PCREL_LO12_I, 25 PCREL_LO12_S, 26 HI20, 27 LO12_I, 28 LO12_S, 44 RVC_BRANCH, 45 RVC_JUMP, 51 RELAX, … */
  type: number
  /** Index into `symbols`. */
  symbol: number
  /** Always explicit, also for i386's SHT_REL (where a writer stores it in the patched field). */
  addend: bigint
  /** The source line that asked for this relocation, so range errors can point at it. */
  loc?: SourceLoc
}

export interface LineEntry {
  /** Index into `sections`. */
  section: number
  offset: number
  size: number
  file: string
  line: number
}
