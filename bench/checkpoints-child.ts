/**
 * One measured run of the checkpoints bench in its own process, so its peak RSS is its own:
 * `plain KERNEL` boots the kernel unrecorded, `record KERNEL OUT` records it (checkpoints as the
 * recorder writes them by default). Prints one JSON line: wall and CPU milliseconds of the run
 * (the process's start-up and the kernel's loading excluded), steps, peak RSS in MiB.
 * Run by bench/checkpoints.bench.ts as `node --import tsx bench/checkpoints-child.ts …`.
 */
import { readFileSync } from 'node:fs'
import { createMachine } from '../src/main/machine/core/create-machine'
import { Recorder } from '../src/main/trace/recorder'

const MAX_STEPS = 20_000_000_000n

async function main(): Promise<void> {
  const [mode, kernelPath, out] = process.argv.slice(2)
  const kernel = { file: 'long.elf', bytes: new Uint8Array(readFileSync(kernelPath)) }
  let steps: number
  let checkpoints = 0
  let t0: number
  let c0: NodeJS.CpuUsage
  if (mode === 'plain') {
    const created = await createMachine({ kernel, bios: 'none' })
    if (!created.ok) throw new Error(created.error.message)
    t0 = performance.now()
    c0 = process.cpuUsage()
    const stop = await created.value.run({ maxSteps: MAX_STEPS })
    if (stop.reason !== 'shutdown') throw new Error(`the unrecorded boot ended ${stop.reason}: ${stop.message}`)
    steps = Number(created.value.steps)
  } else if (mode === 'record' && out) {
    const started = await Recorder.start({ recordingPath: out, kernel, bios: 'none', writtenBy: 'bench', maxSteps: MAX_STEPS })
    if (!started.ok) throw new Error(started.error.message)
    t0 = performance.now()
    c0 = process.cpuUsage()
    const r = await started.value.run()
    if (r.stop.reason !== 'shutdown') throw new Error(`the recorded boot ended ${r.stop.reason}: ${r.stop.message}`)
    steps = r.steps
    checkpoints = started.value.checkpointCount
  } else throw new Error('usage: checkpoints-child.ts plain KERNEL | record KERNEL OUT')
  const c = process.cpuUsage(c0)
  console.log(JSON.stringify({ ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, steps, checkpoints, rssMiB: process.resourceUsage().maxRSS / 1024 }))
}

await main()
