/**
 * COMDAT section groups (gABI "Section Groups"; bfd elf.c _bfd_elf_section_already_linked): when
 * several objects carry a group with the same signature — gcc's `__x86.get_pc_thunk.bx` in every
 * PIC object, C++ inline functions, Rust generics — only the first object's group is linked. The
 * others' sections are dropped before anything else looks at them, and so are the symbols they
 * define, so the copies are not "multiple definitions".
 */
import type { ObjectFile } from '../object'

/** `dropped(obj, section)`: whether that section is a later copy of a COMDAT group already seen. */
export function comdatDuplicates(objects: ObjectFile[]): (obj: number, section: number) => boolean {
  const first = new Map<string, number>()
  const dropped = new Set<string>()
  objects.forEach((o, oi) => {
    o.sections.forEach((s, si) => {
      if (s.group === undefined) return
      const owner = first.get(s.group)
      if (owner === undefined) first.set(s.group, oi)
      else if (owner !== oi) dropped.add(`${oi}:${si}`)
    })
  })
  return (obj, section) => dropped.size > 0 && dropped.has(`${obj}:${section}`)
}
