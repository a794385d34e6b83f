/**
 * Input side of the link: every section of every object becomes an `InSec`, global symbols are
 * resolved across objects (strong beats weak, two strong definitions are an error), and input
 * sections are matched to output section statements in script order — the first statement whose
 * pattern matches wins, as in ld — with ONLY_IF_RO/ONLY_IF_RW and /DISCARD/ honoured.
 */
import type { Diagnostic } from '../../../shared/api/result'
import { SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_NULL } from '../../../shared/elf/constants'
import type { ObjectFile, ObjSymbol, Reloc } from '../object'
import type { SecRef } from './expr-eval'
import type { InputSectionDesc, OutputSectionStmt, SectionPattern } from './script-ast'

export interface InSec {
  obj: number
  index: number
  objName: string
  name: string
  type: number
  flags: number
  align: bigint
  size: bigint
  data: Uint8Array
  relocs: Reloc[]
  entsize: number
  out?: OutSec
  /** Offset within `out`. */
  offset: bigint
  discarded: boolean
  /** Synthetic section holding an object's COMMON symbols. */
  commonSyms?: { sym: number; offset: bigint }[]
}

export interface Gap {
  offset: bigint
  size: bigint
  fill?: Uint8Array
}

export interface DataPiece {
  offset: bigint
  size: number
  value: bigint
}

export interface OutSec extends SecRef {
  stmt?: OutputSectionStmt
  /** Inputs per input-section description of `stmt` (same indices as its items), or one list for orphans. */
  groups: Map<InputSectionDesc | 'orphan', InSec[]>
  inputs: InSec[]
  type: number
  flags: number
  entsize: number
  kept: boolean
  discard: boolean
  orphan: boolean
  gaps: Gap[]
  data: DataPiece[]
  paddingBefore: bigint
  placedOnce: boolean
  /** Program header names (PHDRS) this section goes to. */
  phdrs: string[]
  regionName?: string
}

export interface GlobalDef {
  obj: number
  sym: number
  weak: boolean
}

export interface SymbolTable {
  /** Global and weak definitions by name. */
  globals: Map<string, GlobalDef>
  /** Names referenced by some object but defined by none (script may still define them). */
  undefinedRefs: Map<string, { obj: number; sym: ObjSymbol }>
}

/** `dropped(obj, section)` leaves out sections that are not linked at all (later COMDAT copies). */
export function collectInputs(objects: ObjectFile[], dropped: (obj: number, section: number) => boolean = () => false): InSec[] {
  const out: InSec[] = []
  objects.forEach((o, oi) => {
    o.sections.forEach((s, si) => {
      if (s.type === SHT_NULL || dropped(oi, si)) return
      out.push({
        obj: oi, index: si, objName: o.name, name: s.name, type: s.type, flags: s.flags, align: BigInt(Math.max(1, s.align)),
        size: BigInt(s.type === SHT_NOBITS ? s.size : Math.max(s.size, s.data.length)), data: s.data, relocs: s.relocs, entsize: s.entsize,
        offset: 0n, discarded: false,
      })
    })
    // COMMON symbols get space in a synthetic `COMMON` section of their object, like ld's.
    const commons = o.symbols.map((s, i) => ({ s, i })).filter(({ s }) => s.section === 'common')
    if (commons.length) {
      let off = 0n
      let maxAlign = 1n
      const syms: { sym: number; offset: bigint }[] = []
      for (const { s, i } of commons) {
        const a = s.value > 0n ? s.value : 1n
        off = (off + a - 1n) / a * a
        syms.push({ sym: i, offset: off })
        off += s.size
        if (a > maxAlign) maxAlign = a
      }
      out.push({
        obj: oi, index: -1, objName: o.name, name: 'COMMON', type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, align: maxAlign,
        size: off, data: new Uint8Array(0), relocs: [], entsize: 0, offset: 0n, discarded: false, commonSyms: syms,
      })
    }
  })
  return out
}

export function resolveSymbols(objects: ObjectFile[], diags: Diagnostic[], dropped: (obj: number, section: number) => boolean = () => false): SymbolTable {
  const globals = new Map<string, GlobalDef>()
  const undefinedRefs = new Map<string, { obj: number; sym: ObjSymbol }>()
  objects.forEach((o, oi) => {
    o.symbols.forEach((s, si) => {
      if (s.bind === 'local' || s.section === 'undef') return
      if (typeof s.section === 'number' && dropped(oi, s.section)) return
      const prev = globals.get(s.name)
      const weak = s.bind === 'weak'
      if (!prev || (prev.weak && !weak)) {
        globals.set(s.name, { obj: oi, sym: si, weak })
      } else if (!prev.weak && !weak) {
        const other = objects[prev.obj]
        diags.push({
          severity: 'error', code: 'link.duplicate_symbol',
          message: `multiple definition of '${s.name}': first defined in ${other.name}, again in ${o.name}`,
          loc: s.loc ?? other.symbols[prev.sym].loc,
          hint: 'rename one of them, or make one `.weak`',
        })
      }
    })
  })
  objects.forEach((o, oi) => {
    o.symbols.forEach((s) => {
      if (s.section === 'undef' && s.name && !globals.has(s.name) && !undefinedRefs.has(s.name)) undefinedRefs.set(s.name, { obj: oi, sym: s })
    })
  })
  return { globals, undefinedRefs }
}

const GLOB_CACHE = new Map<string, RegExp | null>()

/** fnmatch-style glob: `*`, `?`, `[…]` (with `!`/`^` negation). */
export function globMatch(pattern: string, text: string): boolean {
  let re = GLOB_CACHE.get(pattern)
  if (re === undefined) {
    re = compileGlob(pattern)
    if (GLOB_CACHE.size > 4096) GLOB_CACHE.clear()
    GLOB_CACHE.set(pattern, re)
  }
  return re ? re.test(text) : pattern === text
}

function compileGlob(pattern: string): RegExp | null {
  if (!/[*?[]/.test(pattern)) return null
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) { re += '\\['; continue }
      let body = pattern.slice(i + 1, end)
      if (body[0] === '!' || body[0] === '^') body = '^' + body.slice(1)
      re += '[' + body.replace(/\\/g, '\\\\') + ']'
      i = end
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&')
  }
  try {
    return new RegExp(re + '$', 's')
  } catch {
    return null
  }
}

function fileMatches(pattern: string, objName: string): boolean {
  if (pattern === '*') return true
  const base = objName.slice(objName.lastIndexOf('/') + 1)
  return globMatch(pattern, objName) || globMatch(pattern, base)
}

/** The pattern of `desc` that names input section `s`, if any. */
export function matchesDesc(desc: InputSectionDesc, s: InSec): SectionPattern | undefined {
  if (!fileMatches(desc.filePattern, s.objName)) return undefined
  if (desc.excludeFiles.some((f) => fileMatches(f, s.objName))) return undefined
  for (const p of desc.sections) {
    if (s.commonSyms) {
      if (p.pattern === 'COMMON') return p
      continue
    }
    if (p.pattern === 'COMMON') continue
    if (p.excludeFiles.some((f) => fileMatches(f, s.objName))) continue
    if (globMatch(p.pattern, s.name)) return p
  }
  return undefined
}

function sortKey(a: InSec, b: InSec, sort: SectionPattern['sort']): number {
  const byName = a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  const byAlign = a.align > b.align ? -1 : a.align < b.align ? 1 : 0
  switch (sort) {
    case 'name': return byName
    case 'alignment': return byAlign
    case 'name,alignment': return byName || byAlign
    case 'alignment,name': return byAlign || byName
    case 'init_priority': {
      const pri = (s: InSec) => { const m = /\.(\d+)$/.exec(s.name); return m ? Number(m[1]) : 65535 }
      return pri(a) - pri(b)
    }
    default: return 0
  }
}

/**
 * Assigns input sections to one output statement's descriptions. Returns false (and assigns
 * nothing) when an ONLY_IF_RO/ONLY_IF_RW constraint fails, so later statements can take them.
 */
export function matchStatement(os: OutSec, inputs: InSec[], taken: Set<InSec>): boolean {
  const stmt = os.stmt!
  const groups = new Map<InputSectionDesc, InSec[]>()
  const claimed: InSec[] = []
  const claimedSet = new Set<InSec>()
  for (const item of stmt.items) {
    if (item.kind !== 'input') continue
    const hits: { s: InSec; p: SectionPattern; order: number }[] = []
    inputs.forEach((s, order) => {
      if (taken.has(s) || claimedSet.has(s)) return
      if (!s.commonSyms && s.type === SHT_NULL) return
      const p = matchesDesc(item, s)
      if (p) hits.push({ s, p, order })
    })
    // Sorted patterns sort among themselves; unsorted ones keep file then section order.
    const anySort = hits.some((h) => h.p.sort !== 'none')
    if (anySort) hits.sort((x, y) => (x.p.sort !== 'none' && y.p.sort !== 'none' ? sortKey(x.s, y.s, x.p.sort) : 0) || x.order - y.order)
    if (item.sortFiles) hits.sort((x, y) => (x.s.objName < y.s.objName ? -1 : x.s.objName > y.s.objName ? 1 : 0) || x.order - y.order)
    const list = hits.map((h) => h.s)
    groups.set(item, list)
    for (const x of list) { claimed.push(x); claimedSet.add(x) }
  }
  if (stmt.constraint) {
    const rw = claimed.some((s) => (s.flags & SHF_WRITE) !== 0)
    if ((stmt.constraint === 'ONLY_IF_RO' && rw) || (stmt.constraint === 'ONLY_IF_RW' && !rw)) return false
  }
  for (const s of claimed) taken.add(s)
  for (const [k, v] of groups) os.groups.set(k, v)
  os.inputs = claimed
  return true
}

export type OrphanKind = 'text' | 'rodata' | 'data' | 'bss' | 'nonalloc'

export function orphanKind(s: { flags: number; type: number }): OrphanKind {
  if ((s.flags & SHF_ALLOC) === 0) return 'nonalloc'
  if (s.type === SHT_NOBITS) return 'bss'
  if (s.flags & SHF_WRITE) return 'data'
  if (s.flags & SHF_EXECINSTR) return 'text'
  return 'rodata'
}
