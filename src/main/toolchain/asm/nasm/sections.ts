/**
 * ELF sections as `nasm -f elf32/elf64` makes them (NASM manual 8.9.2 "ELF extensions to the
 * SECTION directive"): the defaults each well-known name gets, and the attributes a `section`
 * line may give (`progbits nobits note`, `alloc noalloc`, `exec noexec`, `write nowrite`,
 * `tls`, `merge`, `strings`, `align=N`).
 */
import { SHF_ALLOC, SHF_EXECINSTR, SHF_MERGE, SHF_STRINGS, SHF_TLS, SHF_WRITE, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_NOBITS, SHT_PREINIT_ARRAY, SHT_PROGBITS } from '../state'

export const SHT_NOTE = 7

export interface SectionAttrs {
  type: number
  flags: number
  align: number
  entsize: number
}

const A = SHF_ALLOC
const W = SHF_WRITE
const X = SHF_EXECINSTR

/** nasm's table of default section attributes; any other name is progbits, alloc, align 1. */
const DEFAULTS: Record<string, SectionAttrs> = {
  '.text': { type: SHT_PROGBITS, flags: A | X, align: 16, entsize: 0 },
  '.rodata': { type: SHT_PROGBITS, flags: A, align: 4, entsize: 0 },
  '.lrodata': { type: SHT_PROGBITS, flags: A, align: 4, entsize: 0 },
  '.data': { type: SHT_PROGBITS, flags: A | W, align: 4, entsize: 0 },
  '.ldata': { type: SHT_PROGBITS, flags: A | W, align: 4, entsize: 0 },
  '.bss': { type: SHT_NOBITS, flags: A | W, align: 4, entsize: 0 },
  '.lbss': { type: SHT_NOBITS, flags: A | W, align: 4, entsize: 0 },
  '.tdata': { type: SHT_PROGBITS, flags: A | W | SHF_TLS, align: 4, entsize: 0 },
  '.tbss': { type: SHT_NOBITS, flags: A | W | SHF_TLS, align: 4, entsize: 0 },
  '.comment': { type: SHT_PROGBITS, flags: 0, align: 1, entsize: 0 },
  '.preinit_array': { type: SHT_PREINIT_ARRAY, flags: A | W, align: 8, entsize: 0 },
  '.init_array': { type: SHT_INIT_ARRAY, flags: A | W, align: 8, entsize: 0 },
  '.fini_array': { type: SHT_FINI_ARRAY, flags: A | W, align: 8, entsize: 0 },
}

export function sectionDefaults(name: string): SectionAttrs {
  const d = DEFAULTS[name]
  return { ...(d ?? { type: SHT_PROGBITS, flags: A, align: 1, entsize: 0 }) }
}

/** Applies `section` attributes; returns an error text for an unknown one. */
export function applySectionAttrs(attrs: SectionAttrs, words: readonly string[]): string | undefined {
  for (const raw of words) {
    const w = raw.toLowerCase()
    const align = /^align\s*=\s*(\d+|0x[0-9a-f]+)$/.exec(w)
    if (align) {
      const n = Number(align[1])
      if (n <= 0 || (n & (n - 1)) !== 0) return `section alignment ${align[1]} is not a power of two`
      attrs.align = n
      continue
    }
    switch (w) {
      case 'progbits': attrs.type = SHT_PROGBITS; break
      case 'nobits': attrs.type = SHT_NOBITS; break
      case 'note': attrs.type = SHT_NOTE; break
      case 'preinit_array': attrs.type = SHT_PREINIT_ARRAY; break
      case 'init_array': attrs.type = SHT_INIT_ARRAY; break
      case 'fini_array': attrs.type = SHT_FINI_ARRAY; break
      case 'alloc': attrs.flags |= A; break
      case 'noalloc': attrs.flags &= ~A; break
      case 'exec': attrs.flags |= X; break
      case 'noexec': attrs.flags &= ~X; break
      case 'write': attrs.flags |= W; break
      case 'nowrite': attrs.flags &= ~W; break
      case 'tls': attrs.flags |= SHF_TLS; break
      case 'merge': attrs.flags |= SHF_MERGE; break
      case 'strings': attrs.flags |= SHF_STRINGS; break
      default: return `unknown section attribute \`${raw}\``
    }
  }
  return undefined
}
