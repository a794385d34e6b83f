/**
 * The GDB stub's continue and reverse-continue on a 100 M-step recording (issue 16: "`bootscope
 * gdb` answers a `reverse-continue` to a watchpoint on a 100 M-step recording within a second").
 * The kernel (debug-kernels.ts) writes `flag` once at its start and then loops; what is measured,
 * through the stub's `Execution` on a replay session, and the peer: gdb-stops.ts. Also the history
 * search on the same recording with compiled blocks against the interpreter (`findRows`: the
 * hart's debug stops armed, issue 17's "replay, seek, find … use the same engine").
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../src/main/toolchain/build'
import { parseElf } from '../test/support/build-program'
import { Recorder } from '../src/main/trace/recorder'
import { ReplaySession } from '../src/main/trace/replay'
import { RiscvReplayTarget } from '../src/main/gdb/riscv64/replay-target'
import type { BenchResult } from './bench-types'
import { withEngineEnv } from './engine-env'
import type { HartEngine } from '../src/main/machine/hart/hart-api'
import type { FindQuery } from '../src/shared/api/replay'
import { debugLoopKernel, DEBUG_LOOP_STEPS_PER_ITERATION } from './debug-kernels'
import { stubSpeeds } from './gdb-stops'

const STEPS = 100_000_000
const TRAP_EVERY = 1 << 20

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
    const rows = await stubSpeeds(target, steps, { flag: sym('flag'), flagLength: 8, afterFlagStore: sym('flag_store') + 4n, trapEntry: sym('trap_entry') })
    return [...rows, ...(await findRows(path, steps, sym))]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const hex = (v: bigint) => `0x${v.toString(16)}`

/**
 * `recording.find` (what `bootscope find` and the timeline's hit ▶ / ◀ hit run) on the recording,
 * in a warm session of each engine, CPU time: a PC only reached at the start, searched backward from
 * the end (every interval replayed with the breakpoint armed), the next trap by PC and the next change
 * of `traps` (a write watch), each from a step in the middle. Both engines must find the same steps.
 */
async function findRows(path: string, steps: bigint, sym: (n: string) => bigint): Promise<BenchResult[]> {
  const mid = Number(steps / 2n) + 12_345
  const queries: Array<[string, Omit<FindQuery, 'path'>]> = [
    [`find --pc flag_store --back from the end (${(Number(steps) / 1e6).toFixed(0)} M steps)`, { from: Number(steps), direction: 'backward', target: { pc: hex(sym('flag_store')) }, limit: Number(steps) }],
    ['find --pc trap_entry from the middle', { from: mid, direction: 'forward', target: { pc: hex(sym('trap_entry')) }, limit: Number(steps) }],
    ['find --change traps from the middle', { from: mid, direction: 'forward', target: { change: { address: hex(sym('traps')), length: 8, physical: true } }, limit: Number(steps) }],
  ]
  const run = (engine: HartEngine) => withEngineEnv(engine, async () => {
    const s = await ReplaySession.open(path)
    if (!s.ok) throw new Error(s.error.message)
    await s.value.stateAt({ step: Number(steps) }) // warm: the first pass has made every checkpoint
    const out: Array<{ cpuMs: number; step: number | null; scanned: number }> = []
    for (const [, q] of queries) {
      const c0 = process.cpuUsage()
      const r = await s.value.find(q)
      const c = process.cpuUsage(c0)
      if (!r.ok) throw new Error(r.error.message)
      out.push({ cpuMs: (c.user + c.system) / 1000, step: r.value.step, scanned: r.value.scanned })
    }
    return out
  })
  const interp = await run('interpreter')
  const blocks = await run('blocks')
  return queries.map(([name], i) => {
    if (blocks[i].step !== interp[i].step || blocks[i].step === null) throw new Error(`${name}: step ${blocks[i].step} with blocks, ${interp[i].step} interpreted`)
    return {
      name: `${name}, compiled blocks, CPU (found step ${blocks[i].step}, ${(blocks[i].scanned / 1e6).toFixed(1)} M steps scanned)`,
      value: blocks[i].cpuMs,
      unit: 'ms CPU',
      peer: { name: 'the same find interpreted', value: interp[i].cpuMs },
    }
  })
}
