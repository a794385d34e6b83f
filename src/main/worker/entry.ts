/**
 * The core worker thread: owns the machine and the trace database. It answers the requests of
 * `protocol.ts` one message at a time; long requests report progress and poll for cancellation.
 * Any exception inside a handler becomes an error value; only a real crash kills the thread, and
 * the main process then reports it and starts a new worker (host/core-worker.ts).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createRecording, readSummary, sqliteVersion } from '../trace/recording-file'
import { SCHEMA_VERSION } from '../trace/schema'
import { recordingOverview } from '../trace/overview'
import { RecordingReader } from '../trace/recording-reader'
import { err, ok, type Result } from '../../shared/api/result'
import type { BootRunProgress, FromWorker, ToWorker, WorkerData, WorkerMethod, WorkerMethods } from './protocol'
import { Recorder } from '../trace/recorder'
import { ReplayCache } from '../trace/replay-cache'
import { build } from '../toolchain/build'
import { hex } from '../../shared/trace/events'
import type { RecordingSummary } from '../../shared/api/boot'
import { checkLab } from './lab-check'
import { defaultEngine } from '../machine/hart/hart'
import { serveLiveBoot } from '../gdb/live-boot'
import { DEFAULT_BOOT_MAX_STEPS } from '../../shared/api/boot'
import type { BootRunArgs } from './protocol'

const port = parentPort
if (!port) throw new Error('worker/entry.ts must run in a worker thread')
const data = (workerData ?? { allowDebug: false }) as WorkerData
// Every hart this thread creates reads its engine from here (hart.ts defaultEngine).
if (data.engine) process.env.BOOTSCOPE_ENGINE = data.engine
const cancelled = new Set<number>()
/** Cancel callbacks of long requests, by request id. */
const onCancel = new Map<number, () => void>()
/** Boots in progress, by run id (for typed input). */
const runs = new Map<string, Recorder>()
/** The end of each boot in progress (its recording finished and in place), by run id. */
const ends = new Map<string, Promise<unknown>>()
const replays = new ReplayCache()
/** Output is batched into one progress message per this many milliseconds. */
const OUTPUT_BATCH_MS = 30

function send(msg: FromWorker): void {
  port!.postMessage(msg)
}

type Handler<M extends WorkerMethod> = (
  args: WorkerMethods[M]['args'],
  ctx: { id: number; progress: (p: unknown) => void; isCancelled: () => boolean; onCancel: (f: () => void) => void },
) => Promise<Result<WorkerMethods[M]['result']>> | Result<WorkerMethods[M]['result']>

const handlers: { [M in WorkerMethod]: Handler<M> } = {
  'core.info': () => ok({ sqliteVersion: sqliteVersion(), schemaVersion: SCHEMA_VERSION, engine: defaultEngine() }),

  'core.setEngine': ({ engine }) => {
    process.env.BOOTSCOPE_ENGINE = engine
    return ok({ engine: defaultEngine() })
  },

  'recordings.list': ({ dir }) => {
    let names: string[]
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.sqlite'))
    } catch {
      return ok([])
    }
    const list: RecordingSummary[] = []
    for (const name of names.sort().reverse()) {
      const s = readSummary(join(dir, name))
      if (s.ok) list.push({ path: name, ...s.summary })
      else list.push({ path: name, createdAt: '', kernel: '', steps: 0, outcome: `unreadable: ${s.message}`, schemaVersion: 0 })
    }
    return ok(list)
  },

  'recordings.create': ({ path, kernel, config }) => {
    const db = createRecording(path, { kernel, config, writtenBy: 'bootscope' })
    db.close()
    return ok({ path })
  },

  'recording.overview': ({ path, displayPath }) => {
    const overview = recordingOverview(path, displayPath)
    // The inspectors will ask for states at any step: take the replay's checkpoints now, in the background.
    if (overview.ok) void replays.warm(path)
    return overview
  },

  'recording.state': async ({ path, ...query }) => {
    return replays.with(path, (session) => session.stateAt(query))
  },

  'recording.find': async ({ path, ...query }) => {
    return replays.with(path, (session) => session.find(query))
  },

  'recording.sourceFiles': ({ path }) => {
    const r = RecordingReader.open(path)
    if (!r.ok) return r
    try {
      return ok([...new Set(r.value.sourceLines().map((l) => l.file))])
    } finally {
      r.value.close()
    }
  },

  'recording.events': ({ path, ...query }) => {
    const r = RecordingReader.open(path)
    if (!r.ok) return r
    try {
      return ok(r.value.events(query))
    } finally {
      r.value.close()
    }
  },

  'build.run': ({ files, script }) => {
    const r = build({ files, script })
    const sourceLines = r.lines.map((l) => ({ address: hex(l.address), size: l.size, file: l.file, line: l.line }))
    return ok({ ok: r.ok, elf: r.elf, layout: r.layout, diagnostics: r.diagnostics, sourceLines })
  },

  'boot.run': async (args, ctx) => {
    const output = new OutputBatcher((step, text) => ctx.progress({ kind: 'output', step, text } satisfies BootRunProgress))
    const started = await Recorder.start({
      recordingPath: args.recordingPath,
      kernel: args.kernel,
      bios: args.bios,
      initrd: args.initrd,
      append: args.append,
      memBytes: args.memBytes,
      maxSteps: args.maxSteps,
      strictTlb: args.strictTlb,
      modules: args.modules,
      sourceLines: args.sourceLines,
      machine: args.machine,
      writtenBy: 'bootscope',
      // The app's console is live: a guest waiting for a key keeps the boot open.
      waitForInput: true,
      onProgress: (p) => ctx.progress({ kind: 'progress', ...p } satisfies BootRunProgress),
      onOutput: (step, text) => output.push(step, text),
    })
    if (!started.ok) return started
    const rec = started.value
    runs.set(args.runId, rec)
    const gdbStop = new AbortController()
    ctx.onCancel(() => {
      gdbStop.abort()
      rec.cancel()
    })
    const running = (async () => {
      if (args.gdb) {
        const served = await serveAppGdb(args, rec, gdbStop.signal, (p) => ctx.progress(p))
        if (!served.ok) {
          rec.cancel()
          await rec.run()
          throw new GdbServeError(served.error.code, served.error.message)
        }
      }
      return rec.run()
    })()
    ends.set(args.runId, running.catch(() => undefined))
    try {
      let r
      try {
        r = await running
      } catch (e) {
        if (e instanceof GdbServeError) return err(e.code, e.message, e.code === 'gdb.listen' ? { hint: 'give another port, or 0 for a free one' } : {})
        throw e
      }
      output.flush()
      return ok({
        recordingPath: r.path,
        steps: r.steps,
        stop: { reason: r.stop.reason, exitCode: r.stop.exitCode, message: r.stop.message, hint: r.stop.hint, pc: hex(r.stop.pc), loc: r.loc },
      })
    } finally {
      runs.delete(args.runId)
      ends.delete(args.runId)
    }
  },

  'boot.interruptAll': async ({ why }) => {
    const ending = [...runs.values()].map((rec) => rec.interrupt(why))
    await Promise.all([...ends.values()])
    return ok({ interrupted: ending.length })
  },

  'boot.input': ({ runId, text }) => {
    const rec = runs.get(runId)
    if (!rec) return err('boot.not_running', 'that boot is not running any more')
    if (underGdb.has(runId)) {
      return err('boot.gdb_input', 'gdb drives this boot: keys cannot be typed while it is attached (going backward re-runs the boot, and typed keys would not come again)', { hint: 'detach gdb (the boot then runs on and takes keys), or boot with --input on the command line' })
    }
    return ok({ queued: rec.sendInput(text) })
  },

  'lab.check': ({ labDir, submissionDir, recordingPath }) => checkLab(labDir, submissionDir, recordingPath),

  'debug.crash': ({ how }) => {
    if (!data.allowDebug) return err('forbidden', 'debug requests are disabled')
    if (how === 'exit') process.exit(3)
    setTimeout(() => {
      throw new Error('deliberate crash (debug.crash)')
    })
    return new Promise(() => {}) // never answers: the thread dies first
  },

  'debug.hang': ({ millis }) => {
    if (!data.allowDebug) return err('forbidden', 'debug requests are disabled')
    const end = Date.now() + millis
    while (Date.now() < end) {
      // busy: no await, so no cancel message can be read
    }
    return ok({ hung: millis })
  },

  'debug.spin': async ({ millis }, ctx) => {
    if (!data.allowDebug) return err('forbidden', 'debug requests are disabled')
    const end = Date.now() + millis
    let iterations = 0
    while (Date.now() < end) {
      iterations++
      ctx.progress({ iterations })
      await new Promise((r) => setTimeout(r, 5))
      if (ctx.isCancelled()) return ok({ iterations, cancelled: true })
    }
    return ok({ iterations, cancelled: false })
  },
}

/** Boots whose gdb stub still drives them (typed keys are refused until gdb detaches). */
const underGdb = new Set<string>()

class GdbServeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * A boot started with `gdb` (the workbench's "gdb" Boot option): the live session gdb drives
 * (live-boot.ts), the recorder following its furthest step; the stub's address and state go to
 * the app as progress. Returns once gdb detached (the recorder then runs on) or the boot was
 * cancelled.
 */
async function serveAppGdb(args: BootRunArgs, rec: Recorder, signal: AbortSignal, progress: (p: BootRunProgress) => void): Promise<Result<void>> {
  let address = ''
  underGdb.add(args.runId)
  try {
    const served = await serveLiveBoot({
      config: { kernel: args.kernel, bios: args.bios, initrd: args.initrd, memBytes: args.memBytes, machine: args.machine, append: args.append, strictTlb: args.strictTlb, modules: args.modules },
      budget: BigInt(args.maxSteps ?? DEFAULT_BOOT_MAX_STEPS),
      port: args.gdb!.port,
      follow: async (frontier) => void (await rec.runTo(frontier)),
      write: () => {},
      log: () => {},
      signal,
      onListening: (a) => {
        address = `${a.host}:${a.port}`
        progress({ kind: 'gdb', address, state: 'listening' })
      },
    })
    if (!served.ok) return served
    progress({ kind: 'gdb', address, state: signal.aborted ? 'closed' : 'detached' })
    return ok(undefined)
  } finally {
    underGdb.delete(args.runId)
  }
}

/** Coalesces console characters into chunks so a chatty guest does not flood the main thread. */
class OutputBatcher {
  private text = ''
  private step = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  constructor(private readonly send: (step: number, text: string) => void) {}
  push(step: number, text: string): void {
    if (!this.text) this.step = step
    this.text += text
    this.timer ??= setTimeout(() => this.flush(), OUTPUT_BATCH_MS)
  }
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.text) this.send(this.step, this.text)
    this.text = ''
  }
}

port.on('message', async (msg: ToWorker) => {
  if (msg.type === 'cancel') {
    cancelled.add(msg.id)
    onCancel.get(msg.id)?.()
    return
  }
  const handler = handlers[msg.method] as Handler<WorkerMethod> | undefined
  if (!handler) {
    send({ type: 'response', id: msg.id, result: err('unknown_method', `the core worker has no method '${msg.method}'`) })
    return
  }
  const ctx = {
    id: msg.id,
    progress: (progress: unknown) => send({ type: 'progress', id: msg.id, progress }),
    isCancelled: () => cancelled.has(msg.id),
    onCancel: (f: () => void) => {
      if (cancelled.has(msg.id)) f()
      else onCancel.set(msg.id, f)
    },
  }
  let result: Result<unknown>
  try {
    result = await handler(msg.args as never, ctx)
  } catch (e) {
    result = err('internal', `core worker failed on ${msg.method}: ${(e as Error).message}`)
  }
  cancelled.delete(msg.id)
  onCancel.delete(msg.id)
  send({ type: 'response', id: msg.id, result })
})

send({ type: 'ready' })
