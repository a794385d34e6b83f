/**
 * A grade report as a file: JSON (the `GradeReport` object as is) or CSV for a spreadsheet, one
 * row per submission and one column per check id (docs/labs.md, "Grade reports"). Cells are
 * quoted per RFC 4180; a cell that a spreadsheet would run as a formula (=, +, -, @ first) gets a
 * leading apostrophe, since folder names and build errors come from students.
 */
import type { GradeReport } from './grade'

/** The fixed columns before the per-check ones, and after them. */
export const CSV_LEAD_COLUMNS = ['submission', 'status', 'checks_passed', 'checks_total', 'points', 'max_points', 'seconds'] as const
export const CSV_TAIL_COLUMNS = ['failures', 'build_errors', 'stop', 'error'] as const

function cell(v: string | number): string {
  let s = String(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function gradeCsv(report: GradeReport): string {
  const ids = report.checks.map((c) => c.id)
  const lines = [[...CSV_LEAD_COLUMNS, ...ids, ...CSV_TAIL_COLUMNS].map(cell).join(',')]
  for (const r of report.rows) {
    const row: (string | number)[] = [r.submission, r.status, r.checksPassed, r.checksTotal, r.points, r.maxPoints, r.seconds]
    for (const id of ids) row.push(r.checks[id]?.passed ? 'pass' : 'fail')
    row.push(
      r.failures.map((f) => `${f.id}: ${f.detail}`).join('\n'),
      r.buildErrors.join('\n'),
      r.stop ?? '',
      r.error ?? '',
    )
    lines.push(row.map(cell).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}

export function gradeJson(report: GradeReport): string {
  return JSON.stringify(report, null, 2) + '\n'
}
