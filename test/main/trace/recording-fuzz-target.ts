/**
 * Fuzz target: the recording reader (issue 10's fuzz suite, "recording reader"). A real recording
 * of the higher-half example, damaged two ways — bytes of the SQLite file flipped, zeroed or cut
 * (pages SQLite may or may not notice), and rows edited through SQL (tables and columns dropped,
 * cells set to values of the wrong type, rows deleted or added, meta keys changed) — then read as
 * `bootscope events`, the app's overview and `bootscope at` read it: `RecordingReader` (meta,
 * artifacts and the input check, events by kind and range, inputs, the last stop, each event in
 * words), `recordingOverview`, and every 100th input `ReplaySession` (open, a state). Every
 * outcome must be data or a one-line error value; the only exception allowed out of a query is
 * `DamagedRecording`, whose message names the table and row. Run by recording-fuzz.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { EVENT_KINDS } from '../../../src/shared/trace/events'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { recordingOverview } from '../../../src/main/trace/overview'
import { ReplaySession } from '../../../src/main/trace/replay'
import { DamagedRecording, explainRow } from '../../../src/main/trace/recording-damage'
import { Recorder } from '../../../src/main/trace/recorder'
import { buildFolder, EXAMPLE } from '../../support/build-workspace'
import { errorProblem, rngFor, type FuzzTarget } from '../../support/fuzz'

const dir = mkdtempSync(join(tmpdir(), 'bootscope-recording-fuzz-'))
const file = join(dir, 'rec.sqlite')

/** The recording every input starts from (recorded once, in this worker). */
async function baseRecording(): Promise<Uint8Array> {
  // Checkpoints every 20 000 steps, so the file has checkpoint rows and page contents to damage too.
  const started = await Recorder.start({ recordingPath: join(dir, 'base.sqlite'), kernel: { file: 'k.elf', bytes: buildFolder(EXAMPLE) }, writtenBy: 'fuzz', checkpointEvery: 20_000 })
  if (!started.ok) throw new Error(started.error.message)
  const r = await started.value.run()
  if (r.writeError) throw new Error(r.writeError)
  return readFileSync(r.path)
}

const base = await baseRecording()
// Replay compiles the untraced hart and builds its first machine once per worker: not an input's time (its 5 s hang watchdog).
const warm = await ReplaySession.open(join(dir, 'base.sqlite'))
if (warm.ok) await warm.value.stateAt({ step: 100 })

const TABLES = ['meta', 'artifacts', 'inputs', 'events', 'schema_version', 'checkpoints', 'page_blobs', 'segments']
const COLUMNS: Record<string, string[]> = {
  meta: ['key', 'value'],
  artifacts: ['name', 'role', 'sha256', 'size', 'data'],
  inputs: ['step', 'kind', 'data'],
  events: ['step', 'kind', 'pc', 'data'],
  schema_version: ['version', 'written_by'],
  checkpoints: ['step', 'kind', 'base_step', 'hart', 'devices', 'pages', 'page_count', 'written'],
  page_blobs: ['id', 'data'],
}
const META_KEYS = ['steps', 'outcome', 'config', 'kernel', 'created_at', 'config_sha256', 'inputs_sha256', 'checkpoint_every', 'checkpoint_format']
/** SQL literals of every storage class and the edges that break naive readers. */
const VALUES = [
  '0', '-1', '1', '9007199254740993', '1e300', "'abc'", "''", 'NULL', "x'00ff'", "x''", "'{}'", "'[]'", "'null'", "'{'", "'5'",
  `'${'z'.repeat(5000)}'`, "'{\"reason\":5}'", "'{\"text\":null}'", "'{\"sections\":5}'", "'{\"new\":{}}'", "'{\"mappings\":\"x\"}'",
  "'{\"reason\":\"shutdown\",\"exitCode\":\"x\"}'", "'{\"bios\":5}'", "'{\"memBytes\":-5}'", "'{\"memBytes\":1e20}'", "'{\"modules\":[{}]}'",
  "'{\"bios\":\"fw.elf\"}'", "'{\"disk\":true}'", "'12345678901234567890'", "'shutdown'", "'incomplete'",
]

type Input = { kind: 'bytes'; edits: [number, number, number][] } | { kind: 'sql'; statements: string[] }

function sqlEdit(next: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[next() % xs.length]
  const value = () => pick(VALUES)
  const table = pick(Object.keys(COLUMNS))
  switch (next() % 9) {
    case 0:
      return `DROP TABLE ${pick(TABLES)}`
    case 1:
      return `ALTER TABLE ${table} DROP COLUMN ${pick(COLUMNS[table])}`
    case 2:
    case 3:
      return `UPDATE ${table} SET ${pick(COLUMNS[table])} = ${value()} WHERE rowid IN (SELECT rowid FROM ${table} LIMIT 1 OFFSET ${next() % 6})`
    case 4:
      return `UPDATE meta SET value = ${value()} WHERE key = '${pick(META_KEYS)}'`
    case 5:
      return `DELETE FROM ${table} WHERE rowid % ${1 + (next() % 4)} = 0`
    case 6:
      return `INSERT INTO events (step, kind, pc, data) VALUES (${value()}, '${pick([...EVENT_KINDS, 'nope', ''])}', ${pick(['NULL', "'0x80200000'", '5'])}, ${value()})`
    case 7:
      return `UPDATE events SET data = ${value()} WHERE kind = '${pick(EVENT_KINDS)}'`
    default:
      return `DELETE FROM meta WHERE key = '${pick(META_KEYS)}'`
  }
}

/** Writes the input's recording to `file`. */
function materialize(input: Input): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true })
  if (input.kind === 'bytes') {
    let bytes = Uint8Array.from(base)
    for (const [op, at, n] of input.edits) {
      if (op === 0) bytes[at % bytes.length] ^= 1 + (n % 255)
      else if (op === 1) bytes.fill(0, at % bytes.length, (at % bytes.length) + n)
      else bytes = bytes.subarray(0, at % bytes.length)
    }
    writeFileSync(file, bytes)
    return
  }
  writeFileSync(file, base)
  const db = new Database(file)
  // No fsync per edit: the input's file is scratch.
  db.pragma('journal_mode = MEMORY')
  db.pragma('synchronous = OFF')
  for (const s of input.statements) {
    try {
      db.exec(s)
    } catch {
      // An edit SQLite refuses (a primary key column, a NOT NULL) leaves the file as it was.
    }
  }
  db.close()
}

/** What is wrong with a thrown error: only a one-line DamagedRecording may escape a reader's query. */
function thrownProblem(e: unknown, what: string): string | undefined {
  if (!(e instanceof DamagedRecording)) return `${what} threw ${(e as Error)?.name}: ${(e as Error)?.message ?? String(e)}`
  return errorProblem({ code: e.code, message: e.message })
}

/** Codes a refused recording may carry (a read that failed otherwise is a defect). */
const REFUSALS = ['trace.open_failed', 'trace.not_a_recording', 'trace.too_new', 'trace.damaged']

export const tally: Record<string, number> = { read: 0, damaged: 0, refused: 0, replayed: 0, replayRefused: 0 }

async function read(i: number): Promise<string | undefined> {
  const opened = RecordingReader.open(file)
  if (!opened.ok) {
    tally.refused++
    if (!REFUSALS.includes(opened.error.code)) return `open refused with ${opened.error.code}`
    return errorProblem(opened.error)
  }
  const r = opened.value
  try {
    void r.steps
    void r.outcome
    r.sourceLines()
    r.countsByKind()
    const checked = r.checkInputs()
    if (!checked.ok && (checked.error.code !== 'replay.input_mismatch' || errorProblem(checked.error))) return `checkInputs: ${checked.error.code}: ${checked.error.message}`
    r.lastStop()
    r.inputs()
    for (const e of r.events()) explainRow(file, e)
    r.events({ kinds: ['stop', 'satp_write'], from: i % 50, to: 100 + (i % 1000), limit: 1 + (i % 7) })
    tally.read++
  } catch (e) {
    tally.damaged++
    return thrownProblem(e, 'the reader')
  } finally {
    r.close()
  }
  return undefined
}

async function overview(): Promise<string | undefined> {
  const o = recordingOverview(file, 'rec.sqlite')
  if (o.ok) return undefined
  if (!REFUSALS.includes(o.error.code)) return `overview: ${o.error.code}: ${o.error.message}`
  return errorProblem(o.error)
}

async function replay(i: number): Promise<string | undefined> {
  const opened = await ReplaySession.open(file)
  if (!opened.ok) {
    tally.replayRefused++
    return opened.error.code === 'replay.failed' ? `replay: ${opened.error.message}` : errorProblem(opened.error)
  }
  const s = opened.value
  // Early steps, or the last ones (past the recording's checkpoints, which replay then reads).
  const step = (i % 2 ? Number(s.steps) : Math.min(Number(s.steps), 200)) - (i % 3)
  const state = await s.stateAt({ step: Math.max(0, step) })
  tally.replayed++
  return state.ok ? undefined : errorProblem(state.error)
}

export const recordingReader: FuzzTarget<Input> & { tally: Record<string, number> } = {
  tally,
  input(i) {
    const next = rngFor(0x5eed_0009, i)
    if (i % 2 === 0) {
      const edits: [number, number, number][] = []
      for (let k = 1 + (next() % 6); k > 0; k--) edits.push([next() % 10 < 7 ? 0 : next() % 10 < 8 ? 1 : 2, next() % base.length, next() % 2048])
      return { kind: 'bytes', edits }
    }
    const statements: string[] = []
    for (let k = 1 + (next() % 3); k > 0; k--) statements.push(sqlEdit(next))
    return { kind: 'sql', statements }
  },
  async run(input) {
    materialize(input)
    // The range queried varies with the input (its size), not with the run; the overview (the
    // same reader, then the lanes) runs on every fourth input, to keep the count within CI's time.
    const size = input.kind === 'sql' ? input.statements.join('').length : input.edits.length * 37
    return (await read(size)) ?? (size % 4 === 0 ? await overview() : undefined)
  },
}

/** The same target, with a replay of every input: run on a small count by the test (replay builds a machine each time). */
export const recordingReplay: FuzzTarget<Input> & { tally: Record<string, number> } = {
  tally,
  input: (i) => recordingReader.input(i * 100 + 1),
  async run(input) {
    materialize(input)
    return replay(input.kind === 'sql' ? input.statements.length : input.edits.length)
  },
}
