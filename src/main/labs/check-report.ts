/**
 * The outcome of checking one submission of a lab, as plain JSON: what `bootscope check --json`
 * prints and what `bootscope grade` reads back from each child process to make one report row.
 * Build errors and the boot's end are summarized as text a teacher can read in a spreadsheet.
 */
import { formatDiagnostic } from '../../shared/api/result'
import type { CheckResult } from './evaluate'
import { firstBuildError, type LabRun } from './run-lab'

/** The machine-readable outcome of one check run: printed by --json, one row of a grade report. */
export interface CheckReport {
  lab: { id: string; title: string; dir: string }
  submission: string | null
  passed: boolean
  checksPassed: number
  checksTotal: number
  points: number
  maxPoints: number
  /** Why the submission itself was refused (a symlink, a folder, an oversized file), before any build. */
  rejected: string | null
  build: { ok: boolean; errors: string[]; warnings: number }
  boot: { ran: true; steps: number; stop: { reason: string; message: string; step: number; pc: string; hint?: string } } | { ran: false; error: string } | null
  recording: string | null
  seconds: number
  results: CheckResult[]
}

export function checkReport(run: LabRun, results: CheckResult[], opts: { submission: string | null; keptRecording: string | null; seconds: number }): CheckReport {
  const { lab, dir } = run.folder
  const b = run.build
  const errors = run.inputError ? [] : (b?.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d)) ?? [])
  if (b && !b.ok && errors.length === 0) errors.push(formatDiagnostic(firstBuildError(b)!))
  return {
    lab: { id: lab.id, title: lab.title, dir },
    submission: opts.submission,
    passed: results.every((r) => r.passed),
    checksPassed: results.filter((r) => r.passed).length,
    checksTotal: results.length,
    points: results.filter((r) => r.passed).reduce((s, r) => s + r.points, 0),
    maxPoints: results.reduce((s, r) => s + r.points, 0),
    rejected: run.inputError ? formatDiagnostic(run.inputError) : null,
    build: { ok: !run.inputError && !!b?.ok, errors, warnings: b?.diagnostics.filter((d) => d.severity === 'warning').length ?? 0 },
    boot: !run.boot ? null : run.boot.ran ? { ran: true, steps: run.boot.steps, stop: run.boot.stop } : { ran: false, error: formatDiagnostic(run.boot.error) },
    recording: opts.keptRecording,
    seconds: Math.round(opts.seconds * 1000) / 1000,
    results,
  }
}
