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

/** `success` (green), `neutral` (plain) or `failure` (red), for how a boot ended; a non-zero exit code of a shutdown is a failure. */
export function outcomeTone(outcome: string, exitCode?: number | null): 'success' | 'neutral' | 'failure' {
  if (SUCCESSFUL_OUTCOMES.includes(outcome)) return exitCode ? 'failure' : 'success'
  if (NEUTRAL_OUTCOMES.includes(outcome)) return 'neutral'
  return 'failure'
}

export function outcomeWords(outcome: string): string {
  return OUTCOME_WORDS[outcome as Outcome] ?? outcome
}
