import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Machine } from '../../../../src/main/machine/machine'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'
import { openSbiFwJump, uBootSmode } from '../../../support/oracles'
import { afterOpenSbiBanner } from './qemu-run'
import { boot, createHart, hartMissing } from './harness'

const openSbi = openSbiFwJump()
const uBoot = uBootSmode()
const fwJump = () => ({ bytes: new Uint8Array(readFileSync(openSbi.path!)), file: openSbi.path! })

describe.skipIf(hartMissing || binutilsMissing)('what the firmware needs from the hart', () => {
  it('moves sp by exactly the c.addi16sp immediate (every OpenSBI and U-Boot prologue uses it)', async () => {
    const k = buildKernel(['addi16sp.S'], 'm-mode.ld')
    const r = await boot({ bios: 'none', kernel: { bytes: k.bytes, file: 'addi16sp.elf' } })
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })
})

describe.skipIf(hartMissing || binutilsMissing || openSbi.missing)("Debian's OpenSBI fw_jump as firmware", () => {
  it('prints its banner, hands over to our S-mode kernel at 0x80200000, which prints and shuts down', async () => {
    const k = buildKernel(['sbi-hello.S'], 's-mode.ld')
    const r = await boot({ bios: fwJump(), kernel: { bytes: k.bytes, file: 'hello.elf' } })
    expect(r.text).toContain('OpenSBI v')
    expect(r.text).toContain('Platform Name             : riscv-virtio,qemu')
    expect(afterOpenSbiBanner(r.text)).toBe('hello from an S-mode kernel\r\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
    const handoffs = r.events.flatMap((e) => (e.kind === 'firmware-handoff' ? [e] : []))
    expect(handoffs.map((e) => [e.from, e.mode, e.entry])).toEqual([
      ['rom', 'M', 0x8000_0000n],
      [openSbi.path!, 'S', 0x8020_0000n],
    ])
    // OpenSBI's ~12 M instructions come before the hand-off; the kernel's line after it.
    expect(handoffs[1].step).toBeGreaterThan(1_000_000n)
    const firstKernelByte = r.events.find((e) => e.kind === 'uart' && e.step >= handoffs[1].step)
    expect(firstKernelByte?.kind === 'uart' && String.fromCharCode(firstKernelByte.byte)).toBe('h')
  })

  it('delivers the timer through OpenSBI: the kernel sleeps in wfi and wakes on its tick', async () => {
    const k = buildKernel(['sbi-timer.S'], 's-mode.ld')
    const r = await boot({ bios: fwJump(), kernel: { bytes: k.bytes, file: 'timer.elf' } })
    expect(afterOpenSbiBanner(r.text)).toBe('tick\r\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })

  it('boots the seed 004 kernel after OpenSBI', async () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld')
    const r = await boot({ bios: fwJump(), kernel: { bytes: k.bytes, file: 'seed.elf' } })
    expect(afterOpenSbiBanner(r.text)).toBe('rust_main: running in the higher half\r\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })
})

describe.skipIf(hartMissing || openSbi.missing || uBoot.missing)("Debian's S-mode U-Boot after OpenSBI", () => {
  it('reaches the => prompt and answers `version` typed on the UART', async () => {
    const created = await Machine.create({ createHart, bios: fwJump(), kernel: { bytes: new Uint8Array(readFileSync(uBoot.path!)), file: uBoot.path!, rawAddr: 0x8020_0000n } })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    let watching = 0
    m.addListener((e) => {
      if (e.kind !== 'uart' || e.byte !== 0x20) return // both prompts end in a space
      const text = m.consoleText()
      if (watching === 0 && text.endsWith('=> ')) m.pause()
      else if (watching === 0 && /Hit any key to stop autoboot: *\d $/.test(text)) m.pause()
      else if (watching === 1 && text.endsWith('=> ')) m.pause()
    })
    let stop = await m.run({ maxSteps: 600_000_000 })
    expect(stop.reason).toBe('paused')
    if (!m.consoleText().endsWith('=> ')) {
      m.sendInput(' ') // stop the autoboot countdown
      stop = await m.run({ maxSteps: 600_000_000 })
      expect(stop.reason).toBe('paused')
    }
    expect(m.consoleText()).toMatch(/U-Boot 20\d\d/)
    expect(m.consoleText().endsWith('=> ')).toBe(true)
    const before = m.consoleText().length
    watching = 1
    m.sendInput('version\r')
    stop = await m.run({ maxSteps: m.steps + 50_000_000n })
    expect(stop.reason).toBe('paused')
    const answer = m.consoleText().slice(before)
    expect(answer).toMatch(/^version\r?\n/)
    expect(answer).toMatch(/U-Boot 20\d\d\.\d\d/)
    expect(answer.endsWith('=> ')).toBe(true)
  }, 120_000)
})
