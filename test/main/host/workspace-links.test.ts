/**
 * The workspace is a boundary after symbolic links are followed (issue 10, item 6), on real
 * temporary folders with real links: a link leading out is listed as such and refused for
 * reading and writing (nothing is created outside), a link to a file inside is a file, a link to
 * a folder is not descended into, and a dangling link or a loop is skipped with a note instead
 * of failing the listing with `ENOENT`/`ELOOP`.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Workspace } from '../../../src/main/host/workspace'

let base: string
let root: string
let outside: string
let ws: Workspace

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'bootscope-links-'))
  root = join(base, 'workspace')
  outside = join(base, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'not yours\n')
  mkdirSync(join(outside, 'deep'))
  writeFileSync(join(outside, 'deep', 'more.txt'), 'nor this\n')
  ws = Workspace.openOrCreate(root)
})

const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code)

describe('Workspace links', () => {
  it('lists a link to a folder outside as a link and never lists what is behind it', () => {
    symlinkSync(outside, join(root, 'notes'))
    const info = ws.info()
    expect(info.links).toContainEqual({ path: 'notes', target: outside, kind: 'outside' })
    expect(info.files.map((f) => f.path).filter((p) => p.startsWith('notes'))).toEqual([])
    expect(info.files.map((f) => f.path)).toContain('entry.S')
  })

  it('lists a link to /usr/share as one link, not its files', () => {
    symlinkSync('/usr/share', join(root, 'share'))
    const info = ws.info()
    expect(info.links).toContainEqual({ path: 'share', target: '/usr/share', kind: 'outside' })
    expect(info.files.length).toBeLessThan(50)
  })

  it('refuses to read through a link leading out, naming the link', async () => {
    symlinkSync(outside, join(root, 'notes'))
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret.txt'))
    for (const p of ['notes/secret.txt', 'notes/deep/more.txt', 'secret.txt']) {
      const r = await ws.read(p)
      expect(code(r), p).toBe('workspace.link_outside')
      if (!r.ok) expect(r.error.message).toMatch(/symbolic link to .*outside the workspace/)
    }
  })

  it('never creates or changes a file outside through a link', () => {
    symlinkSync(outside, join(root, 'notes'))
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret.txt'))
    symlinkSync(join(outside, 'new-here.txt'), join(root, 'dangling-out.txt'))
    expect(code(ws.write('notes/planted.txt', 'x'))).toBe('workspace.link_outside')
    expect(code(ws.write('notes/sub/planted.txt', 'x'))).toBe('workspace.link_outside')
    expect(code(ws.write('secret.txt', 'overwritten'))).toBe('workspace.link_outside')
    expect(code(ws.write('dangling-out.txt', 'x'))).toBe('workspace.broken_link')
    expect(readdirSync(outside).sort()).toEqual(['deep', 'secret.txt'])
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('not yours\n')
    expect(existsSync(join(outside, 'sub'))).toBe(false)
  })

  it('refuses to keep its own state (.bootscope) behind a link leading out', () => {
    const state = join(base, 'state-elsewhere')
    mkdirSync(state)
    const other = join(base, 'ws2')
    mkdirSync(other)
    writeFileSync(join(other, 'a.S'), 'nop\n')
    symlinkSync(state, join(other, '.bootscope'))
    const w = new Workspace(other)
    expect(code(w.stateFolder('.bootscope/recordings'))).toBe('workspace.link_outside')
    expect(readdirSync(state)).toEqual([])
  })

  it('lists a link to a file inside as that file, readable, and a link to a folder inside as a link', async () => {
    mkdirSync(join(root, 'src'))
    writeFileSync(join(root, 'src', 'boot.S'), 'li a0, 1\n')
    symlinkSync('src/boot.S', join(root, 'boot-link.S'))
    symlinkSync('src', join(root, 'src-again'))
    const info = ws.info()
    expect(info.files.map((f) => f.path)).toEqual(expect.arrayContaining(['src/boot.S', 'boot-link.S']))
    expect(info.links).toContainEqual({ path: 'src-again', target: 'src', kind: 'folder' })
    expect(info.files.some((f) => f.path.startsWith('src-again/'))).toBe(false)
    const r = await ws.read('boot-link.S')
    expect(r.ok && r.value.text).toBe('li a0, 1\n')
    // Writing through a link inside writes the file it names, inside.
    expect(ws.write('src-again/boot.S', 'li a0, 2\n').ok).toBe(true)
    expect(readFileSync(join(root, 'src', 'boot.S'), 'utf8')).toBe('li a0, 2\n')
  })

  it('skips a dangling link and a link loop with a note, and explains them when they are opened', async () => {
    symlinkSync(join(root, 'gone.S'), join(root, 'dangling.S'))
    symlinkSync('loop-b', join(root, 'loop-a'))
    symlinkSync('loop-a', join(root, 'loop-b'))
    const info = ws.info()
    const skipped = Object.fromEntries(info.skipped.map((s) => [s.path, s.reason]))
    expect(skipped['dangling.S']).toMatch(/symbolic link to .*gone\.S', which does not exist/)
    expect(skipped['loop-a']).toMatch(/loop/)
    expect(skipped['loop-b']).toMatch(/loop/)
    expect(info.files.map((f) => f.path)).toContain('entry.S')
    expect(code(await ws.read('dangling.S'))).toBe('workspace.broken_link')
    expect(code(await ws.read('loop-a'))).toBe('workspace.link_loop')
    expect(code(ws.write('loop-a/x.S', 'nop'))).toBe('workspace.link_loop')
  })

  it('works when the workspace itself is reached through a link', async () => {
    const alias = join(base, 'alias')
    symlinkSync(root, alias)
    const w = new Workspace(alias)
    expect(w.info().files.map((f) => f.path)).toContain('entry.S')
    expect(w.write('via-alias.S', 'nop\n').ok).toBe(true)
    expect(readFileSync(join(realpathSync(root), 'via-alias.S'), 'utf8')).toBe('nop\n')
    const r = await w.read('via-alias.S')
    expect(r.ok).toBe(true)
  })
})
