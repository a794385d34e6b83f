/**
 * Section groups (gABI "Section Groups"; GNU as manual `.section` flag `G`; binutils 2.40
 * obj-elf.c): `.section .text.f,"axG",@progbits,f,comdat` puts the section in the group named
 * by the signature `f` (COMDAT when `comdat` follows: the linker keeps one group per signature).
 * The section gets SHF_GROUP; a COMDAT member carries its signature (ObjSection.group, what our
 * linker and the relocatable reader use); a signature that names no symbol of the file becomes a
 * local symbol, as GNU as makes one for the group section; relocations against local labels of
 * group members keep the label (write.c adjust_reloc_syms never moves them to the section symbol).
 */
import { AsmError } from '../assembler'
import { splitOperands } from '../operands'
import type { GasX86State } from './context'

/** `.section`/`.pushsection` with the `G` flag: true when handled (the rest goes to the shared directive). */
export function groupSection(st: GasX86State, name: string, args: string, col: number, shared: (args: string) => void): boolean {
  if (name !== '.section' && name !== '.pushsection') return false
  const p = splitOperands(args, col)
  const flags = /^"([a-zA-Z?]*)"$/.exec(p[1]?.text.trim() ?? '')?.[1]
  if (!flags?.includes('G')) return false
  // name, "flags", @type[, entsize when M], group[, comdat]
  const groupAt = flags.includes('M') ? 4 : 3
  const signature = p[groupAt]?.text.trim()
  if (!p[2] || !signature) throw new AsmError('a section with the G flag needs a type and a group name, e.g. `.section .text.f,"axG",@progbits,f,comdat`', col, 'asm.bad_directive')
  const linkage = p[groupAt + 1]?.text.trim()
  if (linkage !== undefined && linkage !== 'comdat' && linkage !== '.gnu.linkonce') throw new AsmError(`unknown group linkage \`${linkage}\``, p[groupAt + 1].col, 'asm.bad_directive', 'write `comdat` or nothing')
  if (p.length > groupAt + 2) throw new AsmError('junk after the group name and linkage', p[groupAt + 2].col, 'asm.bad_directive')
  shared([p[0].text, `"${flags.replace('G', '')}"`, ...p.slice(2, groupAt).map((x) => x.text)].join(','))
  const sec = st.asm.cur.name
  if (!st.groups.has(sec)) st.groups.set(sec, { signature, comdat: linkage !== undefined })
  return true
}
