/**
 * Replay: re-creates a recorded boot from the recording alone (kernel and firmware bytes, machine
 * configuration, UART input with the step it arrived at) and positions the machine at any step.
 * The machine is deterministic, so the state found here is the state the live boot had.
 *
 * Seeking forward continues the same machine; seeking backward restores the nearest checkpoint
 * (the recording's, checkpoint-file.ts, or taken in memory every million steps as the session first
 * passes them, checkpoints.ts) and re-executes from there. What the boot is comes from
 * recorded-boot.ts; the state shown at a step from state-at.ts; history search from history-search.ts.
 */
import { err, ok, type Result } from '../../shared/api/result'
import type { FindQuery, FindResult, MachineState, StateQuery } from '../../shared/api/replay'
import { hex } from '../../shared/trace/events'
import { SourceMap, type SourceLine } from '../../shared/trace/source-map'
import { FunctionMap, type FunctionRange } from '../../shared/trace/function-map'
import type { StopInfo } from '../machine/machine'
import type { BootMachine, DebugStops } from '../machine/core/boot-machine'
import { createMachine, type BootConfig } from '../machine/core/create-machine'
import { RecordingReader } from './recording-reader'
import { DamagedRecording } from './recording-damage'
import { Checkpoints, type CheckpointStore } from './checkpoints'
import { DiskCheckpoints } from './checkpoint-file'
import { HistorySearch } from './history-search'
import { recordedBootConfig } from './recorded-boot'
import { describeState, physicalOf, readBytesAt, readDiskAt, snapshotOf, type Snapshot } from './state-at'

/** Steps between checkpoints: going back re-executes at most this many (≈ 10 ms at 150 MIPS). */
export const DEFAULT_CHECKPOINT_INTERVAL = 1_000_000

/** Recordings that end because the user or the budget stopped them, not the guest. */
const CUT_SHORT = ['budget', 'cancelled', 'interrupted', 'size-limit', 'incomplete', 'crashed']

/** Instructions a history search examines unless asked otherwise. */
const DEFAULT_FIND_LIMIT = 5_000_000

export interface ReplayOptions {
  /** Steps between the checkpoints replay keeps in memory (recordings without checkpoints of their own). */
  checkpointInterval?: number
  /** Use the checkpoints the recording holds (default true); false keeps replay's own in memory. */
  diskCheckpoints?: boolean
}

/** The warning of a session that does not use the recording's damaged checkpoints. */
function checkpointsNotUsed(e: DamagedRecording): string {
  return `${e.message}; replaying from step 0 instead of from the recording's checkpoints`
}

export class ReplaySession {
  private machine!: BootMachine
  private ended?: StopInfo
  private nextInput = 0
  private checkpoints!: CheckpointStore
  /** Where the checkpoints come from: the recording's (checkpoint-file.ts), or replay's own in memory. */
  checkpointSource: 'recording' | 'memory' = 'memory'
  /** The step of the checkpoint the last seek restored (undefined: none yet). */
  restoredFrom?: number
  /** A damaged recording met by a seek that replay could not get around: every later seek reports it. */
  private broken?: DamagedRecording
  /**
   * Why the recording's checkpoints are not used (a damaged checkpoint row or page met at open or
   * by a seek): replay went on from step 0 with its own, so states stay right, only slower.
   */
  checkpointWarning?: string
  /** Steps the session has re-executed (restoring a checkpoint costs none): what a seek cost. */
  stepsRun = 0n
  private memoryInterval = BigInt(DEFAULT_CHECKPOINT_INTERVAL)
  /** The recording's last stop event: where and why the boot ended, as the UI says (stop-words.ts). */
  private recordedEnd?: { step: number; reason: string }
  /** How far the first pass has gone (see `warmUp`). */
  private warmedTo = 0n

  private constructor(
    private readonly config: BootConfig,
    private readonly inputs: { step: bigint; data: Uint8Array }[],
    private readonly sources: SourceMap,
    private readonly functions: FunctionMap,
    /** Steps in the recording: replay never runs past them (a live boot: its step budget). */
    readonly steps: bigint,
    /** How the recorded boot ended: a boot the machine itself ended (not a budget or a cancel) ends the replay the same way. */
    readonly outcome: string,
    /** False for a recording written before it kept a hash of its configuration (see input-hashes.ts): replayed unchecked. */
    readonly inputsChecked: boolean,
  ) {}

  /** Reads what the boot needs from the recording and starts the machine at step 0. */
  static async open(path: string, options: ReplayOptions = {}): Promise<Result<ReplaySession>> {
    const opened = RecordingReader.open(path)
    if (!opened.ok) return opened
    const r = opened.value
    try {
      // What runs must be what was recorded: the inputs and the configuration against their hashes.
      const checked = r.checkInputs()
      if (!checked.ok) return checked
      const booted = recordedBootConfig(path, r)
      if (!booted.ok) return booted
      const machineConfig = booted.value
      const inputs = r.inputs().map((i) => ({ step: BigInt(i.step), data: i.data }))
      const created = await createMachine(machineConfig)
      if (!created.ok) return created
      const segments = created.value.images[0]?.elf?.segments ?? []
      const session = new ReplaySession(machineConfig, inputs, new SourceMap(r.sourceLines(), segments), new FunctionMap(r.functions(), segments), BigInt(r.steps), r.outcome, checked.value.checked)
      session.recordedEnd = r.lastStop()
      session.machine = created.value
      session.memoryInterval = BigInt(options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL)
      let stored: DiskCheckpoints | undefined
      try {
        stored = options.diskCheckpoints === false ? undefined : DiskCheckpoints.open(path, created.value, BigInt(r.steps), () => session.machineAtReset())
      } catch (e) {
        if (!(e instanceof DamagedRecording)) throw e
        session.checkpointWarning = checkpointsNotUsed(e)
      }
      session.checkpoints = stored ?? new Checkpoints(session.memoryInterval, created.value)
      session.checkpointSource = stored ? 'recording' : 'memory'
      return ok(session)
    } catch (e) {
      if (e instanceof DamagedRecording) return err(e.code, e.message)
      return err('replay.failed', `cannot replay '${path}': ${(e as Error).message}`)
    } finally {
      r.close()
    }
  }

  /**
   * A live boot as a session (the GDB stub's `boot --gdb`): the machine boots `config` from step 0
   * as far as it is asked (up to `budget` steps), recording checkpoints as it passes them, so it
   * can go back as a replay does. Input given up front (`typeWhenAsked`, the command line's
   * --input) is held by the machine until the guest asks for it, and that held input is machine
   * state: it is in every checkpoint taken before it was typed, so going back and running again
   * types it at the same step. A disk (`config.disk`) is copy-on-write and its overlay is in every
   * checkpoint too, so the guest's writes are undone going back. Typing while the boot runs is
   * not supported (it would have to be re-delivered at its step).
   */
  static async live(config: BootConfig, budget: bigint, debug?: { lines: SourceLine[]; functions: FunctionRange[] }, typeWhenAsked?: Uint8Array): Promise<Result<ReplaySession>> {
    const created = await createMachine(config)
    if (!created.ok) return created
    if (typeWhenAsked?.length) {
      // Before the first checkpoint (step 0), so that every checkpoint holds it until it is typed.
      if (!created.value.typeWhenAsked) return err('gdb.input', 'this machine cannot hold input until the guest asks for it')
      created.value.typeWhenAsked(typeWhenAsked)
    }
    const segments = created.value.images[0]?.elf?.segments ?? []
    const session = new ReplaySession(config, [], new SourceMap(debug?.lines ?? [], segments), new FunctionMap(debug?.functions ?? [], segments), budget, 'incomplete', true)
    session.machine = created.value
    session.checkpoints = new Checkpoints(BigInt(DEFAULT_CHECKPOINT_INTERVAL), created.value)
    return ok(session)
  }

  get step(): bigint {
    return this.machine.steps
  }

  /** How the boot ended, when the session has seen it end (a live boot's shutdown). */
  get end(): StopInfo | undefined {
    return this.ended
  }

  /** The machine at the current step, for a debugger to read (not to change: a recording is history). */
  get machineAtStep(): BootMachine {
    return this.machine
  }

  /** The link address of a PC (before paging the PC runs at its load address). */
  linkAddress(pc: bigint): bigint {
    return this.sources.linkAddress(pc)
  }

  /** Every address the PC runs at for code linked at `link`: itself and, before paging, its load addresses. */
  loadAddresses(link: bigint): bigint[] {
    return this.sources.loadAddresses(link)
  }

  /** Steps between checkpoints. */
  get checkpointInterval(): bigint {
    return this.checkpoints.interval
  }

  /** Where `va` is in physical memory at this step, as the hart would load it; undefined when unmapped. */
  physicalAddress(va: bigint): bigint | undefined {
    const where = this.physical(va, 'load')
    return 'pa' in where ? where.pa : undefined
  }

  /** Positions the machine after `target` instructions (clamped to the recording). */
  async seek(target: bigint): Promise<Result<void>> {
    if (this.broken) return err(this.broken.code, this.broken.message)
    try {
      return await this.seekTo(target)
    } catch (e) {
      if (!(e instanceof DamagedRecording)) throw e
      if (this.checkpointSource === 'recording') {
        // The recording's checkpoints are damaged: say so, and replay from step 0 instead.
        this.checkpointWarning = checkpointsNotUsed(e)
        this.machine = await this.machineAtReset()
        this.checkpoints = new Checkpoints(this.memoryInterval, this.machine)
        this.checkpointSource = 'memory'
        this.ended = undefined
        this.nextInput = 0
        return this.seek(target)
      }
      this.broken = e
      return err(e.code, e.message)
    }
  }

  /** Another machine as the recorded boot starts (the configuration was created once: it cannot fail now). */
  private async machineAtReset(): Promise<BootMachine> {
    const created = await createMachine(this.config)
    if (!created.ok) throw new Error(created.error.message)
    return created.value
  }

  private async seekTo(target: bigint): Promise<Result<void>> {
    const to = target < 0n ? 0n : target > this.steps ? this.steps : target
    const cp = this.checkpoints.nearest(to)
    const cpStep = this.checkpoints.stepOf(cp)
    // Back in time, or a checkpoint lies between here and the target: start from the checkpoint.
    if (to < this.machine.steps || cpStep > this.machine.steps) {
      await this.checkpoints.restore(this.machine, cp)
      this.restoredFrom = Number(cpStep)
      this.ended = undefined
      this.nextInput = this.inputs.findIndex((i) => i.step >= cpStep)
      if (this.nextInput < 0) this.nextInput = this.inputs.length
    }
    await this.forward(to)
    // At the end of the recording, the instruction there ends the boot (a shutdown ecall, a trap
    // loop): run it, so the state says how the boot ended — unless the recording was cut short.
    if (!this.ended && target >= this.steps && this.machine.steps === this.steps && !CUT_SHORT.includes(this.outcome)) {
      const stop = await this.machine.run({ maxSteps: this.steps + 1n })
      if (stop.reason !== 'paused' && stop.reason !== 'waiting-for-input') this.ended = stop
    }
    return ok(undefined)
  }

  /**
   * Runs from the current step towards `to`, delivering typed input at its recorded steps and
   * recording checkpoints at their boundaries. Returns the stop that ended the run early: a debug
   * stop (the hart's, see `runToStop`), or the end of the boot; undefined when `to` was reached.
   */
  private async forward(to: bigint, interrupted?: () => boolean): Promise<StopInfo | undefined> {
    while (!this.ended && this.machine.steps < to) {
      // Typed input is delivered at the very step it arrived at in the live boot.
      for (; this.nextInput < this.inputs.length && this.inputs[this.nextInput].step <= this.machine.steps; this.nextInput++) {
        this.machine.deliverInput(this.inputs[this.nextInput].data)
      }
      const input = this.inputs[this.nextInput]
      const boundary = this.checkpoints.nextBoundary()
      let pauseAt = to < boundary ? to : boundary
      if (input && input.step < pauseAt) pauseAt = input.step
      const before = this.machine.steps
      const stop = await this.machine.run({ pauseAt, maxSteps: this.steps + 1n })
      this.stepsRun += this.machine.steps - before
      if (this.machine.steps === boundary && (stop.reason === 'paused' || stop.reason === 'waiting-for-input')) this.checkpoints.reached(this.machine)
      if (stop.reason === 'waiting-for-input') {
        // The live boot waited here too: the next input arrived at this very step, or never.
        if (!input || input.step > this.machine.steps) this.ended = stop
        continue
      }
      if (stop.debugStop) return stop
      if (stop.reason !== 'paused') this.ended = stop
      if (interrupted?.()) return stop
    }
    return this.ended
  }

  /**
   * Runs forward from the current step at full speed with a debugger's stops armed in the hart
   * (`CoreHart.setDebugStops`), until one fires — 'stop': the machine is just before that
   * instruction or access — or `to` is reached ('reached'), the boot ends ('ended') or
   * `interrupted()` says so between slices ('interrupted'). `skip` lets the instruction at the
   * starting point run once without stopping at its breakpoint and/or its watched access.
   * Undefined when this machine's hart cannot hold debug stops.
   */
  async runToStop(
    to: bigint,
    stops: DebugStops,
    skip: { breakpoint: boolean; watch: boolean },
    interrupted?: () => boolean,
  ): Promise<'stop' | 'reached' | 'ended' | 'interrupted' | undefined> {
    const hart = this.machine.hart
    if (!hart.setDebugStops || !hart.skipDebugStop) return undefined
    const end = to > this.steps ? this.steps : to
    if (!hart.setDebugStops(stops)) return undefined
    try {
      if (skip.breakpoint || skip.watch) hart.skipDebugStop({ breakpoint: skip.breakpoint, watch: skip.watch })
      const stop = await this.forward(end, interrupted)
      if (stop?.debugStop) return 'stop'
      if (this.ended) return 'ended'
      return this.machine.steps >= end ? 'reached' : 'interrupted'
    } finally {
      hart.setDebugStops({ breakpoints: [], watches: [] })
    }
  }

  /**
   * Whether the checkpoints show that no instruction and no device wrote the RAM pages of these
   * physical ranges between steps `from` and `to` (both checkpoint boundaries the session has
   * passed); false when it cannot tell.
   */
  unwrittenBetween(from: bigint, to: bigint, ranges: { pa: bigint; length: number }[]): boolean {
    return this.checkpoints.unwrittenBetween(from, to, ranges.map((r) => ({ offset: r.pa - this.machine.ramBase, length: r.length })))
  }

  /**
   * One slice of the first pass: replays `chunk` steps past the last checkpoint, so that later
   * seeks anywhere find a checkpoint nearby. Returns true once the whole recording is covered.
   */
  async warmUp(chunk: bigint): Promise<boolean> {
    if (this.checkpointSource === 'recording') return true // the recording's own checkpoints cover it already
    const target = this.warmedTo + chunk < this.steps ? this.warmedTo + chunk : this.steps
    await this.seek(target)
    this.warmedTo = target
    return target >= this.steps || !!this.ended
  }

  /** History search: see `FindQuery`. Leaves the machine somewhere in the searched range. */
  async find(q: Omit<FindQuery, 'path'>): Promise<Result<FindResult>> {
    const limit = BigInt(Math.max(1, Math.floor(Number(q.limit ?? DEFAULT_FIND_LIMIT)) || 1))
    const from = BigInt(Math.max(0, Math.floor(Number(q.from)) || 0))
    const address = (v: unknown) => (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? BigInt(v) : undefined)
    if (q.direction !== 'forward' && q.direction !== 'backward') return err('bad_arguments', "direction is 'forward' or 'backward'")
    const range = this.inRange(from)
    if (!range.ok) return range
    const t = q.target as Partial<{ pc: unknown; pcs: unknown; change: { address?: unknown; length?: unknown; physical?: unknown } }> | undefined
    if (t && ('pc' in t || 'pcs' in t)) {
      const given = 'pcs' in t ? t.pcs : [t.pc]
      if (!Array.isArray(given) || given.length === 0) return err('bad_arguments', 'give at least one PC to find (target.pcs)')
      const pcs: bigint[] = []
      for (const v of given) {
        const pc = address(v)
        if (pc === undefined) return err('bad_arguments', `the PC to find must be an address (0x…), got ${String(v)}`)
        pcs.push(pc)
      }
      return ok(await new HistorySearch(this).pc(pcs, from, q.direction, limit))
    }
    const at = address(t?.change?.address)
    if (at === undefined) return err('bad_arguments', 'give the PC (target.pc or target.pcs) or the address whose changes to find (target.change.address)')
    const length = Number(t?.change?.length ?? 8)
    const physical = !!t?.change?.physical
    const n = Math.max(1, Math.min(8, Math.floor(length)))
    const r = await this.seek(from)
    if (!r.ok) return r
    const where = physical ? { pa: at } : this.physical(at, 'load')
    if ('fault' in where) return err('replay.unmapped', `${hex(at)} is not mapped at step ${from}: ${where.fault}`, { hint: 'search a physical address instead, or start from a step where it is mapped' })
    if (!this.machine.view.readPhys(where.pa, n)) return err('replay.not_ram', `${hex(where.pa)} is not in RAM`)
    return ok(await new HistorySearch(this).change(where.pa, n, from, q.direction, limit))
  }

  /** Refuses a step the recording does not reach, naming its last step (never a silent clamp). */
  private inRange(step: bigint): Result<void> {
    if (step <= this.steps) return ok(undefined)
    const why = this.outcome === 'incomplete' ? ' (the recording is incomplete: its writer stopped there)' : ''
    return err('replay.past_end', `step ${step} is past the end of the recording: its last step is ${this.steps}${why}`, {
      hint: `give a step from 0 to ${this.steps}`,
    })
  }

  /** The state after `step` instructions, with what the last one changed. */
  async stateAt(q: Omit<StateQuery, 'path'>): Promise<Result<MachineState>> {
    const step = BigInt(Math.max(0, Math.floor(q.step)))
    const range = this.inRange(step)
    if (!range.ok) return range
    let before: Snapshot | undefined
    if (step > 0n) {
      const r = await this.seek(step - 1n)
      if (!r.ok) return r
      before = this.snapshot()
    }
    const r = await this.seek(step)
    if (!r.ok) return r
    const now = this.snapshot()
    if (before && this.machine.steps === step - 1n) before = undefined // the boot ended: nothing retired
    return ok(describeState({ machine: this.machine, sources: this.sources, functions: this.functions }, now, before, q, this.ended ? this.endOf(this.ended) : undefined))
  }

  private snapshot(): Snapshot {
    return snapshotOf(this.machine)
  }

  /**
   * Where and why the boot ended. At the recording's end that is its last stop event — a boot
   * cancelled while it waited for input replays to its wait, but it ended by the cancel — else
   * (a replay that ended before the recording did) the replay's own stop.
   */
  private endOf(stop: StopInfo): { step: number; reason: string } {
    const recorded = this.recordedEnd
    if (recorded && stop.step >= this.steps && recorded.step >= Number(stop.step)) return recorded
    return { step: Number(stop.step), reason: stop.reason }
  }

  /** `length` bytes at `address` as the hart sees them at this step: virtual through the page table, or physical. */
  readBytes(address: bigint, length: number, physical = false): { bytes: Uint8Array } | { error: string } {
    return readBytesAt(this.machine, address, length, physical)
  }

  /** Disk bytes at this step as the guest would read them (the image with the writes so far). */
  readDisk(offset: bigint, length: number): Result<Uint8Array> {
    return readDiskAt(this.machine, offset, length)
  }

  private physical(va: bigint, access: 'fetch' | 'load'): { pa: bigint } | { fault: string } {
    return physicalOf(this.machine, va, access)
  }
}
