/**
 * Why an x86 guest stopped, in words a kernel author can act on. The triple fault — the instant
 * reboot loop that is the most common question of hobbyists on QEMU — is explained from the
 * hart's three-fault chain: each fault's vector, RIP and CR2, which step of delivering the
 * previous one failed (the IDT entry, the gate, the handler's code segment, the TSS, the stack),
 * and, for a linear address that could not be used, the page walk that says why ("PML4[0] … is
 * not present"). Also a halt nothing can wake, a trap loop, a jump outside RAM and an instruction
 * the hart does not implement.
 */
import type { Translation } from '../../../shared/paging/page-walk'
import { describePageFaultError, describeSelectorError, vectorName } from '../../../shared/isa/x86/exceptions'
import { VECTOR_BY_MNEMONIC, exceptionVector } from '../../../shared/isa/x86/system-registers'
import type { X86DeliveryStep, X86FaultRecord, X86TripleFault } from './hart/hart-api'

const hex = (v: bigint | number) => `0x${v.toString(16)}`
const PF = VECTOR_BY_MNEMONIC.PF
const DF = VECTOR_BY_MNEMONIC.DF

export interface StopExplanation {
  message: string
  hint: string
  pc: bigint
}

/** What the explanation needs besides the chain: a page walk of a linear address, the #DF gate's IST index. */
export interface FaultContext {
  translate(va: bigint, access: 'load' | 'store' | 'fetch'): Translation
  /** The IST field of the IDT gate for `vector` (long mode), or undefined when the gate cannot be read. */
  gateIst(vector: number): number | undefined
  longMode: boolean
  /** IDTR: a fault address inside the IDT names the vector whose gate was being read. */
  idt: { base: bigint; limit: number }
}

/** The vector whose IDT gate holds linear address `va`, when `va` is inside the IDT. */
function gateOf(va: bigint, ctx: FaultContext): number | undefined {
  const gate = BigInt(ctx.longMode ? 16 : 8)
  if (va < ctx.idt.base || va > ctx.idt.base + BigInt(ctx.idt.limit)) return undefined
  return Number((va - ctx.idt.base) / gate)
}

const short = (vector: number) => exceptionVector(vector)?.mnemonic ?? `vector ${vector}`

/** A fault's own line: `#PF at rip 0x… (CR2 0x…: not present, write, supervisor mode)`. */
function describeFault(f: X86FaultRecord): string {
  let detail = ''
  if (f.vector === PF) detail = ` (CR2 ${hex(f.cr2)}: ${describePageFaultError(f.errorCode ?? 0)})`
  else if (f.errorCode !== null && f.errorCode !== 0) detail = ` (${describeSelectorError(f.errorCode)})`
  return `${short(f.vector)} at rip ${hex(f.rip)}${detail}`
}

/** The step of delivering `of` that raised the next fault, in words. */
function deliveryStep(step: X86DeliveryStep, of: X86FaultRecord, next: X86FaultRecord, ctx: FaultContext): string {
  const walk = next.address !== null ? walkReason(next.address, ctx, step === 'stack' ? 'store' : 'load') : ''
  const at = next.address !== null ? ` at ${hex(next.address)}` : ''
  switch (step) {
    case 'idt':
      return `reading the IDT entry for ${short(of.vector)}${at}${walk}`
    case 'gate':
      return `the IDT gate for ${short(of.vector)} is not a present interrupt/trap gate the CPU can use${next.errorCode ? ` (${describeSelectorError(next.errorCode)})` : ''}`
    case 'code-segment':
      return `the ${short(of.vector)} handler's code segment${next.errorCode ? ` (${describeSelectorError(next.errorCode)})` : ''} is null, beyond the GDT, not code or not present`
    case 'tss':
      return `reading the handler's stack pointer from the TSS${at}${walk}`
    case 'stack-segment':
      return `the stack segment loaded from the TSS for the ${short(of.vector)} handler is not usable`
    case 'stack': {
      const ist = ctx.longMode ? ctx.gateIst(of.vector) : undefined
      return `pushing the ${short(of.vector)} frame onto its handler's stack${ist ? ` (IST${ist})` : ''}${at}${walk}`
    }
    case 'handler':
      return `the ${short(of.vector)} handler's address is beyond its code segment's limit or not canonical`
  }
}

/** `: PML4[0] at 0x… is not present (P = 0): nothing is mapped there`, or '' when the address translates. */
function walkReason(va: bigint, ctx: FaultContext, access: 'load' | 'store'): string {
  const t = ctx.translate(va, access)
  return t.ok ? '' : ` — ${t.reason}`
}

/** The chain in one sentence, the SDM's words between the faults. */
export function explainTripleFault(tf: X86TripleFault, ctx: FaultContext): StopExplanation {
  const [first, second, third] = tf.faults
  const parts: string[] = [describeFault(first)]
  // The chain starts at the fault that began the double-fault sequence; a #PF on an IDT gate means an
  // earlier event (an exception the SDM handles serially, or an interrupt) was being delivered.
  const earlier = first.vector === PF ? gateOf(first.cr2, ctx) : undefined
  if (earlier !== undefined && earlier !== PF) parts[0] += ` (reading the IDT entry for ${vectorName(earlier)}${walkReason(first.cr2, ctx, 'load')})`
  const step2 = second.during
  parts.push(step2 ? `while delivering it, ${describeFault(second)} ${deliveryTail(step2, first, second, ctx)}` : describeFault(second))
  parts.push(`→ double fault`)
  const step3 = third.during
  parts.push(step3 ? `→ while delivering #DF, ${describeFault(third)} ${deliveryTail(step3, { ...second, vector: DF }, third, ctx)}` : `→ ${describeFault(third)}`)
  parts.push('→ triple fault: the CPU shuts down (QEMU resets the machine and the boot starts over, in a loop; Bootscope stops here)')
  return {
    message: `triple fault: ${parts.join(' ')}`,
    hint: tripleFaultHint(first, second, third),
    pc: first.rip,
  }
}

function deliveryTail(step: X86DeliveryStep, of: X86FaultRecord, next: X86FaultRecord, ctx: FaultContext): string {
  return `(${deliveryStep(step, of, next, ctx)})`
}

function tripleFaultHint(first: X86FaultRecord, second: X86FaultRecord, third: X86FaultRecord): string {
  if (third.during === 'stack' || second.during === 'stack') {
    return 'give the #DF handler a stack that is always mapped: an IST entry in the TSS (long mode) or a task gate (32-bit), and check the stack pointers in the TSS'
  }
  if (second.during === 'idt' || third.during === 'idt') return 'load an IDT (lidt) whose entries cover the vectors and whose page is mapped after paging is enabled'
  if (second.during === 'gate' || third.during === 'gate') return 'fill the IDT gates for every exception: present (P = 1), type interrupt/trap gate (0xE/0xF), 16-byte gates in long mode'
  if (second.during === 'code-segment' || third.during === 'code-segment') return "the gates' selector must name a present code segment in the GDT (check lgdt and the selector, e.g. 0x08)"
  if (first.vector === PF) return 'the first fault is a page fault: map the address in CR2, and make sure the fault handler itself, its stack and the IDT stay mapped'
  return `start from the first fault (${vectorName(first.vector)} at rip ${hex(first.rip)}), and make sure its handler can be reached`
}
