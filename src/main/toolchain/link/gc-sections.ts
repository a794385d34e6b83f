/**
 * `--gc-sections` as BFD does it (elflink.c bfd_elf_gc_sections, _bfd_elf_gc_mark,
 * _bfd_elf_gc_mark_extra_sections, elf_gc_sweep; ldlang.c lang_gc_sections): before input
 * sections are mapped to output sections, mark what is reachable from the roots — the entry
 * symbol's section, every section a KEEP() pattern names, `-u` symbols, SHF_GNU_RETAIN and
 * init/fini arrays — by following relocations. `.eh_frame` is not a root and does not keep code
 * alive (an FDE belongs to its function); without KEEP() it is collected like any other section.
 * Allocated sections left unmarked are removed; non-allocated ones (debug info, `.comment`) stay
 * when their object keeps anything.
 */
import { SHF_ALLOC, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_NOTE, SHT_PREINIT_ARRAY } from '../../../shared/elf/constants'
import type { ObjectFile } from '../object'
import { matchesDesc, type InSec, type SymbolTable } from './input'
import type { Script } from './script-ast'

const SHF_GNU_RETAIN = 0x200000

export interface GcOptions {
  /** The entry symbol (ENTRY, -e, or the default). */
  entry: string
  /** `-u` symbols. */
  undefinedSymbols?: string[]
  /** Sections the linker made (the GOT): never collected, like BFD's SEC_LINKER_CREATED. */
  linkerCreated?: (obj: number, section: number) => boolean
}

/** Every input section named by a KEEP() pattern anywhere in the script (ld walks the wildcards). */
function keptByScript(script: Script, inputs: InSec[]): Set<InSec> {
  const kept = new Set<InSec>()
  for (const top of script.items) {
    if (top.kind !== 'sections') continue
    for (const it of top.items) {
      if (it.kind !== 'output') continue
      for (const x of it.items) {
        if (x.kind !== 'input' || !x.keep) continue
        for (const i of inputs) if (matchesDesc(x, i)) kept.add(i)
      }
    }
  }
  return kept
}

/** The input sections `--gc-sections` keeps, in the order given. */
export function gcSections(inputs: InSec[], objects: ObjectFile[], symtab: SymbolTable, script: Script, opts: GcOptions): InSec[] {
  const byObj: Map<number, InSec>[] = objects.map(() => new Map())
  for (const i of inputs) if (i.index >= 0) byObj[i.obj].set(i.index, i)
  const commonOf = (obj: number, sym: number) => inputs.find((i) => i.obj === obj && i.commonSyms?.some((c) => c.sym === sym))
  const marked = new Set<InSec>()
  const work: InSec[] = []
  const mark = (i: InSec | undefined) => {
    if (!i || marked.has(i)) return
    marked.add(i)
    work.push(i)
  }
  /** The input section defining symbol `sym` of object `obj`, resolving a global to its definition. */
  const sectionOf = (obj: number, sym: number): InSec | undefined => {
    let o = obj
    let s = objects[obj].symbols[sym]
    if (!s) return undefined
    if (s.bind !== 'local' || s.section === 'undef') {
      const g = symtab.globals.get(s.name)
      if (!g) return undefined
      o = g.obj
      s = objects[o].symbols[g.sym]
    }
    if (s.section === 'common') return commonOf(o, objects[o].symbols.indexOf(s))
    return typeof s.section === 'number' ? byObj[o].get(s.section) : undefined
  }
  const markSymbol = (name: string) => {
    const g = symtab.globals.get(name)
    if (g) mark(sectionOf(g.obj, g.sym))
  }

  // Roots.
  markSymbol(opts.entry)
  for (const u of opts.undefinedSymbols ?? []) markSymbol(u)
  for (const i of keptByScript(script, inputs)) mark(i)
  for (const i of inputs) {
    if (opts.linkerCreated?.(i.obj, i.index)) mark(i)
    if (i.type === SHT_INIT_ARRAY || i.type === SHT_FINI_ARRAY || i.type === SHT_PREINIT_ARRAY || (i.flags & SHF_GNU_RETAIN) !== 0) mark(i)
  }
  // __start_SEC / __stop_SEC references keep every section named SEC (a C identifier).
  for (const name of symtab.undefinedRefs.keys()) {
    const m = /^__(?:start|stop)_([A-Za-z_][A-Za-z0-9_]*)$/.exec(name)
    if (m) for (const i of inputs) if (i.name === m[1]) mark(i)
  }

  // Propagation through relocations; `.eh_frame` is reached only through the code it describes.
  while (work.length) {
    const i = work.pop()!
    if (i.name === '.eh_frame') continue
    for (const r of i.relocs) if (r.symbol >= 0) mark(sectionOf(i.obj, r.symbol))
    // A section group lives or dies as one (comdat).
    const group = objects[i.obj].sections[i.index]?.group
    if (group !== undefined) for (const j of inputs) if (j.obj === i.obj && objects[j.obj].sections[j.index]?.group === group) mark(j)
  }

  // Objects that keep an allocated section keep their non-allocated ones (.comment, debug info).
  const someKept = new Set<number>()
  for (const i of marked) if ((i.flags & SHF_ALLOC) !== 0 && i.type !== SHT_NOTE) someKept.add(i.obj)
  return inputs.filter((i) => {
    if (marked.has(i)) return true
    // An unmarked `.eh_frame` goes too: nothing refers to it unless KEEP() does (ld's default scripts).
    return (i.flags & SHF_ALLOC) === 0 && (someKept.has(i.obj) || i.name.startsWith('.note'))
  })
}
