/**
 * The output statement list: SECTIONS flattened in script order, input sections matched to the
 * first statement that wants them, and orphans (inputs no statement names) placed where ld's
 * ldelf_place_orphan puts them — after the last output section of the same kind, or next to a
 * section of the same name. Also the flags and type each output section ends up with.
 */
import type { Diagnostic } from '../../../shared/api/result'
import { SHF_ALLOC, SHF_EXECINSTR, SHF_MERGE, SHF_STRINGS, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../../../shared/elf/constants'
import { matchStatement, orphanKind, type InSec, type OrphanKind, type OutSec } from './input'
import type { AssertStmt, Assignment, Script } from './script-ast'

export type Stmt =
  | { kind: 'assign'; a: Assignment }
  | { kind: 'assert'; a: AssertStmt }
  | { kind: 'out'; os: OutSec }

export function newOut(name: string, orphan: boolean): OutSec {
  return {
    name, vma: 0n, lma: 0n, size: 0n, align: 1n, groups: new Map(), inputs: [], type: SHT_PROGBITS, flags: 0, entsize: 0, kept: false,
    discard: name === '/DISCARD/', orphan, gaps: [], data: [], paddingBefore: 0n, placedOnce: false, phdrs: [],
  }
}

export function buildStatements(script: Script, inputs: InSec[], diags: Diagnostic[]): { stmts: Stmt[]; outs: OutSec[] } {
  const stmts: Stmt[] = []
  const taken = new Set<InSec>()
  const byName = new Map<string, OutSec>()
  for (const top of script.items) {
    if (top.kind === 'assign') { stmts.push({ kind: 'assign', a: top }); continue }
    if (top.kind === 'assert') { stmts.push({ kind: 'assert', a: top }); continue }
    for (const item of top.items) {
      if (item.kind === 'assign') stmts.push({ kind: 'assign', a: item })
      else if (item.kind === 'assert') stmts.push({ kind: 'assert', a: item })
      else {
        const os = newOut(item.name, false)
        os.stmt = item
        if (!matchStatement(os, inputs, taken)) continue
        // A second statement with the same name continues the first in ld only for orphans; keep both distinct.
        if (!byName.has(item.name) && !os.discard) byName.set(item.name, os)
        stmts.push({ kind: 'out', os })
      }
    }
  }
  // Orphans: grouped by name, placed after the last output section of their kind (ldelf_place_orphan).
  const orphans = new Map<string, InSec[]>()
  for (const s of inputs) {
    if (taken.has(s) || s.discarded) continue
    if (s.name === '.note.GNU-stack' || s.name.startsWith('.gnu.lto_') || s.name === '.gnu_debuglink') continue
    const list = orphans.get(s.name)
    if (list) list.push(s)
    else orphans.set(s.name, [s])
  }
  const HOLD_NAMES: Record<OrphanKind, string> = { text: '.text', rodata: '.rodata', data: '.data', bss: '.bss', nonalloc: '.comment' }
  const lastOfKind = new Map<OrphanKind, OutSec>()
  for (const [name, list] of orphans) {
    const existing = byName.get(name)
    if (existing && existing.stmt) {
      // Same name as a script section: ld appends the orphan inputs to it.
      const grp = existing.groups.get('orphan') ?? []
      grp.push(...list)
      existing.groups.set('orphan', grp)
      existing.inputs.push(...list)
      continue
    }
    if (existing) { existing.inputs.push(...list); existing.groups.get('orphan')!.push(...list); continue }
    const kind = orphanKind(list[0])
    const os = newOut(name, true)
    os.groups.set('orphan', list)
    os.inputs = [...list]
    byName.set(name, os)
    const stmt: Stmt = { kind: 'out', os }
    if (kind === 'nonalloc') {
      // ld keeps debugging sections last; other non-allocated orphans go before them.
      const firstDebug = name.startsWith('.debug') ? -1 : stmts.findIndex((x) => x.kind === 'out' && x.os.orphan && x.os.name.startsWith('.debug'))
      if (firstDebug < 0) stmts.push(stmt)
      else stmts.splice(firstDebug, 0, stmt)
      continue
    }
    const prevOrphan = lastOfKind.get(kind)
    if (prevOrphan) {
      // Later orphans of a kind follow the previous one directly (lang_insert_orphan's place->stmt).
      const idx = stmts.findIndex((x) => x.kind === 'out' && x.os === prevOrphan)
      stmts.splice(idx + 1, 0, stmt)
      lastOfKind.set(kind, os)
      continue
    }
    let after = byName.get(HOLD_NAMES[kind])
    if (after && (after.discard || after.orphan)) after = undefined
    if (!after) {
      // No section of this kind by name: after the last allocated section with compatible flags, else the last allocated one.
      const outs = stmts.filter((x): x is Extract<Stmt, { kind: 'out' }> => x.kind === 'out' && !x.os.discard && x.os.inputs.length > 0)
      const allocOuts = outs.filter((x) => x.os.inputs.some((i) => (i.flags & SHF_ALLOC) !== 0))
      const fallbackOrder: OrphanKind[] = kind === 'bss' ? ['bss', 'data'] : kind === 'data' ? ['data'] : kind === 'rodata' ? ['rodata', 'text'] : ['text']
      let pick: OutSec | undefined
      for (const k of fallbackOrder) {
        if (pick) break
        pick = allocOuts.filter((x) => orphanKind(x.os.inputs[0]) === k).at(-1)?.os
      }
      after = pick ?? allocOuts.at(-1)?.os
    }
    if (!after) {
      // Nothing allocated in the script at all: orphans go first, in input order.
      const firstOut = stmts.findIndex((x) => x.kind === 'out')
      stmts.splice(firstOut < 0 ? stmts.length : firstOut, 0, stmt)
    } else {
      stmts.splice(insertOsAfter(stmts, after), 0, stmt)
    }
    lastOfKind.set(kind, os)
  }
  void diags
  const outs = stmts.filter((x): x is Extract<Stmt, { kind: 'out' }> => x.kind === 'out').map((x) => x.os)
  for (const os of outs) {
    for (const i of os.inputs) {
      if (os.discard) i.discarded = true
      else i.out = os
    }
    computeOutFlags(os)
  }
  inheritEmptyFlags(outs)
  return { stmts, outs }
}

/**
 * ldlang.c insert_os_after: an orphan goes after `after` and the symbol assignments that follow
 * it, but before a `. = …` that precedes the next output section (that assignment belongs to the
 * next section).
 */
function insertOsAfter(stmts: Stmt[], after: OutSec): number {
  const start = stmts.findIndex((x) => x.kind === 'out' && x.os === after)
  // ld compares `after` with the head of its section list, which is always *ABS*: never true here.
  let ignoreFirst = false
  let assign = -1
  for (let i = start + 1; i < stmts.length; i++) {
    const st = stmts[i]
    if (st.kind === 'assert') continue
    if (st.kind === 'assign') {
      if (assign < 0 && st.a.target === '.') {
        if (!ignoreFirst) assign = i
        ignoreFirst = false
      }
      continue
    }
    const os = st.os
    if (assign >= 0 && (os.inputs.length === 0 || (os.inputs.some((x) => (x.flags & SHF_ALLOC) !== 0)) || os.discard)) return assign
    return i
  }
  return stmts.length
}

/** Output sections with no input sections take the previous section's flags, as ld does. */
function inheritEmptyFlags(outs: OutSec[]): void {
  let prev: OutSec | undefined
  for (const os of outs) {
    if (os.discard) continue
    const hasData = os.stmt?.items.some((x) => x.kind === 'data') ?? false
    if (os.inputs.length === 0 && !hasData && prev) {
      os.flags = prev.flags | SHF_ALLOC
      if (os.stmt?.type === 'NOLOAD') os.type = SHT_NOBITS
    }
    if (os.flags & SHF_ALLOC) prev = os
  }
}

function computeOutFlags(os: OutSec): void {
  let flags = 0
  let nobits = os.inputs.length > 0
  let align = 1n
  let merge = os.inputs.length > 0
  let entsize = -1
  for (const i of os.inputs) {
    flags |= i.flags & (SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR | SHF_TLS)
    if (i.type !== SHT_NOBITS) nobits = false
    if (i.align > align) align = i.align
    if ((i.flags & SHF_MERGE) === 0 || (entsize >= 0 && entsize !== i.entsize)) merge = false
    entsize = i.entsize
  }
  if (merge && entsize > 0) {
    flags |= SHF_MERGE | (os.inputs.every((i) => i.flags & SHF_STRINGS) ? SHF_STRINGS : 0)
    os.entsize = entsize
  }
  const hasData = os.stmt?.items.some((x) => x.kind === 'data') ?? false
  if (hasData) nobits = false
  if (os.stmt?.type === 'NOLOAD') nobits = true
  os.type = nobits ? SHT_NOBITS : os.inputs.length ? (os.inputs.find((i) => i.type !== SHT_NOBITS)?.type ?? SHT_PROGBITS) : SHT_PROGBITS
  if (os.inputs.length === 0 || hasData) flags |= SHF_ALLOC
  if (os.stmt?.type === 'INFO' || os.stmt?.type === 'COPY') flags &= ~SHF_ALLOC
  os.flags = flags
  os.align = align
}

/** `. = 0`, `. = . + 0` and `. = ALIGN(. != 0 ? x : 1)` do not create an empty section (ld manual, "Output Section Discarding"). */
