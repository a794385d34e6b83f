/**
 * `bootscope check LAB_DIR [--submission DIR | --solution] [--json]`: "Check my work" from the
 * command line. Builds the lab (a submission's edited files over the starter), records the boot,
 * decides every check of lab.json on the recording and prints ✓/✗ per check with the lab's
 * message and the step to look at. Exit 0 when every check passes, 1 when one fails (or nothing
 * builds), 2 for a usage mistake or an invalid lab. `--json` is what `bootscope grade` reads.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { formatDiagnostic } from '../../../shared/api/result'
import { UsageError, type CliCommand } from '../command'
import { checkReport, type CheckReport } from '../../labs/check-report'
import { evaluateLab } from '../../labs/evaluate'
import { loadLabFolder, solutionDir } from '../../labs/lab-folder'
import { runLab } from '../../labs/run-lab'

const USAGE = `Usage: bootscope check LAB_DIR [--submission DIR | --solution] [--json] [--recording FILE] [--max-steps N]

Builds the lab in LAB_DIR with its starter files (or a submission's), boots it under the lab's
step budget, records the boot and decides every check of lab.json on the recording.
  --submission DIR   take the files the student edits (lab.json "files") from DIR; the others,
                     and any file DIR lacks, come from the lab
  --solution         check the lab's reference solution (its "solution" folder)
  --json             print one JSON object (the format of docs/labs.md, "Checking and grading")
  --recording FILE   keep the recording in FILE (a new file), to open its timeline
  --max-steps N      lower the lab's step budget

Exit status: 0 when every check passes, 1 when any fails, 2 for usage errors or an invalid lab.`

function printHuman(r: CheckReport): void {
  console.log(`${r.lab.title} (${r.lab.id})${r.submission ? `, submission ${r.submission}` : ', starter files'}`)
  if (!r.build.ok) console.log(`build: failed\n  ${r.build.errors.join('\n  ')}`)
  if (r.boot && !r.boot.ran) console.log(`boot: the kernel never ran\n  ${r.boot.error}`)
  if (r.boot?.ran) console.log(`boot: ${r.boot.stop.reason} at step ${r.boot.stop.step}: ${r.boot.stop.message}`)
  if (r.recording) console.log(`recording: ${r.recording}`)
  console.log('')
  for (const c of r.results) {
    const at = c.step !== undefined ? `  (step ${c.step})` : ''
    console.log(`${c.passed ? '✓' : '✗'} ${c.title}  [${c.id}]${at}`)
    if (!c.passed) {
      console.log(`    ${c.message}`)
      if (c.hint) console.log(`    hint: ${c.hint}`)
      console.log(`    seen: ${c.detail}`)
    }
  }
  console.log(`\n${r.checksPassed}/${r.checksTotal} checks passed (${r.points}/${r.maxPoints} points)`)
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'build, record and check a lab (or a submission of it)',
  usage: USAGE,
  async run(argv) {
    const positional: string[] = []
    let submission: string | undefined
    let useSolution = false
    let json = false
    let recording: string | undefined
    let maxSteps: number | undefined
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--submission') {
        submission = argv[++i]
        if (submission === undefined) throw new UsageError('--submission takes a folder')
      } else if (a === '--solution') useSolution = true
      else if (a === '--json') json = true
      else if (a === '--recording') {
        recording = argv[++i]
        if (recording === undefined) throw new UsageError('--recording takes a file name')
      } else if (a === '--max-steps') {
        const v = argv[++i]
        if (v === undefined || !/^[1-9][0-9]*$/.test(v)) throw new UsageError('--max-steps takes a positive whole number')
        maxSteps = Number(v)
      } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else positional.push(a)
    }
    if (positional.length !== 1) throw new UsageError('give one lab folder: bootscope check LAB_DIR')
    if (submission !== undefined && useSolution) throw new UsageError('--submission and --solution exclude each other')
    if (recording !== undefined && existsSync(recording)) throw new UsageError(`${recording} exists; give --recording a new file name`)

    const loaded = loadLabFolder(positional[0])
    if (!loaded.folder) {
      for (const e of loaded.errors) console.error(formatDiagnostic(e))
      return 2
    }
    const folder = loaded.folder
    const subDir = useSolution ? solutionDir(folder) : submission !== undefined ? resolve(submission) : undefined
    const t0 = performance.now()
    const run = await runLab(folder, { submissionDir: subDir, recordingPath: recording, maxSteps })
    try {
      const results = await evaluateLab(run)
      const report = checkReport(run, results, {
        submission: subDir ?? null,
        keptRecording: recording !== undefined && run.recordingPath ? resolve(recording) : null,
        seconds: (performance.now() - t0) / 1000,
      })
      if (json) console.log(JSON.stringify(report))
      else printHuman(report)
      return report.passed ? 0 : 1
    } finally {
      run.cleanup()
    }
  },
}
