/**
 * What the linker needs to know about an output target, one record per ld emulation:
 * `elf64lriscv` (RISC-V), `elf_i386` and `elf_x86_64`. The ELF class and machine of the file, the
 * names a script or the command line use for it (`-m elf_i386`, `OUTPUT_FORMAT(elf32-i386)`,
 * `OUTPUT_ARCH(i386:x86-64)`), ld's built-in script, the segment rules BFD applies for that
 * target (x86 Linux ld defaults to `-z separate-code`), and the function that applies its
 * relocations. Everything else in the linker is written once for all targets.
 */
import type { Diagnostic } from '../../../../shared/api/result'
import type { ObjectFile } from '../../object'
import type { InSec } from '../input'

export interface RelocEnv {
  objects: ObjectFile[]
  /** Absolute value of symbol `sym` of object `obj` (resolving globals), or undefined when undefined. */
  symbolValue(obj: number, sym: number): bigint | undefined
  /** The input section holding symbol `sym` of object `obj` (for PCREL_LO12 lookups). */
  symbolInput(obj: number, sym: number): InSec | undefined
  /** Whether symbol `sym` of object `obj` resolves to an absolute value (SHN_ABS or a script constant). */
  symbolIsAbsolute?(obj: number, sym: number): boolean
  /** Address of the GOT slot the linker made for symbol `sym` of object `obj` (x86), if any. */
  gotSlot?(obj: number, sym: number): bigint | undefined
  /** Address of `_GLOBAL_OFFSET_TABLE_` (x86: the start of .got.plt), if the link has one. */
  gotBase?: bigint
  /** S + A for a section symbol of a merged (SHF_MERGE) section, whose bytes moved; undefined otherwise. */
  mergedTarget?(obj: number, sym: number, addend: bigint): bigint | undefined
  /** Output address of an input section. */
  addrOf(i: InSec): bigint
  diags: Diagnostic[]
}

/** Segment-mapping rules that differ between BFD targets. */
export interface SegmentRules {
  /** `-z separate-code`: code and non-code never share a PT_LOAD across a page boundary. */
  separateCode: boolean
  /** ld -n (nmagic): the file is not demand paged; sections are not page aligned in the file. */
  nmagic: boolean
}

export interface LinkTarget {
  /** ld emulation name, as `-m` takes it. */
  emulation: string
  /** BFD target name as `OUTPUT_FORMAT` takes it (the first is the canonical one). */
  formats: readonly string[]
  /** BFD architecture name as `OUTPUT_ARCH` takes it. */
  arch: string
  /** e_machine (EM_*). */
  machine: number
  /** EI_CLASS (ELFCLASS32 / ELFCLASS64). */
  elfClass: number
  /** e_flags when nothing else sets them. */
  defaultEflags: number
  /** ld's built-in script, and the one `ld -n` uses (same text where ld has no separate one). */
  defaultScript: string
  defaultScriptNmagic: string
  /** ld's default `-z separate-code` for this target. */
  separateCode: boolean
  /** ld's default `-z relro` for this target (x86 Linux: on; riscv64-elf: off). */
  relro: boolean
  /** VMAs at or above this are the higher half, for the "AT() missing" lint. */
  higherHalf: bigint
  /** What an example AT() line subtracts, in the lint's hint. */
  higherHalfHintOffset: string
  /** ELF `elf_backend_stack_align`: p_align of PT_GNU_STACK. */
  stackAlign: bigint
  /**
   * The bytes BFD's `arch_info->fill` puts in padding without an explicit fill inside a code
   * section (undefined: zeros, as for data).
   */
  codeFill?(count: number): Uint8Array
  /** Relocation names for messages. */
  relocName(type: number): string
  /** Patches `buf` (the input section's bytes inside its output section) for every relocation of `sec`. */
  relocate(sec: InSec, buf: Uint8Array, env: RelocEnv): void
}
