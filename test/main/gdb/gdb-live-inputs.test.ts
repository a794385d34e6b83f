/**
 * A live boot under gdb-multiarch with `--input` and with `--disk` (issue 16): going backward
 * re-runs the boot from a checkpoint, so the input typed when the guest asked and the guest's
 * writes to its copy-on-write disk must come out the same. Input: a UART echo kernel typed "ab"
 * when it first polls — gdb breaks where it stores the echo, reverse-continues to the first echo
 * and continues again; the console of the whole boot and the recording following gdb are those of
 * the same boot without gdb. Disk: the virtio-blk kernel that writes its disk over time — gdb
 * runs past its writes, reverse-continues back before them and on again; the recording (its
 * disk writes) and the image on disk (never written) are as without gdb.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { gdbBatch } from '../../support/gdb-batch'
import { oracle } from '../../support/oracles'
import { binutilsMissing, buildKernel } from '../../fixtures/machine/build-kernel'
import { serveLiveBoot, type LiveGdbOptions } from '../../../src/main/gdb/live-boot'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { diskBaseFromFile } from '../../../src/main/machine/devices/cow-disk'
import { readElf } from '../../../src/shared/elf/reader'

const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const BIN = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-inputs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Serves a live boot on a free port, a recorder following it; resolves once gdb detached and the recording is written. */
async function underGdb(o: Omit<LiveGdbOptions, 'port' | 'log' | 'write' | 'follow'>, rec: Recorder, elf: string, commands: string[]): Promise<{ gdbOutput: string }> {
  let listening!: (port: number) => void
  const port = new Promise<number>((r) => (listening = r))
  const done = serveLiveBoot({ ...o, port: 0, write: () => {}, log: () => {}, onListening: (a) => listening(a.port), follow: async (f) => void (await rec.runTo(f)) })
  const gdbOutput = await gdbBatch({ gdb: gdb.path!, dir, port: await port, elf }, commands)
  const served = await done
  if (!served.ok) throw new Error(served.error.message)
  return { gdbOutput }
}

function summary(path: string) {
  const r = RecordingReader.open(path)
  if (!r.ok) throw new Error(r.error.message)
  try {
    const events = r.value.events({})
    return {
      steps: r.value.steps,
      console: events.filter((e) => e.kind === 'uart_output').map((e) => (e.data as { text: string }).text).join(''),
      inputs: r.value.inputs().map((i) => ({ step: i.step, text: Buffer.from(i.data).toString() })),
      diskWrites: events.filter((e) => e.kind === 'disk_write').map((e) => `${e.step}:${JSON.stringify(e.data)}`),
    }
  } finally {
    r.value.close()
  }
}

describe.skipIf(gdb.missing || binutilsMissing)('a live boot under gdb with input and a disk', () => {
  it('types --input at the same step after going backward: the boot and its recording are the same as without gdb', async () => {
    const kernel = buildKernel(['uart-poll-echo.S'], 'm-mode.ld')
    const elf = join(dir, 'echo.elf')
    writeFileSync(elf, kernel.bytes)
    const image = { file: 'echo.elf', bytes: kernel.bytes }
    const input = 'abq'
    // The store of the echoed byte: the `sb t0` after the poll loop read it.
    const parsed = readElf(kernel.bytes)
    if (!parsed.ok) throw new Error(parsed.error.message)
    const poll = parsed.value.symbols.find((s) => s.name === 'poll')!.value
    const plainPath = join(dir, 'echo-plain.sqlite')
    const plain = await Recorder.start({ recordingPath: plainPath, kernel: image, bios: 'none', writtenBy: 'test' })
    if (!plain.ok) throw new Error(plain.error.message)
    plain.value.typeWhenAsked(input)
    await plain.value.run()

    const recPath = join(dir, 'echo-gdb.sqlite')
    const rec = await Recorder.start({ recordingPath: recPath, kernel: image, bios: 'none', writtenBy: 'test' })
    if (!rec.ok) throw new Error(rec.error.message)
    rec.value.typeWhenAsked(input)
    // lbu t2, 0(s1) (the byte read) is after the poll loop's lbu/andi/beqz (4 bytes each).
    const readByte = poll + 12n
    const { gdbOutput } = await underGdb({ config: { kernel: image, bios: 'none' }, budget: 20_000_000n, input: new TextEncoder().encode(input) }, rec.value, elf, [
      `break *0x${readByte.toString(16)}`,
      'continue',
      'continue',
      'p/x $t0',
      'reverse-continue',
      'reverse-stepi',
      'continue',
      'continue',
      'p/x $s1',
      'delete',
    ])
    expect(gdbOutput).not.toMatch(/error|Remote connection closed/i)
    expect((gdbOutput.match(new RegExp(`Breakpoint 1, 0x0*${readByte.toString(16)}`, 'g')) ?? []).length).toBe(5) // a, b, back to a, a again, b
    const result = await rec.value.run()
    expect(result.stop.reason).toBe('shutdown')
    const ours = summary(recPath)
    const theirs = summary(plainPath)
    expect(theirs.console).toBe('> [a][b][q]')
    expect(ours).toEqual(theirs)
  }, 180_000)

  it('bootscope record --gdb --input: the command line takes both, and records the boot gdb ran', async () => {
    const kernel = buildKernel(['uart-poll-echo.S'], 'm-mode.ld')
    const elf = join(dir, 'echo-cli.elf')
    writeFileSync(elf, kernel.bytes)
    const rec = join(dir, 'echo-cli.sqlite')
    const child = spawn(process.execPath, [BIN, 'record', elf, '-o', rec, '--bios', 'none', '--input', 'abq', '--gdb', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d
        const m = /gdb stub on 127\.0\.0\.1:(\d+)/.exec(stderr)
        if (m) resolve(Number(m[1]))
      })
      child.once('exit', () => reject(new Error(`bootscope exited: ${stderr}`)))
    })
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    const poll = readElf(kernel.bytes)
    if (!poll.ok) throw new Error(poll.error.message)
    const readByte = poll.value.symbols.find((s) => s.name === 'poll')!.value + 12n
    const out = await gdbBatch({ gdb: gdb.path!, dir, port, elf }, [`break *0x${readByte.toString(16)}`, 'continue', 'continue', 'reverse-continue', 'continue', 'delete'])
    expect((out.match(/Breakpoint 1, /g) ?? []).length).toBe(4)
    expect(await exited).toBe(0)
    expect(summary(rec).console).toBe('> [a][b][q]')
  }, 180_000)

  it('undoes the guest\'s disk writes going backward: the recording is the one without gdb, the image file is never written', async () => {
    const kernel = buildKernel(['virtio-blk-writes.S'], 'm-mode.ld')
    const elf = join(dir, 'disk.elf')
    writeFileSync(elf, kernel.bytes)
    const image = { file: 'disk.elf', bytes: kernel.bytes }
    const imgPath = join(dir, 'fs.img')
    const img = new Uint8Array(64 * 512)
    img.set(new TextEncoder().encode('hello from sector 0\n'))
    writeFileSync(imgPath, img)
    const record = async (path: string, withGdb: boolean) => {
      const disk = diskBaseFromFile(imgPath)
      const recDisk = diskBaseFromFile(imgPath)
      try {
        const rec = await Recorder.start({ recordingPath: path, kernel: image, bios: 'none', disk: recDisk, diskName: 'fs.img', writtenBy: 'test' })
        if (!rec.ok) throw new Error(rec.error.message)
        let gdbOutput = ''
        if (withGdb) {
          const parsed = readElf(kernel.bytes)
          if (!parsed.ok) throw new Error(parsed.error.message)
          const writeLoop = parsed.value.symbols.find((s) => s.name === 'write_loop')!.value
          ;({ gdbOutput } = await underGdb({ config: { kernel: image, bios: 'none', disk }, budget: 5_000_000n }, rec.value, elf, [
            `break *0x${writeLoop.toString(16)}`,
            'continue',
            'continue',
            'continue',
            'continue',
            'reverse-continue',
            'reverse-continue',
            'reverse-continue',
            'continue',
            'continue',
            'continue',
            'delete',
          ]))
          expect(gdbOutput).not.toMatch(/error|Remote connection closed/i)
          expect((gdbOutput.match(/Breakpoint 1, /g) ?? []).length).toBe(10)
        }
        const r = await rec.value.run()
        expect(r.stop.reason).toBe('shutdown')
        return summary(path)
      } finally {
        disk.close()
        recDisk.close()
      }
    }
    const theirs = await record(join(dir, 'disk-plain.sqlite'), false)
    const ours = await record(join(dir, 'disk-gdb.sqlite'), true)
    expect(theirs.diskWrites.length).toBeGreaterThan(5)
    expect(ours).toEqual(theirs)
    expect(readFileSync(imgPath)).toEqual(Buffer.from(img))

    // The live session the stub drives: sector 2 as the guest wrote it ('A' first, 'D' after the
    // fourth write), and back before the first write it reads as the image again — the writes undone.
    const disk = diskBaseFromFile(imgPath)
    try {
      const session = await ReplaySession.live({ kernel: image, bios: 'none', disk }, 5_000_000n)
      if (!session.ok) throw new Error(session.error.message)
      const sector2 = () => {
        const r = session.value.readDisk(1024n, 1)
        if (!r.ok) throw new Error(r.error.message)
        return String.fromCharCode(r.value[0])
      }
      const writeSteps = theirs.diskWrites.map((w) => Number(w.split(':')[0]))
      await session.value.seek(BigInt(writeSteps[0] + 1))
      expect(sector2()).toBe('A')
      await session.value.seek(BigInt(writeSteps[3] + 1))
      expect(sector2()).toBe('D')
      await session.value.seek(BigInt(writeSteps[0] - 1))
      expect(sector2()).toBe('\0')
      await session.value.seek(BigInt(writeSteps[3] + 1))
      expect(sector2()).toBe('D')
    } finally {
      disk.close()
    }
  }, 180_000)
})
