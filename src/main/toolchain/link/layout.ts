/**
 * Layout: turns the script's statement list into addresses. Each pass walks the statements in
 * order (ld's lang_size_sections): `.` moves, output sections get a VMA (explicit, from their
 * memory region, or `.` aligned), input sections are packed inside, symbols are assigned, and the
 * LMA follows AT()/AT>/ld's "same VMA-LMA delta as the previous section" heuristic. Forward
 * references read last pass's values, so passes repeat until nothing changes; a layout that
 * keeps moving is an error rather than a guess.
 */
import type { Diagnostic, SourceLoc } from '../../../shared/api/result'
import { SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS, type ElfClassSizes } from '../../../shared/elf/constants'
import { adjustDataSegment, beginPass, newDataSegment, type DataSegment } from './data-segment'
import type { ObjectFile } from '../object'
import { EvalError, abs, binary, evaluate, valueOf, type EvalEnv, type SecRef, type Val } from './expr-eval'
import { matchesDesc, type InSec, type OutSec, type SymbolTable } from './input'
import type { AssertStmt, Assignment, Expr, MemoryRegion, Script } from './script-ast'
import type { LayoutDotStep } from './layout-report'
import type { Stmt } from './statements'

export type { Stmt } from './statements'
export { buildStatements } from './statements'

export const MAX_PAGE_SIZE_BYTES = 0x1000n
export const COMMON_PAGE_SIZE_BYTES = 0x1000n
const MAX_LAYOUT_PASSES = 12


export interface ScriptSymbol {
  name: string
  val: Val
  /** Assigned outside any output section from an expression using `.`: ld makes it section-relative in the end. */
  fromDot: boolean
  /** For `fromDot` symbols: ld's section_for_dot at the point of assignment. */
  dotSection?: OutSec
  hidden: boolean
  provide: boolean
  loc: SourceLoc
}

interface Region {
  def: MemoryRegion
  origin: bigint
  length: bigint
  current: bigint
  lastOs?: OutSec
  /** Attribute flags: sections whose flags intersect `flags` and not `notFlags` default here. */
  flags: number
  notFlags: number
  hasAttrs: boolean
}

export interface LayoutResult {
  stmts: Stmt[]
  outs: OutSec[]
  scriptSyms: Map<string, ScriptSymbol>
  dotSteps: LayoutDotStep[]
  passes: number
  regions: Map<string, { origin: bigint; length: bigint }>
}

/** One past the last address: a section must end at or below it (64-bit ELF). */
const ADDRESS_SPACE_END = 1n << 64n

/**
 * ldlang.c lang_check_section_addresses: "section %s VMA wraps around address space" (and LMA).
 * ld 2.40 lets an aligned start wrap to 0 silently (`. = 0xffffffffffffffff` then a 2-aligned
 * section lands at 0); we refuse that too: no script means it.
 */
function wrapDiagnostic(os: OutSec, what: 'VMA' | 'LMA', start: bigint, size: bigint, loc: SourceLoc, dotSetAt: SourceLoc | undefined): Diagnostic | undefined {
  if (start < ADDRESS_SPACE_END && start + size <= ADDRESS_SPACE_END) return undefined
  const where = start >= ADDRESS_SPACE_END ? `its start is past 0xffffffffffffffff` : `0x${start.toString(16)} + ${size} bytes passes 0xffffffffffffffff`
  const set = dotSetAt ? ` (\`.\` was set at ${dotSetAt.file}:${dotSetAt.line})` : ''
  return {
    severity: 'error', code: 'link.address_wraps',
    message: `section ${os.name} ${what} wraps around the address space: ${where}${set}`,
    loc, hint: 'a 64-bit address space ends at 0xffffffffffffffff: start the section lower, or leave room for its alignment and size',
  }
}

function alignUp(v: bigint, a: bigint): bigint {
  return a <= 1n ? v : (v + a - 1n) / a * a
}

function regionFlags(attrs: string): { flags: number; notFlags: number } {
  let flags = 0
  let notFlags = 0
  let neg = false
  for (const c of attrs.toLowerCase()) {
    if (c === '!') { neg = true; continue }
    const f = c === 'r' ? 0x10000 : c === 'w' ? SHF_WRITE : c === 'x' ? SHF_EXECINSTR : c === 'a' ? SHF_ALLOC : c === 'i' || c === 'l' ? 0x20000 : 0
    if (neg) notFlags |= f
    else flags |= f
  }
  return { flags, notFlags }
}

/** Section flags as ld's region matching sees them: r = read-only, i/l = initialised. */
function regionMatchFlags(os: OutSec): number {
  let f = os.flags & (SHF_WRITE | SHF_EXECINSTR | SHF_ALLOC)
  if ((os.flags & SHF_WRITE) === 0) f |= 0x10000
  if (os.type !== SHT_NOBITS) f |= 0x20000
  return f
}

/** Builds the output-section statement list, matches inputs and places orphans the way ld does. */
function isTrivialDotAssign(e: Expr): boolean {
  if (e.k === 'num' && e.v === 0n) return true
  // ld 2.40 also drops an otherwise empty section whose only statement is `. = .`.
  if (e.k === 'dot') return true
  if (e.k === 'bin' && e.op === '+' && e.a.k === 'dot' && e.b.k === 'num' && e.b.v === 0n) return true
  if (e.k === 'call' && e.fn === 'ALIGN' && e.args.length === 1 && e.args[0].k === 'cond' && e.args[0].b.k === 'num' && e.args[0].b.v === 1n) return true
  return false
}

export interface LayoutContext {
  script: Script
  objects: ObjectFile[]
  symtab: SymbolTable
  stmts: Stmt[]
  outs: OutSec[]
  /** Number of program headers the previous pass produced, for SIZEOF_HEADERS. */
  phdrCount: () => number
  diags: Diagnostic[]
  /** Input sections of each object, by object index (for symbol values). */
  inputsByObj: InSec[][]
  /** ELF record sizes of the output class, for SIZEOF_HEADERS. */
  sizes: ElfClassSizes
  /** `-z relro` (x86 Linux ld's default): DATA_SEGMENT_RELRO_END ends the RELRO part on a page. */
  relro?: boolean
  /** Called when the script evaluates SIZEOF_HEADERS: ld then loads the headers (BFD's `load_phdrs`). */
  sizeofHeadersUsed?: () => void
}

export function runLayout(ctx: LayoutContext, afterPass: () => void): LayoutResult | undefined {
  const scriptSyms = new Map<string, ScriptSymbol>()
  const dataSeg = newDataSegment()
  let passes = 0
  // Passes until nothing moves (forward references read last pass's values).
  const converge = (): boolean => {
    let prevSig = ''
    let prevValues = new Map<string, bigint>()
    for (let n = 1; ; n++) {
      passes++
      beginPass(dataSeg)
      const r = pass(ctx, scriptSyms, false, dataSeg)
      if (!r) return false
      afterPass()
      const sig = signature(ctx, scriptSyms)
      if (sig === prevSig) return true
      prevSig = sig
      const values = new Map([...scriptSyms].map(([k, v]) => [k, valueOf(v.val)]))
      if (n >= MAX_LAYOUT_PASSES) {
        // Name a symbol that was still moving: that is where the cycle is.
        const moving = [...scriptSyms.values()].find((x) => prevValues.get(x.name) !== values.get(x.name))
        ctx.diags.push({
          severity: 'error', code: 'link.layout_not_converging',
          message: `layout did not converge after ${MAX_LAYOUT_PASSES} passes${moving ? `: '${moving.name}' keeps changing` : ': section addresses keep changing'}`,
          loc: moving?.loc ?? locOfFirst(ctx),
          hint: 'a symbol or section address probably depends on itself (e.g. `. = end; end = . + 4;`)',
        })
        return false
      }
      prevValues = values
    }
  }
  if (!converge()) return undefined
  // Then the data segment's start moves once (RELRO on a page boundary, or a page saved), and the layout settles again.
  const placed = ctx.outs.filter((o) => o.kept && !o.discard && (o.flags & SHF_ALLOC) !== 0)
    .map((o) => ({ vma: o.vma, size: o.size, align: o.align, tbss: (o.flags & SHF_TLS) !== 0 && o.type === SHT_NOBITS }))
  if (adjustDataSegment(dataSeg, !!ctx.relro && hasRelroSection(ctx), placed) && !converge()) return undefined
  const r = pass(ctx, scriptSyms, true, dataSeg)
  if (!r) return undefined
  return { stmts: ctx.stmts, outs: ctx.outs, scriptSyms, dotSteps: r.dotSteps, passes: passes + 1, regions: r.regions }
}

/**
 * ldlang.c lang_find_relro_sections: whether some input section with bytes is named by an input
 * description between DATA_SEGMENT_ALIGN and DATA_SEGMENT_RELRO_END. ld walks the wildcards, so a
 * section placed elsewhere counts too (gcc's read-only `.eh_frame` matches the ONLY_IF_RW
 * `.eh_frame` statement of the default scripts and turns RELRO on).
 */
function hasRelroSection(ctx: LayoutContext): boolean {
  const uses = (e: Expr | undefined, fn: string): boolean => {
    if (!e) return false
    if (e.k === 'call') return e.fn === fn || e.args.some((a) => uses(a, fn))
    if (e.k === 'un') return uses(e.a, fn)
    if (e.k === 'bin') return uses(e.a, fn) || uses(e.b, fn)
    if (e.k === 'cond') return uses(e.c, fn) || uses(e.a, fn) || uses(e.b, fn)
    return false
  }
  // The script's own statements: an ONLY_IF_RW section that got nothing is still walked.
  const items = ctx.script.items.flatMap((top) => (top.kind === 'sections' ? top.items : [top]))
  const start = items.findIndex((it) => it.kind === 'assign' && uses(it.expr, 'DATA_SEGMENT_ALIGN'))
  if (start < 0) return false
  const inputs = ctx.inputsByObj.flat()
  for (let i = start + 1; i < items.length; i++) {
    const it = items[i]
    if (it.kind === 'assign' && uses(it.expr, 'DATA_SEGMENT_RELRO_END')) break
    if (it.kind !== 'output') continue
    for (const item of it.items) {
      if (item.kind !== 'input') continue
      if (inputs.some((x) => x.size > 0n && !x.discarded && x.out?.kept && matchesDesc(item, x))) return true
    }
  }
  return false
}

function locOfFirst(ctx: LayoutContext): SourceLoc | undefined {
  const first = ctx.script.items[0]
  return first ? first.loc : undefined
}

function signature(ctx: LayoutContext, syms: Map<string, ScriptSymbol>): string {
  const parts: string[] = []
  for (const os of ctx.outs) parts.push(`${os.name}:${os.kept}:${os.vma}:${os.lma}:${os.size}`)
  for (const [n, s] of syms) parts.push(`${n}=${valueOf(s.val)}`)
  parts.push(`ph=${ctx.phdrCount()}`)
  return parts.join(',')
}

function pass(ctx: LayoutContext, syms: Map<string, ScriptSymbol>, final: boolean, dataSeg: DataSegment):
  { unresolved: boolean; dotSteps: LayoutDotStep[]; regions: Map<string, { origin: bigint; length: bigint }> } | undefined {
  const { script, objects, symtab, diags } = ctx
  const dotSteps: LayoutDotStep[] = []
  const regions = new Map<string, Region>()
  const defaultRegion: { lastOs?: OutSec } = {}
  const sectionsByName = new Map<string, OutSec>()
  for (const os of ctx.outs) if (os.kept && !os.discard && !sectionsByName.has(os.name)) sectionsByName.set(os.name, os)

  const env: EvalEnv = {
    dot: 0n,
    cur: null,
    final,
    unresolved: false,
    dataSeg,
    maxPageSize: MAX_PAGE_SIZE_BYTES,
    commonPageSize: COMMON_PAGE_SIZE_BYTES,
    sizeofHeaders: () => {
      ctx.sizeofHeadersUsed?.()
      return BigInt(ctx.sizes.ehdr) + BigInt(ctx.sizes.phdr) * BigInt(ctx.phdrCount())
    },
    region: (name) => regions.get(name),
    section: (name) => {
      const s = sectionsByName.get(name)
      return s && s.kept ? s : undefined
    },
    symbol: (name) => {
      const s = syms.get(name)
      if (s) return s.val
      const g = symtab.globals.get(name)
      if (g) return objectSymbolVal(objects, ctx, g.obj, g.sym, env)
      return undefined
    },
  }

  const evalOrReport = (e: Expr): Val | undefined => {
    try {
      return evaluate(e, env)
    } catch (err) {
      if (err instanceof EvalError) {
        diags.push({ severity: 'error', code: err.code, message: err.message, loc: err.loc, hint: err.hint })
        return undefined
      }
      throw err
    }
  }

  for (const m of script.memory) {
    const o = evalOrReport(m.origin)
    const l = evalOrReport(m.length)
    if (!o || !l) return undefined
    const { flags, notFlags } = regionFlags(m.attrs)
    regions.set(m.name, { def: m, origin: valueOf(o), length: valueOf(l), current: valueOf(o), flags, notFlags, hasAttrs: m.attrs.length > 0 })
  }

  /** Where `.` was last assigned outside a section, to say where a wrapping address came from. */
  let dotSetAt: SourceLoc | undefined
  const assign = (a: Assignment, cur: OutSec | null): boolean => {
    if (a.provide) {
      // PROVIDE defines only what an object references and nothing defines (ld manual, "PROVIDE").
      if (symtab.globals.has(a.target)) return true
      if (!symtab.undefinedRefs.has(a.target) && !scriptReferences(script).has(a.target)) return true
    }
    const v = evalOrReport(a.expr)
    if (!v) return false
    let val = v
    if (a.op !== '=') {
      const old = a.target === '.' ? (cur ? { off: env.dot - cur.vma, sec: cur as SecRef, num: false } : abs(env.dot)) : env.symbol(a.target)
      if (!old) {
        if (final) {
          diags.push({ severity: 'error', code: 'link.undefined_symbol', message: `'${a.target} ${a.op}' uses '${a.target}' before it is defined`, loc: a.loc, hint: `assign it with '=' first` })
          return false
        }
        env.unresolved = true
      }
      const op = a.op.slice(0, -1)
      try {
        val = binary(op, old ?? abs(0n), v, env, a.loc)
      } catch (err) {
        if (err instanceof EvalError) { diags.push({ severity: 'error', code: err.code, message: err.message, loc: err.loc, hint: err.hint }); return false }
        throw err
      }
    }
    if (a.target === '.') {
      if (!cur) dotSetAt = a.loc
      let nd: bigint
      if (cur) nd = val.num ? val.off + cur.vma : valueOf(val)
      else nd = valueOf(val)
      nd = BigInt.asUintN(64, nd)
      if (cur && nd < env.dot) {
        if (final) {
          diags.push({
            severity: 'error', code: 'link.dot_backwards',
            message: `cannot move the location counter backwards (from 0x${env.dot.toString(16)} to 0x${nd.toString(16)}) inside ${cur.name}`,
            loc: a.loc, hint: 'inside an output section `.` can only grow; `. = 0x10` there means 16 bytes from the section start',
          })
          return false
        }
        env.unresolved = true
        nd = env.dot
      }
      if (cur && nd > env.dot) cur.gaps.push({ offset: env.dot - cur.vma, size: nd - env.dot, fill: currentFill })
      env.dot = nd
    } else {
      if (cur && val.num) val = { off: val.off, sec: cur, num: false }
      if (val.num) val = { off: val.off, sec: null, num: false }
      const fromDot = !cur && usesDot(a.expr)
      syms.set(a.target, { name: a.target, val, hidden: !!a.hidden, provide: !!a.provide, loc: a.loc, fromDot, dotSection: fromDot ? sectionForDotAt(stmtIndex) : undefined })
    }
    if (final) dotSteps.push({ statement: a.text ?? `${a.target} ${a.op} …`, dot: '0x' + env.dot.toString(16), loc: a.loc })
    return true
  }

  let currentFill: Uint8Array | undefined

  const check = (s: AssertStmt): boolean => {
    const v = evalOrReport(s.expr)
    if (!v) return false
    if (final && valueOf(v) === 0n) {
      diags.push({ severity: 'error', code: 'link.assert_failed', message: `ASSERT failed: ${s.message}`, loc: s.loc, hint: 'the layout breaks an invariant the script states' })
      return false
    }
    return true
  }

  // ldexp.c section_for_dot: between sections, a `.`-based symbol belongs to the previous
  // section, unless `.` was assigned since — then to the next one.
  let currentSection: OutSec | undefined
  let preferNext = false
  let stmtIndex = 0
  const sectionForDotAt = (i: number): OutSec | undefined => {
    if (!currentSection || preferNext) {
      for (let k = i + 1; k < ctx.stmts.length; k++) {
        const x = ctx.stmts[k]
        if (x.kind === 'out' && x.os.kept && !x.os.discard && (x.os.flags & SHF_ALLOC) !== 0) return x.os
      }
    }
    return currentSection
  }
  let ok = true
  let prevEnd: bigint | undefined
  for (const st of ctx.stmts) {
    stmtIndex = ctx.stmts.indexOf(st)
    if (st.kind === 'assign') {
      ok = assign(st.a, null) && ok
      if (st.a.target === '.') preferNext = true
      continue
    }
    if (st.kind === 'assert') { ok = check(st.a) && ok; continue }
    const os = st.os
    if (os.discard) continue
    const stmt = os.stmt
    const hasContent = os.inputs.some((i) => i.size > 0) ||
      (stmt?.items.some((x) => x.kind === 'data' || (x.kind === 'assign' && x.target === '.' && !isTrivialDotAssign(x.expr))) ?? false)
    const hasSyms = stmt?.items.some((x) => x.kind === 'assign' && x.target !== '.') ?? false
    os.kept = hasContent
    if (!hasContent && !hasSyms) continue
    os.gaps = []
    os.data = []
    currentFill = stmt?.fill ? fillPattern(stmt.fill, env) : undefined
    const alloc = (os.flags & SHF_ALLOC) !== 0
    // Alignment: the largest input alignment and ALIGN(…).
    let align = os.align
    if (stmt?.align) {
      const a = evalOrReport(stmt.align)
      if (!a) { ok = false; continue }
      if (valueOf(a) > align) align = valueOf(a)
    }
    const subalignVal = stmt?.subalign ? evalOrReport(stmt.subalign) : undefined
    if (subalignVal) {
      // SUBALIGN replaces every input section's alignment, so it is the section's too.
      align = stmt?.align ? (valueOf(subalignVal) > align ? valueOf(subalignVal) : align) : valueOf(subalignVal)
    }
    os.align = align
    // Region for the VMA: explicit `>region`, else the first MEMORY region whose attributes fit.
    let region: Region | undefined
    if (stmt?.region) {
      region = regions.get(stmt.region)
      if (!region) {
        diags.push({ severity: 'error', code: 'link.unknown_region', message: `no memory region named '${stmt.region}'`, loc: stmt.regionLoc ?? stmt.loc, hint: 'declare it in MEMORY { … }' })
        ok = false
        continue
      }
    } else if (!stmt?.addr && alloc) {
      const f = regionMatchFlags(os)
      for (const r of regions.values()) {
        if (r.hasAttrs && (r.flags & f) !== 0 && (r.notFlags & f) === 0) { region = r; break }
      }
    }
    let vma: bigint
    if (stmt?.addr) {
      const v = evalOrReport(stmt.addr)
      if (!v) { ok = false; continue }
      vma = valueOf(v)
    } else if (!alloc) {
      vma = 0n
    } else if (region) {
      vma = alignUp(region.current, align)
    } else {
      vma = alignUp(env.dot, align)
    }
    const startDot = env.dot
    os.vma = vma
    const lastOs = region ? region.lastOs : defaultRegion.lastOs
    // Contents.
    const savedDot = env.dot
    env.dot = vma
    env.cur = os
    const subalign = subalignVal
    const place = (i: InSec) => {
      const a = subalign ? valueOf(subalign) : i.align
      const at = alignUp(env.dot, a)
      if (at > env.dot) os.gaps.push({ offset: env.dot - vma, size: at - env.dot, fill: currentFill })
      i.offset = at - vma
      env.dot = at + i.size
    }
    if (stmt) {
      for (const item of stmt.items) {
        if (item.kind === 'input') { for (const i of os.groups.get(item) ?? []) place(i) }
        else if (item.kind === 'assign') ok = assign(item, os) && ok
        else if (item.kind === 'assert') ok = check(item) && ok
        else if (item.kind === 'fill') currentFill = fillPattern(item.expr, env)
        else if (item.kind === 'data') {
          const v = evalOrReport(item.expr)
          if (!v) { ok = false; continue }
          os.data.push({ offset: env.dot - vma, size: item.size, value: valueOf(v) })
          env.dot += BigInt(item.size)
        }
      }
    }
    for (const i of os.groups.get('orphan') ?? []) place(i)
    env.cur = null
    const size = env.dot - vma
    os.size = size
    if (!os.kept) {
      // A discarded section with symbols still obeyed its address; `.` does not move. Its
      // symbols cannot point into it, so they go where section_for_dot puts them.
      for (const item of stmt?.items ?? []) {
        if (item.kind !== 'assign' || item.target === '.') continue
        const sym = syms.get(item.target)
        if (sym && sym.val.sec === os) syms.set(item.target, { ...sym, val: abs(valueOf(sym.val)), fromDot: true, dotSection: sectionForDotAt(stmtIndex) })
      }
      env.dot = savedDot
      continue
    }
    // Orphans have no script line: they report under the object that brought them.
    if (final) dotSteps.push({ statement: stmt ? os.name : `${os.name} (orphan)`, dot: '0x' + (vma + size).toString(16), loc: stmt?.loc ?? { file: os.inputs[0]?.objName ?? '', line: 1, column: 1 } })
    // LMA.
    let lma = vma
    if (stmt?.at) {
      const v = evalOrReport(stmt.at)
      if (!v) { ok = false; continue }
      lma = valueOf(v)
    } else if (stmt?.lmaRegion) {
      const lr = regions.get(stmt.lmaRegion)
      if (!lr) {
        diags.push({ severity: 'error', code: 'link.unknown_region', message: `no memory region named '${stmt.lmaRegion}'`, loc: stmt.regionLoc ?? stmt.loc, hint: 'declare it in MEMORY { … }' })
        ok = false
        continue
      }
      lma = lr === region ? alignUp(lr.current, align) : lr.current
      if (lr !== region) {
        lr.current = lma + (os.type === SHT_NOBITS ? 0n : size)
        checkRegion(lr, os, stmt.regionLoc ?? stmt.loc, final, diags, 'LMA')
      }
    } else if (lastOs && alloc) {
      const backwards = vma < lastOs.vma && size !== 0n && vma + size <= lastOs.vma
      if (!backwards) lma = alignUp(BigInt.asUintN(64, vma + lastOs.lma - lastOs.vma), align)
    }
    if (final && alloc) {
      const sectionLoc = stmt?.loc ?? dotSetAt ?? { file: os.inputs[0]?.objName ?? "", line: 1, column: 1 }
      const wrap = wrapDiagnostic(os, 'VMA', vma, size, sectionLoc, dotSetAt) ?? wrapDiagnostic(os, 'LMA', lma, os.type === SHT_NOBITS ? 0n : size, sectionLoc, dotSetAt)
      if (wrap) { diags.push(wrap); ok = false; continue }
    }
    os.lma = BigInt.asUintN(64, lma)
    os.placedOnce = true
    os.paddingBefore = prevEnd !== undefined && alloc && vma >= prevEnd ? vma - prevEnd : 0n
    if (alloc) {
      currentSection = os
      preferNext = false
      prevEnd = vma + size
      if (region) {
        region.current = vma + size
        region.lastOs = os
        checkRegion(region, os, stmt?.regionLoc ?? stmt?.loc, final, diags, 'VMA')
      } else defaultRegion.lastOs = os
      env.dot = vma + size
    } else {
      env.dot = startDot
    }
  }
  if (!ok) return undefined
  const regionsOut = new Map<string, { origin: bigint; length: bigint }>()
  for (const [n, r] of regions) regionsOut.set(n, { origin: r.origin, length: r.length })
  return { unresolved: env.unresolved, dotSteps, regions: regionsOut }
}

function checkRegion(r: Region, os: OutSec, loc: SourceLoc | undefined, final: boolean, diags: Diagnostic[], what: string): void {
  if (!final) return
  const end = r.origin + r.length
  if (r.current > end) {
    diags.push({
      severity: 'error', code: 'link.region_overflow',
      message: `section '${os.name}' (${what}) does not fit in region '${r.def.name}': region overflowed by ${r.current - end} bytes`,
      loc: loc ?? r.def.loc, hint: `grow LENGTH of ${r.def.name}, or move sections to another region`,
    })
  }
}

function usesDot(e: Expr): boolean {
  switch (e.k) {
    case 'dot': return true
    case 'un': return usesDot(e.a)
    case 'bin': return usesDot(e.a) || usesDot(e.b)
    case 'cond': return usesDot(e.c) || usesDot(e.a) || usesDot(e.b)
    // ld turns these absolute addresses into section-relative ones (new_rel_from_abs); ABSOLUTE() undoes it.
    case 'call': return e.fn !== 'ABSOLUTE' && ((e.fn === 'ALIGN' && e.args.length === 1) || e.fn === 'ORIGIN' || e.fn === 'SEGMENT_START' || e.args.some(usesDot))
    default: return false
  }
}

/**
 * ldexp.c section_for_dot: a symbol set from `.` between sections belongs to the section that
 * starts at (or contains) its value, else to the one that ends there; otherwise it stays absolute.
 */
export function sectionForDot(value: bigint, outs: OutSec[]): OutSec | undefined {
  const alloc = outs.filter((o) => o.kept && !o.discard && (o.flags & SHF_ALLOC) !== 0)
  return alloc.find((o) => o.vma <= value && (value < o.vma + o.size || value === o.vma)) ?? alloc.find((o) => o.vma + o.size === value)
}

const scriptRefCache = new WeakMap<Script, Set<string>>()
/** Symbols named in any script expression (they count as references for PROVIDE). */
function scriptReferences(script: Script): Set<string> {
  let s = scriptRefCache.get(script)
  if (s) return s
  s = new Set()
  const walk = (e: Expr | undefined) => {
    if (!e) return
    if (e.k === 'sym') s!.add(e.name)
    else if (e.k === 'un') walk(e.a)
    else if (e.k === 'bin') { walk(e.a); walk(e.b) }
    else if (e.k === 'cond') { walk(e.c); walk(e.a); walk(e.b) }
    else if (e.k === 'call') { e.args.forEach(walk); if (e.fn === 'DEFINED' && e.name) s!.add(e.name) }
  }
  for (const top of script.items) {
    if (top.kind === 'assign' || top.kind === 'assert') walk(top.expr)
    else for (const it of top.items) {
      if (it.kind === 'assign' || it.kind === 'assert') walk(it.expr)
      else {
        walk(it.addr); walk(it.at); walk(it.align); walk(it.subalign)
        for (const x of it.items) if (x.kind === 'assign' || x.kind === 'assert' || x.kind === 'data' || x.kind === 'fill') walk(x.expr)
      }
    }
  }
  if (script.entry) s.add(script.entry.name)
  scriptRefCache.set(script, s)
  return s
}

/** An object symbol's value as the layout sees it (relative to its output section). */
export function objectSymbolVal(objects: ObjectFile[], ctx: { inputsByObj: InSec[][] }, obj: number, sym: number, env?: EvalEnv): Val | undefined {
  const s = objects[obj].symbols[sym]
  if (s.section === 'abs') return abs(s.value)
  if (s.section === 'undef') return undefined
  const ins = ctx.inputsByObj[obj]
  const i = s.section === 'common' ? ins.find((x) => x.commonSyms?.some((c) => c.sym === sym)) : ins.find((x) => x.index === s.section)
  if (!i || !i.out) return abs(s.value)
  if (!i.out.placedOnce && env) env.unresolved = true
  const extra = s.section === 'common' ? i.commonSyms!.find((c) => c.sym === sym)!.offset : s.value
  return { off: i.offset + extra, sec: i.out, num: false }
}

/** ld fill patterns: a bare hex literal gives its own bytes; anything else the low 4 bytes, big-endian. */
export function fillPattern(e: Expr, env: EvalEnv): Uint8Array {
  if (e.k === 'num' && e.hex !== undefined) {
    const digits = e.hex.length % 2 ? '0' + e.hex : e.hex
    const out = new Uint8Array(digits.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16)
    return out.length ? out : new Uint8Array(1)
  }
  let v: bigint
  try {
    v = valueOf(evaluate(e, env))
  } catch {
    v = 0n
  }
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) out[i] = Number((v >> BigInt(8 * (3 - i))) & 0xffn)
  return out
}
