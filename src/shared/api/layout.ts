/**
 * The layout report: what the linker did, as plain JSON-serialisable data, for the UI's layout
 * view and for lab checks (produced by `main/toolchain/link`, carried by the `build.run` result). Addresses are hex strings (`0x…`) because JSON has no 64-bit integers
 * and a higher-half kernel lives at 0xffffffff80200000.
 */
import type { SourceLoc } from './result'

export interface LayoutInputSection {
  /** The object (e.g. `entry.o`). */
  object: string
  name: string
  /** Offset within the output section. */
  offset: string
  size: string
}

export interface LayoutOutputSection {
  name: string
  vma: string
  lma: string
  size: string
  align: number
  /** Bytes of alignment padding between the previous output section's end and this one's start. */
  paddingBefore: string
  /** sh_flags as letters: W A X (readelf style). */
  flags: string
  type: 'PROGBITS' | 'NOBITS' | 'OTHER'
  inputs: LayoutInputSection[]
  /** From the script, or where ld-style orphan placement put it. */
  orphan: boolean
  loc?: SourceLoc
}

export interface LayoutSymbol {
  name: string
  value: string
  /** Output section name, or `*ABS*`. */
  section: string
  /** `script` (with its loc) or the object that defined it. */
  definedBy: string
  /** A local symbol of `definedBy` (not visible to other objects), as `nm` shows in lower case. */
  local?: boolean
  loc?: SourceLoc
}

export interface LayoutSegment {
  type: string
  vaddr: string
  paddr: string
  offset: string
  filesz: string
  memsz: string
  flags: string
  align: string
  sections: string[]
}

export interface LayoutDotStep {
  /** The statement, as a short text (`. = ALIGN(4K)`, `.text`, `kernel_end = .`). */
  statement: string
  dot: string
  loc: SourceLoc
}

export interface LayoutWarning {
  code: string
  message: string
  loc?: SourceLoc
  hint?: string
}

export interface LayoutReport {
  entry: string
  outputSections: LayoutOutputSection[]
  symbols: LayoutSymbol[]
  segments: LayoutSegment[]
  dot: LayoutDotStep[]
  warnings: LayoutWarning[]
  /** Layout passes run before the addresses stopped changing. */
  passes: number
}

