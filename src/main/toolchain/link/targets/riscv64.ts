/**
 * The `elf64lriscv` target: ELF64, EM_RISCV, ld's RISC-V script, the R_RISCV_* relocations of
 * `relocate.ts`. riscv64-unknown-elf-ld has no `-z separate-code` default and aligns nothing
 * for the stack segment, so its segment rules are BFD's generic ones.
 */
import { EF_RISCV_FLOAT_ABI_DOUBLE, EF_RISCV_RVC, ELFCLASS64, EM_RISCV, relocName } from '../../../../shared/elf/constants'
import { DEFAULT_SCRIPT } from '../default-script'
import { relocateSection } from '../relocate'
import type { LinkTarget } from './target'

export const RISCV64_TARGET: LinkTarget = {
  emulation: 'elf64lriscv',
  formats: ['elf64-littleriscv'],
  arch: 'riscv',
  machine: EM_RISCV,
  elfClass: ELFCLASS64,
  // What `as -march=rv64gc` (lp64d) marks.
  defaultEflags: EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE,
  defaultScript: DEFAULT_SCRIPT,
  defaultScriptNmagic: DEFAULT_SCRIPT,
  separateCode: false,
  relro: false,
  higherHalf: 0xffffffff00000000n,
  higherHalfHintOffset: '0xffffffff00000000',
  stackAlign: 16n,
  relocName: (t) => relocName(t),
  relocate: relocateSection,
}
