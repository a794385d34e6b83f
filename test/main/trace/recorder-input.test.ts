/**
 * A live boot waits for the user: a guest asleep in wfi until a UART interrupt keeps the
 * recording open (no steps pass) until input is typed, then runs on; typed bytes are recorded
 * with their step, and the replay delivers them there.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Recorder, type RecordProgress } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { ReplaySession } from '../../../src/main/trace/replay'
import { buildKernel } from '../../fixtures/machine/build-kernel'

describe('recording a boot that waits for input', () => {
  it('stays open while the guest sleeps, runs on when a key arrives, and replays the keys at their steps', async () => {
    const k = buildKernel(['uart-irq-echo.S'], 'm-mode.ld')
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-input-')), 'echo.sqlite')
    let text = ''
    const progress: RecordProgress[] = []
    let typed = 0
    let typedAt = -1
    const started = await Recorder.start({
      recordingPath: path,
      kernel: { file: 'echo.elf', bytes: k.bytes },
      bios: 'none',
      writtenBy: 'test',
      waitForInput: true,
      // Smaller than the whole boot: the budget is renewed each time the user answers the guest.
      maxSteps: 70,
      onOutput: (_s, t) => (text += t),
      onProgress: (p) => {
        progress.push(p)
        // Each time the guest falls asleep again after running on (progress keeps coming while it sleeps), type the next key.
        if (p.waiting && p.steps > typedAt && started.ok) {
          typedAt = p.steps
          started.value.sendInput(['a', 'b', 'q'][typed++] ?? '')
        }
      },
    })
    if (!started.ok) throw new Error(started.error.message)
    const result = await started.value.run()
    expect(result.stop.reason).toBe('shutdown')
    expect(result.steps).toBeGreaterThan(70)
    expect(text).toContain('ready')
    expect(text).toContain('[a]')
    expect(text).toContain('[b]')
    expect(typed).toBe(3)
    expect(new Set(progress.filter((p) => p.waiting).map((p) => p.steps)).size).toBe(3)
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    const inputs = r.value.inputs()
    r.value.close()
    expect(inputs.map((i) => new TextDecoder().decode(i.data))).toEqual(['a', 'b', 'q'])
    // Replay reaches the same end with the keys delivered at their recorded steps.
    const replay = await ReplaySession.open(path)
    if (!replay.ok) throw new Error(replay.error.message)
    const end = await replay.value.stateAt({ step: result.steps })
    expect(end.ok && end.value.endedAt?.reason).toBe('shutdown')
    expect(end.ok && end.value.step).toBe(result.steps)
  })

  it('a cancel while the guest waits ends the boot, keeping the recording', async () => {
    const k = buildKernel(['uart-irq-echo.S'], 'm-mode.ld')
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-input-')), 'cancel.sqlite')
    const started = await Recorder.start({
      recordingPath: path,
      kernel: { file: 'echo.elf', bytes: k.bytes },
      bios: 'none',
      writtenBy: 'test',
      waitForInput: true,
      onProgress: (p) => {
        if (p.waiting && started.ok) setTimeout(() => started.value.cancel(), 50)
      },
    })
    if (!started.ok) throw new Error(started.error.message)
    const result = await started.value.run()
    expect(result.stop.reason).toBe('cancelled')
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.outcome).toBe('cancelled')
    r.value.close()
  })

  it('replay says the boot ended where and why the recording did: by the cancel, after the waits', async () => {
    const k = buildKernel(['uart-irq-echo.S'], 'm-mode.ld')
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-input-')), 'cancel-late.sqlite')
    let typedAt = -1
    const started = await Recorder.start({
      recordingPath: path,
      kernel: { file: 'echo.elf', bytes: k.bytes },
      bios: 'none',
      writtenBy: 'test',
      waitForInput: true,
      onProgress: (p) => {
        if (!p.waiting || !started.ok || p.steps === typedAt) return
        // The first wait is answered with a key; the second is cancelled.
        if (typedAt < 0) {
          typedAt = p.steps
          started.value.sendInput('a')
        } else setTimeout(() => started.value.cancel(), 20)
      },
    })
    if (!started.ok) throw new Error(started.error.message)
    const result = await started.value.run()
    expect(result.stop.reason).toBe('cancelled')
    expect(result.steps).toBeGreaterThan(typedAt)
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    const stops = r.value.events({ kinds: ['stop'] }).map((e) => (e.data as { reason: string }).reason)
    r.value.close()
    expect(stops.at(-1)).toBe('cancelled')
    const replay = await ReplaySession.open(path)
    if (!replay.ok) throw new Error(replay.error.message)
    const end = await replay.value.stateAt({ step: result.steps })
    expect(end.ok && end.value.endedAt).toEqual({ step: result.steps, reason: 'cancelled' })
  })
})
