/**
 * Runs the workspace file's build command (`make`, `cargo build --release`, a script) in the
 * workspace: its output streamed to `onOutput` as it comes, cancellable (the whole process group
 * is ended), its diagnostics parsed into problems (tool-diagnostics.ts), then the kernel it
 * produced read back. A tool that is not installed is a clear message naming it, never a hang.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { ok, type Diagnostic, type Result } from '../../shared/api/result'
import type { WorkspaceFile } from '../../shared/workspace/workspace-file'
import { MAX_IMAGE_BYTES, readRegularFile } from '../files/regular-file'
import { toolDiagnostics } from './tool-diagnostics'

export interface ExternalBuildResult {
  ok: boolean
  diagnostics: Diagnostic[]
  /** The process's exit code (null when it was cancelled or could not start). */
  exitCode: number | null
  /** The kernel the build produced (when it succeeded and the file is there). */
  kernel?: { path: string; bytes: Uint8Array }
  output: string
  millis: number
  /** The build was cancelled (its process group ended). */
  cancelled?: boolean
}

export interface ExternalBuildOptions {
  root: string
  config: WorkspaceFile
  onOutput?: (text: string) => void
  signal?: AbortSignal
  /** Where the kernel path (workspace-relative) is on disk; an error refuses it (the app confines it to the workspace). */
  resolveKernel?: (path: string) => Result<string>
}

/** Exit status a POSIX shell gives a command it cannot find. */
const SHELL_NOT_FOUND = 127
/** How long a cancelled build's process group has to end after SIGTERM before it gets SIGKILL. */
const CANCEL_GRACE_MS = 2000

export async function runExternalBuild(o: ExternalBuildOptions): Promise<ExternalBuildResult> {
  const t0 = performance.now()
  const cwd = resolve(o.root, o.config.build.cwd ?? '.')
  const command = o.config.build.command
  const [file, args, shell] = typeof command === 'string' ? [command, [] as string[], true] : [command[0], command.slice(1), false]
  const name = typeof command === 'string' ? command.trim().split(/\s+/)[0] : command[0]
  const fail = (message: string, hint?: string, exitCode: number | null = null, output = ''): ExternalBuildResult => ({
    ok: false,
    diagnostics: [...toolDiagnostics(output), { severity: 'error', code: 'build.command', message, loc: { file: 'bootscope.json', line: 1, column: 1 }, ...(hint ? { hint } : {}) }],
    exitCode,
    output,
    millis: performance.now() - t0,
  })
  if (!existsSync(cwd)) return fail(`the build folder ${o.config.build.cwd} does not exist`)
  let output = ''
  const result = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException; cancelled: boolean }>((done) => {
    const child = spawn(file, args, { cwd, shell, env: { ...process.env, ...o.config.build.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let cancelled = false
    let killTimer: ReturnType<typeof setTimeout> | undefined
    // The command runs in a process group of its own (detached): ending the group ends make's
    // compilers and a script's children too, not only the shell.
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal)
      } catch {
        child.kill(signal)
      }
    }
    const cancel = () => {
      cancelled = true
      o.onOutput?.(`\nbootscope: build cancelled: sent SIGTERM to the build command's process group (${child.pid ?? '?'})\n`)
      signalGroup('SIGTERM')
      killTimer = setTimeout(() => {
        o.onOutput?.(`bootscope: the build command's process group did not end within ${CANCEL_GRACE_MS / 1000} s: sent SIGKILL\n`)
        signalGroup('SIGKILL')
      }, CANCEL_GRACE_MS)
    }
    if (o.signal?.aborted) queueMicrotask(cancel)
    o.signal?.addEventListener('abort', cancel, { once: true })
    const take = (b: Buffer) => {
      const text = b.toString('utf8')
      output += text
      o.onOutput?.(text)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('error', (error) => done({ code: null, error, cancelled }))
    child.on('close', (code) => {
      clearTimeout(killTimer)
      o.signal?.removeEventListener('abort', cancel)
      done({ code, cancelled })
    })
  })
  if (result.cancelled) return { ...fail('the build was cancelled', undefined, null, output), cancelled: true }
  if (result.error?.code === 'ENOENT' || (shell && result.code === SHELL_NOT_FOUND && /not found/.test(output))) {
    return fail(`the build command's tool \`${name}\` is not installed (or not on PATH)`, `install it, or change "build.command" in bootscope.json`, result.code, output)
  }
  if (result.error) return fail(`the build command could not start: ${result.error.message}`, undefined, null, output)
  const diagnostics = toolDiagnostics(output).map((d) => (d.loc ? { ...d, loc: { ...d.loc, file: workspacePath(o.root, cwd, d.loc.file) } } : d))
  if (result.code !== 0) {
    return { ok: false, diagnostics: [...diagnostics, { severity: 'error', code: 'build.failed', message: `the build command \`${typeof command === 'string' ? command : command.join(' ')}\` failed (exit code ${result.code})` }], exitCode: result.code, output, millis: performance.now() - t0 }
  }
  const kernelPath = o.resolveKernel ? o.resolveKernel(o.config.kernel) : ok(resolve(o.root, o.config.kernel))
  const read = kernelPath.ok ? readRegularFile(kernelPath.value, 'kernel', MAX_IMAGE_BYTES) : kernelPath
  if (!read.ok) {
    return { ok: false, diagnostics: [...diagnostics, { severity: 'error', code: 'build.no_kernel', message: `the build succeeded but the kernel ${o.config.kernel} is not there: ${read.error.message}`, hint: 'check "kernel" in bootscope.json' }], exitCode: 0, output, millis: performance.now() - t0 }
  }
  return { ok: true, diagnostics, exitCode: 0, kernel: { path: o.config.kernel, bytes: read.value }, output, millis: performance.now() - t0 }
}

/** A path a tool printed (relative to where it ran, or absolute) as a workspace-relative one when it is inside. */
function workspacePath(root: string, cwd: string, p: string): string {
  const abs = isAbsolute(p) ? p : join(cwd, p)
  const rel = relative(root, abs)
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel
}
