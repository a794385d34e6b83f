/**
 * "New workspace from example" in the host: the built-in examples are listed with their README's
 * title and first paragraph; opening one copies it into the home workspace's
 * `.bootscope/examples/<id>` once (edits survive a second open), switches the workspace there and
 * leaves an open lab first; closing returns to the home workspace; an unknown id is refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ExampleService, exampleWorkspaceDir, readmeTitle } from '../../../src/main/host/example-service'
import { Workspace } from '../../../src/main/host/workspace'

const homes: string[] = []
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
})

function setup() {
  const home = join(mkdtempSync(join(tmpdir(), 'bootscope-examples-')), 'home')
  homes.push(join(home, '..'))
  const workspace = Workspace.openOrCreate(home)
  let labsLeft = 0
  const service = new ExampleService({ workspace, homeRoot: home, leaveLab: () => labsLeft++ })
  return { home, workspace, service, labsLeft: () => labsLeft }
}

describe('example workspaces', () => {
  it('lists the RISC-V, i386 and x86-64 examples with their README titles', () => {
    const { service } = setup()
    const list = service.list()
    if (!list.ok) throw new Error(list.error.message)
    expect(list.value.map((e) => e.id)).toEqual(['higher-half', 'i386-higher-half', 'x86_64-long-mode'])
    expect(list.value.map((e) => e.title)).toEqual(['Higher-half kernel on Sv39', 'i386 higher-half kernel at 0xC0100000', 'x86-64 long mode via Multiboot 2'])
    expect(list.value.every((e) => e.summary.length > 40 && !e.created && !e.open)).toBe(true)
  })

  it('opens an example as its own workspace, keeps the edits on a second open, and closes back home', async () => {
    const { home, workspace, service, labsLeft } = setup()
    const opened = await service.open('i386-higher-half')
    if (!opened.ok) throw new Error(opened.error.message)
    const root = exampleWorkspaceDir(home, 'i386-higher-half')
    expect(opened.value.root).toBe(root)
    expect(workspace.root).toBe(root)
    expect(opened.value.files.map((f) => f.path).sort()).toEqual(['README.md', 'boot.S', 'kernel.S', 'linker.ld'])
    expect(labsLeft()).toBe(1)
    writeFileSync(join(root, 'kernel.S'), '/* mine */\n')
    const again = await service.open('i386-higher-half')
    expect(again.ok).toBe(true)
    expect(readFileSync(join(root, 'kernel.S'), 'utf8')).toBe('/* mine */\n')
    const listed = service.list()
    expect(listed.ok && listed.value.find((e) => e.id === 'i386-higher-half')).toMatchObject({ created: true, open: true })
    const back = service.close()
    expect(back.ok && back.value.root).toBe(home)
    expect(workspace.root).toBe(home)
    // The home workspace's own files never saw the example.
    expect(existsSync(join(home, 'kernel.S'))).toBe(false)
  })

  it('refuses an unknown example with the list of known ones', async () => {
    const { service, workspace, home } = setup()
    const r = await service.open('../labs')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatchObject({ code: 'example.not_found', hint: expect.stringContaining('i386-higher-half') })
    expect(workspace.root).toBe(home)
  })

  it('reads a README title and its first paragraph', () => {
    expect(readmeTitle('# Title\n\nFirst line\nsecond line.\n\nNext.', 'x')).toEqual({ title: 'Title', summary: 'First line second line.' })
    expect(readmeTitle('', 'folder')).toEqual({ title: 'folder', summary: '' })
  })
})
