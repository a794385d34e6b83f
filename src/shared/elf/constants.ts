/**
 * ELF constants: header fields, the two classes (ELF32, ELF64) and their record sizes, section and
 * segment types and flags, symbol binding, type and visibility, the machines we handle (EM_RISCV,
 * EM_386, EM_X86_64) and the R_RISCV_* relocation numbers with their psABI names (the x86 ones live
 * in `relocs-x86.ts`). Names are the spec's, verbatim (System V gABI "Object Files"; RISC-V ELF
 * psABI "Relocations"), so code that uses them reads like the documents it implements.
 */
import { R_386_NAMES, R_X86_64_NAMES } from './relocs-x86'

export * from './relocs-x86'

export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46] as const
export const ELFCLASSNONE = 0
export const ELFCLASS32 = 1
export const ELFCLASS64 = 2
export const ELFDATA2LSB = 1
export const EV_CURRENT = 1
export const ELFOSABI_NONE = 0

export const ET_NONE = 0
export const ET_REL = 1
export const ET_EXEC = 2
export const ET_DYN = 3

/** e_machine values (gABI "ELF Header"). */
export const EM_NONE = 0
export const EM_386 = 3
export const EM_X86_64 = 62
export const EM_RISCV = 243

/** Machine names as `readelf -h` prints them, for messages. */
export const EM_NAMES: Readonly<Record<number, string>> = {
  [EM_386]: 'Intel 80386', [EM_X86_64]: 'Advanced Micro Devices X86-64', [EM_RISCV]: 'RISC-V',
}

/** e_flags bits (psABI "File Header"). */
export const EF_RISCV_RVC = 0x1
export const EF_RISCV_FLOAT_ABI_DOUBLE = 0x4

/** Sizes of the fixed ELF64 records, in bytes. */
export const EHDR_SIZE_BYTES = 64
export const PHDR_SIZE_BYTES = 56
export const SHDR_SIZE_BYTES = 64
export const SYM_SIZE_BYTES = 24
export const RELA_SIZE_BYTES = 24
export const REL_SIZE_BYTES = 16

/** Sizes of the fixed ELF32 records (Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr, Elf32_Sym, Elf32_Rel, Elf32_Rela), in bytes. */
export const ELF32_EHDR_SIZE_BYTES = 52
export const ELF32_PHDR_SIZE_BYTES = 32
export const ELF32_SHDR_SIZE_BYTES = 40
export const ELF32_SYM_SIZE_BYTES = 16
export const ELF32_REL_SIZE_BYTES = 8
export const ELF32_RELA_SIZE_BYTES = 12

/** The record sizes of one ELF class. */
export interface ElfClassSizes {
  ehdr: number
  phdr: number
  shdr: number
  sym: number
  rel: number
  rela: number
  /** Bytes in an address or offset (Elf32_Addr = 4, Elf64_Addr = 8). */
  word: number
}

export const ELF64_SIZES: ElfClassSizes = { ehdr: EHDR_SIZE_BYTES, phdr: PHDR_SIZE_BYTES, shdr: SHDR_SIZE_BYTES, sym: SYM_SIZE_BYTES, rel: REL_SIZE_BYTES, rela: RELA_SIZE_BYTES, word: 8 }
export const ELF32_SIZES: ElfClassSizes = {
  ehdr: ELF32_EHDR_SIZE_BYTES, phdr: ELF32_PHDR_SIZE_BYTES, shdr: ELF32_SHDR_SIZE_BYTES, sym: ELF32_SYM_SIZE_BYTES, rel: ELF32_REL_SIZE_BYTES, rela: ELF32_RELA_SIZE_BYTES, word: 4,
}

export function classSizes(elfClass: number): ElfClassSizes {
  return elfClass === ELFCLASS32 ? ELF32_SIZES : ELF64_SIZES
}

/** The ELF class a machine's objects and executables use here (x32 and RV32 are not supported). */
export function classOfMachine(machine: number): number {
  return machine === EM_386 ? ELFCLASS32 : ELFCLASS64
}

export const SHN_UNDEF = 0
export const SHN_LORESERVE = 0xff00
export const SHN_ABS = 0xfff1
export const SHN_COMMON = 0xfff2
export const SHN_XINDEX = 0xffff

export const SHT_NULL = 0
export const SHT_PROGBITS = 1
export const SHT_SYMTAB = 2
export const SHT_STRTAB = 3
export const SHT_RELA = 4
export const SHT_HASH = 5
export const SHT_DYNAMIC = 6
export const SHT_NOTE = 7
export const SHT_NOBITS = 8
export const SHT_REL = 9
export const SHT_DYNSYM = 11
export const SHT_INIT_ARRAY = 14
export const SHT_FINI_ARRAY = 15
export const SHT_PREINIT_ARRAY = 16
export const SHT_GROUP = 17
export const SHT_SYMTAB_SHNDX = 18
export const SHT_RISCV_ATTRIBUTES = 0x70000003

export const SHF_WRITE = 0x1
export const SHF_ALLOC = 0x2
export const SHF_EXECINSTR = 0x4
export const SHF_MERGE = 0x10
export const SHF_STRINGS = 0x20
export const SHF_INFO_LINK = 0x40
export const SHF_LINK_ORDER = 0x80
export const SHF_GROUP = 0x200
export const SHF_TLS = 0x400
export const SHF_EXCLUDE = 0x80000000

/** Section group flags (gABI "Section Groups"). */
export const GRP_COMDAT = 0x1

export const PT_NULL = 0
export const PT_LOAD = 1
export const PT_DYNAMIC = 2
export const PT_INTERP = 3
export const PT_NOTE = 4
export const PT_SHLIB = 5
export const PT_PHDR = 6
export const PT_TLS = 7
export const PT_GNU_EH_FRAME = 0x6474e550
export const PT_GNU_STACK = 0x6474e551
export const PT_GNU_RELRO = 0x6474e552
export const PT_RISCV_ATTRIBUTES = 0x70000003

export const PF_X = 0x1
export const PF_W = 0x2
export const PF_R = 0x4

export const STB_LOCAL = 0
export const STB_GLOBAL = 1
export const STB_WEAK = 2

export const STT_NOTYPE = 0
export const STT_OBJECT = 1
export const STT_FUNC = 2
export const STT_SECTION = 3
export const STT_FILE = 4
export const STT_COMMON = 5
export const STT_TLS = 6

export const STV_DEFAULT = 0
export const STV_INTERNAL = 1
export const STV_HIDDEN = 2
export const STV_PROTECTED = 3

/** R_RISCV_* relocation types (RISC-V ELF psABI, "Relocations" table). */
export const R_RISCV_NONE = 0
export const R_RISCV_32 = 1
export const R_RISCV_64 = 2
export const R_RISCV_RELATIVE = 3
export const R_RISCV_COPY = 4
export const R_RISCV_JUMP_SLOT = 5
export const R_RISCV_TLS_DTPMOD32 = 6
export const R_RISCV_TLS_DTPMOD64 = 7
export const R_RISCV_TLS_DTPREL32 = 8
export const R_RISCV_TLS_DTPREL64 = 9
export const R_RISCV_TLS_TPREL32 = 10
export const R_RISCV_TLS_TPREL64 = 11
export const R_RISCV_BRANCH = 16
export const R_RISCV_JAL = 17
export const R_RISCV_CALL = 18
export const R_RISCV_CALL_PLT = 19
export const R_RISCV_GOT_HI20 = 20
export const R_RISCV_TLS_GOT_HI20 = 21
export const R_RISCV_TLS_GD_HI20 = 22
export const R_RISCV_PCREL_HI20 = 23
export const R_RISCV_PCREL_LO12_I = 24
export const R_RISCV_PCREL_LO12_S = 25
export const R_RISCV_HI20 = 26
export const R_RISCV_LO12_I = 27
export const R_RISCV_LO12_S = 28
export const R_RISCV_TPREL_HI20 = 29
export const R_RISCV_TPREL_LO12_I = 30
export const R_RISCV_TPREL_LO12_S = 31
export const R_RISCV_TPREL_ADD = 32
export const R_RISCV_ADD8 = 33
export const R_RISCV_ADD16 = 34
export const R_RISCV_ADD32 = 35
export const R_RISCV_ADD64 = 36
export const R_RISCV_SUB8 = 37
export const R_RISCV_SUB16 = 38
export const R_RISCV_SUB32 = 39
export const R_RISCV_SUB64 = 40
export const R_RISCV_ALIGN = 43
export const R_RISCV_RVC_BRANCH = 44
export const R_RISCV_RVC_JUMP = 45
export const R_RISCV_RVC_LUI = 46
export const R_RISCV_RELAX = 51
export const R_RISCV_SUB6 = 52
export const R_RISCV_SET6 = 53
export const R_RISCV_SET8 = 54
export const R_RISCV_SET16 = 55
export const R_RISCV_SET32 = 56
export const R_RISCV_32_PCREL = 57
export const R_RISCV_PLT32 = 59
export const R_RISCV_SET_ULEB128 = 60
export const R_RISCV_SUB_ULEB128 = 61

/** psABI names by number, for messages and the layout report. */
export const R_RISCV_NAMES: Readonly<Record<number, string>> = {
  0: 'R_RISCV_NONE', 1: 'R_RISCV_32', 2: 'R_RISCV_64', 3: 'R_RISCV_RELATIVE', 4: 'R_RISCV_COPY',
  5: 'R_RISCV_JUMP_SLOT', 6: 'R_RISCV_TLS_DTPMOD32', 7: 'R_RISCV_TLS_DTPMOD64', 8: 'R_RISCV_TLS_DTPREL32',
  9: 'R_RISCV_TLS_DTPREL64', 10: 'R_RISCV_TLS_TPREL32', 11: 'R_RISCV_TLS_TPREL64', 16: 'R_RISCV_BRANCH',
  17: 'R_RISCV_JAL', 18: 'R_RISCV_CALL', 19: 'R_RISCV_CALL_PLT', 20: 'R_RISCV_GOT_HI20',
  21: 'R_RISCV_TLS_GOT_HI20', 22: 'R_RISCV_TLS_GD_HI20', 23: 'R_RISCV_PCREL_HI20', 24: 'R_RISCV_PCREL_LO12_I',
  25: 'R_RISCV_PCREL_LO12_S', 26: 'R_RISCV_HI20', 27: 'R_RISCV_LO12_I', 28: 'R_RISCV_LO12_S',
  29: 'R_RISCV_TPREL_HI20', 30: 'R_RISCV_TPREL_LO12_I', 31: 'R_RISCV_TPREL_LO12_S', 32: 'R_RISCV_TPREL_ADD',
  33: 'R_RISCV_ADD8', 34: 'R_RISCV_ADD16', 35: 'R_RISCV_ADD32', 36: 'R_RISCV_ADD64', 37: 'R_RISCV_SUB8',
  38: 'R_RISCV_SUB16', 39: 'R_RISCV_SUB32', 40: 'R_RISCV_SUB64', 43: 'R_RISCV_ALIGN', 44: 'R_RISCV_RVC_BRANCH',
  45: 'R_RISCV_RVC_JUMP', 46: 'R_RISCV_RVC_LUI', 51: 'R_RISCV_RELAX', 52: 'R_RISCV_SUB6', 53: 'R_RISCV_SET6',
  54: 'R_RISCV_SET8', 55: 'R_RISCV_SET16', 56: 'R_RISCV_SET32', 57: 'R_RISCV_32_PCREL', 59: 'R_RISCV_PLT32',
  60: 'R_RISCV_SET_ULEB128', 61: 'R_RISCV_SUB_ULEB128',
}

/** A relocation type's psABI name on `machine` (RISC-V when not given). */
export function relocName(type: number, machine: number = EM_RISCV): string {
  if (machine === EM_386) return R_386_NAMES[type] ?? `R_386_<${type}>`
  if (machine === EM_X86_64) return R_X86_64_NAMES[type] ?? `R_X86_64_<${type}>`
  return R_RISCV_NAMES[type] ?? `R_RISCV_<${type}>`
}
