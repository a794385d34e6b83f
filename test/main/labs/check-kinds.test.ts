/**
 * The check kinds and event selectors the built-in labs do not use (a `trap` at a symbol, `order`
 * on PTE writes and console output, `translate` while satp is Bare), and how a run treats what a
 * student hands in: a build error fails every check with the first error, a symbolic link is
 * refused, only the files the lab lets the student edit are taken from a submission.
 * A test lab is made from the identity-mapping lab's sources in a temporary folder.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evaluateLab, type CheckResult } from '../../../src/main/labs/evaluate'
import { loadLabFolder, solutionDir, type LabFolder } from '../../../src/main/labs/lab-folder'
import { runLab } from '../../../src/main/labs/run-lab'

const SOURCE_LAB = join(__dirname, '../../../resources/labs/identity-mapping')

const CHECKS = [
  { id: 'faults-after-satp', kind: 'trap', cause: 12, at: { symbol: '_start', offset: 32 }, title: 'fault after satp', message: 'MSG faults-after-satp' },
  { id: 'faults-at-entry', kind: 'trap', cause: 12, at: '0x80200000', title: 'fault at entry', message: 'MSG faults-at-entry' },
  { id: 'timer-interrupt', kind: 'trap', cause: 5, interrupt: true, title: 'a timer interrupt', message: 'MSG timer-interrupt' },
  {
    id: 'cleared-then-flushed',
    kind: 'order',
    first: { event: 'pte_write', new: '0x0' },
    then: { event: 'sfence_vma', occurrence: 'last' },
    title: 'entry cleared, then flushed',
    message: 'MSG cleared-then-flushed',
  },
  {
    id: 'printed-before-shutdown',
    kind: 'order',
    first: { event: 'uart_output', contains: 'boot_page_table' },
    then: { event: 'stop', reason: 'shutdown' },
    title: 'printed, then shut down',
    message: 'MSG printed-before-shutdown',
  },
  { id: 'bare-at-handoff', kind: 'translate', when: { event: 'firmware_handoff' }, va: '0x80200000', pa: '0x80200000', title: 'bare: identity', message: 'MSG bare-at-handoff' },
  { id: 'bare-not-unmapped', kind: 'translate', when: { event: 'firmware_handoff' }, va: '0x80200000', unmapped: true, title: 'bare: unmapped?', message: 'MSG bare-not-unmapped' },
  { id: 'high-is-rwx-gigapage', kind: 'translate', va: { symbol: 'rust_main' }, perms: 'RWX', pageSize: 1073741824, title: 'gigapage', message: 'MSG high-is-rwx-gigapage' },
  { id: 'stack-symbol', kind: 'symbol', name: 'boot_stack_top', section: '.bss', title: 'stack in bss', message: 'MSG stack-symbol' },
]

let root: string
let folder: LabFolder
const solutionEntry = () => readFileSync(join(SOURCE_LAB, 'solution/entry.S'), 'utf8')

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bootscope-kinds-'))
  const labDir = join(root, 'lab')
  cpSync(SOURCE_LAB, labDir, { recursive: true })
  const lab = JSON.parse(readFileSync(join(SOURCE_LAB, 'lab.json'), 'utf8'))
  writeFileSync(join(labDir, 'lab.json'), JSON.stringify({ ...lab, id: 'kinds', checks: CHECKS }, null, 2))
  const loaded = loadLabFolder(labDir)
  expect(loaded.errors).toEqual([])
  folder = loaded.folder!
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

async function check(submissionDir?: string): Promise<Map<string, CheckResult>> {
  const run = await runLab(folder, { submissionDir })
  try {
    return new Map((await evaluateLab(run)).map((r) => [r.id, r]))
  } finally {
    run.cleanup()
  }
}

function submission(name: string, files: Record<string, string>): string {
  const dir = join(root, 'submissions', name)
  mkdirSync(dir, { recursive: true })
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
  return dir
}

describe('check kinds on the recording', () => {
  it('trap: the starter’s fetch fault is found at _start+32, not at another address, and no interrupt happened', async () => {
    const r = await check()
    expect(r.get('faults-after-satp')).toMatchObject({ passed: true, detail: expect.stringMatching(/^instruction page fault \(cause 12\) at step \d+, epc 0x80200020 \(_start\+0x20\)/) })
    expect(r.get('faults-after-satp')!.step).toBeGreaterThan(0)
    expect(r.get('faults-at-entry')).toMatchObject({ passed: false, message: 'MSG faults-at-entry' })
    expect(r.get('faults-at-entry')!.detail).toContain('it happened at 0x80200020 (_start+0x20)')
    expect(r.get('timer-interrupt')).toMatchObject({ passed: false, detail: expect.stringMatching(/^no interrupt of cause 5;/) })
  })

  it('order on pte_write and uart_output/stop selectors: the solution clears entry 2, flushes, prints, shuts down', async () => {
    const r = await check(solutionDir(folder))
    expect(r.get('cleared-then-flushed')).toMatchObject({ passed: true })
    expect(r.get('cleared-then-flushed')!.detail).toMatch(/the first page-table entry written with new value 0x0 at step (\d+), the last sfence.vma at step (\d+)/)
    expect(r.get('printed-before-shutdown')).toMatchObject({ passed: true })
    expect(r.get('faults-after-satp')).toMatchObject({ passed: false, message: 'MSG faults-after-satp' })
    expect(r.get('high-is-rwx-gigapage')).toMatchObject({ passed: true })
    expect(r.get('stack-symbol')).toMatchObject({ passed: true, detail: expect.stringMatching(/^boot_stack_top = 0xffffffff802\w+ in \.bss$/) })
  })

  it('order: a missing event fails the check and says which one', async () => {
    const r = await check()
    expect(r.get('cleared-then-flushed')!.passed).toBe(false)
    expect(r.get('cleared-then-flushed')!.detail).toMatch(/^the first page-table entry written with new value 0x0 and the last sfence.vma never happened/)
    expect(r.get('printed-before-shutdown')!.detail).toContain('never happened')
  })

  it('translate while satp is Bare: pa equals va, and "unmapped" fails', async () => {
    const r = await check()
    // The hand-off is a state itself: the state after it is the kernel's first, step 0.
    expect(r.get('bare-at-handoff')).toMatchObject({ passed: true, step: 0 })
    expect(r.get('bare-at-handoff')!.detail).toContain('satp is Bare')
    expect(r.get('bare-not-unmapped')).toMatchObject({ passed: false, message: 'MSG bare-not-unmapped' })
  })
})

describe('submissions', () => {
  it('a build error fails every check with the build’s first error', async () => {
    const dir = submission('broken', { 'entry.S': solutionEntry().replace('_start:\n', '_start:\n    sfence.vmaa\n') })
    const r = await check(dir)
    expect(r.size).toBe(CHECKS.length)
    for (const c of r.values()) {
      expect(c.passed).toBe(false)
      expect(c.detail).toMatch(/^the kernel does not build: entry\.S:\d+:\d+: error: .*sfence\.vmaa/)
    }
  })

  it('only the edited files come from the submission: a main.S handed in is ignored', async () => {
    const dir = submission('extra-files', { 'entry.S': solutionEntry(), 'main.S': 'this is not assembly\n' })
    const run = await runLab(folder, { submissionDir: dir })
    try {
      expect(run.inputs!.fromSubmission).toEqual(['entry.S'])
      expect(run.build!.ok).toBe(true)
      const r = await evaluateLab(run)
      expect(r.find((x) => x.id === 'cleared-then-flushed')!.passed).toBe(true)
    } finally {
      run.cleanup()
    }
  })

  it('a file the submission lacks is the starter’s', async () => {
    const run = await runLab(folder, { submissionDir: submission('empty', {}) })
    run.cleanup()
    expect(run.inputs!.fromSubmission).toEqual([])
    expect(run.boot).toMatchObject({ ran: true, stop: { reason: 'trap-loop' } })
  })

  it('a symbolic link out of the submission folder is refused, and nothing is built', async () => {
    writeFileSync(join(root, 'outside.S'), solutionEntry())
    const dir = submission('symlink', {})
    symlinkSync(join(root, 'outside.S'), join(dir, 'entry.S'))
    const run = await runLab(folder, { submissionDir: dir })
    run.cleanup()
    expect(run.inputError?.code).toBe('lab.submission_symlink')
    expect(run.build).toBeUndefined()
    const r = await evaluateLab(run)
    expect(r.every((c) => !c.passed && c.detail.includes('symbolic link'))).toBe(true)
  })
})
