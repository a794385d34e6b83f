/**
 * The block compiler (issue 17, docs/block-compiler.md) against the interpreter and QEMU 7.2, in
 * CPU and wall time, on the same guest work in one run:
 * - ALU loop (`aluKernel`: 6 register ops per iteration), the compute kernel (loads, stores,
 *   multiplies, branches), a memory loop (read-modify-write sweeps over 4 MiB) bare metal and the
 *   same loop in S-mode under Sv39 — all to the virt test finisher. QEMU runs QEMU_SCALE times the
 *   work (its JIT would finish ours inside its start-up noise); its start-up, measured on the same
 *   program with one iteration, is taken off and its time scaled back.
 * - OpenSBI + U-Boot to the prompt (the autoboot countdown interrupted by a key, as a user does),
 *   and U-Boot's `crc32` of 64 MiB at the prompt (real firmware code, ≈ 1 G instructions).
 * Each row gives the compiled share (instructions retired in compiled code) and the compile cost.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hart } from '../src/main/machine/hart/hart'
import type { HartEngine, HartOptions } from '../src/main/machine/hart/hart-api'
import type { BlockStats } from '../src/main/machine/blocks/block-engine'
import { Machine, type MachineConfig } from '../src/main/machine/machine'
import { buildProgram } from '../test/support/build-program'
import { aluKernel, computeKernel, memoryKernel } from './hart-kernels'
import { CRC32_COMMAND, OPENSBI, UBOOT, ours, qemu, qemuWhole, uBootAtPrompt, type Times } from './long.bench'
import type { BenchResult } from './bench-types'

const QEMU = 'qemu-system-riscv64'
const QEMU_SCALE = 10
const ENGINES: HartEngine[] = ['interpreter', 'blocks']

interface Run {
  times: Times
  steps: number
  stats?: BlockStats
}

/** A machine config whose hart uses `engine`, and a way to read the hart's stats afterwards. */
function withEngine(engine: HartEngine): { config: Partial<MachineConfig>; stats: () => BlockStats | undefined } {
  let hart: Hart | undefined
  const createHart = async (o: HartOptions) => (hart = new Hart({ ...o, engine }))
  return { config: { createHart }, stats: () => hart?.blockStats }
}

/** A bare-metal kernel (-bios none) to its finisher write. */
async function bareMetal(elf: Uint8Array, engine: HartEngine): Promise<Run> {
  const e = withEngine(engine)
  const { result: stop, times } = await ours(async () => {
    const created = await Machine.create({ bios: 'none', kernel: { bytes: elf, file: 'bench.elf' }, ...e.config })
    if (!created.ok) throw new Error(created.error.message)
    return created.value.run({ maxSteps: 100_000_000_000n })
  })
  if (stop.reason !== 'shutdown') throw new Error(`bench kernel did not finish: ${stop.reason}: ${stop.message}`)
  return { times, steps: Number(stop.step), stats: e.stats() }
}

/** QEMU on `scale` times the work minus its start-up, per unit of work. */
async function qemuScaled(full: (finisher: boolean) => string, one: (finisher: boolean) => string, scale: number): Promise<Times | undefined> {
  if (spawnSync(QEMU, ['--version']).status !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'blocks-bench-'))
  try {
    const big = join(dir, 'big.elf')
    const small = join(dir, 'one.elf')
    writeFileSync(big, (await buildProgram(full(true))).elf)
    writeFileSync(small, (await buildProgram(one(true))).elf)
    const startup = [0, 1, 2].map(() => qemuWhole(['-bios', 'none', '-kernel', small]))
    const whole = qemuWhole(['-bios', 'none', '-kernel', big])
    const least = (k: keyof Times) => Math.min(...startup.map((s) => s[k]))
    return { cpuS: Math.max(whole.cpuS - least('cpuS'), 1e-3) / scale, wallS: Math.max(whole.wallS - least('wallS'), 1e-3) / scale }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The rows of one workload: blocks vs QEMU (CPU, wall), interpreter vs QEMU (CPU), and blocks' speed, share and compile cost. */
function rows(name: string, runs: Record<HartEngine, Run>, peer: Times | undefined, peerName: string, goal: { ratio?: number; mips?: number }): BenchResult[] {
  const b = runs.blocks
  const i = runs.interpreter
  const mips = (r: Run) => r.steps / r.times.cpuS / 1e6
  const share = b.stats ? Number(b.stats.compiledSteps) / b.steps : 0
  const peerOf = (k: keyof Times) => (peer ? { name: peerName, value: peer[k] } : undefined)
  const ratioGoal = goal.ratio === undefined ? {} : { goal: `≤ ${goal.ratio}× QEMU`, met: peer ? b.times.cpuS / peer.cpuS <= goal.ratio : undefined }
  const out: BenchResult[] = [
    { name: `${name}: blocks, CPU time`, value: b.times.cpuS, unit: 's', peer: peerOf('cpuS'), ...ratioGoal },
    { name: `${name}: blocks, wall time`, value: b.times.wallS, unit: 's', peer: peerOf('wallS') },
    { name: `${name}: interpreter, CPU time`, value: i.times.cpuS, unit: 's', peer: peerOf('cpuS') },
    {
      name: `${name}: blocks MIPS in CPU time (compiled share ${(share * 100).toFixed(1)} %, ${b.stats?.regionsCompiled ?? 0} regions compiled in ${(b.stats?.compileMs ?? 0).toFixed(0)} ms)`,
      value: mips(b),
      unit: 'MIPS',
      peer: { name: 'interpreter', value: mips(i) },
      ...(goal.mips === undefined ? {} : { goal: `≥ ${goal.mips} MIPS`, met: mips(b) >= goal.mips }),
    },
  ]
  return out
}

async function kernelRows(name: string, make: (n: number, finisher: boolean) => string, n: number, goal: { ratio?: number; mips?: number }): Promise<BenchResult[]> {
  const elf = (await buildProgram(make(n, true))).elf
  const runs = {} as Record<HartEngine, Run>
  for (const engine of ENGINES) runs[engine] = await bareMetal(elf, engine)
  if (runs.blocks.steps !== runs.interpreter.steps) throw new Error(`${name}: the engines retired ${runs.interpreter.steps} and ${runs.blocks.steps} instructions`)
  const peer = await qemuScaled((f) => make(n * QEMU_SCALE, f), (f) => make(1, f), QEMU_SCALE)
  return rows(`${name}, ${(runs.blocks.steps / 1e6).toFixed(0)} M instructions`, runs, peer, `QEMU 7.2 TCG (${QEMU_SCALE}× the work, start-up taken off)`, goal)
}

async function uBootRows(): Promise<BenchResult[]> {
  if (!existsSync(OPENSBI) || !existsSync(UBOOT)) return [{ name: 'OpenSBI + U-Boot: not measured (apt-get install -y opensbi u-boot-qemu)', value: Number.NaN, unit: 's' }]
  const toPrompt = {} as Record<HartEngine, Run>
  const crc = {} as Record<HartEngine, Run>
  for (const engine of ENGINES) {
    const e = withEngine(engine)
    const { result: m, times } = await ours(() => uBootAtPrompt(e.config))
    toPrompt[engine] = { times, steps: Number(m.steps), stats: e.stats() }
    const before = m.steps
    const compiledBefore = e.stats()?.compiledSteps ?? 0n
    m.addListener((ev) => {
      if (ev.kind === 'uart' && ev.byte === 0x20 && m.consoleText().endsWith('\n=> ')) m.pause()
    })
    const printed = m.console.length
    const { result: stop, times: t2 } = await ours(async () => {
      m.sendInput(CRC32_COMMAND)
      return m.run({ maxSteps: m.steps + 10_000_000_000n })
    })
    const out = m.console.textSince(printed)
    if (stop.reason !== 'paused' || !/==> [0-9a-f]{8}/.test(out)) throw new Error(`crc32 did not finish: ${stop.reason}: ${out.slice(-200)}`)
    const st = e.stats()
    crc[engine] = { times: t2, steps: Number(stop.step - before), stats: st && { ...st, compiledSteps: st.compiledSteps - compiledBefore } }
  }
  let promptPeer: Times | undefined
  let crcPeer: Times | undefined
  if (spawnSync(QEMU, ['--version']).status === 0) {
    const q = qemu(['-bios', OPENSBI, '-kernel', UBOOT])
    try {
      await q.until((t) => /Hit any key to stop autoboot/.test(t))
      q.send(' ')
      promptPeer = await q.until((t) => t.endsWith('=> '))
      q.mark()
      q.send(CRC32_COMMAND)
      crcPeer = await q.until((t) => /==> [0-9a-f]{8}[\s\S]*\n=> $/.test(t))
    } finally {
      q.kill()
    }
  }
  return [
    ...rows(`OpenSBI + U-Boot to the prompt, ${(toPrompt.blocks.steps / 1e6).toFixed(0)} M instructions`, toPrompt, promptPeer, 'QEMU 7.2 TCG, same boot (incl. start-up)', { ratio: 2 }),
    ...rows(`U-Boot \`crc32\` of 64 MiB, ${(crc.blocks.steps / 1e6).toFixed(0)} M instructions`, crc, crcPeer, 'QEMU 7.2 TCG, same command to its next prompt', { ratio: 2 }),
  ]
}

export default async function (): Promise<BenchResult[]> {
  return [
    ...(await kernelRows('ALU loop', aluKernel, 50_000_000, { mips: 1000 })),
    ...(await kernelRows('compute kernel', computeKernel, 4_000_000, {})),
    ...(await kernelRows('memory loop 4 MiB', (n, f) => memoryKernel(4 << 20, n, false, f), 20, { ratio: 3 })),
    ...(await kernelRows('memory loop 4 MiB, S-mode Sv39', (n, f) => memoryKernel(4 << 20, n, true, f), 20, { ratio: 3 })),
    ...(await uBootRows()),
  ]
}
