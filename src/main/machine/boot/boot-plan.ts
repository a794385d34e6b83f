/**
 * How a boot starts, per firmware mode, exactly as QEMU 7.2 `virt` does it (`virt_machine_done`):
 * load the firmware, the kernel (`kernel-image.ts`: an ELF, a Linux Image, or a raw binary at the
 * address the user gave) and the initrd into RAM, write the device tree — with the initrd's place
 * and the command line in `/chosen` — near the top of DRAM, and fill the reset-vector ROM. The ROM
 * always jumps to DRAM base (0x8000_0000); with a firmware file the kernel's load base becomes
 * `fw_dynamic_info.next_addr`. `--bios builtin` skips the ROM: the hart starts in S-mode at the
 * kernel's `e_entry` (its physical address) with a0 = hart id and a1 = the FDT, as OpenSBI would leave it.
 */
import { err, ok, type Result } from '../../../shared/api/result'
import { DRAM_BASE, KERNEL_BASE_WITH_FIRMWARE } from '../devices/memory-map'
import { fdtAddress, writeResetVector } from './reset-vector'
import { loadImage, type LoadedImage, type PhysicalRam } from './loader'
import { kernelStartAddr, loadInitrd, loadKernel, type ImageFile, type KernelFile, type PlacedInitrd } from './kernel-image'

export type { ImageFile, KernelFile, PlacedInitrd } from './kernel-image'

export type BiosChoice = 'none' | 'builtin' | ImageFile

/** What `/chosen` gets from the boot besides the console: known once the images are placed. */
export interface ChosenInfo {
  initrd?: PlacedInitrd
}

export interface BootPlanInput {
  ram: PhysicalRam
  rom: Uint8Array
  /** The flattened device tree, given where the boot placed the initrd. */
  deviceTree: (chosen: ChosenInfo) => Uint8Array
  bios: BiosChoice
  kernel?: KernelFile
  initrd?: ImageFile
}

export interface BootPlan {
  firmware?: LoadedImage
  kernel?: LoadedImage
  initrd?: PlacedInitrd
  dtb: Uint8Array
  fdtAddr: bigint
  /** Where the hart starts, in which privilege, with which a0/a1 (builtin: the kernel, S-mode). */
  start: { pc: bigint; priv: 3 | 1; a0: bigint; a1: bigint }
  /** Where the kernel is entered (builtin: at its e_entry, at once; firmware: by the firmware; none: the ROM jumps to DRAM base). */
  kernelEntry?: bigint
  warnings: string[]
}

const hex = (x: bigint) => `0x${x.toString(16)}`

type Range = Pick<LoadedImage, 'lowestPaddr' | 'highestPaddrEnd'>

function overlaps(a: Range, b: Range): boolean {
  return a.lowestPaddr < b.highestPaddrEnd && b.lowestPaddr < a.highestPaddrEnd
}

export function planBoot(input: BootPlanInput): Result<BootPlan> {
  const { ram, rom, bios, kernel } = input
  const warnings: string[] = []
  let firmware: LoadedImage | undefined
  let loadedKernel: LoadedImage | undefined

  if (bios === 'none') {
    if (!kernel) return err('boot.no_kernel', 'nothing to boot: --bios none needs a kernel', { hint: 'bootscope boot KERNEL --bios none' })
    const r = loadKernel(kernel, kernelStartAddr('none'), ram)
    if (!r.ok) return r
    loadedKernel = r.value
    if (loadedKernel.lowestPaddr !== DRAM_BASE) {
      warnings.push(
        `with --bios none the reset vector jumps to ${hex(DRAM_BASE)}, but the kernel's lowest load address is ${hex(loadedKernel.lowestPaddr)} (QEMU behaves the same); ` +
          `link it at ${hex(DRAM_BASE)} or boot it with a firmware`,
      )
    }
  } else if (bios === 'builtin') {
    if (!kernel) return err('boot.no_kernel', 'nothing to boot: the built-in firmware needs a kernel', { hint: 'bootscope boot KERNEL' })
    const r = loadKernel(kernel, kernelStartAddr('builtin'), ram)
    if (!r.ok) return r
    loadedKernel = r.value
    if (loadedKernel.entryPaddr !== KERNEL_BASE_WITH_FIRMWARE) {
      warnings.push(
        `the kernel's entry point is at ${hex(loadedKernel.entryPaddr)}; OpenSBI's fw_jump would jump to ${hex(KERNEL_BASE_WITH_FIRMWARE)} instead (the built-in firmware enters at e_entry)`,
      )
    }
  } else {
    const f = loadImage(bios.bytes, DRAM_BASE, ram, { file: bios.file, image: 'firmware' })
    if (!f.ok) return f
    firmware = f.value
    if (kernel) {
      const k = loadKernel(kernel, kernelStartAddr(firmware), ram)
      if (!k.ok) return k
      loadedKernel = k.value
      if (overlaps(firmware, loadedKernel)) {
        return err(
          'boot.kernel_overlaps_firmware',
          `${kernel.file}: the kernel [${hex(loadedKernel.lowestPaddr)}, ${hex(loadedKernel.highestPaddrEnd)}) overlaps the firmware [${hex(firmware.lowestPaddr)}, ${hex(firmware.highestPaddrEnd)})`,
          { loc: { file: kernel.file, line: 1, column: 1 }, hint: `link the kernel at ${hex(KERNEL_BASE_WITH_FIRMWARE)}, where fw_jump expects it` },
        )
      }
    }
  }

  for (const img of [firmware, loadedKernel]) warnings.push(...(img?.warnings ?? []))

  let initrd: PlacedInitrd | undefined
  if (input.initrd) {
    const file = input.initrd.file
    if (!loadedKernel) return err('boot.initrd_without_kernel', `${file}: an initrd goes with a kernel, and there is none`, { hint: 'give the kernel too' })
    const placed = loadInitrd(input.initrd, loadedKernel.loadBase, ram)
    if (!placed.ok) return placed
    initrd = placed.value
    for (const [what, img] of [['kernel', loadedKernel], ['firmware', firmware]] as const) {
      if (img && overlaps({ lowestPaddr: initrd.start, highestPaddrEnd: initrd.end }, img)) {
        return err('boot.initrd_overlaps', `${file}: the initrd [${hex(initrd.start)}, ${hex(initrd.end)}) overlaps the ${what} [${hex(img.lowestPaddr)}, ${hex(img.highestPaddrEnd)})`, {
          loc: { file, line: 1, column: 1 },
          hint: 'QEMU puts the initrd min(RAM / 2, 128 MiB) above the kernel: raise --mem',
        })
      }
    }
  }

  const dtb = input.deviceTree({ initrd })
  const fdtAddr = fdtAddress(ram.base, ram.bytes.length, dtb.length)
  const endOfImages = [firmware?.highestPaddrEnd, loadedKernel?.highestPaddrEnd, initrd?.end].reduce<bigint>((m, e) => (e !== undefined && e > m ? e : m), 0n)
  if (endOfImages > fdtAddr) {
    return err('boot.no_room_for_fdt', `the images end at ${hex(endOfImages)}, past where the device tree goes (${hex(fdtAddr)})`, { hint: 'raise --mem' })
  }
  ram.bytes.set(dtb, Number(fdtAddr - ram.base))
  // The built-in firmware honours e_entry; a firmware file is told QEMU's kernel_load_base (fw_dynamic's next_addr).
  const kernelEntry = bios === 'builtin' ? loadedKernel?.entryPaddr : loadedKernel?.lowestPaddr
  writeResetVector(rom, { startAddr: DRAM_BASE, fdtAddr, nextAddr: bios === 'none' ? 0n : (loadedKernel?.loadBase ?? 0n) })

  const start =
    bios === 'builtin'
      ? { pc: kernelEntry!, priv: 1 as const, a0: 0n, a1: fdtAddr }
      : { pc: 0x1000n, priv: 3 as const, a0: 0n, a1: 0n }
  return ok({ firmware, kernel: loadedKernel, initrd, dtb, fdtAddr, start, kernelEntry, warnings })
}
