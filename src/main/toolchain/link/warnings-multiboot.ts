/**
 * The Multiboot lint: a boot loader only looks for the Multiboot header in the first 8 KiB
 * (Multiboot 1) or 32 KiB (Multiboot 2) of the kernel file. A header that lands further in —
 * after a big .text, or in an output section the script puts late — links fine and then the
 * loader says "no multiboot header found". So does one that `--gc-sections` collected because
 * nothing refers to it. Seed 002 puts `KEEP(*(.multiboot_header))` first for both reasons.
 */
import { findMultibootHeaders, multibootSearchBytes } from '../../../shared/multiboot/header'
import type { ObjectFile } from '../object'
import type { OutSec } from './input'
import type { LayoutWarning } from './layout-report'

const hex = (v: number | bigint) => '0x' + v.toString(16)

export function multibootWarnings(elf: Uint8Array, outs: OutSec[], offsets: Map<OutSec, bigint>, objects: ObjectFile[]): LayoutWarning[] {
  const w: LayoutWarning[] = []
  const found = new Set<1 | 2>()
  for (const o of outs) {
    const off = offsets.get(o)
    if (off === undefined || o.type === 8 /* SHT_NOBITS */) continue
    const start = Number(off)
    for (const h of findMultibootHeaders(elf.subarray(start, start + Number(o.size)), start)) {
      found.add(h.version)
      const at = start + h.offset
      const limit = multibootSearchBytes(h.version)
      if (at + (h.version === 1 ? 12 : 16) <= limit) continue
      w.push({
        code: 'link.multiboot_header_too_far',
        message: `the Multiboot ${h.version} header in ${o.name} is at file offset ${hex(at)}, past the first ${limit / 1024} KiB where boot loaders look for it`,
        loc: o.stmt?.loc,
        hint: `put the header's section first in the first output section, e.g. \`.boot : { KEEP(*(.multiboot_header)) }\` (seed 002)`,
      })
    }
  }
  // A header an input had that the output lost: collected by --gc-sections, or /DISCARD/ed.
  for (const obj of objects) {
    for (const s of obj.sections) {
      for (const h of findMultibootHeaders(s.data)) {
        if (found.has(h.version)) continue
        found.add(h.version)
        w.push({
          code: 'link.multiboot_header_dropped',
          message: `${obj.name} has a Multiboot ${h.version} header in ${s.name}, but the output has none: nothing refers to it, so --gc-sections (or /DISCARD/) removed it`,
          hint: `keep it: \`KEEP(*(${s.name}))\` at the start of the first output section (seed 002)`,
        })
      }
    }
  }
  return w
}
