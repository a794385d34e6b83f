/**
 * The firmware hand-off of Debian's OpenSBI fw_jump (CI installs opensbi and u-boot-qemu) is the
 * privilege change into the kernel: the `mret` that enters S-mode at 0x80200000, with a0/a1 as
 * OpenSBI passes them (a1 = its own "Next Arg1", the device tree at 0x82200000) — not an exit a
 * few instructions earlier, still in M-mode, with the machine's own FDT address guessed.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { ReplaySession } from '../../../src/main/trace/replay'
import { stepAfter } from '../../../src/shared/trace/steps'
import type { TraceEvent } from '../../../src/shared/trace/events'
import { openSbiFwJump, uBootSmode } from '../../support/oracles'

const openSbi = openSbiFwJump()
const uBoot = uBootSmode()
const image = (path: string) => ({ file: path, bytes: new Uint8Array(readFileSync(path)) })

describe.skipIf(openSbi.missing || uBoot.missing)('the OpenSBI fw_jump hand-off', () => {
  it('is the mret into S-mode at the kernel entry, with OpenSBI’s a0 and a1', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bootscope-handoff-')), 'handoff.sqlite')
    let text = ''
    const started = await Recorder.start({
      recordingPath: path,
      kernel: { ...image(uBoot.path!), rawAddr: 0x8020_0000n }, // u-boot.bin is raw: where QEMU -kernel would put it after fw_jump
      bios: image(openSbi.path!),
      writtenBy: 'test',
      // U-Boot's banner: well past the hand-off.
      onOutput: (_step, t) => {
        text += t
        if (started.ok && text.includes('U-Boot 20')) started.value.cancel()
      },
    })
    if (!started.ok) throw new Error(started.error.message)
    await started.value.run()
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    let handoff, mret
    try {
      ;[, handoff] = r.value.events({ kinds: ['firmware_handoff'] }) // ROM → OpenSBI, then OpenSBI → kernel
      mret = (r.value.events({ kinds: ['trap_return'] }) as TraceEvent<'trap_return'>[]).find((e) => e.data.from === 'M' && e.data.to === 'S' && BigInt(e.data.target) === 0x80200000n)
    } finally {
      r.value.close()
    }
    expect(handoff).toBeDefined()
    expect(mret).toBeDefined()
    expect(handoff!.data).toMatchObject({ mode: 'S', entry: '0x80200000', a0: '0x0', a1: '0x82200000' })
    // The hand-off is the state right after that mret: the first state in the kernel.
    expect(handoff!.step).toBe(stepAfter(mret!))
    const replay = await ReplaySession.open(path)
    if (!replay.ok) throw new Error(replay.error.message)
    const inKernel = await replay.value.stateAt({ step: handoff!.step })
    const before = await replay.value.stateAt({ step: handoff!.step - 1 })
    if (!inKernel.ok || !before.ok) throw new Error('replay failed')
    expect(inKernel.value).toMatchObject({ priv: 'S', pc: '0x80200000' })
    expect(before.value.priv).toBe('M')
    expect(before.value.instruction.text).toBe('mret')
  }, 180_000)
})
