/**
 * "Check my work" on the built-in labs, end to end on Bootscope's own path: each lab built with
 * our toolchain, booted and recorded, every check decided on the recording (events, replayed page
 * walks, layout report). The reference solution must pass every check; the starter must fail
 * exactly the checks its README sets the student to fix, each with the lab's own message, and
 * pass the rest (the starters are deliberately broken in one idea each).
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { evaluateLab, type CheckResult } from '../../../src/main/labs/evaluate'
import { loadLabFolder, solutionDir, type LabFolder } from '../../../src/main/labs/lab-folder'
import { runLab } from '../../../src/main/labs/run-lab'

const LABS_DIR = join(__dirname, '../../../resources/labs')

/** Per lab: the checks the unchanged starter fails (every other check passes), and why. */
const STARTER_FAILS: Record<string, string[]> = {
  // Linked and run at the physical address; paging is never turned on, so nothing high ever runs.
  'higher-half-sv39': ['linked-high', 'loaded-low', 'paging-on', 'identity-at-switch', 'kernel-mapped-high', 'runs-high', 'paging-before-jump', 'prints-high-pc'],
  // No identity mapping: the fetch right after `csrw satp` faults forever. The checks about the end
  // state (entry 2 gone, entry 510 still there) fail too: the boot never got to its end.
  'identity-mapping': ['no-fetch-fault', 'identity-until-jump', 'runs-high', 'identity-removed', 'flushed-after-jump', 'kernel-still-mapped', 'reports-entry-cleared', 'shuts-down'],
  // No AT(): the loader refuses segments at 0xffffffff8020...., only the VMA is right.
  'vma-vs-lma': ['text-lma', 'rodata-lma', 'data-lma', 'code-segment', 'data-segment', 'boots', 'shuts-down'],
  // Boots on one RWX gigapage: layout unaligned, permissions all RWX, identity alias left in place.
  'sections-permissions': ['no-orphan-text', 'console-code-in-text', 'rodata-aligned', 'data-aligned', 'end-aligned', 'text-rx', 'rodata-r', 'data-rw', 'stack-rw', 'identity-removed'],
  // The stubs report no memory and null frames, but boot and shut down cleanly.
  'frame-allocator': ['memory-region', 'first-frame-after-kernel', 'frames-advance', 'no-zero-frame'],
  // x86 (issue 15). No AT(): the loader refuses segments at 0xC01....., so nothing runs; only the symbol check passes.
  'i386-higher-half': ['text-lma', 'code-segment', 'bss-segment', 'paging-on', 'runs-high', 'high-maps-low', 'prints-high', 'vga-hello', 'exits'],
  // PDE 0 is never cleared: it boots and exits, with the identity mapping still there and no invlpg.
  'i386-identity-mapping': ['identity-removed', 'flushed-after-clear', 'reports-pde0-cleared'],
  // No CR4.PAE, no EFER.LME: CR0.PG turns on 32-bit paging, the next fetch faults, and with no IDT that is a triple fault.
  'x86-64-long-mode': ['pae-before-paging', 'lme-before-paging', 'compatibility-mode', 'lma-set', 'long-mode', 'prints-hello', 'exits'],
  // No recursive entry and no guard page: the probe's write below the stack lands, and it says so.
  'x86-64-guard-page': ['recursive-entry', 'guard-unmapped', 'guard-cleared-before-running-on', 'guard-faults', 'reports-fault'],
  // #DF without an IST stack: the overflow ends in a triple fault.
  'x86-64-double-fault-ist': ['double-fault-delivered', 'handler-reports', 'no-triple-fault'],
  // The stubs read no memory map and hand out no frame; the given code still prints the kernel's range and exits.
  'x86-64-frame-allocator': ['memory-map-read', 'frames-in-available-memory', 'frames-skip-kernel', 'frames-skip-boot-info', 'frames-all-free-memory', 'allocates-frames'],
}
const LAB_IDS = Object.keys(STARTER_FAILS)

function load(id: string): LabFolder {
  const { folder, errors } = loadLabFolder(join(LABS_DIR, id))
  expect(errors).toEqual([])
  return folder!
}

async function check(folder: LabFolder, submissionDir?: string): Promise<CheckResult[]> {
  const run = await runLab(folder, { submissionDir })
  try {
    return await evaluateLab(run)
  } finally {
    run.cleanup()
  }
}

const byId = (results: CheckResult[]) => new Map(results.map((r) => [r.id, r]))

describe('built-in labs checked on their recordings', () => {
  it('cover every built-in lab', async () => {
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(LABS_DIR).sort()).toEqual([...LAB_IDS].sort())
  })

  it.each(LAB_IDS)('%s: the reference solution passes every check', async (id) => {
    const folder = load(id)
    const results = await check(folder, solutionDir(folder))
    expect(results.map((r) => r.id)).toEqual(folder.lab.checks.map((c) => c.id))
    expect(results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.detail}`)).toEqual([])
    for (const r of results) expect(r.message).toBeUndefined()
  })

  it.each(LAB_IDS)('%s: the starter fails exactly the checks it is meant to, with the lab’s messages', async (id) => {
    const folder = load(id)
    const results = await check(folder)
    expect(results.filter((r) => !r.passed).map((r) => r.id)).toEqual(folder.lab.checks.filter((c) => STARTER_FAILS[id].includes(c.id)).map((c) => c.id))
    for (const c of folder.lab.checks) {
      const r = results.find((x) => x.id === c.id)!
      if (r.passed) continue
      expect(r.message).toBe(c.message)
      expect(r.hint).toBe(c.hint)
      expect(r.detail.length).toBeGreaterThan(0)
    }
  })
})

describe('what failed checks say and where they point', () => {
  it('identity-mapping starter: the fetch fault is named, with its step and address, and the boot ends in a trap loop', async () => {
    const r = byId(await check(load('identity-mapping')))
    const fault = r.get('no-fetch-fault')!
    expect(fault.detail).toMatch(/^instruction page fault \(cause 12\) at step \d+, epc 0x80200020 \(_start\+0x20\), tval 0x80200020$/)
    expect(fault.step).toBe(Number(/at step (\d+)/.exec(fault.detail)![1]))
    expect(r.get('shuts-down')!.detail).toMatch(/^the boot was stuck in a trap loop at step \d+:/)
    expect(r.get('shuts-down')!.step).toBe(fault.step)
    // In words, not the recording's kind names.
    expect(r.get('identity-until-jump')!.detail).toMatch(/^the first instruction fetched in \[0xffffffff80000000, 0xffffffffffffffff\] never happened/)
    expect(r.get('identity-until-jump')!.detail).not.toContain('region_enter')
    expect(r.get('flushed-after-jump')!.detail).toContain('the last sfence.vma')
    // A check about the end state fails when the boot never got there, at the step where it stopped.
    for (const id of ['identity-removed', 'kernel-still-mapped']) {
      expect(r.get(id)!.passed).toBe(false)
      expect(r.get(id)!.detail).toMatch(/^the boot never got to its end, so its end state cannot be checked: it stopped at step \d+ because it was stuck in a trap loop$/)
      expect(r.get(id)!.step).toBe(fault.step)
    }
  })

  it('identity-mapping solution: the timeline steps are those of the events the checks looked at', async () => {
    const folder = load('identity-mapping')
    const r = byId(await check(folder, solutionDir(folder)))
    const jump = r.get('runs-high')!.step!
    // The walk for "until the jump" is the state after the jump: the first higher-half instruction about to run.
    expect(r.get('identity-until-jump')!.step).toBe(jump)
    expect(r.get('flushed-after-jump')!.step).toBeGreaterThan(jump)
    expect(r.get('identity-removed')!.detail).toContain('does not translate')
    expect(r.get('shuts-down')!.step).toBe(r.get('identity-removed')!.step)
  })

  it('vma-vs-lma starter: the layout checks are still decided when the loader refuses the kernel', async () => {
    const r = byId(await check(load('vma-vs-lma')))
    expect(r.get('text-vma')!.passed).toBe(true)
    expect(r.get('text-lma')!.detail).toBe('.text: LMA is 0xffffffff80200000, not 0x80200000')
    expect(r.get('code-segment')!.detail).toContain('p_paddr is 0xffffffff80200000, not 0x80200000')
    expect(r.get('boots')!.detail).toMatch(/^the kernel never ran: .*outside RAM/)
    expect(r.get('boots')!.step).toBeUndefined()
  })

  it('sections-permissions starter: a gigapage is reported with its real permissions and size', async () => {
    const r = byId(await check(load('sections-permissions')))
    expect(r.get('text-rx')!.detail).toMatch(/-> 0x80200000 \(1 GiB page, RWX\): the permissions are RWX, not RX; the page is 1 GiB, not 4 KiB$/)
    expect(r.get('identity-removed')!.detail).toMatch(/it is still mapped$/)
    expect(r.get('no-orphan-text')!.detail).toContain('placed as an orphan')
  })

  it('frame-allocator starter: the forbidden console line is quoted at the step it was printed', async () => {
    const r = byId(await check(load('frame-allocator')))
    const zero = r.get('no-zero-frame')!
    expect(zero.detail).toMatch(/^the console printed "frame 0: 0x0000000000000000" at step \d+, which must not appear/)
    expect(zero.step).toBeGreaterThan(0)
    expect(r.get('memory-region')!.detail).toContain('memory: 0x0000000000000000 .. 0x0000000000000000')
  })
})
