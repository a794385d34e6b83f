/**
 * A target description (gdb manual, Appendix G "Target Descriptions") from a `GdbArchitecture`:
 * one self-contained target.xml with every feature inline, the way gdb's qXfer reads it.
 */
import type { GdbArchitecture, MemoryRegion } from './debug-target'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')

export function targetXml(arch: GdbArchitecture): string {
  const out = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', '<target version="1.0">', `<architecture>${esc(arch.architecture)}</architecture>`]
  for (const f of arch.features) {
    out.push(`<feature name="${esc(f.name)}">`)
    for (const r of f.registers) {
      const extra = `${r.type ? ` type="${esc(r.type)}"` : ''}${r.group ? ` group="${esc(r.group)}"` : ''}`
      out.push(`  <reg name="${esc(r.name)}" bitsize="${r.bitsize}" regnum="${r.regnum}"${extra}/>`)
    }
    out.push('</feature>')
  }
  out.push('</target>')
  return out.join('\n')
}

/**
 * A memory map (gdb manual, "Memory Map Format"): the machine's ROM and RAM by their physical
 * addresses, and every other address as RAM too — with paging on, the kernel's virtual addresses
 * (a higher half) are readable wherever they are mapped, and gdb refuses addresses outside the map.
 */
export function memoryMapXml(regions: MemoryRegion[]): string {
  const sorted = [...regions].sort((a, b) => (a.start < b.start ? -1 : 1))
  const out = ['<?xml version="1.0"?>', '<!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" "http://sourceware.org/gdb/gdb-memory-map.dtd">', '<memory-map>']
  const region = (type: string, start: bigint, end: bigint) => {
    if (end > start) out.push(`  <memory type="${type}" start="0x${start.toString(16)}" length="0x${(end - start).toString(16)}"/>`)
  }
  let at = 0n
  for (const r of sorted) {
    region('ram', at, r.start)
    region(r.type, r.start, r.start + r.length)
    at = r.start + r.length
  }
  region('ram', at, 1n << 64n)
  out.push('</memory-map>')
  return out.join('\n')
}
