/**
 * Runs a lab the way "Check my work" and `bootscope check` do: the lab's build inputs (a
 * submission's edited files over the starter), built with our toolchain as lab.json says, then
 * booted and recorded with the lab's boot options under a step budget. The recording is what the
 * checks are decided on (evaluate.ts); this module only produces it, and reports each stage's
 * failure as a value: unreadable submission, build errors, a kernel the loader refuses.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ApiError, SourceLoc } from '../../shared/api/result'
import { hex, type StopReason } from '../../shared/trace/events'
import type { SourceLine } from '../../shared/trace/source-map'
import { build, type BuildResult } from '../toolchain/build'
import { Recorder } from '../trace/recorder'
import { readBuildInputs, type BuildInputs, type LabFolder } from './lab-folder'

export interface RunLabOptions {
  /** A folder holding the student's versions of the lab's edited files (missing ones: the starter's). */
  submissionDir?: string
  /** Where to write the recording; by default a fresh temporary folder, removed by `cleanup()`. */
  recordingPath?: string
  /** Lowers the lab's step budget (`boot.maxSteps`), never raises it. */
  maxSteps?: number
  writtenBy?: string
}

/** How the recorded boot ended (JSON-friendly: steps as numbers, PC as hex). */
export interface LabBootStop {
  reason: StopReason
  message: string
  hint?: string
  step: number
  pc: string
  exitCode?: number
}

export type LabBoot =
  | { ran: true; steps: number; stop: LabBootStop; loc?: SourceLoc }
  /** The loader or the machine refused the kernel: not one instruction ran. */
  | { ran: false; error: ApiError }

export interface LabRun {
  folder: LabFolder
  /** The submission could not be read (a symlink, a folder, an oversized file): nothing was built. */
  inputError?: ApiError
  inputs?: BuildInputs
  build?: BuildResult
  /** Set when a recording was written (even for a kernel the loader refused: it holds the stop). */
  recordingPath?: string
  boot?: LabBoot
  /** The step budget the boot ran with. */
  maxSteps: number
  /** Removes the temporary recording, if this run made one. */
  cleanup(): void
}

/** The first error of a build, which is what a failed check shows when nothing could be built. */
export function firstBuildError(b: BuildResult): ApiError | undefined {
  return b.diagnostics.find((d) => d.severity === 'error') ?? (b.ok ? undefined : { code: 'build.failed', message: 'the build failed' })
}

export async function runLab(folder: LabFolder, opts: RunLabOptions = {}): Promise<LabRun> {
  const { lab } = folder
  const maxSteps = Math.max(1, Math.min(lab.boot.maxSteps, opts.maxSteps ?? lab.boot.maxSteps))
  let tempDir: string | undefined
  const run: LabRun = {
    folder,
    maxSteps,
    cleanup: () => {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true })
      tempDir = undefined
    },
  }

  // 1. The sources: the starter with the submission's edited files over it.
  const inputs = readBuildInputs(folder, opts.submissionDir)
  if (!inputs.ok) {
    run.inputError = inputs.error
    return run
  }
  run.inputs = inputs.value

  // 2. Build as lab.json says: these sources in this order, this script, these -D flags.
  const defines: Record<string, string> = {}
  for (const flag of lab.build.asFlags) {
    const m = /^-D([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(flag)
    if (m) defines[m[1]] = m[2] ?? '1'
  }
  const b = build({ files: inputs.value.files, script: lab.build.linkerScript, defines })
  run.build = b
  if (!b.ok || !b.elf) return run

  // 3. Boot and record, with the build's line table so the stop has a source line.
  if (opts.recordingPath) {
    run.recordingPath = opts.recordingPath
  } else {
    tempDir = mkdtempSync(join(tmpdir(), `bootscope-lab-${lab.id}-`))
    run.recordingPath = join(tempDir, 'boot.sqlite')
  }
  const sourceLines: SourceLine[] = b.lines.map((l) => ({ address: hex(l.address), size: l.size, file: l.file, line: l.line }))
  const started = await Recorder.start({
    recordingPath: run.recordingPath,
    kernel: { file: `${lab.id}.elf`, bytes: b.elf }, // names the boot in the recordings list
    bios: lab.boot.bios,
    memBytes: lab.boot.memBytes,
    maxSteps,
    writtenBy: opts.writtenBy ?? 'bootscope check',
    sourceLines,
  })
  if (!started.ok) {
    run.boot = { ran: false, error: started.error }
    return run
  }
  const r = await started.value.run()
  const s = r.stop
  run.boot = {
    ran: true,
    steps: r.steps,
    stop: {
      reason: s.reason as StopReason,
      message: s.message,
      ...(s.hint ? { hint: s.hint } : {}),
      step: Number(s.step),
      pc: hex(s.pc),
      ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
    },
    ...(r.loc ? { loc: r.loc } : {}),
  }
  return run
}
