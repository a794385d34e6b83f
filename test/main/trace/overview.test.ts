import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RecordingWriter } from '../../../src/main/trace/recording-writer'
import type { NewRecording } from '../../../src/main/trace/recording-file'
import { recordingOverview } from '../../../src/main/trace/overview'


function writerFor(path: string, rec: NewRecording): RecordingWriter {
  const w = RecordingWriter.create(path, rec)
  if (!w.ok) throw new Error(w.error.message)
  return w.value
}

describe('recording overview', () => {
  it('summarises a recording into lanes, notable events and counts, leaving UART output to paging', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-ov-')), 'r.sqlite')
    const w = writerFor(path, { kernel: 'kernel.elf', config: {}, writtenBy: 'test' })
    w.event(40, 'firmware_handoff', null, { firmware: 'builtin', mode: 'S', entry: '0x80200000', a0: '0x0', a1: '0x87e00000' })
    w.event(47, 'satp_write', '0x80200018', {
      old: { mode: 'Bare', asid: 0, root: '0x0', raw: '0x0' },
      new: { mode: 'Sv39', asid: 0, root: '0x80202000', raw: '0x8000000000080202' },
    })
    for (let i = 0; i < 5; i++) w.event(60 + i, 'uart_output', null, { text: 'h' })
    w.event(90, 'stop', null, { reason: 'shutdown', exitCode: 0, message: 'SBI shutdown' })
    w.finish(91, 'shutdown')

    const o = recordingOverview(path, 'r.sqlite')
    expect(o.ok).toBe(true)
    if (!o.ok) return
    expect(o.value).toMatchObject({ path: 'r.sqlite', kernel: 'kernel.elf', steps: 91, outcome: 'shutdown', truncated: false })
    expect(o.value.events.map((e) => e.kind)).toEqual(['firmware_handoff', 'satp_write', 'stop'])
    expect(o.value.counts).toMatchObject({ uart_output: 5, satp_write: 1 })
    expect(o.value.lanes.privilege).toEqual([
      { from: 0, to: 40, value: 'M' },
      { from: 40, to: 91, value: 'S' },
    ])
    expect(o.value.lanes.translation.map((r) => r.value)).toEqual(['Bare', 'Sv39'])
  })
})
