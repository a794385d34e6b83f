/**
 * Batch grading: every submission folder of a class checked against one lab, each in its own
 * child process (`bootscope check … --json`) with a step budget, a wall-time limit and a memory
 * cap, a few at a time. A separate process per submission is the isolation: a kernel that loops
 * forever, an assembler input that explodes, or a crash in Bootscope itself costs that one row
 * ("timed out", "error") and nothing else. Each child runs in a fresh temporary folder that is
 * removed afterwards, and reads only the lab's edited files from its submission (lab-folder.ts).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { packagePath } from '../files/package-root'
import type { CheckKind, Lab } from '../../shared/labs/lab-format'
import type { CheckReport } from './check-report'
import type { LabFolder } from './lab-folder'

/** The `bootscope` launcher the children run. */
export const BOOTSCOPE_BIN = packagePath('bin', 'bootscope.mjs')
export const DEFAULT_GRADE_TIMEOUT_MS = 60_000
/** Heap of one child: plenty for a lab kernel's build and recording, and a ceiling for a hostile one. */
const CHILD_HEAP_MIB = 1024
/** A child's JSON report is a few KiB; more output than this is not a report. */
const MAX_CHILD_STDOUT = 4 * 1024 * 1024
const STDERR_TAIL_CHARS = 2000

export type RowStatus = 'passed' | 'failed' | 'build-error' | 'rejected' | 'timed-out' | 'error'

export interface GradeRow {
  /** The submission's folder name. */
  submission: string
  status: RowStatus
  checksPassed: number
  checksTotal: number
  points: number
  maxPoints: number
  /** Each check's verdict by id; on a timeout or an error every check has failed. */
  checks: Record<string, { passed: boolean; detail: string; step?: number }>
  /** The failed checks with the lab's message and what was seen. */
  failures: { id: string; message: string; detail: string }[]
  buildErrors: string[]
  /** How the boot ended ("shutdown at step 513"), or why it did not run. */
  stop: string | null
  /** Wall time of the whole check, child process included. */
  seconds: number
  /** For `timed-out`, `rejected` and `error`: what happened. */
  error?: string
}

export interface GradeReport {
  lab: { id: string; title: string; dir: string }
  generatedAt: string
  options: { jobs: number; timeoutSeconds: number; maxSteps: number | null }
  checks: { id: string; kind: CheckKind; title: string; points: number }[]
  rows: GradeRow[]
  /** Entries of the submissions folder that are not folders (files, symbolic links): not graded. */
  skipped: string[]
}

export interface GradeOptions {
  submissionsDir: string
  jobs?: number
  timeoutMs?: number
  maxSteps?: number
  onRow?: (row: GradeRow, done: number, total: number) => void
}

/** The submission folders: real directories only (a symbolic link could lead anywhere), sorted, hidden ones ignored. */
export function listSubmissions(dir: string): { folders: string[]; skipped: string[] } {
  const folders: string[] = []
  const skipped: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue
    if (e.isDirectory()) folders.push(e.name)
    else skipped.push(e.name)
  }
  const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })
  return { folders: folders.sort(byName), skipped: skipped.sort(byName) }
}

function allFailed(lab: Lab, why: string): GradeRow['checks'] {
  return Object.fromEntries(lab.checks.map((c) => [c.id, { passed: false, detail: why }]))
}

/** A row from the child's report. */
export function rowFromReport(name: string, r: CheckReport, seconds: number): GradeRow {
  const status: RowStatus = r.rejected ? 'rejected' : !r.build.ok ? 'build-error' : r.passed ? 'passed' : 'failed'
  return {
    submission: name,
    status,
    checksPassed: r.checksPassed,
    checksTotal: r.checksTotal,
    points: r.points,
    maxPoints: r.maxPoints,
    checks: Object.fromEntries(r.results.map((c) => [c.id, { passed: c.passed, detail: c.detail, ...(c.step !== undefined ? { step: c.step } : {}) }])),
    failures: r.results.filter((c) => !c.passed).map((c) => ({ id: c.id, message: c.message ?? '', detail: c.detail })),
    buildErrors: r.build.errors,
    stop: !r.boot ? null : r.boot.ran ? `${r.boot.stop.reason} at step ${r.boot.stop.step}` : `never ran: ${r.boot.error}`,
    seconds,
    ...(r.rejected ? { error: r.rejected } : {}),
  }
}

function failedRow(lab: Lab, name: string, status: 'timed-out' | 'error', why: string, seconds: number): GradeRow {
  return {
    submission: name,
    status,
    checksPassed: 0,
    checksTotal: lab.checks.length,
    points: 0,
    maxPoints: lab.checks.reduce((s, c) => s + c.points, 0),
    checks: allFailed(lab, why),
    failures: lab.checks.map((c) => ({ id: c.id, message: c.message, detail: why })),
    buildErrors: [],
    stop: null,
    seconds,
    error: why,
  }
}

/** Checks one submission in a child process, killed when it outlives `timeoutMs`. */
export function gradeOne(folder: LabFolder, submission: string, name: string, opts: { timeoutMs: number; maxSteps?: number }): Promise<GradeRow> {
  const work = mkdtempSync(join(tmpdir(), 'bootscope-grade-'))
  const args = [`--max-old-space-size=${CHILD_HEAP_MIB}`, BOOTSCOPE_BIN, 'check', folder.dir, '--submission', submission, '--json', '--recording', join(work, 'boot.sqlite')]
  if (opts.maxSteps !== undefined) args.push('--max-steps', String(opts.maxSteps))
  const t0 = performance.now()
  return new Promise<GradeRow>((done) => {
    const child = spawn(process.execPath, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    let overflow = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length + d.length > MAX_CHILD_STDOUT) {
        overflow = true
        child.kill('SIGKILL')
      } else stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL_CHARS)
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, opts.timeoutMs)
    const finish = (code: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer)
      rmSync(work, { recursive: true, force: true })
      const seconds = Math.round(performance.now() - t0) / 1000
      const { lab } = folder
      if (timedOut) return done(failedRow(lab, name, 'timed-out', `timed out: killed after ${opts.timeoutMs / 1000} s`, seconds))
      if (spawnError) return done(failedRow(lab, name, 'error', `could not start the check: ${spawnError.message}`, seconds))
      if (overflow) return done(failedRow(lab, name, 'error', `the check printed more than ${MAX_CHILD_STDOUT} bytes`, seconds))
      try {
        // exit 0 or 1 with one JSON object: a verdict; anything else is a crash of the check.
        if (code !== 0 && code !== 1) throw new Error('no report')
        return done(rowFromReport(name, JSON.parse(stdout) as CheckReport, seconds))
      } catch {
        const how = signal ? `killed by ${signal}` : `exit status ${code}`
        const tail = stderr.trim().split('\n').slice(-3).join(' / ')
        return done(failedRow(lab, name, 'error', `the check failed (${how})${tail ? `: ${tail}` : ''}`, seconds))
      }
    }
    child.on('error', (e) => finish(null, null, e))
    child.on('close', (code, signal) => finish(code, signal))
  })
}

/** Grades every submission folder of `opts.submissionsDir`, `jobs` at a time; rows in folder order. */
export async function gradeAll(folder: LabFolder, opts: GradeOptions): Promise<GradeReport> {
  const root = resolve(opts.submissionsDir)
  const { folders, skipped } = listSubmissions(root)
  const jobs = Math.max(1, opts.jobs ?? availableParallelism())
  const timeoutMs = opts.timeoutMs ?? DEFAULT_GRADE_TIMEOUT_MS
  const rows: GradeRow[] = new Array(folders.length)
  let next = 0
  let finished = 0
  const worker = async () => {
    while (next < folders.length) {
      const i = next++
      rows[i] = await gradeOne(folder, join(root, folders[i]), folders[i], { timeoutMs, maxSteps: opts.maxSteps })
      opts.onRow?.(rows[i], ++finished, folders.length)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, folders.length)) }, worker))
  const { lab } = folder
  return {
    lab: { id: lab.id, title: lab.title, dir: folder.dir },
    generatedAt: new Date().toISOString(),
    options: { jobs, timeoutSeconds: timeoutMs / 1000, maxSteps: opts.maxSteps ?? null },
    checks: lab.checks.map((c) => ({ id: c.id, kind: c.kind, title: c.title, points: c.points })),
    rows,
    skipped,
  }
}
