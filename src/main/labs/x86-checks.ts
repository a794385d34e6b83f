/**
 * Decides the x86 check kinds of a lab (docs/labs.md, "x86 checks") on a recording: `mode` and
 * `fault` on its events (mode_change, trap with the vector and CR2), `register` and `vga_text`
 * on the machine state replayed to the step they look at (the registers as `bootscope at --regs`
 * reads them; the 80×25 VGA text buffer read at physical 0xB8000). evaluate.ts owns the
 * recording, the replay and the moments; this module owns what each x86 check means.
 */
import type { MachineState } from '../../shared/api/replay'
import { consoleCheckPasses } from '../../shared/labs/console-match'
import type { FaultCheck, ModeCheck, RegisterCheck, VgaTextCheck } from '../../shared/labs/lab-format'
import { modeOfLabel, X86_REGISTER_BITS } from '../../shared/labs/parse-x86-checks'
import { vectorName } from '../../shared/isa/x86/exceptions'
import { hex, type TraceEvent } from '../../shared/trace/events'
import { stepAfter } from '../../shared/trace/steps'
import { hexToBytes, vgaText } from '../../shared/pc/vga-text'
import type { Verdict } from './layout-checks'
import { describeAddressRef, resolveAddress, sameInstruction, type SymbolTable } from './select-events'

export { VGA_TEXT_BASE, VGA_TEXT_BYTES } from '../../shared/pc/vga-text'

/** What the decisions need of the recording around them. */
export interface X86CheckContext {
  symbols: SymbolTable
  /** "the boot ended at step N: it …", for details about something that never happened. */
  endWords(): string
  endStep: number
}

export function modeVerdict(c: ModeCheck, changes: TraceEvent<'mode_change'>[], initialLabel: string | undefined, ctx: X86CheckContext): Verdict {
  const late = (step: number) => c.maxStep !== undefined && step > c.maxStep
  if (initialLabel !== undefined && modeOfLabel(initialLabel) === c.mode) return { passed: true, detail: `the kernel starts in ${initialLabel}`, step: 0 }
  const hit = changes.find((e) => modeOfLabel(e.data.to) === c.mode)
  if (hit) {
    const at = stepAfter(hit)
    const words = `${hit.data.from} → ${hit.data.to} at ${ctx.symbols.describe(BigInt(hit.data.rip))}, in force from step ${at}`
    return late(at) ? { passed: false, detail: `${words}: later than step ${c.maxStep}`, step: at } : { passed: true, detail: words, step: at }
  }
  const seen = changes.length ? `the modes were ${[initialLabel, ...changes.map((e) => e.data.to)].filter(Boolean).join(' → ')}` : `the CPU stayed in ${initialLabel ?? 'its first mode'}`
  return { passed: false, detail: `${c.mode} mode was never reached: ${seen}; ${ctx.endWords()}`, step: changes.length ? stepAfter(changes[changes.length - 1]) : ctx.endStep }
}

/** CR2 of a #PF trap event (the x86 deriver writes it into `tval` as "CR2 = 0x…"). */
export function faultCr2(e: TraceEvent<'trap'>): bigint | undefined {
  const m = /CR2 = (0x[0-9a-f]+)/i.exec(e.data.tval)
  return m ? BigInt(m[1]) : undefined
}

function describeFault(e: TraceEvent<'trap'>, symbols: SymbolTable): string {
  return `${e.data.causeName} at step ${e.step}, at ${symbols.describe(BigInt(e.data.epc))}: ${e.data.tval}`
}

export function faultVerdict(c: FaultCheck, traps: TraceEvent<'trap'>[], ctx: X86CheckContext): Verdict {
  const at = c.at !== undefined ? resolveAddress(c.at, ctx.symbols) : undefined
  const cr2 = c.cr2 !== undefined ? resolveAddress(c.cr2, ctx.symbols) : undefined
  if (at && 'error' in at) return { passed: false, detail: at.error }
  if (cr2 && 'error' in cr2) return { passed: false, detail: cr2.error }
  const ofVector = traps.filter((e) => !e.data.interrupt && Number(BigInt(e.data.cause)) === c.vector)
  const matching = ofVector.filter((e) => (!at || sameInstruction(BigInt(e.data.epc), at)) && (!cr2 || faultCr2(e) === cr2.value))
  const what = `${vectorName(c.vector)}${c.at !== undefined ? ` at ${describeAddressRef(c.at)}` : ''}${cr2 ? ` with CR2 = ${hex(cr2.value)}${c.cr2 && typeof c.cr2 !== 'string' ? ` (${describeAddressRef(c.cr2)})` : ''}` : ''}`
  if (c.absent) {
    if (matching.length === 0) return { passed: true, detail: `no ${what} happened` }
    return { passed: false, detail: `${describeFault(matching[0], ctx.symbols)}${matching.length > 1 ? ` (and ${matching.length - 1} more)` : ''}`, step: matching[0].step }
  }
  if (matching.length) return { passed: true, detail: describeFault(matching[0], ctx.symbols), step: matching[0].step }
  const seen = ofVector.length ? `; there was ${describeFault(ofVector[0], ctx.symbols)}` : ''
  return { passed: false, detail: `no ${what}${seen}; ${ctx.endWords()}`, step: ofVector[0]?.step ?? ctx.endStep }
}

/** A register of the replayed state by its `bootscope at --regs` name. */
export function registerValue(state: MachineState, name: string): bigint | undefined {
  for (const g of state.registers) {
    const r = g.registers.find((x) => x.name.toLowerCase() === name)
    if (r) return BigInt(r.value)
  }
  return undefined
}

export function registerVerdict(c: RegisterCheck, state: MachineState, when: string): Verdict {
  const v = registerValue(state, c.register)
  if (v === undefined) return { passed: false, detail: `${when}: the machine has no ${c.register} (is this an x86 kernel?)` }
  const bits = X86_REGISTER_BITS[c.register]
  const isSet = (name: string) => ((v >> BigInt(bits.find((b) => b.name === name)!.bit)) & 1n) === 1n
  const named = bits.filter((b) => ((v >> BigInt(b.bit)) & 1n) === 1n).map((b) => b.name)
  const words = `${when}: ${c.register} = ${hex(v)}${named.length ? ` (${named.join(' ')})` : ''}`
  const problems = [
    ...c.set.filter((b) => !isSet(b)).map((b) => `${b} is clear`),
    ...c.clear.filter((b) => isSet(b)).map((b) => `${b} is set`),
    ...(c.value !== undefined && BigInt(c.value) !== v ? [`the value is not ${c.value}`] : []),
  ]
  return { passed: problems.length === 0, detail: problems.length ? `${words}: ${problems.join(', ')}` : words }
}

export function vgaVerdict(c: VgaTextCheck, state: MachineState, when: string): Verdict {
  const m = state.memory
  if (!m || 'error' in m) return { passed: false, detail: `${when}: the VGA text buffer cannot be read${m && 'error' in m ? `: ${m.error}` : ''}` }
  const text = vgaText(hexToBytes(m.bytes))
  const passed = consoleCheckPasses(c, text)
  const pattern = 'contains' in c.match ? JSON.stringify(c.match.contains) : `/${c.match.regex}/${c.match.flags}`
  const shown = text ? text.split('\n').filter(Boolean).slice(0, 4).map((l) => JSON.stringify(l)).join(', ') : 'a blank screen'
  return { passed, detail: `${when}: the screen shows ${shown}${passed ? '' : c.absent ? `, which must not match ${pattern}` : `; it does not match ${pattern}`}` }
}
