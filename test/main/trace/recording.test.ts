import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { RecordingWriter } from '../../../src/main/trace/recording-writer'
import type { NewRecording } from '../../../src/main/trace/recording-file'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { readSummary } from '../../../src/main/trace/recording-file'
import { SCHEMA_VERSION } from '../../../src/main/trace/schema'

const dir = mkdtempSync(join(tmpdir(), 'bootscope-trace-'))


function writerFor(path: string, rec: NewRecording): RecordingWriter {
  const w = RecordingWriter.create(path, rec)
  if (!w.ok) throw new Error(w.error.message)
  return w.value
}

describe('recording files', () => {
  it('writes events and reads them back by kind and step range, in order', () => {
    const path = join(dir, 'a.sqlite')
    const w = writerFor(path, { kernel: 'k.elf', config: {}, writtenBy: 'test' })
    w.event(0, 'firmware_handoff', '0x80000000', { firmware: 'builtin', mode: 'S', entry: '0x80200000', a0: '0x0', a1: '0x87e00000' })
    w.event(7, 'satp_write', '0x80200018', {
      old: { mode: 'Bare', asid: 0, root: '0x0', raw: '0x0' },
      new: { mode: 'Sv39', asid: 0, root: '0x80202000', raw: '0x8000000000080202' },
    })
    w.event(8, 'sfence_vma', '0x8020001c', { vaddr: null, asid: null })
    for (let i = 0; i < 1000; i++) w.event(100 + i, 'uart_output', null, { text: 'x' })
    w.finish(2000, 'shutdown')

    const r = RecordingReader.open(path)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.steps).toBe(2000)
    expect(r.value.outcome).toBe('shutdown')
    const satp = r.value.events({ kinds: ['satp_write'] })
    expect(satp).toHaveLength(1)
    expect(satp[0]).toMatchObject({ step: 7, kind: 'satp_write', pc: '0x80200018' })
    expect((satp[0].data as { new: { mode: string } }).new.mode).toBe('Sv39')
    expect(r.value.events({ from: 0, to: 10 }).map((e) => e.kind)).toEqual(['firmware_handoff', 'satp_write', 'sfence_vma'])
    expect(r.value.events({ kinds: ['uart_output'], from: 500, to: 599 })).toHaveLength(100)
    r.value.close()
  })

  it('stays readable and says incomplete when the writer dies before finishing', () => {
    const path = join(dir, 'b.sqlite')
    const w = writerFor(path, { kernel: 'k.elf', config: {}, writtenBy: 'test' })
    for (let i = 0; i < 600; i++) w.event(i, 'uart_output', null, { text: String(i) })
    // No finish(): simulate a crash after the first committed batch (512 events).
    const s = readSummary(w.writingPath)
    expect(s.ok && s.summary.outcome).toBe('incomplete')
    const r = RecordingReader.open(w.writingPath)
    expect(r.ok && r.value.events().length).toBe(512)
    if (r.ok) r.value.close()
    w.close()
  })

  it('keeps artifacts with their SHA-256', () => {
    const path = join(dir, 'c.sqlite')
    const w = writerFor(path, { kernel: 'k.elf', config: {}, writtenBy: 'test' })
    const sha = w.artifact('kernel.elf', 'kernel', new TextEncoder().encode('abc'))
    expect(sha).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    w.finish(0, 'shutdown')
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.artifact('kernel.elf')?.sha256).toBe(sha)
    r.value.close()
  })

  it('refuses a file that is not a recording, and one from a newer format', () => {
    const junk = join(dir, 'junk.sqlite')
    writeFileSync(junk, 'not sqlite at all')
    const a = RecordingReader.open(junk)
    expect(a.ok).toBe(false)

    const newer = join(dir, 'newer.sqlite')
    const db = new Database(newer)
    db.exec('CREATE TABLE schema_version (version INTEGER, written_by TEXT)')
    db.prepare('INSERT INTO schema_version VALUES (?, ?)').run(SCHEMA_VERSION + 1, 'future')
    db.close()
    const b = RecordingReader.open(newer)
    expect(b.ok).toBe(false)
    if (!b.ok) expect(b.error.code).toBe('trace.too_new')
  })
})
