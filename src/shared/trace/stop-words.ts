/**
 * How a boot ended, in words, and whether that is a success: the one list the UI (recordings,
 * inspectors, timeline, Problems), the lab checks and the CLI read, so a clean shutdown looks like
 * a success everywhere and a trap loop like a failure.
 */
import type { StopReason } from './events'

/** Outcomes of a recording: the stop reasons, plus `incomplete` for a file whose writer never finished. */
export type Outcome = StopReason | 'incomplete'

/** What each outcome is, as the end of "the boot …". */
export const OUTCOME_WORDS: Record<Outcome, string> = {
  shutdown: 'shut down',
  reset: 'asked for a reset',
  tohost: 'reported its result through tohost',
  budget: 'ran out of its step budget',
  cancelled: 'was cancelled',
  paused: 'was paused',
  'trap-loop': 'was stuck in a trap loop',
  'wfi-deadlock': 'slept in wfi with nothing to wake it',
  'triple-fault': 'triple-faulted (the CPU shut down)',
  'waiting-for-input': 'was waiting for input',
  'hart-stopped': 'stopped its only hart',
  halt: 'halted',
  'guest-error': 'hit an error Bootscope cannot emulate',
  crashed: 'lost its core worker',
  interrupted: 'was interrupted (a signal or the host shutting down)',
  'size-limit': 'filled its recording up to the size cap',
  incomplete: 'was not finished writing',
}

/** The boot got to its end on purpose (the kernel shut down, reset, or reported a result). */
export const SUCCESSFUL_OUTCOMES: readonly string[] = ['shutdown', 'reset', 'tohost']

/** Ended by the user or by waiting, not by the guest failing: neither success nor failure. */
export const NEUTRAL_OUTCOMES: readonly string[] = ['cancelled', 'waiting-for-input', 'paused', 'interrupted']

/**
 * QEMU's `isa-debug-exit` device (the PC's only way to end a boot with a status) exits with
 * status `(value << 1) | 1`, so it can never give 0. Test kernels run under QEMU write 0x10 for
 * success, making 33 the conventional success status (what `test-success-exit-code = 33`
 * declares), and 0x11 (35) for failure.
 */
export const DEBUG_EXIT_SUCCESS_STATUS = 33

/** The device a stop's message names when the PC's isa-debug-exit ended the boot (pc-machine.ts writes it). */
const DEBUG_EXIT_NAME = 'isa-debug-exit'

/** How a boot ended, as a stop event records it. */
export interface StopOutcome {
  reason: string
  exitCode?: number | null
  message?: string
}

/** Was this stop a write to isa-debug-exit (status = (value << 1) | 1)? */
export function isDebugExitStop(stop: StopOutcome): boolean {
  return stop.reason === 'shutdown' && !!stop.message?.includes(DEBUG_EXIT_NAME)
}

/**
 * The exit status that means success for this stop: the one the lab or workspace declares, else
 * the convention — 33 for isa-debug-exit (which cannot exit with 0), 0 for everything else.
 */
export function successStatusOf(stop: StopOutcome, declared?: number): number {
  return declared ?? (isDebugExitStop(stop) ? DEBUG_EXIT_SUCCESS_STATUS : 0)
}

/**
 * `success` (green), `neutral` (plain) or `failure` (red), for how a boot ended; a shutdown with
 * an exit status other than the success status (`successStatus`, default 0) is a failure.
 */
export function outcomeTone(outcome: string, exitCode?: number | null, successStatus = 0): 'success' | 'neutral' | 'failure' {
  if (SUCCESSFUL_OUTCOMES.includes(outcome)) return (exitCode ?? 0) === successStatus ? 'success' : 'failure'
  if (NEUTRAL_OUTCOMES.includes(outcome)) return 'neutral'
  return 'failure'
}

/** The tone of a recorded stop, with the success status declared by the lab (or the convention). */
export function stopTone(stop: StopOutcome, declaredSuccess?: number): 'success' | 'neutral' | 'failure' {
  return outcomeTone(stop.reason, stop.exitCode, successStatusOf(stop, declaredSuccess))
}

/**
 * The exit status in words: for isa-debug-exit, the value the guest wrote and what the status
 * means (`exit status 33 = (0x10 << 1) | 1: the conventional success of QEMU test kernels`);
 * undefined when there is no status to explain.
 */
export function exitCodeWords(stop: StopOutcome, declaredSuccess?: number): string | undefined {
  const code = stop.exitCode
  if (code === undefined || code === null || (code === 0 && !isDebugExitStop(stop))) return undefined
  const success = successStatusOf(stop, declaredSuccess)
  const verdict = code === success ? (declaredSuccess !== undefined ? 'the success status this lab declares' : isDebugExitStop(stop) ? 'the conventional success of QEMU test kernels' : 'success') : `not the success status ${success}`
  if (isDebugExitStop(stop) && code & 1) return `exit status ${code} = (0x${(code >> 1).toString(16)} << 1) | 1 from isa-debug-exit: ${verdict}`
  return `exit status ${code}: ${verdict}`
}

export function outcomeWords(outcome: string): string {
  return OUTCOME_WORDS[outcome as Outcome] ?? outcome
}
