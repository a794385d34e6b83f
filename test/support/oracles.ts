/**
 * Reference oracles: GNU binutils, QEMU, OpenSBI and U-Boot from Debian's packages. Tests that
 * compare against one skip locally with a message naming the package when it is missing, but
 * in CI (CI=true, where .ci/run installs them) a missing oracle is a failure, never a skip.
 */
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

export interface Oracle {
  /** Absolute path, or undefined when missing (and not in CI). */
  path: string | undefined
  /** For `describe.skipIf(...)`: true when the oracle is missing. */
  missing: boolean
  /** Why a test skipped, naming the Debian package. */
  reason: string
}

function lookup(command: string): string | undefined {
  if (command.startsWith('/')) return existsSync(command) ? command : undefined
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/** Finds `command` (a name on PATH or an absolute file path) provided by Debian package `pkg`. */
export function oracle(command: string, pkg: string): Oracle {
  const path = lookup(command)
  const reason = `${command} not found: install the Debian package ${pkg} (apt-get install -y ${pkg})`
  if (!path && process.env.CI === 'true') throw new Error(`CI must run this test, but ${reason}`)
  if (!path) console.warn(`skipping: ${reason}`)
  return { path, missing: !path, reason }
}

export const BINUTILS_PKG = 'binutils-riscv64-unknown-elf'
export const gnuAs = () => oracle('riscv64-unknown-elf-as', BINUTILS_PKG)
export const gnuLd = () => oracle('riscv64-unknown-elf-ld', BINUTILS_PKG)
export const gnuObjdump = () => oracle('riscv64-unknown-elf-objdump', BINUTILS_PKG)
export const gnuReadelf = () => oracle('riscv64-unknown-elf-readelf', BINUTILS_PKG)
export const gnuObjcopy = () => oracle('riscv64-unknown-elf-objcopy', BINUTILS_PKG)
export const qemu = () => oracle('qemu-system-riscv64', 'qemu-system-misc')
export const openSbiFwJump = () => oracle('/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf', 'opensbi')
export const uBootSmode = () => oracle('/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin', 'u-boot-qemu')

/** x86 binutils and compilers (this host's native `as`/`ld` handle --32/--64 and -m elf_i386/elf_x86_64). */
export const X86_BINUTILS_PKG = 'binutils'
export const x86As = () => oracle('as', X86_BINUTILS_PKG)
export const x86Ld = () => oracle('ld', X86_BINUTILS_PKG)
export const x86Ar = () => oracle('ar', X86_BINUTILS_PKG)
export const x86Objdump = () => oracle('objdump', X86_BINUTILS_PKG)
export const x86Readelf = () => oracle('readelf', X86_BINUTILS_PKG)
/** gcc for `-m32`/`-m64 -ffreestanding -c` (freestanding objects need no 32-bit libc headers). */
export const gccX86 = () => oracle('gcc', 'gcc-multilib')
export const nasmOracle = () => oracle('nasm', 'nasm')
/** rustc, for Rust `staticlib` archives (no_std, panic=abort) linked like a Rust kernel's. */
export const rustcOracle = () => oracle('rustc', 'rustc')
