import { describe, expect, it, beforeEach } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Workspace } from '../../../src/main/host/workspace'
import { importFile } from '../../../src/main/host/file-import'
import { MAX_IMPORT_BYTES } from '../../../src/shared/api/file-import'
import { isRequestName } from '../../../src/shared/api/contract'

let ws: Workspace
beforeEach(() => {
  ws = Workspace.openOrCreate(join(mkdtempSync(join(tmpdir(), 'bootscope-import-')), 'workspace'))
})

const b64 = (bytes: number[] | Uint8Array) => Buffer.from(bytes).toString('base64')

describe('file.import', () => {
  it('is a request of the contract', () => {
    expect(isRequestName('file.import')).toBe(true)
  })

  it('saves the bytes under imports/ and returns the workspace path', () => {
    const elf = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0xff]
    const r = importFile(ws, { name: 'kernel.elf', base64: b64(elf) })
    expect(r).toEqual({ ok: true, value: { path: 'imports/kernel.elf', bytes: 9 } })
    expect([...readFileSync(join(ws.root, 'imports', 'kernel.elf'))]).toEqual(elf)
    expect(readdirSync(join(ws.root, 'imports')).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('replaces an earlier import of the same name whole', () => {
    importFile(ws, { name: 'k.elf', base64: b64([1, 2, 3, 4, 5, 6]) })
    importFile(ws, { name: 'k.elf', base64: b64([9]) })
    expect([...readFileSync(join(ws.root, 'imports', 'k.elf'))]).toEqual([9])
  })

  it('refuses names with folders, leading dots or odd characters', () => {
    for (const name of ['../k.elf', 'a/k.elf', '..', '.hidden', '', 'k elf', 'k\0.elf', 'a\\b', 'x'.repeat(129), 42 as unknown as string]) {
      const r = importFile(ws, { name, base64: b64([1]) })
      expect(r.ok, String(name)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('import.bad_name')
    }
    expect(readdirSync(ws.root)).not.toContain('imports')
  })

  it('refuses data that is not base64', () => {
    for (const base64 of ['not base64!', 'AAA', 'A===', 7 as unknown as string]) {
      const r = importFile(ws, { name: 'k.elf', base64 })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('import.bad_data')
    }
  })

  it('refuses a file over the size limit, and accepts one at it', () => {
    const over = importFile(ws, { name: 'big.img', base64: b64(new Uint8Array(MAX_IMPORT_BYTES + 3)) })
    expect(over.ok).toBe(false)
    if (!over.ok) expect(over.error.code).toBe('import.too_large')
    const at = importFile(ws, { name: 'big.img', base64: b64(new Uint8Array(MAX_IMPORT_BYTES)) })
    expect(at.ok && at.value.bytes).toBe(MAX_IMPORT_BYTES)
  })
})
