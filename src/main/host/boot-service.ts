/**
 * Boot runs for the contract: resolves what to boot (the workspace's build or an ELF file),
 * names the recording, starts the recording in the core worker and relays its progress, live
 * console output and outcome as events. Cancel and typed input go to the running boot.
 */
import { readFileSync } from 'node:fs'
import { basename, isAbsolute, join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { err, ok, type Result } from '../../shared/api/result'
import type { BootOptions, BootOutcome } from '../../shared/api/boot'
import type { Events, EventName } from '../../shared/api/contract'
import type { CoreWorker } from './core-worker'
import type { Workspace } from './workspace'
import type { BootRunProgress, ImageBytes } from '../worker/protocol'
import type { BuiltKernel } from './build-service'

export interface BootServiceDeps {
  core: CoreWorker
  workspace: Workspace
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
  /** Builds the workspace into an ELF (the toolchain); an error value carries the diagnostics. */
  buildKernel: () => Promise<Result<BuiltKernel>>
}

interface Run {
  abort: AbortController
}

/** A file name for a recording: sortable time, then the kernel's name. */
export function recordingName(kernel: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 23)
  const safe = kernel.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(0, 40) || 'kernel'
  return `${stamp}_${safe}.sqlite`
}

/** A kernel file chosen by the user has no line table (its sources are not ours). */
function mapImage(r: Result<ImageBytes>): Result<BuiltKernel> {
  return r.ok ? ok({ image: r.value, sourceLines: [] }) : r
}

export class BootService {
  private runs = new Map<string, Run>()

  constructor(private readonly deps: BootServiceDeps) {}

  private readImage(path: string, role: string): Result<ImageBytes> {
    const abs = isAbsolute(path) ? path : this.deps.workspace.resolvePath(path)
    const file = typeof abs === 'string' ? abs : abs.ok ? abs.value : undefined
    if (!file) return abs as Result<never>
    try {
      return ok({ file: basename(file), bytes: readFileSync(file) })
    } catch (e) {
      return err('boot.no_file', `cannot read the ${role} '${path}': ${(e as Error).message}`)
    }
  }

  async start(opts: BootOptions): Promise<Result<{ runId: string }>> {
    const kernelOpt = opts.kernel ?? { kind: 'build' as const }
    const kernel: Result<BuiltKernel> =
      kernelOpt.kind === 'build' ? await this.deps.buildKernel() : mapImage(this.readImage(kernelOpt.path, 'kernel'))
    if (!kernel.ok) return kernel
    let bios: 'none' | 'builtin' | ImageBytes = 'builtin'
    if (opts.bios === 'none' || opts.bios === 'builtin') bios = opts.bios
    else if (opts.bios && typeof opts.bios === 'object') {
      const fw = this.readImage(opts.bios.file, 'firmware')
      if (!fw.ok) return fw
      bios = fw.value
    }
    const runId = randomUUID()
    const name = recordingName(kernel.value.image.file)
    const abort = new AbortController()
    this.runs.set(runId, { abort })
    const { core, emit } = this.deps
    void core
      .request(
        'boot.run',
        {
          runId,
          recordingPath: join(this.deps.workspace.recordingsDir, name),
          kernel: kernel.value.image,
          sourceLines: kernel.value.sourceLines,
          bios,
          memBytes: opts.memBytes,
          maxSteps: opts.maxSteps,
        },
        {
          signal: abort.signal,
          onProgress: (p) => {
            const m = p as BootRunProgress
            if (m.kind === 'progress') emit('boot.progress', { runId, steps: m.steps, stepsPerSecond: m.stepsPerSecond, bytesWritten: m.bytesWritten, waiting: m.waiting })
            else emit('boot.output', { runId, step: m.step, text: m.text })
          },
        },
      )
      .then((r) => {
        this.runs.delete(runId)
        const outcome: BootOutcome = r.ok
          ? { runId, recording: name, steps: r.value.steps, stop: r.value.stop }
          : { runId, recording: name, steps: 0, stop: { reason: r.error.code === 'core_crashed' ? 'crashed' : 'error', message: r.error.message } }
        emit('boot.finished', outcome)
      })
    return ok({ runId })
  }

  cancel(runId: string): Result<{ cancelled: boolean }> {
    const run = this.runs.get(runId)
    if (!run) return ok({ cancelled: false })
    run.abort.abort()
    return ok({ cancelled: true })
  }

  async input(runId: string, text: string): Promise<Result<{ queued: number }>> {
    if (typeof text !== 'string') return err('bad_arguments', 'input must be text')
    if (!this.runs.has(runId)) return err('boot.not_running', 'that boot is not running any more')
    return this.deps.core.request('boot.input', { runId, text })
  }
}
