/**
 * The lab pack format (issue 7; documented for teachers in docs/labs.md): a lab is a plain folder
 * with `lab.json` (what this file types and validates), `README.md`, the starter files a
 * student edits and a `solution/` folder with the reference version of those files. A lab's
 * checks are declarative: they name what must be true of a recorded boot (console text, trace
 * events from `shared/trace/events.ts`, translations, the linker's layout report), and a
 * separate evaluator decides them on a recording. Pure TypeScript: the app, the CLI's
 * `check`/`grade` and the tests read labs through `parseLab` alike.
 *
 * Validation is strict on purpose: a lab.json is written by hand, and a misspelled key or a
 * wrong type would otherwise make a check silently test nothing. Every error points at the
 * offending JSON value (file, line, column).
 */
import { err, ok, type ApiError, type Result } from '../api/result'
import type { EventKind, StopReason, TranslationMode } from '../trace/events'
import { parseJsonWithPositions, type JsonNode } from './json-source'
import { fields, Issues, member, readArray, readEnum, readInteger, readString, typeName, wrongType, type Fields } from './json-fields'
import { ID_RE, parseCheck } from './parse-checks'

/** The version of this format; a lab.json says which one it is written in. */
export const LAB_FORMAT_VERSION = 1

/** Default guest RAM, as on QEMU `virt` without `-m`. */
export const DEFAULT_LAB_MEM_BYTES = 128 * 1024 * 1024
/** Default step budget of a lab boot: ample for a small kernel, small enough to stop a runaway fast. */
export const DEFAULT_LAB_MAX_STEPS = 50_000_000
/** Upper bound on any step budget in a lab.json (grading runs many of them). */
export const MAX_LAB_STEPS = 10_000_000_000

export const DEFAULT_AS_FLAGS: readonly string[] = ['-march=rv64gc']
/** The assembler options a lab may give: ISA, ABI, relaxation and macro definitions, never files or outputs. */
export const AS_FLAG_RE = /^(?:-march=[a-z0-9_]+|-mabi=[a-z0-9]+|-mrelax|-mno-relax|-D[A-Za-z_][A-Za-z0-9_]*(?:=[^\s]*)?)$/

// ---------------------------------------------------------------------------------------------
// The lab

export interface Lab {
  format: typeof LAB_FORMAT_VERSION
  /** Stable identifier, kebab-case; also the folder name of a built-in lab. */
  id: string
  title: string
  /** One or two sentences for the lab list. */
  summary: string
  /** Position in a list of labs (lowest first); labs without one sort by title after the others. */
  order?: number
  /** The instructions, a Markdown file in the lab folder (default `README.md`). */
  readme: string
  /** The files the student edits, relative to the lab folder. Each has a reference copy in `solution`. */
  files: string[]
  build: LabBuild
  boot: LabBoot
  /** The folder holding the reference versions of `files` (default `solution`), hidden from students. */
  solution: string
  checks: Check[]
}

/** How the kernel is built: assemble each source, link them all with the linker script. */
export interface LabBuild {
  /** Assembly sources, in link order. */
  sources: string[]
  linkerScript: string
  /** Assembler options, GNU spelling (default `-march=rv64gc`). */
  asFlags: string[]
}

/** How the kernel boots; a subset of the app's `BootOptions` (shared/api/boot.ts). */
export interface LabBoot {
  /** `builtin`: our SBI firmware, the kernel entered in S-mode at 0x80200000 (as QEMU `-bios default`); `none`: the kernel alone in M-mode. */
  bios: 'builtin' | 'none'
  memBytes: number
  /** The step budget of the boot; a run that reaches it ends with stop reason `budget`. */
  maxSteps: number
}

// ---------------------------------------------------------------------------------------------
// Checks

/** What every check has: an id (the column name in grade reports), what it checks, and what to tell a student when it fails. */
export interface CheckBase {
  /** kebab-case, unique within the lab. */
  id: string
  /** What is checked, in a few words ("Paging is turned on"). Shown next to a pass or a fail. */
  title: string
  /** Shown when the check fails: what went wrong and the idea behind it. Teaches; never only "wrong". */
  message: string
  /** A nudge towards the fix, shown under the message. */
  hint?: string
  /** Weight in grade reports (default 1). */
  points: number
}

/**
 * An address given either as a hex value or as a symbol of the built kernel plus a byte offset
 * (resolved from the linker's symbol table, so a check survives layout changes).
 */
export type AddressRef = string | { symbol: string; offset: number }

/** Picks one event of the recording: the first (default) or last of a kind that matches every filter given. */
export type EventSelector = (
  | { event: 'satp_write'; mode?: TranslationMode }
  /** A first fetch in a new region whose VA lies in [from, to] (inclusive). */
  | { event: 'region_enter'; from?: string; to?: string }
  | { event: 'trap'; cause?: number; interrupt?: boolean; at?: AddressRef }
  | { event: 'pte_write'; new?: string }
  | { event: 'uart_output'; contains?: string }
  | { event: 'stop'; reason?: StopReason }
  /** x86: the operating mode changed (to `to`: real, protected, compatibility or long). */
  | { event: 'mode_change'; to?: X86ModeName }
  /** x86: a CR0/CR4/EFER write that set (or cleared) a bit, named `CR4.PAE`, `EFER.LME`, `CR0.PG`. */
  | { event: 'control_bits'; set?: string; cleared?: string }
  | { event: Exclude<EventKind, 'satp_write' | 'region_enter' | 'trap' | 'pte_write' | 'uart_output' | 'stop' | 'mode_change' | 'control_bits'> }
) & { occurrence: 'first' | 'last' }

/** The console (UART and SBI console) output of the whole boot contains a string or matches a regex; or, with `absent`, does not. */
export interface ConsoleCheck extends CheckBase {
  kind: 'console'
  match: { contains: string } | { regex: string; flags: string }
  absent: boolean
}

/** satp was written with this translation mode. */
export interface SatpWriteCheck extends CheckBase {
  kind: 'satp_write'
  mode: TranslationMode
}

/** An instruction was fetched in the VA range [from, to] (a `region_enter` event), e.g. the first one in the higher half. */
export interface RegionEnterCheck extends CheckBase {
  kind: 'region_enter'
  from: string
  to: string
}

/** A trap of this cause happened; with `at`, its epc is that address. */
export interface TrapCheck extends CheckBase {
  kind: 'trap'
  cause: number
  interrupt: boolean
  at?: AddressRef
}

/** No exception of any of these causes happened. */
export interface NoTrapCheck extends CheckBase {
  kind: 'no_trap'
  causes: number[]
}

/** Both events happen, `first` before `then` (by step, then by event id). */
export interface OrderCheck extends CheckBase {
  kind: 'order'
  first: EventSelector
  then: EventSelector
}

/** The expected outcome of a page-table walk. Permissions compare exactly on the letters R W X U. */
export type TranslateExpect = { mapped: false } | { mapped: true; pa?: string; perms?: string; pageSize?: number }

/** Right after an event (or at the end of the boot), `va` translates through the active page table as expected. */
export interface TranslateCheck extends CheckBase {
  kind: 'translate'
  va: AddressRef
  when: 'end' | EventSelector
  expect: TranslateExpect
}

/** An output section in the linker's layout report: present or absent, at a VMA/LMA, aligned. */
export interface SectionCheck extends CheckBase {
  kind: 'section'
  name: string
  exists: boolean
  vma?: string
  lma?: string
  /** VMA and LMA are multiples of this many bytes. */
  align?: number
}

/** The PT_LOAD program header that holds a section: its p_vaddr, p_paddr and flags. */
export interface SegmentCheck extends CheckBase {
  kind: 'segment'
  section: string
  vaddr?: string
  paddr?: string
  /** Exactly these of R W X, e.g. "RX". */
  flags?: string
}

/** A symbol of the built kernel: defined, with a value, in an output section, aligned. */
export interface SymbolCheck extends CheckBase {
  kind: 'symbol'
  name: string
  value?: string
  section?: string
  align?: number
}

/**
 * The boot ends with a shutdown request (SBI SRST, legacy shutdown, the test finisher or x86
 * isa-debug-exit) within `maxSteps`, with exit status `exitCode` when given (the lab's declared
 * success status, e.g. 33 = (0x10 << 1) | 1 through isa-debug-exit; the workbench colours the
 * boot's end by it).
 */
export interface ShutdownCheck extends CheckBase {
  kind: 'shutdown'
  maxSteps: number
  exitCode?: number
}

/** x86: the CPU reached an operating mode (a `mode_change` to it), at the latest at `maxStep` when given. */
export interface ModeCheck extends CheckBase {
  kind: 'mode'
  mode: X86ModeName
  maxStep?: number
}

/** x86: an exception of this vector happened (optionally at an address, with CR2 for #PF); with `absent`, none did. */
export interface FaultCheck extends CheckBase {
  kind: 'fault'
  vector: number
  at?: AddressRef
  cr2?: AddressRef
  absent: boolean
}

/** x86: right after an event (or at the end), a control register or EFER has these bits set and clear, or this value. */
export interface RegisterCheck extends CheckBase {
  kind: 'register'
  register: X86CheckedRegister
  set: string[]
  clear: string[]
  value?: string
  when: 'end' | EventSelector
}

/** x86: the VGA text screen (80×25 at physical 0xB8000) shows a text at the end of the boot; or, with `absent`, does not. */
export interface VgaTextCheck extends CheckBase {
  kind: 'vga_text'
  match: { contains: string } | { regex: string; flags: string }
  absent: boolean
}

/**
 * x86: the kernel read a tag of the Multiboot 2 boot information: an instruction loaded each of the
 * tag's fields (read watches in the replay) — every available area's start and length (tag 6,
 * the memory map), the command line (1), the boot loader's name (2), each module's start and end
 * (3). A tag read wrongly (another tag, wrong offsets) leaves fields no instruction loaded; a tag
 * the loader did not pass fails with that reason.
 */
export interface MultibootTagCheck extends CheckBase {
  kind: 'multiboot_tag'
  tag: MultibootTagRead
}
/** The tags a `multiboot_tag` check can decide on. */
export type MultibootTagRead = 1 | 2 | 3 | 6

/**
 * x86: the frames a frame allocator handed out, printed on the console (each `regex` match: one
 * frame, or with two groups the first and last of a run of consecutive frames), are 4 KiB frames
 * wholly inside available areas of the Multiboot memory map, none handed out twice; with `avoid`,
 * only that none overlaps the kernel's loaded segments or the boot information (one idea per
 * check); with `complete`, all of that and that they are every such free frame.
 */
export interface FramesCheck extends CheckBase {
  kind: 'frames'
  regex: string
  avoid: FrameOwner[]
  complete: boolean
}
export type FrameOwner = 'kernel' | 'boot_info'

/**
 * The PC reached the kernel function `function` (its entry, or the start of an inlined copy of
 * it), at the latest at step `beforeStep` when given. Names come from the kernel's DWARF (C, Rust
 * with -g), else its ELF symbols.
 */
export interface FunctionReachedCheck extends CheckBase {
  kind: 'function_reached'
  function: string
  beforeStep?: number
}

/** An exception (of `cause`, when given) was taken inside the function (its epc, inlined copies included); with `absent`, none was. */
export interface FaultInFunctionCheck extends CheckBase {
  kind: 'fault_in_function'
  function: string
  cause?: number
  absent: boolean
}

/** The operating modes a `mode` check names (the words of the timeline's mode lane). */
export type X86ModeName = 'real' | 'protected' | 'compatibility' | 'long'
/** The registers a `register` check reads (names as `bootscope at --regs` prints them). */
export type X86CheckedRegister = 'cr0' | 'cr2' | 'cr3' | 'cr4' | 'efer'

export type Check =
  | FunctionReachedCheck
  | FaultInFunctionCheck
  | ModeCheck
  | FaultCheck
  | RegisterCheck
  | VgaTextCheck
  | MultibootTagCheck
  | FramesCheck
  | ConsoleCheck
  | SatpWriteCheck
  | RegionEnterCheck
  | TrapCheck
  | NoTrapCheck
  | OrderCheck
  | TranslateCheck
  | SectionCheck
  | SegmentCheck
  | SymbolCheck
  | ShutdownCheck

export type CheckKind = Check['kind']

export { CHECK_KINDS } from './parse-checks'

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ParseLabOptions {
  /**
   * Tells whether a path relative to the lab folder exists. When given, every file the lab
   * names (readme, files, their solution copies, build sources, linker script) must exist.
   * A function, so this module stays free of Node: the host passes `existsSync` on the folder.
   */
  fileExists?: (relativePath: string) => boolean
}

const LAB_KEYS = ['format', 'id', 'title', 'summary', 'order', 'readme', 'files', 'build', 'boot', 'solution', 'checks'] as const
const BUILD_KEYS = ['sources', 'linkerScript', 'asFlags'] as const
const BOOT_KEYS = ['bios', 'memBytes', 'maxSteps'] as const


/** Parses and validates a lab.json; the first error, if any, located in `file`. */
export function parseLab(jsonText: string, file: string, options: ParseLabOptions = {}): Result<Lab> {
  const r = validateLab(jsonText, file, options)
  if (r.errors.length > 0) return { ok: false, error: r.errors[0] }
  return r.lab ? ok(r.lab) : err('lab.invalid', `${file} is not a valid lab`, { loc: { file, line: 1, column: 1 } })
}

/** Like `parseLab`, but reports every error found (for an editor's markers or a teacher's `check`). */
export function validateLab(jsonText: string, file: string, options: ParseLabOptions = {}): { lab?: Lab; errors: ApiError[] } {
  const issues = new Issues(file)
  const parsed = parseJsonWithPositions(jsonText)
  if (!parsed.ok) {
    const e = parsed.error
    return {
      errors: [{ code: 'lab.json_syntax', message: `${e.message}`, loc: { file, line: e.line, column: e.column }, ...(e.hint ? { hint: e.hint } : {}) }],
    }
  }
  const lab = readLab(issues, parsed.node, options)
  return issues.errors.length > 0 ? { errors: issues.errors } : { lab, errors: [] }
}

function readLab(issues: Issues, root: JsonNode, options: ParseLabOptions): Lab | undefined {
  const f = fields(issues, root, 'the lab', LAB_KEYS)
  if (!f) return undefined

  const formatNode = member(issues, f, 'format', true, `add "format": ${LAB_FORMAT_VERSION}`)
  if (formatNode && (formatNode.type !== 'number' || formatNode.value !== LAB_FORMAT_VERSION)) {
    issues.add(
      'lab.format_version',
      `this lab is written in format ${formatNode.type === 'number' ? formatNode.raw : JSON.stringify(formatNode.type === 'string' ? formatNode.value : formatNode.type)}, but this version of Bootscope reads format ${LAB_FORMAT_VERSION}`,
      formatNode.pos,
      formatNode.type === 'number' && formatNode.value > LAB_FORMAT_VERSION ? 'update Bootscope to open this lab' : `write "format": ${LAB_FORMAT_VERSION}`,
    )
  }

  const id = readString(issues, f, 'id', true)
  if (id !== undefined && !ID_RE.test(id)) {
    issues.add('lab.bad_value', `the lab id ${JSON.stringify(id)} must be kebab-case: lowercase letters, digits and single dashes`, f.byKey.get('id')!.value.pos, 'e.g. "higher-half-sv39"')
  }
  const title = readString(issues, f, 'title', true)
  const summary = readString(issues, f, 'summary', true)
  const order = readInteger(issues, f, 'order', false, { min: 0, max: 1_000_000 })
  const readme = readPath(issues, f, 'readme', false) ?? 'README.md'
  const solution = readPath(issues, f, 'solution', false) ?? 'solution'
  const files = readArray(issues, f, 'files', true, (n) => pathValue(issues, 'an entry of "files"', n), { nonEmpty: true })
  const build = readBuild(issues, f)
  const boot = readBoot(issues, f)
  const checks = readChecks(issues, f)

  if (files && build) crossCheckFiles(issues, f, files, build)
  if (options.fileExists && files) checkFilesExist(issues, f, options.fileExists, { readme, solution, files, build })

  if (id === undefined || title === undefined || summary === undefined || !files || !build || !boot || !checks) return undefined
  return { format: LAB_FORMAT_VERSION, id, title, summary, ...(order !== undefined ? { order } : {}), readme, files, build, boot, solution, checks }
}

/** A path inside the lab folder: relative, forward slashes, never leaving the folder (a graded submission must not reach outside it). */
function pathValue(issues: Issues, what: string, node: JsonNode): string | undefined {
  if (node.type !== 'string') return issues.add('lab.wrong_type', `${what} must be a path string, not ${typeName(node)}`, node.pos)
  const p = node.value
  const bad =
    p === '' ? 'is empty'
    : p.startsWith('/') || /^[a-zA-Z]:/.test(p) ? 'is absolute'
    : p.includes('\\') ? 'uses backslashes'
    : p.split('/').some((s) => s === '..' || s === '.' || s === '') ? 'has an empty, "." or ".." part'
    : p.includes('\0') ? 'contains a NUL character'
    : undefined
  if (bad) return issues.add('lab.bad_path', `${what} ${JSON.stringify(p)} ${bad}`, node.pos, 'paths are relative to the lab folder, with forward slashes, e.g. "entry.S" or "src/entry.S"')
  return p
}

function readPath(issues: Issues, f: Fields, key: string, required: boolean): string | undefined {
  const node = member(issues, f, key, required)
  return node ? pathValue(issues, `"${key}"`, node) : undefined
}

function readBuild(issues: Issues, lab: Fields): LabBuild | undefined {
  const node = member(issues, lab, 'build', true, 'e.g. "build": { "sources": ["entry.S"], "linkerScript": "linker.ld" }')
  if (!node) return undefined
  const f = fields(issues, node, '"build"', BUILD_KEYS)
  if (!f) return undefined
  const sources = readArray(issues, f, 'sources', true, (n) => pathValue(issues, 'an entry of "sources"', n), { nonEmpty: true })
  const linkerScript = readPath(issues, f, 'linkerScript', true)
  const asFlags = readArray(issues, f, 'asFlags', false, (n) => {
    if (n.type !== 'string' || !AS_FLAG_RE.test(n.value)) {
      return issues.add('lab.bad_value', `an entry of "asFlags" must be one of -march=…, -mabi=…, -mrelax, -mno-relax or -DNAME[=value], not ${n.type === 'string' ? JSON.stringify(n.value) : typeName(n)}`, n.pos, 'options that name files or change outputs are not allowed: a lab must not reach outside its folder')
    }
    return n.value
  })
  if (sources) {
    const dup = sources.find((s, i) => sources.indexOf(s) !== i)
    if (dup) issues.add('lab.bad_value', `"${dup}" appears twice in "sources"`, member(issues, f, 'sources', false)!.pos)
  }
  if (!sources || !linkerScript) return undefined
  return { sources, linkerScript, asFlags: asFlags ?? [...DEFAULT_AS_FLAGS] }
}

function readBoot(issues: Issues, lab: Fields): LabBoot | undefined {
  const node = member(issues, lab, 'boot', true, 'e.g. "boot": { "bios": "builtin" }')
  if (!node) return undefined
  const f = fields(issues, node, '"boot"', BOOT_KEYS)
  if (!f) return undefined
  const bios = readEnum(issues, f, 'bios', ['builtin', 'none'] as const, true)
  const memBytes = readInteger(issues, f, 'memBytes', false, { min: 1024 * 1024, max: 16 * 1024 * 1024 * 1024 })
  if (memBytes !== undefined && memBytes % (1024 * 1024) !== 0) issues.add('lab.bad_value', '"memBytes" must be a whole number of MiB', f.byKey.get('memBytes')!.value.pos, `e.g. ${DEFAULT_LAB_MEM_BYTES} for 128 MiB`)
  const maxSteps = readInteger(issues, f, 'maxSteps', false, { min: 1, max: MAX_LAB_STEPS })
  if (!bios) return undefined
  return { bios, memBytes: memBytes ?? DEFAULT_LAB_MEM_BYTES, maxSteps: maxSteps ?? DEFAULT_LAB_MAX_STEPS }
}

function readChecks(issues: Issues, lab: Fields): Check[] | undefined {
  const node = member(issues, lab, 'checks', true)
  if (!node) return undefined
  if (node.type !== 'array') return wrongType(issues, lab, 'checks', node, 'an array of checks')
  if (node.items.length === 0) return issues.add('lab.bad_value', 'a lab needs at least one check in "checks"', node.pos)
  const checks: Check[] = []
  const seen = new Set<string>()
  for (const item of node.items) {
    const c = parseCheck(issues, item)
    if (!c) continue
    if (seen.has(c.id)) {
      const idNode = item.type === 'object' ? item.members.find((m) => m.key === 'id')?.value : undefined
      issues.add('lab.duplicate_id', `two checks have the id "${c.id}"`, (idNode ?? item).pos, 'check ids name the columns of grade reports: make each unique')
    }
    seen.add(c.id)
    checks.push(c)
  }
  return checks
}

/** Every file a student edits must be part of the build, or editing it could change nothing. */
function crossCheckFiles(issues: Issues, lab: Fields, files: string[], build: LabBuild): void {
  const used = new Set([...build.sources, build.linkerScript])
  const filesNode = lab.byKey.get('files')!.value
  files.forEach((file, i) => {
    if (!used.has(file)) {
      const at = filesNode.type === 'array' ? (filesNode.items[i] ?? filesNode) : filesNode
      issues.add('lab.unused_file', `the student edits "${file}", but the build does not use it`, at.pos, 'list it in "build.sources" or as "build.linkerScript", or drop it from "files"')
    }
  })
}

function checkFilesExist(
  issues: Issues,
  lab: Fields,
  exists: (p: string) => boolean,
  named: { readme: string; solution: string; files: string[]; build: LabBuild | undefined },
): void {
  /** The string node holding `path` under `key` (searching nested arrays and objects), else the key's value. */
  const at = (key: string, path: string) => {
    const top = lab.byKey.get(key)?.value
    const find = (n: JsonNode | undefined): JsonNode | undefined =>
      !n ? undefined
      : n.type === 'string' ? (n.value === path ? n : undefined)
      : n.type === 'array' ? n.items.map(find).find(Boolean)
      : n.type === 'object' ? n.members.map((m) => find(m.value)).find(Boolean)
      : undefined
    return (find(top) ?? top)?.pos ?? lab.pos
  }
  /** `lookFor`: the string in lab.json that names the file (a solution copy is named by its starter's path). */
  const need = (path: string, key: string, what: string, lookFor = path) => {
    if (!exists(path)) issues.add('lab.missing_file', `${what} "${path}" is missing from the lab folder`, at(key, lookFor), `create ${path}, or fix the path in "${key}"`)
  }
  need(named.readme, 'readme', 'the instructions file')
  for (const f of named.files) {
    need(f, 'files', 'the starter file')
    need(`${named.solution}/${f}`, 'files', 'the reference solution of an edited file,', f)
  }
  if (named.build) {
    for (const s of named.build.sources) need(s, 'build', 'the source')
    need(named.build.linkerScript, 'build', 'the linker script')
  }
}
