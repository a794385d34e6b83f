/**
 * UART reads that change nothing in the device (a polled line status, scratch, LCR…) are served
 * inside the hart from the state the device mirrors into wasm memory, not as MMIO exits — and the
 * run is the same either way: the same values read, output at the same steps, the same stops, the
 * same recording. Input held for the guest (`typeWhenAsked`, the command line's --input) is typed
 * when the guest first polls for it, with or without the fast path.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HartExit, type HartOptions } from '../../../../src/main/machine/hart/hart-api'
import { Hart, TIME_RATIO } from '../../../../src/main/machine/hart/hart'
import { INPUT_ASK_TICKS, INPUT_POLL_IDLE_TICKS, Machine, type MachineConfig, type MachineEvent } from '../../../../src/main/machine/machine'
import { Recorder } from '../../../../src/main/trace/recorder'
import { RecordingReader } from '../../../../src/main/trace/recording-reader'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'
import { hartMissing } from './harness'
import { openSbiFwJump, uBootSmode } from '../../../support/oracles'

interface Run {
  machine: Machine
  events: MachineEvent[]
  mmioExits: number
}

async function start(config: MachineConfig): Promise<Run> {
  const run: Run = { machine: undefined as unknown as Machine, events: [], mmioExits: 0 }
  const created = await Machine.create({
    ...config,
    listener: (e) => run.events.push(e),
    createHart: async (o: HartOptions) => {
      const hart = new Hart(o)
      const inner = hart.run.bind(hart)
      hart.run = (n: number) => {
        const exit = inner(n)
        if (exit === HartExit.Mmio) run.mmioExits++
        return exit
      }
      return hart
    },
  })
  if (!created.ok) throw new Error(created.error.message)
  run.machine = created.value
  return run
}

const kernelOf = (name: string) => {
  const k = buildKernel([name], 'm-mode.ld')
  return { bytes: k.bytes, file: name }
}

describe.skipIf(hartMissing || binutilsMissing)('UART reads served in the hart', () => {
  it('reads every register as the device does, with the same steps, and polls without exits', async () => {
    const runs: Run[] = []
    for (const uartReadsInHart of [false, true]) {
      const r = await start({ bios: 'none', kernel: kernelOf('uart-registers.S'), uartReadsInHart })
      r.machine.typeWhenAsked('k')
      const stop = await r.machine.run({ maxSteps: 50_000_000 })
      expect(stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
      runs.push(r)
    }
    const [slow, fast] = runs
    // scratch, LCR, MCR, MSR, IER | DLL, DLM | IIR (THRE), IIR (none), LSR | loopback: LSR (DR), RBR,
    // LSR, MSR | the key: LSR (DR), IIR (data), RBR, IIR (none), LSR
    const expected = '5a 03 00 b0 00 01 00 02 01 60 61 4c 60 f0 61 04 6b 01 60\n'
    expect(slow.machine.consoleText()).toBe(expected)
    expect(fast.machine.consoleText()).toBe(expected)
    expect(fast.events).toEqual(slow.events)
    expect(fast.machine.steps).toBe(slow.machine.steps)
    // The key was typed once the guest had polled for INPUT_ASK_TICKS of guest time, not at step 0.
    const typed = fast.events.find((e) => e.kind === 'input')!
    const askSteps = INPUT_ASK_TICKS * BigInt(TIME_RATIO)
    expect(typed.step >= askSteps && typed.step < askSteps + 1000n, `typed at step ${typed.step}`).toBe(true)
    // Every poll was an exit without the fast path; with it, only the accesses that change the device.
    console.log(`uart-registers: ${slow.mmioExits} MMIO exits without the fast path, ${fast.mmioExits} with it`)
    expect(slow.mmioExits).toBeGreaterThan(100_000)
    expect(fast.mmioExits).toBeLessThan(100)
  }, 60_000)

  it('says a polling guest waits for input at the same step either way, and goes on when a key comes', async () => {
    const stops = []
    for (const uartReadsInHart of [false, true]) {
      const r = await start({ bios: 'none', kernel: kernelOf('uart-poll-echo.S'), inputPollIdleTicks: INPUT_POLL_IDLE_TICKS / 150n, uartReadsInHart })
      const first = await r.machine.run({ maxSteps: 500_000_000 })
      expect(first.reason).toBe('waiting-for-input')
      r.machine.sendInput('a')
      const second = await r.machine.run({ maxSteps: 500_000_000 })
      r.machine.sendInput('q')
      const last = await r.machine.run({ maxSteps: 500_000_000 })
      expect(last).toMatchObject({ reason: 'shutdown', exitCode: 0 })
      expect(r.machine.consoleText()).toBe('> [a][q]')
      stops.push({ first: first.step, second: second.step, last: last.step, events: r.events })
    }
    expect(stops[1]).toEqual(stops[0])
    // Out of budget while polling: the same verdict, at the same step.
    const atBudget = []
    for (const uartReadsInHart of [false, true]) {
      const r = await start({ bios: 'none', kernel: kernelOf('uart-poll-echo.S'), uartReadsInHart })
      atBudget.push(await r.machine.run({ maxSteps: 2_000_000 }))
    }
    expect(atBudget[0]).toMatchObject({ reason: 'waiting-for-input', step: 2_000_000n })
    expect(atBudget[1]).toEqual(atBudget[0])
  }, 60_000)

  const openSbi = openSbiFwJump()
  const uBoot = uBootSmode()
  it.skipIf(openSbi.missing || uBoot.missing)('boots Debian\'s OpenSBI + U-Boot the same either way: a key typed when the countdown asks, a command at the prompt', async () => {
    const image = (path: string) => ({ bytes: new Uint8Array(readFileSync(path)), file: path })
    const runs: Run[] = []
    for (const uartReadsInHart of [false, true]) {
      const r = await start({ bios: image(openSbi.path!), kernel: { ...image(uBoot.path!), rawAddr: 0x8020_0000n }, uartReadsInHart })
      r.machine.typeWhenAsked(' version\r')
      const stop = await r.machine.run({ maxSteps: 1_000_000_000 })
      expect(stop.reason).toBe('waiting-for-input')
      runs.push(r)
    }
    const [slow, fast] = runs
    expect(fast.machine.consoleText()).toMatch(/=> version\r\nU-Boot 20\d\d[\s\S]*=> $/)
    expect(fast.events).toEqual(slow.events)
    console.log(`U-Boot to its prompt and \`version\`: ${fast.machine.steps} steps, ${slow.mmioExits} MMIO exits without the fast path, ${fast.mmioExits} with it`)
    expect(fast.mmioExits * 10).toBeLessThan(slow.mmioExits)
  }, 300_000)

  it('makes the same recording either way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-uart-mirror-'))
    const recordings = []
    for (const uartReadsInHart of [false, true]) {
      const path = join(dir, `${uartReadsInHart}.sqlite`)
      const started = await Recorder.start({ recordingPath: path, bios: 'none', kernel: kernelOf('uart-registers.S'), writtenBy: 'test', uartReadsInHart })
      if (!started.ok) throw new Error(started.error.message)
      started.value.typeWhenAsked('k')
      const result = await started.value.run()
      expect(result.stop.reason).toBe('shutdown')
      const r = RecordingReader.open(path)
      if (!r.ok) throw new Error(r.error.message)
      try {
        recordings.push({ events: r.value.events(), inputs: r.value.inputs(), steps: result.steps })
      } finally {
        r.value.close()
      }
    }
    expect(recordings[0].events.map((e) => e.kind)).toEqual(expect.arrayContaining(['segment_loaded', 'firmware_handoff', 'uart_output', 'stop']))
    expect(recordings[0].inputs).toHaveLength(1)
    expect(recordings[1]).toEqual(recordings[0])
  }, 60_000)
})
