/**
 * Hart speed on a compute kernel (bench/hart-kernels.ts: loads, stores, multiplies, shifts,
 * branches, compressed and full-size instructions): guest MIPS for the untraced and the traced
 * build, and QEMU 7.2 (TCG, `-bios none`, exit through the virt test finisher) on the same
 * program as the peer — QEMU's wall time minus its start-up, measured on the same kernel with
 * zero iterations. BOOTSCOPE_HART_WASM=path measures another untraced build. The interpreter's
 * speed: the hart runs with engine 'interpreter' (compiled blocks, the default, are blocks.bench.ts's).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hart } from '../src/main/machine/hart/hart'
import { HartExit } from '../src/main/machine/hart/hart-api'
import { buildProgram, loadProgram, type Program } from '../test/support/build-program'
import { computeKernel } from './hart-kernels'
import type { BenchResult } from './bench-types'

const ITERATIONS = 4_000_000
const QEMU = 'qemu-system-riscv64'
const QEMU_SCALE = 10

function runOurs(prog: Program, trace: boolean): { mips: number; instret: bigint } {
  const hart = new Hart({ ramSize: 16 << 20, trace, engine: 'interpreter' }, trace ? undefined : process.env.BOOTSCOPE_HART_WASM)
  loadProgram(hart, prog)
  hart.haltOnEbreak = true
  const t0 = performance.now()
  for (;;) {
    const exit = hart.run(50_000_000)
    if (exit === HartExit.Halt) break
    if (exit === HartExit.TraceFull) hart.drainTrace()
    else if (exit !== HartExit.StepsDone) throw new Error(`unexpected exit ${exit}`)
  }
  const s = (performance.now() - t0) / 1000
  return { mips: Number(hart.instret) / s / 1e6, instret: hart.instret }
}

function qemuSeconds(elf: Uint8Array): number {
  const dir = mkdtempSync(join(tmpdir(), 'hart-bench-'))
  try {
    const file = join(dir, 'k.elf')
    writeFileSync(file, elf)
    const t0 = performance.now()
    const r = spawnSync(QEMU, ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-kernel', file], { timeout: 120_000 })
    if (r.status !== 0) throw new Error(`QEMU exited with ${r.status}`)
    return (performance.now() - t0) / 1000
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export default async function (): Promise<BenchResult[]> {
  const prog = await buildProgram(computeKernel(ITERATIONS, false))
  runOurs(await buildProgram(computeKernel(200_000, false)), false) // warm the wasm tiers
  const untraced = runOurs(prog, false)
  const traced = runOurs(prog, true)
  let peer: { name: string; value: number } | undefined
  if (spawnSync(QEMU, ['--version']).status === 0) {
    // QEMU's JIT is fast enough that the same run would drown in its start-up noise: give it
    // QEMU_SCALE times the iterations and count its instructions from our per-iteration count.
    const one = runOurs(await buildProgram(computeKernel(1, false)), false).instret
    const perIteration = Number(untraced.instret - one) / (ITERATIONS - 1)
    const qemuInstructions = perIteration * ITERATIONS * QEMU_SCALE + Number(one)
    const full = await buildProgram(computeKernel(ITERATIONS * QEMU_SCALE, true))
    const empty = await buildProgram(computeKernel(1, true))
    const startup = Math.min(qemuSeconds(empty.elf), qemuSeconds(empty.elf), qemuSeconds(empty.elf))
    const total = qemuSeconds(full.elf)
    peer = { name: 'QEMU 7.2 TCG', value: qemuInstructions / Math.max(total - startup, 1e-3) / 1e6 }
  }
  return [
    { name: 'compute kernel, untraced', value: untraced.mips, unit: 'MIPS', peer, goal: '≥ 150 MIPS', met: untraced.mips >= 150 },
    { name: 'compute kernel, traced build', value: traced.mips, unit: 'MIPS', peer, goal: 'hooks ≤ 30 % slower than untraced', met: traced.mips >= 0.7 * untraced.mips },
    { name: 'traced / untraced', value: traced.mips / untraced.mips, unit: '×', goal: '≥ 0.7' },
  ]
}
