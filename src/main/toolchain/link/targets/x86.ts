/**
 * The two x86 targets, as Debian's ld 2.40 defines its `elf_i386` and `elf_x86_64` emulations:
 * ELF32/EM_386 and ELF64/EM_X86_64, their built-in scripts (with and without `-n`), `-z
 * separate-code` on by default, a 16-byte-aligned PT_GNU_STACK, and the relocations of
 * `x86-relocate.ts`. The higher half starts at 3 GiB for i386 (seed 000's 0xC0000000 split) and
 * at the canonical upper half for x86-64.
 */
import { ELFCLASS32, ELFCLASS64, EM_386, EM_X86_64, relocName } from '../../../../shared/elf/constants'
import { DEFAULT_SCRIPT_ELF_I386, DEFAULT_SCRIPT_ELF_I386_NMAGIC } from './default-script-elf-i386'
import { DEFAULT_SCRIPT_ELF_X86_64, DEFAULT_SCRIPT_ELF_X86_64_NMAGIC } from './default-script-elf-x86-64'
import type { LinkTarget } from './target'
import { relocateX86 } from './x86-relocate'

/**
 * The nop instructions of BFD's x86 fill (cpu-i386.c), by length: nop, xchg %ax,%ax, then the
 * `0f 1f` multi-byte nops (nopl/nopw with growing displacements), up to the 10-byte one with %cs.
 */
const NOPS: readonly (readonly number[])[] = [
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
]

/**
 * Code padding as BFD fills it: runs of the longest nop allowed (2 bytes for plain i386, which
 * may lack the `0f 1f` nops; 10 for x86-64), then one nop of the remaining length.
 */
export function nopFill(count: number, longest: number): Uint8Array {
  const out = new Uint8Array(count)
  let at = 0
  for (; count - at >= longest; at += longest) out.set(NOPS[longest - 1], at)
  if (count > at) out.set(NOPS[count - at - 1], at)
  return out
}

export const I386_TARGET: LinkTarget = {
  emulation: 'elf_i386',
  formats: ['elf32-i386'],
  arch: 'i386',
  machine: EM_386,
  elfClass: ELFCLASS32,
  defaultEflags: 0,
  defaultScript: DEFAULT_SCRIPT_ELF_I386,
  defaultScriptNmagic: DEFAULT_SCRIPT_ELF_I386_NMAGIC,
  separateCode: true,
  relro: true,
  higherHalf: 0xc0000000n,
  higherHalfHintOffset: '0xC0000000',
  stackAlign: 16n,
  codeFill: (n) => nopFill(n, 2),
  relocName: (t) => relocName(t, EM_386),
  relocate: (sec, buf, env) => relocateX86(sec, buf, env, EM_386),
}

export const X86_64_TARGET: LinkTarget = {
  emulation: 'elf_x86_64',
  formats: ['elf64-x86-64'],
  arch: 'i386:x86-64',
  machine: EM_X86_64,
  elfClass: ELFCLASS64,
  defaultEflags: 0,
  defaultScript: DEFAULT_SCRIPT_ELF_X86_64,
  defaultScriptNmagic: DEFAULT_SCRIPT_ELF_X86_64_NMAGIC,
  separateCode: true,
  relro: true,
  higherHalf: 0xffff800000000000n,
  higherHalfHintOffset: '0xffffffff80000000',
  stackAlign: 16n,
  codeFill: (n) => nopFill(n, NOPS.length),
  relocName: (t) => relocName(t, EM_X86_64),
  relocate: (sec, buf, env) => relocateX86(sec, buf, env, EM_X86_64),
}
