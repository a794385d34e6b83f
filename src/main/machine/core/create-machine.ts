/**
 * Builds the machine a kernel needs: picks the preset (`presets.ts`: from the file, or the
 * `machine` asked for) and creates that architecture's machine behind the `BootMachine`
 * interface. Every caller that boots something (CLI, recorder, replay, labs) comes through here,
 * so none of them knows which architectures exist.
 */
import { err, type Result } from '../../../shared/api/result'
import { Machine, type MachineConfig } from '../machine'
import type { ImageFile } from '../boot/boot-plan'
import type { BootMachine } from './boot-machine'
import { choosePreset } from './presets'

/** A Multiboot module: a file and the string the boot information gives it (GRUB: `module2 FILE STRING`). */
export interface ModuleFile extends ImageFile {
  string?: string
}

export interface BootConfig extends MachineConfig {
  /** A preset name (`riscv64-virt`, `x86-pc`); default: the one the kernel file calls for. */
  machine?: string
  /** The kernel command line: Multiboot `cmdline` on x86, `bootargs` in the device tree on RISC-V. */
  append?: string
  /** Multiboot modules (x86). */
  modules?: ModuleFile[]
}

export async function createMachine(config: BootConfig): Promise<Result<BootMachine>> {
  const k = config.kernel
  if (!k && config.machine !== undefined && config.machine !== 'riscv64-virt') {
    return err('boot.no_kernel', `nothing to boot: the ${config.machine} machine needs a kernel`, { hint: `bootscope boot KERNEL --machine ${config.machine}` })
  }
  const preset = k ? choosePreset(k.bytes, k.file, config.machine) : undefined
  if (preset && !preset.ok) return preset
  if (preset?.value === 'x86-pc') {
    return err('machine.x86_unavailable', `${k!.file} is an x86 kernel; the x86-pc machine is not in this build yet (issue 13), so it cannot boot it`, {
      loc: { file: k!.file, line: 1, column: 1 },
      hint: 'boot it in QEMU for now: qemu-system-i386 -kernel FILE (Multiboot 1) or a GRUB ISO (Multiboot 2)',
    })
  }
  if (config.modules?.length) return err('boot.modules_unsupported', 'modules are a Multiboot feature: the RISC-V machine has no place for them', { hint: 'boot an x86 kernel, or build the data into the RISC-V image' })
  return Machine.create({ ...config, bootargs: config.bootargs ?? config.append })
}
