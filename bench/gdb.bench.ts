/**
 * The GDB stub's continue and reverse-continue on a 100 M-step recording (issue 16: "`bootscope
 * gdb` answers a `reverse-continue` to a watchpoint on a 100 M-step recording within a second").
 * The kernel (debug-kernels.ts) writes `flag` once at its start and then loops; from the end of
 * the recording the stub goes back to that store (a write watchpoint), to the last trap handler
 * entry (a breakpoint), and forward from step 0 to the trap handler. Measured through the stub's
 * `Execution` on a replay session whose first pass has run (as `bootscope gdb` does once gdb goes
 * to the end). The peer is the stub stepping one instruction at a time (what it did before the hart
 * checked the stops), measured over a stretch and given as steps per second.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../src/main/toolchain/build'
import { parseElf } from '../test/support/build-program'
import { Recorder } from '../src/main/trace/recorder'
import { ReplaySession } from '../src/main/trace/replay'
import { RiscvReplayTarget } from '../src/main/gdb/riscv64/replay-target'
import { Execution, type StopSet } from '../src/main/gdb/execution'
import type { DebugTarget } from '../src/main/gdb/debug-target'
import type { BenchResult } from './bench-types'
import { debugLoopKernel, DEBUG_LOOP_STEPS_PER_ITERATION } from './debug-kernels'

const STEPS = 100_000_000
const TRAP_EVERY = 1 << 20
const STEPPING_MS = 3000

const SCRIPT = `OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS { . = 0x80000000; .text : { *(.text.init) *(.text .text.*) } . = ALIGN(4096); .data : { *(.data .data.*) } }
`

export default async function gdbBench(): Promise<BenchResult[]> {
  const r = build({ files: [{ path: 'loop.S', text: debugLoopKernel(Math.ceil(STEPS / DEBUG_LOOP_STEPS_PER_ITERATION), TRAP_EVERY) }, { path: 'loop.ld', text: SCRIPT }], script: 'loop.ld' })
  if (!r.ok || !r.elf) throw new Error(`build failed: ${r.diagnostics.map((d) => d.message).join('; ')}`)
  const prog = parseElf(r.elf)
  const sym = (n: string) => prog.symbols.get(n)!
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bench-gdb-'))
  try {
    const path = join(dir, 'loop.sqlite')
    const rec = await Recorder.start({ recordingPath: path, kernel: { file: 'loop.elf', bytes: r.elf }, bios: 'none', writtenBy: 'bench', maxSteps: 2 * STEPS })
    if (!rec.ok) throw new Error(rec.error.message)
    const done = await rec.value.run()
    const steps = BigInt(done.steps)

    const opened = await ReplaySession.open(path)
    if (!opened.ok) throw new Error(opened.error.message)
    const target = new RiscvReplayTarget(opened.value, path)
    let t0 = performance.now()
    await target.seek(steps) // the first pass: checkpoints every million steps
    const firstPassMs = performance.now() - t0

    const stops: StopSet = { software: new Set(), hardware: new Set(), watches: [] }
    const exec = new Execution(target, stops)
    const timed = async (what: string, run: () => Promise<unknown>, check: () => boolean) => {
      t0 = performance.now()
      await run()
      const ms = performance.now() - t0
      if (!check()) throw new Error(`${what}: stopped at step ${target.step}, pc 0x${target.pc().toString(16)}`)
      return ms
    }

    stops.watches.push({ va: sym('flag'), pa: sym('flag'), length: 8, kind: 'write' })
    const watchMs = await timed('reverse-continue to the watchpoint', () => exec.continueBackward(), () => target.pc() === sym('flag_store') + 4n)

    stops.watches.length = 0
    await target.seek(steps)
    stops.software.add(sym('trap_entry'))
    const backBpMs = await timed('reverse-continue to the breakpoint', () => exec.continueBackward(), () => target.pc() === sym('trap_entry'))
    const backBpDistance = Number(steps - target.step)

    await target.seek(0n)
    const fwdBpMs = await timed('continue to the breakpoint', () => exec.continueForward(), () => target.pc() === sym('trap_entry'))
    const fwdBpDistance = Number(target.step)

    // The peer: the same stub stepping one instruction at a time (no stop for millions of steps),
    // interrupted after STEPPING_MS as Ctrl-C would.
    const slow = Object.create(target, { runToStop: { value: undefined } }) as DebugTarget
    await target.seek(1000n)
    const stepping = new Execution(slow, stops)
    t0 = performance.now()
    const timer = setTimeout(() => (stepping.interrupted = true), STEPPING_MS)
    const why = await stepping.continueForward()
    clearTimeout(timer)
    if (why.kind !== 'interrupted') throw new Error(`stepping stopped: ${why.kind}`)
    const steppingRate = Number(target.step - 1000n) / ((performance.now() - t0) / 1000)
    const rate = (distance: number, ms: number) => distance / (ms / 1000)
    return [
      { name: `recording: ${steps} steps, first replay pass`, value: firstPassMs, unit: 'ms' },
      {
        name: `reverse-continue to a write watchpoint ${steps} steps back`,
        value: watchMs,
        unit: 'ms',
        goal: '≤ 1000 ms on a 100 M-step recording',
        met: watchMs <= 1000,
      },
      {
        name: `reverse-continue to a breakpoint (${backBpDistance} steps back)`,
        value: rate(backBpDistance, backBpMs),
        unit: 'steps/s',
        peer: { name: 'stepping (before)', value: steppingRate },
      },
      {
        name: `continue to a breakpoint (${fwdBpDistance} steps on)`,
        value: rate(fwdBpDistance, fwdBpMs),
        unit: 'steps/s',
        peer: { name: 'stepping (before)', value: steppingRate },
      },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
