/**
 * Boot runs: start (save all, then build + boot + record in the backend), live console output,
 * progress, cancel, typed input — and Problems: every diagnostic of the last build, an error that
 * kept a boot from starting, and why the open recording stopped when it failed (with the source
 * line of the faulting instruction, and for a fetch through a missing page-table entry the line
 * that should have built that entry). Problems follow the open recording: reopening one brings
 * its stop back. When a run ends its recording opens in the timeline.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api } from '../api/client'
import type { BootGdbStatus, BootOptions, BootOutcome, BootProgress, RecordingOverview } from '../../../shared/api/boot'
import type { ApiError, Diagnostic } from '../../../shared/api/result'
import type { TraceEvent } from '../../../shared/trace/events'
import { stopTone } from '../../../shared/trace/stop-words'
import { useLabStore } from './lab'
import { useBuildStore } from './build'
import { useWorkspaceStore } from './workspace'
import { useRecordingsStore } from './recordings'
import { lastStopOf, useReplayStore } from './replay'
import { missingEntrySource, sourceMapOf } from '../features/inspectors/fault-source'

export type Problem = ApiError | Diagnostic

export const useBootStore = defineStore('boot', () => {
  const running = ref(false)
  const runId = ref<string>()
  const progress = ref<BootProgress>()
  const outcome = ref<BootOutcome>()
  /** Console text of the running boot, as it arrives. */
  const live = ref('')
  /** Boot with gdb (the top bar's "gdb" option): the boot waits for gdb at its first instruction. */
  const withGdb = ref(false)
  /** The port the gdb stub listens on (the option's port field); 0: a free port, said in `gdb` once it listens. */
  const gdbPort = ref(0)
  /** The running boot's gdb stub: its address to copy, and whether gdb still drives the boot. */
  const gdb = ref<BootGdbStatus>()

  /** The last build's diagnostics, every one (a failed Boot's build included). */
  const buildProblems = shallowRef<Diagnostic[]>([])
  /** Why the last boot could not start (other than its build failing: those are in buildProblems). */
  const startProblem = shallowRef<ApiError>()
  /** Why the open recording stopped, when it failed, and where the source says so. */
  const recordingProblems = shallowRef<Problem[]>([])

  const problems = computed<Problem[]>(() => [...buildProblems.value, ...(startProblem.value ? [startProblem.value] : []), ...recordingProblems.value])

  api.on('boot.progress', (p) => {
    if (p.runId === runId.value) progress.value = p
  })
  api.on('boot.gdb', (g) => {
    if (g.runId === runId.value) gdb.value = g
  })
  api.on('boot.output', (o) => {
    if (o.runId === runId.value) live.value += o.text
  })
  // Boot builds first: the build command's output (bootscope.json) shows in the live console.
  api.on('build.output', ({ text }) => {
    if (running.value && !runId.value) live.value += text
  })
  api.on('build.finished', ({ diagnostics }) => {
    buildProblems.value = diagnostics
  })
  api.on('boot.finished', async (o) => {
    if (o.runId !== runId.value) return
    outcome.value = o
    running.value = false
    gdb.value = undefined
    // The run failed to go on (its gdb port taken, …): no kernel stop explains that, Problems does.
    if (o.stop.reason === 'error') startProblem.value = { code: 'boot.error', message: o.stop.message, ...(o.stop.hint ? { hint: o.stop.hint } : {}) }
    await useRecordingsStore().load()
    await useReplayStore().open(o.recording)
  })

  const replay = useReplayStore()
  watch(
    () => replay.overview,
    (o) => void explainStop(o),
  )

  /** The open recording's stop as Problems: the host's source line when this run just recorded it, else the recording's line table. */
  async function explainStop(o: RecordingOverview | undefined): Promise<void> {
    const stop = o ? lastStopOf(o.events) : undefined
    if (!o || !stop || stopTone(stop.data, useLabStore().current?.successExitCode) !== 'failure') {
      recordingProblems.value = []
      return
    }
    const map = sourceMapOf(o)
    const fromRun = outcome.value?.recording === o.path ? outcome.value.stop.loc : undefined
    const loc = fromRun ?? (stop.pc ? map.locate(BigInt(stop.pc)) : undefined)
    // The function it stopped in, from the kernel's DWARF: "… (in `kernel_main`)".
    const fn = stop.pc ? replay.places?.at(stop.pc)?.function : undefined
    const message = fn ? `${stop.data.message} (in \`${fn}\`)` : stop.data.message
    const first: Problem = { code: `boot.${stop.data.reason}`, message, ...(stop.data.hint ? { hint: stop.data.hint } : {}), ...(loc ? { loc } : {}) }
    recordingProblems.value = [first]
    // A fetch that faulted on a missing page-table entry: also the line that should have built it.
    const trap = [...o.events].reverse().find((e): e is TraceEvent<'trap'> => e.kind === 'trap' && e.step <= stop.step)
    if (!trap || Number(trap.data.cause) !== 12 || !o.sourceLines.length) return
    const r = await api.invoke('recording.state', { path: o.path, step: stop.step, translate: trap.data.tval })
    if (!r.ok || replay.overview?.path !== o.path) return
    const missing = missingEntrySource(r.value.translation, map)
    if (!missing) return
    recordingProblems.value = [
      first,
      {
        code: 'boot.missing_pte',
        message: `the level-${missing.step.level} page-table entry that should map ${trap.data.tval} (index ${missing.step.vpn} at ${missing.step.pteAddr}) comes from here, and it is not valid`,
        hint: 'make this entry a valid leaf (V R W X) that maps the address, or a pointer to the next-level table',
        loc: missing.loc,
      },
    ]
  }

  /**
   * Starts a boot: the workspace's build (Boot, Ctrl+Enter), or `options` (an ELF the user chose,
   * with its firmware and budget). Returns the error when it could not start; a build's errors
   * go to Problems (every one), where their lines are linked.
   */
  async function boot(options: BootOptions = { kernel: { kind: 'build' }, bios: 'builtin' }): Promise<ApiError | undefined> {
    if (running.value) return undefined
    startProblem.value = undefined
    outcome.value = undefined
    progress.value = undefined
    gdb.value = undefined
    if (withGdb.value && !options.gdb) options = { ...options, gdb: { port: gdbPort.value } }
    live.value = ''
    useBuildStore().cancelled = false
    await useWorkspaceStore().saveAll()
    // The inspectors show only the recording being made or opened: the previous one closes.
    replay.close()
    running.value = true
    runId.value = undefined
    const r = await api.invoke('boot.start', options)
    if (!r.ok) {
      // A failed build already put every diagnostic in Problems; its summary would only repeat one.
      if (options.kernel?.kind !== 'file' && r.error.code !== 'build.failed') startProblem.value = r.error
      running.value = false
      return r.error
    }
    runId.value = r.value.runId
    return undefined
  }

  /** Cancels the boot; while it is still building (no run yet), the build. */
  async function cancel(): Promise<void> {
    if (runId.value) await api.invoke('boot.cancel', { runId: runId.value })
    else if (running.value) await useBuildStore().cancel()
  }

  async function type(text: string): Promise<void> {
    if (runId.value && running.value) await api.invoke('boot.input', { runId: runId.value, text })
  }

  /** Another workspace opened: the old one's build diagnostics and start error do not belong to it. */
  function forgetWorkspace(): void {
    buildProblems.value = []
    startProblem.value = undefined
    outcome.value = undefined
    live.value = ''
  }

  return { running, runId, progress, outcome, problems, live, withGdb, gdbPort, gdb, boot, cancel, type, forgetWorkspace }
})
