import { describe, expect, it, beforeEach } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Workspace } from '../../../src/main/host/workspace'
import { EXAMPLE_DIR } from '../../../src/main/host/paths'

let dir: string
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'bootscope-ws-')), 'workspace')
})

describe('Workspace', () => {
  it('starts a new workspace as a copy of the built-in higher-half example', () => {
    const ws = Workspace.openOrCreate(dir)
    const paths = ws.info().files.map((f) => f.path)
    expect(paths).toEqual(expect.arrayContaining(['entry.S', 'linker.ld', 'main.S', 'README.md']))
    expect(readFileSync(join(dir, 'linker.ld'), 'utf8')).toBe(readFileSync(join(EXAMPLE_DIR, 'linker.ld'), 'utf8'))
    expect(ws.info().files.find((f) => f.path === 'entry.S')?.language).toBe('riscv-asm')
    expect(ws.info().files.find((f) => f.path === 'linker.ld')?.language).toBe('gnu-ld')
  })

  it('says it is a first start only for the folder it created, so the workbench offers the examples then', () => {
    const created = Workspace.openOrCreate(dir)
    expect(created.info().firstStart).toEqual({ example: 'higher-half' })
    const example = join(dir, '..', 'example')
    Workspace.openOrCreate(example)
    created.switchTo(example)
    expect(created.info().firstStart).toBeUndefined()
    expect(Workspace.openOrCreate(dir).info().firstStart).toBeUndefined()
  })

  it('does not overwrite an existing workspace', async () => {
    Workspace.openOrCreate(dir)
    writeFileSync(join(dir, 'linker.ld'), 'mine')
    const ws = Workspace.openOrCreate(dir)
    const r = await ws.read('linker.ld')
    expect(r.ok && r.value.text).toBe('mine')
  })

  it('saves atomically and leaves no temporary file behind', () => {
    const ws = Workspace.openOrCreate(dir)
    const r = ws.write('entry.S', 'nop\n')
    expect(r.ok).toBe(true)
    expect(readFileSync(join(dir, 'entry.S'), 'utf8')).toBe('nop\n')
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('refuses paths that escape the workspace', async () => {
    const ws = Workspace.openOrCreate(dir)
    for (const p of ['../outside.txt', '/etc/passwd', 'a/../../b', '']) {
      const r = ws.write(p, 'x')
      expect(r.ok).toBe(false)
      const rr = await ws.read(p)
      expect(rr.ok).toBe(false)
    }
  })

  it('opens GNU assembly of an x86 project as x86-gas (by its text, or by NASM sources beside it) and RISC-V as riscv-asm', async () => {
    const ws = Workspace.openOrCreate(dir)
    writeFileSync(join(dir, 'stub.S'), '    .code32\n_start:\n    movl $stack, %esp\n')
    writeFileSync(join(dir, 'data.s'), '    .data\nvalue: .quad 1\n')
    const lang = (p: string) => ws.info().files.find((f) => f.path === p)?.language
    expect(lang('stub.S')).toBe('x86-gas')
    expect(lang('data.s')).toBe('riscv-asm')
    expect(lang('entry.S')).toBe('riscv-asm')
    writeFileSync(join(dir, 'boot.asm'), 'bits 32\n')
    expect(lang('data.s')).toBe('x86-gas')
    expect(lang('entry.S')).toBe('riscv-asm')
    const r = await ws.read('data.s')
    expect(r.ok && r.value.language).toBe('x86-gas')
    const e = await ws.read('entry.S')
    expect(e.ok && e.value.language).toBe('riscv-asm')
  })

  it('explains a missing file', async () => {
    const ws = Workspace.openOrCreate(dir)
    const r = await ws.read('nope.S')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('workspace.not_found')
  })
})
