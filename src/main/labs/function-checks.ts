/**
 * The lab checks that name the kernel's functions (`function_reached`, `fault_in_function`),
 * decided on a recording: the function's address ranges come from the kernel's DWARF as the
 * recording keeps them (a C or Rust kernel built with -g: `kmain`, and every inlined copy of a
 * `static inline` helper), else from the ELF symbols of our build (an assembly kernel's labels
 * with a `.size`). "Reached" is the PC at the function's entry (or an inlined copy's start) —
 * found by the replay's history search with the hart's debug stops, so a check on a long boot
 * costs a run at hart speed, not a step-by-step replay. "A fault inside" is an exception whose
 * epc lies in the function's ranges (inlined copies included); environment calls (ecall) are
 * routine and count only when the check names their cause.
 */
import { hex, type TraceEvent } from '../../shared/trace/events'
import type { FaultInFunctionCheck, FunctionReachedCheck } from '../../shared/labs/lab-format'
import { FunctionMap, type FunctionRange } from '../../shared/trace/function-map'
import { SourceMap, type SegmentAddresses } from '../../shared/trace/source-map'
import { MAX_FIND_PCS, type FindResult } from '../../shared/api/replay'
import type { BuildSymbol } from '../toolchain/build'
import type { Verdict } from './layout-checks'
import { trapCode } from './select-events'

/** Exception causes of environment calls (from U, S, M): routine, not faults. */
const ECALL_CAUSES: readonly number[] = [8, 9, 11]

/** What decides the checks: the kernel's functions, its loaded segments, and the end of the boot in words. */
export interface FunctionContext {
  functions: readonly FunctionRange[]
  segments: readonly SegmentAddresses[]
  endWords: () => string
  endStep: () => number
}

/** The kernel's functions as address ranges: its DWARF's when the recording has them, else the symbols of our build that have a size. */
export function kernelFunctions(dwarf: readonly FunctionRange[], symbols: readonly BuildSymbol[] = []): FunctionRange[] {
  if (dwarf.length) return [...dwarf]
  return symbols.filter((s) => s.size > 0n && s.section !== '*ABS*' && s.name).map((s) => ({ low: hex(s.value), high: hex(s.value + s.size), name: s.name, depth: 0 }))
}

/** The ranges of `name` (the function's own, depth 0, and its inlined copies), or a failed verdict saying it is not there. */
function rangesOf(name: string, ctx: FunctionContext): FunctionRange[] | Verdict {
  const ranges = ctx.functions.filter((f) => f.name === name)
  if (ranges.length) return ranges
  const known = [...new Set(ctx.functions.filter((f) => f.depth === 0).map((f) => f.name))]
  const some = known.slice(0, 8).join(', ')
  return {
    passed: false,
    detail: ctx.functions.length
      ? `the kernel has no function \`${name}\` (its functions: ${some}${known.length > 8 ? ', …' : ''})`
      : `the kernel has no function names: build it with debug information (-g) or give its labels a .size`,
  }
}

/**
 * `function_reached`: `search` finds the first step after 0 (up to `limit` steps) at which the PC
 * is one of the addresses; `pcAtStart` is the PC at step 0 (a kernel entered at the function).
 */
export async function functionReachedVerdict(
  c: FunctionReachedCheck,
  ctx: FunctionContext,
  pcAtStart: bigint,
  search: (pcs: string[], limit: number | undefined) => Promise<FindResult | string>,
): Promise<Verdict> {
  const ranges = rangesOf(c.function, ctx)
  if (!Array.isArray(ranges)) return ranges
  // Each entry at its link address and, before paging, where it was loaded.
  const map = new SourceMap([], [...ctx.segments])
  const entries = [...new Set(ranges.flatMap((r) => map.loadAddresses(BigInt(r.low))))].slice(0, MAX_FIND_PCS)
  const by = c.beforeStep !== undefined ? ` by step ${c.beforeStep}` : ''
  const where = `\`${c.function}\` (${hex(BigInt(ranges[0].low))}${ranges.length > 1 ? ` and ${ranges.length - 1} more place${ranges.length > 2 ? 's' : ''}: inlined copies or split ranges` : ''})`
  if (entries.includes(pcAtStart)) return { passed: true, detail: `the boot starts in ${where}, at step 0`, step: 0 }
  const r = await search(entries.map(hex), c.beforeStep)
  if (typeof r === 'string') return { passed: false, detail: r }
  if (r.step !== null) return { passed: true, detail: `the PC reached ${where} at step ${r.step}`, step: r.step }
  // Not by the step asked: was it reached later at all? Say so (a late kernel differs from a dead one).
  const later = c.beforeStep !== undefined ? await search(entries.map(hex), undefined) : undefined
  const after = later && typeof later !== 'string' && later.step !== null ? `; it is reached later, at step ${later.step}` : ''
  return { passed: false, detail: `the PC never reached ${where}${by}${after}; ${ctx.endWords()}`, step: later && typeof later !== 'string' && later.step !== null ? later.step : ctx.endStep() }
}

/** `fault_in_function`: the exceptions (of the cause, when given) whose epc lies in the function. */
export function faultInFunctionVerdict(c: FaultInFunctionCheck, traps: readonly TraceEvent<'trap'>[], ctx: FunctionContext): Verdict {
  const ranges = rangesOf(c.function, ctx)
  if (!Array.isArray(ranges)) return c.absent ? { ...ranges, passed: false } : ranges
  const map = new FunctionMap([...ctx.functions], [...ctx.segments])
  const isFault = (e: TraceEvent<'trap'>) => !e.data.interrupt && (c.cause !== undefined ? trapCode(e) === c.cause : !ECALL_CAUSES.includes(trapCode(e)))
  const inside = (e: TraceEvent<'trap'>) => map.framesAt(BigInt(e.data.epc)).some((f) => f.name === c.function)
  const faults = traps.filter(isFault)
  const hits = faults.filter(inside)
  const what = `${c.cause !== undefined ? `an exception of cause ${c.cause}` : 'an exception'}`
  const describe = (e: TraceEvent<'trap'>) => {
    const frames = map.framesAt(BigInt(e.data.epc)).map((f) => f.name)
    return `cause ${trapCode(e)} at epc ${e.data.epc}${frames.length ? ` (in ${frames.join(' ← ')})` : ''}, step ${e.step}`
  }
  if (c.absent) {
    if (!hits.length) return { passed: true, detail: `no ${what.replace(/^an? /, '')} inside \`${c.function}\`${faults.length ? `; elsewhere: ${describe(faults[0])}` : ''}` }
    return { passed: false, detail: `${what} inside \`${c.function}\`: ${describe(hits[0])}${hits.length > 1 ? ` (and ${hits.length - 1} more)` : ''}`, step: hits[0].step }
  }
  if (hits.length) return { passed: true, detail: `${what} inside \`${c.function}\`: ${describe(hits[0])}`, step: hits[0].step }
  const elsewhere = faults.length ? `; the exceptions were elsewhere: ${faults.slice(0, 3).map(describe).join('; ')}` : ''
  return { passed: false, detail: `no ${what.replace(/^an? /, '')} inside \`${c.function}\`${elsewhere}; ${ctx.endWords()}`, step: faults[0]?.step ?? ctx.endStep() }
}
