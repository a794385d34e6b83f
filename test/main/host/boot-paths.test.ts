/**
 * What files a boot may read, through the Host as both transports call it (issue 10, item 6):
 * workspace paths (links followed and kept inside), and absolute paths outside the workspace
 * only once the user chose them — `file.grant` for a path typed in browser mode, `file.choose`
 * (the system's file dialog) in the desktop app. `/etc/passwd` named by a request alone is
 * refused, a device is never granted, and a broken link or a loop in the workspace does not
 * break listing, building or booting with `internal: ENOENT/ELOOP`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Host, type HostOptions } from '../../../src/main/host/host'
import type { BootOutcome } from '../../../src/shared/api/boot'
import type { WorkspaceInfo } from '../../../src/shared/api/workspace'
import { buildKernel } from '../../fixtures/machine/build-kernel'

/**
 * Two hosts for the whole file, each with its own workspace: browser mode, and the desktop app
 * with a stand-in for the system's file dialog. (Each host's core worker loads the SQLite addon;
 * starting and stopping workers test after test made that load crash the process now and then.)
 */
interface Started {
  host: Host
  home: string
  outside: string
}
let base: string
let browser: Started
let desktop: Started
const dialog: { answer?: string; asked: { role: string; defaultPath?: string }[] } = { asked: [] }

async function startHost(name: string, opts: Partial<HostOptions> = {}): Promise<Started> {
  const home = join(base, name, 'workspace')
  const outside = join(base, name, 'elsewhere')
  mkdirSync(outside, { recursive: true })
  const host = new Host({ workspaceRoot: home, transport: 'websocket', ...opts })
  await host.core.whenReady()
  return { host, home, outside }
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'bootscope-paths-'))
  browser = await startHost('browser')
  desktop = await startHost('desktop', {
    transport: 'ipc',
    chooseFile: async (request) => {
      dialog.asked.push(request)
      return dialog.answer
    },
  })
}, 120_000)

afterAll(async () => {
  await browser?.host.dispose()
  await desktop?.host.dispose()
  rmSync(base, { recursive: true, force: true })
})

const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code)

/** Starts a boot of `kernel` (no firmware, a short budget) and waits for its end. */
async function bootToEnd(h: Host, kernel: string, bios: 'none' | { file: string } = 'none'): Promise<{ ok: boolean; error?: { code: string; message: string }; outcome?: BootOutcome }> {
  let finished: (o: BootOutcome) => void = () => {}
  const done = new Promise<BootOutcome>((r) => (finished = r))
  const off = h.onEvent((e, p) => e === 'boot.finished' && finished(p as BootOutcome))
  try {
    const r = await h.invoke('boot.start', { kernel: { kind: 'file', path: kernel }, bios, maxSteps: 200 })
    if (!r.ok) return r
    return { ok: true, outcome: await done }
  } finally {
    off()
  }
}

describe('the files a boot may read', () => {
  it('refuses /etc/passwd as an absolute kernel or firmware path nobody chose', async () => {
    const { host } = browser
    for (const opts of [{ kernel: { kind: 'file' as const, path: '/etc/passwd' } }, { bios: { file: '/etc/passwd' } }]) {
      const r = await host.invoke('boot.start', opts)
      expect(codeOf(r)).toBe('boot.not_granted')
      if (!r.ok) expect(r.error.message).toMatch(/'\/etc\/passwd' is outside the workspace and was not chosen/)
    }
  }, 60_000)

  it('refuses a workspace link that leads to /etc/passwd', async () => {
    const { host, home } = browser
    symlinkSync('/etc/passwd', join(home, 'kernel.elf'))
    const r = await host.invoke('boot.start', { kernel: { kind: 'file', path: 'kernel.elf' }, bios: 'none' })
    expect(codeOf(r)).toBe('workspace.link_outside')
  }, 60_000)

  it('boots a kernel outside the workspace once its typed path is granted, and only that file', async () => {
    const { host, outside } = browser
    const elf = join(outside, 'spin.elf')
    copyFileSync(buildKernel(['spin.S'], 'm-mode.ld').elf, elf)
    copyFileSync(elf, join(outside, 'other.elf'))
    expect(codeOf(await bootToEnd(host, elf))).toBe('boot.not_granted')
    const granted = await host.invoke('file.grant', { path: elf, role: 'kernel' })
    expect(granted).toMatchObject({ ok: true, value: { path: elf } })
    const booted = await bootToEnd(host, elf)
    expect(booted.ok, booted.error?.message).toBe(true)
    expect(booted.outcome!.stop.reason).toBe('budget')
    // Another file in the same folder, and a link planted to the granted one later, are not granted.
    expect(codeOf(await bootToEnd(host, join(outside, 'other.elf')))).toBe('boot.not_granted')
    symlinkSync(join(outside, 'other.elf'), join(outside, 'planted.elf'))
    expect(codeOf(await bootToEnd(host, join(outside, 'planted.elf')))).toBe('boot.not_granted')
  }, 60_000)

  it('never grants a device, a folder or a relative path', async () => {
    const { host } = browser
    expect(codeOf(await host.invoke('file.grant', { path: '/dev/zero', role: 'firmware' }))).toBe('file.not_regular')
    expect(codeOf(await host.invoke('file.grant', { path: '/etc', role: 'kernel' }))).toBe('file.not_regular')
    expect(codeOf(await host.invoke('file.grant', { path: 'kernel.elf', role: 'kernel' }))).toBe('file.not_absolute')
    expect(codeOf(await host.invoke('file.choose', { role: 'kernel' }))).toBe('file.no_dialog')
  }, 60_000)

  it('in the desktop app grants what the file dialog returns, and nothing typed', async () => {
    const { host, outside } = desktop
    const elf = join(outside, 'spin.elf')
    copyFileSync(buildKernel(['spin.S'], 'm-mode.ld').elf, elf)
    expect(codeOf(await host.invoke('file.grant', { path: elf, role: 'kernel' }))).toBe('file.choose_instead')
    expect(codeOf(await bootToEnd(host, elf))).toBe('boot.not_granted')
    // Cancelled: nothing granted.
    expect(await host.invoke('file.choose', { role: 'kernel', defaultPath: elf })).toEqual({ ok: true, value: null })
    expect(codeOf(await bootToEnd(host, elf))).toBe('boot.not_granted')
    dialog.answer = elf
    expect(await host.invoke('file.choose', { role: 'kernel', defaultPath: elf })).toMatchObject({ ok: true, value: { path: elf } })
    expect(dialog.asked).toEqual([
      { role: 'kernel', defaultPath: elf },
      { role: 'kernel', defaultPath: elf },
    ])
    const booted = await bootToEnd(host, elf)
    expect(booted.ok, booted.error?.message).toBe(true)
  }, 60_000)

  it('lists, builds and boots a workspace with a dangling link and a loop in it', async () => {
    const { host, home } = browser
    symlinkSync(join(home, 'gone.S'), join(home, 'dangling.S'))
    symlinkSync('loop-b.S', join(home, 'loop-a.S'))
    symlinkSync('loop-a.S', join(home, 'loop-b.S'))
    symlinkSync('/usr/share', join(home, 'share'))
    const info = await host.invoke('workspace.get', {})
    expect(info.ok).toBe(true)
    const ws = (info as { value: WorkspaceInfo }).value
    expect(ws.skipped.map((s) => s.path).sort()).toEqual(['dangling.S', 'loop-a.S', 'loop-b.S'])
    expect(ws.links).toContainEqual({ path: 'share', target: '/usr/share', kind: 'outside' })
    expect(ws.files.some((f) => f.path.startsWith('share/'))).toBe(false)
    const built = await host.invoke('build.run', {})
    expect(built).toMatchObject({ ok: true, value: { ok: true } })
    const booted = await host.invoke('boot.start', { maxSteps: 100 })
    expect(booted.ok, booted.ok ? '' : booted.error.message).toBe(true)
    expect(codeOf(await host.invoke('file.read', { path: 'dangling.S' }))).toBe('workspace.broken_link')
    expect(codeOf(await host.invoke('file.read', { path: 'share/dict/words' }))).toBe('workspace.link_outside')
    expect(codeOf(await host.invoke('file.write', { path: 'share/planted.txt', text: 'x' }))).toBe('workspace.link_outside')
  }, 60_000)
})
