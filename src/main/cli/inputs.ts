/**
 * What several commands read from their arguments: files named on the command line (a missing
 * one is a usage mistake, exit 2), numbers in decimal or 0x hex, and the kernel and firmware of a
 * boot (`bootscope boot`, `bootscope record`).
 */
import { readFileSync } from 'node:fs'
import type { BiosChoice, ImageFile } from '../machine/boot/boot-plan'
import { UsageError } from './command'

function read<T>(path: string, what: string, load: (p: string) => T): T {
  try {
    return load(path)
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

export function readInputFile(path: string, what: string): Uint8Array {
  return read(path, what, (p) => new Uint8Array(readFileSync(p)))
}

export function readInputText(path: string, what: string): string {
  return read(path, what, (p) => readFileSync(p, 'utf8'))
}

/** A number argument (decimal or 0x hex), kept as text for BigInt or Number as the caller needs. */
export function numberArg(v: string | undefined, what: string): string {
  if (v === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new UsageError(`${what} takes a number (decimal or 0x hex)`)
  return v
}

/** The kernel file and the firmware choice (`none`, `builtin` or a file) of a boot. */
export function bootImages(kernelPath: string, bios: string): { kernel: ImageFile; bios: BiosChoice } {
  return {
    kernel: { bytes: readInputFile(kernelPath, 'kernel'), file: kernelPath },
    bios: bios === 'none' || bios === 'builtin' ? bios : { bytes: readInputFile(bios, 'firmware'), file: bios },
  }
}
