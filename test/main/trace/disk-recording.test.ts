// Disk boots replay (issue 11 item 10): a kernel of our own writes its virtio-blk disk over time
// (test/fixtures/machine/virtio-blk-writes.S); the recording keeps the image and every sector
// written, replay reproduces the writes step for step, `at` shows the disk at any step (through
// the recording's checkpoints and replay's own), the user's image is never modified, and a
// recording copied elsewhere replays without the image. QEMU is the oracle for what the disk
// holds after the run.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync, inflateSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { binutilsMissing, buildKernel, type BuiltKernel } from '../../fixtures/machine/build-kernel'
import { qemu } from '../../support/oracles'
import { hartMissing } from '../machine/machine/harness'
import { diskBaseFromFile } from '../../../src/main/machine/devices/cow-disk'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { DISK_BLOCK_BYTES } from '../../../src/main/trace/disk-store'
import type { MachineEvent } from '../../../src/main/machine/machine'
import { Host } from '../../../src/main/host/host'
import type { MachineState } from '../../../src/shared/api/replay'
import type { TraceEvent } from '../../../src/shared/trace/events'
import { RECORDINGS_FOLDER } from '../../../src/main/host/workspace'

const q = qemu()
const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const SECTOR = 512
const IMAGE_BYTES = 64 * 1024
const CHECKPOINT_EVERY = 50_000
const EXPECTED_TEXT = 'disk says hello\nDDDDDDDD\n'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const fill = (byte: number, n = SECTOR) => new Uint8Array(n).fill(byte)

/** The image: a line in sector 0, a pattern block at 32 KiB, zeros elsewhere. */
function makeImage(): Uint8Array {
  const image = new Uint8Array(IMAGE_BYTES)
  image.set(new TextEncoder().encode('disk says hello\n\0'))
  for (let i = 0; i < DISK_BLOCK_BYTES; i++) image[32 * 1024 + i] = (i * 7) & 0xff
  return image
}

/** Runs the kernel on QEMU with a writable copy of the image; returns what it printed and the copy afterwards. */
function qemuWithDisk(kernel: BuiltKernel, image: Uint8Array): { text: string; exitCode: number | null; disk: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-disk-'))
  const file = join(dir, 'disk.img')
  writeFileSync(file, image)
  const r = spawnSync(
    q.path!,
    ['-M', 'virt', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-bios', 'none', '-global', 'virtio-mmio.force-legacy=false',
      '-drive', `file=${file},if=none,format=raw,id=hd0`, '-device', 'virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0', '-kernel', kernel.elf],
    { timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const out = { text: r.stdout.toString('latin1'), exitCode: r.status, disk: new Uint8Array(readFileSync(file)) }
  rmSync(dir, { recursive: true, force: true })
  return out
}

interface Write {
  step: number
  sector: number
  sha: string
}

/** The recording's `disk_writes`, with the SHA-256 of each sector's bytes. */
function recordedWrites(path: string): Write[] {
  const db = new Database(path, { readonly: true })
  try {
    const rows = db.prepare('SELECT w.step, w.sector, b.data FROM disk_writes w JOIN disk_blocks b ON b.id = w.block ORDER BY w.id').all() as { step: number; sector: number; data: Buffer }[]
    return rows.map((r) => ({ step: r.step, sector: r.sector, sha: sha(inflateSync(r.data)) }))
  } finally {
    db.close()
  }
}

async function diskAt(session: ReplaySession, step: number, offset: number, length: number): Promise<Uint8Array> {
  const s = await session.stateAt({ step, disk: { offset: String(offset), length } })
  expect(s.ok).toBe(true)
  const d = s.ok ? s.value.disk : undefined
  if (!d || !('bytes' in d)) throw new Error(`no disk bytes: ${JSON.stringify(d)}`)
  return new Uint8Array(Buffer.from(d.bytes, 'hex'))
}

async function wholeDisk(session: ReplaySession, step: number): Promise<Uint8Array> {
  const out = new Uint8Array(IMAGE_BYTES)
  for (let at = 0; at < IMAGE_BYTES; at += 4096) out.set(await diskAt(session, step, at, 4096), at)
  return out
}

describe.skipIf(hartMissing || binutilsMissing)('a boot with a disk, recorded and replayed', () => {
  let dir: string
  let kernel: BuiltKernel
  let imagePath: string
  let image: Uint8Array
  let recording: string
  let steps: number
  let writes: Write[]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootscope-disk-rec-'))
    kernel = buildKernel(['virtio-blk-writes.S'], 'm-mode.ld')
    image = makeImage()
    imagePath = join(dir, 'fs.img')
    writeFileSync(imagePath, image)
    recording = join(dir, 'disk.sqlite')
    const disk = diskBaseFromFile(imagePath)
    try {
      const started = await Recorder.start({
        recordingPath: recording,
        kernel: { file: 'virtio-writes.elf', bytes: kernel.bytes },
        bios: 'none',
        disk,
        diskName: imagePath,
        writtenBy: 'test',
        checkpointEvery: CHECKPOINT_EVERY,
      })
      if (!started.ok) throw new Error(started.error.message)
      const done = await started.value.run()
      expect(done.stop.reason).toBe('shutdown')
      steps = done.steps
    } finally {
      disk.close()
    }
    writes = recordedWrites(recording)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps every sector the guest wrote, in order, with its step, and leaves the image file as it was', () => {
    expect(readFileSync(imagePath)).toEqual(Buffer.from(image))
    // Six one-sector writes to 2, 3, 4, 2, 3, 4, then one request of sectors 10 and 11.
    expect(writes.map((w) => w.sector)).toEqual([2, 3, 4, 2, 3, 4, 10, 11])
    expect(writes.slice(0, 6).map((w) => w.sha)).toEqual([0, 1, 2, 3, 4, 5].map((i) => sha(fill(0x41 + i))))
    expect(writes[6].step).toBe(writes[7].step)
    for (let i = 1; i < 6; i++) expect(writes[i].step - writes[i - 1].step).toBeGreaterThan(CHECKPOINT_EVERY)
    expect(steps).toBeGreaterThan(writes[7].step)
  })

  it('lists one disk_write event per request, at the step of the request', () => {
    const r = RecordingReader.open(recording)
    if (!r.ok) throw new Error(r.error.message)
    try {
      const events = r.value.events({ kinds: ['disk_write'] })
      expect(events.map((e) => [e.step, e.data])).toEqual([
        ...writes.slice(0, 6).map((w) => [w.step, { device: 'virtio0', sector: w.sector, sectors: 1 }]),
        [writes[6].step, { device: 'virtio0', sector: 10, sectors: 2 }],
      ])
    } finally {
      r.value.close()
    }
  })

  it('replays the same writes at the same steps, and the same console, from step 0', async () => {
    const opened = await ReplaySession.open(recording, { diskCheckpoints: false })
    expect(opened.ok).toBe(true)
    const session = opened.ok ? opened.value : undefined!
    const seen: Write[] = []
    session.machineAtStep.addListener((e: MachineEvent) => {
      if (e.kind === 'disk-write') seen.push({ step: Number(e.step), sector: e.sector, sha: sha(e.data) })
    })
    expect((await session.seek(BigInt(steps))).ok).toBe(true)
    expect(seen).toEqual(writes)
    expect(session.machineAtStep.consoleText()).toBe(EXPECTED_TEXT)
  })

  it.each([
    ['the recording’s checkpoints', true],
    ['replay’s own checkpoints', false],
  ])('`at` shows the disk as it was at any step, seeking back and forth (%s)', async (_name, fromRecording) => {
    const opened = await ReplaySession.open(recording, { diskCheckpoints: fromRecording, checkpointInterval: CHECKPOINT_EVERY })
    expect(opened.ok).toBe(true)
    const session = opened.ok ? opened.value : undefined!
    expect(session.checkpointSource).toBe(fromRecording ? 'recording' : 'memory')
    const fourth = writes[3] // sector 2's second write: 'D' over 'A'
    expect(await diskAt(session, 0, 32 * 1024 + 8, 4)).toEqual(Uint8Array.of(56, 63, 70, 77))
    // Late first (so later seeks go back through checkpoints), then around each write.
    expect(await diskAt(session, steps, 2 * SECTOR, SECTOR)).toEqual(fill(0x44))
    expect(await diskAt(session, fourth.step, 2 * SECTOR, SECTOR)).toEqual(fill(0x41))
    expect(await diskAt(session, fourth.step + 1, 2 * SECTOR, SECTOR)).toEqual(fill(0x44))
    expect(await diskAt(session, writes[0].step, 2 * SECTOR, SECTOR)).toEqual(new Uint8Array(SECTOR))
    expect(await diskAt(session, writes[0].step + 1, 2 * SECTOR, SECTOR)).toEqual(fill(0x41))
    expect(await diskAt(session, writes[5].step + 1, 4 * SECTOR, SECTOR)).toEqual(fill(0x46))
    expect(await diskAt(session, writes[5].step, 4 * SECTOR, SECTOR)).toEqual(fill(0x43))
    // Reads that span sectors, and the image's own bytes.
    const two = await diskAt(session, steps, 10 * SECTOR, 2 * SECTOR)
    expect(new TextDecoder().decode(two.subarray(0, 16))).toBe('two-sector write')
    expect(two.subarray(16)).toEqual(fill(0x5a, 2 * SECTOR - 16))
    expect(session.machineAtStep.consoleText()).toBe(EXPECTED_TEXT)
  })

  it.skipIf(q.missing)('holds after the run what QEMU’s disk holds after the same kernel ran on it', async () => {
    const theirs = qemuWithDisk(kernel, image)
    expect(theirs.text).toBe(EXPECTED_TEXT)
    expect(theirs.exitCode).toBe(0)
    const opened = await ReplaySession.open(recording)
    expect(opened.ok).toBe(true)
    const ours = await wholeDisk(opened.ok ? opened.value : undefined!, steps)
    expect(sha(ours)).toBe(sha(theirs.disk))
    expect(sha(theirs.disk)).not.toBe(sha(image))
  })

  it('replays from a copy in another folder after the image is gone (at, events, find)', () => {
    const elsewhere = join(dir, 'elsewhere')
    mkdirSync(elsewhere)
    copyFileSync(recording, join(elsewhere, 'copy.sqlite'))
    const moved = join(dir, 'fs.img.moved')
    copyFileSync(imagePath, moved)
    rmSync(imagePath)
    try {
      const run = (args: string[]) => execFileSync(process.execPath, [bin, ...args], { cwd: elsewhere, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      const after = run(['at', 'copy.sqlite', String(writes[3].step + 1), '--disk', '0x400', '8'])
      expect(after).toContain('disk 0x400: 44 44 44 44 44 44 44 44')
      const before = run(['at', 'copy.sqlite', String(writes[3].step), '--disk', '0x400', '8'])
      expect(before).toContain('disk 0x400: 41 41 41 41 41 41 41 41')
      const events = run(['events', 'copy.sqlite', '--kind', 'disk_write'])
      expect(events).toContain('Disk virtio0 written: sectors 10–11 (1024 bytes)')
      // A write's step is the QueueNotify store about to run: the same `sw` made the write before it.
      const notify = JSON.parse(run(['at', 'copy.sqlite', String(writes[3].step), '--json']))
      expect(notify.instruction.text).toMatch(/^sw\s+zero,80\(s1\)$/)
      const found = JSON.parse(run(['find', 'copy.sqlite', String(writes[3].step), '--back', '--pc', notify.pc, '--json']))
      expect(found.step).toBe(writes[2].step)
    } finally {
      copyFileSync(moved, imagePath)
    }
  })

  it('opens in the app (the Host’s recording requests, as the timeline and inspectors make them)', async () => {
    const home = join(dir, 'workspace')
    mkdirSync(join(home, RECORDINGS_FOLDER), { recursive: true })
    copyFileSync(recording, join(home, RECORDINGS_FOLDER, 'disk.sqlite'))
    const host = new Host({ workspaceRoot: home, transport: 'websocket' })
    try {
      await host.core.whenReady()
      const opened = await host.invoke('recording.open', { path: 'disk.sqlite' })
      expect(opened.ok).toBe(true)
      const events = await host.invoke('recording.events', { path: 'disk.sqlite', kinds: ['disk_write'] })
      expect(events.ok && (events.value as TraceEvent[]).length).toBe(7)
      const diskAtStep = async (step: number) => {
        const state = await host.invoke('recording.state', { path: 'disk.sqlite', step, disk: { offset: '0x400', length: 4 } })
        return state.ok ? (state.value as MachineState).disk : state.error
      }
      expect(await diskAtStep(writes[3].step + 1)).toEqual({ offset: '0x400', bytes: '44444444' })
      expect(await diskAtStep(writes[3].step)).toEqual({ offset: '0x400', bytes: '41414141' })
    } finally {
      await host.dispose()
    }
  })
})

/** Records the writing kernel with `image` (written to `dir`/fs.img) as its disk; returns the recording's path. */
async function recordWithImage(dir: string, image: Uint8Array, checkpointEvery?: number): Promise<string> {
  const imagePath = join(dir, 'fs.img')
  writeFileSync(imagePath, image)
  const kernel = buildKernel(['virtio-blk-writes.S'], 'm-mode.ld')
  const disk = diskBaseFromFile(imagePath)
  const path = join(dir, 'rec.sqlite')
  try {
    const started = await Recorder.start({ recordingPath: path, kernel: { file: 'k.elf', bytes: kernel.bytes }, bios: 'none', disk, diskName: 'fs.img', writtenBy: 'test', checkpointEvery })
    if (!started.ok) throw new Error(started.error.message)
    expect((await started.value.run()).stop.reason).toBe('shutdown')
  } finally {
    disk.close()
  }
  return path
}

describe.skipIf(hartMissing || binutilsMissing)('a disk image in a recording', () => {
  it('is stored once per distinct 4 KiB block, compressed: a 16 MiB image of few distinct blocks stays small', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-disk-dedup-'))
    try {
      const image = new Uint8Array(16 * 1024 * 1024)
      image.set(new TextEncoder().encode('disk says hello\n\0'))
      // One pseudo-random block repeated 100 times: incompressible, but one block in the recording.
      let x = 12345
      const noise = new Uint8Array(DISK_BLOCK_BYTES).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24))
      for (let i = 0; i < 100; i++) image.set(noise, (1000 + i * 7) * DISK_BLOCK_BYTES)
      const path = await recordWithImage(dir, image, 0)
      const db = new Database(path, { readonly: true })
      const blocks = db.prepare("SELECT COUNT(*) AS n, SUM(length(data)) AS bytes FROM disk_blocks WHERE size = 4096").get() as { n: number; bytes: number }
      const row = db.prepare('SELECT sha256, size FROM disk_images').get() as { sha256: string; size: number }
      db.close()
      // Sector 0's block, the noise block, the zero block.
      expect(blocks.n).toBe(3)
      expect(blocks.bytes).toBeLessThan(2 * DISK_BLOCK_BYTES)
      expect(row).toEqual({ sha256: sha(image), size: image.length })
      expect(readFileSync(path).length).toBeLessThan(256 * 1024)
      const opened = await ReplaySession.open(path)
      expect(opened.ok).toBe(true)
      const s = opened.ok ? opened.value : undefined!
      expect(await diskAt(s, 0, (1000 + 7 * 42) * DISK_BLOCK_BYTES, 4096)).toEqual(noise)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is checked block by block: a block changed after recording is reported, not replayed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-disk-damage-'))
    try {
      const image = new Uint8Array(8192)
      image.set(new TextEncoder().encode('disk says hello\n\0'))
      const path = await recordWithImage(dir, image)
      // Block 1 is the image's first 4 KiB (sector 0, which the kernel reads first).
      const changed = new Uint8Array(4096)
      changed.set(new TextEncoder().encode('disk says HELLO\n\0'))
      const db = new Database(path)
      db.prepare('UPDATE disk_blocks SET data = ? WHERE id = 1').run(deflateSync(changed))
      db.close()
      const opened = await ReplaySession.open(path)
      expect(opened.ok).toBe(true)
      const s = opened.ok ? opened.value : undefined!
      const r = await s.stateAt({ step: 5000, disk: { offset: '0', length: 16 } })
      const failure = r.ok ? undefined : r.error.message
      expect(failure).toMatch(/disk_blocks' row 1 does not match its SHA-256/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
