/**
 * `bootscope grade LAB_DIR SUBMISSIONS_DIR --out report.csv|report.json [--jobs N]`: checks every
 * submission folder against the lab, each in its own process with a step budget and a time
 * limit (labs/grade.ts), and writes one report row per submission. Progress goes to stderr.
 * Exit status 0 once the report is written, whatever the grades; 2 for usage errors or an
 * invalid lab.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { formatDiagnostic } from '../../../shared/api/result'
import { UsageError, type CliCommand } from '../command'
import { DEFAULT_GRADE_TIMEOUT_MS, gradeAll } from '../../labs/grade'
import { gradeCsv, gradeJson } from '../../labs/grade-report'
import { loadLabFolder } from '../../labs/lab-folder'

const USAGE = `Usage: bootscope grade LAB_DIR SUBMISSIONS_DIR --out REPORT.csv|REPORT.json [--jobs N] [--timeout SECONDS] [--max-steps N]

Checks every folder in SUBMISSIONS_DIR (one per student, holding their versions of the files the
lab edits) like \`bootscope check LAB_DIR --submission FOLDER\`, each in its own process, and
writes one row per submission: status, each check's pass/fail, failure reasons, build errors,
how the boot ended, time.
  --out FILE        the report: .csv (one column per check id) or .json
  --jobs N          submissions checked at once (default: the number of cores, ${availableParallelism()} here)
  --timeout SECONDS wall-time limit of one submission, build and boot included (default ${DEFAULT_GRADE_TIMEOUT_MS / 1000});
                    a submission past it is killed and its row says timed-out
  --max-steps N     lower the lab's step budget for every submission`

function positiveInt(v: string | undefined, flag: string): number {
  if (v === undefined || !/^[1-9][0-9]*$/.test(v)) throw new UsageError(`${flag} takes a positive whole number`)
  return Number(v)
}

export const gradeCommand: CliCommand = {
  name: 'grade',
  summary: 'check a folder of submissions against a lab and write a report',
  usage: USAGE,
  async run(argv) {
    const positional: string[] = []
    let out: string | undefined
    let jobs: number | undefined
    let timeoutMs = DEFAULT_GRADE_TIMEOUT_MS
    let maxSteps: number | undefined
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--out' || a === '-o') {
        out = argv[++i]
        if (out === undefined) throw new UsageError(`${a} takes a file name`)
      } else if (a === '--jobs' || a === '-j') jobs = positiveInt(argv[++i], a)
      else if (a === '--timeout') {
        const v = argv[++i]
        if (v === undefined || !/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError('--timeout takes a number of seconds')
        timeoutMs = Math.round(Number(v) * 1000)
      } else if (a === '--max-steps') maxSteps = positiveInt(argv[++i], a)
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else positional.push(a)
    }
    if (positional.length !== 2) throw new UsageError('give the lab folder and the folder of submissions')
    if (!out) throw new UsageError('where should the report go? give --out report.csv or --out report.json')
    const format = /\.csv$/i.test(out) ? 'csv' : /\.json$/i.test(out) ? 'json' : undefined
    if (!format) throw new UsageError(`--out ${out}: the report is .csv or .json`)
    const [labDir, submissionsDir] = positional
    if (!existsSync(submissionsDir) || !statSync(submissionsDir).isDirectory()) throw new UsageError(`${submissionsDir} is not a folder`)

    const loaded = loadLabFolder(labDir)
    if (!loaded.folder) {
      for (const e of loaded.errors) console.error(formatDiagnostic(e))
      return 2
    }
    const report = await gradeAll(loaded.folder, {
      submissionsDir,
      jobs,
      timeoutMs,
      maxSteps,
      onRow: (r, done, total) => {
        const what = r.status === 'passed' || r.status === 'failed' ? `${r.status} ${r.checksPassed}/${r.checksTotal}` : r.status
        process.stderr.write(`[${done}/${total}] ${r.submission}: ${what} (${r.seconds.toFixed(1)} s)\n`)
      },
    })
    for (const s of report.skipped) process.stderr.write(`bootscope grade: skipped ${s}: not a folder\n`)
    writeFileSync(out, format === 'csv' ? gradeCsv(report) : gradeJson(report))
    const count = (s: string) => report.rows.filter((r) => r.status === s).length
    process.stderr.write(
      `bootscope grade: ${report.rows.length} submissions: ${count('passed')} passed, ${count('failed')} failed, ${count('build-error')} did not build, ${count('timed-out')} timed out, ${count('rejected') + count('error')} rejected or errors; wrote ${out}\n`,
    )
    return 0
  },
}
