/**
 * `bootscope check` as a process: ✓/✗ lines with the lab's messages and steps, `--json`, exit
 * status 0 when every check passes, 1 when one fails, 2 for usage mistakes and invalid labs; a
 * runaway submission stops at the step budget given with `--max-steps` and keeps its recording.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckReport } from '../../../src/main/labs/check-report'

const ROOT = join(__dirname, '../../..')
const BIN = join(ROOT, 'bin/bootscope.mjs')
const LABS = join(ROOT, 'resources/labs')

async function bootscope(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr }
  }
}

let work: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bootscope-check-cli-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe.concurrent('bootscope check', () => {
  it('on a starter: exit 1, a ✗ line per failed check with its message, the verdicts the lab expects', async () => {
    const r = await bootscope(['check', join(LABS, 'vma-vs-lma')])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('✓ .text runs at 0xffffffff80200000  [text-vma]')
    expect(r.stdout).toContain('✗ .text is loaded at 0x80200000  [text-lma]')
    expect(r.stdout).toContain('    The LMA (load memory address) is where the bytes are put in memory before anything runs.')
    expect(r.stdout).toContain('    seen: .text: LMA is 0xffffffff80200000, not 0x80200000')
    expect(r.stdout).toContain('boot: the kernel never ran')
    expect(r.stdout).toMatch(/^1\/8 checks passed \(1\/8 points\)$/m)
  })

  it('on the solution with --json: exit 0 and a report where every check passed', async () => {
    const r = await bootscope(['check', join(LABS, 'identity-mapping'), '--solution', '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as CheckReport
    expect(report).toMatchObject({ passed: true, checksPassed: 8, checksTotal: 8, build: { ok: true, errors: [] }, boot: { ran: true, stop: { reason: 'shutdown' } } })
    expect(report.results.map((c) => c.id)).toEqual(['no-fetch-fault', 'identity-until-jump', 'runs-high', 'identity-removed', 'flushed-after-jump', 'kernel-still-mapped', 'reports-entry-cleared', 'shuts-down'])
    expect(report.results.find((c) => c.id === 'runs-high')!.step).toBeGreaterThan(0)
  })

  it('an infinite loop stops at --max-steps: exit 1, the shutdown check says "budget", the recording is kept', async () => {
    const sub = join(work, 'loop')
    mkdirSync(sub)
    const entry = readFileSync(join(LABS, 'identity-mapping/solution/entry.S'), 'utf8').replace('_start:\n', '_start:\n    j .\n')
    writeFileSync(join(sub, 'entry.S'), entry)
    const rec = join(work, 'loop.sqlite')
    const r = await bootscope(['check', join(LABS, 'identity-mapping'), '--submission', sub, '--max-steps', '100000', '--json', '--recording', rec])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as CheckReport
    expect(report.boot).toMatchObject({ ran: true, steps: 100000, stop: { reason: 'budget' } })
    const shutdown = report.results.find((c) => c.id === 'shuts-down')!
    expect(shutdown).toMatchObject({ passed: false, step: 100000, message: expect.stringContaining('SBI shutdown call') })
    expect(shutdown.detail).toMatch(/^the boot ran out of its step budget at step 100000/)
    expect(report.recording).toBe(rec)
    expect(existsSync(rec)).toBe(true)
  })

  it('usage mistakes and invalid labs exit 2', async () => {
    const none = await bootscope(['check'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Usage: bootscope check')
    const both = await bootscope(['check', join(LABS, 'vma-vs-lma'), '--solution', '--submission', work])
    expect(both.code).toBe(2)
    const missing = await bootscope(['check', join(work, 'no-such-lab')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read .*no-such-lab\/lab\.json: ENOENT/)
    const bad = join(work, 'bad-lab')
    mkdirSync(bad)
    writeFileSync(join(bad, 'lab.json'), '{ "format": 1, }')
    const invalid = await bootscope(['check', bad])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toMatch(/bad-lab\/lab\.json:1:\d+: error: trailing comma/)
  })
})
