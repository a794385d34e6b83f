/**
 * A kernel ELF's DWARF (line table, functions, inlined calls) read on Node: the pure reader in
 * shared/dwarf with Node's zlib for compressed debug sections (gcc -gz, ld --compress-debug-sections),
 * zstd too where this Node has it.
 */
import * as zlib from 'node:zlib'
import type { Result } from '../../shared/api/result'
import type { ElfFile } from '../../shared/elf/reader'
import { readKernelDebugInfo, type Decompressors, type KernelDebugInfo } from '../../shared/dwarf'

const zstd = (zlib as typeof zlib & { zstdDecompressSync?: (data: Uint8Array) => Uint8Array }).zstdDecompressSync

export const NODE_DECOMPRESSORS: Decompressors = {
  inflate: (data) => zlib.inflateSync(data),
  ...(zstd ? { zstd: (data: Uint8Array) => zstd(data) } : {}),
}

export function kernelDebugInfo(elf: ElfFile): Result<KernelDebugInfo> {
  return readKernelDebugInfo(elf, NODE_DECOMPRESSORS)
}
