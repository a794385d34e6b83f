/**
 * Decides every check of a lab on one run (run-lab.ts): the console, trap, satp, region and
 * ordering checks on the recording's events, the `translate` checks on the machine state replayed
 * to the step they name (the page table in satp walked there), the layout checks on the build's
 * layout report. Each result says what was observed and, for the timeline, the step where the
 * check failed or what it looked at happened; a failed check carries the lab's teaching message.
 *
 * When nothing could be built, every check fails with the build's first error; when the loader
 * refused the kernel, the layout checks are still decided and the others fail with the refusal.
 */
import { formatDiagnostic, type ApiError } from '../../shared/api/result'
import type { MachineState } from '../../shared/api/replay'
import { consoleCheckPasses } from '../../shared/labs/console-match'
import type { Check, CheckKind, ConsoleCheck, EventSelector, FunctionReachedCheck, Lab, ModeCheck, MultibootTagCheck, RegisterCheck, SectionCheck, SegmentCheck, SymbolCheck, TranslateCheck, VgaTextCheck } from '../../shared/labs/lab-format'
import { PAGE_SIZES_BYTES } from '../../shared/labs/parse-checks'
import { hex, type TraceEvent } from '../../shared/trace/events'
import { stepAfter } from '../../shared/trace/steps'
import { outcomeWords, SUCCESSFUL_OUTCOMES } from '../../shared/trace/stop-words'
import { RecordingReader } from '../trace/recording-reader'
import type { LabCheckResult } from '../../shared/api/lab'
import { ReplaySession } from '../trace/replay'
import { sectionVerdict, segmentVerdict, symbolVerdict, type Verdict } from './layout-checks'
import { firstBuildError, type LabRun } from './run-lab'
import { describeAddressRef, describeSelector, describeTrap, EventIndex, resolveAddress, sameInstruction, selectEvent, SymbolTable, trapCode } from './select-events'
import { framesVerdict, multibootTagVerdict, type TagField } from './multiboot-checks'
import { faultInFunctionVerdict, functionReachedVerdict, kernelFunctions, type FunctionContext } from './function-checks'
import { segmentsOf } from '../../shared/trace/code-place'
import type { BuildSymbol } from '../toolchain/build'
import { faultVerdict, modeVerdict, registerVerdict, VGA_TEXT_BASE, VGA_TEXT_BYTES, vgaVerdict } from './x86-checks'

/** One check's verdict: the contract's type (the app shows it), with the check kind narrowed. */
export interface CheckResult extends LabCheckResult {
  kind: CheckKind
}

/** Console text quoted in a failed check's detail is cut to this many characters (its end). */
const CONSOLE_EXCERPT_CHARS = 300
const PAGE_SIZE_NAMES: Record<string, number> = { '4 KiB': PAGE_SIZES_BYTES[0], '2 MiB': PAGE_SIZES_BYTES[1], '1 GiB': PAGE_SIZES_BYTES[2], '512 GiB': PAGE_SIZES_BYTES[3] }

function result(check: Check, v: Verdict): CheckResult {
  return {
    id: check.id,
    kind: check.kind,
    title: check.title,
    passed: v.passed,
    ...(v.passed ? {} : { message: check.message, ...(check.hint ? { hint: check.hint } : {}) }),
    detail: v.detail,
    ...(v.step !== undefined ? { step: v.step } : {}),
    points: check.points,
  }
}

/** Every check fails with the same reason (nothing to look at). */
function allFail(lab: Lab, why: string): CheckResult[] {
  return lab.checks.map((c) => result(c, { passed: false, detail: why }))
}

export async function evaluateLab(run: LabRun): Promise<CheckResult[]> {
  const { lab } = run.folder
  if (run.inputError) return allFail(lab, `the submission could not be read: ${formatDiagnostic(run.inputError)}`)
  const b = run.build
  if (!b || !b.ok || !b.layout) {
    const e: ApiError = (b && firstBuildError(b)) ?? { code: 'build.failed', message: 'the build failed' }
    return allFail(lab, `the kernel does not build: ${formatDiagnostic(e)}`)
  }
  const layout = b.layout
  const loads = layout.segments
    .filter((seg) => seg.type.replace(/^PT_/, '') === 'LOAD')
    .map((seg) => ({ vaddr: BigInt(seg.vaddr), paddr: BigInt(seg.paddr), memsz: BigInt(seg.memsz) }))
  const symbols = new SymbolTable(b.symbols, loads)
  const layoutVerdict = (c: Check): Verdict | undefined =>
    c.kind === 'section' ? sectionVerdict(c, layout)
    : c.kind === 'segment' ? segmentVerdict(c, layout)
    : c.kind === 'symbol' ? symbolVerdict(c, symbols)
    : undefined

  const notRun = !run.boot ? 'the kernel was not booted' : !run.boot.ran ? `the kernel never ran: ${run.boot.error.message}` : undefined
  const opened = notRun || !run.recordingPath ? undefined : RecordingReader.open(run.recordingPath)
  if (opened && !opened.ok) {
    return lab.checks.map((c) => result(c, layoutVerdict(c) ?? { passed: false, detail: `the recording cannot be read: ${opened.error.message}` }))
  }
  if (!opened) return lab.checks.map((c) => result(c, layoutVerdict(c) ?? { passed: false, detail: notRun ?? 'no recording' }))

  const reader = opened.value
  try {
    const ctx = new RecordingContext(reader, symbols, run.recordingPath!, b.symbols)
    const verdicts = new Map<Check, Verdict>()
    for (const c of lab.checks) {
      if (c.kind === 'section' || c.kind === 'segment' || c.kind === 'symbol') verdicts.set(c, layoutVerdict(c)!)
      else if (c.kind === 'function_reached') verdicts.set(c, await ctx.functionReached(c))
      else if (c.kind === 'multiboot_tag') verdicts.set(c, await ctx.multibootTag(c))
      else if (!isReplayCheck(c)) verdicts.set(c, ctx.decide(c))
    }
    // Page walks, registers and the screen need the machine replayed to a step: visit those steps in order, so replay only runs forward.
    const walks = lab.checks.filter(isReplayCheck).map((c) => ({ c, at: ctx.momentOf(c) }))
    walks.sort((x, y) => ('step' in x.at ? x.at.step : -1) - ('step' in y.at ? y.at.step : -1))
    for (const w of walks) verdicts.set(w.c, 'error' in w.at ? { passed: false, detail: w.at.error, step: w.at.failStep } : await ctx.replayed(w.c, w.at))
    return lab.checks.map((c) => result(c, verdicts.get(c)!))
  } finally {
    reader.close()
  }
}

/** The checks decided on the machine replayed to a step rather than on the events alone. */
type ReplayCheck = TranslateCheck | RegisterCheck | VgaTextCheck | ModeCheck
function isReplayCheck(c: Check): c is ReplayCheck {
  return c.kind === 'translate' || c.kind === 'register' || c.kind === 'vga_text' || c.kind === 'mode'
}

interface WalkAt {
  step: number
  /** How the step was chosen, for details: "at the end of the boot", "right after satp_write at step 8". */
  when: string
}

/** The decisions that read the recording, with what they share: events by kind, the symbol table, one replay session. */
export class RecordingContext {
  private readonly events: EventIndex
  private readonly steps: number
  private replay?: ReplaySession
  private readonly states = new Map<string, MachineState>()

  private readonly functions: FunctionContext

  constructor(
    reader: RecordingReader,
    private readonly symbols: SymbolTable,
    private readonly path: string,
    buildSymbols: readonly BuildSymbol[] = [],
  ) {
    this.events = new EventIndex(reader)
    this.steps = reader.steps
    this.functions = {
      functions: kernelFunctions(reader.functions(), buildSymbols),
      segments: segmentsOf(this.events.of('segment_loaded')),
      endWords: () => this.endWords(),
      endStep: () => this.endStep,
    }
  }

  /** `function_reached`: a history search from step 0 for the function's entries (the replay session's, with the hart's debug stops). */
  async functionReached(c: FunctionReachedCheck): Promise<Verdict> {
    const session = await this.session()
    if (typeof session === 'string') return { passed: false, detail: session }
    const start = await session.seek(0n)
    if (!start.ok) return { passed: false, detail: `the recording cannot be replayed: ${start.error.message}` }
    return functionReachedVerdict(c, this.functions, session.machineAtStep.hart.pc, async (pcs, limit) => {
      const r = await session.find({ from: 0, direction: 'forward', target: { pcs }, limit: limit ?? this.steps })
      return r.ok ? r.value : `the recording cannot be searched: ${r.error.message}`
    })
  }

  private async session(): Promise<ReplaySession | string> {
    if (!this.replay) {
      const opened = await ReplaySession.open(this.path)
      if (!opened.ok) return `the recording cannot be replayed: ${opened.error.message}`
      this.replay = opened.value
    }
    return this.replay
  }

  private get stop(): TraceEvent<'stop'> | undefined {
    const stops = this.events.of('stop')
    return stops[stops.length - 1]
  }

  private endWords(): string {
    const s = this.stop
    return s ? `the boot ended at step ${s.step}: it ${outcomeWords(s.data.reason)}` : `the recording ends at step ${this.steps}`
  }

  /** The step where the boot ended: what decides a check about something that never happened. */
  private get endStep(): number {
    return this.stop?.step ?? this.steps
  }

  decide(c: Exclude<Check, ReplayCheck | SectionCheck | SegmentCheck | SymbolCheck | FunctionReachedCheck | MultibootTagCheck>): Verdict {
    switch (c.kind) {
      case 'console':
        return this.console(c)
      case 'satp_write': {
        const writes = this.events.of('satp_write')
        const hit = writes.find((e) => e.data.new.mode === c.mode)
        if (hit) return { passed: true, detail: `satp = ${hit.data.new.raw} (${c.mode}, root table at ${hit.data.new.root}) from step ${stepAfter(hit)}`, step: stepAfter(hit) }
        const seen = writes.length ? `satp was written ${writes.length} time(s), with mode ${[...new Set(writes.map((e) => e.data.new.mode))].join(', ')}` : 'satp was never written'
        // Decided by the write with the wrong mode, or by the end of a boot that never wrote satp.
        return { passed: false, detail: `${seen}; ${this.endWords()}`, step: writes.length ? stepAfter(writes[0]) : this.endStep }
      }
      case 'region_enter': {
        const lo = BigInt(c.from)
        const hi = BigInt(c.to)
        const hit = this.events.of('region_enter').find((e) => BigInt(e.data.va) >= lo && BigInt(e.data.va) <= hi)
        if (hit) return { passed: true, detail: `first fetch in [${c.from}, ${c.to}] at step ${hit.step}: ${this.symbols.describe(BigInt(hit.data.va))}`, step: hit.step }
        const regions = this.events.of('region_enter').map((e) => e.data.va)
        return { passed: false, detail: `no instruction was fetched in [${c.from}, ${c.to}]; code ran at ${regions.join(', ') || 'no address'}; ${this.endWords()}`, step: this.endStep }
      }
      case 'trap': {
        const traps = this.events.of('trap')
        const at = c.at !== undefined ? resolveAddress(c.at, this.symbols) : undefined
        if (at && 'error' in at) return { passed: false, detail: at.error }
        const ofCause = traps.filter((e) => trapCode(e) === c.cause && e.data.interrupt === c.interrupt)
        const hit = at ? ofCause.find((e) => sameInstruction(BigInt(e.data.epc), at)) : ofCause[0]
        if (hit) return { passed: true, detail: describeTrap(hit, this.symbols), step: hit.step }
        const where = at ? ` at ${c.at !== undefined ? describeAddressRef(c.at) : ''} (${hex(at.value)}${at.loaded !== undefined ? ` or ${hex(at.loaded)} where it was loaded` : ''})` : ''
        const what = `no ${c.interrupt ? 'interrupt' : 'trap'} of cause ${c.cause}${where}`
        const seen = ofCause.length ? `; it happened at ${ofCause.slice(0, 3).map((e) => this.symbols.describe(BigInt(e.data.epc))).join(', ')}` : ''
        return { passed: false, detail: `${what}${seen}; ${this.endWords()}`, step: ofCause[0]?.step ?? this.endStep }
      }
      case 'no_trap': {
        const bad = this.events.of('trap').filter((e) => !e.data.interrupt && c.causes.includes(trapCode(e)))
        if (bad.length === 0) return { passed: true, detail: `no trap of cause ${c.causes.join(', ')} in ${this.steps} steps` }
        return { passed: false, detail: `${describeTrap(bad[0], this.symbols)}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}`, step: bad[0].step }
      }
      case 'order': {
        const first = selectEvent(c.first, this.events, this.symbols)
        const then = selectEvent(c.then, this.events, this.symbols)
        if (!first || !then) {
          const missing = [!first ? describeSelector(c.first) : '', !then ? describeSelector(c.then) : ''].filter(Boolean)
          return { passed: false, detail: `${missing.join(' and ')} never happened; ${this.endWords()}`, step: first ? stepAfter(first, this.steps) : this.endStep }
        }
        const before = first.step < then.step || (first.step === then.step && first.id < then.id)
        const words = `${describeSelector(c.first)} at step ${stepAfter(first, this.steps)}, ${describeSelector(c.then)} at step ${stepAfter(then, this.steps)}`
        return { passed: before, detail: before ? words : `${words}: in the wrong order`, step: stepAfter(before ? then : first, this.steps) }
      }
      case 'fault':
        return faultVerdict(c, this.events.of('trap'), this.x86Context())
      case 'fault_in_function':
        return faultInFunctionVerdict(c, this.events.of('trap'), this.functions)
      case 'frames':
        return framesVerdict(c, this.events.of('boot_info')[0], this.events.of('segment_loaded'), this.consoleText())
      case 'shutdown': {
        const s = this.stop
        if (!s) return { passed: false, detail: `the recording has no stop: it ends at step ${this.steps}`, step: this.steps }
        const said = `the boot ${outcomeWords(s.data.reason)} at step ${s.step}: ${s.data.message}`
        if (s.data.reason !== 'shutdown') return { passed: false, detail: said, step: s.step }
        if (s.step > c.maxSteps) return { passed: false, detail: `${said}, later than the ${c.maxSteps} steps allowed`, step: s.step }
        if (c.exitCode !== undefined && s.data.exitCode !== c.exitCode) {
          return { passed: false, detail: `${said}, with exit status ${s.data.exitCode ?? 'none'} where this lab's success is ${c.exitCode}`, step: s.step }
        }
        return { passed: true, detail: said, step: s.step }
      }
    }
  }

  /** Everything the console printed. */
  private consoleText(): string {
    return this.events
      .of('uart_output')
      .map((e) => e.data.text)
      .join('')
  }

  private console(c: ConsoleCheck): Verdict {
    // The whole output, remembering at which offset each recorded piece starts, to name the step of a match.
    const pieces = this.events.of('uart_output')
    let text = ''
    const starts: number[] = []
    for (const e of pieces) {
      starts.push(text.length)
      text += e.data.text
    }
    const stepAt = (offset: number) => {
      let i = 0
      while (i + 1 < starts.length && starts[i + 1] <= offset) i++
      return pieces[i]?.step
    }
    const index = 'contains' in c.match ? text.indexOf(c.match.contains) : (new RegExp(c.match.regex, c.match.flags).exec(text)?.index ?? -1)
    const passed = consoleCheckPasses(c, text)
    const pattern = 'contains' in c.match ? JSON.stringify(c.match.contains) : `/${c.match.regex}/${c.match.flags}`
    const excerpt = text.length === 0 ? 'nothing' : JSON.stringify(text.length > CONSOLE_EXCERPT_CHARS ? '…' + text.slice(-CONSOLE_EXCERPT_CHARS) : text)
    if (index >= 0) {
      const found = JSON.stringify(text.slice(index, index + 120).split(/\r?\n/)[0])
      const at = stepAt(index)
      const shown = at === undefined ? undefined : stepAfter({ kind: 'uart_output', step: at }, this.steps)
      return { passed, detail: `the console printed ${found} at step ${at}${passed ? '' : `, which must not appear (${pattern})`}`, step: shown }
    }
    // Never matched: what it printed last (the text the student compares), or the end of a silent boot.
    const last = pieces[pieces.length - 1]
    return { passed, detail: passed ? `the console never matched ${pattern}` : `the console never matched ${pattern}; it printed ${excerpt}`, step: passed ? undefined : last ? stepAfter(last, this.steps) : this.endStep }
  }

  /**
   * The step whose state a translate check walks: right after its event (shared/trace/steps.ts),
   * or the end — which a boot that stopped on a failure never got to: a check about the end state
   * then fails (a kernel that dies at its first fetch has "no identity mapping at the end" only
   * because it never got there).
   */
  momentOf(c: ReplayCheck): WalkAt | { error: string; failStep: number } {
    // A mode check starts from the mode the kernel was started in (the state at step 0), then follows the mode changes.
    if (c.kind === 'mode') return { step: 0, when: 'at the start' }
    return this.moment(c.kind === 'vga_text' ? 'end' : c.when)
  }

  private moment(when: 'end' | EventSelector): WalkAt | { error: string; failStep: number } {
    if (when === 'end') {
      const s = this.stop
      if (s && !SUCCESSFUL_OUTCOMES.includes(s.data.reason)) {
        return { error: `the boot never got to its end, so its end state cannot be checked: it stopped at step ${s.step} because it ${outcomeWords(s.data.reason)}`, failStep: s.step }
      }
      return { step: this.steps, when: `at the end of the boot (step ${this.steps})` }
    }
    const e = selectEvent(when, this.events, this.symbols)
    if (!e) return { error: `${describeSelector(when)} never happened, so there is no moment to look at; ${this.endWords()}`, failStep: this.endStep }
    const step = stepAfter(e, this.steps)
    return { step, when: `right after ${describeSelector(when)} (step ${step})` }
  }

  private x86Context() {
    return { symbols: this.symbols, endWords: () => this.endWords(), endStep: this.endStep }
  }

  /** Decides a check that needs the machine replayed to `at`. */
  async replayed(c: ReplayCheck, at: WalkAt): Promise<Verdict> {
    if (c.kind === 'translate') return this.translate(c, at)
    const state = await this.stateAt(at.step, undefined, c.kind === 'vga_text')
    if (typeof state === 'string') return { passed: false, detail: state, step: at.step }
    if (c.kind === 'mode') return modeVerdict(c, this.events.of('mode_change'), state.arch === 'x86' ? state.modeLabel : undefined, this.x86Context())
    return { ...(c.kind === 'register' ? registerVerdict(c, state, at.when) : vgaVerdict(c, state, at.when)), step: at.step }
  }

  /** A `multiboot_tag` check: the boot information's bytes at the hand-off, then the first load of each field (a read watch), from the hand-off on. */
  async multibootTag(c: MultibootTagCheck): Promise<Verdict> {
    const info = this.events.of('boot_info')[0]
    if (!info) return multibootTagVerdict(c, info, '', () => Promise.resolve(undefined))
    const replay = await this.session()
    if (typeof replay === 'string') return { passed: false, detail: replay }
    const from = BigInt(info.step)
    const bytes = (): Uint8Array | string => {
      const r = replay.readBytes(BigInt(info.data.address), Number(BigInt(info.data.size)), true)
      return 'bytes' in r ? r.bytes : `the boot information at ${info.data.address} cannot be read in the replay: ${r.error}`
    }
    const seeked = await replay.seek(from)
    if (!seeked.ok) return { passed: false, detail: `the recording cannot be replayed to step ${from}: ${seeked.error.message}` }
    const firstLoad = async (f: TagField) => {
      const at = await replay.seek(from)
      if (!at.ok) return `the recording cannot be replayed to step ${from}: ${at.error.message}`
      const r = await replay.runToStop(replay.steps, { breakpoints: [], watches: [{ pa: f.pa, length: f.length, read: true, write: false }] }, { breakpoint: false, watch: false })
      if (r === undefined) return 'this machine cannot watch loads in the replay (its hart holds no debug stops)'
      return r === 'stop' ? { step: Number(replay.step), pc: replay.machineAtStep.hart.pc } : undefined
    }
    return multibootTagVerdict(c, info, bytes(), firstLoad)
  }

  /** The replayed state at `step`, with `va` translated or the VGA text buffer read; cached per step and question. */
  private async stateAt(step: number, va?: bigint, vga = false): Promise<MachineState | string> {
    const key = `${step}:${va ?? ''}:${vga}`
    const cached = this.states.get(key)
    if (cached) return cached
    const session = await this.session()
    if (typeof session === 'string') return session
    const s = await session.stateAt({
      step,
      ...(va !== undefined ? { translate: hex(va) } : {}),
      ...(vga ? { memory: { address: hex(BigInt(VGA_TEXT_BASE)), length: VGA_TEXT_BYTES, physical: true } } : {}),
    })
    if (!s.ok) return `the recording cannot be replayed to step ${step}: ${s.error.message}`
    this.states.set(key, s.value)
    return s.value
  }

  async translate(c: TranslateCheck, at: WalkAt): Promise<Verdict> {
    const va = resolveAddress(c.va, this.symbols)
    if ('error' in va) return { passed: false, detail: va.error, step: at.step }
    const state = await this.stateAt(at.step, va.value)
    if (typeof state === 'string') return { passed: false, detail: state, step: at.step }
    const vaText = typeof c.va === 'string' ? c.va : `${describeAddressRef(c.va)} (${hex(va.value)})`
    const where = `${at.when}`
    const fail = (detail: string): Verdict => ({ passed: false, detail: `${where}: ${detail}`, step: at.step })
    const pass = (detail: string): Verdict => ({ passed: true, detail: `${where}: ${detail}`, step: at.step })

    if (state.satp.mode === 'Bare') {
      const words = `satp is Bare, so there is no page table: ${vaText} is used as the physical address`
      if (c.expect.mapped && c.expect.pa !== undefined && c.expect.perms === undefined && c.expect.pageSize === undefined) {
        return va.value === BigInt(c.expect.pa) ? pass(words) : fail(`${words}, not ${c.expect.pa}`)
      }
      return fail(words)
    }
    const leaf = this.leafOf(state, va.value)
    if (!leaf) {
      const why = state.translation && !state.translation.ok && state.translation.va === hex(va.value) ? state.translation.reason : 'no valid leaf PTE maps it'
      const words = `${vaText} does not translate under satp ${state.satp.raw} (${state.satp.mode}): ${why}`
      return c.expect.mapped ? fail(words) : pass(words)
    }
    const words = `${vaText} -> ${hex(leaf.pa)} (${leaf.pageSize} page, ${leaf.perms || 'no permissions'})`
    if (!c.expect.mapped) return fail(`${words}: it is still mapped`)
    const problems: string[] = []
    if (c.expect.pa !== undefined && leaf.pa !== BigInt(c.expect.pa)) problems.push(`the physical address is ${hex(leaf.pa)}, not ${c.expect.pa}`)
    if (c.expect.perms !== undefined && leaf.perms !== rwxu(c.expect.perms)) problems.push(`the permissions are ${leaf.perms || 'none'}, not ${rwxu(c.expect.perms)}`)
    if (c.expect.pageSize !== undefined && PAGE_SIZE_NAMES[leaf.pageSize] !== c.expect.pageSize) problems.push(`the page is ${leaf.pageSize}, not ${sizeName(c.expect.pageSize)}`)
    return problems.length ? fail(`${words}: ${problems.join('; ')}`) : pass(words)
  }

  /**
   * The leaf mapping `va` in the address space walked from satp (every valid, aligned leaf, with
   * its permissions), rather than a load through the MMU: a leaf the S-mode load could not use
   * (X-only, U) still maps the address, and "unmapped" means no leaf at all.
   */
  private leafOf(state: MachineState, va: bigint): { pa: bigint; perms: string; pageSize: string } | undefined {
    const t = state.translation
    const walked = t?.ok && t.va === hex(va) ? { pa: BigInt(t.pa), perms: rwxu(t.flags), pageSize: t.pageSize } : undefined
    for (const m of state.addressSpace.mappings) {
      const base = BigInt(m.va)
      if (va < base || va - base >= BigInt(m.size)) continue
      // The range an x86 recursive entry makes meaningful is not one page: the MMU's walk of this address says what it maps.
      if (m.pageSize === 'recursive') return walked
      return { pa: BigInt(m.pa) + (va - base), perms: rwxu(m.perms), pageSize: m.pageSize }
    }
    // A huge table may be cut short; then the MMU's own walk of this address decides.
    return state.addressSpace.truncated ? walked : undefined
  }
}

/** Permission letters compared by a translate check: R W X U, in that order (A, D, G, V ignored). */
function rwxu(flags: string): string {
  return ['R', 'W', 'X', 'U'].filter((l) => flags.includes(l)).join('')
}

function sizeName(bytes: number): string {
  return Object.entries(PAGE_SIZE_NAMES).find(([, v]) => v === bytes)?.[0] ?? `${bytes} bytes`
}
