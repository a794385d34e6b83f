/**
 * Record and replay on a boot of 100 M+ instructions (issue 5's goals): recording time ÷
 * unrecorded time, bytes written per retired instruction, and the latency of moving the replay
 * cursor to random steps — forward from the current position, and anywhere (backward included).
 * The kernel is the built-in example with a 100 M-instruction loop (stores included) before it
 * shuts down, built with our toolchain. Random seeks are measured after the session's first pass
 * (which the app runs when a recording is opened), so checkpoints exist.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../src/main/toolchain/build'
import { Machine } from '../src/main/machine/machine'
import { Recorder } from '../src/main/trace/recorder'
import { ReplaySession } from '../src/main/trace/replay'
import { EXAMPLE } from '../test/support/build-workspace'
import type { BenchResult } from './bench-types'

const LOOP_ITERATIONS = 25_000_000 // × 4 instructions

/** The example kernel, with a counting loop that stores to its stack before `rust_main` prints. */
function longKernel(): Uint8Array {
  const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8').replace(
    /^rust_main:\n/m,
    `rust_main:\n    li t2, ${LOOP_ITERATIONS}\n1:  sd t2, -8(sp)\n    addi t2, t2, -1\n    xor t3, t3, t2\n    bnez t2, 1b\n`,
  )
  if (!main.includes(`li t2, ${LOOP_ITERATIONS}`)) throw new Error('the example no longer has a rust_main label')
  const files = ['entry.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
  const r = build({ files: [...files, { path: 'main.S', text: main }], script: 'linker.ld' })
  if (!r.ok || !r.elf) throw new Error(`build failed: ${r.diagnostics.map((d) => d.message).join('; ')}`)
  return r.elf
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

export default async function recordBench(): Promise<BenchResult[]> {
  const kernel = { file: 'long.elf', bytes: longKernel() }
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bench-record-'))
  try {
    const plain = await Machine.create({ kernel })
    if (!plain.ok) throw new Error(plain.error.message)
    let t0 = performance.now()
    const plainStop = await plain.value.run({ maxSteps: 500_000_000 })
    const plainMs = performance.now() - t0
    if (plainStop.reason !== 'shutdown') throw new Error(`unrecorded boot: ${plainStop.reason}: ${plainStop.message}`)

    const path = join(dir, 'long.sqlite')
    const started = await Recorder.start({ recordingPath: path, kernel, writtenBy: 'bench', maxSteps: 500_000_000 })
    if (!started.ok) throw new Error(started.error.message)
    t0 = performance.now()
    const rec = await started.value.run()
    const recMs = performance.now() - t0
    if (rec.stop.reason !== 'shutdown') throw new Error(`recorded boot: ${rec.stop.reason}`)
    const bytes = statSync(path).size
    const steps = rec.steps

    const opened = await ReplaySession.open(path)
    if (!opened.ok) throw new Error(opened.error.message)
    const replay = opened.value
    // The first pass runs the boot once, taking a checkpoint every million steps.
    t0 = performance.now()
    await replay.seek(BigInt(steps))
    const warmMs = performance.now() - t0
    let seed = 12345
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % steps
    const anywhere: number[] = []
    for (let i = 0; i < 20; i++) {
      const s = random()
      t0 = performance.now()
      const r = await replay.stateAt({ step: s })
      anywhere.push(performance.now() - t0)
      if (!r.ok) throw new Error(r.error.message)
    }
    anywhere.sort((a, b) => a - b)
    // Scrubbing: the cursor moves forward a little at a time (what dragging and playing do).
    const forward: number[] = []
    await replay.seek(BigInt(Math.floor(steps / 2)))
    for (let i = 0, s = Math.floor(steps / 2); i < 30; i++, s += 50_000) {
      t0 = performance.now()
      const r = await replay.stateAt({ step: s })
      forward.push(performance.now() - t0)
      if (!r.ok) throw new Error(r.error.message)
    }
    forward.sort((a, b) => a - b)
    const ratio = recMs / plainMs
    const perStep = bytes / steps
    const label = `${(steps / 1e6).toFixed(0)} M instructions`
    return [
      { name: `recording time ÷ unrecorded time (${label}: ${recMs.toFixed(0)} ms vs ${plainMs.toFixed(0)} ms)`, value: ratio, unit: '×', goal: '≤ 1.3', met: ratio <= 1.3 },
      { name: `recording size per retired instruction (${(bytes / 1024).toFixed(0)} KiB)`, value: perStep, unit: 'bytes', goal: '≤ 0.1', met: perStep <= 0.1 },
      { name: 'state at a step, cursor moved 50 k steps forward: median', value: percentile(forward, 0.5), unit: 'ms', goal: '≤ 50 ms', met: percentile(forward, 0.5) <= 50 },
      { name: 'first pass over the recording (replays it once, a checkpoint every 1 M steps)', value: warmMs, unit: 'ms' },
      { name: 'state at a random step (nearest checkpoint + re-execution): median', value: percentile(anywhere, 0.5), unit: 'ms', goal: '≤ 50 ms', met: percentile(anywhere, 0.5) <= 50 },
      { name: 'state at a random step: worst of 20', value: anywhere[anywhere.length - 1], unit: 'ms', goal: '≤ 200 ms', met: anywhere[anywhere.length - 1] <= 200 },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
