/**
 * The main process's handle on the core worker thread: sends typed requests, routes progress
 * and responses by id, forwards cancellation, and — when the worker dies — fails the requests in
 * flight with a `core_crashed` error, reports the crash to listeners and starts a fresh worker.
 * Whatever the dead worker had committed to its SQLite files stays on disk.
 */
import { Worker } from 'node:worker_threads'
import { err, type Result } from '../../shared/api/result'
import type { FromWorker, ToWorker, WorkerData, WorkerMethod, WorkerMethods } from '../worker/protocol'
import { workerEntry } from './paths'

interface Pending {
  resolve: (r: Result<unknown>) => void
  onProgress?: (p: unknown) => void
}

export interface CoreWorkerOptions {
  /** Enables the worker's `debug.*` requests (tests only). */
  allowDebug?: boolean
  /** Called after a crash, once the replacement worker was started. */
  onCrash?: (message: string) => void
}

export class CoreWorker {
  private worker!: Worker
  private ready!: Promise<void>
  private nextId = 1
  private pending = new Map<number, Pending>()
  private disposed = false
  restarts = 0

  constructor(private readonly opts: CoreWorkerOptions = {}) {
    this.spawn()
  }

  private spawn(): void {
    const entry = workerEntry()
    const data: WorkerData = { allowDebug: !!this.opts.allowDebug }
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
      const message = reason ? `the core worker crashed: ${reason}` : `the core worker exited with code ${code}`
      this.failAll(message)
      if (this.disposed) return
      this.restarts++
      this.spawn()
      this.opts.onCrash?.(message)
    })
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'response') {
      const p = this.pending.get(m.id)
      this.pending.delete(m.id)
      p?.resolve(m.result)
    } else if (m.type === 'progress') {
      this.pending.get(m.id)?.onProgress?.(m.progress)
    }
  }

  private failAll(message: string): void {
    const inFlight = [...this.pending.values()]
    this.pending.clear()
    for (const p of inFlight) p.resolve(err('core_crashed', message, { hint: 'The recording so far was kept; try again.' }))
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
      this.pending.set(id, { resolve: resolve as (r: Result<unknown>) => void, onProgress: opts.onProgress })
      opts.signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true })
      this.post({ type: 'request', id, method, args })
    })
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg)
  }

  async dispose(): Promise<void> {
    this.disposed = true
    this.failAll('the core worker was stopped')
    await this.worker.terminate()
  }
}
