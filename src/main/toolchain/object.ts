/**
 * The relocatable object in memory (assembler output, linker input). The types live in
 * `shared/elf/object-file.ts` because the ELF reader in `shared/elf` produces them from GNU `.o`
 * files too; this module is the toolchain's name for them.
 */
export * from '../../shared/elf/object-file'
