/**
 * Builds the workspace for the contract: gathers its sources and linker script, runs the
 * toolchain in the core worker (a big file must not freeze the window), saves the ELF to
 * `.bootscope/build/kernel.elf` (atomically) and reports the result to every window.
 */
import { join } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import type { BuildSummary } from '../../shared/api/build'
import type { Events, EventName } from '../../shared/api/contract'
import type { CoreWorker } from './core-worker'
import type { Workspace } from './workspace'
import type { ImageBytes } from '../worker/protocol'
import { writeFileAtomic } from './atomic-write'
import type { SourceLine } from '../../shared/trace/source-map'
import { parseSize, parseWorkspaceFile, WORKSPACE_FILE, type WorkspaceFile } from '../../shared/workspace/workspace-file'
import { runExternalBuild } from '../build/external-build'
import { readElf } from '../../shared/elf/reader'
import { MAX_IMAGE_BYTES, readRegularFile } from '../files/regular-file'

/** Files of the workspace handed to the toolchain: sources, scripts and what they may include. */
const BUILD_INPUT = /\.(S|s|asm|ld|lds|h|inc)$/
export const KERNEL_ELF = 'kernel.elf'
/** Where the build's ELF is saved, workspace-relative. */
const BUILD_FOLDER = '.bootscope/build'

/** A kernel built from the workspace, with its line table. */
export interface BuiltKernel {
  image: ImageBytes
  /** The build's line table; empty for a kernel built with the workspace file's command (the recorder reads its DWARF). */
  sourceLines: SourceLine[]
  /** How bootscope.json says to boot it (over Boot's options). */
  boot?: WorkspaceBoot
}

/** The boot options of bootscope.json, read. */
export interface WorkspaceBoot {
  machine?: string
  bios?: 'none' | 'builtin' | ImageBytes
  memBytes?: number
  initrd?: ImageBytes
  append?: string
  maxSteps?: number
  strictTlb?: boolean
  /** Multiboot modules (x86), read, with their strings. */
  modules?: (ImageBytes & { string?: string })[]
}

export interface BuildServiceDeps {
  /** The worker that runs the toolchain (the host gives builds one of their own). */
  core: Pick<CoreWorker, 'request'>
  workspace: Workspace
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
}

export class BuildService {
  /** The build in progress (Build's, or Boot's first step), so that `build.cancel` can end it. */
  private running: AbortController | undefined

  constructor(private readonly deps: BuildServiceDeps) {}

  /** Ends the build in progress: the build command's process group is sent SIGTERM (then SIGKILL), the toolchain request is cancelled. */
  cancel(): Result<{ cancelled: boolean }> {
    const run = this.running
    if (!run || run.signal.aborted) return ok({ cancelled: false })
    run.abort()
    return ok({ cancelled: true })
  }

  /** Picks the linker script: the one asked for, else `linker.ld`, else the only `.ld` file. */
  private script(files: { path: string }[], asked?: string): Result<string | undefined> {
    if (asked) return files.some((f) => f.path === asked) ? ok(asked) : err('build.no_script', `no linker script '${asked}' in the workspace`)
    const scripts = files.filter((f) => /\.(ld|lds)$/.test(f.path)).map((f) => f.path)
    if (scripts.includes('linker.ld')) return ok('linker.ld')
    if (scripts.length > 1) {
      return err('build.which_script', `the workspace has ${scripts.length} linker scripts (${scripts.join(', ')})`, { hint: 'name one linker.ld, or remove the others' })
    }
    return ok(scripts[0])
  }

  /** Builds; the summary goes to the UI (diagnostics, layout) and the ELF bytes to the caller. */
  async build(askedScript?: string): Promise<Result<{ summary: BuildSummary; elf?: ImageBytes; sourceLines: SourceLine[]; boot?: WorkspaceBoot }>> {
    const abort = new AbortController()
    this.running?.abort() // a new build replaces one still running (its result would be stale)
    this.running = abort
    try {
      return await this.buildOnce(abort.signal, askedScript)
    } finally {
      if (this.running === abort) this.running = undefined
    }
  }

  private async buildOnce(signal: AbortSignal, askedScript?: string): Promise<Result<{ summary: BuildSummary; elf?: ImageBytes; sourceLines: SourceLine[]; boot?: WorkspaceBoot }>> {
    const ws = this.deps.workspace
    if (ws.info().files.some((f) => f.path === WORKSPACE_FILE)) return this.buildWithCommand(signal)
    const files: { path: string; text: string }[] = []
    for (const f of ws.info().files) {
      if (!BUILD_INPUT.test(f.path)) continue
      const r = await ws.read(f.path)
      if (r.ok) files.push({ path: f.path, text: r.value.text })
    }
    const script = this.script(files, askedScript)
    if (!script.ok) return script
    const t0 = performance.now()
    const r = await this.deps.core.request('build.run', { files, script: script.value }, { signal })
    if (!r.ok) return r
    const summary: BuildSummary = { ok: r.value.ok, diagnostics: r.value.diagnostics, layout: r.value.layout, millis: performance.now() - t0 }
    let elf: ImageBytes | undefined
    if (r.value.elf) {
      const dir = this.deps.workspace.stateFolder(BUILD_FOLDER)
      if (!dir.ok) return dir
      writeFileAtomic(join(dir.value, KERNEL_ELF), r.value.elf)
      summary.elf = { path: `${BUILD_FOLDER}/${KERNEL_ELF}`, bytes: r.value.elf.length, entry: r.value.layout?.entry ?? '' }
      elf = { file: KERNEL_ELF, bytes: r.value.elf }
    }
    this.deps.emit('build.finished', summary)
    return ok({ summary, elf, sourceLines: r.value.sourceLines })
  }

  /**
   * The workspace file's build: its command runs in the workspace (output to `build.output`), its
   * tools' diagnostics become the summary's, and the kernel it names is read back (inside the
   * workspace only), with the file's boot options.
   */
  private async buildWithCommand(signal: AbortSignal): Promise<Result<{ summary: BuildSummary; elf?: ImageBytes; sourceLines: SourceLine[]; boot?: WorkspaceBoot }>> {
    const ws = this.deps.workspace
    const finished = (summary: BuildSummary) => {
      this.deps.emit('build.finished', summary)
      return summary
    }
    const text = await ws.read(WORKSPACE_FILE)
    if (!text.ok) return text
    const parsed = parseWorkspaceFile(text.value.text)
    if (!parsed.value) return ok({ summary: finished({ ok: false, diagnostics: parsed.diagnostics, millis: 0 }), sourceLines: [] })
    const config = parsed.value
    const r = await runExternalBuild({ root: ws.root, config, signal, resolveKernel: (p) => ws.confine(p), onOutput: (text) => this.deps.emit('build.output', { text }) })
    const summary: BuildSummary = { ok: r.ok, diagnostics: r.diagnostics, millis: r.millis, ...(r.cancelled ? { cancelled: true } : {}) }
    if (!r.ok || !r.kernel) return ok({ summary: finished(summary), sourceLines: [] })
    const elf = readElf(r.kernel.bytes)
    summary.elf = { path: config.kernel, bytes: r.kernel.bytes.length, entry: elf.ok ? `0x${elf.value.header.entry.toString(16)}` : '' }
    const boot = await this.workspaceBoot(config)
    if (!boot.ok) return ok({ summary: finished({ ...summary, ok: false, diagnostics: [...summary.diagnostics, { severity: 'error', ...boot.error }] }), sourceLines: [] })
    return ok({ summary: finished(summary), elf: { file: config.kernel, bytes: r.kernel.bytes }, sourceLines: [], boot: boot.value })
  }

  private async workspaceBoot(config: WorkspaceFile): Promise<Result<WorkspaceBoot>> {
    const image = async (path: string, role: string): Promise<Result<ImageBytes>> => {
      const real = this.deps.workspace.confine(path)
      if (!real.ok) return real
      const bytes = readRegularFile(real.value, role, MAX_IMAGE_BYTES)
      return bytes.ok ? ok({ file: path, bytes: bytes.value }) : bytes
    }
    const boot: WorkspaceBoot = {}
    if (config.machine) boot.machine = config.machine
    if (config.firmware === 'none' || config.firmware === 'builtin') boot.bios = config.firmware
    else if (config.firmware) {
      const fw = await image(config.firmware, 'firmware')
      if (!fw.ok) return fw
      boot.bios = fw.value
    }
    if (config.initrd) {
      const rd = await image(config.initrd, 'initrd')
      if (!rd.ok) return rd
      boot.initrd = rd.value
    }
    if (config.memory) boot.memBytes = parseSize(config.memory)
    if (config.cmdline !== undefined) boot.append = config.cmdline
    if (config.maxSteps) boot.maxSteps = config.maxSteps
    if (config.strictTlb) boot.strictTlb = true
    for (const m of config.modules ?? []) {
      const bytes = await image(m.path, 'module')
      if (!bytes.ok) return bytes
      ;(boot.modules ??= []).push({ ...bytes.value, ...(m.string !== undefined ? { string: m.string } : {}) })
    }
    return ok(boot)
  }

  /** For Boot: the ELF, or the build's first error (with the others in `build.finished`). */
  async kernel(): Promise<Result<BuiltKernel>> {
    const r = await this.build()
    if (!r.ok) return r
    if (r.value.elf && r.value.summary.ok) return ok({ image: r.value.elf, sourceLines: r.value.sourceLines, ...(r.value.boot ? { boot: r.value.boot } : {}) })
    if (r.value.summary.cancelled) return err('build.cancelled', 'the build was cancelled, so nothing was booted')
    const first = r.value.summary.diagnostics.find((d) => d.severity === 'error')
    return err('build.failed', first ? `the build failed: ${first.message}` : 'the build failed', { loc: first?.loc, hint: 'see Problems for every error' })
  }
}
