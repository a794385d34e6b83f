/**
 * The source line of the instruction a boot stopped at, for `bootscope boot` and `record`: a trap
 * loop's faulting instruction, the `hlt` of a `cli; hlt`, the instruction whose fault became a
 * triple fault. It comes from the kernel's line table (its DWARF: gcc/clang/rustc -g, nasm -g -F
 * dwarf, as -g); a kernel without one gets no line.
 */
import type { SourceLoc } from '../../shared/api/result'
import { SourceMap, type SegmentAddresses } from '../../shared/trace/source-map'
import { kernelDebugInfoOf } from '../trace/kernel-debug-info'

/** Where `pc` is in the kernel's source (segments carry a physical PC to its link address). */
export function kernelLineAt(kernel: Uint8Array, segments: readonly SegmentAddresses[], pc: bigint): SourceLoc | undefined {
  const debug = kernelDebugInfoOf(kernel)
  return debug?.lines.length ? new SourceMap(debug.lines, [...segments]).locate(pc) : undefined
}

/** The line printed under a stop: `  at FILE:LINE:COLUMN`, or nothing without a line table. */
export function stopSourceText(loc: SourceLoc | undefined): string {
  return loc ? `  at ${loc.file}:${loc.line}:${loc.column}\n` : ''
}
