/**
 * Labs through the Host, as the renderer uses them: the built-in lab packs, a lab started as the
 * workspace (starter copied, solution never), edits kept on a second start, and "Check my work"
 * run for real in the core worker on the identity-mapping lab — the starter fails the checks the
 * lab is about, the reference solution typed into the workspace passes every one — with the
 * recording kept in the lab workspace's recordings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Host } from '../../../src/main/host/host'
import { labWorkspaceDir } from '../../../src/main/host/lab-service'
import { LABS_DIR } from '../../../src/main/host/paths'
import type { ArgsOf, RequestName, ResultOf } from '../../../src/shared/api/contract'
import type { Result } from '../../../src/shared/api/result'

let home: string
let host: Host

async function call<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<Result<ResultOf<N>>> {
  return (await host.invoke(name, args)) as Result<ResultOf<N>>
}

async function value<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<ResultOf<N>> {
  const r = await call(name, args)
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`)
  return r.value
}

beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), 'bootscope-labs-')), 'workspace')
  host = new Host({ workspaceRoot: home, transport: 'websocket' })
})
afterEach(async () => {
  await host.dispose()
  rmSync(join(home, '..'), { recursive: true, force: true })
})

describe('lab service', () => {
  it('lists the built-in labs in their order, none started', async () => {
    const labs = await value('lab.list', {})
    expect(labs.map((l) => l.id)).toEqual(['higher-half-sv39', 'identity-mapping', 'vma-vs-lma', 'sections-permissions', 'frame-allocator', 'i386-higher-half', 'i386-identity-mapping', 'x86-64-long-mode', 'x86-64-frame-allocator', 'x86-64-guard-page', 'x86-64-double-fault-ist'])
    expect(labs[1]).toMatchObject({ title: 'Why the identity mapping?', started: false })
    expect(labs[1].summary).toMatch(/identity mapping/)
  })

  it('starts a lab as the workspace: starter files copied, lab.json and the solution never', async () => {
    const info = await value('lab.start', { id: 'identity-mapping' })
    const root = labWorkspaceDir(home, 'identity-mapping')
    expect(info).toMatchObject({ id: 'identity-mapping', title: 'Why the identity mapping?', files: ['entry.S'], root })
    expect(info.readme).toBe(readFileSync(join(LABS_DIR, 'identity-mapping', 'README.md'), 'utf8'))

    const ws = await value('workspace.get', {})
    expect(ws.root).toBe(root)
    expect(ws.files.map((f) => f.path)).toEqual(['README.md', 'console.S', 'entry.S', 'linker.ld', 'main.S'])
    expect(existsSync(join(root, 'solution'))).toBe(false)
    expect(existsSync(join(root, 'lab.json'))).toBe(false)
    const entry = await value('file.read', { path: 'entry.S' })
    expect(entry.text).toBe(readFileSync(join(LABS_DIR, 'identity-mapping', 'entry.S'), 'utf8'))
    expect((await value('lab.current', {}))?.id).toBe('identity-mapping')
    expect((await value('lab.list', {})).find((l) => l.id === 'identity-mapping')?.started).toBe(true)
  })

  it('keeps the student’s edits when a lab is started again, and restores a deleted file', async () => {
    await value('lab.start', { id: 'identity-mapping' })
    await value('file.write', { path: 'entry.S', text: '# mine\n' })
    unlinkSync(join(labWorkspaceDir(home, 'identity-mapping'), 'main.S'))
    await value('lab.close', {})
    await value('lab.start', { id: 'identity-mapping' })
    expect((await value('file.read', { path: 'entry.S' })).text).toBe('# mine\n')
    expect((await value('file.read', { path: 'main.S' })).text).toBe(readFileSync(join(LABS_DIR, 'identity-mapping', 'main.S'), 'utf8'))
  })

  it('closing a lab returns to the workspace the app was opened with', async () => {
    await value('lab.start', { id: 'vma-vs-lma' })
    const back = await value('lab.close', {})
    expect(back.root).toBe(home)
    expect((await value('workspace.get', {})).root).toBe(home)
    expect(await value('lab.current', {})).toBeNull()
  })

  it('reopens the lab that was open when the app stopped, and not after it was left', async () => {
    await value('lab.start', { id: 'vma-vs-lma' })
    await host.dispose()
    host = new Host({ workspaceRoot: home, transport: 'websocket' })
    expect((await value('lab.current', {}))?.id).toBe('vma-vs-lma')
    expect((await value('workspace.get', {})).root).toBe(join(home, '.bootscope', 'labs', 'vma-vs-lma'))
    await value('lab.close', {})
    await host.dispose()
    host = new Host({ workspaceRoot: home, transport: 'websocket' })
    expect(await value('lab.current', {})).toBeNull()
    expect((await value('workspace.get', {})).root).toBe(home)
  })

  it('answers bad requests with error values', async () => {
    const unknown = await call('lab.start', { id: 'no-such-lab' })
    expect(!unknown.ok && unknown.error.code).toBe('lab.not_found')
    expect(!unknown.ok && unknown.error.hint).toContain('identity-mapping')
    const escape = await call('lab.start', { id: '../../etc' })
    expect(!escape.ok && escape.error.code).toBe('lab.bad_id')
    // A wrong type never reaches the lab service: the request's schema refuses it.
    const notString = await host.invoke('lab.start', { id: 7 })
    expect(!notString.ok && notString.error.code).toBe('bad_request')
    const noLab = await call('lab.check', {})
    expect(!noLab.ok && noLab.error.code).toBe('lab.none')
    expect(!noLab.ok && noLab.error.hint).toMatch(/start a lab/)
  })

  it('refuses an edited file that is a symbolic link, before building', async () => {
    await value('lab.start', { id: 'identity-mapping' })
    const root = labWorkspaceDir(home, 'identity-mapping')
    unlinkSync(join(root, 'entry.S'))
    symlinkSync(join(LABS_DIR, 'identity-mapping', 'solution', 'entry.S'), join(root, 'entry.S'))
    const out = await value('lab.check', {})
    expect(out.rejected?.code).toBe('lab.submission_symlink')
    expect(out.passed).toBe(false)
    expect(out.recording).toBeNull()
    expect(out.results.every((r) => !r.passed && r.detail.includes('symbolic link'))).toBe(true)
  })

  it('checks the identity-mapping starter (its checks fail, with messages) and the solution (all pass), recording each boot', async () => {
    await value('lab.start', { id: 'identity-mapping' })
    const starter = await value('lab.check', {})
    expect(starter.labId).toBe('identity-mapping')
    expect(starter.build.ok).toBe(true)
    expect(starter.passed).toBe(false)
    expect(starter.results.filter((r) => !r.passed).map((r) => r.id)).toEqual([
      'no-fetch-fault',
      'identity-until-jump',
      'runs-high',
      // The end-state checks: a boot stuck at its first fetch never got to its end.
      'identity-removed',
      'flushed-after-jump',
      'kernel-still-mapped',
      'reports-entry-cleared',
      'shuts-down',
    ])
    const fault = starter.results.find((r) => r.id === 'no-fetch-fault')!
    expect(fault.message).toMatch(/After `csrw satp` the very next instruction is fetched/)
    expect(fault.hint).toMatch(/Put entry 2 of boot_page_table back/)
    expect(fault.detail).toMatch(/^instruction page fault \(cause 12\) at step \d+, epc 0x80200020/)
    expect(fault.step).toBeGreaterThan(0)
    expect(starter.boot?.ran && starter.boot.stop.reason).toBe('trap-loop')

    // The recording is one of the workspace's: listed, and it opens on the timeline.
    expect(starter.recording).toMatch(/^[\w.-]+_lab-identity-mapping\.sqlite$/)
    const list = await value('recording.list', {})
    expect(list.map((r) => r.path)).toContain(starter.recording)
    const overview = await value('recording.open', { path: starter.recording! })
    expect(overview.steps).toBeGreaterThan(fault.step!)
    expect(overview.events.some((e) => e.kind === 'trap' && e.step === fault.step)).toBe(true)

    // The student's fix: the reference entry.S saved into the workspace.
    const solution = readFileSync(join(LABS_DIR, 'identity-mapping', 'solution', 'entry.S'), 'utf8')
    await value('file.write', { path: 'entry.S', text: solution })
    const fixed = await value('lab.check', {})
    expect(fixed.results.filter((r) => !r.passed)).toEqual([])
    expect(fixed).toMatchObject({ passed: true, checksPassed: 8, checksTotal: 8, points: 8, maxPoints: 8 })
    expect(fixed.boot?.ran && fixed.boot.stop.reason).toBe('shutdown')
    expect(fixed.recording).not.toBe(starter.recording)
    expect((await value('recording.list', {})).length).toBe(2)
  })

  it('reports a build error in every check, with the diagnostic located in the edited file', async () => {
    await value('lab.start', { id: 'identity-mapping' })
    const text = (await value('file.read', { path: 'entry.S' })).text.replace(/^(\s+)sfence\.vma$/m, '$1sfence.vmaa')
    await value('file.write', { path: 'entry.S', text })
    const out = await value('lab.check', {})
    expect(out.build.ok).toBe(false)
    expect(out.boot).toBeNull()
    expect(out.recording).toBeNull()
    const first = out.build.diagnostics.find((d) => d.severity === 'error')!
    expect(first.loc?.file).toBe('entry.S')
    expect(out.results.every((r) => !r.passed && r.detail.startsWith('the kernel does not build: entry.S:'))).toBe(true)
  })
})
