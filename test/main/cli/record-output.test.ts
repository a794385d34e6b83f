/**
 * Where `bootscope record -o` writes: a new recording replaces an earlier one only as a whole
 * (written beside it, renamed at the end), two writers on one path leave one whole recording,
 * and a file that is not a recording — another program's SQLite database, a text file, a folder —
 * is refused and left untouched, with one line saying why.
 */
import { describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { buildFolder, EXAMPLE } from '../../support/build-workspace'
import { RecordingReader } from '../../../src/main/trace/recording-reader'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' })

function kernelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-output-'))
  writeFileSync(join(dir, 'k.elf'), buildFolder(EXAMPLE))
  return dir
}

function stopsIn(path: string): number {
  const r = RecordingReader.open(path)
  if (!r.ok) throw new Error(r.error.message)
  try {
    return r.value.events({ kinds: ['stop'] }).length
  } finally {
    r.value.close()
  }
}

describe('bootscope record -o', () => {
  it('replaces an earlier recording as a whole: one boot in the file, no temporary left', () => {
    const dir = kernelDir()
    expect(cli(dir, 'record', 'k.elf', '-o', 'rec.sqlite').status).toBe(0)
    expect(cli(dir, 'record', 'k.elf', '-o', 'rec.sqlite').status).toBe(0)
    expect(stopsIn(join(dir, 'rec.sqlite'))).toBe(1)
    expect(readdirSync(dir).sort()).toEqual(['k.elf', 'rec.sqlite'])
  })

  it('two processes on one path leave one whole recording', async () => {
    const dir = kernelDir()
    const run = () =>
      new Promise<number | null>((resolve) => spawn(process.execPath, [bin, 'record', 'k.elf', '-o', 'rec.sqlite'], { cwd: dir, stdio: 'ignore' }).on('exit', resolve))
    expect(await Promise.all([run(), run()])).toEqual([0, 0])
    expect(stopsIn(join(dir, 'rec.sqlite'))).toBe(1)
    expect(readdirSync(dir).sort()).toEqual(['k.elf', 'rec.sqlite'])
  })

  it("never touches another program's SQLite database or a text file", () => {
    const dir = kernelDir()
    const other = join(dir, 'app.db')
    const db = new Database(other)
    db.exec("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me')")
    db.close()
    const before = readFileSync(other)
    const r = cli(dir, 'record', 'k.elf', '-o', 'app.db')
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toMatch(/^bootscope record: app\.db exists and is not a Bootscope recording: it is left untouched/)
    expect(readFileSync(other).equals(before)).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['app.db', 'k.elf'])

    writeFileSync(join(dir, 'notes.txt'), 'hello')
    const t = cli(dir, 'record', 'k.elf', '-o', 'notes.txt')
    expect(t.status).toBe(1)
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('hello')
  })

  it('explains a folder and a missing folder in one line', () => {
    const dir = kernelDir()
    mkdirSync(join(dir, 'out'))
    const folder = cli(dir, 'record', 'k.elf', '-o', 'out')
    expect(folder.status).toBe(1)
    expect(folder.stderr).toContain('cannot write the recording out: it is a folder')
    expect(folder.stderr).not.toMatch(/\n\s+at /)
    const missing = cli(dir, 'record', 'k.elf', '-o', 'nowhere/rec.sqlite')
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('the folder nowhere does not exist')
  })
})
