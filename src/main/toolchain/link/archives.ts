/**
 * Which archive members a link includes, as ld decides it (elflink.c
 * elf_link_add_archive_symbols): inputs are taken in command-line order; at an archive, every
 * symbol of its index that is still undefined (a strong reference nothing defined yet) pulls in
 * the member that defines it, and the index is scanned again until a pass pulls nothing. Members
 * join the link where their archive stands, in the order they were pulled — which fixes the
 * order of their sections in the output. A weak reference pulls nothing.
 */
import type { Diagnostic } from '../../../shared/api/result'
import type { Archive } from '../../../shared/elf/archive'
import { readRelocatable } from '../../../shared/elf/read-relocatable'
import type { ObjectFile } from '../object'

export type LinkInput = ObjectFile | Archive

export function isArchiveInput(x: LinkInput): x is Archive {
  return 'members' in x
}

/** The objects the link uses: the plain objects, and the archive members something needs. */
export function selectArchiveMembers(inputs: LinkInput[], roots: string[], diags: Diagnostic[]): ObjectFile[] {
  const defined = new Set<string>()
  const undefinedNames = new Set<string>(roots)
  const add = (o: ObjectFile) => {
    for (const s of o.symbols) {
      if (s.bind === 'local' || !s.name) continue
      if (s.section === 'undef') {
        if (s.bind !== 'weak' && !defined.has(s.name)) undefinedNames.add(s.name)
      } else {
        defined.add(s.name)
        undefinedNames.delete(s.name)
      }
    }
  }
  const out: ObjectFile[] = []
  for (const input of inputs) {
    if (!isArchiveInput(input)) {
      add(input)
      out.push(input)
      continue
    }
    if (input.members.length && !input.symbols.length) {
      diags.push({
        severity: 'error', code: 'link.archive_no_index', message: `${input.name}: error adding symbols: archive has no index`,
        hint: `run \`ranlib ${input.name}\` (or build it with \`ar rcs\`) to add one`,
      })
      continue
    }
    const pulled = new Set<number>()
    for (let again = true; again;) {
      again = false
      for (const sym of input.symbols) {
        if (pulled.has(sym.member) || !undefinedNames.has(sym.name)) continue
        const m = input.members[sym.member]
        const r = readRelocatable(m.data, `${input.name}(${m.name})`)
        pulled.add(sym.member)
        if (!r.ok) {
          diags.push({ severity: 'error', code: r.error.code, message: r.error.message, hint: r.error.hint })
          continue
        }
        add(r.value)
        out.push(r.value)
        again = true
      }
    }
  }
  return out
}
