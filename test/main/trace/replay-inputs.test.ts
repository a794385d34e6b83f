/**
 * Replay checks what it replays (issue 10 item 4): a recording keeps the SHA-256 of every input and
 * of the machine configuration, and `bootscope at` on a recording whose kernel bytes, kernel row,
 * firmware or configuration were changed afterwards is a one-line error naming what changed —
 * never a replay of another boot. A recording written before the configuration and inputs
 * digests existed still replays, and says its inputs were not all checked.
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { buildFolder, EXAMPLE } from '../../support/build-workspace'
import { sha256 } from '../../../src/main/trace/input-hashes'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' })

/** A recording of the example kernel, and a function that returns a fresh copy of it to damage. */
function recorded(): { dir: string; copy: (change: (db: Database.Database) => void) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-inputs-'))
  writeFileSync(join(dir, 'k.elf'), buildFolder(EXAMPLE))
  const r = cli(dir, 'record', 'k.elf', '-o', 'rec.sqlite')
  if (r.status !== 0) throw new Error(r.stderr)
  let n = 0
  return {
    dir,
    copy(change) {
      const name = `changed-${n++}.sqlite`
      copyFileSync(join(dir, 'rec.sqlite'), join(dir, name))
      const db = new Database(join(dir, name))
      try {
        change(db)
      } finally {
        db.close()
      }
      return name
    },
  }
}

function expectRefused(dir: string, file: string, what: RegExp): void {
  const r = cli(dir, 'at', file, '5')
  expect(r.status, r.stdout + r.stderr).toBe(1)
  expect(r.stdout).toBe('')
  const lines = r.stderr.trim().split('\n')
  expect(lines[0]).toMatch(/^bootscope at: the recording was changed after it was written: /)
  expect(lines[0]).toMatch(what)
  expect(r.stderr).not.toMatch(/\n\s+at /)
}

describe('replay checks what it replays', () => {
  const rec = recorded()

  it('stores the hash of the configuration and a digest of all inputs', () => {
    const db = new Database(join(rec.dir, 'rec.sqlite'), { readonly: true })
    const meta = Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]))
    const kernel = db.prepare("SELECT sha256, data FROM artifacts WHERE role = 'kernel'").get() as { sha256: string; data: Buffer }
    db.close()
    expect(meta.config_sha256).toBe(sha256(meta.config))
    expect(meta.inputs_sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(kernel.sha256).toBe(sha256(kernel.data))
  })

  it('identifies a disk image by its hash (the image itself is not kept)', () => {
    const image = new Uint8Array(3 * 1024 * 1024 + 100).map((_, i) => (i * 7) & 0xff)
    writeFileSync(join(rec.dir, 'disk.img'), image)
    const r = cli(rec.dir, 'record', 'k.elf', '--disk', 'disk.img', '-o', 'disk.sqlite')
    expect(r.status, r.stderr).toBe(0)
    const db = new Database(join(rec.dir, 'disk.sqlite'), { readonly: true })
    const disk = db.prepare("SELECT name, sha256, size, data FROM artifacts WHERE role = 'disk'").get()
    db.close()
    expect(disk).toEqual({ name: 'disk.img', sha256: sha256(image), size: image.length, data: null })
  })

  it('replays the recording as written', () => {
    const r = cli(rec.dir, 'at', 'rec.sqlite', '5')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^step 5 /)
    expect(r.stderr).toBe('')
  })

  it('refuses kernel bytes swapped in the artifacts table', () => {
    const file = rec.copy((db) => {
      const k = db.prepare("SELECT name, data FROM artifacts WHERE role = 'kernel'").get() as { name: string; data: Buffer }
      const data = Buffer.from(k.data)
      data[data.length - 1] ^= 0xff
      db.prepare('UPDATE artifacts SET data = ? WHERE name = ?').run(data, k.name)
    })
    expectRefused(rec.dir, file, /its kernel 'k\.elf' does not match the hash recorded with it/)
  })

  it('refuses a kernel row replaced with its own matching hash', () => {
    const file = rec.copy((db) => {
      const k = db.prepare("SELECT name, data FROM artifacts WHERE role = 'kernel'").get() as { name: string; data: Buffer }
      const data = Buffer.from(k.data)
      data[data.length - 1] ^= 0xff
      db.prepare('UPDATE artifacts SET data = ?, sha256 = ? WHERE name = ?').run(data, sha256(data), k.name)
    })
    expectRefused(rec.dir, file, /its list of inputs .* does not match the digest/)
  })

  it('refuses an input added to the recording', () => {
    const file = rec.copy((db) => db.prepare("INSERT INTO artifacts (name, role, sha256, size, data) VALUES ('fw.elf', 'firmware', ?, 1, x'00')").run(sha256(new Uint8Array(1))))
    expectRefused(rec.dir, file, /its list of inputs/)
  })

  it('refuses an edited machine configuration', () => {
    const file = rec.copy((db) => {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'config'").get() as { value: string }
      const config = { ...JSON.parse(row.value), memBytes: 64 * 1024 * 1024 }
      db.prepare("UPDATE meta SET value = ? WHERE key = 'config'").run(JSON.stringify(config))
    })
    expectRefused(rec.dir, file, /its machine configuration \(meta\.config\) does not match its hash/)
  })

  it('refuses a recording with one of its two digests removed', () => {
    const file = rec.copy((db) => db.prepare("DELETE FROM meta WHERE key = 'config_sha256'").run())
    expectRefused(rec.dir, file, /config_sha256\) is missing/)
  })

  it('replays a recording written before the digests, and says its configuration was not checked', () => {
    const file = rec.copy((db) => db.prepare("DELETE FROM meta WHERE key IN ('config_sha256', 'inputs_sha256')").run())
    const r = cli(rec.dir, 'at', file, '5')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^step 5 /)
    expect(r.stderr).toMatch(/^bootscope: this recording was written before recordings kept a hash of their configuration/)
  })
})
