/**
 * A target description (gdb manual, Appendix G "Target Descriptions") from a `GdbArchitecture`:
 * one self-contained target.xml with every feature inline, the way gdb's qXfer reads it.
 */
import type { GdbArchitecture } from './debug-target'

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
