/**
 * A kernel ELF's DWARF (line table, functions, inlined calls) read on Node: the pure reader in
 * shared/dwarf with Node's zlib for compressed debug sections (gcc -gz, ld --compress-debug-sections),
 * zstd too where this Node has it.
 */
import * as zlib from 'node:zlib'
import type { Result } from '../../shared/api/result'
import { readElf, type ElfFile } from '../../shared/elf/reader'
import { readKernelDebugInfo, type Decompressors, type KernelDebugInfo } from '../../shared/dwarf'

const zstd = (zlib as typeof zlib & { zstdDecompressSync?: (data: Uint8Array) => Uint8Array }).zstdDecompressSync

export const NODE_DECOMPRESSORS: Decompressors = {
  inflate: (data) => zlib.inflateSync(data),
  ...(zstd ? { zstd: (data: Uint8Array) => zstd(data) } : {}),
}

export function kernelDebugInfo(elf: ElfFile): Result<KernelDebugInfo> {
  return readKernelDebugInfo(elf, NODE_DECOMPRESSORS)
}

/**
 * The DWARF of a kernel image, for the recording: undefined when the image is not an ELF file
 * or has no line table. DWARF that cannot be read leaves the boot without source lines — the
 * boot itself does not depend on it.
 */
export function kernelDebugInfoOf(bytes: Uint8Array): KernelDebugInfo | undefined {
  const elf = readElf(bytes)
  if (!elf.ok) return undefined
  const info = kernelDebugInfo(elf.value)
  return info.ok && (info.value.lines.length || info.value.functions.length) ? info.value : undefined
}
