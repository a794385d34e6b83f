/**
 * What GNU as for x86 keeps besides the shared assembler state: the code size in force
 * (`.code16/.code32/.code64`, starting at the object's: `--32` → 32, `--64` → 64), the syntax
 * (`.att_syntax` / `.intel_syntax`), and the ELF class of the object being written.
 */
import type { X86Mode } from '../../../../shared/isa/x86'
import type { Assembler } from '../assembler'
import type { Sym } from '../state'
import type { EncodingCache } from './encoding-cache'

export interface GasX86State {
  asm: Assembler
  /** ELF class of the object: `as --32` (elf32-i386) or `as --64` (elf64-x86-64). */
  elf: 32 | 64
  mode: X86Mode
  /** `.code16gcc`: 16-bit code whose stack operations default to 32 bits (instructions.ts). */
  code16gcc?: boolean
  intel: boolean
  /** Encodings of lines seen before (encoding-cache.ts). */
  encodings: EncodingCache
  /** The text of the statement being assembled, as instructionLine saw it (encoding-cache.ts). */
  lineText?: string
  /** `{disp8}`/`{disp16}`/`{disp32}`, `{load}`/`{store}` of the instruction being assembled (pseudo.ts). */
  pseudo?: { disp?: 8 | 16 | 32; direction?: 'load' | 'store' }
  /** An explicit `rex.*` prefix for the instruction being assembled. */
  rex?: number
  /** `.hidden` / `.protected` / `.internal`: ELF st_other. */
  visibility: Map<Sym, number>
  /** Section groups by section name (groups.ts): the signature, and whether the group is COMDAT. */
  groups: Map<string, { signature: string; comdat: boolean }>
  /** `.comm` symbols (SHN_COMMON): size and alignment (the ELF symbol's value). */
  commons: Map<Sym, { size: bigint; align: number }>
}
