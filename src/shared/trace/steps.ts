/**
 * What "step N" means, everywhere Bootscope shows one (timeline, inspectors, console gutter, lab
 * checks, `bootscope events` / `at` / `find`, docs/trace-format.md):
 *
 * - **Step N is the machine's state after N instructions have retired.** The instruction at the
 *   PC in that state has not run yet: it is the "next instruction" the inspectors show. Step 0 is
 *   the state at the kernel's entry (or at reset, with no firmware).
 * - **An event recorded at step N happens in the state at step N**: the instruction about to run
 *   there causes it (a satp write, sfence.vma, on x86 a CR3/CR0/CR4/EFER write, a wrmsr, lgdt/lidt/ltr, a far transfer or a mode change, a store into a page table, mret/sret, console
 *   output, a disk write), so its effect shows from step N + 1 — *the state after the event*, which is where the
 *   timeline opens when the event is clicked, and what `bootscope events` names "after".
 * - Events that are states themselves show at their own step: a segment loaded (step 0), the
 *   firmware hand-off (the first state in the kernel), the first instruction in a new region (the
 *   state about to run it) and the stop (where the boot ended).
 * - **A trap at step N**: the instruction about to run at step N does not retire — it traps — so
 *   the state after the trap that still has an instruction to show is step N itself, with that
 *   instruction and why it faults. The handler's first instruction retires into step N + 1.
 */
import type { EventKind, TraceEvent } from './events'

/** Kinds caused by the instruction about to run at their step: their effect shows one step later. */
export const CAUSED_BY_NEXT_INSTRUCTION: ReadonlySet<EventKind> = new Set<EventKind>([
  'satp_write',
  'cr3_write',
  'paging_change',
  'mode_change',
  'control_bits',
  'msr_write',
  'descriptor_table',
  'far_transfer',
  'page_table_activated',
  'sfence_vma',
  'pte_write',
  'trap_return',
  'uart_output',
  'disk_write',
])

/**
 * The step of the state after an event (see above), never past the recording's last state
 * (`lastStep`, when given: a boot that stopped on the instruction that caused it has no later state).
 */
export function stepAfter(e: Pick<TraceEvent, 'kind' | 'step'>, lastStep?: number): number {
  const after = CAUSED_BY_NEXT_INSTRUCTION.has(e.kind) ? e.step + 1 : e.step
  return lastStep === undefined ? after : Math.min(after, lastStep)
}
