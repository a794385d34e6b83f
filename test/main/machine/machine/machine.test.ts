import { describe, expect, it } from 'vitest'
import { diskBaseFromBytes } from '../../../../src/main/machine/devices/cow-disk'
import { DEFAULT_MAX_STEPS, Machine } from '../../../../src/main/machine/machine'
import { Hart } from '../../../../src/main/machine/hart/hart'
import type { HartApi } from '../../../../src/main/machine/hart/hart-api'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'
import { boot, hartMissing } from './harness'

const skip = hartMissing || binutilsMissing
const kernel = (sources: string[], script: string) => ({ bytes: buildKernel(sources, script).bytes, file: sources[0] })

describe.skipIf(skip)('Machine with the built-in SBI', () => {
  it('boots an S-mode kernel that prints through SBI and shuts down with exit code 0', async () => {
    const r = await boot({ kernel: kernel(['sbi-hello.S'], 's-mode.ld') })
    expect(r.text).toBe('hello from an S-mode kernel\r\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })

  it('reports the loaded segments and the firmware hand-off as events', async () => {
    const r = await boot({ kernel: kernel(['sbi-hello.S'], 's-mode.ld') })
    const seg = r.events.find((e) => e.kind === 'segment-loaded')
    expect(seg && seg.kind === 'segment-loaded' && seg.segment).toMatchObject({ vaddr: 0x8020_0000n, paddr: 0x8020_0000n, sections: ['.text', '.rodata'] })
    const handoff = r.events.find((e) => e.kind === 'firmware-handoff')
    expect(handoff).toMatchObject({ from: 'builtin', mode: 'S', entry: 0x8020_0000n, a0: 0n, a1: 0x87e0_0000n })
    const stop = r.events.at(-1)
    expect(stop?.kind).toBe('stop')
  })

  it('stamps each console byte with a step that never decreases, the same on every run', async () => {
    const steps = async () => (await boot({ kernel: kernel(['sbi-hello.S'], 's-mode.ld') })).events.flatMap((e) => (e.kind === 'uart' ? [e.step] : []))
    const a = await steps()
    expect(a.length).toBe('hello from an S-mode kernel\r\n'.length)
    expect(a.every((s, i) => i === 0 || s >= a[i - 1])).toBe(true)
    expect(await steps()).toEqual(a)
  })

  it('sleeps in wfi until the SBI timer fires, fast-forwarding time instead of spinning', async () => {
    const r = await boot({ kernel: kernel(['sbi-timer.S'], 's-mode.ld') })
    expect(r.text).toBe('tick\r\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
    expect(r.stop.step).toBeLessThan(10_000n) // 1 000 000 ticks of waiting cost no instructions
  })

  it('boots the seed 004 higher-half kernel (linked with AT()) and reaches rust_main', async () => {
    const r = await boot({ kernel: kernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld') })
    expect(r.text).toBe('rust_main: running in the higher half\r\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })

  it('stops the seed 004 kernel without its identity mapping and explains the page fault', async () => {
    const built = buildKernel(['seed-004-entry-no-identity.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld')
    // The faulting fetch is the sfence.vma right after `csrw satp`: find it in the loaded text.
    const text = built.bytes
    let sfence = -1
    for (let i = 0; i + 4 <= text.length; i += 2) if (new DataView(text.buffer).getUint32(i, true) === 0x1200_0073) sfence = i
    expect(sfence).toBeGreaterThan(0)
    const r = await boot({ kernel: { bytes: built.bytes, file: 'no-identity.elf' } })
    expect(r.stop.reason).toBe('trap-loop')
    expect(r.stop.message).toMatch(/^instruction page fault at 0x802000[0-9a-f]{2}, right after satp was written \(satp = 0x8[0-9a-f]+, root table at PA 0x[0-9a-f]+\): the code still runs at its physical address, and the new table does not map it — the level-2 PTE \(index 2 at 0x[0-9a-f]+\) is not valid/)
    const epc = BigInt(/at (0x[0-9a-f]+)/.exec(r.stop.message)![1])
    expect(epc & 0xfffn).toBe(BigInt(sfence - 0x1000)) // .text is at file offset 0x1000
    expect(r.text).toBe('')
  })

  it('refuses the seed 004 kernel as written (no AT()) before running anything', async () => {
    const built = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker.ld')
    const created = await Machine.create({ kernel: { bytes: built.bytes, file: 'seed.elf' } })
    expect(created.ok).toBe(false)
    if (!created.ok) {
      expect(created.error.message).toContain('p_paddr 0xffffffff80200000 is outside RAM')
      expect(created.error.hint).toContain('link with AT() so the load address is physical')
    }
  })

  it('stops a trap whose handler address cannot be fetched, naming the vector', async () => {
    const r = await boot({ kernel: kernel(['stvec-zero.S'], 's-mode.ld') })
    expect(r.stop.reason).toBe('trap-loop')
    expect(r.stop.message).toContain('at 0x0, the trap vector (stvec) itself')
  })
})

describe.skipIf(skip)('Machine with --bios none', () => {
  it('runs an M-mode program from 0x80000000 with a1 = FDT and exits through the test finisher', async () => {
    const r = await boot({ bios: 'none', kernel: kernel(['uart-hello.S'], 'm-mode.ld') })
    expect(r.text).toBe('hello from M-mode over the 16550\nfdt: yes\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 3 })
  })

  it('explains a wfi that nothing can wake', async () => {
    const r = await boot({ bios: 'none', kernel: kernel(['wfi-deadlock.S'], 'm-mode.ld') })
    expect(r.stop.reason).toBe('wfi-deadlock')
    expect(r.stop.message).toContain('wfi with interrupts disabled and no timer')
  })

  it('has a default budget that fits real kernels, and says it was the default when it runs out', async () => {
    expect(DEFAULT_MAX_STEPS).toBeGreaterThanOrEqual(1_000_000_000n) // xv6 needs ≈ 420 M steps to reach its shell
    // A real hart whose step count reads 1 M short of the default budget, so the test runs 1 M steps, not 5 G.
    const offset = DEFAULT_MAX_STEPS - 1_000_000n
    const createHart = async (o: ConstructorParameters<typeof Hart>[0]) =>
      new Proxy(new Hart(o), {
        get: (t, p) => (p === 'instret' ? t.instret + offset : typeof Reflect.get(t, p) === 'function' ? Reflect.get(t, p).bind(t) : Reflect.get(t, p)),
      }) as HartApi
    const r = await boot({ bios: 'none', kernel: kernel(['spin.S'], 'm-mode.ld'), createHart }, { maxSteps: undefined })
    expect(r.stop).toMatchObject({ reason: 'budget', step: DEFAULT_MAX_STEPS })
    expect(r.stop.message).toBe(`stopped after ${DEFAULT_MAX_STEPS} steps: the default step budget (${DEFAULT_MAX_STEPS} steps, about a minute of emulation) is exhausted — the guest may be in an infinite loop`)
  })

  it('stops at the step budget with advice', async () => {
    const r = await boot({ bios: 'none', kernel: kernel(['spin.S'], 'm-mode.ld') }, { maxSteps: 2_000_000 })
    expect(r.stop.reason).toBe('budget')
    expect(r.stop.step).toBe(2_000_000n)
    expect(r.stop.message).toBe('stopped after 2000000 steps: the step budget is exhausted — the guest may be in an infinite loop')
    expect(r.stop.hint).toContain('--max-steps')
  })

  it('speaks the tohost protocol: console characters, then the failing test number as exit code', async () => {
    const r = await boot({ bios: 'none', tohost: true, kernel: kernel(['tohost-hello.S'], 'm-mode.ld') })
    expect(r.text).toBe('ok\n')
    expect(r.stop).toMatchObject({ reason: 'tohost', exitCode: 3 })
  })

  it('wakes from wfi on a UART interrupt through the PLIC when input arrives, and waits for input otherwise', async () => {
    const created = await Machine.create({ bios: 'none', kernel: kernel(['uart-irq-echo.S'], 'm-mode.ld') })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    const first = await m.run()
    expect(first.reason).toBe('waiting-for-input')
    expect(m.consoleText()).toBe('ready\n')
    m.sendInput('hi')
    const second = await m.run()
    expect(second.reason).toBe('waiting-for-input')
    expect(m.consoleText()).toBe('ready\n[h][i]')
    m.sendInput('q')
    expect(await m.run()).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })

  it('interrupts once per THRE event for a handler that never reads IIR (xv6’s uartintr), as QEMU does', async () => {
    const r = await boot({ bios: 'none', kernel: kernel(['uart-thre-irq.S'], 'm-mode.ld') })
    // One THRE interrupt when IER enables it, then one per byte sent: not an endless stream.
    expect(r.text).toBe('...irqs 1 3\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })

  it('reads and writes a disk through virtio-blk (xv6-style driver), never touching the image', async () => {
    const image = new Uint8Array(8192)
    image.set(new TextEncoder().encode('sector zero says hello\n\0'))
    const original = Uint8Array.from(image)
    const r = await boot({ bios: 'none', disk: diskBaseFromBytes(image), kernel: kernel(['virtio-blk.S'], 'm-mode.ld') })
    expect(r.text).toBe('sector zero says hello\nwritten back\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
    expect(image).toEqual(original)
    expect(r.machine.virtio[0].requests).toBe(3)
  })

  it('shows an empty virtio slot (device id 0) to a driver when no disk is given', async () => {
    const r = await boot({ bios: 'none', kernel: kernel(['virtio-blk.S'], 'm-mode.ld') })
    expect(r.text).toBe('virtio: fail 3\n')
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 3 })
  })

  it('stops for good when cancelled, with exit code 130', async () => {
    const created = await Machine.create({ bios: 'none', kernel: kernel(['spin.S'], 'm-mode.ld') })
    if (!created.ok) throw new Error(created.error.message)
    const running = created.value.run({ maxSteps: 10_000_000_000n })
    setTimeout(() => created.value.cancel(), 50)
    const stop = await running
    expect(stop).toMatchObject({ reason: 'cancelled', exitCode: 130 })
    expect(await created.value.run()).toBe(stop)
  })

  it('reports a hart that cannot start as an error value with a fix', async () => {
    const created = await Machine.create({
      bios: 'none',
      kernel: kernel(['spin.S'], 'm-mode.ld'),
      createHart: async () => {
        throw new Error('hart wasm not built: build/wasm/hart.wasm is missing')
      },
    })
    expect(created.ok).toBe(false)
    if (!created.ok) expect(created.error).toMatchObject({ code: 'machine.hart_unavailable', hint: 'run `npm run build:wasm`, then try again' })
  })

  it('can be paused from a listener and continued', async () => {
    const created = await Machine.create({ bios: 'none', kernel: kernel(['uart-hello.S'], 'm-mode.ld') })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    m.addListener((e) => {
      if (e.kind === 'uart' && e.byte === 0x0a) m.pause()
    })
    const first = await m.run()
    expect(first.reason).toBe('paused')
    expect(m.consoleText()).toBe('hello from M-mode over the 16550\n')
    const second = await m.run()
    expect(second.reason).toBe('paused')
    expect((await m.run()).reason).toBe('shutdown')
  })
})
