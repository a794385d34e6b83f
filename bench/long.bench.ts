/**
 * Long workloads against QEMU 7.2, in CPU time and in wall time: work long enough that neither
 * side's start-up matters, where the short boots of `boot.bench.ts` mostly measure QEMU starting.
 * Each row is the time for the same guest instructions; the ratio (ours ÷ QEMU) is how many times
 * longer Bootscope takes. The machine is shared: CPU time is the fairer figure under load.
 *
 * - ALU loop: `hart-kernels.ts`'s compute kernel, bare metal (-bios none), to the test finisher.
 *   QEMU runs QEMU_SCALE times the iterations (its JIT would finish ours in its start-up noise) and
 *   its start-up (the same program with one iteration) is taken off; its time is scaled back.
 * - U-Boot `crc32` of 64 MiB: Debian's OpenSBI + U-Boot at the prompt, timed from the command
 *   typed to the next prompt (QEMU's CPU time read from /proc at both moments). Real firmware
 *   code nobody here wrote, and long: what a kernel's own work costs.
 * - U-Boot polling the UART: the prompt's 1.5 s of guest time until the machine says it waits
 *   for input, in MIPS of CPU time, with the line status served in the hart and as MMIO exits (no
 *   QEMU peer: the figure is ours after and before `hart/assembly/uart-mirror.ts`).
 * - Optional, when the files are given: xv6-riscv to its `$ ` prompt (BENCH_XV6_KERNEL,
 *   BENCH_XV6_FS) and a Linux Image to the root-fs panic (BENCH_LINUX_IMAGE, booted after
 *   OpenSBI); without them the row says how to run it.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Machine, type MachineConfig } from '../src/main/machine/machine'
import { diskBaseFromBytes } from '../src/main/machine/devices/cow-disk'
import { buildProgram } from '../test/support/build-program'
import { computeKernel } from './hart-kernels'
import type { BenchResult } from './bench-types'

export const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf'
export const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'
const QEMU = 'qemu-system-riscv64'
const ALU_ITERATIONS = 20_000_000
const QEMU_SCALE = 20
export const CRC32_COMMAND = 'crc32 80200000 4000000\r' // above OpenSBI, whose memory S-mode may not read
/** Linux's last words without a root file system. */
const LINUX_END = /Kernel panic|VFS: Unable to mount root fs/
const CLOCK_TICKS_PER_SECOND = 100 // Linux USER_HZ, the unit of /proc/PID/stat's utime and stime

const file = (path: string) => ({ bytes: new Uint8Array(readFileSync(path)), file: path })

export interface Times {
  cpuS: number
  wallS: number
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields after the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}

/** Our CPU and wall time around `fn` (this process: the hart and the machine run on this thread). */
export async function ours<T>(fn: () => Promise<T>): Promise<{ result: T; times: Times }> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await fn()
  const c = process.cpuUsage(c0)
  return { result, times: { cpuS: (c.user + c.system) / 1e6, wallS: (performance.now() - t0) / 1000 } }
}

export interface QemuSession {
  /** Resolves when `done(text)` holds, with QEMU's CPU and wall time since `mark()` (or since start). */
  until(done: (text: string) => boolean): Promise<Times>
  /** Starts the interval `until` measures. */
  mark(): void
  send(text: string): void
  kill(): void
}

export function qemu(args: string[]): QemuSession {
  const p = spawn(QEMU, ['-M', 'virt', '-nographic', '-monitor', 'none', '-serial', 'stdio', ...args], { stdio: ['pipe', 'pipe', 'ignore'] })
  let text = ''
  let wall0 = performance.now()
  let cpu0 = 0
  const waiters: { done: (t: string) => boolean; resolve: (t: Times) => void }[] = []
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.done(text)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve({ cpuS: processCpuSeconds(p.pid!) - cpu0, wallS: (performance.now() - wall0) / 1000 })
    }
  }
  p.stdout.on('data', (d: Buffer) => {
    text += d.toString('latin1')
    check()
  })
  return {
    until: (done) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`QEMU did not get there in 120 s: …${text.slice(-200)}`)), 120_000)
        waiters.push({ done, resolve: (t) => (clearTimeout(timer), resolve(t)) })
        check()
      }),
    mark: () => {
      wall0 = performance.now()
      cpu0 = processCpuSeconds(p.pid!)
    },
    send: (t) => p.stdin.write(t),
    kill: () => p.kill('SIGKILL'),
  }
}

/** A QEMU run of a program that exits by itself: CPU and wall time of the whole process. */
export function qemuWhole(args: string[]): Times {
  const t0 = performance.now()
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ${QEMU} -M virt -nographic -monitor none ${args.join(' ')} > /dev/null`], { encoding: 'utf8', timeout: 300_000 })
  const wallS = (performance.now() - t0) / 1000
  if (r.status !== 0) throw new Error(`QEMU exited with ${r.status}: ${r.stderr}`)
  const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number)
  return { cpuS: user + sys, wallS }
}

/** Two rows, CPU then wall, for the same work on both sides. */
function rows(name: string, mine: Times, peer: Times | undefined, peerName: string): BenchResult[] {
  return (['cpuS', 'wallS'] as const).map((k) => ({
    name: `${name}: ${k === 'cpuS' ? 'CPU' : 'wall'} time`,
    value: mine[k],
    unit: 's',
    peer: peer ? { name: peerName, value: peer[k] } : undefined,
  }))
}

async function aluLoop(): Promise<BenchResult[]> {
  const prog = await buildProgram(computeKernel(ALU_ITERATIONS, true))
  const boot = async () => {
    const created = await Machine.create({ bios: 'none', kernel: { bytes: prog.elf, file: 'alu.elf' } })
    if (!created.ok) throw new Error(created.error.message)
    return created.value.run()
  }
  const { result: stop, times } = await ours(boot)
  if (stop.reason !== 'shutdown') throw new Error(`ALU loop did not finish: ${stop.reason}: ${stop.message}`)
  const steps = Number(stop.step)
  const label = `ALU loop, ${(steps / 1e9).toFixed(2)} G instructions (${(steps / times.cpuS / 1e6).toFixed(0)} MIPS in CPU time)`
  if (spawnSync(QEMU, ['--version']).status !== 0) return rows(label, times, undefined, '')
  const dir = mkdtempSync(join(tmpdir(), 'long-bench-'))
  try {
    const big = join(dir, 'big.elf')
    const one = join(dir, 'one.elf')
    writeFileSync(big, (await buildProgram(computeKernel(ALU_ITERATIONS * QEMU_SCALE, true))).elf)
    writeFileSync(one, (await buildProgram(computeKernel(1, true))).elf)
    const startup = [0, 1, 2].map(() => qemuWhole(['-bios', 'none', '-kernel', one]))
    const full = qemuWhole(['-bios', 'none', '-kernel', big])
    const least = (k: keyof Times) => Math.min(...startup.map((s) => s[k]))
    const peer: Times = { cpuS: Math.max(full.cpuS - least('cpuS'), 1e-3) / QEMU_SCALE, wallS: Math.max(full.wallS - least('wallS'), 1e-3) / QEMU_SCALE }
    const qemuMips = steps / peer.cpuS / 1e6
    return rows(label, times, peer, `QEMU 7.2 TCG (${QEMU_SCALE}× the loop, start-up taken off, ${(qemuMips / 1000).toFixed(1)} G IPS in CPU time)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** OpenSBI + U-Boot at its prompt (a key typed when the autoboot countdown asks). */
export async function uBootAtPrompt(config: Partial<MachineConfig> = {}): Promise<Machine> {
  const created = await Machine.create({ bios: file(OPENSBI), kernel: { ...file(UBOOT), rawAddr: 0x8020_0000n }, ...config })
  if (!created.ok) throw new Error(created.error.message)
  const m = created.value
  m.typeWhenAsked(' ')
  const stop = await m.run({ maxSteps: 1_000_000_000 })
  if (stop.reason !== 'waiting-for-input' || !m.consoleText().endsWith('=> ')) throw new Error(`U-Boot did not reach its prompt: ${stop.reason}: ${stop.message}`)
  return m
}

/**
 * OpenSBI + U-Boot (the countdown interrupted by a key) paused as the prompt's last byte is
 * printed — the point QEMU's side of the bench stops at. `uBootAtPrompt` instead runs on until
 * the machine calls the guest idle: 1.5 s of guest time (≈ 150 M instructions) of polling the UART.
 */
export async function uBootToPromptText(config: Partial<MachineConfig> = {}): Promise<Machine> {
  const created = await Machine.create({ bios: file(OPENSBI), kernel: { ...file(UBOOT), rawAddr: 0x8020_0000n }, ...config })
  if (!created.ok) throw new Error(created.error.message)
  const m = created.value
  m.typeWhenAsked(' ')
  let watching = true
  m.addListener((ev) => {
    if (watching && ev.kind === 'uart' && ev.byte === 0x20 && m.consoleText().endsWith('\n=> ')) m.pause()
  })
  const stop = await m.run({ maxSteps: 1_000_000_000 })
  watching = false
  if (stop.reason !== 'paused') throw new Error(`U-Boot did not print its prompt: ${stop.reason}: ${stop.message}`)
  return m
}

async function uBootCrc32(): Promise<BenchResult[]> {
  const m = await uBootAtPrompt()
  const before = m.steps
  const printed = m.console.length
  // The command's work ends at the next prompt (not at the machine's "waiting for input", 1.5 s of polling later).
  m.addListener((e) => {
    if (e.kind === 'uart' && e.byte === 0x20 && m.consoleText().endsWith('\n=> ')) m.pause()
  })
  const { result: stop, times } = await ours(async () => {
    m.sendInput(CRC32_COMMAND)
    return m.run({ maxSteps: m.steps + 10_000_000_000n })
  })
  const out = m.console.textSince(printed)
  if (stop.reason !== 'paused' || !/==> [0-9a-f]{8}/.test(out)) throw new Error(`crc32 did not finish: ${stop.reason}: ${out.slice(-200)}`)
  const steps = Number(stop.step - before)
  const label = `U-Boot \`crc32\` of 64 MiB at its prompt, ${(steps / 1e9).toFixed(2)} G instructions (${(steps / times.cpuS / 1e6).toFixed(0)} MIPS in CPU time)`
  if (spawnSync(QEMU, ['--version']).status !== 0) return rows(label, times, undefined, '')
  const q = qemu(['-bios', OPENSBI, '-kernel', UBOOT])
  try {
    await q.until((t) => /Hit any key to stop autoboot/.test(t))
    q.send(' ')
    await q.until((t) => t.endsWith('=> '))
    q.mark()
    q.send(CRC32_COMMAND)
    // (The sums differ: the 64 MiB hold each machine's own device tree and U-Boot's relocation work.)
    const peer = await q.until((t) => /==> [0-9a-f]{8}[\s\S]*\n=> $/.test(t))
    return rows(label, times, peer, 'QEMU 7.2 TCG, same command to its next prompt')
  } finally {
    q.kill()
  }
}

async function uBootPolling(): Promise<BenchResult[]> {
  const mips: number[] = []
  for (const uartReadsInHart of [false, true]) {
    const m = await uBootAtPrompt({ uartReadsInHart })
    m.sendInput('\r') // an empty command: the prompt again, then polling until the machine says it waits
    const before = m.steps
    const { result: stop, times } = await ours(() => m.run({ maxSteps: m.steps + 1_000_000_000n }))
    if (stop.reason !== 'waiting-for-input') throw new Error(`U-Boot did not wait at its prompt: ${stop.reason}`)
    mips.push(Number(stop.step - before) / times.cpuS / 1e6)
  }
  return [
    {
      name: 'U-Boot polling the UART at its prompt (1.5 s of guest time), MIPS in CPU time: line status served in the hart (peer: as MMIO exits, before)',
      value: mips[1],
      unit: 'MIPS',
      peer: { name: 'line-status reads as MMIO exits', value: mips[0] },
      goal: 'polling as fast as booting (≥ 100 MIPS)',
      met: mips[1] >= 100,
    },
  ]
}

async function xv6(): Promise<BenchResult[]> {
  const kernel = process.env.BENCH_XV6_KERNEL
  const fs = process.env.BENCH_XV6_FS
  const name = 'xv6-riscv to `$ `'
  if (!kernel || !fs || !existsSync(kernel) || !existsSync(fs)) {
    return [{ name: `${name}: not measured (set BENCH_XV6_KERNEL=kernel/kernel and BENCH_XV6_FS=fs.img of an xv6-riscv build)`, value: Number.NaN, unit: 's' }]
  }
  const { result: stop, times } = await ours(async () => {
    const created = await Machine.create({ bios: 'none', kernel: file(kernel), disk: diskBaseFromBytes(new Uint8Array(readFileSync(fs))) })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    m.addListener((e) => {
      if (e.kind === 'uart' && m.consoleText().endsWith('$ ')) m.pause()
    })
    return m.run()
  })
  if (stop.reason !== 'paused') throw new Error(`xv6 did not reach $: ${stop.reason}: ${stop.message}`)
  const q = qemu(['-bios', 'none', '-kernel', kernel, '-m', '128M', '-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${fs},if=none,format=raw,id=x0,snapshot=on`, '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'])
  try {
    const peer = await q.until((t) => t.endsWith('$ '))
    return rows(`${name}, ${(Number(stop.step) / 1e9).toFixed(2)} G instructions`, times, peer, 'QEMU 7.2 TCG, same boot (incl. start-up)')
  } finally {
    q.kill()
  }
}

async function linux(): Promise<BenchResult[]> {
  const image = process.env.BENCH_LINUX_IMAGE
  const name = 'Linux to the root-fs panic'
  if (!image || !existsSync(image)) {
    return [{ name: `${name}: not measured (set BENCH_LINUX_IMAGE to a RISC-V Linux Image, e.g. Debian's vmlinuz unpacked)`, value: Number.NaN, unit: 's' }]
  }
  const { result: stop, times } = await ours(async () => {
    const created = await Machine.create({ bios: file(OPENSBI), kernel: file(image), bootargs: 'console=ttyS0' })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    m.addListener((e) => {
      if (e.kind === 'uart' && e.byte === 0x0a && LINUX_END.test(m.consoleText().slice(-400))) m.pause()
    })
    return m.run()
  })
  if (stop.reason !== 'paused') throw new Error(`Linux did not get to its panic: ${stop.reason}: ${stop.message}`)
  const q = qemu(['-bios', OPENSBI, '-kernel', image, '-append', 'console=ttyS0'])
  try {
    const peer = await q.until((t) => LINUX_END.test(t.slice(-400)) && t.endsWith('\n'))
    return rows(`${name}, ${(Number(stop.step) / 1e9).toFixed(2)} G instructions`, times, peer, 'QEMU 7.2 TCG, same boot (incl. start-up)')
  } finally {
    q.kill()
  }
}

export default async function (): Promise<BenchResult[]> {
  if (!existsSync(OPENSBI) || !existsSync(UBOOT)) throw new Error('needs Debian\'s opensbi and u-boot-qemu (apt-get install -y opensbi u-boot-qemu)')
  return [...(await aluLoop()), ...(await uBootCrc32()), ...(await uBootPolling()), ...(await xv6()), ...(await linux())]
}
