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
 * only) and zlib-compressed, so a page rewritten with what it held before, or memory filled with
 * one pattern, costs nothing more. Only pages written since the previous checkpoint are hashed.
 *
 * `DiskCheckpoints` (replay) offers what the in-memory `Checkpoints` offers: restoring checkpoint
 * k rewrites only the pages whose content differs between the machine's current position and k
 * (the two page maps, plus pages written since), and its memory is bounded: one page map and a
 * bounded cache of decompressed pages.
 */
import { hash } from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'
import Database from 'better-sqlite3'
import type { BootMachine, MachineSnapshot } from '../machine/core/boot-machine'
import type { RecordingWriter } from './recording-writer'
import { decodeMachineState, encodeMachineState } from './state-codec'
import { damaged, DamagedRecording } from './recording-damage'
import { nonZeroPages } from './checkpoints'
import { META } from './schema'

const PAGE = 4096
/** Steps between checkpoints written while recording: a seek re-executes at most this many. */
export const DEFAULT_CHECKPOINT_EVERY = 4_000_000
/** The `kind` of the rows this module writes (the table's other kinds are reserved). */
export const CHECKPOINT_KIND = 'pages'
/** Decompressed pages a replay keeps for reuse (16 MiB). */
const PAGE_CACHE = 4096
const ZLIB = { level: 1 }

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
  bytes = 0

  /** Starts tracking the machine's RAM at reset: what is in RAM now is page map entry 0. */
  constructor(
    private readonly writer: RecordingWriter,
    machine: BootMachine,
    readonly every: number = DEFAULT_CHECKPOINT_EVERY,
  ) {
    this.map = new Uint32Array(machine.hart.ram.length / PAGE)
    takeWritten(machine)
    writer.transaction((db) => db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(META.checkpointEvery, String(every)))
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
    const blobs: [number, Buffer][] = []
    for (const p of takeWritten(machine)) {
      if (p >= this.map.length) continue
      const bytes = ram.subarray(p * PAGE, (p + 1) * PAGE)
      const key = hash('sha1', bytes, 'base64')
      let id = this.ids.get(key)
      if (id === undefined) {
        id = this.nextId++
        this.ids.set(key, id)
        blobs.push([id, deflateSync(bytes, ZLIB)])
      }
      this.map[p] = id
    }
    let pageCount = 0
    for (let i = 0; i < this.map.length; i++) if (this.map[i] !== 0) pageCount++
    const hart = deflateSync(state.hart, ZLIB)
    const devices = encodeMachineState(state)
    const pages = deflateSync(new Uint8Array(this.map.buffer), ZLIB)
    const base = this.lastStep
    this.writer.transaction((db) => {
      const blob = db.prepare('INSERT INTO page_blobs (id, data) VALUES (?, ?)')
      for (const [id, data] of blobs) blob.run(id, data)
      db.prepare('INSERT INTO checkpoints (step, kind, base_step, hart, devices, pages, page_count) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        state.step,
        CHECKPOINT_KIND,
        base,
        hart,
        devices,
        pages,
        pageCount,
      )
    })
    for (const [, data] of blobs) this.bytes += data.length
    this.bytes += hart.length + devices.length + pages.length
    this.lastStep = state.step
    this.written++
  }
}

interface Point {
  step: bigint
}

/** Replay's checkpoints read from the recording (see the file comment); index 0 is the reset state. */
export class DiskCheckpoints {
  private readonly points: Point[]
  private readonly atReset: Map<number, Uint8Array>
  private readonly resetState: MachineSnapshot
  private readonly cache = new Map<number, Uint8Array>()
  private readonly zero = new Uint8Array(PAGE)
  /** The checkpoint the machine's current interval started from, and its page map. */
  private base = 0
  private baseMap: Uint32Array

  private constructor(
    private readonly path: string,
    steps: bigint[],
    readonly interval: bigint,
    machine: BootMachine,
  ) {
    this.points = [{ step: 0n }, ...steps.map((step) => ({ step }))]
    this.baseMap = new Uint32Array(machine.hart.ram.length / PAGE)
    this.atReset = nonZeroPages(machine.hart.ram)
    takeWritten(machine)
    this.resetState = machine.saveState()
  }

  /**
   * The recording's checkpoints for a replay machine at reset, or undefined when it has none
   * (written before checkpoints, or cut short before the first): replay then keeps its own in memory.
   */
  static open(path: string, machine: BootMachine, lastStep: bigint): DiskCheckpoints | undefined {
    if (!canCheckpoint(machine)) return undefined
    const rows = withDb(path, (db) => {
      if (!hasTable(db, 'page_blobs')) return []
      const every = Number((db.prepare('SELECT value FROM meta WHERE key = ?').get(META.checkpointEvery) as { value?: unknown } | undefined)?.value)
      const steps = db.prepare('SELECT step FROM checkpoints WHERE kind = ? AND step > 0 AND step <= ? ORDER BY step').all(CHECKPOINT_KIND, lastStep) as { step: unknown }[]
      return steps.map((r) => {
        if (typeof r.step !== 'number' && typeof r.step !== 'bigint') throw damaged(path, `its table 'checkpoints' has a row whose step is not a number`)
        return { step: BigInt(r.step), every }
      })
    })
    if (!rows.length) return undefined
    const every = rows[0].every > 0 ? BigInt(rows[0].every) : rows[0].step
    return new DiskCheckpoints(path, rows.map((r) => r.step), every, machine)
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
    this.baseMap = this.read(index).map
    this.base = index
  }

  /** The in-memory checkpoints can tell which pages an interval wrote; these cannot cheaply: "cannot tell". */
  unwrittenBetween(): boolean {
    return false
  }

  /** Puts the machine at checkpoint `index`, wherever it is now. */
  restore(machine: BootMachine, index: number): void {
    const target = index === 0 ? { map: new Uint32Array(this.baseMap.length), state: this.resetState } : this.read(index)
    const ram = machine.hart.ram
    const stale = takeWritten(machine)
    for (let p = 0; p < target.map.length; p++) if (target.map[p] !== this.baseMap[p]) stale.add(p)
    // Each distinct content is read (and decompressed) once, however many pages hold it.
    const byId = new Map<number, number[]>()
    for (const p of stale) {
      if (p >= target.map.length) continue
      const id = target.map[p]
      if (id === 0) ram.set(this.atReset.get(p) ?? this.zero, p * PAGE)
      else {
        const cached = this.cache.get(id)
        if (cached) ram.set(cached, p * PAGE)
        else byId.set(id, [...(byId.get(id) ?? []), p])
      }
    }
    if (byId.size) this.fetch(byId, ram)
    machine.loadState(target.state)
    takeWritten(machine)
    this.baseMap = target.map
    this.base = index
  }

  private read(index: number): { map: Uint32Array; state: MachineSnapshot } {
    const step = this.points[index].step
    return withDb(this.path, (db) => {
      const row = db.prepare('SELECT hart, devices, pages FROM checkpoints WHERE step = ? AND kind = ?').get(step, CHECKPOINT_KIND) as
        | { hart: unknown; devices: unknown; pages: unknown }
        | undefined
      const bad = (why: string) => damaged(this.path, `its table 'checkpoints' row at step ${step} ${why}`)
      if (!row) throw bad('is missing')
      if (!(row.hart instanceof Uint8Array) || !(row.pages instanceof Uint8Array) || typeof row.devices !== 'string') throw bad('is not what the writer writes')
      try {
        const pages = inflateSync(row.pages)
        if (pages.length !== this.baseMap.length * 4) throw new Error(`its page map has ${pages.length / 4} pages, RAM ${this.baseMap.length}`)
        const map = new Uint32Array(new Uint8Array(pages).buffer)
        return { map, state: decodeMachineState(row.devices, new Uint8Array(inflateSync(row.hart)), step) }
      } catch (e) {
        throw bad(`cannot be read (${(e as Error).message})`)
      }
    })
  }

  /** Reads the contents `byId` names into their pages, keeping up to `PAGE_CACHE` of them for later restores. */
  private fetch(byId: Map<number, number[]>, ram: Uint8Array): void {
    withDb(this.path, (db) => {
      const get = db.prepare('SELECT data FROM page_blobs WHERE id = ?')
      for (const [id, pages] of byId) {
        const row = get.get(id) as { data?: unknown } | undefined
        let bytes: Buffer | undefined
        try {
          if (row?.data instanceof Uint8Array) bytes = inflateSync(row.data)
        } catch {
          bytes = undefined
        }
        if (!bytes || bytes.length !== PAGE) throw damaged(this.path, `its table 'page_blobs' row ${id} is missing or is not a compressed page`)
        for (const p of pages) ram.set(bytes, p * PAGE)
        if (this.cache.size >= PAGE_CACHE) this.cache.delete(this.cache.keys().next().value!)
        this.cache.set(id, new Uint8Array(bytes))
      }
    })
  }
}

function hasTable(db: Database.Database, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)
}

/**
 * Opens the recording read-only for one query (a replay session holds no file open between seeks);
 * SQLite failing on the checkpoint tables (a column missing, pages it cannot read) is damage.
 */
function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    return fn(db)
  } catch (e) {
    if (e instanceof DamagedRecording) throw e
    throw damaged(path, `its checkpoints cannot be read (${(e as Error).message})`)
  } finally {
    db?.close()
  }
}
