import { describe, expect, it } from 'vitest'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'
import { openSbiFwJump, qemu } from '../../../support/oracles'
import { readFileSync } from 'node:fs'
import { afterOpenSbiBanner, runQemu } from './qemu-run'
import { boot, hartMissing } from './harness'
import { diskBaseFromBytes } from '../../../../src/main/machine/devices/cow-disk'

const q = qemu()
const openSbi = openSbiFwJump()

describe.skipIf(hartMissing || binutilsMissing || q.missing)('the same kernels on QEMU 7.2 and on Bootscope', () => {
  it('-bios none: same UART bytes and exit code', async () => {
    const k = buildKernel(['uart-hello.S'], 'm-mode.ld')
    const theirs = runQemu(q.path!, k.bytes, 'none')
    const ours = await boot({ bios: 'none', kernel: { bytes: k.bytes, file: 'uart.elf' } })
    expect(theirs.timedOut).toBe(false)
    expect(ours.text).toBe(theirs.text)
    expect(ours.stop.exitCode).toBe(theirs.exitCode)
  })

  it('-bios none, xv6’s UART interrupt pattern (TX interrupt on, IIR never read): same interrupt counts', async () => {
    const k = buildKernel(['uart-thre-irq.S'], 'm-mode.ld')
    const theirs = runQemu(q.path!, k.bytes, 'none')
    const ours = await boot({ bios: 'none', kernel: { bytes: k.bytes, file: 'thre.elf' } })
    expect(theirs.timedOut).toBe(false)
    expect(theirs.text).toBe('...irqs 1 3\n')
    expect(ours.text).toBe(theirs.text)
    expect(ours.stop.exitCode).toBe(theirs.exitCode)
  })

  it('-bios none with a virtio disk: same UART bytes and exit code', async () => {
    const k = buildKernel(['virtio-blk.S'], 'm-mode.ld')
    const image = new Uint8Array(8192)
    image.set(new TextEncoder().encode('sector zero says hello\n\0'))
    const theirs = runQemu(q.path!, k.bytes, 'none', 10_000, image)
    const ours = await boot({ bios: 'none', disk: diskBaseFromBytes(image), kernel: { bytes: k.bytes, file: 'virtio.elf' } })
    expect(theirs.text).toBe('sector zero says hello\nwritten back\n')
    expect(ours.text).toBe(theirs.text)
    expect(ours.stop.exitCode).toBe(theirs.exitCode)
  })

  it.skipIf(openSbi.missing).each([
    ['sbi-hello.S', ['sbi-hello.S'], 's-mode.ld'],
    ['sbi-timer.S', ['sbi-timer.S'], 's-mode.ld'],
    ['seed 004', ['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld'],
  ])('OpenSBI fw_jump + %s: same kernel output and exit code', async (_name, sources, script) => {
    const k = buildKernel(sources as string[], script as string)
    const theirs = runQemu(q.path!, k.bytes, openSbi.path!)
    const fw = { bytes: new Uint8Array(readFileSync(openSbi.path!)), file: openSbi.path! }
    const ours = await boot({ bios: fw, kernel: { bytes: k.bytes, file: 'k.elf' } })
    expect(theirs.timedOut).toBe(false)
    expect(afterOpenSbiBanner(ours.text)).toBe(afterOpenSbiBanner(theirs.text))
    expect(ours.stop.exitCode).toBe(theirs.exitCode)
  })

  it('the built-in SBI prints what QEMU + OpenSBI prints after the banner', async () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld')
    const theirs = runQemu(q.path!, k.bytes, 'default')
    const ours = await boot({ bios: 'builtin', kernel: { bytes: k.bytes, file: 'k.elf' } })
    expect(ours.text).toBe(afterOpenSbiBanner(theirs.text))
    expect(ours.stop.exitCode).toBe(theirs.exitCode)
  })
})
