/**
 * `bootscope grade` on a class of 20 generated submissions of the identity-mapping lab, two at a
 * time: correct ones, wrong ones (the starter unchanged, or the identity mapping restored but
 * never removed), ones that do not build, infinite loops (`j .`) and one whose file is a
 * symbolic link out of its folder. The lab is a copy whose step budget is too large to reach, so
 * a loop runs until the wall-time limit kills its process; every other row must be unaffected.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GradeReport, RowStatus } from '../../../src/main/labs/grade'
import { CSV_LEAD_COLUMNS, CSV_TAIL_COLUMNS, gradeCsv } from '../../../src/main/labs/grade-report'

const ROOT = join(__dirname, '../../..')
const BIN = join(ROOT, 'bin/bootscope.mjs')
const SOURCE_LAB = join(ROOT, 'resources/labs/identity-mapping')
const TIMEOUT_SECONDS = 20

const ALL_CHECKS = ['no-fetch-fault', 'identity-until-jump', 'runs-high', 'identity-removed', 'flushed-after-jump', 'kernel-still-mapped', 'reports-entry-cleared', 'shuts-down']
type Kind = 'correct' | 'starter' | 'kept-identity' | 'no-build' | 'loop' | 'empty' | 'symlink'
/** What each kind of submission must get: its status and the checks it fails. */
const EXPECTED: Record<Kind, { status: RowStatus; fails: string[] }> = {
  correct: { status: 'passed', fails: [] },
  // A boot stuck in its first fetch never gets to its end: the end-state checks fail too.
  starter: { status: 'failed', fails: ['no-fetch-fault', 'identity-until-jump', 'runs-high', 'identity-removed', 'flushed-after-jump', 'kernel-still-mapped', 'reports-entry-cleared', 'shuts-down'] },
  empty: { status: 'failed', fails: ['no-fetch-fault', 'identity-until-jump', 'runs-high', 'identity-removed', 'flushed-after-jump', 'kernel-still-mapped', 'reports-entry-cleared', 'shuts-down'] },
  'kept-identity': { status: 'failed', fails: ['identity-removed', 'flushed-after-jump', 'reports-entry-cleared'] },
  'no-build': { status: 'build-error', fails: ALL_CHECKS },
  loop: { status: 'timed-out', fails: ALL_CHECKS },
  symlink: { status: 'rejected', fails: ALL_CHECKS },
}
/** The class, in folder order; the two loops are neighbours so they time out side by side. */
const CLASS: Kind[] = [
  'correct', 'starter', 'no-build', 'kept-identity', 'correct', 'loop', 'loop', 'correct', 'starter', 'symlink',
  'correct', 'no-build', 'kept-identity', 'starter', 'correct', 'empty', 'no-build', 'correct', 'starter', 'kept-identity',
]
const name = (i: number) => `student-${String(i + 1).padStart(2, '0')}`

let work: string
let labDir: string
let json: GradeReport
let csv: string
let stderr: string

function writeSubmission(dir: string, kind: Kind): void {
  mkdirSync(dir, { recursive: true })
  const solution = readFileSync(join(SOURCE_LAB, 'solution/entry.S'), 'utf8')
  const starter = readFileSync(join(SOURCE_LAB, 'entry.S'), 'utf8')
  const text: Record<Exclude<Kind, 'empty' | 'symlink'>, string> = {
    correct: solution,
    starter,
    'kept-identity': starter.replace(/\.quad 0\s+# entry 2.*$/m, '.quad (0x80000 << 10) | 0xcf'),
    'no-build': solution.replace('csrw satp, t0', 'csrw satp, t0, t0'),
    loop: solution.replace('_start:\n', '_start:\n    j .\n'),
  }
  if (kind === 'symlink') symlinkSync(join(work, 'outside', 'entry.S'), join(dir, 'entry.S'))
  else if (kind !== 'empty') writeFileSync(join(dir, 'entry.S'), text[kind])
}

/**
 * On the interpreter: the loops must outlast the time limit, and compiled blocks (the default
 * engine) run `j .` at several G steps/s — past the largest budget a lab may set (MAX_LAB_STEPS,
 * 10 G) within the 20 s. Both engines grade the same (test/main/machine/blocks: same results, step for step).
 */
async function grade(out: string): Promise<string> {
  const args = [BIN, 'grade', labDir, join(work, 'submissions'), '--out', out, '--jobs', '2', '--timeout', String(TIMEOUT_SECONDS), '--engine', 'interp']
  const r = await promisify(execFile)(process.execPath, args, { cwd: work, encoding: 'utf8' })
  return r.stderr
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bootscope-grade-'))
  labDir = join(work, 'lab')
  cpSync(SOURCE_LAB, labDir, { recursive: true })
  const lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8'))
  // A budget no loop reaches in the time limit: the loops are stopped by the kill, not by the step count.
  writeFileSync(join(labDir, 'lab.json'), JSON.stringify({ ...lab, boot: { ...lab.boot, maxSteps: 10_000_000_000 } }))
  // A correct file outside the submissions: a symlink to it must not earn a pass.
  mkdirSync(join(work, 'outside'))
  writeFileSync(join(work, 'outside', 'entry.S'), readFileSync(join(SOURCE_LAB, 'solution/entry.S'), 'utf8'))
  CLASS.forEach((kind, i) => writeSubmission(join(work, 'submissions', name(i)), kind))
  writeFileSync(join(work, 'submissions', 'notes.txt'), 'not a submission\n')

  stderr = await grade(join(work, 'report.json'))
  json = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8')) as GradeReport
  // The CSV is the same report in another format (the command writes gradeCsv of it); grading
  // the class twice would only pay the loops' time limit again.
  csv = gradeCsv(json)
}, 400_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('bootscope grade on 20 submissions, 2 at a time', () => {
  it('has one row per submission folder, in order, and skips what is not a folder', () => {
    expect(json.rows.map((r) => r.submission)).toEqual(CLASS.map((_, i) => name(i)))
    expect(json.skipped).toEqual(['notes.txt'])
    expect(json.checks.map((c) => c.id)).toEqual(ALL_CHECKS)
    expect(json.options).toMatchObject({ jobs: 2, timeoutSeconds: TIMEOUT_SECONDS })
    expect(stderr).toMatch(/20 submissions: 6 passed, 8 failed, 3 did not build, 2 timed out, 1 rejected or errors/)
  })

  it.each(CLASS.map((kind, i) => [name(i), kind] as const))('%s (%s): the right status and failed checks', (student, kind) => {
    const row = json.rows.find((r) => r.submission === student)!
    const e = EXPECTED[kind]
    expect(row.status).toBe(e.status)
    expect(ALL_CHECKS.filter((id) => !row.checks[id].passed)).toEqual(e.fails)
    expect(row.failures.map((f) => f.id)).toEqual(e.fails)
    expect(row.checksPassed).toBe(ALL_CHECKS.length - e.fails.length)
    expect(row.seconds).toBeGreaterThan(0)
    if (kind === 'correct') expect(row.stop).toMatch(/^shutdown at step \d+$/)
    if (kind === 'starter' || kind === 'empty') {
      expect(row.stop).toMatch(/^trap-loop at step \d+$/)
      expect(row.checks['no-fetch-fault'].detail).toContain('instruction page fault (cause 12)')
      expect(row.failures[0].message).toContain('After `csrw satp` the very next instruction is fetched through the new page table')
    }
    if (kind === 'no-build') {
      expect(row.buildErrors.length).toBeGreaterThan(0)
      expect(row.buildErrors[0]).toMatch(/^entry\.S:\d+:\d+: error:/)
      expect(row.checks['shuts-down'].detail).toMatch(/^the kernel does not build: entry\.S:\d+:\d+: error:/)
    }
    if (kind === 'loop') {
      expect(row.error).toBe(`timed out: killed after ${TIMEOUT_SECONDS} s`)
      expect(row.seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS)
      expect(row.seconds).toBeLessThan(TIMEOUT_SECONDS + 5)
    }
    if (kind === 'symlink') expect(row.error).toContain('symbolic link')
  })

  it('writes the same table as CSV: one column per check id, pass/fail cells, reasons and build errors', () => {
    const lines = csv.trimEnd().split('\r\n')
    expect(lines[0]).toBe([...CSV_LEAD_COLUMNS, ...ALL_CHECKS, ...CSV_TAIL_COLUMNS].join(','))
    // Quoted cells (failures, build errors) may hold line breaks and commas: find each row by its
    // name; the columns up to the verdicts are plain.
    for (const [i, kind] of CLASS.entries()) {
      const start = lines.findIndex((l) => l.startsWith(`${name(i)},`))
      expect(start, name(i)).toBeGreaterThan(0)
      const cells = lines[start].split(',')
      expect(cells[1]).toBe(EXPECTED[kind].status)
      const verdicts = cells.slice(CSV_LEAD_COLUMNS.length, CSV_LEAD_COLUMNS.length + ALL_CHECKS.length)
      expect(verdicts).toEqual(ALL_CHECKS.map((id) => (EXPECTED[kind].fails.includes(id) ? 'fail' : 'pass')))
    }
    expect(csv).toContain('timed out: killed after')
    expect(csv).toMatch(/entry\.S:\d+:\d+: error:/)
  })
})

describe('bootscope grade --out report.csv', () => {
  it('writes the CSV report of a small class', async () => {
    const subs = join(work, 'small')
    writeSubmission(join(subs, 'a'), 'correct')
    writeSubmission(join(subs, '=b'), 'no-build')
    const out = join(work, 'small.csv')
    await promisify(execFile)(process.execPath, [BIN, 'grade', join(ROOT, 'resources/labs/identity-mapping'), subs, '--out', out, '--jobs', '2'], { cwd: work })
    const lines = readFileSync(out, 'utf8').split('\r\n')
    expect(lines[0]).toBe([...CSV_LEAD_COLUMNS, ...ALL_CHECKS, ...CSV_TAIL_COLUMNS].join(','))
    // Rows sort by folder name; a name a spreadsheet would take for a formula is defused.
    expect(lines[1]).toMatch(/^'=b,build-error,0,8,0,8,[\d.]+,fail,fail,fail,fail,fail,fail,fail,fail,"no-fetch-fault: the kernel does not build: entry\.S:\d+:\d+: error:/)
    expect(lines.find((l) => l.startsWith('a,'))).toMatch(/^a,passed,8,8,8,8,[\d.]+,pass,pass,pass,pass,pass,pass,pass,pass,,,shutdown at step \d+,$/)
  })
})
