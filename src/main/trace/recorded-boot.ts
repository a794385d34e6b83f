/**
 * What a recording says to boot: the machine configuration the recorded boot ran with, rebuilt
 * from the recording alone (its `config` meta, and the kernel, firmware, initrd, modules and disk
 * it keeps) — never from the user's files, which may have changed since.
 */
import { err, ok, type Result } from '../../shared/api/result'
import type { ImageFile } from '../machine/boot/boot-plan'
import type { BootConfig } from '../machine/core/create-machine'
import { DRAM_BASE, KERNEL_BASE_WITH_FIRMWARE } from '../machine/devices/memory-map'
import { isElf } from '../machine/boot/loader'
import { isLinuxImage } from '../machine/boot/kernel-image'
import type { RecordingReader } from './recording-reader'
import { RecordedDisk } from './disk-store'
import { META } from './schema'

export interface RecordedConfig {
  bios: string
  memBytes: number | null
  tohost: boolean
  disk: boolean
  /** The disk image's name in the recording (`disk_images`); recordings made before disks were kept have none. */
  diskName?: string
  /** The machine preset (recordings made before x86 have none: riscv64-virt). */
  machine?: string
  /** The kernel command line (RISC-V bootargs, Multiboot cmdline) and Multiboot modules (x86), kept as artifacts named by file. */
  append?: string | null
  modules?: { file: string; string: string | null }[]
  /** Load address of a raw kernel (hex); absent in recordings made before raw binaries needed one. */
  rawAddr?: string | null
  /** The strict-TLB teaching mode; absent when off (and in recordings made before it could be chosen). */
  strictTlb?: boolean
  /** The initrd's artifact name. */
  initrd?: string | null
}

/**
 * Where the recorded boot put a raw kernel. Recordings made before raw binaries needed `--raw`
 * (no `rawAddr` key) had them loaded where the firmware mode put them then: DRAM base without a
 * firmware, 0x8020_0000 after one.
 */
function recordedRawAddr(config: RecordedConfig, kernel: Uint8Array): bigint | undefined {
  if (config.rawAddr) return BigInt(config.rawAddr)
  const riscv = config.machine === undefined || config.machine === 'riscv64-virt'
  if (config.rawAddr === null || !riscv || isElf(kernel) || isLinuxImage(kernel)) return undefined
  return config.bios === 'none' ? DRAM_BASE : KERNEL_BASE_WITH_FIRMWARE
}

/** The recording's `config` meta row (an object: `RecordingReader.open` refuses a file where it is not). */
export function recordedConfig(meta: Record<string, string>): RecordedConfig {
  return JSON.parse(meta[META.config] ?? '{}') as RecordedConfig
}

/** The recorded boot's machine configuration, or why the recording cannot be replayed. */
export function recordedBootConfig(path: string, r: RecordingReader): Result<BootConfig> {
  const meta = r.meta()
  const config = recordedConfig(meta)
  const kernelName = meta[META.kernel]
  const kernel = kernelName ? r.artifact(kernelName) : undefined
  if (!kernel?.data) return err('replay.no_kernel', `the recording '${path}' does not hold its kernel, so it cannot be replayed`)
  // The disk image is read from the recording (disk-store.ts), never from the user's file.
  const disk = config.disk ? (config.diskName ? RecordedDisk.open(path, config.diskName) : undefined) : undefined
  if (config.disk && !disk) return err('replay.disk', 'this boot used a disk image that the recording does not keep (it was made before recordings kept disks): it cannot be replayed', { hint: 'record the boot again' })
  let bios: BootConfig['bios'] = config.bios === 'none' ? 'none' : 'builtin'
  if (config.bios !== 'none' && config.bios !== 'builtin') {
    const fw = r.artifact(config.bios)
    if (!fw?.data) return err('replay.no_firmware', `the recording does not hold its firmware '${config.bios}'`)
    bios = { file: config.bios, bytes: fw.data } satisfies ImageFile
  }
  let initrd: ImageFile | undefined
  if (config.initrd) {
    const data = r.artifact(config.initrd)?.data
    if (!data) return err('replay.no_initrd', `the recording does not hold its initrd '${config.initrd}'`)
    initrd = { file: config.initrd, bytes: data }
  }
  const machineConfig: BootConfig = {
    kernel: { file: kernelName, bytes: kernel.data, rawAddr: recordedRawAddr(config, kernel.data) },
    bios,
    initrd,
    memBytes: config.memBytes ?? undefined,
    tohost: config.tohost,
    ...(config.strictTlb ? { strictTlb: true } : {}),
    machine: config.machine,
    append: config.append ?? undefined,
    ...(disk ? { disk } : {}),
  }
  for (const m of config.modules ?? []) {
    const bytes = r.artifact(m.file)?.data
    if (!bytes) return err('replay.no_module', `the recording does not hold its module '${m.file}'`)
    ;(machineConfig.modules ??= []).push({ file: m.file, bytes, ...(m.string !== null ? { string: m.string } : {}) })
  }
  return ok(machineConfig)
}
