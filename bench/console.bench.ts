/**
 * A guest that prints in a loop (issue 10 item 11): the cost of recording it against booting it
 * unrecorded, in the same run (goal ≤ 1.5×), and the memory the unrecorded boot keeps for its
 * console (bounded: a ring of the last `CONSOLE_RING_BYTES`; the recording keeps the full text).
 * The kernel is the built-in example with its hello line printed `LINES` times through the SBI
 * console, built with our toolchain.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../src/main/toolchain/build'
import { createMachine } from '../src/main/machine/core/create-machine'
import { Recorder } from '../src/main/trace/recorder'
import { EXAMPLE } from '../test/support/build-workspace'
import type { BenchResult } from './bench-types'

const LINES = 300_000

/** The example kernel printing its line LINES times before it shuts down. */
export function printingKernel(lines = LINES): Uint8Array {
  const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8')
    .replace(/^rust_main:\n {4}lla s0, message\n/m, `rust_main:\n    li s1, ${lines}\n0:  lla s0, message\n`)
    .replace(/^2: {2}li a7, 0x53525354/m, '2:  addi s1, s1, -1\n    bnez s1, 0b\n    li a7, 0x53525354')
  if (!main.includes(`li s1, ${lines}`) || !main.includes('bnez s1, 0b')) throw new Error('the example no longer has the shape this bench edits')
  const files = ['entry.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
  const r = build({ files: [...files, { path: 'main.S', text: main }], script: 'linker.ld' })
  if (!r.ok || !r.elf) throw new Error(`build failed: ${r.diagnostics.map((d) => d.message).join('; ')}`)
  return r.elf
}

export default async function consoleBench(): Promise<BenchResult[]> {
  const kernel = { file: 'print.elf', bytes: printingKernel() }
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bench-console-'))
  try {
    let printed = 0
    const plain = await createMachine({ kernel, listener: (e) => void (e.kind === 'uart' && printed++) })
    if (!plain.ok) throw new Error(plain.error.message)
    let t0 = performance.now()
    const stop = await plain.value.run()
    const plainMs = performance.now() - t0
    if (stop.reason !== 'shutdown') throw new Error(`unrecorded boot: ${stop.reason}: ${stop.message}`)
    const kept = plain.value.console.length

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
      { name: `console bytes the unrecorded machine keeps of ${printed} printed`, value: kept, unit: 'bytes' },
      { name: 'recording size of the printing loop', value: statSync(path).size / 1024, unit: 'KiB' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
