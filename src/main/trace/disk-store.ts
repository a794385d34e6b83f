/**
 * A boot's disk inside its recording (issue 11 item 10), so a `--disk` boot replays from the
 * recording alone — the image file may be gone, moved or changed.
 *
 * - `disk_blocks`: content-addressed blocks: the SHA-256 of the content is the key (stored once
 *   per recording however often it occurs), the content zlib-compressed. A block read back is
 *   checked against its SHA-256, so a damaged or replaced block is seen, never replayed.
 * - `disk_images`: the image as a list of `DISK_BLOCK_BYTES` blocks (zlib of little-endian u32
 *   `disk_blocks` ids), with its SHA-256 and size, so a large image with few distinct blocks (an
 *   empty file system) costs a few blocks and its list.
 * - `disk_writes`: every 512-byte sector the guest wrote, in order, with its step and the block
 *   holding the bytes — the guest's writes are data of the recording, as typed input is.
 * - `disk_checkpoints`: for each checkpoint step, how many `disk_writes` rows (by id) the disk
 *   state there includes. The disk at a checkpoint is the image with those writes applied: the
 *   checkpoint's dirty sectors, as the `checkpoints` row's page map is its dirty pages.
 *
 * The writer side (`DiskRecorder`) runs in the recorder; the reader side (`RecordedDisk`, a
 * `DiskBase` for the replay machine, and `diskOverlayAt`) in replay.
 */
import { hash } from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'
import type Database from 'better-sqlite3'
import { SECTOR_SIZE_BYTES, type DiskBase, type DiskOverlay } from '../machine/devices/cow-disk'
import type { RecordingWriter } from './recording-writer'
import type { BootMachine } from '../machine/core/boot-machine'
import { err, ok, type Result } from '../../shared/api/result'
import { damaged } from './recording-damage'
import { hasTable, queryRecording } from './recording-query'

/** The image is cut into blocks this size (a RAM page: file systems' blocks divide it). */
export const DISK_BLOCK_BYTES = 4096
/** Decompressed blocks a replay keeps (16 MiB of image). */
const BLOCK_CACHE = 4096
const ZLIB = { level: 1 }

const sha256 = (bytes: Uint8Array) => hash('sha256', bytes, 'buffer')

/** Stores blocks once per content: the ids of the blocks already in the file, by SHA-256. */
class BlockStore {
  private readonly ids = new Map<string, number>()
  private readonly insert: Database.Statement
  private next = 1

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO disk_blocks (id, sha256, size, data) VALUES (?, ?, ?, ?)')
  }

  /** The id of `bytes`' block, inserting it (inside the caller's transaction) when it is new. */
  put(bytes: Uint8Array): number {
    const digest = sha256(bytes)
    const key = digest.toString('base64')
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.next++
      this.ids.set(key, id)
      this.insert.run(id, digest, bytes.length, deflateSync(bytes, ZLIB))
    }
    return id
  }
}

/** The recorder's side: the image at the start, then every sector written and every checkpoint's mark. */
export class DiskRecorder {
  private blocks?: BlockStore
  private insertWrite?: Database.Statement
  /** Sector writes not yet in the file (written with the next checkpoint or flush). */
  private pending: { step: bigint; sector: number; data: Uint8Array }[] = []
  private writes = 0
  /** The request being written (consecutive sectors at one step): one `disk_write` event when it ends. */
  private request?: { step: bigint; sector: number; sectors: number }

  constructor(
    private readonly writer: RecordingWriter,
    /** The device the disk is behind, as events name it. */
    private readonly device = 'virtio0',
  ) {}

  /** Stores the image `name` (SHA-256 `sha`) block by block. */
  storeImage(name: string, image: DiskBase, sha: string): void {
    const count = Math.ceil(image.sizeBytes / DISK_BLOCK_BYTES)
    const ids = new Uint32Array(count)
    const block = new Uint8Array(DISK_BLOCK_BYTES)
    this.writer.transaction((db) => {
      this.blocks ??= new BlockStore(db)
      for (let b = 0; b < count; b++) {
        const at = b * DISK_BLOCK_BYTES
        image.read(at, block)
        ids[b] = this.blocks.put(block.subarray(0, Math.min(DISK_BLOCK_BYTES, image.sizeBytes - at)))
      }
      db.prepare('INSERT OR REPLACE INTO disk_images (name, sha256, size, block_bytes, blocks) VALUES (?, ?, ?, ?, ?)').run(
        name,
        sha,
        image.sizeBytes,
        DISK_BLOCK_BYTES,
        deflateSync(new Uint8Array(ids.buffer), ZLIB),
      )
    })
  }

  /** The guest wrote `data` to `sector` at `step` (kept until the next `flush`). */
  wrote(step: bigint, sector: number, data: Uint8Array): void {
    const r = this.request
    if (r && r.step === step && r.sector + r.sectors === sector) r.sectors++
    else {
      this.endRequest()
      this.request = { step, sector, sectors: 1 }
    }
    this.pending.push({ step, sector, data })
    if (this.pending.length >= 256) this.writeRows()
  }

  private endRequest(): void {
    const r = this.request
    if (r) this.writer.event(r.step, 'disk_write', null, { device: this.device, sector: r.sector, sectors: r.sectors })
    this.request = undefined
  }

  /** Writes the pending sector writes (and the event of the request they belong to) into the file. */
  flush(): void {
    this.endRequest()
    this.writeRows()
  }

  private writeRows(): void {
    if (!this.pending.length) return
    const rows = this.pending
    this.pending = []
    this.writer.transaction((db) => {
      this.blocks ??= new BlockStore(db)
      this.insertWrite ??= db.prepare('INSERT INTO disk_writes (id, step, sector, block) VALUES (?, ?, ?, ?)')
      for (const r of rows) this.insertWrite.run(++this.writes, r.step, r.sector, this.blocks.put(r.data))
    })
  }

  /** A checkpoint was written at `step`: the disk there is the image plus every write so far. */
  checkpoint(step: bigint): void {
    this.flush()
    const writes = this.writes
    this.writer.transaction((db) => db.prepare('INSERT OR REPLACE INTO disk_checkpoints (step, writes) VALUES (?, ?)').run(step, writes))
  }
}

/** The recording, read-only, for one query on the disk tables (recording-query.ts). */
function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  return queryRecording(path, 'its disk tables', fn)
}

/** Reads blocks by id, checking each against its SHA-256, with a bounded cache of decompressed blocks. */
class BlockReader {
  private readonly cache = new Map<number, Uint8Array>()

  constructor(private readonly path: string) {}

  /** The blocks `ids` (one query for all that are not cached). */
  get(ids: Iterable<number>): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>()
    const missing: number[] = []
    for (const id of ids) {
      const hit = this.cache.get(id)
      if (hit) out.set(id, hit)
      else if (!out.has(id)) missing.push(id)
    }
    if (missing.length) {
      withDb(this.path, (db) => {
        const get = db.prepare('SELECT sha256, size, data FROM disk_blocks WHERE id = ?')
        for (const id of missing) {
          const bytes = this.decode(id, get.get(id) as { sha256?: unknown; size?: unknown; data?: unknown } | undefined)
          if (this.cache.size >= BLOCK_CACHE) this.cache.delete(this.cache.keys().next().value!)
          this.cache.set(id, bytes)
          out.set(id, bytes)
        }
      })
    }
    return out
  }

  private decode(id: number, row: { sha256?: unknown; size?: unknown; data?: unknown } | undefined): Uint8Array {
    const bad = (why: string) => damaged(this.path, `its table 'disk_blocks' row ${id} ${why}`)
    if (!row || !(row.data instanceof Uint8Array) || !(row.sha256 instanceof Uint8Array) || typeof row.size !== 'number') throw bad('is missing or is not what the writer writes')
    let bytes: Uint8Array
    try {
      bytes = new Uint8Array(inflateSync(row.data))
    } catch {
      throw bad('is not compressed data')
    }
    if (bytes.length !== row.size || !sha256(bytes).equals(row.sha256)) throw bad('does not match its SHA-256 (the block was changed after it was written)')
    return bytes
  }
}

/** The recorded image, read block by block from the recording as the replay machine asks: the image file is not needed. */
export class RecordedDisk implements DiskBase {
  private constructor(
    private readonly blocks: BlockReader,
    private readonly ids: Uint32Array,
    readonly sizeBytes: number,
    readonly sha256: string,
  ) {}

  /** The image `name` as the recording holds it; undefined when the recording does not hold it (written before disks were kept). */
  static open(path: string, name: string): RecordedDisk | undefined {
    return withDb(path, (db) => {
      if (!hasTable(db, 'disk_images')) return undefined
      const row = db.prepare('SELECT sha256, size, block_bytes, blocks FROM disk_images WHERE name = ?').get(name) as
        | { sha256: unknown; size: unknown; block_bytes: unknown; blocks: unknown }
        | undefined
      if (!row) return undefined
      const bad = (why: string) => damaged(path, `its table 'disk_images' row '${name}' ${why}`)
      if (typeof row.sha256 !== 'string' || typeof row.size !== 'number' || row.block_bytes !== DISK_BLOCK_BYTES || !(row.blocks instanceof Uint8Array)) {
        throw bad('is not what the writer writes')
      }
      let ids: Uint32Array
      try {
        const raw = new Uint8Array(inflateSync(row.blocks))
        ids = new Uint32Array(raw.buffer, 0, raw.length >> 2)
      } catch {
        throw bad('has a block list that is not compressed data')
      }
      if (ids.length !== Math.ceil(row.size / DISK_BLOCK_BYTES)) throw bad(`lists ${ids.length} blocks for ${row.size} bytes`)
      return new RecordedDisk(new BlockReader(path), ids, row.size, row.sha256)
    })
  }

  read(offset: number, out: Uint8Array): void {
    out.fill(0)
    const end = Math.min(this.sizeBytes, offset + out.length)
    if (offset >= end) return
    const first = Math.floor(offset / DISK_BLOCK_BYTES)
    const last = Math.floor((end - 1) / DISK_BLOCK_BYTES)
    const wanted = Array.from({ length: last - first + 1 }, (_, i) => this.ids[first + i])
    const got = this.blocks.get(wanted)
    for (let b = first; b <= last; b++) {
      const bytes = got.get(this.ids[b])!
      const blockStart = b * DISK_BLOCK_BYTES
      const from = Math.max(offset, blockStart)
      const to = Math.min(end, blockStart + bytes.length)
      if (to > from) out.set(bytes.subarray(from - blockStart, to - blockStart), from - offset)
    }
  }
}

/**
 * The disk's written sectors at the checkpoint at `step`: the image's overlay with the writes the
 * checkpoint includes (`disk_checkpoints`); undefined when the recording has no disk checkpoint there.
 */
export function diskOverlayAt(path: string, step: bigint, reader = new BlockReader(path)): DiskOverlay | undefined {
  const rows = withDb(path, (db) => {
    if (!hasTable(db, 'disk_checkpoints')) return undefined
    const mark = db.prepare('SELECT writes FROM disk_checkpoints WHERE step = ?').get(step) as { writes?: unknown } | undefined
    if (!mark) return undefined
    if (typeof mark.writes !== 'number') throw damaged(path, `its table 'disk_checkpoints' row at step ${step} is not what the writer writes`)
    return db.prepare('SELECT sector, block FROM disk_writes WHERE id <= ? ORDER BY id').all(mark.writes) as { sector: unknown; block: unknown }[]
  })
  if (!rows) return undefined
  const last = new Map<number, number>()
  for (const r of rows) {
    if (typeof r.sector !== 'number' || typeof r.block !== 'number') throw damaged(path, `its table 'disk_writes' has a row that is not what the writer writes`)
    last.set(r.sector, r.block)
  }
  const blocks = reader.get(last.values())
  const overlay = new Map<number, Uint8Array>()
  for (const [sector, block] of last) {
    const bytes = blocks.get(block)!
    if (bytes.length !== SECTOR_SIZE_BYTES) throw damaged(path, `its table 'disk_writes' names block ${block} for sector ${sector}, which is not a sector`)
    overlay.set(sector, bytes)
  }
  return overlay
}

/** `length` bytes of the machine's disk from byte `offset`, as the guest would read them now. */
export function readDiskBytes(machine: BootMachine, offset: bigint, length: number): Result<Uint8Array> {
  if (!machine.readDiskSector) return err('replay.no_disk', 'this machine has no disk')
  const out = new Uint8Array(Math.max(0, length))
  const sector = new Uint8Array(SECTOR_SIZE_BYTES)
  const size = BigInt(SECTOR_SIZE_BYTES)
  const end = offset + BigInt(out.length)
  for (let at = offset; at < end; ) {
    if (at < 0n || !machine.readDiskSector(Number(at / size), sector)) {
      return err('replay.no_disk', at === offset ? `this boot has no disk, or byte ${at} is past its end` : `the disk ends at byte ${at}`)
    }
    const within = Number(at % size)
    const take = Math.min(SECTOR_SIZE_BYTES - within, Number(end - at))
    out.set(sector.subarray(within, within + take), Number(at - offset))
    at += BigInt(take)
  }
  return ok(out)
}

export { BlockReader as DiskBlockReader }
