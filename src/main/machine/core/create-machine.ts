/**
 * Builds the machine a kernel needs: picks the preset (`presets.ts`: from the file, or the
 * `machine` asked for) and creates that architecture's machine behind the `BootMachine`
 * interface. Every caller that boots something (CLI, recorder, replay, labs) comes through here,
 * so none of them knows which architectures exist.
 */
import { err, type Result } from '../../../shared/api/result'
import { MAX_GUEST_RAM_BYTES } from '../../../shared/api/boot'
import { Machine, type MachineConfig } from '../machine'
import type { ImageFile } from '../boot/boot-plan'
import type { BootMachine } from './boot-machine'
import { choosePreset } from './presets'
import { PcMachine } from '../x86/pc-machine'
import { createX86Hart } from '../x86/hart/hart'

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
  if (config.memBytes !== undefined && config.memBytes > MAX_GUEST_RAM_BYTES) {
    return err('boot.mem_too_large', `${config.memBytes} bytes of guest RAM is more than the machine can have: at most ${MAX_GUEST_RAM_BYTES / 1024 ** 2} MiB`, {
      hint: `give --mem ${MAX_GUEST_RAM_BYTES / 1024 ** 2}M or less`,
    })
  }
  if (!k && config.machine !== undefined && config.machine !== 'riscv64-virt') {
    return err('boot.no_kernel', `nothing to boot: the ${config.machine} machine needs a kernel`, { hint: `bootscope boot KERNEL --machine ${config.machine}` })
  }
  const preset = k ? choosePreset(k.bytes, k.file, config.machine) : undefined
  if (preset && !preset.ok) return preset
  if (preset?.value === 'x86-pc') return createPc(config)
  if (config.modules?.length) return err('boot.modules_unsupported', 'modules are a Multiboot feature: the RISC-V machine has no place for them', { hint: 'boot an x86 kernel, or build the data into the RISC-V image' })
  return Machine.create({ ...config, bootargs: config.bootargs ?? config.append })
}

/** The PC: a Multiboot kernel, its command line and modules; the RISC-V-only options are refused. */
async function createPc(config: BootConfig): Promise<Result<BootMachine>> {
  const k = config.kernel!
  const refuse = (what: string, hint: string) => err('boot.x86_option', `${what} is a RISC-V machine option: the x86 PC has no place for it`, { hint })
  if (config.disk) return refuse('--disk', 'the PC has no virtio disk; pass data to the kernel as a Multiboot module (--module FILE)')
  if (config.tohost) return refuse('--tohost', 'x86 test kernels exit through isa-debug-exit (outb to port 0xf4), which Bootscope reads as QEMU does')
  if (config.bios !== undefined && config.bios !== 'builtin' && config.bios !== 'none') {
    return refuse('a firmware file (--bios FILE)', 'the PC boots a Multiboot kernel directly, as GRUB or qemu -kernel would: drop --bios')
  }
  return PcMachine.create({
    kernel: k,
    append: config.append ?? config.bootargs,
    modules: config.modules,
    memBytes: config.memBytes,
    trace: config.trace,
    strictTlb: config.strictTlb,
    listener: config.listener,
    createHart: async (opts) => createX86Hart(opts),
  })
}
