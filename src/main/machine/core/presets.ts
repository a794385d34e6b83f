/**
 * Machine presets, and which one a kernel needs. `riscv64-virt` is QEMU's RISC-V `virt` board;
 * `x86-pc` is QEMU's `-machine pc` with a Multiboot loader (REFERENCE.md). A kernel names its
 * architecture itself — an ELF's `e_machine` (EM_RISCV, EM_386, EM_X86_64), or a Multiboot header
 * in a raw image — so the preset is chosen from the file unless `--machine` says otherwise, and a
 * mismatch is an error that says what the file is and which machine can run it.
 */
import { err, ok, type Result } from '../../../shared/api/result'
import { ELFCLASS32, ELFCLASS64, EM_386, EM_RISCV, EM_X86_64 } from '../../../shared/elf/constants'
import { findMultibootHeaders } from '../x86/boot/multiboot-header'
import type { ArchName, MachinePresetName } from './boot-machine'

export interface MachinePreset {
  name: MachinePresetName
  arch: ArchName
  /** One line for `--help` and the UI. */
  title: string
}

export const MACHINE_PRESETS: Record<MachinePresetName, MachinePreset> = {
  'riscv64-virt': { name: 'riscv64-virt', arch: 'riscv64', title: "QEMU's RISC-V virt board: RV64GC hart, 16550 UART, CLINT, PLIC, virtio; SBI firmware built in or OpenSBI" },
  'x86-pc': { name: 'x86-pc', arch: 'x86', title: 'a QEMU-style PC: i386/x86-64 hart, COM1, VGA text, PIC, PIT, PS/2 keyboard, RTC, APICs; Multiboot 1/2 like GRUB' },
}

export const PRESET_NAMES = Object.keys(MACHINE_PRESETS) as MachinePresetName[]

/** What a kernel file is, as far as choosing a machine goes. */
export interface KernelKind {
  /** In words, for messages: "an x86-64 ELF", "a RISC-V ELF", "a raw image with a Multiboot header". */
  what: string
  /** The preset that runs it, or undefined for a foreign architecture. */
  preset?: MachinePresetName
}

const ELF_MACHINES: Record<number, { what: string; preset?: MachinePresetName }> = {
  [EM_RISCV]: { what: 'a RISC-V', preset: 'riscv64-virt' },
  [EM_386]: { what: 'an i386 (32-bit x86)', preset: 'x86-pc' },
  [EM_X86_64]: { what: 'an x86-64', preset: 'x86-pc' },
  40: { what: 'an ARM' },
  183: { what: 'an AArch64' },
}

const isElf = (b: Uint8Array) => b.length >= 20 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46

export function kernelKind(bytes: Uint8Array): KernelKind {
  if (isElf(bytes)) {
    const machine = bytes[18] | (bytes[19] << 8)
    const cls = bytes[4] === ELFCLASS32 ? 'ELF32' : bytes[4] === ELFCLASS64 ? 'ELF64' : 'ELF'
    const known = ELF_MACHINES[machine]
    return { what: `${known?.what ?? `an e_machine ${machine}`} ${cls}`, preset: known?.preset }
  }
  const { mb1, mb2 } = findMultibootHeaders(bytes)
  if (mb1.header || mb2.header || mb1.problem || mb2.problem) return { what: 'a raw image with a Multiboot header', preset: 'x86-pc' }
  // A raw binary without a header: a RISC-V `objcopy -O binary` image (the machine it always ran on).
  return { what: 'a raw binary', preset: 'riscv64-virt' }
}

/** The preset to boot `bytes` on: `requested` if it can run them, else the file's own. */
export function choosePreset(bytes: Uint8Array, file: string, requested?: string): Result<MachinePresetName> {
  const loc = { file, line: 1, column: 1 }
  if (requested !== undefined && !(requested in MACHINE_PRESETS)) {
    return err('boot.unknown_machine', `unknown machine '${requested}'`, { hint: `the machines are ${PRESET_NAMES.join(', ')}` })
  }
  const kind = kernelKind(bytes)
  if (!kind.preset) {
    return err('boot.wrong_machine', `${file} is ${kind.what}; Bootscope's machines (${PRESET_NAMES.join(', ')}) cannot run it`, { loc, hint: 'build for riscv64 or for i386/x86-64' })
  }
  const want = requested as MachinePresetName | undefined
  if (want && want !== kind.preset && kind.what !== 'a raw binary') {
    const arch = MACHINE_PRESETS[want].arch === 'x86' ? 'x86' : 'RISC-V'
    return err('boot.wrong_machine', `${file} is ${kind.what}; the ${arch} machine (${want}) cannot run it`, { loc, hint: `drop --machine, or use --machine ${kind.preset}` })
  }
  return ok(want ?? kind.preset)
}
