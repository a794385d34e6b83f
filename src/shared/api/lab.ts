/**
 * Labs in the app ("Check my work"): the built-in lab packs, the lab open as the workspace, and
 * the outcome of checking it. The checks themselves are declared in each lab's lab.json and
 * decided on the recorded boot (docs/labs.md); these are the shapes that cross the contract.
 */
import type { ApiError, Diagnostic } from './result'

/** One built-in lab, for the lab list (which comes in the labs' order). */
export interface LabSummary {
  id: string
  title: string
  summary: string
  /** True when the student already has a folder for this lab (starting it again keeps their edits). */
  started: boolean
}

/** The lab open as the workspace. */
export interface LabInfo {
  id: string
  title: string
  summary: string
  /** The instructions, Markdown (the lab's README). */
  readme: string
  /** The files the student edits; the check takes only these from the workspace. */
  files: string[]
  /** The workspace folder of this lab. */
  root: string
  /** The exit status the lab's `shutdown` check declares as success (33 for isa-debug-exit's 0x10), when it declares one. */
  successExitCode?: number
}

/** One check decided on the recording. */
export interface LabCheckResult {
  id: string
  /** The check's kind in lab.json (`console`, `trap`, `translate`, …). */
  kind: string
  title: string
  passed: boolean
  /** The lab's teaching message and hint, only on a failed check. */
  message?: string
  hint?: string
  /** What was observed. */
  detail: string
  /** The step of the recording where the check failed or what it looked at happened. */
  step?: number
  points: number
}

/** How the checked boot ended. */
export type LabCheckBoot =
  | { ran: true; steps: number; stop: { reason: string; message: string; hint?: string; step: number; pc: string } }
  /** The loader refused the kernel: nothing ran. */
  | { ran: false; error: ApiError }

export interface LabCheckOutcome {
  labId: string
  passed: boolean
  checksPassed: number
  checksTotal: number
  points: number
  maxPoints: number
  results: LabCheckResult[]
  /** The recording of the checked boot, by its name in the workspace's recordings; null when nothing booted. */
  recording: string | null
  /** Why an edited file was refused before building (a symbolic link, a folder, too big). */
  rejected: ApiError | null
  build: { ok: boolean; diagnostics: Diagnostic[] }
  /** Null when nothing was built. */
  boot: LabCheckBoot | null
  seconds: number
}
