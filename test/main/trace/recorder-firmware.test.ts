/**
 * Recording real firmware (CI installs Debian's opensbi and u-boot-qemu): OpenSBI fw_jump and
 * S-mode U-Boot recorded to U-Boot's `=>` prompt. The recording stays small and the recorder's
 * memory bounded: the hart's trace rings are drained into events as the boot runs.
 */
import { readFileSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { openSbiFwJump, uBootSmode } from '../../support/oracles'

const openSbi = openSbiFwJump()
const uBoot = uBootSmode()
const image = (path: string) => ({ file: path, bytes: new Uint8Array(readFileSync(path)) })

describe.skipIf(openSbi.missing || uBoot.missing)("recording Debian's OpenSBI + U-Boot", () => {
  it('records the boot to the => prompt with bounded memory', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-uboot-')), 'uboot.sqlite')
    let text = ''
    let typed = false
    let peakRss = 0
    const started = await Recorder.start({
      recordingPath: path,
      kernel: { ...image(uBoot.path!), rawAddr: 0x8020_0000n },
      bios: image(openSbi.path!),
      writtenBy: 'test',
      onOutput: (_step, t) => {
        text += t
        if (!started.ok) return
        // A key stops the autoboot countdown (as the machine's firmware test does); the prompt ends the boot.
        if (!typed && /Hit any key to stop autoboot: *\d $/.test(text)) {
          typed = true
          started.value.sendInput(' ')
        } else if (text.endsWith('=> ')) started.value.cancel()
      },
      onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
    })
    if (!started.ok) throw new Error(started.error.message)
    const rssBefore = process.memoryUsage().rss
    const result = await started.value.run()
    expect(text).toContain('U-Boot 20')
    expect(text.endsWith('=> ')).toBe(true)
    expect(result.stop.reason).toBe('cancelled')
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    try {
      const kinds = new Set(r.value.events().map((e) => e.kind))
      for (const k of ['segment_loaded', 'firmware_handoff', 'trap', 'trap_return', 'uart_output', 'stop']) expect(kinds, k).toContain(k)
      const handoffs = r.value.events({ kinds: ['firmware_handoff'] })
      expect(handoffs.length).toBeGreaterThanOrEqual(2) // ROM → OpenSBI, OpenSBI → U-Boot in S-mode
      expect(r.value.outcome).toBe('cancelled')
      expect(r.value.inputs().map((i) => new TextDecoder().decode(i.data))).toEqual([' '])
    } finally {
      r.value.close()
    }
    const bytes = statSync(path).size
    console.log(`U-Boot prompt: ${result.steps} steps, recording ${bytes} bytes, RSS ${(rssBefore / 1e6).toFixed(0)} → peak ${(peakRss / 1e6).toFixed(0)} MB`)
    expect(bytes / result.steps).toBeLessThan(0.1)
    // Bounded: the recorder holds no per-instruction data (the guest's 128 MiB RAM is allocated before).
    expect(peakRss - rssBefore).toBeLessThan(256 * 1024 * 1024)
  }, 180_000)
})
