/**
 * Checkpoints on disk (issue 11 item 9): the recorder writes the machine's full state into the
 * recording every `DEFAULT_CHECKPOINT_EVERY` steps, so replay — from any process, the first time —
 * starts from the nearest checkpoint before a step instead of from step 0, and a seek costs at
 * most one interval of re-execution whatever the recording's length.
 *
 * A checkpoint row (table `checkpoints`, kind `pages`) holds the hart's bytes and the devices'
 * state (state-codec.ts), and the page map: for every 4 KiB RAM page, the id of its content in
 * `page_blobs`, or 0 when the page is as it was at reset (the images loaded by the boot). Page
 * contents are stored once per distinct content (SHA-1 of the 4 KiB, in the writer's memory
 * only); only pages written since the previous checkpoint are hashed.
 *
 * Encoding (meta `checkpoint_format` = `CHECKPOINT_FORMAT`): a row's `pages` is zlib of either
 * the full map (u32 per page; `base_step` NULL), written every `FULL_MAP_EVERY` checkpoints, or of
 * the entries that changed since the row at `base_step` (u32 page, u32 id pairs), so a checkpoint
 * costs what its interval wrote, not the size of RAM. A page content of exactly 4096 bytes is the
 * page itself (random data does not compress: storing it as is costs no inflate when read), any
 * other length is zlib. Files without the meta key (the first format) have full maps and zlib pages.
 *
 * `DiskCheckpoints` (replay) offers what the in-memory `Checkpoints` offers: restoring checkpoint
 * k rewrites only the pages whose content differs between the machine's current position and k
 * (the two page maps, plus pages written since), reading their contents in bulk; its memory is
 * bounded: one page map and a bounded cache of pages. Pages that go back to their content at reset
 * are copied from a second machine created at reset the first time one is needed (RAM is never
 * scanned: touching all of it costs more than a whole seek).
 */
import { hash } from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'
import type Database from 'better-sqlite3'
import type { BootMachine, MachineSnapshot } from '../machine/core/boot-machine'
import type { RecordingWriter } from './recording-writer'
import { decodeMachineState, encodeMachineState } from './state-codec'
import { damaged, DamagedRecording } from './recording-damage'
import { META } from './schema'
import { diskOverlayAt, DiskBlockReader } from './disk-store'
import { hasTable, queryRecording } from './recording-query'

const PAGE = 4096
/** Steps between checkpoints written while recording: a seek re-executes at most this many. */
export const DEFAULT_CHECKPOINT_EVERY = 2_000_000
/** The `kind` of the rows this module writes (the table's other kinds are reserved). */
export const CHECKPOINT_KIND = 'pages'
/** The encoding this module writes (see the file comment). */
export const CHECKPOINT_FORMAT = '2'
/** Every this many checkpoints a row holds the full page map; the others hold what changed. */
export const FULL_MAP_EVERY = 16
/** Page contents a replay keeps for reuse, least recently used out first (64 MiB: a warm seek far away then reads few from the file). */
const PAGE_CACHE = 16384
/** Page contents read per query. */
const FETCH_CHUNK = 256
const ZLIB = { level: 1 }
/** For one page: a window the size of a page makes a deflate call cost about a third of the defaults'. */
const PAGE_ZLIB = { level: 1, windowBits: 12 }
/** Every this many bytes of a page is looked at to tell whether it is random-looking. */
const SAMPLE_EVERY = 4
/**
 * A page where no byte value is this frequent among its samples (1024) is random-looking: stored as
 * is without trying to compress it. Random bytes reach 16 in one page in 300 (Poisson, mean 4).
 */
const FLAT_HISTOGRAM = 16

/**
 * The page's content as stored: zlib when that is smaller, else the bytes themselves — the view
 * into RAM, not a copy: it is written (SQLite copies it) before the machine runs again.
 */
function packPage(bytes: Uint8Array): Uint8Array {
  const counts = new Uint16Array(256)
  let most = 0
  for (let i = 0; i < bytes.length; i += SAMPLE_EVERY) {
    const c = ++counts[bytes[i]]
    if (c > most) most = c
  }
  if (most >= FLAT_HISTOGRAM) {
    const packed = deflateSync(bytes, PAGE_ZLIB)
    if (packed.length < PAGE) return packed
  }
  return bytes
}

/** What a recording machine can checkpoint: RAM pages the guest (hart) and the host wrote. */
function takeWritten(machine: BootMachine): Set<number> {
  const pages = new Set(machine.hart.dirtyPages?.() ?? [])
  for (const p of machine.takeHostWrittenPages()) pages.add(p)
  machine.hart.clearDirty?.()
  return pages
}

/** True when a machine's hart tracks written pages and saves its state: a recording of it gets checkpoints. */
export function canCheckpoint(machine: BootMachine): boolean {
  return !!machine.hart.dirtyPages && !!machine.hart.clearDirty && typeof machine.saveState === 'function'
}

export class CheckpointWriter {
  private readonly map: Uint32Array
  private readonly ids = new Map<string, number>()
  private nextId = 1
  private lastStep: bigint | null = null
  private written = 0
  /** Pages whose map entry is not 0 (written at least once since reset). */
  private pageCount = 0
  private statements?: { blob: Database.Statement; row: Database.Statement }
  bytes = 0

  /** Starts tracking the machine's RAM at reset: what is in RAM now is page map entry 0. */
  constructor(
    private readonly writer: RecordingWriter,
    machine: BootMachine,
    readonly every: number = DEFAULT_CHECKPOINT_EVERY,
  ) {
    this.map = new Uint32Array(machine.hart.ram.length / PAGE)
    takeWritten(machine)
    writer.transaction((db) => {
      const meta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
      meta.run(META.checkpointEvery, String(every))
      meta.run(META.checkpointFormat, CHECKPOINT_FORMAT)
    })
  }

  /** Checkpoints written so far. */
  get count(): number {
    return this.written
  }

  /** The step of the next checkpoint after `step`. */
  nextAfter(step: bigint): bigint {
    const every = BigInt(this.every)
    return (step / every + 1n) * every
  }

  /** Writes a checkpoint of the machine where it stands (between two runs). */
  write(machine: BootMachine): void {
    const state = machine.saveState()
    if (state.step === this.lastStep) return
    const ram = machine.hart.ram
    const blobs: [number, Uint8Array][] = []
    const changed: number[] = []
    const written = [...takeWritten(machine)].filter((p) => p < this.map.length)
    for (const p of written) {
      const bytes = ram.subarray(p * PAGE, (p + 1) * PAGE)
      const key = hash('sha1', bytes, 'base64')
      let id = this.ids.get(key)
      if (id === undefined) {
        id = this.nextId++
        this.ids.set(key, id)
        blobs.push([id, packPage(bytes)])
      }
      if (this.map[p] === 0) this.pageCount++
      if (this.map[p] !== id) changed.push(p, id)
      this.map[p] = id
    }
    const hart = deflateSync(state.hart, ZLIB)
    const devices = encodeMachineState(state)
    const full = this.written % FULL_MAP_EVERY === 0 || this.lastStep === null
    const pages = deflateSync(full ? new Uint8Array(this.map.buffer) : new Uint8Array(Uint32Array.from(changed).buffer), ZLIB)
    const base = full ? null : this.lastStep
    // Every page the interval wrote, changed or not (a value written and written back is a write): replay's `unwrittenBetween`.
    const writtenList = deflateSync(new Uint8Array(Uint32Array.from(written).buffer), ZLIB)
    this.writer.batched((db) => {
      const st = (this.statements ??= {
        blob: db.prepare('INSERT INTO page_blobs (id, data) VALUES (?, ?)'),
        row: db.prepare('INSERT INTO checkpoints (step, kind, base_step, hart, devices, pages, page_count, written) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      })
      for (const [id, data] of blobs) st.blob.run(id, data)
      st.row.run(state.step, CHECKPOINT_KIND, base, hart, devices, pages, this.pageCount, writtenList)
    })
    for (const [, data] of blobs) this.bytes += data.length
    this.bytes += hart.length + devices.length + pages.length + writtenList.length
    this.lastStep = state.step
    this.written++
  }
}

interface Point {
  step: bigint
  /** The row holds the full page map (else the entries changed since the previous row). */
  full: boolean
}

/** Replay's checkpoints read from the recording (see the file comment); index 0 is the reset state. */
export class DiskCheckpoints {
  private readonly points: Point[]
  private readonly resetState: MachineSnapshot
  private readonly cache = new Map<number, Uint8Array>()
  /** The disk's blocks (a boot with a disk: each checkpoint also restores the sectors written, disk-store.ts). */
  private diskBlocks?: DiskBlockReader
  /** The checkpoint the machine's current interval started from, and its page map. */
  private base = 0
  private baseMap: Uint32Array
  /** A machine at reset, made the first time a page must go back to its content at reset. */
  private pristine?: BootMachine

  private constructor(
    private readonly path: string,
    points: Point[],
    readonly interval: bigint,
    /** Format 2 (see the file comment): 4096-byte page contents are stored as is. */
    private readonly rawPages: boolean,
    machine: BootMachine,
    private readonly atReset: () => Promise<BootMachine>,
  ) {
    this.points = [{ step: 0n, full: true }, ...points]
    this.baseMap = new Uint32Array(machine.hart.ram.length / PAGE)
    takeWritten(machine)
    this.resetState = machine.saveState()
  }

  /**
   * The recording's checkpoints for a replay machine at reset, or undefined when it has none
   * (written before checkpoints, or cut short before the first): replay then keeps its own in memory.
   * `atReset` makes another machine at reset (see the file comment).
   */
  static open(path: string, machine: BootMachine, lastStep: bigint, atReset: () => Promise<BootMachine>): DiskCheckpoints | undefined {
    if (!canCheckpoint(machine)) return undefined
    const found = withDb(path, (db) => {
      if (!hasTable(db, 'page_blobs')) return undefined
      const meta = db.prepare('SELECT value FROM meta WHERE key = ?')
      const every = Number((meta.get(META.checkpointEvery) as { value?: unknown } | undefined)?.value)
      const format = (meta.get(META.checkpointFormat) as { value?: unknown } | undefined)?.value
      const rows = db.prepare('SELECT step, base_step FROM checkpoints WHERE kind = ? AND step > 0 AND step <= ? ORDER BY step').all(CHECKPOINT_KIND, lastStep) as { step: unknown; base_step: unknown }[]
      const points = rows.map((r, i) => {
        if (typeof r.step !== 'number' && typeof r.step !== 'bigint') throw damaged(path, `its table 'checkpoints' has a row whose step is not a number`)
        const full = format !== CHECKPOINT_FORMAT || r.base_step === null
        if (!full && (i === 0 || BigInt(r.base_step as number) !== BigInt(rows[i - 1].step as number))) {
          throw damaged(path, `its table 'checkpoints' row at step ${r.step} builds on step ${String(r.base_step)}, which is not the checkpoint before it`)
        }
        return { step: BigInt(r.step), full }
      })
      return { every, points, raw: format === CHECKPOINT_FORMAT }
    })
    if (!found?.points.length) return undefined
    const every = found.every > 0 ? BigInt(found.every) : found.points[0].step
    return new DiskCheckpoints(path, found.points, every, found.raw, machine, atReset)
  }

  get count(): number {
    return this.points.length
  }

  /** The checkpoint to restore for `step`: the last at or before it. */
  nearest(step: bigint): number {
    let lo = 0
    let hi = this.points.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.points[mid].step <= step) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  stepOf(index: number): bigint {
    return this.points[index].step
  }

  /** The next checkpoint's step after the current interval's start (past the last: never). */
  nextBoundary(): bigint {
    return this.points[this.base + 1]?.step ?? BigInt(Number.MAX_SAFE_INTEGER)
  }

  /** The machine reached `nextBoundary()` by running: it is at that checkpoint now. */
  reached(machine: BootMachine): void {
    const index = this.base + 1
    if (index >= this.points.length) return
    takeWritten(machine)
    this.baseMap = withDb(this.path, (db) => this.mapAt(db, index))
    this.base = index
  }

  /** Per checkpoint index: the pages written in the interval that ends there; null when the row does not say (older files). Read once. */
  private writtenLists?: (Set<number> | null)[]

  /**
   * Whether no RAM page holding these ranges (offsets from the RAM base) was written between the
   * checkpoints at steps `from` and `to` (rows' `written` lists); false when either is not a
   * checkpoint or a row between them does not say.
   */
  unwrittenBetween(from: bigint, to: bigint, ranges: { offset: bigint; length: number }[]): boolean {
    const [a, b] = [this.nearest(from), this.nearest(to)]
    if (this.points[a].step !== from || this.points[b].step !== to || a > b) return false
    const lists = (this.writtenLists ??= this.readWrittenLists())
    const pages = new Set<number>()
    for (const r of ranges) for (let p = Number(r.offset) >> 12; p <= (Number(r.offset) + r.length - 1) >> 12; p++) pages.add(p)
    for (let i = a + 1; i <= b; i++) {
      const list = lists[i]
      if (!list) return false
      for (const p of pages) if (list.has(p)) return false
    }
    return true
  }

  private readWrittenLists(): (Set<number> | null)[] {
    const byStep = withDb(this.path, (db) => {
      try {
        return new Map((db.prepare('SELECT step, written FROM checkpoints WHERE kind = ?').all(CHECKPOINT_KIND) as { step: number | bigint; written: unknown }[]).map((r) => [BigInt(r.step), r.written]))
      } catch {
        return new Map<bigint, unknown>() // a file from before the column: nothing is known
      }
    })
    return this.points.map((pt, i) => {
      const w = byStep.get(pt.step)
      if (i === 0 || !(w instanceof Uint8Array)) return null
      try {
        const raw = inflateSync(w)
        return raw.length % 4 ? null : new Set(new Uint32Array(new Uint8Array(raw).buffer))
      } catch {
        return null
      }
    })
  }

  /** Puts the machine at checkpoint `index`, wherever it is now. */
  async restore(machine: BootMachine, index: number): Promise<void> {
    const ram = machine.hart.ram
    const stale = takeWritten(machine)
    const target = withDb(this.path, (db) => {
      const map = this.mapAt(db, index)
      const state = index === 0 ? this.resetState : this.stateAt(db, index)
      for (let p = 0; p < map.length; p++) if (map[p] !== this.baseMap[p]) stale.add(p)
      // Each distinct content is read once, however many pages hold it.
      const byId = new Map<number, number[]>()
      for (const p of stale) {
        if (p >= map.length) continue
        const id = map[p]
        const cached = id === 0 ? undefined : this.cache.get(id)
        if (cached) {
          ram.set(cached, p * PAGE)
          this.cache.delete(id) // most recently used: last out
          this.cache.set(id, cached)
        }
        else if (id !== 0) byId.set(id, [...(byId.get(id) ?? []), p])
      }
      if (byId.size) this.fetch(db, byId, ram)
      return { map, state }
    })
    // Pages back to their content at reset: from a machine at reset (RAM differs from it only where it was written).
    const toReset = [...stale].filter((p) => p < target.map.length && target.map[p] === 0)
    if (toReset.length) {
      this.pristine ??= await this.atReset()
      const fresh = this.pristine.hart.ram
      for (const p of toReset) ram.set(fresh.subarray(p * PAGE, (p + 1) * PAGE), p * PAGE)
    }
    machine.loadState(target.state)
    takeWritten(machine)
    this.baseMap = target.map
    this.base = index
  }

  private bad(step: bigint, why: string): DamagedRecording {
    return damaged(this.path, `its table 'checkpoints' row at step ${step} ${why}`)
  }

  /** The row of checkpoint `index`, checked to be what the writer writes. */
  private row(db: Database.Database, index: number): { hart: Uint8Array; devices: string; pages: Uint8Array } {
    const step = this.points[index].step
    const row = db.prepare('SELECT hart, devices, pages FROM checkpoints WHERE step = ? AND kind = ?').get(step, CHECKPOINT_KIND) as { hart: unknown; devices: unknown; pages: unknown } | undefined
    if (!row) throw this.bad(step, 'is missing')
    if (!(row.hart instanceof Uint8Array) || !(row.pages instanceof Uint8Array) || typeof row.devices !== 'string') throw this.bad(step, 'is not what the writer writes')
    return { hart: row.hart, devices: row.devices, pages: row.pages }
  }

  private stateAt(db: Database.Database, index: number): MachineSnapshot {
    const { hart, devices } = this.row(db, index)
    const step = this.points[index].step
    let state: MachineSnapshot
    try {
      state = decodeMachineState(devices, new Uint8Array(inflateSync(hart)), step)
    } catch (e) {
      throw this.bad(step, `cannot be read (${(e as Error).message})`)
    }
    // A boot with a disk: the sectors written by this checkpoint (disk-store.ts).
    if (this.resetState.disk) {
      const disk = diskOverlayAt(this.path, step, (this.diskBlocks ??= new DiskBlockReader(this.path)))
      if (!disk) throw damaged(this.path, `its checkpoint at step ${step} has no disk state (table 'disk_checkpoints')`)
      state.disk = disk
    }
    return state
  }

  /**
   * The page map at checkpoint `index`: the last full map at or before it with the changes of the
   * rows after it applied — starting from the current interval's map when that is on the way.
   */
  private mapAt(db: Database.Database, index: number): Uint32Array {
    const pages = this.baseMap.length
    if (index === 0) return new Uint32Array(pages)
    let first = index
    while (!this.points[first].full) first--
    let map: Uint32Array
    if (this.base >= first && this.base <= index) {
      map = this.baseMap.slice()
      first = this.base
    } else {
      map = this.decodeMap(db, first, true)
      if (map.length !== pages) throw this.bad(this.points[first].step, `cannot be read (its page map has ${map.length} pages, RAM ${pages})`)
    }
    for (let i = first + 1; i <= index; i++) {
      const pairs = this.decodeMap(db, i, false)
      for (let k = 0; k < pairs.length; k += 2) {
        if (pairs[k] >= pages || k + 1 >= pairs.length) throw this.bad(this.points[i].step, `cannot be read (its page changes name page ${pairs[k]} of ${pages})`)
        map[pairs[k]] = pairs[k + 1]
      }
    }
    return map
  }

  private decodeMap(db: Database.Database, index: number, full: boolean): Uint32Array {
    const { pages } = this.row(db, index)
    let bytes: Buffer
    try {
      bytes = inflateSync(pages)
    } catch (e) {
      throw this.bad(this.points[index].step, `cannot be read (${(e as Error).message})`)
    }
    if (bytes.length % (full ? 4 : 8)) throw this.bad(this.points[index].step, `cannot be read (its page map is ${bytes.length} bytes)`)
    return new Uint32Array(new Uint8Array(bytes).buffer)
  }

  /** Reads the contents `byId` names into their pages, in bulk, keeping up to `PAGE_CACHE` of them for later restores. */
  private fetch(db: Database.Database, byId: Map<number, number[]>, ram: Uint8Array): void {
    const ids = [...byId.keys()].sort((a, b) => a - b)
    const query = (n: number) => db.prepare(`SELECT id, data FROM page_blobs WHERE id IN (${'?,'.repeat(n - 1)}?)`)
    const chunk = query(Math.min(FETCH_CHUNK, ids.length))
    const found = new Set<number>()
    for (let i = 0; i < ids.length; i += FETCH_CHUNK) {
      const part = ids.slice(i, i + FETCH_CHUNK)
      const rows = (part.length === FETCH_CHUNK || i === 0 ? chunk : query(part.length)).all(...part) as { id: number; data: unknown }[]
      for (const row of rows) {
        const pages = byId.get(row.id)
        if (!pages) continue
        const bytes = this.page(row.data)
        if (!bytes) throw damaged(this.path, `its table 'page_blobs' row ${row.id} is not a page's content`)
        for (const p of pages) ram.set(bytes, p * PAGE)
        if (this.cache.size >= PAGE_CACHE) this.cache.delete(this.cache.keys().next().value!)
        this.cache.set(row.id, bytes)
        found.add(row.id)
      }
    }
    const missing = ids.find((id) => !found.has(id))
    if (missing !== undefined) throw damaged(this.path, `its table 'page_blobs' has no row ${missing}, which a checkpoint names`)
  }

  /** A stored page content as its 4096 bytes; undefined when it is not one. */
  private page(data: unknown): Uint8Array | undefined {
    if (!(data instanceof Uint8Array)) return undefined
    if (this.rawPages && data.length === PAGE) return data
    try {
      const bytes = inflateSync(data)
      return bytes.length === PAGE ? bytes : undefined
    } catch {
      return undefined
    }
  }
}

/** The recording, read-only, for one query on the checkpoint tables (recording-query.ts). */
function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  return queryRecording(path, 'its checkpoints', fn)
}
