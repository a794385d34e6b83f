/**
 * The GDB stub's continue and reverse-continue on a 100 M-step recording (issue 16: "`bootscope
 * gdb` answers a `reverse-continue` to a watchpoint on a 100 M-step recording within a second").
 * The kernel (debug-kernels.ts) writes `flag` once at its start and then loops; what is measured,
 * through the stub's `Execution` on a replay session, and the peer: gdb-stops.ts.
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
    return await stubSpeeds(target, steps, { flag: sym('flag'), flagLength: 8, afterFlagStore: sym('flag_store') + 4n, trapEntry: sym('trap_entry') })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
