/**
 * What several commands read from their arguments: files named on the command line (a missing
 * one is a usage mistake, exit 2), numbers in decimal or 0x hex, and the images of a boot
 * (`bootscope boot`, `bootscope record`): kernel, firmware and initrd.
 */
import type { BiosChoice, ImageFile, KernelFile } from '../machine/boot/boot-plan'
import { diskBaseFromFile } from '../machine/devices/cow-disk'
import { checkRegularFile, MAX_DISK_BYTES, MAX_IMAGE_BYTES, MAX_SOURCE_BYTES, readRegularFile } from '../files/regular-file'
import { UsageError } from './command'

/** A file named on the command line: a regular file within `maxBytes` (never a device or a FIFO), else a usage error. */
export function readInputFile(path: string, what: string, maxBytes = MAX_IMAGE_BYTES): Uint8Array {
  const r = readRegularFile(path, what, maxBytes)
  if (!r.ok) throw new UsageError(r.error.message)
  return r.value
}

export function readInputText(path: string, what: string): string {
  return new TextDecoder().decode(readInputFile(path, what, MAX_SOURCE_BYTES))
}

/** A disk image (`--disk`): a regular file, read lazily by the machine. */
export function openDiskImage(path: string): ReturnType<typeof diskBaseFromFile> {
  const r = checkRegularFile(path, 'disk image', MAX_DISK_BYTES)
  if (!r.ok) throw new UsageError(r.error.message)
  return diskBaseFromFile(path)
}

/** A number argument (decimal or 0x hex), kept as text for BigInt or Number as the caller needs. */
export function numberArg(v: string | undefined, what: string): string {
  if (v === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new UsageError(`${what} takes a number (decimal or 0x hex)`)
  return v
}

/** The kernel file (with its raw load address, if given), the firmware choice (`none`, `builtin` or a file) and the initrd of a boot. */
export function bootImages(
  kernelPath: string,
  bios: string,
  more: { rawAddr?: bigint; initrd?: string } = {},
): { kernel: KernelFile; bios: BiosChoice; initrd?: ImageFile } {
  return {
    kernel: { bytes: readInputFile(kernelPath, 'kernel'), file: kernelPath, ...(more.rawAddr === undefined ? {} : { rawAddr: more.rawAddr }) },
    bios: bios === 'none' || bios === 'builtin' ? bios : { bytes: readInputFile(bios, 'firmware'), file: bios },
    ...(more.initrd === undefined ? {} : { initrd: { bytes: readInputFile(more.initrd, 'initrd'), file: more.initrd } }),
  }
}

/** What every query of a recording whose writer never finished says first (on stderr). */
export function incompleteNote(lastStep: number | bigint): string {
  return `bootscope: this recording is incomplete: its writer stopped (crash or kill) and it covers the boot up to step ${lastStep} only\n`
}

/** What `at` and `find` say first (on stderr) about the recording they replay: incomplete, or too old to have its inputs checked. */
export function replayNotes(s: { outcome: string; steps: number | bigint; inputsChecked: boolean }): string {
  return (
    (s.outcome === 'incomplete' ? incompleteNote(s.steps) : '') +
    (s.inputsChecked ? '' : 'bootscope: this recording was written before recordings kept a hash of their configuration: its inputs are replayed without that check\n')
  )
}

/** After a query: the recording's checkpoints were damaged and replay went on from step 0 (ReplaySession.checkpointWarning). */
export function checkpointNote(s: { checkpointWarning?: string }): string {
  return s.checkpointWarning ? `bootscope: warning: ${s.checkpointWarning}\n` : ''
}
