/**
 * "Open Folder…" through the Host, as the app calls it (issue 16): a kernel project folder typed
 * as a path (browser mode) becomes the workspace — its files listed, its bootscope.json read by
 * Build (make with riscv64-unknown-elf-gcc on the C test kernel, run in that folder) and its
 * recordings kept there; a lab open at the time is left; `workspace.home` goes back. A missing
 * path, a file, a relative path and an unreadable folder are refused with what to do, and the
 * workspace stays. The desktop app's path goes through its folder dialog: a fake `chooseFolder`
 * here (Electron cannot run in CI), picked and cancelled; without a dialog a path is required.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Host } from '../../../src/main/host/host'
import { checkFolder } from '../../../src/main/host/folder-service'
import type { ArgsOf, RequestName, ResultOf } from '../../../src/shared/api/contract'
import type { Result } from '../../../src/shared/api/result'
import { oracle } from '../../support/oracles'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')

let base: string
let home: string
let project: string
const hosts: Host[] = []

function newHost(chooseFolder?: (r: { defaultPath?: string }) => Promise<string | undefined>): Host {
  const host = new Host({ workspaceRoot: home, transport: chooseFolder ? 'ipc' : 'websocket', chooseFolder })
  hosts.push(host)
  return host
}

async function call<N extends RequestName>(host: Host, name: N, args: ArgsOf<N>): Promise<Result<ResultOf<N>>> {
  return (await host.invoke(name, args)) as Result<ResultOf<N>>
}

async function value<N extends RequestName>(host: Host, name: N, args: ArgsOf<N>): Promise<ResultOf<N>> {
  const r = await call(host, name, args)
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`)
  return r.value
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'bootscope-open-folder-'))
  home = join(base, 'home')
  project = join(base, 'my-kernel')
  cpSync(C_KERNEL, project, { recursive: true })
  rmSync(join(project, 'kernel.elf'), { force: true })
  writeFileSync(join(project, 'bootscope.json'), JSON.stringify({ version: 1, build: { command: 'make' }, kernel: 'kernel.elf' }, null, 2))
})

afterAll(async () => {
  for (const h of hosts.splice(0)) await h.dispose()
  if (base) rmSync(base, { recursive: true, force: true })
})

describe('opening a folder as the workspace', () => {
  it('opens a kernel project by its path: its files listed, a lab left, and home again', async () => {
    const host = newHost()
    await value(host, 'lab.start', { id: 'identity-mapping' })
    const info = await value(host, 'workspace.openFolder', { path: project })
    expect(info).toMatchObject({ root: project, name: 'my-kernel', home })
    expect(info!.files.map((f) => f.path).sort()).toEqual(['Makefile', 'bootscope.json', 'kernel.ld', 'main.c', 'start.S'])
    expect(host.workspace.root).toBe(project)
    expect(await value(host, 'lab.current', {})).toBeNull()
    expect(await value(host, 'workspace.get', {})).toMatchObject({ root: project })
    const read = await value(host, 'file.read', { path: 'main.c' })
    expect(read.text).toContain('kernel_main')
    const back = await value(host, 'workspace.home', {})
    expect(back.root).toBe(home)
    expect(back.home).toBeUndefined()
    expect(host.workspace.root).toBe(home)
  })

  it.skipIf(make.missing || gcc.missing)('builds the opened folder with its bootscope.json command, in that folder', async () => {
    const host = newHost()
    await value(host, 'workspace.openFolder', { path: project })
    const summary = await value(host, 'build.run', {})
    expect(summary.diagnostics).toEqual([])
    expect(summary).toMatchObject({ ok: true, elf: { path: 'kernel.elf' } })
    const files = (await value(host, 'workspace.get', {})).files.map((f) => f.path)
    expect(files).toContain('kernel.elf')
  }, 120_000)

  it('refuses a missing path, a file, a relative path and a path-less request in browser mode, keeping the workspace', async () => {
    const host = newHost()
    const cases: [string | undefined, string, RegExp][] = [
      [join(base, 'nowhere'), 'workspace.not_found', /there is no folder .*nowhere/],
      [join(project, 'main.c'), 'workspace.not_a_folder', /main\.c is a file, not a folder/],
      ['my-kernel', 'workspace.relative_path', /'my-kernel' is not an absolute path/],
      [undefined, 'workspace.no_dialog', /browser mode cannot show a folder dialog/],
    ]
    for (const [path, code, message] of cases) {
      const r = await call(host, 'workspace.openFolder', path === undefined ? {} : { path })
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe(code)
        expect(r.error.message).toMatch(message)
        expect(r.error.hint).toBeTruthy()
      }
      expect(host.workspace.root).toBe(home)
    }
    const bad = await call(host, 'workspace.openFolder', { path: '' })
    expect(!bad.ok && bad.error.code).toBe('bad_request')
  })

  it.skipIf(userInfo().uid === 0)('refuses a folder it cannot read', () => {
    const locked = join(base, 'locked')
    mkdirSync(locked)
    chmodSync(locked, 0o000)
    try {
      const r = checkFolder(locked)
      expect(!r.ok && r.error.code).toBe('workspace.unreadable')
    } finally {
      chmodSync(locked, 0o755)
    }
  })

  it('reads ~ as the home folder', () => {
    const r = checkFolder('~')
    expect(r.ok && r.value).toBe(homedir())
  })

  it('asks the desktop app\'s folder dialog without a path: the picked folder opens, a cancel changes nothing', async () => {
    const asked: (string | undefined)[] = []
    let answer: string | undefined = project
    const host = newHost(async ({ defaultPath }) => {
      asked.push(defaultPath)
      return answer
    })
    const opened = await value(host, 'workspace.openFolder', {})
    expect(opened?.root).toBe(project)
    expect(asked).toEqual([home])
    answer = undefined
    const cancelled = await value(host, 'workspace.openFolder', {})
    expect(cancelled).toBeNull()
    expect(host.workspace.root).toBe(project)
    answer = join(project, 'main.c')
    const file = await call(host, 'workspace.openFolder', {})
    expect(!file.ok && file.error.code).toBe('workspace.not_a_folder')
  })
})
