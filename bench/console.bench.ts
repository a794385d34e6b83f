/**
 * A guest that prints in a loop (issue 10 item 11): the cost of recording it against booting it
 * unrecorded, in the same run (goal ≤ 1.5×), and the memory the unrecorded boot keeps for its
 * console (bounded: a ring of the last `CONSOLE_RING_BYTES`; the recording keeps the full text).
 * The kernel is the built-in example with its hello line printed `LINES` times through the SBI
 * console (test/support/printing-kernel.ts).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMachine } from '../src/main/machine/core/create-machine'
import { Recorder } from '../src/main/trace/recorder'
import { CONSOLE_RING_BYTES } from '../src/main/machine/core/console-ring'
import { printingKernel } from '../test/support/printing-kernel'
import type { BenchResult } from './bench-types'

const LINES = Number(process.env.BENCH_CONSOLE_LINES ?? 300_000)

export default async function consoleBench(): Promise<BenchResult[]> {
  const kernel = { file: 'print.elf', bytes: printingKernel(LINES) }
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bench-console-'))
  try {
    let printed = 0
    const plain = await createMachine({ kernel, listener: (e) => void (e.kind === 'uart' && printed++) })
    if (!plain.ok) throw new Error(plain.error.message)
    let t0 = performance.now()
    const stop = await plain.value.run()
    const plainMs = performance.now() - t0
    if (stop.reason !== 'shutdown') throw new Error(`unrecorded boot: ${stop.reason}: ${stop.message}`)
    const kept = plain.value.console.length - plain.value.console.start

    const path = join(dir, 'print.sqlite')
    const started = await Recorder.start({ recordingPath: path, kernel, writtenBy: 'bench' })
    if (!started.ok) throw new Error(started.error.message)
    t0 = performance.now()
    const rec = await started.value.run()
    const recMs = performance.now() - t0
    if (rec.stop.reason !== 'shutdown') throw new Error(`recorded boot: ${rec.stop.reason}`)
    const ratio = recMs / plainMs
    const label = `${(rec.steps / 1e6).toFixed(0)} M steps, ${(printed / 1e6).toFixed(1)} M characters`
    return [
      {
        name: `recording a printing loop ÷ booting it unrecorded (${label}: ${recMs.toFixed(0)} ms vs ${plainMs.toFixed(0)} ms)`,
        value: ratio,
        unit: '×',
        goal: '≤ 1.5',
        met: ratio <= 1.5,
      },
      { name: `console bytes the unrecorded machine keeps of ${printed} printed`, value: kept, unit: 'bytes', goal: `≤ ${CONSOLE_RING_BYTES}`, met: kept <= CONSOLE_RING_BYTES },
      { name: 'recording size of the printing loop', value: statSync(path).size / 1024, unit: 'KiB' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
