/**
 * The worker thread of test/support/fuzz.ts's `fuzzInWorker`: loads a fuzz target (a TypeScript
 * module, through tsx) and runs its inputs, publishing the index it is on in shared memory so the
 * test's thread can see a hang and terminate it. Plain JavaScript: it is loaded by Node itself,
 * outside vitest's transform.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

const { moduleUrl, exportName, min, max, budgetMs, maxFailures, progress } = workerData

function show(target, input) {
  const s = target.show ? target.show(input) : JSON.stringify(input)
  return s.length > 400 ? `${s.slice(0, 400)}… (${s.length} characters)` : s
}

try {
  const mod = await tsImport(moduleUrl, import.meta.url)
  const target = mod[exportName]
  if (!target) throw new Error(`${moduleUrl} exports no '${exportName}'`)
  const t0 = performance.now()
  let failures = 0
  let count = 0
  for (let i = 0; i < max && failures < maxFailures; i++) {
    if (i >= min && performance.now() - t0 > budgetMs) break
    const input = target.input(i)
    Atomics.store(progress, 0, i)
    Atomics.store(progress, 1, 1)
    try {
      const outcome = await target.run(input)
      if (outcome !== undefined) {
        failures++
        parentPort.postMessage({ type: 'failure', index: i, kind: 'bad outcome', message: outcome, input: show(target, input) })
      }
    } catch (e) {
      failures++
      parentPort.postMessage({ type: 'failure', index: i, kind: 'crash', message: e?.stack ?? String(e), input: show(target, input) })
    }
    Atomics.store(progress, 1, 0)
    count++
  }
  parentPort.postMessage({ type: 'done', count, tally: { ...(target.tally ?? {}) } })
} catch (e) {
  parentPort.postMessage({ type: 'error', message: e?.stack ?? String(e) })
}
