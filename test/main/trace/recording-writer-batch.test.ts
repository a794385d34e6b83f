/**
 * `RecordingWriter.batched`: the recorder's checkpoints are written inside a transaction left open
 * until its next commit, so another process sees them only with that commit, together with the
 * step the file then covers; a write that fails in a batch is rolled back alone, and what the batch
 * already held is still committed.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { RecordingWriter } from '../../../src/main/trace/recording-writer'

function writer(): RecordingWriter {
  const w = RecordingWriter.create(join(mkdtempSync(join(tmpdir(), 'bootscope-batch-')), 'rec.sqlite'), { kernel: 'k.elf', config: {}, writtenBy: 'test' })
  if (!w.ok) throw new Error(w.error.message)
  return w.value
}

/** What another connection sees: the page_blobs ids and the step the file covers. */
function seen(path: string): { ids: number[]; steps: string } {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const ids = (db.prepare('SELECT id FROM page_blobs ORDER BY id').all() as { id: number }[]).map((r) => r.id)
    const steps = (db.prepare("SELECT value FROM meta WHERE key = 'steps'").get() as { value: string }).value
    return { ids, steps }
  } finally {
    db.close()
  }
}

const put = (id: number) => (db: Database.Database) => db.prepare('INSERT INTO page_blobs (id, data) VALUES (?, ?)').run(id, Buffer.alloc(16, id))

describe('RecordingWriter.batched', () => {
  it('is seen by readers only with the next commit, with the step it covers', () => {
    const w = writer()
    w.batched(put(1))
    w.batched(put(2))
    expect(seen(w.writingPath)).toEqual({ ids: [], steps: '0' })
    w.event(10, 'uart_output', null, { text: 'x' })
    w.commit(20)
    expect(seen(w.writingPath)).toEqual({ ids: [1, 2], steps: '20' })
    w.batched(put(3))
    const done = w.finish(30, 'shutdown')
    if (!done.ok) throw new Error(done.error.message)
    expect(seen(done.value)).toEqual({ ids: [1, 2, 3], steps: '30' })
  })

  it('keeps what a batch held when a later write in it fails, and reports the failure', () => {
    const w = writer()
    w.batched(put(1))
    w.batched(put(1)) // the same id again: a constraint error
    expect(w.failure?.message).toMatch(/UNIQUE/)
    w.batched(put(2)) // after a failure nothing more is written
    w.commit(5)
    expect(seen(w.writingPath).ids).toEqual([1])
    const done = w.finish(5, 'shutdown')
    expect(done.ok).toBe(false)
  })
})
