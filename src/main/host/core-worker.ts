/**
 * The main process's handle on the core worker thread: sends typed requests, routes progress
 * and responses by id, forwards cancellation, and — when the worker dies — fails the requests in
 * flight with a `core_crashed` error, reports the crash to listeners and starts a fresh worker.
 * Whatever the dead worker had committed to its SQLite files stays on disk.
 *
 * It is also the watchdog: a build or a query that runs past its deadline (`REQUEST_DEADLINE_MS`)
 * is cancelled; if the worker does not answer the cancel (a synchronous loop cannot), the thread
 * is terminated and a fresh one started, and the request fails with `core_timeout`. Boots are not
 * watched: they run as long as their step budget and report progress all along.
 */
import { Worker } from 'node:worker_threads'
import { err, type Result } from '../../shared/api/result'
import type { FromWorker, ToWorker, WorkerData, WorkerMethod, WorkerMethods } from '../worker/protocol'
import { workerEntry } from './paths'
import type { EngineName } from '../../shared/api/core'

/** How long shutting down waits for running boots to finish their recordings. */
const INTERRUPT_GRACE_MS = 2000

interface Pending {
  resolve: (r: Result<unknown>) => void
  onProgress?: (p: unknown) => void
  timers: ReturnType<typeof setTimeout>[]
}

/**
 * How long a request may take before the watchdog cancels it. Generous next to what they take
 * (a 50 000-line build ≈ 0.2 s, a state query ≈ 3 ms, a first overview of 100 M steps ≈ 0.5 s):
 * reaching one means the input found a path with no bound, and the worker must not stay stuck.
 */
export const REQUEST_DEADLINE_MS: Partial<Record<WorkerMethod, number>> = {
  'core.info': 10_000,
  'recordings.list': 60_000,
  'recordings.create': 10_000,
  'recording.overview': 120_000,
  'recording.events': 60_000,
  'recording.state': 60_000,
  'recording.find': 120_000,
  'boot.input': 10_000,
  'build.run': 30_000,
}
/** After a deadline's cancel, how long the worker has to answer before it is terminated. */
export const CANCEL_GRACE_MS = 1_000

export interface CoreWorkerOptions {
  /** Enables the worker's `debug.*` requests (tests only). */
  allowDebug?: boolean
  /** Called after a crash (or a watchdog restart), once the replacement worker was started. */
  onCrash?: (message: string) => void
  /** Deadlines to use instead of `REQUEST_DEADLINE_MS` (tests). */
  deadlines?: Partial<Record<WorkerMethod, number>>
  /** What this worker is called in messages ('core worker', 'toolchain worker'). */
  name?: string
}

/** The request the watchdog stopped the worker for. */
interface Overrun {
  id: number
  method: WorkerMethod
  ms: number
}

export class CoreWorker {
  private worker!: Worker
  private ready!: Promise<void>
  private nextId = 1
  private pending = new Map<number, Pending>()
  private disposed = false
  private overrun: Overrun | undefined
  restarts = 0
  /** The engine a new worker starts with (the app setting, `setEngine`); undefined: BOOTSCOPE_ENGINE as inherited. */
  private engine: EngineName | undefined

  constructor(private readonly opts: CoreWorkerOptions = {}) {
    this.spawn()
  }

  private spawn(): void {
    const entry = workerEntry()
    const data: WorkerData = { allowDebug: !!this.opts.allowDebug, engine: this.engine }
    // Under tsx/vitest the worker is TypeScript: give it tsx's loader explicitly, since
    // loader hooks registered in this thread do not reach new threads.
    const execArgv = entry.typescript ? [...process.execArgv, '--import', import.meta.resolve('tsx')] : undefined
    const worker = new Worker(entry.url, { workerData: data, execArgv })
    this.worker = worker
    this.ready = new Promise((resolve) => {
      const onReady = (m: FromWorker) => {
        if (m.type === 'ready') {
          worker.off('message', onReady)
          resolve()
        }
      }
      worker.on('message', onReady)
    })
    worker.on('message', (m: FromWorker) => this.onMessage(m))
    let reason = ''
    worker.on('error', (e) => {
      reason = e.message
    })
    worker.on('exit', (code) => {
      if (this.worker !== worker) return
      const name = this.opts.name ?? 'core worker'
      const over = this.overrun
      this.overrun = undefined
      let message = reason ? `the ${name} crashed: ${reason}` : `the ${name} exited with code ${code}`
      if (over) {
        message = `${over.method} ran longer than ${over.ms / 1000} s and did not stop when cancelled: the ${name} was restarted`
        this.settle(over.id, err('core_timeout', `${over.method} took longer than ${over.ms / 1000} s and was stopped`, {
          hint: 'The input probably makes it loop or grow without bound; recordings on disk are kept.',
        }))
      }
      this.failAll(message)
      if (this.disposed) return
      this.restarts++
      this.spawn()
      this.opts.onCrash?.(message)
    })
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'response') {
      this.settle(m.id, m.result)
    } else if (m.type === 'progress') {
      this.pending.get(m.id)?.onProgress?.(m.progress)
    }
  }

  private settle(id: number, result: Result<unknown>): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    for (const t of p.timers) clearTimeout(t)
    p.resolve(result)
  }

  private failAll(message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, err('core_crashed', message, { hint: 'The recording so far was kept; try again.' }))
  }

  /** The watchdog: cancel at the deadline, terminate and restart if the cancel is not answered. */
  private watch(id: number, method: WorkerMethod, pending: Pending): void {
    const ms = this.opts.deadlines?.[method] ?? REQUEST_DEADLINE_MS[method]
    if (ms === undefined) return
    pending.timers.push(
      setTimeout(() => {
        this.post({ type: 'cancel', id })
        pending.timers.push(
          setTimeout(() => {
            if (!this.pending.has(id) || this.overrun || this.disposed) return
            this.overrun = { id, method, ms }
            void this.worker.terminate()
          }, CANCEL_GRACE_MS),
        )
      }, ms),
    )
  }

  /** The engine for this worker's harts from now on, and for any worker started after a crash. */
  setEngine(engine: EngineName): Promise<Result<{ engine: EngineName }>> {
    this.engine = engine
    return this.request('core.setEngine', { engine })
  }

  /** Waits until the current worker has started. */
  whenReady(): Promise<void> {
    return this.ready
  }

  request<M extends WorkerMethod>(
    method: M,
    args: WorkerMethods[M]['args'],
    opts: { onProgress?: (p: unknown) => void; signal?: AbortSignal } = {},
  ): Promise<Result<WorkerMethods[M]['result']>> {
    if (this.disposed) return Promise.resolve(err('core_stopped', 'the core worker was stopped'))
    const id = this.nextId++
    return new Promise((resolve) => {
      const pending: Pending = { resolve: resolve as (r: Result<unknown>) => void, onProgress: opts.onProgress, timers: [] }
      this.pending.set(id, pending)
      // The clock starts when the worker can read the request: its start-up is not the request's time.
      void this.ready.then(() => this.pending.has(id) && this.watch(id, method, pending))
      opts.signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true })
      this.post({ type: 'request', id, method, args })
    })
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg)
  }

  async dispose(): Promise<void> {
    // Boots in progress end their recordings cleanly (outcome `interrupted`) before the thread goes.
    if (!this.disposed) {
      const interrupted = this.request('boot.interruptAll', { why: 'Bootscope is shutting down' })
      await Promise.race([interrupted, new Promise((r) => setTimeout(r, INTERRUPT_GRACE_MS).unref())])
    }
    this.disposed = true
    this.failAll('the core worker was stopped')
    await this.worker.terminate()
  }
}
