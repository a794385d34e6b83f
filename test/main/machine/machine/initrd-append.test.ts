/**
 * `--initrd` and `--append` as QEMU 7.2 does them, checked with a kernel of our own that walks
 * the device tree's /chosen (bootargs, linux,initrd-start, linux,initrd-end) and reads the initrd:
 * it prints the same thing on QEMU and here — as an ELF without firmware, and as a Linux Image
 * after OpenSBI with more RAM (where the initrd's 128 MiB cap applies). A recording keeps the
 * initrd, the command line and a raw kernel's address, so replay boots the same machine.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Recorder } from '../../../../src/main/trace/recorder'
import { ReplaySession } from '../../../../src/main/trace/replay'
import { RecordingReader } from '../../../../src/main/trace/recording-reader'
import { buildKernel, objcopy, toBinary } from '../../../fixtures/machine/build-kernel'
import { openSbiFwJump, qemu } from '../../../support/oracles'
import { boot, hartMissing } from './harness'
import { afterOpenSbiBanner, runQemu } from './qemu-run'

const dir = mkdtempSync(join(tmpdir(), 'bootscope-initrd-'))
/** A text line first (the kernel prints it), then bytes that only a whole, correctly placed copy sums right. */
const INITRD = new Uint8Array([...new TextEncoder().encode('hello from the initrd\nsecond line\n'), ...Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) & 0xff)])
const initrdFile = join(dir, 'initrd.img')
writeFileSync(initrdFile, INITRD)
const initrd = { bytes: INITRD, file: 'initrd.img' }
const APPEND = 'console=ttyS0 rdinit=/init quiet'

const q = qemu()
const openSbi = openSbiFwJump()
const chosenKernel = () => buildKernel(['chosen-initrd.S'], 'm-mode.ld')
const image = () => toBinary(buildKernel(['linux-image-header.S', 'chosen-initrd.S'], 'linux-image.ld').elf)

describe.skipIf(hartMissing)('a kernel reads /chosen and the initrd', () => {
  it('prints the command line, where the initrd is, its first line, sum and length', async () => {
    const r = await boot({ bios: 'none', kernel: { bytes: chosenKernel().bytes, file: 'chosen.elf' }, initrd, bootargs: APPEND })
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
    const sum = INITRD.reduce((a, b) => a + b, 0)
    expect(r.text).toBe(
      `bootargs: ${APPEND}\n` +
        `initrd: 0x0000000084000000 - 0x${(0x8400_0000 + INITRD.length).toString(16).padStart(16, '0')}\n` +
        `initrd text: hello from the initrd\n` +
        `initrd sum: 0x${sum.toString(16).padStart(16, '0')}, length 0x${INITRD.length.toString(16).padStart(16, '0')}\n`,
    )
    const loaded = r.events.flatMap((e) => (e.kind === 'segment-loaded' ? [e.segment] : []))
    expect(loaded.find((s) => s.image === 'initrd')).toMatchObject({ paddr: 0x8400_0000n, memsz: BigInt(INITRD.length) })
  })

  it('without -initrd and -append /chosen has neither', async () => {
    const r = await boot({ bios: 'none', kernel: { bytes: chosenKernel().bytes, file: 'chosen.elf' } })
    expect(r.text).toBe('bootargs: (none)\ninitrd: 0xffffffffffffffff - 0xffffffffffffffff\n')
  })

  it.skipIf(q.missing)('prints exactly what it prints on QEMU 7.2 (ELF, -bios none)', async () => {
    const k = chosenKernel()
    const theirs = runQemu(q.path!, k.bytes, 'none', 20_000, undefined, ['-initrd', initrdFile, '-append', APPEND])
    const ours = await boot({ bios: 'none', kernel: { bytes: k.bytes, file: 'chosen.elf' }, initrd, bootargs: APPEND })
    expect(theirs.text).toContain('initrd text: hello from the initrd')
    expect(ours.text).toBe(theirs.text)
  })

  it.skipIf(q.missing || openSbi.missing || objcopy.missing)('prints exactly what it prints on QEMU 7.2 (Linux Image after OpenSBI, 512 MiB: the initrd 128 MiB above the kernel)', async () => {
    const img = image()
    const theirs = runQemu(q.path!, img, openSbi.path!, 30_000, undefined, ['-m', '512M', '-initrd', initrdFile, '-append', 'y=2'])
    const ours = await boot(
      { bios: { bytes: new Uint8Array(readFileSync(openSbi.path!)), file: openSbi.path! }, kernel: { bytes: img, file: 'Image' }, initrd, bootargs: 'y=2', memBytes: 512 * 1024 * 1024 },
      { maxSteps: 100_000_000 },
    )
    expect(afterOpenSbiBanner(theirs.text)).toContain('initrd: 0x0000000088200000')
    expect(afterOpenSbiBanner(ours.text)).toBe(afterOpenSbiBanner(theirs.text))
  }, 60_000)

  it.skipIf(objcopy.missing)('a recording keeps the initrd, the command line and a raw kernel’s address; replay boots the same machine', async () => {
    // The Image's header stripped off: a plain raw binary, which needs its address.
    const raw = image().subarray(0)
    raw.fill(0, 48, 64)
    const path = join(dir, 'raw.sqlite')
    const started = await Recorder.start({ recordingPath: path, kernel: { bytes: raw, file: 'k.bin', rawAddr: 0x8000_0000n }, bios: 'none', initrd, append: APPEND, writtenBy: 'test' })
    if (!started.ok) throw new Error(started.error.message)
    const recorded = await started.value.run()
    expect(recorded.stop.reason).toBe('shutdown')
    const r = RecordingReader.open(path)
    if (!r.ok) throw new Error(r.error.message)
    try {
      expect(JSON.parse(r.value.meta().config)).toMatchObject({ bios: 'none', rawAddr: '0x80000000', initrd: 'initrd.img', append: APPEND })
      expect(r.value.artifact('initrd.img')).toMatchObject({ role: 'initrd', size: INITRD.length })
      const text = r.value.events({ kinds: ['uart_output'] }).map((e) => (e.data as { text: string }).text).join('')
      expect(text).toContain(`bootargs: ${APPEND}\ninitrd: 0x0000000084000000`)
    } finally {
      r.value.close()
    }
    const replay = await ReplaySession.open(path)
    if (!replay.ok) throw new Error(replay.error.message)
    const end = await replay.value.stateAt({ step: recorded.steps, memory: { address: '0x84000000', length: 21, physical: true } })
    if (!end.ok) throw new Error(end.error.message)
    expect(end.value.memory).toEqual({ address: '0x84000000', bytes: Buffer.from('hello from the initrd').toString('hex') })
    expect(end.value.pc).toBe(`0x${recorded.stop.pc.toString(16)}`) // where the live boot powered off
  })
})
