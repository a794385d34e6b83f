/**
 * The linker: relocatable objects + a GNU ld script → an ELF32 or ELF64 ET_EXEC and a layout report.
 * Read top to bottom it is the list of passes (mold style), each a function with one job:
 * parse the script, collect input sections, resolve symbols, match inputs to output sections and
 * place orphans, lay out to a fixed point, map segments and file offsets, build section
 * contents, relocate, write the ELF, and report. Pure TypeScript: runs in the app, the worker,
 * the CLI and tests alike. One linker for every target: `targets/` says what differs (ELF
 * class and machine, ld's default script, segment rules, relocations). RISC-V relaxation is never
 * done (`ld --no-relax`).
 */
import type { Diagnostic } from '../../../shared/api/result'
import * as E from '../../../shared/elf/constants'
import type { ObjectFile } from '../object'
import { valueOf, type Val } from './expr-eval'
import { collectInputs, resolveSymbols, type InSec, type OutSec, type SymbolTable } from './input'
import { applyCieFixups, editEhFrame } from './eh-frame'
import { comdatDuplicates } from './comdat'
import { isArchiveInput, selectArchiveMembers, type LinkInput } from './archives'
import { readRelocatable } from '../../../shared/elf/read-relocatable'
import { gcSections } from './gc-sections'
import { mergeSections } from './merge-sections'
import { multibootWarnings } from './warnings-multiboot'
import { buildStatements, runLayout, sectionForDot, type LayoutContext, type ScriptSymbol } from './layout'
import { hex, type LayoutReport, type LayoutWarning } from './layout-report'
import type { Script } from './script-ast'
import { parseScript } from './script-parser'
import { assignOffsets, mapSegments, type Segment } from './segments'
import { DEFAULT_SCRIPT_FILE } from './default-script'
import { chooseEmulation, chooseFormat, targetForMachine, type RelocEnv } from './targets/index'
import { planGot, slotKey } from './targets/x86-got'
import { writeElf, type OutSymbol, type WriteSection } from './write-elf'
import { buildPhdrsSegments } from './phdrs'
import { layoutWarnings } from './warnings'
import { relaxAlign } from './relax-align'

export type { LayoutReport } from './layout-report'
export type { LinkInput } from './archives'

export interface LinkOptions {
  script?: { file: string; text: string }
  /** For INCLUDE inside the script. */
  readFile?: (path: string) => string | undefined
  /** `-e SYMBOL`: the entry point, over the script's ENTRY (default `_start`, like ld). */
  entry?: string
  /** e_flags; default the target's (RISC-V: EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE, what `as -march=rv64gc` marks; x86: 0). */
  eflags?: number
  /** `-m EMULATION`: elf64lriscv, elf_i386 or elf_x86_64. Without it, the first object's machine decides. */
  emulation?: string
  /** `-n` (nmagic): no page alignment of sections in the file (seed 002 links with it). */
  nmagic?: boolean
  /** `--gc-sections`: drop allocated input sections nothing reachable refers to (KEEP() keeps them). */
  gcSections?: boolean
  /** `-u SYMBOL`: keep (and pull from archives) these symbols' definitions. */
  undefinedSymbols?: string[]
}

export interface LinkResult {
  elf?: Uint8Array
  layout?: LayoutReport
  diagnostics: Diagnostic[]
  /** The objects as linked: `given` after R_RISCV_ALIGN trimming (their line tables match the output). */
  objects?: ObjectFile[]
  /** Final address of every input section, for the build's line table (object index, section index → VMA). */
  sectionAddress?: (obj: number, section: number) => bigint | undefined
}


/** Larger allocated output sections are refused: they are a script mistake (`. += 0x1000000000`), not a kernel. */
export const MAX_OUTPUT_SECTION_BYTES = 512 * 1024 * 1024

/**
 * Links objects and archives (in command-line order: an archive's members join where it stands).
 * Never throws: every problem is a diagnostic.
 */
export function link(given: LinkInput[], opts: LinkOptions = {}): LinkResult {
  try {
    return linkUnchecked(given, opts)
  } catch (e) {
    // A bug of ours must still reach the user as a value, with enough to report it.
    return {
      diagnostics: [{
        severity: 'error', code: 'link.internal', message: `internal linker error: ${(e as Error).message}`,
        hint: 'this is a Bootscope bug; please report it with the script and objects that caused it',
      }],
    }
  }
}

function linkUnchecked(given: LinkInput[], opts: LinkOptions): LinkResult {
  const diags: Diagnostic[] = []
  const hasErrors = () => diags.some((d) => d.severity === 'error')

  // 1. Script (the user's, or ld's default for the emulation), then the archive members needed,
  //    then the output target.
  const plain = given.filter((x): x is ObjectFile => !isArchiveInput(x))
  const emulation = chooseEmulation(opts.emulation, plain.length ? plain : firstMembers(given), diags)
  if (!emulation) return { diagnostics: diags }
  const defaultText = opts.nmagic ? emulation.defaultScriptNmagic : emulation.defaultScript
  const scriptSrc = opts.script ?? { file: DEFAULT_SCRIPT_FILE, text: defaultText }
  const parsed = parseScript(scriptSrc.text, scriptSrc.file, { readFile: opts.readFile })
  diags.push(...parsed.diagnostics)
  if (!parsed.script) return { diagnostics: diags }
  const script: Script = parsed.script
  const roots = [...(opts.undefinedSymbols ?? []), ...[opts.entry ?? script.entry?.name].filter((x): x is string => !!x)]
  const selected = plain.length === given.length ? plain : selectArchiveMembers(given, roots, diags)
  if (hasErrors()) return { diagnostics: diags }
  // R_RISCV_ALIGN padding is trimmed first: every later offset is after that trim.
  let objects = relaxAlign(selected)
  const format = chooseFormat(emulation, objects, { outputFormat: script.outputFormat, outputArch: script.outputArch, loc: script.targetLoc }, diags)
  if (!format) return { diagnostics: diags }
  const sizes = E.classSizes(format.elfClass)
  const segRules = { separateCode: emulation.separateCode && !opts.nmagic, nmagic: !!opts.nmagic }

  // 2. Inputs and symbols.
  const dropped = comdatDuplicates(objects)
  const symtab = resolveSymbols(objects, diags, dropped)
  if (hasErrors()) return { diagnostics: diags }
  let inputs = fileOrder(dedupeAttributes(collectInputs(objects, dropped)), script, objects)
  // --gc-sections: what nothing reachable refers to never reaches an output section.
  if (opts.gcSections) {
    inputs = gcSections(inputs, objects, symtab, script, { entry: opts.entry ?? script.entry?.name ?? (opts.script ? 'start' : '_start'), undefinedSymbols: opts.undefinedSymbols })
  }
  // x86-64 GOT-relative references in what is linked: relaxed into direct ones where ld would,
  // GOT slots (sections glued to the first object) for the rest.
  const live = new Set(inputs.map((i) => `${i.obj}:${i.index}`))
  const got = planGot(objects, symtab, (obj, section) => live.has(`${obj}:${section}`))
  if (got.objects !== objects) {
    objects = got.objects
    if (got.got) {
      live.add(`${got.got.obj}:${got.got.got}`).add(`${got.got.obj}:${got.got.gotPlt}`)
      // References to _GLOBAL_OFFSET_TABLE_ (i386 PIC code) resolve to the linker's .got.plt.
      symtab.globals.set('_GLOBAL_OFFSET_TABLE_', { obj: got.got.obj, sym: got.got.symbol, weak: false })
      symtab.undefinedRefs.delete('_GLOBAL_OFFSET_TABLE_')
    }
    inputs = fileOrder(dedupeAttributes(collectInputs(objects, dropped)), script, objects).filter((i) => live.has(`${i.obj}:${i.index}`))
  }
  const inputsByObj: InSec[][] = objects.map(() => [])
  for (const i of inputs) inputsByObj[i.obj].push(i)

  // 3. Output statements, input matching, orphans.
  const { stmts, outs } = buildStatements(script, inputs, diags)

  // 3b. `.eh_frame` edited as ld does (FDEs of discarded code dropped, CIEs merged, padding trimmed).
  const ehFixups = outs.filter((o) => o.name === '.eh_frame' && !o.discard)
    .flatMap((o) => editEhFrame(o, objects, sizes.word, (sec, r) => ehTargetDeleted(objects, symtab, inputsByObj, sec.obj, r.symbol)))
  // 3c. SHF_MERGE sections: duplicate strings and constants kept once, string tails shared.
  const merged = mergeSections(outs)

  // 4. Layout to a fixed point; segments are re-mapped after each pass for SIZEOF_HEADERS.
  let segments: Segment[] = []
  let loadPhdrs = false
  const ctx: LayoutContext = {
    script, objects, symtab, stmts, outs, diags, inputsByObj, phdrCount: () => Math.max(segments.length, 1), sizes, relro: emulation.relro,
    sizeofHeadersUsed: () => { loadPhdrs = true },
  }
  const segOpts = { rules: segRules, sizes, stackFlags: stackFlags(objects), stackAlign: emulation.stackAlign, get loadPhdrs() { return loadPhdrs } }
  const attributes = () => outs.find((o) => o.kept && o.type === E.SHT_RISCV_ATTRIBUTES)
  const allocOuts = () => outs.filter((o) => o.kept && !o.discard && (o.flags & E.SHF_ALLOC) !== 0)
  const remap = () => {
    segments = script.phdrs ? withAttributes(buildPhdrsSegments(script, allocOuts(), diags, false), attributes()) : mapSegments(allocOuts(), attributes(), segOpts)
  }
  const layout = runLayout(ctx, remap)
  if (!layout || hasErrors()) return { diagnostics: diags }
  if (script.phdrs) segments = withAttributes(buildPhdrsSegments(script, allocOuts(), diags, true), attributes())
  if (hasErrors()) return { diagnostics: diags }

  for (const o of outs) {
    if (o.kept && !o.discard && o.type !== E.SHT_NOBITS && o.size > BigInt(MAX_OUTPUT_SECTION_BYTES)) {
      diags.push({
        severity: 'error', code: 'link.section_too_large',
        message: `output section ${o.name} would be ${o.size} bytes (from 0x${o.vma.toString(16)}), more than ${MAX_OUTPUT_SECTION_BYTES / 1024 / 1024} MiB`,
        loc: o.stmt?.loc, hint: 'an assignment to `.` inside the section probably jumps too far; use (NOLOAD) for big reservations',
      })
    }
  }
  if (hasErrors()) return { diagnostics: diags }

  // 5. File offsets.
  const finalOuts = outs.filter((o) => o.kept && !o.discard)
  const offsets = new Map<OutSec, bigint>()
  const contentEnd = assignOffsets(segments, finalOuts, offsets, !script.phdrs, { sizes, nmagic: segRules.nmagic })

  // 6. Symbols: values for relocation and the output symbol table.
  const scriptSyms = layout.scriptSyms
  const symVal = (v: Val) => valueOf(v)
  // Per-object lookups, built once: relocation resolves a symbol per relocation.
  const secIndex: (InSec | undefined)[][] = inputsByObj.map((list) => {
    const a: (InSec | undefined)[] = []
    for (const i of list) if (i.index >= 0) a[i.index] = i
    return a
  })
  const inputOf = (obj: number, sym: number): InSec | undefined => {
    const s = objects[obj].symbols[sym]
    if (typeof s.section === 'number') return secIndex[obj][s.section]
    if (s.section === 'common') return inputsByObj[obj].find((i) => i.commonSyms?.some((c) => c.sym === sym))
    return undefined
  }
  const localValue = (obj: number, sym: number): bigint | undefined => {
    const s = objects[obj].symbols[sym]
    if (s.section === 'abs') return s.value
    if (s.section === 'undef') return undefined
    const i = inputOf(obj, sym)
    if (!i) return s.value
    if (i.discarded || !i.out) {
      diags.push({
        severity: 'error', code: 'link.discarded_symbol',
        message: `'${s.name}' is defined in ${i.name} of ${objects[obj].name}, which the script discards (/DISCARD/)`, loc: s.loc,
        hint: 'keep that section, or stop referring to the symbol',
      })
      return 0n
    }
    const extra = s.section === 'common' ? i.commonSyms!.find((c) => c.sym === sym)!.offset : s.value
    const moved = merged.get(i)?.(extra)
    if (moved) return moved.sec.out!.vma + moved.sec.offset + moved.offset
    return i.out.vma + i.offset + extra
  }
  const resolved: (bigint | null | undefined)[][] = objects.map(() => [])
  const symbolValue = (obj: number, sym: number): bigint | undefined => {
    const cached = resolved[obj][sym]
    if (cached !== undefined) return cached ?? undefined
    const v = resolveSymbol(obj, sym)
    resolved[obj][sym] = v ?? null
    return v
  }
  const resolveSymbol = (obj: number, sym: number): bigint | undefined => {
    const s = objects[obj].symbols[sym]
    if (!s) return undefined
    if (s.bind === 'local' && s.section !== 'undef') return localValue(obj, sym)
    const sc = scriptSyms.get(s.name)
    if (sc) return symVal(sc.val)
    const g = symtab.globals.get(s.name)
    if (g) return localValue(g.obj, g.sym)
    if (s.bind === 'weak') return 0n
    return undefined
  }

  // 7. Section contents and relocation.
  const gotInput = got.got ? inputsByObj[got.got.obj].find((i) => i.index === got.got!.got) : undefined
  const gotPltInput = got.got ? inputsByObj[got.got.obj].find((i) => i.index === got.got!.gotPlt) : undefined
  const contents = new Map<OutSec, Uint8Array>()
  for (const os of finalOuts) {
    if (os.type === E.SHT_NOBITS) continue
    const buf = new Uint8Array(Number(os.size))
    for (const g of os.gaps) {
      const start = Number(g.offset)
      const n = Number(g.size)
      if (!g.fill) {
        // No explicit fill: BFD's arch fill, nops in x86 code, zeros elsewhere.
        if ((os.flags & E.SHF_EXECINSTR) !== 0 && format.codeFill) buf.set(format.codeFill(n), start)
        continue
      }
      const fill = g.fill
      for (let k = 0; k < n; k++) buf[start + k] = fill[k % fill.length]
    }
    for (const i of os.inputs) {
      if (i.type === E.SHT_NOBITS || i.data.length === 0) continue
      buf.set(i.data.subarray(0, Number(i.size)), Number(i.offset))
    }
    if (ehFixups.length) applyCieFixups(ehFixups, buf, os)
    if (gotInput?.out === os) {
      const entry = got.got!.entryBytes
      const view = new DataView(buf.buffer, buf.byteOffset)
      got.targets.forEach((t, k) => {
        const v = symbolValue(t.obj, t.sym) ?? 0n
        if (entry === 8) view.setBigUint64(Number(gotInput.offset) + 8 * k, BigInt.asUintN(64, v), true)
        else view.setUint32(Number(gotInput.offset) + 4 * k, Number(BigInt.asUintN(32, v)), true)
      })
    }
    for (const d of os.data) {
      for (let k = 0; k < d.size; k++) buf[Number(d.offset) + k] = Number((d.value >> BigInt(8 * k)) & 0xffn)
    }
    contents.set(os, buf)
  }
  const relocEnv: RelocEnv = {
    objects, symbolValue, symbolInput: inputOf, addrOf: (i: InSec) => i.out!.vma + i.offset, diags,
    gotSlot: (obj, sym) => {
      const k = got.slots.get(slotKey(objects, obj, sym))
      return k === undefined || !gotInput?.out ? undefined : gotInput.out.vma + gotInput.offset + BigInt(got.got!.entryBytes * k)
    },
    gotBase: gotPltInput?.out ? gotPltInput.out.vma + gotPltInput.offset : undefined,
    // A section symbol plus addend into a merged section: where those bytes went (ld does this for STT_SECTION only).
    mergedTarget: (obj, sym, addend) => {
      const s = objects[obj].symbols[sym]
      if (!s || s.type !== 'section' || typeof s.section !== 'number') return undefined
      const i = inputOf(obj, sym)
      const moved = i && merged.get(i)?.(s.value + addend)
      return moved ? moved.sec.out!.vma + moved.sec.offset + moved.offset : undefined
    },
  }
  for (const os of finalOuts) {
    const buf = contents.get(os)
    for (const i of os.inputs) {
      if (!i.relocs.length) continue
      if (!buf) continue
      targetForMachine(objects[i.obj].machine).relocate(i, buf.subarray(Number(i.offset), Number(i.offset + i.size)), relocEnv)
    }
  }
  // Relocations in sections that are not in the output (non-alloc orphans are kept, so only /DISCARD/).
  if (hasErrors()) return { diagnostics: diags }

  // 8. Entry point.
  // ld's built-in default is `start`; its default script says ENTRY(_start). Without either
  // symbol ld silently uses the start of .text.
  const explicitEntry = opts.entry ?? script.entry?.name
  const entryName = explicitEntry ?? (opts.script ? 'start' : '_start')
  let entry: bigint | undefined
  const sc = scriptSyms.get(entryName)
  if (sc) entry = symVal(sc.val)
  else {
    const g = symtab.globals.get(entryName)
    if (g) entry = localValue(g.obj, g.sym)
    else if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(entryName)) entry = BigInt(entryName)
  }
  if (entry === undefined) {
    const text = finalOuts.find((o) => o.name === '.text')
    entry = text ? text.vma : 0n
    if (explicitEntry) diags.push({
      severity: 'warning', code: 'link.no_entry',
      message: `cannot find entry symbol ${entryName}; defaulting to 0x${entry.toString(16)}`,
      loc: script.entry?.loc, hint: `define and .globl '${entryName}', or name the real entry in ENTRY(…)`,
    })
  }

  // 9. Output symbol table: section symbols, per-object locals, hidden script symbols, then globals.
  const shndxOf = new Map<OutSec, number>()
  finalOuts.forEach((o, i) => shndxOf.set(o, i + 1))
  const symbols: OutSymbol[] = []
  finalOuts.forEach((o) => symbols.push({ name: '', value: o.vma, size: 0n, bind: E.STB_LOCAL, type: E.STT_SECTION, visibility: 0, shndx: shndxOf.get(o)! }))
  const typeNum = (t: string) => (t === 'object' ? E.STT_OBJECT : t === 'func' ? E.STT_FUNC : t === 'tls' ? E.STT_TLS : E.STT_NOTYPE)
  const placedShndx = (obj: number, sym: number): number | undefined => {
    const s = objects[obj].symbols[sym]
    if (s.section === 'abs') return E.SHN_ABS
    const i = inputOf(obj, sym)
    return i && i.out && !i.discarded ? shndxOf.get(i.out) : undefined
  }
  // The locals each object keeps in the output (as ld does): named, defined, placed.
  const keptLocals = objects.map((o) => o.symbols.map((s, si) => ({ s, si })).filter(({ s }) => s.bind === 'local' && s.type !== 'section' && s.type !== 'file' && s.name && s.section !== 'undef' &&
    // ld for RISC-V discards assembler-local labels (--discard-locals is its default).
    !s.name.startsWith('.L')))
  objects.forEach((o, oi) => {
    const locals = keptLocals[oi]
    if (!locals.length) return
    symbols.push({ name: o.name, value: 0n, size: 0n, bind: E.STB_LOCAL, type: E.STT_FILE, visibility: 0, shndx: E.SHN_ABS })
    for (const { s, si } of locals) {
      const shndx = placedShndx(oi, si)
      if (shndx === undefined) continue
      symbols.push({ name: s.name, value: localValue(oi, si) ?? 0n, size: s.size, bind: E.STB_LOCAL, type: typeNum(s.type), visibility: s.visibility, shndx })
    }
  })
  const scriptSection = (s: ScriptSymbol): OutSec | undefined =>
    (s.val.sec as OutSec | null) ?? (s.fromDot ? s.dotSection ?? sectionForDot(symVal(s.val), finalOuts) : undefined)
  const scriptShndx = (s: ScriptSymbol) => {
    const sec = scriptSection(s)
    return sec ? (shndxOf.get(sec) ?? E.SHN_ABS) : E.SHN_ABS
  }
  for (const s of scriptSyms.values()) {
    if (!s.hidden) continue
    symbols.push({ name: s.name, value: symVal(s.val), size: 0n, bind: E.STB_LOCAL, type: E.STT_NOTYPE, visibility: E.STV_HIDDEN, shndx: scriptShndx(s) })
  }
  const firstGlobal = symbols.length + 1
  const emitted = new Set<string>()
  for (const s of scriptSyms.values()) {
    if (s.hidden) continue
    emitted.add(s.name)
    symbols.push({ name: s.name, value: symVal(s.val), size: 0n, bind: E.STB_GLOBAL, type: E.STT_NOTYPE, visibility: 0, shndx: scriptShndx(s) })
  }
  for (const [name, g] of symtab.globals) {
    if (emitted.has(name)) continue
    const s = objects[g.obj].symbols[g.sym]
    const shndx = placedShndx(g.obj, g.sym)
    if (shndx === undefined) continue
    // A linker-made local (_GLOBAL_OFFSET_TABLE_) is listed with the locals. Hidden globals stay
    // GLOBAL with STV_HIDDEN, as ld leaves them in an executable.
    if (s.bind === 'local') continue
    symbols.push({ name, value: localValue(g.obj, g.sym) ?? 0n, size: s.size, bind: g.weak ? E.STB_WEAK : E.STB_GLOBAL, type: typeNum(s.type), visibility: s.visibility, shndx })
  }

  // 10. Write.
  const sections: WriteSection[] = finalOuts.map((o) => ({
    name: o.name, type: o.type, flags: o.flags, addr: o.vma, offset: offsets.get(o) ?? 0n,
    size: o.size, align: o.align, entsize: o.entsize, data: contents.get(o),
  }))
  const elf = writeElf({ elfClass: format.elfClass, machine: format.machine, entry, flags: opts.eflags ?? format.defaultEflags, segments, sections, symbols, firstGlobal, contentEnd })

  // 11. Report.
  const warnings: LayoutWarning[] = [...layoutWarnings(finalOuts, segments, layout.regions, script, format), ...multibootWarnings(elf, finalOuts, offsets, objects)]
  for (const w of warnings) {
    diags.push({ severity: w.code === 'link.lma_overlap' ? 'error' : 'warning', code: w.code, message: w.message, loc: w.loc, hint: w.hint })
  }
  if (hasErrors()) return { diagnostics: diags }
  const report: LayoutReport = {
    entry: hex(entry),
    outputSections: finalOuts.map((o) => ({
      name: o.name, vma: hex(o.vma), lma: hex(o.lma), size: hex(o.size), align: Number(o.align), paddingBefore: hex(o.paddingBefore),
      flags: flagLetters(o.flags), type: o.type === E.SHT_NOBITS ? 'NOBITS' : o.type === E.SHT_PROGBITS ? 'PROGBITS' : 'OTHER',
      inputs: o.inputs.map((i) => ({ object: i.objName, name: i.name, offset: hex(i.offset), size: hex(i.size) })),
      orphan: o.orphan, ...(o.stmt ? { loc: o.stmt.loc } : {}),
    })),
    symbols: [
      ...[...scriptSyms.values()].map((s) => ({ name: s.name, value: hex(symVal(s.val)), section: scriptSection(s)?.name ?? '*ABS*', definedBy: 'script', loc: s.loc })),
      ...[...symtab.globals].filter(([n]) => !scriptSyms.has(n)).map(([name, g]) => {
        const i = inputOf(g.obj, g.sym)
        return { name, value: hex(localValue(g.obj, g.sym) ?? 0n), section: i?.out?.name ?? '*ABS*', definedBy: objects[g.obj].name, ...(objects[g.obj].symbols[g.sym].loc ? { loc: objects[g.obj].symbols[g.sym].loc } : {}) }
      }),
      // The output's local symbols too (nm's `d`, `t`, …): hovers and the layout view know `boot_page_table`.
      ...keptLocals.flatMap((locals, oi) => locals.filter(({ si }) => placedShndx(oi, si) !== undefined).map(({ s, si }) => ({
        name: s.name, value: hex(localValue(oi, si) ?? 0n), section: s.section === 'abs' ? '*ABS*' : (inputOf(oi, si)?.out?.name ?? '*ABS*'),
        definedBy: objects[oi].name, local: true, ...(s.loc ? { loc: s.loc } : {}),
      }))),
    ],
    segments: segments.map((s) => ({
      type: segTypeName(s.type), vaddr: hex(s.vaddr), paddr: hex(s.paddr), offset: hex(s.offset), filesz: hex(s.filesz), memsz: hex(s.memsz),
      flags: (s.flags & E.PF_R ? 'R' : '') + (s.flags & E.PF_W ? 'W' : '') + (s.flags & E.PF_X ? 'X' : ''), align: hex(s.align), sections: s.sections.map((x) => x.name),
    })),
    dot: layout.dotSteps,
    warnings,
    passes: layout.passes,
  }
  return {
    elf, layout: report, diagnostics: diags, objects,
    sectionAddress: (obj, section) => {
      const i = inputsByObj[obj]?.find((x) => x.index === section)
      return i && i.out && !i.discarded ? i.out.vma + i.offset : undefined
    },
  }
}

/**
 * A file named without wildcards in the script (`boot.o(.text)`) is an input statement to ld,
 * loaded when the script is read, i.e. before the command-line objects of `ld -T script a.o b.o`:
 * such files come first in input order.
 */
function fileOrder(inputs: InSec[], script: Script, objects: ObjectFile[]): InSec[] {
  const named: string[] = []
  for (const top of script.items) {
    if (top.kind !== 'sections') continue
    for (const it of top.items) {
      if (it.kind !== 'output') continue
      for (const x of it.items) {
        if (x.kind === 'input' && !/[*?[]/.test(x.filePattern) && !named.includes(x.filePattern)) named.push(x.filePattern)
      }
    }
  }
  if (!named.length) return inputs
  const base = (n: string) => n.slice(n.lastIndexOf('/') + 1)
  const rank = objects.map((o) => {
    const i = named.findIndex((n) => n === o.name || n === base(o.name))
    return i < 0 ? named.length : i
  })
  return inputs.map((s, i) => ({ s, i })).sort((a, b) => rank[a.s.obj] - rank[b.s.obj] || a.i - b.i).map((x) => x.s)
}

/** The first member of the first archive, read: what decides the emulation when only archives are given. */
function firstMembers(inputs: LinkInput[]): ObjectFile[] {
  for (const a of inputs) {
    if (!isArchiveInput(a) || !a.members.length) continue
    const r = readRelocatable(a.members[0].data, `${a.name}(${a.members[0].name})`)
    if (r.ok) return [r.value]
  }
  return []
}

/**
 * Whether an FDE's code is gone: its pc_begin relocation names a symbol whose input section was
 * discarded (/DISCARD/, --gc-sections) or never placed. Undefined symbols are not "deleted".
 */
function ehTargetDeleted(objects: ObjectFile[], symtab: SymbolTable, inputsByObj: InSec[][], obj: number, sym: number): boolean {
  let o = obj
  let s = objects[obj].symbols[sym]
  if (!s) return false
  if (s.bind !== 'local' || s.section === 'undef') {
    const g = symtab.globals.get(s.name)
    if (!g) return false
    o = g.obj
    s = objects[o].symbols[g.sym]
  }
  if (typeof s.section !== 'number') return false
  const section = s.section
  const i = inputsByObj[o].find((x) => x.index === section)
  return !i || i.discarded || !i.out
}

/**
 * PT_GNU_STACK's p_flags (elflink.c, bfd_elf_size_dynamic_sections): only when some input has a
 * `.note.GNU-stack`; executable when one of those notes is, or an input has none (x86 and RISC-V
 * default to an executable stack). Undefined: no PT_GNU_STACK at all.
 */
function stackFlags(objects: ObjectFile[]): number | undefined {
  let note = false
  let exec = false
  for (const o of objects) {
    const s = o.sections.find((x) => x.name === '.note.GNU-stack')
    if (s) {
      note = true
      if (s.flags & E.SHF_EXECINSTR) exec = true
    } else exec = true
  }
  return note ? E.PF_R | E.PF_W | (exec ? E.PF_X : 0) : undefined
}

/** BFD's RISC-V backend adds PT_RISCV_ATTRIBUTES first even when PHDRS lists the headers. */
function withAttributes(segs: Segment[], attrs: OutSec | undefined): Segment[] {
  if (!attrs) return segs
  const seg: Segment = { type: E.PT_RISCV_ATTRIBUTES, flags: 0, offset: 0n, vaddr: 0n, paddr: 0n, filesz: 0n, memsz: 0n, align: 1n, sections: [attrs], includesHeaders: false }
  // After PT_PHDR/PT_INTERP, which must come first.
  let at = 0
  while (at < segs.length && (segs[at].type === E.PT_PHDR || segs[at].type === E.PT_INTERP)) at++
  return [...segs.slice(0, at), seg, ...segs.slice(at)]
}

/** GNU ld merges .riscv.attributes; we keep the first object's (identical for one -march). */
function dedupeAttributes(inputs: InSec[]): InSec[] {
  let seen = false
  return inputs.filter((i) => {
    if (i.type !== E.SHT_RISCV_ATTRIBUTES) return true
    if (seen) return false
    seen = true
    return true
  })
}

function flagLetters(f: number): string {
  return (f & E.SHF_WRITE ? 'W' : '') + (f & E.SHF_ALLOC ? 'A' : '') + (f & E.SHF_EXECINSTR ? 'X' : '')
}

function segTypeName(t: number): string {
  const names: Record<number, string> = { [E.PT_LOAD]: 'LOAD', [E.PT_NOTE]: 'NOTE', [E.PT_PHDR]: 'PHDR', [E.PT_TLS]: 'TLS', [E.PT_RISCV_ATTRIBUTES]: 'RISCV_ATTRIBUTES', [E.PT_GNU_STACK]: 'GNU_STACK', [E.PT_NULL]: 'NULL' }
  return names[t] ?? '0x' + t.toString(16)
}
