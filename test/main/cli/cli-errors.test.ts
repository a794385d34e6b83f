/**
 * Every command says what went wrong in one line — `bootscope CMD: message`, exit 1 (2 for a
 * usage mistake) — never a stack trace (issue 10 item 10): damaged recordings name the table and
 * row at fault for `events`, `at` and `find`; `boot --mem` past the most RAM says the maximum; a
 * missing `--disk` is named; a full disk (SQLite's own SQLITE_FULL) ends a recording with "the
 * disk is full".
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { buildFolder, EXAMPLE } from '../../support/build-workspace'
import { RecordingWriter } from '../../../src/main/trace/recording-writer'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' })

/** stderr is one line (a hint may follow, indented) and holds no stack frame. */
function expectOneLine(stderr: string, command: string, text: RegExp): void {
  const lines = stderr.trim().split('\n')
  expect(lines[0]).toMatch(new RegExp(`^bootscope ${command}: `))
  expect(lines[0]).toMatch(text)
  expect(lines.slice(1).every((l) => l.startsWith('  hint: ') || l === '' || l.startsWith('Usage:') || !l.startsWith('    at '))).toBe(true)
  expect(stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/)
}

/** Each damage a file can have, and the table/row the error must name. */
const DAMAGES: { name: string; sql: string; names: RegExp }[] = [
  { name: 'the events table dropped', sql: 'DROP TABLE events', names: /its table 'events' is missing/ },
  { name: 'the meta table dropped', sql: 'DROP TABLE meta', names: /its table 'meta' is missing/ },
  { name: 'a column of artifacts lost', sql: 'ALTER TABLE artifacts DROP COLUMN size', names: /its table 'artifacts' has no column 'size'/ },
  { name: 'meta.steps not a number', sql: "UPDATE meta SET value = 'many' WHERE key = 'steps'", names: /meta row 'steps' is not a step count/ },
  { name: 'meta.config not JSON', sql: "UPDATE meta SET value = '{oops' WHERE key = 'config'", names: /meta row 'config' is not JSON/ },
  { name: 'schema_version not a number', sql: "UPDATE schema_version SET version = 'one'", names: /its schema_version row is not a format number/ },
]

/** Damages only `events` sees (replay does not read these rows). */
const EVENT_DAMAGES: { name: string; sql: string; names: RegExp }[] = [
  { name: 'an event payload that is not JSON', sql: "UPDATE events SET data = '{bad' WHERE id = 2", names: /events row 2: its data is not JSON/ },
  { name: 'an unknown event kind', sql: "UPDATE events SET kind = 'nope' WHERE id = 2", names: /events row 2: its kind "nope" is not an event kind/ },
  { name: 'a payload that is not an object', sql: "UPDATE events SET data = '5' WHERE id = 2", names: /events row 2: its data is not a JSON object/ },
  { name: 'a step that is text', sql: "UPDATE events SET step = 'abc' WHERE id = 2", names: /events row 2: its step is not a step count/ },
  {
    name: "a payload that does not fit its kind (explain.ts's TypeError)",
    sql: "UPDATE events SET data = '{\"sections\": 5}' WHERE kind = 'segment_loaded'",
    names: /events row \d+: its data does not fit a segment_loaded event/,
  },
]

describe('one line, never a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-cli-errors-'))
  writeFileSync(join(dir, 'k.elf'), buildFolder(EXAMPLE))
  const recorded = cli(dir, 'record', 'k.elf', '-o', 'rec.sqlite')
  let n = 0
  const damage = (sql: string) => {
    const name = `damaged-${n++}.sqlite`
    copyFileSync(join(dir, 'rec.sqlite'), join(dir, name))
    const db = new Database(join(dir, name))
    db.exec(sql)
    db.close()
    return name
  }

  it('records the recording the cases damage', () => expect(recorded.status, recorded.stderr).toBe(0))

  for (const d of DAMAGES) {
    it(`events, at and find on a recording with ${d.name}: damaged, naming where`, () => {
      const file = damage(d.sql)
      for (const [command, ...args] of [['events'], ['at', '3'], ['find', '0', '--pc', '0x80200000']]) {
        const r = cli(dir, command, file, ...args)
        expect(r.status, `${command}: ${r.stderr}`).toBe(1)
        expectOneLine(r.stderr, command, new RegExp(`'${file}' is damaged: ${d.names.source}`))
      }
    })
  }

  for (const d of EVENT_DAMAGES) {
    it(`events on a recording with ${d.name}: damaged, naming the row`, () => {
      const r = cli(dir, 'events', damage(d.sql))
      expect(r.status, r.stderr).toBe(1)
      expectOneLine(r.stderr, 'events', d.names)
    })
  }

  it('a file cut short is damaged, not "not a recording"', () => {
    writeFileSync(join(dir, 'cut.sqlite'), readFileSync(join(dir, 'rec.sqlite')).subarray(0, 3000))
    const r = cli(dir, 'events', 'cut.sqlite')
    expect(r.status).toBe(1)
    expectOneLine(r.stderr, 'events', /'cut\.sqlite' is damaged: SQLite cannot read its pages/)
  })

  it('boot --mem past the most guest RAM says the maximum (usage, exit 2)', () => {
    const r = cli(dir, 'boot', 'k.elf', '--mem', '4G')
    expect(r.status).toBe(2)
    expectOneLine(r.stderr, 'boot', /--mem 4G: the most guest RAM is 4080M/)
  })

  it('boot and record --disk with a missing image name it (usage, exit 2)', () => {
    for (const command of ['boot', 'record']) {
      const r = cli(dir, command, 'k.elf', '--disk', '/nonexistent', ...(command === 'record' ? ['-o', 'd.sqlite'] : []))
      expect(r.status).toBe(2)
      expectOneLine(r.stderr, command, /no disk image '\/nonexistent'/)
    }
  })

  it("a full disk (SQLite's SQLITE_FULL) ends the recording with 'the disk is full', keeping what was written", () => {
    const made = RecordingWriter.create(join(dir, 'full.sqlite'), { kernel: 'k.elf', config: {}, writtenBy: 'test' })
    if (!made.ok) throw new Error(made.error.message)
    const w = made.value
    // SQLite's page cap makes the file full for real: inserts fail with SQLITE_FULL.
    w.transaction((db) => db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 4}`))
    for (let i = 0; i < 5000 && !w.failure; i++) w.event(i, 'uart_output', null, { text: 'x'.repeat(200) })
    w.flush()
    expect((w.failure as { code?: string } | undefined)?.code).toBe('SQLITE_FULL')
    const done = w.finish(5000, 'shutdown')
    expect(done.ok).toBe(false)
    if (!done.ok) expect(done.error.message).toMatch(/^the recording could not be written completely: the disk is full \(what was written is in .*full\.partial-\d+\.sqlite\)$/)
  })
})
