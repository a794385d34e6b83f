/**
 * The fuzz suite's runner (issue 10, "Done when"): runs a parser on generated inputs with a
 * count AND a time budget, and a per-input hang watchdog, then prints the counts.
 *
 * - At least `min` inputs always run (the issue asks ≥ 10 000 per parser), at most `max`; between
 *   the two the run stops when `budgetMs` is spent, so CI on a slow machine still does the minimum
 *   and a fast one does more. No verdict depends on wall time except the hang watchdog.
 * - Inputs are a pure function of their index (`input(i)`), so a failure names an input that can
 *   be regenerated, printed and kept as a fixture.
 * - A synchronous parser cannot be interrupted from its own thread, so `fuzzInWorker` runs the
 *   target in a worker thread that publishes the index it is on in shared memory; the test's
 *   thread watches it, and an input that runs past `hangMs` (5 s) terminates the worker and is
 *   reported as a hang. `fuzzAsync` is for targets that wait on I/O (a server): each input gets
 *   the same deadline with a timer.
 * - A target returns `undefined` for a good outcome or a sentence saying what is wrong (an error
 *   without a location, a message carrying a stack trace); a throw is a crash.
 */
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'

/** A hang, not a speed goal: every input should finish in far less. */
export const HANG_MS = 5000

export interface FuzzTarget<I> {
  /** The i-th generated input (deterministic). */
  input(i: number): I
  /** Runs one input: undefined when the outcome is acceptable, else what is wrong with it. */
  run(input: I): string | undefined | Promise<string | undefined>
  /** The input as text for a report (default: JSON, cut to 400 characters). */
  show?(input: I): string
}

export interface FuzzBudget {
  /** Inputs that always run. */
  min: number
  /** Inputs at most. */
  max: number
  /** Past `min`, the run stops once this much time is spent. */
  budgetMs: number
  hangMs?: number
}

export interface FuzzFailure {
  index: number
  kind: 'crash' | 'hang' | 'bad outcome'
  message: string
  input: string
}

export interface FuzzReport {
  name: string
  count: number
  millis: number
  /** Failures, at most 5 (the run stops at the fifth). */
  failures: FuzzFailure[]
  /** Counters the target kept (e.g. how many inputs produced an object). */
  tally: Record<string, number>
}

const MAX_FAILURES = 5

function showInput<I>(target: FuzzTarget<I>, input: I): string {
  const s = target.show ? target.show(input) : JSON.stringify(input)
  return s.length > 400 ? `${s.slice(0, 400)}… (${s.length} characters)` : s
}

/** Prints the counts, as CI's log should show them. */
export function printReport(r: FuzzReport): void {
  const tally = Object.entries(r.tally)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  const rate = r.millis > 0 ? Math.round((r.count / r.millis) * 1000) : r.count
  console.log(`fuzz ${r.name}: ${r.count} inputs in ${(r.millis / 1000).toFixed(1)} s (${rate}/s)${tally ? `; ${tally}` : ''}; ${r.failures.length} failures`)
  for (const f of r.failures) console.log(`  #${f.index} ${f.kind}: ${f.message}\n    input: ${f.input}`)
}

/** A counter a target can bump from `run` (kept per run, reported with the counts). */
export type Tally = (key: string) => void

/**
 * Runs `target` in-process with a deadline per input (for targets that wait on I/O, where the
 * event loop stays free to notice a hang), `concurrency` inputs at a time.
 */
export async function fuzzAsync<I>(
  name: string,
  target: FuzzTarget<I> & { tally?: Record<string, number> },
  budget: FuzzBudget & { concurrency?: number },
): Promise<FuzzReport> {
  const hangMs = budget.hangMs ?? HANG_MS
  const failures: FuzzFailure[] = []
  const t0 = performance.now()
  let nextIndex = 0
  let count = 0
  const one = async (i: number) => {
    const input = target.input(i)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), hangMs)))
    try {
      const outcome = await Promise.race([Promise.resolve(target.run(input)), deadline])
      if (outcome === 'hang') failures.push({ index: i, kind: 'hang', message: `no outcome within ${hangMs} ms`, input: showInput(target, input) })
      else if (outcome !== undefined) failures.push({ index: i, kind: 'bad outcome', message: outcome, input: showInput(target, input) })
    } catch (e) {
      failures.push({ index: i, kind: 'crash', message: (e as Error).stack ?? String(e), input: showInput(target, input) })
    } finally {
      clearTimeout(timer)
    }
    count++
  }
  const lane = async () => {
    for (;;) {
      const i = nextIndex
      if (i >= budget.max || failures.length >= MAX_FAILURES) return
      if (i >= budget.min && performance.now() - t0 > budget.budgetMs) return
      nextIndex++
      await one(i)
    }
  }
  await Promise.all(Array.from({ length: budget.concurrency ?? 1 }, lane))
  failures.sort((a, b) => a.index - b.index)
  const report = { name, count, millis: performance.now() - t0, failures, tally: { ...(target.tally ?? {}) } }
  printReport(report)
  return report
}

const WORKER = fileURLToPath(new URL('./fuzz-worker.mjs', import.meta.url))

/** What the worker posts. */
type WorkerMessage =
  | { type: 'failure'; index: number; kind: 'crash' | 'bad outcome'; message: string; input: string }
  | { type: 'done'; count: number; tally: Record<string, number> }
  | { type: 'error'; message: string }

/**
 * Runs the target exported as `exportName` by the module at `moduleUrl` (a .ts file; the worker
 * loads it with tsx) in a worker thread, watched for hangs as described at the top.
 */
export async function fuzzInWorker(name: string, moduleUrl: URL, exportName: string, budget: FuzzBudget): Promise<FuzzReport> {
  const hangMs = budget.hangMs ?? HANG_MS
  // [0]: the index being run, [1]: 1 while an input runs, 0 between inputs.
  const progress = new Int32Array(new SharedArrayBuffer(8))
  const worker = new Worker(WORKER, {
    workerData: { moduleUrl: moduleUrl.href, exportName, min: budget.min, max: budget.max, budgetMs: budget.budgetMs, maxFailures: MAX_FAILURES, progress },
    // The worker's heap is its own; a parser that balloons is a crash, not the test process's death.
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  })
  const failures: FuzzFailure[] = []
  const t0 = performance.now()
  const report = await new Promise<FuzzReport>((resolve, reject) => {
    let lastIndex = -1
    let since = performance.now()
    const watch = setInterval(() => {
      const index = Atomics.load(progress, 0)
      const running = Atomics.load(progress, 1) === 1
      if (index !== lastIndex || !running) {
        lastIndex = index
        since = performance.now()
        return
      }
      if (performance.now() - since < hangMs) return
      clearInterval(watch)
      void worker.terminate()
      void (async () => {
        // Regenerate the input in this thread to show it (inputs are a function of their index).
        let input = `(input #${index})`
        try {
          const mod = (await import(moduleUrl.href)) as Record<string, FuzzTarget<unknown>>
          input = showInput(mod[exportName], mod[exportName].input(index))
        } catch {
          // keep the index only
        }
        failures.push({ index, kind: 'hang', message: `still running after ${hangMs} ms; the worker was terminated`, input })
        resolve({ name, count: index, millis: performance.now() - t0, failures, tally: {} })
      })()
    }, 100)
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'failure') failures.push({ index: m.index, kind: m.kind, message: m.message, input: m.input })
      else if (m.type === 'done') {
        clearInterval(watch)
        resolve({ name, count: m.count, millis: performance.now() - t0, failures, tally: m.tally })
      } else {
        clearInterval(watch)
        reject(new Error(`the fuzz worker for ${name} failed: ${m.message}`))
      }
    })
    worker.on('error', (e) => {
      clearInterval(watch)
      // A crash that took the worker down (out of memory, a stack overflow outside a try).
      failures.push({ index: Atomics.load(progress, 0), kind: 'crash', message: e.stack ?? String(e), input: `(input #${Atomics.load(progress, 0)})` })
      resolve({ name, count: Atomics.load(progress, 0), millis: performance.now() - t0, failures, tally: {} })
    })
  })
  await worker.terminate()
  printReport(report)
  return report
}

/** xorshift32: the suite's deterministic generator. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    return (x >>>= 0)
  }
}

/** A generator seeded from an input's index (and a per-target salt): input i is the same every run. */
export const rngFor = (salt: number, i: number) => rng(Math.imul(i + 1, 0x9e3779b1) ^ salt)

/** A stack trace's frame line (`at f (file.ts:12:3)`) or an engine error's name leaking into a message. */
const STACK_LIKE = /\n\s*at |\bat .*\(.*:\d+:\d+\)|\b(TypeError|RangeError|ReferenceError|SyntaxError): /

/**
 * What is wrong with an error a user would read, or undefined: it must be one line, carry no
 * stack trace or engine error, not be one of our `*.internal` "this is a Bootscope bug" errors,
 * and a location it has must be 1-based.
 */
export function errorProblem(e: { code: string; message: string; loc?: { line: number; column: number } }): string | undefined {
  if (e.code.endsWith('.internal') || e.code === 'internal') return `internal error ${e.code}: ${e.message}`
  if (e.message.includes('\n')) return `a message of more than one line (${e.code}): ${JSON.stringify(e.message.slice(0, 200))}`
  if (STACK_LIKE.test(e.message)) return `a stack trace or engine error in the message (${e.code}): ${e.message.slice(0, 200)}`
  if (e.loc && (!(e.loc.line >= 1) || !(e.loc.column >= 1))) return `a location that is not 1-based (${e.code}): ${JSON.stringify(e.loc)}`
  return undefined
}

/** Mutates text at random: deletions, insertions of `tokens` or raw characters, duplicated and dropped lines, changed numbers. */
export function mutateLines(lines: string[], next: () => number, tokens: readonly string[], edits: number): string[] {
  const out = lines.length ? [...lines] : ['']
  for (let k = 0; k < edits; k++) {
    const li = next() % out.length
    const line = out[li]
    const pos = line.length ? next() % line.length : 0
    switch (next() % 7) {
      case 0:
        out[li] = line.slice(0, pos) + line.slice(pos + 1 + (next() % 4))
        break
      case 1:
        out[li] = line.slice(0, pos) + tokens[next() % tokens.length] + line.slice(pos)
        break
      case 2:
        out[li] = line.slice(0, pos) + String.fromCharCode(next() % 128) + line.slice(pos)
        break
      case 3:
        out.splice(li, 1, line, line)
        break
      case 4:
        out.splice(li, 1)
        if (!out.length) out.push('')
        break
      case 5:
        out[li] = line.replace(/[0-9]+/, String(next() % 3 ? next() % 3000 : next()))
        break
      default:
        out[li] = tokens[next() % tokens.length] + ' ' + tokens[next() % tokens.length]
    }
  }
  return out
}

/** Text of up to `max` characters: printable ASCII with `tokens` mixed in. */
export function tokenSoup(next: () => number, tokens: readonly string[], max: number): string {
  const len = next() % max
  let s = ''
  for (let i = 0; i < len; i++) s += next() % 5 === 0 ? tokens[next() % tokens.length] : String.fromCharCode(32 + (next() % 95))
  return s
}
