/**
 * A guest that only polls the UART for input is waiting for a key: after 1.5 s of guest time of
 * nothing else, the machine says so (resumable, like a wfi only input can end) instead of
 * burning the step budget — for a tutorial's polling shell and for U-Boot at its prompt.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { INPUT_POLL_IDLE_TICKS, Machine } from '../../../../src/main/machine/machine'
import { buildKernel } from '../../../fixtures/machine/build-kernel'
import { openSbiFwJump, uBootSmode } from '../../../support/oracles'

describe('waiting for input by polling the UART', () => {
  it('stops a polling shell as waiting for input, and runs on when keys arrive', async () => {
    const k = buildKernel(['uart-poll-echo.S'], 'm-mode.ld')
    // A shorter idle time than the default 1.5 s of guest time keeps this test quick.
    const idle = INPUT_POLL_IDLE_TICKS / 30n
    const created = await Machine.create({ bios: 'none', kernel: { bytes: k.bytes, file: 'poll.elf' }, inputPollIdleTicks: idle })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    const first = await m.run({ maxSteps: 500_000_000 })
    expect(first.reason).toBe('waiting-for-input')
    expect(first.message).toContain('polls the UART for input')
    expect(m.consoleText()).toBe('> ')
    expect(m.hart.mtime).toBeGreaterThanOrEqual(idle)
    expect(m.hart.mtime).toBeLessThan(idle * 2n)
    m.sendInput('a')
    const second = await m.run({ maxSteps: 500_000_000 })
    expect(second.reason).toBe('waiting-for-input')
    expect(m.consoleText()).toBe('> [a]')
    m.sendInput('q')
    const last = await m.run({ maxSteps: 500_000_000 })
    expect(last).toMatchObject({ reason: 'shutdown', exitCode: 0 })
    expect(m.consoleText()).toBe('> [a][q]')
  })

  it('says a guest that ran out of steps while polling for input is waiting for it, not running away', async () => {
    const k = buildKernel(['uart-poll-echo.S'], 'm-mode.ld')
    const created = await Machine.create({ bios: 'none', kernel: { bytes: k.bytes, file: 'poll.elf' } })
    if (!created.ok) throw new Error(created.error.message)
    // 5 M steps: well before the 1.5 s of guest time that would say it by itself.
    const stop = await created.value.run({ maxSteps: 5_000_000 })
    expect(stop).toMatchObject({ reason: 'waiting-for-input', step: 5_000_000n })
    created.value.sendInput('q')
    expect(await created.value.run({ maxSteps: 10_000_000 })).toMatchObject({ reason: 'shutdown' })
    expect(created.value.consoleText()).toBe('> [q]')
  })

  const openSbi = openSbiFwJump()
  const uBoot = uBootSmode()
  it.skipIf(openSbi.missing || uBoot.missing)('stops U-Boot at its prompt as waiting for input; a command typed there runs', async () => {
    const image = (path: string) => ({ bytes: new Uint8Array(readFileSync(path)), file: path })
    const created = await Machine.create({ bios: image(openSbi.path!), kernel: { ...image(uBoot.path!), rawAddr: 0x8020_0000n } })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    m.addListener((e) => {
      // A key at the autoboot countdown, as a user would, to reach the prompt at once.
      if (e.kind === 'uart' && /Hit any key to stop autoboot: *\d $/.test(m.consoleText())) m.sendInput(' ')
    })
    const atPrompt = await m.run({ maxSteps: 1_000_000_000 })
    expect(atPrompt.reason).toBe('waiting-for-input')
    expect(m.consoleText().endsWith('=> ')).toBe(true)
    m.sendInput('version\r')
    const after = await m.run({ maxSteps: 1_000_000_000 })
    expect(after.reason).toBe('waiting-for-input')
    expect(m.consoleText()).toMatch(/=> version\r\nU-Boot 20\d\d/)
    expect(m.consoleText().endsWith('=> ')).toBe(true)
  }, 120_000)
})
