/**
 * Records a boot: runs the machine (traced build) and writes everything into one recording file
 * as it happens — the inputs that define the boot (kernel and firmware bytes with their hashes,
 * the configuration, UART bytes typed with their step) and the semantic events (segments loaded,
 * firmware hand-off, console output, and why the run stopped). Memory stays bounded whatever the
 * length: events are committed in batches and console text is flushed line by line.
 */
import { statSync } from 'node:fs'
import { err, ok, type Result } from '../../shared/api/result'
import { hex, type StopReason } from '../../shared/trace/events'
import { Machine, type MachineConfig, type MachineEvent, type StopInfo } from '../machine/machine'
import type { ImageFile } from '../machine/boot/boot-plan'
import type { DiskBase } from '../machine/devices/cow-disk'
import { RecordingWriter } from './recording-writer'

/** Console text is flushed as an event at each newline, or when this long. */
const UART_FLUSH_CHARS = 256
const PROGRESS_EVERY_MS = 100

export interface RecordProgress {
  steps: number
  stepsPerSecond: number
  bytesWritten: number
}

export interface RecordOptions {
  recordingPath: string
  kernel: ImageFile
  bios?: MachineConfig['bios']
  memBytes?: number
  maxSteps?: number | bigint
  disk?: DiskBase
  /** riscv-tests `tohost` exit protocol. */
  tohost?: boolean
  writtenBy: string
  onProgress?: (p: RecordProgress) => void
  /** Console text as it is printed (for a live console). */
  onOutput?: (step: number, text: string) => void
}

export interface RecordResult {
  path: string
  steps: number
  stop: StopInfo
}

export class Recorder {
  private readonly writer: RecordingWriter
  private uart = ''
  private uartStep = 0n
  private lastProgress = 0
  private lastSteps = 0n
  private machine!: Machine

  private constructor(private readonly opts: RecordOptions) {
    const bios = opts.bios ?? 'builtin'
    this.writer = new RecordingWriter(opts.recordingPath, {
      kernel: opts.kernel.file,
      config: {
        bios: typeof bios === 'string' ? bios : bios.file,
        memBytes: opts.memBytes ?? null,
        maxSteps: opts.maxSteps === undefined ? null : String(opts.maxSteps),
        tohost: !!opts.tohost,
        disk: opts.disk ? true : false,
      },
      writtenBy: opts.writtenBy,
    })
    this.writer.artifact(opts.kernel.file, 'kernel', opts.kernel.bytes)
    if (typeof bios === 'object') this.writer.artifact(bios.file, 'firmware', bios.bytes)
  }

  /** Creates the recording file and the machine; a kernel that cannot be loaded is an error value (and no file is left half-made). */
  static async start(opts: RecordOptions): Promise<Result<Recorder>> {
    const rec = new Recorder(opts)
    let created: Result<Machine>
    try {
      created = await Machine.create({
        kernel: opts.kernel,
        bios: opts.bios ?? 'builtin',
        memBytes: opts.memBytes,
        disk: opts.disk,
        tohost: opts.tohost,
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
    return ok(rec)
  }

  get path(): string {
    return this.opts.recordingPath
  }

  sendInput(text: string | Uint8Array): number {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
    this.machine.sendInput(bytes)
    return bytes.length
  }

  cancel(): void {
    this.machine.cancel()
  }

  async run(): Promise<RecordResult> {
    const t0 = performance.now()
    this.lastProgress = t0
    const timer = setInterval(() => this.progress(t0), PROGRESS_EVERY_MS)
    let stop: StopInfo
    try {
      stop = await this.machine.run({ maxSteps: this.opts.maxSteps })
    } finally {
      clearInterval(timer)
    }
    this.progress(t0)
    const steps = Number(this.machine.steps)
    this.writer.finish(steps, stop.reason)
    return { path: this.opts.recordingPath, steps, stop }
  }

  private progress(t0: number): void {
    const now = performance.now()
    const steps = this.machine.steps
    const dt = (now - this.lastProgress) / 1000
    const rate = dt > 0 ? Number(steps - this.lastSteps) / dt : 0
    this.lastProgress = now
    this.lastSteps = steps
    void t0
    this.opts.onProgress?.({ steps: Number(steps), stepsPerSecond: Math.round(rate), bytesWritten: fileBytes(this.opts.recordingPath) })
  }

  private onMachineEvent(e: MachineEvent): void {
    const w = this.writer
    switch (e.kind) {
      case 'segment-loaded': {
        const s = e.segment
        w.event(e.step, 'segment_loaded', null, {
          vaddr: hex(s.vaddr),
          paddr: hex(s.paddr),
          memsz: hex(s.memsz),
          filesz: hex(s.filesz),
          flags: '',
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
      case 'stop':
        this.flushUart()
        w.event(e.step, 'stop', hex(e.stop.pc), { reason: e.stop.reason as StopReason, exitCode: e.stop.exitCode ?? null, message: e.stop.message })
        break
    }
  }

  private flushUart(): void {
    if (!this.uart) return
    this.writer.event(this.uartStep, 'uart_output', null, { text: this.uart })
    this.uart = ''
  }
}

function fileBytes(path: string): number {
  let n = 0
  for (const p of [path, `${path}-wal`]) {
    try {
      n += statSync(p).size
    } catch {
      // not there yet
    }
  }
  return n
}
