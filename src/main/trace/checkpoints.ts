/**
 * Replay checkpoints, kept in memory by a replay session: every `interval` steps the machine's
 * state without RAM (`Machine.saveState`) and the RAM pages written since the previous checkpoint,
 * each stored once per checkpoint that changed it. Restoring checkpoint k puts back only the
 * pages written after it, each as it was at k (its last version at or before k, or its content at
 * reset), so going back costs what changed, not the size of RAM.
 */
import type { BootMachine, MachineSnapshot } from '../machine/core/boot-machine'

const PAGE = 4096

/** What replay needs of its checkpoints, kept in memory (here) or read from the recording (checkpoint-file.ts). */
export type CheckpointStore = Pick<Checkpoints, 'interval' | 'nearest' | 'stepOf' | 'nextBoundary' | 'reached' | 'unwrittenBetween'> & {
  restore(machine: BootMachine, index: number): void | Promise<void>
}

interface Checkpoint {
  state: MachineSnapshot
  /** Pages written in the interval that ends at this checkpoint. */
  written: number[]
}

const ZERO_PAGE = Buffer.alloc(PAGE)

/** Copies of the RAM pages that are not all zero (the images a boot loaded), by page index; memcmp per page, not a JS loop. */
export function nonZeroPages(ram: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>()
  for (let p = 0; p < ram.length / PAGE; p++) {
    if (!Buffer.from(ram.buffer, ram.byteOffset + p * PAGE, PAGE).equals(ZERO_PAGE)) out.set(p, ram.slice(p * PAGE, (p + 1) * PAGE))
  }
  return out
}

export class Checkpoints {
  private readonly points: Checkpoint[] = []
  /** Per page: its contents at the checkpoints whose interval wrote it, in checkpoint order. */
  private readonly versions = new Map<number, { at: number; bytes: Uint8Array }[]>()
  /** Pages that were not zero at reset, as they were then. */
  private readonly atReset: Map<number, Uint8Array>
  /** The checkpoint the machine's current interval started from. */
  private base = 0

  constructor(
    readonly interval: bigint,
    machine: BootMachine,
  ) {
    this.atReset = nonZeroPages(machine.hart.ram)
    this.clearWritten(machine)
    this.points.push({ state: machine.saveState(), written: [] })
  }

  get count(): number {
    return this.points.length
  }

  /** The step of the checkpoint to restore for `step`: the last at or before it. */
  nearest(step: bigint): number {
    return Math.min(this.points.length - 1, Number(step / this.interval))
  }

  stepOf(index: number): bigint {
    return this.points[index].state.step
  }

  /** The next step where a checkpoint is due, after the current interval's start. */
  nextBoundary(): bigint {
    return BigInt(this.base + 1) * this.interval
  }

  /** Called when the machine reaches `nextBoundary()`: records a new checkpoint, or moves past a known one. */
  reached(machine: BootMachine): void {
    const index = this.base + 1
    if (index === this.points.length) {
      const written = this.written(machine)
      const ram = machine.hart.ram
      for (const p of written) {
        let list = this.versions.get(p)
        if (!list) this.versions.set(p, (list = []))
        list.push({ at: index, bytes: ram.slice(p * PAGE, (p + 1) * PAGE) })
      }
      this.points.push({ state: machine.saveState(), written })
    }
    this.clearWritten(machine)
    this.base = index
  }

  /**
   * Whether no RAM page holding these ranges (offsets from the RAM base) was written between the
   * checkpoints at steps `from` and `to`; false when either is not a checkpoint taken yet.
   */
  unwrittenBetween(from: bigint, to: bigint, ranges: { offset: bigint; length: number }[]): boolean {
    if (from % this.interval !== 0n || to % this.interval !== 0n || from > to) return false
    const [a, b] = [Number(from / this.interval), Number(to / this.interval)]
    if (b >= this.points.length) return false
    const pages = new Set<number>()
    for (const r of ranges) for (let p = Number(r.offset) >> 12; p <= (Number(r.offset) + r.length - 1) >> 12; p++) pages.add(p)
    for (let i = a + 1; i <= b; i++) if (this.points[i].written.some((p) => pages.has(p))) return false
    return true
  }

  /** Puts the machine at checkpoint `index`, wherever it is now (before or after it). */
  restore(machine: BootMachine, index: number): void {
    const ram = machine.hart.ram
    // The pages that differ: written since the current interval began, and in every interval
    // between that interval's checkpoint and the target (backward or forward).
    const stale = new Set(this.written(machine))
    const [from, to] = index < this.base ? [index, this.base] : [this.base, index]
    for (let i = from + 1; i <= to && i < this.points.length; i++) for (const p of this.points[i].written) stale.add(p)
    for (const p of stale) ram.set(this.pageAt(p, index), p * PAGE)
    machine.loadState(this.points[index].state)
    this.clearWritten(machine)
    this.base = index
  }

  private pageAt(page: number, index: number): Uint8Array {
    const list = this.versions.get(page)
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].at <= index) return list[i].bytes
    }
    return this.atReset.get(page) ?? new Uint8Array(PAGE)
  }

  private written(machine: BootMachine): number[] {
    const pages = new Set(machine.hart.dirtyPages?.() ?? [])
    for (const p of machine.takeHostWrittenPages()) pages.add(p)
    return [...pages]
  }

  private clearWritten(machine: BootMachine): void {
    machine.hart.clearDirty?.()
    machine.takeHostWrittenPages()
  }
}
