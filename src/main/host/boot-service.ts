/**
 * Boot runs for the contract: resolves what to boot (the workspace's build or a kernel file — a
 * workspace file, or one the user chose, never another path — and an initrd the same way), names
 * the recording, starts the recording in the core worker and relays its progress, live console
 * output and outcome as events. Cancel and typed input go to the running boot.
 */
import { basename, isAbsolute, join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { err, ok, type Result } from '../../shared/api/result'
import type { BootOptions, BootOutcome } from '../../shared/api/boot'
import type { Events, EventName } from '../../shared/api/contract'
import type { CoreWorker } from './core-worker'
import type { Workspace } from './workspace'
import type { BootRunProgress, ImageBytes } from '../worker/protocol'
import type { BuiltKernel } from './build-service'
import type { FileGrants } from './file-grants'
import type { ChosenFileRole } from '../../shared/api/file-grant'
import { MAX_IMAGE_BYTES, readRegularFileAsync } from '../files/regular-file'
import { RECORDINGS_FOLDER } from './workspace'

export interface BootServiceDeps {
  core: CoreWorker
  workspace: Workspace
  /** Files outside the workspace the user chose this session. */
  grants: FileGrants
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

  /**
   * A kernel or firmware file for a boot: a workspace path (links followed and kept inside), or
   * an absolute path inside the workspace or granted this session (file-grants.ts). Read as a
   * regular file within the image cap, asynchronously.
   */
  private async readImage(path: string, role: ChosenFileRole): Promise<Result<ImageBytes>> {
    const file = await this.locate(path, role)
    if (!file.ok) return file
    const bytes = await readRegularFileAsync(file.value, role, MAX_IMAGE_BYTES, { noFollow: true })
    if (!bytes.ok) return bytes.error.code === 'file.not_found' ? err('boot.no_file', `cannot read the ${role} '${path}': no such file`) : bytes
    return ok({ file: basename(path), bytes: bytes.value })
  }

  private async locate(path: string, role: ChosenFileRole): Promise<Result<string>> {
    const { workspace, grants } = this.deps
    if (!isAbsolute(path)) {
      const real = workspace.confine(path)
      return real.ok || real.error.code !== 'workspace.not_found' ? real : err('boot.no_file', `cannot read the ${role} '${path}': no such file in the workspace`)
    }
    const granted = await grants.lookup(path)
    if (granted) return ok(granted)
    // An absolute path of a workspace file is a workspace path like any other.
    const inWorkspace = workspace.confine(path)
    if (inWorkspace.ok) return inWorkspace
    return err('boot.not_granted', `the ${role} '${path}' is outside the workspace and was not chosen in Open ELF…`, {
      hint: 'choose it in Open ELF… (Bootscope reads only the workspace and files you pick there), or copy it into the workspace',
    })
  }

  async start(opts: BootOptions): Promise<Result<{ runId: string }>> {
    const kernelOpt = opts.kernel ?? { kind: 'build' as const }
    const kernel: Result<BuiltKernel> =
      kernelOpt.kind === 'build' ? await this.deps.buildKernel() : mapImage(await this.readImage(kernelOpt.path, 'kernel'))
    if (!kernel.ok) return kernel
    // A kernel built with the workspace file's command boots as that file says.
    const fromFile = kernel.value.boot
    if (fromFile) {
      opts = {
        ...opts,
        ...(fromFile.memBytes ? { memBytes: fromFile.memBytes } : {}),
        ...(fromFile.append !== undefined ? { append: fromFile.append } : {}),
        ...(fromFile.maxSteps ? { maxSteps: fromFile.maxSteps } : {}),
        ...(fromFile.strictTlb ? { strictTlb: true } : {}),
      }
    }
    const image = kernelOpt.kind === 'file' && kernelOpt.rawAddr !== undefined ? { ...kernel.value.image, rawAddr: BigInt(kernelOpt.rawAddr) } : kernel.value.image
    let initrd: ImageBytes | undefined = fromFile?.initrd
    if (opts.initrd && !initrd) {
      const r = await this.readImage(opts.initrd.file, 'initrd')
      if (!r.ok) return r
      initrd = r.value
    }
    let bios: 'none' | 'builtin' | ImageBytes = 'builtin'
    if (fromFile?.bios) bios = fromFile.bios
    else if (opts.bios === 'none' || opts.bios === 'builtin') bios = opts.bios
    else if (opts.bios && typeof opts.bios === 'object') {
      const fw = await this.readImage(opts.bios.file, 'firmware')
      if (!fw.ok) return fw
      bios = fw.value
    }
    const recordings = this.deps.workspace.stateFolder(RECORDINGS_FOLDER)
    if (!recordings.ok) return recordings
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
          recordingPath: join(recordings.value, name),
          kernel: image,
          sourceLines: kernel.value.sourceLines,
          bios,
          initrd,
          append: opts.append,
          memBytes: opts.memBytes,
          maxSteps: opts.maxSteps,
          ...(opts.strictTlb ? { strictTlb: true } : {}),
          ...(fromFile?.modules?.length ? { modules: fromFile.modules } : {}),
          ...(fromFile?.machine ? { machine: fromFile.machine } : {}),
          ...(opts.gdb ? { gdb: opts.gdb } : {}),
        },
        {
          signal: abort.signal,
          onProgress: (p) => {
            const m = p as BootRunProgress
            if (m.kind === 'progress') emit('boot.progress', { runId, steps: m.steps, stepsPerSecond: m.stepsPerSecond, bytesWritten: m.bytesWritten, waiting: m.waiting })
            else if (m.kind === 'gdb') emit('boot.gdb', { runId, address: m.address, state: m.state })
            else emit('boot.output', { runId, step: m.step, text: m.text })
          },
        },
      )
      .then((r) => {
        this.runs.delete(runId)
        const outcome: BootOutcome = r.ok
          ? { runId, recording: name, steps: r.value.steps, stop: r.value.stop }
          : { runId, recording: name, steps: 0, stop: { reason: r.error.code === 'core_crashed' ? 'crashed' : 'error', message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) } }
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
