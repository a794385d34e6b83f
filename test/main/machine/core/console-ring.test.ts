/**
 * The console a machine keeps is a ring of its last CONSOLE_RING_BYTES (issue 10 item 11): bounded
 * whatever the guest prints, positions counted over everything printed (checkpoints truncate to
 * them), and nothing is lost from the recording, which keeps every byte.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONSOLE_RING_BYTES, ConsoleRing } from '../../../../src/main/machine/core/console-ring'
import { createMachine } from '../../../../src/main/machine/core/create-machine'
import { Recorder } from '../../../../src/main/trace/recorder'
import { RecordingReader } from '../../../../src/main/trace/recording-reader'
import { printingKernel } from '../../../support/printing-kernel'

const push = (r: ConsoleRing, s: string) => {
  for (const ch of s) r.push(ch.charCodeAt(0))
}

describe('the console ring', () => {
  it('keeps all the output while it is under the capacity, growing as it fills', () => {
    const r = new ConsoleRing(10_000)
    push(r, 'a'.repeat(5000) + 'b'.repeat(4000))
    expect(r.length).toBe(9000)
    expect(r.text()).toBe('a'.repeat(5000) + 'b'.repeat(4000))
    expect(r.textSince(8998)).toBe('bb')
  })

  it('keeps the last capacity bytes once the output is longer, counting every byte', () => {
    const r = new ConsoleRing(8)
    push(r, 'hello, world\n')
    expect(r.length).toBe(13)
    expect(r.start).toBe(5)
    expect(r.text()).toBe(', world\n')
    expect(r.textSince(10)).toBe('ld\n')
    expect(r.textSince(0)).toBe(', world\n')
  })

  it('forgets what was printed after a truncation, and says the overwritten part is gone', () => {
    const r = new ConsoleRing(8)
    push(r, 'abcdefgh')
    r.truncate(5)
    expect(r.text()).toBe('abcde')
    push(r, 'XYZ')
    expect(r.text()).toBe('abcdeXYZ')
    // Wrapped: 'ijkl' overwrote a–d; going back to 6 keeps only what is still whole there (e, X).
    push(r, 'ijkl')
    expect(r.text()).toBe('eXYZijkl')
    r.truncate(6)
    expect(r.length).toBe(6)
    expect(r.start).toBe(4)
    expect(r.text()).toBe('eX')
    push(r, '12')
    expect(r.text()).toBe('eX12')
  })
})

describe('a guest printing in a loop', () => {
  it('leaves the machine holding the last CONSOLE_RING_BYTES of its console, and the recording all of it', async () => {
    const lines = 37_000 // ≈ 1.07 MB of output: more than the ring holds
    const kernel = { file: 'print.elf', bytes: printingKernel(lines) }
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-console-ring-'))
    const started = await Recorder.start({ recordingPath: join(dir, 'print.sqlite'), kernel, writtenBy: 'test' })
    if (!started.ok) throw new Error(started.error.message)
    const r = await started.value.run()
    expect(r.stop.reason).toBe('shutdown')
    const created = await createMachine({ kernel })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    expect((await m.run()).reason).toBe('shutdown')
    const text = m.consoleText()
    expect(m.console.length).toBeGreaterThan(CONSOLE_RING_BYTES)
    expect(text.length).toBe(CONSOLE_RING_BYTES)
    const reader = RecordingReader.open(r.path)
    if (!reader.ok) throw new Error(reader.error.message)
    const recorded = reader.value
      .events({ kinds: ['uart_output'] })
      .map((e) => (e.data as { text: string }).text)
      .join('')
    reader.value.close()
    expect(recorded.length).toBe(m.console.length)
    expect(recorded.endsWith(text)).toBe(true)
  }, 120_000)
})
