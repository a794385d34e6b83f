/**
 * "Check my work" in the core worker: the same run as `bootscope check --submission` (the lab's
 * starter with the student's edited files over it, built, booted and recorded, every check
 * decided on the recording), but the recording is kept where the host asks — in the workspace's
 * recordings, so the student can open it on the timeline at the step a check points to.
 */
import { existsSync } from 'node:fs'
import { err, ok, type Result } from '../../shared/api/result'
import type { LabCheckOutcome } from '../../shared/api/lab'
import { evaluateLab } from '../labs/evaluate'
import { loadLabFolder } from '../labs/lab-folder'
import { firstBuildError, runLab } from '../labs/run-lab'

export async function checkLab(labDir: string, submissionDir: string, recordingPath: string): Promise<Result<LabCheckOutcome>> {
  const loaded = loadLabFolder(labDir)
  if (!loaded.folder) {
    const first = loaded.errors[0]
    return err(first?.code ?? 'lab.invalid', first?.message ?? `${labDir} is not a valid lab`, { loc: first?.loc, hint: first?.hint })
  }
  const t0 = performance.now()
  const run = await runLab(loaded.folder, { submissionDir, recordingPath, writtenBy: 'bootscope check (app)' })
  const results = await evaluateLab(run)
  const b = run.build
  const diagnostics = b?.diagnostics ?? []
  if (b && !b.ok && !diagnostics.some((d) => d.severity === 'error')) diagnostics.push({ ...firstBuildError(b)!, severity: 'error' })
  // A recording exists once the recorder started, even for a kernel the loader refused (it holds the stop).
  const recording = run.recordingPath && existsSync(run.recordingPath) ? run.recordingPath : null
  return ok({
    labId: loaded.folder.lab.id,
    passed: results.every((r) => r.passed),
    checksPassed: results.filter((r) => r.passed).length,
    checksTotal: results.length,
    points: results.filter((r) => r.passed).reduce((s, r) => s + r.points, 0),
    maxPoints: results.reduce((s, r) => s + r.points, 0),
    results,
    recording,
    rejected: run.inputError ?? null,
    build: { ok: !run.inputError && !!b?.ok, diagnostics },
    boot: !run.boot ? null : run.boot.ran ? { ran: true, steps: run.boot.steps, stop: run.boot.stop } : { ran: false, error: run.boot.error },
    seconds: Math.round((performance.now() - t0)) / 1000,
  })
}
