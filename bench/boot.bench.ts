/**
 * Boot speed of the whole machine (hart + devices + run loop), in guest MIPS, on real firmware:
 * Debian's OpenSBI fw_jump booting a small S-mode kernel to its shutdown, and Debian's S-mode
 * U-Boot after OpenSBI to its `=>` prompt. The peer is QEMU 7.2 on the same boot, timed from
 * process start (so it includes QEMU's start-up), expressed as the same instruction count over
 * QEMU's wall time. BOOTSCOPE_HART_WASM=path measures another hart build.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { Hart } from '../src/main/machine/hart/hart'
import { Machine, type MachineConfig } from '../src/main/machine/machine'
import { buildKernel } from '../test/fixtures/machine/build-kernel'
import type { BenchResult } from './bench-types'

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf'
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'
const QEMU = 'qemu-system-riscv64'
const WASM = process.env.BOOTSCOPE_HART_WASM
const createHart: MachineConfig['createHart'] = WASM ? async (o) => new Hart(o, WASM) : undefined

const file = (path: string) => ({ bytes: new Uint8Array(readFileSync(path)), file: path })

/** Runs QEMU until `done(text)` holds (answering `reply` prompts on stdin), returning wall milliseconds. */
function qemuMillis(args: string[], done: (text: string) => boolean, reply?: { when: RegExp; send: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const p = spawn(QEMU, ['-M', 'virt', '-nographic', '-monitor', 'none', '-serial', 'stdio', ...args], { stdio: ['pipe', 'pipe', 'ignore'] })
    let text = ''
    let replied = false
    const timer = setTimeout(() => {
      p.kill('SIGKILL')
      reject(new Error('QEMU did not finish in 60 s'))
    }, 60_000)
    p.stdout.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      if (reply && !replied && reply.when.test(text)) {
        replied = true
        p.stdin.write(reply.send)
      }
      if (done(text)) {
        const ms = performance.now() - t0
        clearTimeout(timer)
        p.kill('SIGKILL')
        resolve(ms)
      }
    })
    p.on('exit', () => {
      clearTimeout(timer)
      if (done(text)) resolve(performance.now() - t0)
      else reject(new Error(`QEMU exited early: ${text.slice(-200)}`))
    })
  })
}

async function openSbiKernel(): Promise<BenchResult> {
  const k = buildKernel(['sbi-hello.S'], 's-mode.ld')
  const created = await Machine.create({ createHart, bios: file(OPENSBI), kernel: { bytes: k.bytes, file: 'sbi-hello.elf' } })
  if (!created.ok) throw new Error(created.error.message)
  const t0 = performance.now()
  const stop = await created.value.run()
  const ms = performance.now() - t0
  if (stop.reason !== 'shutdown' || !created.value.consoleText().includes('hello from an S-mode kernel')) {
    throw new Error(`OpenSBI boot did not complete: ${stop.reason}: ${stop.message}`)
  }
  const steps = Number(stop.step)
  const qemuMs = await qemuMillis(['-bios', OPENSBI, '-kernel', k.elf], (t) => t.includes('hello from an S-mode kernel'))
  return {
    name: `OpenSBI fw_jump + small kernel to shutdown (${(steps / 1e6).toFixed(1)} M instructions, ${ms.toFixed(0)} ms; QEMU ${qemuMs.toFixed(0)} ms incl. start-up)`,
    value: steps / ms / 1000,
    unit: 'MIPS',
    peer: { name: 'QEMU 7.2 TCG, same boot', value: steps / qemuMs / 1000 },
    goal: '≥ 100 MIPS (ARCHITECTURE.md: AssemblyScript hart ≈ 150–210 MIPS on loops)',
    met: steps / ms / 1000 >= 100,
  }
}

async function uBootPrompt(): Promise<BenchResult> {
  const created = await Machine.create({ createHart, bios: file(OPENSBI), kernel: { ...file(UBOOT), rawAddr: 0x8020_0000n } })
  if (!created.ok) throw new Error(created.error.message)
  const m = created.value
  m.addListener((e) => {
    if (e.kind !== 'uart' || e.byte !== 0x20) return // both prompts end in a space
    const t = m.consoleText()
    if (t.endsWith('=> ') || /Hit any key to stop autoboot: *\d $/.test(t)) m.pause()
  })
  const t0 = performance.now()
  let stop = await m.run({ maxSteps: 600_000_000 })
  if (stop.reason === 'paused' && !m.consoleText().endsWith('=> ')) {
    m.sendInput(' ')
    stop = await m.run({ maxSteps: 600_000_000 })
  }
  const ms = performance.now() - t0
  if (!m.consoleText().endsWith('=> ')) throw new Error(`U-Boot did not reach its prompt: ${stop.reason}: ${stop.message}`)
  const steps = Number(stop.step)
  const qemuMs = await qemuMillis(['-bios', OPENSBI, '-kernel', UBOOT], (t) => t.endsWith('=> '), { when: /Hit any key to stop autoboot/, send: ' ' })
  return {
    name: `OpenSBI + U-Boot (S-mode) to the => prompt (${(steps / 1e6).toFixed(1)} M instructions, ${ms.toFixed(0)} ms; QEMU ${qemuMs.toFixed(0)} ms incl. start-up)`,
    value: steps / ms / 1000,
    unit: 'MIPS',
    peer: { name: 'QEMU 7.2 TCG, same boot', value: steps / qemuMs / 1000 },
    goal: '≥ 100 MIPS',
    met: steps / ms / 1000 >= 100,
  }
}

export default async function (): Promise<BenchResult[]> {
  if (!existsSync(OPENSBI)) throw new Error(`${OPENSBI} missing: apt-get install -y opensbi`)
  const out = [await openSbiKernel()]
  if (existsSync(UBOOT)) out.push(await uBootPrompt())
  return out
}
