/**
 * Whole machines under both engines: the machine tests' kernels (built-in SBI, OpenSBI-style
 * M-mode kernels, Sv39 with the higher half, timer and UART interrupts, virtio-blk DMA, debug
 * triggers, tohost) and, when installed, Debian's OpenSBI + U-Boot to its prompt, each booted with
 * the interpreter and with compiled blocks (traced build, every pc compiled at first sight). The machine events
 * (UART bytes with their steps, the firmware hand-off, the stop), the console, the final hart state
 * and RAM must be identical.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { diskBaseFromBytes } from '../../../../src/main/machine/devices/cow-disk'
import { Machine, type MachineConfig, type MachineEvent } from '../../../../src/main/machine/machine'
import { Hart } from '../../../../src/main/machine/hart/hart'
import type { HartEngine } from '../../../../src/main/machine/hart/hart-api'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'
import { ensureWasm } from '../hart/run-asm'

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf'
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'
const firmwareMissing = !existsSync(OPENSBI) || !existsSync(UBOOT)
if (firmwareMissing && process.env.CI) throw new Error('OpenSBI + U-Boot are needed in CI (apt-get install -y opensbi u-boot-qemu)')

const kernel = (sources: string[], script: string) => ({ bytes: buildKernel(sources, script).bytes, file: sources[0] })

interface Outcome {
  events: string
  text: string
  state: Uint8Array
  ram: Uint8Array
  compiledSteps: bigint
  /** Calls into compiled code that stopped before an instruction the interpreter had to run. */
  slowExits: bigint
  steps: bigint
}

async function bootWith(engine: HartEngine, config: MachineConfig, input?: string): Promise<Outcome> {
  const events: MachineEvent[] = []
  let hart: Hart | undefined
  const created = await Machine.create({
    trace: true,
    ...config,
    createHart: async (o) => (hart = new Hart({ ...o, engine, hotThreshold: 1 })),
    listener: (e) => events.push(e),
  })
  if (!created.ok) throw new Error(created.error.message)
  const m = created.value
  if (input !== undefined) m.typeWhenAsked(input)
  await m.run({ maxSteps: 400_000_000 })
  return {
    events: JSON.stringify(events, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)),
    text: m.consoleText(),
    state: hart!.saveState(),
    ram: hart!.ram.slice(),
    compiledSteps: hart!.blockStats?.compiledSteps ?? 0n,
    slowExits: hart!.blockStats?.exits.slow ?? 0n,
    steps: hart!.instret,
  }
}

/** `short`: the kernel ends within a few hundred steps, mostly in firmware calls that flush the TLBs, so nothing gets hot. */
async function expectSame(config: () => MachineConfig, input?: string, short = false): Promise<Outcome> {
  ensureWasm()
  const a = await bootWith('interpreter', config(), input)
  const b = await bootWith('blocks', config(), input)
  expect(b.text).toBe(a.text)
  expect(b.events).toBe(a.events)
  expect(Buffer.from(b.state).equals(a.state)).toBe(true)
  expect(Buffer.from(b.ram).equals(a.ram)).toBe(true)
  if (short) expect(b.steps).toBeLessThan(10_000)
  else expect(b.compiledSteps).toBeGreaterThan(0n)
  return b
}

describe.skipIf(binutilsMissing)('machines boot identically with compiled blocks', () => {
  const cases: Array<[string, () => MachineConfig, boolean?]> = [
    ['an S-mode kernel printing through the built-in SBI', () => ({ kernel: kernel(['sbi-hello.S'], 's-mode.ld') }), true],
    ['an S-mode kernel taking SBI timer interrupts', () => ({ kernel: kernel(['sbi-timer.S'], 's-mode.ld') }), true],
    ['the seed kernel: Sv39 page tables, the jump to the higher half', () => ({ kernel: kernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld') }), true],
    ['an M-mode kernel printing on the UART', () => ({ bios: 'none', kernel: kernel(['uart-hello.S'], 'm-mode.ld') })],
    ['UART transmit interrupts through the PLIC', () => ({ bios: 'none', kernel: kernel(['uart-thre-irq.S'], 'm-mode.ld') })],
    ['virtio-blk reads and writes (DMA into guest RAM)', () => {
      const image = new Uint8Array(8192)
      image.set(new TextEncoder().encode('sector zero says hello\n\0'))
      return { bios: 'none', disk: diskBaseFromBytes(image), kernel: kernel(['virtio-blk.S'], 'm-mode.ld') }
    }],
    ['debug triggers (breakpoints and watchpoints)', () => ({ bios: 'none', kernel: kernel(['triggers.S'], 'm-mode.ld') })],
    ['a riscv-tests style tohost exit', () => ({ bios: 'none', tohost: true, kernel: kernel(['tohost-hello.S'], 'm-mode.ld') })],
  ]
  for (const [name, config, short] of cases) it(name, async () => { await expectSame(config, undefined, short) }, 120_000)

  it('UART input interrupts echoed back (typed when the guest asks)', async () => {
    const r = await expectSame(() => ({ bios: 'none', kernel: kernel(['uart-irq-echo.S'], 'm-mode.ld') }), 'hi\r')
    expect(r.text.length).toBeGreaterThan(0)
  }, 120_000)

  it.skipIf(firmwareMissing)('OpenSBI + U-Boot to the prompt', async () => {
    const file = (path: string) => ({ bytes: new Uint8Array(readFileSync(path)), file: path })
    const r = await expectSame(() => ({ bios: file(OPENSBI), kernel: { ...file(UBOOT), rawAddr: 0x8020_0000n } }), ' ')
    expect(r.text).toContain('=> ')
    // Its idle prompt polls the UART's line status ~3 M times before the machine calls it waiting:
    // compiled code reads it through the hart's mirror (blockMmioRead) instead of stopping at each poll.
    expect(r.slowExits).toBeLessThan(100_000n)
  }, 300_000)
})
