/**
 * Records a boot: runs the machine (traced build) and writes everything into one recording file
 * as it happens — the inputs that define the boot (kernel and firmware bytes with their hashes,
 * the configuration, UART bytes typed with their step) and the semantic events (segments loaded,
 * firmware hand-off, console output, and why the run stopped). Memory stays bounded whatever the
 * length: events are committed in batches and console text is flushed line by line.
 */
import type { SourceLoc } from '../../shared/api/result'
import { SourceMap, type SourceLine } from '../../shared/trace/source-map'
import { err, ok, type Result } from '../../shared/api/result'
import { hex } from '../../shared/trace/events'
import { DEFAULT_MAX_STEPS, EXIT_CODE_CANCELLED, EXIT_CODE_STUCK, type MachineConfig, type MachineEvent, type StopInfo } from '../machine/machine'
import type { ImageFile, KernelFile } from '../machine/boot/boot-plan'
import type { DiskBase } from '../machine/devices/cow-disk'
import type { BootMachine } from '../machine/core/boot-machine'
import { createMachine, type ModuleFile } from '../machine/core/create-machine'
import { kernelKind } from '../machine/core/presets'
import { COMMIT_EVERY_MS, describeWriteError, RecordingWriter } from './recording-writer'
import { FUNCTIONS_ARTIFACT, SOURCE_LINES_ARTIFACT } from './schema'
import { kernelDebugInfoOf } from './kernel-debug-info'
import { attachEventDeriver, type EventDeriver } from './event-derivers'
import { diskSha256 } from './input-hashes'
import { canCheckpoint, CheckpointWriter, DEFAULT_CHECKPOINT_EVERY } from './checkpoint-file'
import { DiskRecorder } from './disk-store'

/** Console text is flushed as an event at each newline, or when this long. */
const UART_FLUSH_CHARS = 256
/** A recording stops (outcome `size-limit`) once its file grows past this, unless `maxBytes` says otherwise. */
export const DEFAULT_MAX_RECORDING_BYTES = 2 * 1024 ** 3

export interface RecordProgress {
  steps: number
  stepsPerSecond: number
  bytesWritten: number
  /** The guest is asleep until input arrives (with `waitForInput`). */
  waiting: boolean
}

export interface RecordOptions {
  /** Where the recording goes; it is written beside it under a temporary name and renamed there at the end. */
  recordingPath: string
  kernel: KernelFile
  /** QEMU's -initrd: kept in the recording (role 'initrd'). */
  initrd?: ImageFile
  bios?: MachineConfig['bios']
  memBytes?: number
  maxSteps?: number | bigint
  disk?: DiskBase
  /** The disk image's file name, as the recording names it (default `disk.img`). */
  diskName?: string
  /** riscv-tests `tohost` exit protocol. */
  tohost?: boolean
  /** The strict-TLB teaching mode (`MachineConfig.strictTlb`); kept in the recorded config, so replay runs the same way. */
  strictTlb?: boolean
  /** A machine preset (`riscv64-virt`, `x86-pc`); default: the one the kernel calls for. */
  machine?: string
  /** The kernel command line (Multiboot cmdline, RISC-V bootargs). */
  append?: string
  /** Multiboot modules, kept in the recording. */
  modules?: ModuleFile[]
  writtenBy: string
  onProgress?: (p: RecordProgress) => void
  /** Console text as it is printed (for a live console). */
  onOutput?: (step: number, text: string) => void
  /**
   * A guest that sleeps until input arrives (wfi with only the UART able to wake it) keeps the
   * boot open until `sendInput` or `cancel`, as in the app's live console; without it the run
   * ends there with 'waiting-for-input' (the command line, labs).
   */
  waitForInput?: boolean
  /** Steps between the checkpoints written into the recording (default `DEFAULT_CHECKPOINT_EVERY`; 0: none). */
  checkpointEvery?: number
  /** Size cap of the recording file in bytes (default `DEFAULT_MAX_RECORDING_BYTES`), checked at every commit. */
  maxBytes?: number
  /**
   * The build's line table (kernels built in Bootscope): kept in the recording, and used to place
   * the stop. Without it, the kernel's own DWARF (gcc, clang, rustc -g) gives the lines.
   */
  sourceLines?: SourceLine[]
  /** `MachineConfig.uartReadsInHart` (default true; the recording is the same either way). */
  uartReadsInHart?: boolean
}

export interface RecordResult {
  path: string
  steps: number
  stop: StopInfo
  /** The source line of the instruction the run stopped at, when the line table knows it. */
  loc?: SourceLoc
  /** The recording could not be finished or moved to its path (`path` is where it is). */
  writeError?: string
}

export class Recorder {
  private uart = ''
  private uartStep = 0n
  private lastProgress = 0
  private lastSteps = 0n
  private machine!: BootMachine
  /** Events the machine emits while it is being created (segments, hand-off), handled once it exists. */
  private early: MachineEvent[] | undefined = []
  private derive?: EventDeriver
  private checkpoints?: CheckpointWriter
  /** The disk image and the guest's writes to it (disk-store.ts). */
  private disk?: DiskRecorder
  private sources?: SourceMap
  /** The line table kept in the recording (the build's, or the kernel's DWARF). */
  private readonly lines: SourceLine[]
  private waiting = false
  private wake?: () => void
  /** Input or a cancel arrived since the machine last ran. */
  private kicked = false

  private constructor(
    private readonly opts: RecordOptions,
    private readonly writer: RecordingWriter,
  ) {
    const bios = opts.bios ?? 'builtin'
    this.writer.artifact(opts.kernel.file, 'kernel', opts.kernel.bytes)
    if (typeof bios === 'object') this.writer.artifact(bios.file, 'firmware', bios.bytes)
    if (opts.initrd) this.writer.artifact(opts.initrd.file, 'initrd', opts.initrd.bytes)
    for (const m of opts.modules ?? []) this.writer.artifact(m.file, 'module', m.bytes)
    const debug = opts.sourceLines?.length ? undefined : kernelDebugInfoOf(opts.kernel.bytes)
    this.lines = opts.sourceLines?.length ? opts.sourceLines : (debug?.lines ?? [])
    if (this.lines.length) this.writer.artifact(SOURCE_LINES_ARTIFACT, 'source-lines', new TextEncoder().encode(JSON.stringify(this.lines)))
    if (debug?.functions.length) this.writer.artifact(FUNCTIONS_ARTIFACT, 'functions', new TextEncoder().encode(JSON.stringify(debug.functions)))
    if (opts.disk) {
      const name = opts.diskName ?? 'disk.img'
      const sha = diskSha256(opts.disk)
      this.writer.artifactIdentity(name, 'disk', sha, opts.disk.sizeBytes)
      this.disk = new DiskRecorder(this.writer)
      this.disk.storeImage(name, opts.disk, sha)
    }
    this.writer.sealInputs()
  }

  /** Creates the recording file and the machine; a kernel that cannot be loaded is an error value (and no file is left half-made). */
  static async start(opts: RecordOptions): Promise<Result<Recorder>> {
    const bios = opts.bios ?? 'builtin'
    const writer = RecordingWriter.create(opts.recordingPath, {
      kernel: opts.kernel.file,
      config: {
        bios: typeof bios === 'string' ? bios : bios.file,
        memBytes: opts.memBytes ?? null,
        maxSteps: opts.maxSteps === undefined ? null : String(opts.maxSteps),
        tohost: !!opts.tohost,
        disk: opts.disk ? true : false,
        ...(opts.disk ? { diskName: opts.diskName ?? 'disk.img' } : {}),
        machine: opts.machine ?? kernelKind(opts.kernel.bytes).preset ?? null,
        rawAddr: opts.kernel.rawAddr === undefined ? null : hex(opts.kernel.rawAddr),
        initrd: opts.initrd?.file ?? null,
        ...(opts.append !== undefined ? { append: opts.append } : {}),
        ...(opts.modules?.length ? { modules: opts.modules.map((m) => ({ file: m.file, string: m.string ?? null })) } : {}),
        ...(opts.strictTlb ? { strictTlb: true } : {}),
      },
      writtenBy: opts.writtenBy,
    })
    if (!writer.ok) return writer
    const rec = new Recorder(opts, writer.value)
    let created: Result<BootMachine>
    try {
      created = await createMachine({
        kernel: opts.kernel,
        bios: opts.bios ?? 'builtin',
        memBytes: opts.memBytes,
        disk: opts.disk,
        tohost: opts.tohost,
        strictTlb: opts.strictTlb,
        machine: opts.machine,
        append: opts.append,
        modules: opts.modules,
        initrd: opts.initrd,
        uartReadsInHart: opts.uartReadsInHart,
        trace: true,
        listener: (e) => rec.onMachineEvent(e),
      })
    } catch (e) {
      rec.writer.finish(0, 'guest-error')
      return err('boot.machine_failed', `could not start the machine: ${(e as Error).message}`)
    }
    if (!created.ok) {
      rec.writer.event(0, 'stop', null, { reason: 'guest-error', exitCode: null, message: created.error.message })
      rec.writer.finish(0, 'guest-error')
      return created
    }
    rec.machine = created.value
    const early = rec.early ?? []
    rec.early = undefined
    for (const e of early) rec.onMachineEvent(e)
    const elf = created.value.images[0]?.elf
    rec.derive = attachEventDeriver(created.value, rec.writer)
    const every = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY
    if (every > 0 && canCheckpoint(created.value)) rec.checkpoints = new CheckpointWriter(rec.writer, created.value, every)
    if (rec.lines.length) rec.sources = new SourceMap(rec.lines, elf?.segments ?? [])
    rec.derive.drain()
    return ok(rec)
  }

  /** Checkpoints written into the recording so far. */
  get checkpointCount(): number {
    return this.checkpoints?.count ?? 0
  }

  /** Where the recording is written until it ends (a temporary file beside `recordingPath`). */
  get writingPath(): string {
    return this.writer.writingPath
  }

  sendInput(text: string | Uint8Array): number {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
    this.machine.sendInput(bytes)
    this.kicked = true
    this.wake?.()
    return bytes.length
  }

  /** Input typed when the guest first asks for it (`Machine.typeWhenAsked`), recorded at that step. */
  typeWhenAsked(text: string | Uint8Array): void {
    if (this.machine.typeWhenAsked) this.machine.typeWhenAsked(text)
    else this.machine.sendInput(text)
  }

  cancel(): void {
    this.stopWith('cancelled', 'cancelled by the user', EXIT_CODE_CANCELLED)
  }

  /** A signal (SIGINT, SIGTERM) or the host shutting down: the recording ends cleanly as `interrupted`. */
  interrupt(why: string, exitCode = EXIT_CODE_CANCELLED): void {
    this.stopWith('interrupted', `interrupted (${why}); the recording is complete up to here`, exitCode)
  }

  private stopWith(reason: 'cancelled' | 'interrupted' | 'size-limit', message: string, exitCode: number): void {
    this.machine.cancel(reason, message, exitCode)
    this.kicked = true
    this.wake?.()
  }

  /**
   * Runs the boot on to step `to` and pauses there, still recording (a debugger drives a live boot
   * in a machine of its own, `bootscope record --gdb`, and this one follows it); earlier only when
   * the boot ends. `run()` then goes on to the end and finishes the recording.
   */
  async runTo(to: bigint): Promise<StopInfo> {
    this.derive?.drain()
    const stop = await this.machine.run({ pauseAt: to, maxSteps: this.opts.maxSteps ?? DEFAULT_MAX_STEPS })
    this.derive?.drain()
    return stop
  }

  async run(): Promise<RecordResult> {
    this.derive?.drain()
    this.lastProgress = performance.now()
    const timer = setInterval(() => this.progress(), COMMIT_EVERY_MS)
    let stop: StopInfo
    try {
      // The step budget stops a runaway guest; each time the user answers a guest waiting for
      // input, the guest gets the whole budget again from there.
      const budget = BigInt(this.opts.maxSteps ?? DEFAULT_MAX_STEPS)
      let until = budget
      for (;;) {
        this.kicked = false
        // A checkpoint is due at the next multiple of its interval: pause there and write it.
        const pauseAt = this.checkpoints?.nextAfter(this.machine.steps)
        stop = await this.machine.run({ maxSteps: until, ...(pauseAt !== undefined && pauseAt < until ? { pauseAt } : {}) })
        if (stop.reason === 'paused' && this.checkpoints) {
          this.checkpoints.write(this.machine)
          this.disk?.checkpoint(this.machine.steps)
          continue
        }
        if (stop.reason !== 'waiting-for-input' || !this.opts.waitForInput) break
        // The guest sleeps until a key arrives: the boot stays open (no steps pass) until the
        // user types or cancels (which may already have happened, even from the progress report).
        this.waiting = true
        this.progress()
        if (!this.kicked) await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
        this.waiting = false
        until = this.machine.steps + budget
      }
    } finally {
      clearInterval(timer)
    }
    this.disk?.flush()
    this.progress()
    const steps = Number(this.machine.steps)
    const done = this.writer.finish(steps, stop.reason)
    return {
      path: done.ok ? done.value : this.writer.writingPath,
      steps,
      stop,
      loc: this.sources?.locate(stop.pc),
      ...(done.ok ? {} : { writeError: done.error.message }),
    }
  }

  /**
   * Every `COMMIT_EVERY_MS`: commits what is buffered up to the last step whose events are all
   * written (console text not yet flushed holds it back), enforces the size cap, and reports.
   */
  private progress(): void {
    const now = performance.now()
    const steps = this.machine.steps
    const dt = (now - this.lastProgress) / 1000
    const rate = dt > 0 ? Number(steps - this.lastSteps) / dt : 0
    this.lastProgress = now
    this.lastSteps = steps
    this.disk?.flush()
    this.writer.commit(this.uart.length ? this.uartStep : steps)
    const bytes = this.writer.bytes
    if (this.writer.failure) this.stopWith('interrupted', `the recording cannot be written: ${describeWriteError(this.writer.failure)}`, EXIT_CODE_STUCK)
    else if (bytes > this.maxBytes) {
      this.stopWith(
        'size-limit',
        `the recording reached its size cap (${bytes} bytes > ${this.maxBytes}); it is complete up to here`,
        EXIT_CODE_STUCK,
      )
    }
    this.opts.onProgress?.({ steps: Number(steps), stepsPerSecond: Math.round(rate), bytesWritten: bytes, waiting: this.waiting })
  }

  private get maxBytes(): number {
    return this.opts.maxBytes ?? DEFAULT_MAX_RECORDING_BYTES
  }

  private onMachineEvent(e: MachineEvent): void {
    if (this.early) {
      this.early.push(e)
      return
    }
    const w = this.writer
    switch (e.kind) {
      case 'segment-loaded': {
        const s = e.segment
        w.event(e.step, 'segment_loaded', null, {
          vaddr: hex(s.vaddr),
          paddr: hex(s.paddr),
          memsz: hex(s.memsz),
          filesz: hex(s.filesz),
          flags: this.segmentFlags(s.paddr),
          sections: s.sections,
          file: s.image,
        })
        break
      }
      case 'firmware-handoff':
        w.event(e.step, 'firmware_handoff', hex(e.entry), { firmware: e.from, mode: e.mode, entry: hex(e.entry), a0: hex(e.a0), a1: hex(e.a1) })
        break
      case 'uart': {
        if (this.uart.length === 0) this.uartStep = e.step
        const ch = String.fromCharCode(e.byte)
        this.uart += ch
        this.opts.onOutput?.(Number(e.step), ch)
        if (ch === '\n' || this.uart.length >= UART_FLUSH_CHARS) this.flushUart()
        break
      }
      case 'input':
        this.flushUart()
        w.input(e.step, 'uart', e.bytes)
        break
      case 'warning':
        break
      case 'disk-write':
        this.disk?.wrote(e.step, e.sector, e.data)
        break
      case 'stop':
        this.flushUart()
        w.event(e.step, 'stop', hex(e.stop.pc), {
          reason: e.stop.reason,
          exitCode: e.stop.exitCode ?? null,
          message: e.stop.message,
          ...(e.stop.hint ? { hint: e.stop.hint } : {}),
        })
        break
    }
  }

  /** `RWX` letters of the ELF program header loaded at `paddr` (kernel or firmware). */
  private segmentFlags(paddr: bigint): string {
    for (const img of this.machine?.images ?? []) {
      const ph = img?.elf?.segments.find((p) => p.paddr === paddr)
      if (ph) return `${ph.flags & 4 ? 'R' : '-'}${ph.flags & 2 ? 'W' : '-'}${ph.flags & 1 ? 'X' : '-'}`
    }
    return ''
  }

  private flushUart(): void {
    if (!this.uart) return
    this.writer.event(this.uartStep, 'uart_output', null, { text: this.uart })
    this.uart = ''
  }
}
