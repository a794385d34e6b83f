/**
 * The block compiler (issue 17, docs/block-compiler.md) against the interpreter and QEMU 7.2, in
 * CPU and wall time, on the same guest work in one run:
 * - ALU loop (`aluKernel`: 6 register ops per iteration), the compute kernel (loads, stores,
 *   multiplies, branches), a memory loop (read-modify-write sweeps over 4 MiB) bare metal and the
 *   same loop in S-mode under Sv39 — all to the virt test finisher. QEMU runs QEMU_SCALE times the
 *   work (its JIT would finish ours inside its start-up noise); its start-up, measured on the same
 *   program with one iteration, is taken off and its time scaled back. Ours is measured the same
 *   way: the whole run minus the least of three one-iteration runs (machine creation, ELF load).
 * - the long kernel of our own (test/support/long-kernel.ts), ≥ 1 G instructions, whole runs.
 * - OpenSBI + U-Boot to the prompt (the autoboot countdown interrupted by a key, as a user does),
 *   both sides stopped when the prompt is printed, and U-Boot's `crc32` of 64 MiB at the prompt
 *   (real firmware code, ≈ 0.5 G instructions).
 * Each row gives the compiled share (instructions retired in compiled code) and the compile cost.
 * With compiled blocks also: recording the U-Boot `crc32` workload ÷ running it unrecorded (both
 * compiled), random seeks in a warm replay session of that recording (replay compiles too), and
 * the peak RSS of a process running it compiled ÷ one running it interpreted (bench/blocks-rss.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Recorder } from '../src/main/trace/recorder'
import { ReplaySession } from '../src/main/trace/replay'
import { Hart } from '../src/main/machine/hart/hart'
import type { HartEngine, HartOptions } from '../src/main/machine/hart/hart-api'
import type { BlockStats } from '../src/main/machine/blocks/block-engine'
import { Machine, type MachineConfig } from '../src/main/machine/machine'
import { buildProgram } from '../test/support/build-program'
import { longKernel, roundsFor } from '../test/support/long-kernel'
import { aluKernel, computeKernel, memoryKernel } from './hart-kernels'
import { CRC32_COMMAND, OPENSBI, UBOOT, ours, qemu, qemuWhole, uBootAtPrompt, uBootToPromptText, type Times } from './long.bench'
import type { BenchResult } from './bench-types'
import { withEngineEnv } from './engine-env'

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
      name: `${name}: blocks MIPS in CPU time (${compileStats(b, share)})`,
      value: mips(b),
      unit: 'MIPS',
      peer: { name: 'interpreter', value: mips(i) },
      ...(goal.mips === undefined ? {} : { goal: `≥ ${goal.mips} MIPS`, met: mips(b) >= goal.mips }),
    },
  ]
  return out
}

/** What the engine did between two readings of its stats. */
function statsSince(now: BlockStats, then: BlockStats): BlockStats {
  return {
    ...now,
    regionsCompiled: now.regionsCompiled - then.regionsCompiled,
    compileMs: now.compileMs - then.compileMs,
    compileCpuMs: now.compileCpuMs - then.compileCpuMs,
    deferred: now.deferred - then.deferred,
    compiledSteps: now.compiledSteps - then.compiledSteps,
    entries: now.entries - then.entries,
    exits: { left: now.exits.left - then.exits.left, slow: now.exits.slow - then.exits.slow, budget: now.exits.budget - then.exits.budget },
  }
}

/** Compiled share, regions, compile time, and how compiled calls ended. */
function compileStats(b: Run, share: number): string {
  const s = b.stats
  if (!s) return 'no stats'
  const e = s.exits
  return `compiled share ${(share * 100).toFixed(1)} %, ${s.regionsCompiled} regions compiled in ${s.compileMs.toFixed(0)} ms (${s.compileCpuMs.toFixed(0)} ms CPU; ${s.regionsLive} live, ${s.evicted} evicted, ${s.deferred} requests deferred by the compile budget, ${(s.moduleBytes / 1024).toFixed(0)} KiB of modules), ${s.entries} calls: ${e.left} jumped out, ${e.slow} stopped for the interpreter, ${e.budget} at the budget`
}

/**
 * Our loop time measured as QEMU's is: the whole run minus the least of three runs of the same
 * program with one iteration (machine creation, ELF loading, wasm start-up), so the ratio compares
 * the loops and neither side's start-up. The whole times are in the row's name.
 */
async function withoutStartup(engine: HartEngine, elf: Uint8Array, one: Uint8Array): Promise<Run & { whole: Times; startup: Times }> {
  const whole = await bareMetal(elf, engine)
  const startups = [await bareMetal(one, engine), await bareMetal(one, engine), await bareMetal(one, engine)]
  const least = (k: keyof Times) => Math.min(...startups.map((s) => s.times[k]))
  const startup = { cpuS: least('cpuS'), wallS: least('wallS') }
  const times = { cpuS: Math.max(whole.times.cpuS - startup.cpuS, 1e-3), wallS: Math.max(whole.times.wallS - startup.wallS, 1e-3) }
  return { ...whole, times, whole: whole.times, startup }
}

async function kernelRows(name: string, make: (n: number, finisher: boolean) => string, n: number, goal: { ratio?: number; mips?: number }): Promise<BenchResult[]> {
  const elf = (await buildProgram(make(n, true))).elf
  const one = (await buildProgram(make(1, true))).elf
  const runs = {} as Record<HartEngine, Run>
  let whole = ''
  for (const engine of ENGINES) {
    const r = await withoutStartup(engine, elf, one)
    runs[engine] = r
    whole += `; ${engine}: whole run ${r.whole.cpuS.toFixed(3)} s CPU, start-up ${r.startup.cpuS.toFixed(3)} s`
  }
  if (runs.blocks.steps !== runs.interpreter.steps) throw new Error(`${name}: the engines retired ${runs.interpreter.steps} and ${runs.blocks.steps} instructions`)
  const peer = await qemuScaled((f) => make(n * QEMU_SCALE, f), (f) => make(1, f), QEMU_SCALE)
  return rows(`${name}, ${(runs.blocks.steps / 1e6).toFixed(0)} M instructions (both sides without start-up${whole})`, runs, peer, `QEMU 7.2 TCG (${QEMU_SCALE}× the work, start-up taken off)`, goal)
}

/**
 * Linux-sized work of our own: the long kernel (test/support/long-kernel.ts: a 24 MiB fill, then
 * rounds of loads, stores, multiplies and branches, a timer interrupt every 10 k ticks, UART lines)
 * for ≥ 1 G instructions, start-up included on both sides (it is a small share of a whole run).
 */
async function longKernelRows(): Promise<BenchResult[]> {
  const elf = longKernel(roundsFor(1_000_000_000))
  const runs = {} as Record<HartEngine, Run>
  for (const engine of ENGINES) runs[engine] = await bareMetal(elf, engine)
  let peer: Times | undefined
  if (spawnSync(QEMU, ['--version']).status === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'blocks-bench-long-'))
    try {
      writeFileSync(join(dir, 'long.elf'), elf)
      peer = qemuWhole(['-bios', 'none', '-kernel', join(dir, 'long.elf')])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return rows(`long kernel of our own, ${(runs.blocks.steps / 1e9).toFixed(2)} G instructions`, runs, peer, 'QEMU 7.2 TCG, same kernel (whole run)', { ratio: 2 })
}

async function uBootRows(): Promise<BenchResult[]> {
  if (!existsSync(OPENSBI) || !existsSync(UBOOT)) return [{ name: 'OpenSBI + U-Boot: not measured (apt-get install -y opensbi u-boot-qemu)', value: Number.NaN, unit: 's' }]
  const toPrompt = {} as Record<HartEngine, Run>
  const crc = {} as Record<HartEngine, Run>
  for (const engine of ENGINES) {
    const e = withEngine(engine)
    const { result: m, times } = await ours(() => uBootToPromptText(e.config))
    toPrompt[engine] = { times, steps: Number(m.steps), stats: e.stats() }
    const before = m.steps
    const statsBefore = e.stats()
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
    crc[engine] = { times: t2, steps: Number(stop.step - before), stats: st && statsBefore && statsSince(st, statsBefore) }
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
    ...rows(`OpenSBI + U-Boot to the prompt, ${(toPrompt.blocks.steps / 1e6).toFixed(0)} M instructions`, toPrompt, promptPeer, 'QEMU 7.2 TCG, same boot to the same prompt byte (incl. start-up)', { ratio: 2 }),
    ...rows(`U-Boot \`crc32\` of 64 MiB, ${(crc.blocks.steps / 1e6).toFixed(0)} M instructions`, crc, crcPeer, 'QEMU 7.2 TCG, same command to its next prompt', { ratio: 2 }),
  ]
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const cpuNow = () => {
  const c = process.cpuUsage()
  return (c.user + c.system) / 1e6
}

/** OpenSBI + U-Boot, a key at the countdown, `crc32` at the prompt, recorded until U-Boot waits again (CPU and wall seconds). */
async function recordCrc32(path: string): Promise<{ times: Times; steps: number }> {
  const bytes = (p: string) => ({ bytes: new Uint8Array(readFileSync(p)), file: p })
  let waits = 0
  const box: { rec?: Recorder } = {}
  const started = await Recorder.start({
    recordingPath: path,
    bios: bytes(OPENSBI),
    kernel: { ...bytes(UBOOT), rawAddr: 0x8020_0000n },
    writtenBy: 'bench',
    maxSteps: 10_000_000_000,
    waitForInput: true,
    onProgress: (p) => {
      if (!p.waiting) return
      if (waits++ === 0) box.rec!.sendInput(CRC32_COMMAND)
      else box.rec!.cancel()
    },
  })
  if (!started.ok) throw new Error(started.error.message)
  const rec = (box.rec = started.value)
  rec.typeWhenAsked(' ')
  const { result: r, times } = await ours(() => rec.run())
  if (r.stop.reason !== 'cancelled' || waits !== 2) throw new Error(`the recorded crc32 ended ${r.stop.reason} after ${waits} waits`)
  return { times, steps: r.steps }
}

/** The same workload unrecorded, until U-Boot waits after the command. */
async function plainCrc32(engine: HartEngine): Promise<{ times: Times; steps: number }> {
  const e = withEngine(engine)
  const { result: steps, times } = await ours(async () => {
    const m = await uBootAtPrompt(e.config)
    m.sendInput(CRC32_COMMAND)
    const stop = await m.run({ maxSteps: 10_000_000_000 })
    if (stop.reason !== 'waiting-for-input') throw new Error(`crc32 ended ${stop.reason}`)
    return Number(m.steps)
  })
  return { times, steps }
}

/** Recording overhead, warm random seeks and peak RSS with compiled blocks. */
async function recordingRows(): Promise<BenchResult[]> {
  if (!existsSync(OPENSBI) || !existsSync(UBOOT)) return []
  const dir = mkdtempSync(join(tmpdir(), 'blocks-bench-rec-'))
  try {
    const plain = await plainCrc32('blocks')
    const path = join(dir, 'crc32.sqlite')
    const rec = await withEngineEnv('blocks', () => recordCrc32(path))
    const overhead = rec.times.cpuS / plain.times.cpuS
    const seeks = await withEngineEnv('blocks', async () => {
      const session = await ReplaySession.open(path)
      if (!session.ok) throw new Error(session.error.message)
      await session.value.stateAt({ step: 1 }) // the session exists and has run once: warm
      let s = 7
      const out: { wall: number; cpu: number }[] = []
      for (let i = 0; i < 12; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0
        const step = s % rec.steps
        const t0 = performance.now()
        const c0 = cpuNow()
        const r = await session.value.stateAt({ step })
        if (!r.ok) throw new Error(r.error.message)
        out.push({ wall: performance.now() - t0, cpu: (cpuNow() - c0) * 1000 })
      }
      return out
    })
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const rss = (engine: HartEngine) => {
      const p = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/blocks-rss.ts'), engine], { cwd: ROOT, encoding: 'utf8' })
      if (p.status !== 0) throw new Error(`blocks-rss ${engine} failed: ${p.stderr.slice(-300)}`)
      return (JSON.parse(p.stdout.trim().split('\n').at(-1)!) as { rssMiB: number }).rssMiB
    }
    const rssBlocks = rss('blocks')
    const rssInterp = rss('interpreter')
    const label = `U-Boot to the prompt + crc32 64 MiB, ${(rec.steps / 1e9).toFixed(2)} G steps`
    const seekMs = median(seeks.map((x) => x.wall))
    return [
      {
        name: `recording with blocks ÷ the unrecorded blocks run, CPU time (${label}: ${rec.times.cpuS.toFixed(2)} s vs ${plain.times.cpuS.toFixed(2)} s; wall ${rec.times.wallS.toFixed(2)} s vs ${plain.times.wallS.toFixed(2)} s)`,
        value: overhead, unit: '×', goal: '≤ 1.2', met: overhead <= 1.2,
      },
      {
        name: `replay with blocks: a random step in a warm session, median of ${seeks.length} (max ${Math.max(...seeks.map((x) => x.wall)).toFixed(0)} ms; CPU median ${median(seeks.map((x) => x.cpu)).toFixed(0)} ms)`,
        value: seekMs, unit: 'ms', goal: '≤ 100', met: seekMs <= 100,
      },
      {
        name: 'peak RSS of a process running the crc32 workload with blocks',
        value: rssBlocks, unit: 'MiB', peer: { name: 'the same with the interpreter', value: rssInterp }, goal: '≤ 1.5× the interpreter', met: rssBlocks / rssInterp <= 1.5,
      },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export default async function (): Promise<BenchResult[]> {
  return [
    ...(await kernelRows('ALU loop', aluKernel, 50_000_000, { mips: 1000 })),
    ...(await kernelRows('compute kernel', computeKernel, 4_000_000, {})),
    ...(await kernelRows('memory loop 4 MiB × 100', (n, f) => memoryKernel(4 << 20, n, false, f), 100, { ratio: 3 })),
    ...(await kernelRows('memory loop 4 MiB × 100, S-mode Sv39', (n, f) => memoryKernel(4 << 20, n, true, f), 100, { ratio: 3 })),
    ...(await longKernelRows()),
    ...(await uBootRows()),
    ...(await recordingRows()),
  ]
}
