/**
 * The x86 PC machine (`x86-pc`): the x86 hart (AssemblyScript → wasm, `hart/`) in the PC platform
 * (`pc-platform.ts`), booted the way GRUB 2 and QEMU's `-kernel` boot a Multiboot kernel
 * (`boot/`), behind the arch-neutral `BootMachine` interface. The run loop serves the hart's exits
 * — port I/O and MMIO to the devices, interrupt acknowledge, `hlt` by skipping guest time to the
 * next timer edge — and runs the hart no further than the next timer edge, so every interrupt
 * lands on the same step in every run. It stops, and says why, on isa-debug-exit, a triple fault
 * (explained from the three-fault chain), `cli; hlt`, a halt only input can end (resumable), a
 * trap loop, a jump outside RAM or an instruction the hart does not implement.
 */
import { err, ok, type Result } from '../../../shared/api/result'
import { DEFAULT_BOOT_MAX_STEPS } from '../../../shared/api/boot'
import type { ImageFile } from '../boot/boot-plan'
import type { LoadedImage } from '../boot/loader'
import type { MachineEvent, MachineListener, StopInfo, StopReason } from '../machine-events'
import type { BootMachine, CancelReason, CoreHart, MachineSnapshot, RunOptions } from '../core/boot-machine'
import { ConsoleRing } from '../core/console-ring'
import { loadDeviceState, saveDeviceState } from '../device-state'
import { X86HartExit, type X86HartApi, type X86HartOptions } from './hart/hart-api'
import { X86_TRACE_KIND, decodeX86TraceRecords, type X86TraceRecord } from './hart/trace-layout'
import { PcPlatform } from './pc-platform'
import { X86View } from './x86-view'
import { multibootHeader } from './boot/multiboot-header'
import { loadMultibootKernel } from './boot/multiboot-load'
import { buildBootInformation, type ModuleInput } from './boot/multiboot-info'
import { enterMultiboot } from './boot/multiboot-entry'
import { explainTripleFault, type FaultContext } from './stop-explain'
import { X86TrapWatch } from './trap-watch'
import { STEPS_PER_SECOND } from './devices/pc-time'
import { COM1_PORT } from './pc-platform'
import { I8042_STATUS_PORT } from './devices/i8042'
import { YieldPacer } from '../core/yield-pacer'

export const PC_DEFAULT_RAM_BYTES = 128 * 1024 * 1024
const DEFAULT_SLICE_STEPS = 1_000_000
const EXIT_CODE_BUDGET = 124
const EXIT_CODE_STUCK = 125
/** The trace kinds a boot without a recorder needs: exceptions (the trap-loop watch) and the shutdown. */
const EXCEPTIONS_ONLY = [X86_TRACE_KIND.EXC, X86_TRACE_KIND.SHUTDOWN]
const EXIT_CODE_CANCELLED = 130
/** Guest time of nothing but polling COM1 or the i8042 for input before the guest counts as waiting for it (1.5 s, as on RISC-V). */
export const INPUT_POLL_IDLE_STEPS = (STEPS_PER_SECOND * 3n) / 2n
const COM1_LSR = COM1_PORT + 5
/**
 * A CPU that sleeps in `hlt` at least this share of guest time (per mille), waking only for
 * timer ticks, prints nothing and is not typed to for `INPUT_POLL_IDLE_STEPS` waits for input —
 * when a typed key could interrupt it (a shell or a "press a key" loop with the PIT running).
 */
const IDLE_SHARE_PER_MILLE = 900n
/** Timer edges a halted CPU may skip to without waking before it counts as stuck. */
const MAX_IDLE_SKIPS = 10_000
/** Fields of the machine that are wiring or history, not state a checkpoint restores. */
const MACHINE_WIRING = ['hart', 'x86', 'view', 'platform', 'config', 'listeners', 'exitHooks', 'traceHooks', 'images', 'console', 'cancelRequested', 'pauseRequested', 'trapWatch', 'idleSkips', 'idleSkipsAt', 'quietSince', 'pacer']

export interface PcMachineConfig {
  kernel: ImageFile
  append?: string
  modules?: (ImageFile & { string?: string })[]
  memBytes?: number
  /** Record trace rings for a recording (the machine always reads the exception records itself). */
  trace?: boolean
  listener?: MachineListener
  /** Seconds since 1970 the RTC shows at step 0. */
  rtcEpochSeconds?: number
  /** The strict-TLB teaching mode: a stale translation stays until invlpg or a CR3 write drops it (the hardware may keep it; QEMU re-walks). */
  strictTlb?: boolean
  createHart: (opts: X86HartOptions) => Promise<X86HartApi>
}

const hex = (x: bigint | number) => `0x${x.toString(16)}`

export class PcMachine implements BootMachine {
  readonly arch = 'x86' as const
  readonly preset = 'x86-pc' as const
  readonly ramBase = 0n
  readonly hart: CoreHart
  readonly view: X86View
  readonly platform: PcPlatform
  readonly console = new ConsoleRing()
  readonly images: LoadedImage[] = []
  private readonly listeners: MachineListener[] = []
  private readonly exitHooks: ((exit: number) => void)[] = []
  private readonly traceHooks: ((records: X86TraceRecord[]) => void)[] = []
  private readonly trapWatch = new X86TrapWatch()
  private pendingStop?: { reason: StopReason; message: string; exitCode?: number; hint?: string; pc?: bigint }
  private stopInfo?: StopInfo
  private cancelRequested?: { reason: CancelReason; message: string; exitCode: number }
  private pauseRequested = false
  /** Guest time when the current streak of polling for input began. */
  private pollSince: bigint | undefined = undefined
  /** Input held back until the guest waits for it (`typeWhenAsked`). */
  private heldInput?: Uint8Array
  /** Timer edges skipped to while halted since the last retired instruction (see `serveHlt`). */
  private idleSkips = 0
  private idleSkipsAt = -1n
  /** Guest time and idle time (time − instret) when the CPU last showed a sign of life (output, input, a first hlt). */
  private quietSince: { time: bigint; idle: bigint } | undefined = undefined
  /** When `run` lets the event loop in, paced across calls (core/yield-pacer.ts). Not state. */
  private readonly pacer = new YieldPacer()

  private constructor(
    readonly x86: X86HartApi,
    private readonly config: PcMachineConfig,
  ) {
    if (config.listener) this.listeners.push(config.listener)
    this.view = new X86View(x86)
    this.platform = new PcPlatform(
      x86,
      {
        serial: (b) => this.emitConsole(b),
        debugExit: (status, value) => this.requestStop('shutdown', `the guest wrote ${hex(value)} to isa-debug-exit (port 0xf4): exit status ${status} = (${hex(value)} << 1) | 1`, status),
        reset: () => this.requestStop('reset', 'the guest reset the machine through the keyboard controller (command 0xFE); Bootscope stops here', 0),
      },
      { rtcEpochSeconds: config.rtcEpochSeconds },
    )
    this.hart = {
      get instret() {
        return x86.instret
      },
      get pc() {
        return x86.getReg('rip')
      },
      get ram() {
        return x86.ram
      },
      dirtyPages: () => x86.dirtyPages(),
      clearDirty: () => x86.clearDirty(),
      setDebugStops: (stops) => x86.setDebugStops(stops),
      skipDebugStop: (kinds) => x86.skipDebugStop(kinds),
    }
  }

  /** Builds the PC, loads the kernel as its Multiboot header asks and enters it; user mistakes are error values. */
  static async create(config: PcMachineConfig): Promise<Result<PcMachine>> {
    const ramSize = config.memBytes ?? PC_DEFAULT_RAM_BYTES
    let hart: X86HartApi
    try {
      hart = await config.createHart({ ramSize, trace: true })
    } catch (e) {
      return err('machine.hart_unavailable', `cannot start the x86 hart: ${(e as Error).message}`, { hint: 'run `npm run build:wasm`, then try again' })
    }
    const m = new PcMachine(hart, config)
    const booted = m.boot()
    if (!booted.ok) return booted
    if (config.strictTlb) hart.strictTlb = true
    return ok(m)
  }

  private boot(): Result<void> {
    const { kernel: k } = this.config
    const header = multibootHeader(k.bytes, k.file)
    if (!header.ok) return header
    const ram = this.x86.ram
    const kernel = loadMultibootKernel(k.bytes, k.file, header.value, ram)
    if (!kernel.ok) return kernel
    const modules: ModuleInput[] = (this.config.modules ?? []).map((m) => ({ file: m.file, bytes: m.bytes, string: m.string }))
    const info = buildBootInformation(ram, { header: header.value, kernel: kernel.value, file: k.file, append: this.config.append, modules })
    if (!info.ok) return info
    this.images.push(kernel.value.image, ...info.value.modules)
    this.platform.setupAsBios()
    enterMultiboot(this.x86, { entry: kernel.value.entry, magic: info.value.magic, infoAddr: info.value.infoAddr })
    this.x86.invalidateCaches()
    // Records of the host setting the entry state (CR0, CS) are the loader's, not the guest's.
    if (this.x86.traced) this.x86.drainTrace()
    // Until a recorder asks for every record (onTraceRecords), the trap-loop watch needs only exceptions.
    if (this.x86.traced && !this.traceHooks.length) this.x86.traceKinds = EXCEPTIONS_ONLY
    for (const img of this.images) for (const segment of img.segments) this.emit({ kind: 'segment-loaded', step: 0n, segment })
    for (const message of kernel.value.warnings) this.emit({ kind: 'warning', step: 0n, message })
    this.emit({
      kind: 'firmware-handoff',
      step: 0n,
      from: `Multiboot ${header.value.version} loader`,
      mode: 'ring 0',
      entry: BigInt(kernel.value.entry),
      a0: BigInt(info.value.magic),
      a1: BigInt(info.value.infoAddr),
      exact: true,
    })
    return ok(undefined)
  }

  get steps(): bigint {
    return this.x86.instret
  }

  consoleText(): string {
    return this.console.text()
  }

  addListener(l: MachineListener): void {
    this.listeners.push(l)
  }

  onHartExit(fn: (exit: number) => void): void {
    this.exitHooks.push(fn)
  }

  /** Trace records as the hart writes them (the recorder's events come from here). */
  onTraceRecords(fn: (records: X86TraceRecord[]) => void): void {
    this.traceHooks.push(fn)
    if (this.x86.traced) this.x86.traceKinds = Object.values(X86_TRACE_KIND)
  }

  sendInput(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
    this.emit({ kind: 'input', step: this.x86.instret, bytes: data })
    this.deliverInput(data)
  }

  deliverInput(bytes: Uint8Array): void {
    this.pollSince = undefined
    this.quietSince = undefined
    this.platform.deliverInput(bytes)
  }

  /**
   * Input typed when the guest first waits for it (the command line's --input): where the machine
   * would stop 'waiting-for-input' — a hlt only a key can end, a loop polling COM1's or the
   * i8042's status — it types this instead, recorded at that step. A kernel that drains the
   * keyboard at start-up (as most do) would lose keys typed at once.
   */
  typeWhenAsked(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
    this.heldInput = new Uint8Array([...(this.heldInput ?? []), ...data])
  }

  /** Bytes given to `typeWhenAsked` and not typed yet. */
  get inputHeldBack(): number {
    return this.heldInput?.length ?? 0
  }

  cancel(reason: CancelReason = 'cancelled', message = 'cancelled by the user', exitCode = EXIT_CODE_CANCELLED): void {
    this.cancelRequested ??= { reason, message, exitCode }
  }

  pause(): void {
    this.pauseRequested = true
  }

  saveState(): MachineSnapshot {
    return {
      step: this.x86.instret,
      hart: this.x86.saveState(),
      devices: [...this.platform.saveState(), saveDeviceState(this.trapWatch)],
      run: saveDeviceState(this, MACHINE_WIRING),
      consoleLength: this.console.length,
    }
  }

  loadState(s: MachineSnapshot): void {
    this.x86.loadState(s.hart)
    this.platform.loadState(s.devices.slice(0, -1))
    const watch = s.devices.at(-1)
    if (watch) loadDeviceState(this.trapWatch, watch)
    loadDeviceState(this, s.run)
    this.pendingStop = undefined
    this.stopInfo = undefined
    this.console.truncate(s.consoleLength)
    this.cancelRequested = undefined
    this.pauseRequested = false
  }

  takeHostWrittenPages(): number[] {
    return [] // the host writes RAM only before the first step (loading); the hart tracks the rest
  }

  async run(opts: RunOptions = {}): Promise<StopInfo> {
    if (this.stopInfo) return this.stopInfo
    const h = this.x86
    const budget = BigInt(opts.maxSteps ?? DEFAULT_BOOT_MAX_STEPS)
    for (;;) {
      const cancel = this.cancelRequested
      if (cancel) return this.finish(cancel.reason, cancel.message, cancel.exitCode)
      if (this.pauseRequested) {
        this.pauseRequested = false
        return { reason: 'paused', message: 'paused', step: h.instret, pc: h.getReg('rip') }
      }
      if (this.pendingStop) {
        const p = this.pendingStop
        this.pendingStop = undefined
        if (p.reason === 'waiting-for-input') return { reason: p.reason, message: p.message, exitCode: p.exitCode, step: h.instret, pc: p.pc ?? h.getReg('rip') }
        return this.finish(p.reason, p.message, p.exitCode, p.hint, p.pc)
      }
      const now = h.instret
      if (opts.pauseAt !== undefined && now >= opts.pauseAt) return { reason: 'paused', message: `paused at step ${now}`, step: now, pc: h.getReg('rip') }
      if (now >= budget) {
        if (this.pollSince !== undefined) return { reason: 'waiting-for-input', message: `the guest polls for input (rip ${hex(h.getReg('rip'))}) and none is queued`, step: now, pc: h.getReg('rip') }
        return this.finish('budget', `stopped after ${now} steps: the step budget is exhausted — the guest may be in an infinite loop`, EXIT_CODE_BUDGET, 'if the boot needs more steps, raise the budget (--max-steps); the timeline shows where it was spinning')
      }
      await this.pacer.pace()
      this.platform.serviceTimers()
      const limit = opts.pauseAt !== undefined && opts.pauseAt < budget ? opts.pauseAt : budget
      let n = BigInt(opts.sliceSteps ?? DEFAULT_SLICE_STEPS)
      if (limit - now < n) n = limit - now
      const next = this.platform.nextEventStep()
      if (next !== undefined && next > h.time && next - h.time < n) n = next - h.time
      const exit = h.run(Number(n > 0n ? n : 1n))
      this.afterRun(exit)
      if (exit === X86HartExit.DebugStop) {
        const rip = h.getReg('rip')
        return { reason: 'paused', message: `stopped by the debugger at rip ${hex(rip)}`, step: h.instret, pc: rip, debugStop: true }
      }
      this.serve(exit)
    }
  }

  private afterRun(exit: X86HartExit): void {
    if (this.x86.traced) {
      const bytes = this.x86.drainTrace()
      if (bytes.length) {
        const loop = this.trapWatch.scan(bytes)
        if (loop) this.requestStop('trap-loop', loop.message, EXIT_CODE_STUCK, loop.hint, loop.pc)
        if (this.traceHooks.length) {
          const records = decodeX86TraceRecords(bytes)
          for (const hook of this.traceHooks) hook(records)
        }
      }
    }
    for (const hook of this.exitHooks) hook(exit)
  }

  private serve(exit: X86HartExit): void {
    const h = this.x86
    switch (exit) {
      case X86HartExit.StepsDone:
      case X86HartExit.TraceFull:
        return
      case X86HartExit.Io:
        return this.serveIo()
      case X86HartExit.Mmio:
        return this.serveMmio()
      case X86HartExit.InterruptAck:
        h.acknowledgeInterrupt(this.platform.acknowledge())
        return
      case X86HartExit.Hlt:
        return this.serveHlt()
      case X86HartExit.Msr:
        h.completeMsr(null) // no MSRs outside the hart's own: #GP(0), as QEMU raises for an MSR it lacks
        return
      case X86HartExit.Tpr:
        this.platform.lapic.setTaskPriorityFromCr8(h.getReg('cr8'))
        this.platform.updateIntr()
        return
      case X86HartExit.TripleFault:
        return this.stopOnTripleFault()
      case X86HartExit.Unimplemented: {
        const u = h.undefinedOpcode
        const bytes = u ? Array.from(u.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') : '?'
        this.requestStop(
          'guest-error',
          `the instruction at rip ${hex(u?.rip ?? h.getReg('rip'))} (${u?.mnemonic ?? 'bytes'} ${bytes}) is not implemented by Bootscope's x86 hart: on a real CPU it would run; here it would raise #UD`,
          EXIT_CODE_STUCK,
          'this is a gap in Bootscope, not in your kernel: please report the instruction; avoid it for now (e.g. build without that extension)',
          u?.rip,
        )
        return
      }
      case X86HartExit.FetchOutsideRam: {
        const pa = h.mmio.addr
        const rip = h.getReg('rip')
        this.requestStop('guest-error', `the CPU fetched its next instruction at rip ${hex(rip)} = physical ${hex(pa)}, outside RAM (${hex(h.ram.length)} bytes): there is no code there`, EXIT_CODE_STUCK,
          rip >= 0xc000_0000n && h.pagingMode === 'none' ? 'paging is off, so a higher-half address is used as a physical one: jump high only after enabling paging with a mapping there' : 'check the jump or return that led here (the timeline shows the previous instruction)', rip)
        return
      }
      case X86HartExit.Breakpoint:
        this.requestStop('halt', `the hart stopped at rip ${hex(h.getReg('rip'))} (int3 or a host request)`, EXIT_CODE_STUCK)
        return
      default:
        this.requestStop('guest-error', `the x86 hart returned an unknown exit code ${exit as number}`, EXIT_CODE_STUCK)
    }
  }

  private serveIo(): void {
    const h = this.x86
    const io = h.io
    if (io.isWrite) {
      this.pollSince = undefined
      this.platform.ports.write(io.port, io.size, io.value)
      h.completeIo(0)
    } else {
      this.watchPolling(io.port)
      h.completeIo(this.platform.ports.read(io.port, io.size))
    }
  }

  /**
   * Reading only COM1's line status or the i8042's status with no input queued, for 1.5 s of guest
   * time, is waiting for a key (a polling shell): resumable, like a halt only input can end.
   */
  private watchPolling(port: number): void {
    const polling = (port === COM1_LSR || port === I8042_STATUS_PORT) && this.platform.pendingInput === 0
    if (!polling) {
      this.pollSince = undefined
      return
    }
    const now = this.x86.time
    if (this.pollSince === undefined) this.pollSince = now
    else if (now - this.pollSince >= INPUT_POLL_IDLE_STEPS) this.requestStop('waiting-for-input', `the guest polls for input (rip ${hex(this.x86.getReg('rip'))}) and none is queued`, 0)
  }

  private serveMmio(): void {
    const h = this.x86
    const a = h.mmio
    this.pollSince = undefined
    if (a.isWrite) {
      this.platform.mmio.write(a.addr, a.size, a.value)
      h.completeMmio(0n)
    } else {
      // Unassigned physical memory reads as 0 (QEMU's unassigned_mem_read); writes are dropped.
      h.completeMmio(this.platform.mmio.read(a.addr, a.size) ?? 0n)
    }
    this.platform.updateIntr()
  }

  /**
   * The address of the `hlt` the CPU sleeps in: RIP is already past it (an interrupt returns after
   * it, SDM vol. 2 HLT), so the stop names the byte before when it is hlt's 0xF4.
   */
  private hltAddress(): bigint {
    const rip = this.x86.getReg('rip')
    const t = this.view.translate(rip - 1n, 'fetch')
    return t.ok && this.view.readPhys(BigInt(t.pa), 1)?.[0] === 0xf4 ? rip - 1n : rip
  }

  /** `hlt`: skip guest time to the next timer edge, or say why nothing can ever come. */
  private serveHlt(): void {
    const h = this.x86
    if (!h.interruptible) {
      const rip = this.hltAddress()
      this.requestStop('wfi-deadlock', `cli; hlt at rip ${hex(rip)}: interrupts are off (IF = 0), so nothing can wake the CPU — stopped for good`, EXIT_CODE_STUCK,
        'this is how many kernels end on purpose; to exit with a status instead, write it to isa-debug-exit (outb 0xf4) as QEMU test kernels do', rip)
      return
    }
    // A timer whose interrupt is masked keeps ticking without waking anyone: after this many
    // edges skipped with no instruction retired, nothing it does will.
    if (this.idleSkipsAt !== h.instret) {
      this.idleSkipsAt = h.instret
      this.idleSkips = 0
    }
    const next = this.platform.nextEventStep()
    if (next !== undefined && this.idleSkips++ < MAX_IDLE_SKIPS) {
      if (this.sleepsForInput()) {
        const rip = this.hltAddress()
        this.requestStop('waiting-for-input', `the guest sleeps in hlt (rip ${hex(rip)}), woken only by its timer, and waits for an interrupt only input can bring; no input is queued`, 0, undefined, rip)
        return
      }
      if (next > h.time) h.advanceTime(next - h.time)
      this.platform.serviceTimers()
      return
    }
    if (this.platform.pendingInput === 0 && this.platform.inputCanInterrupt()) {
      const rip = this.hltAddress()
      this.requestStop('waiting-for-input', `the guest waits (hlt at rip ${hex(rip)}) for an interrupt only input can bring, and no input is queued`, 0, undefined, rip)
      return
    }
    const rip = this.hltAddress()
    const why = next === undefined ? 'no timer is running and no device can interrupt' : `the timers tick, but ${MAX_IDLE_SKIPS} of their edges brought no interrupt the CPU takes (masked in the PIC, the I/O APIC or the local APIC)`
    this.requestStop('wfi-deadlock', `hlt at rip ${hex(rip)} with interrupts on, but ${why}: nothing can ever wake the CPU`, EXIT_CODE_STUCK,
      'program a timer (PIT, local APIC) or enable a device interrupt before hlt, and unmask it in the PIC or the I/O APIC', rip)
  }

  /**
   * Halted, with a timer running: has the guest done nothing but sleep and serve ticks for
   * `INPUT_POLL_IDLE_STEPS` of guest time, while a typed key could wake it?
   */
  private sleepsForInput(): boolean {
    const h = this.x86
    const idle = h.time - h.instret
    if (this.platform.pendingInput !== 0 || !this.platform.inputCanInterrupt()) {
      this.quietSince = undefined
      return false
    }
    if (!this.quietSince) {
      this.quietSince = { time: h.time, idle }
      return false
    }
    const elapsed = h.time - this.quietSince.time
    if (elapsed < INPUT_POLL_IDLE_STEPS) return false
    if ((idle - this.quietSince.idle) * 1000n >= elapsed * IDLE_SHARE_PER_MILLE) return true
    this.quietSince = { time: h.time, idle } // busy between ticks: start over
    return false
  }

  private faultContext(): FaultContext {
    const view = this.view
    const h = this.x86
    return {
      translate: (va, access) => view.translate(va, access),
      longMode: h.mode === 'long' || h.mode === 'compat',
      idt: h.idtr,
      gateIst: (vector) => {
        const idt = h.idtr
        const t = view.translate(idt.base + BigInt(vector * 16 + 4), 'load')
        if (!t.ok) return undefined
        const b = view.readPhys(BigInt(t.pa), 1)
        return b ? b[0] & 7 : undefined
      },
    }
  }

  private stopOnTripleFault(): void {
    const tf = this.x86.tripleFault
    if (!tf) {
      this.requestStop('triple-fault', 'the CPU shut down (triple fault)', EXIT_CODE_STUCK)
      return
    }
    const e = explainTripleFault(tf, this.faultContext())
    this.requestStop('triple-fault', e.message, EXIT_CODE_STUCK, e.hint, e.pc)
  }

  private requestStop(reason: StopReason, message: string, exitCode?: number, hint?: string, pc?: bigint): void {
    if (reason === 'waiting-for-input' && this.heldInput) {
      const data = this.heldInput
      this.heldInput = undefined
      this.sendInput(data)
      this.platform.updateIntr()
      return
    }
    if (!this.pendingStop) this.pendingStop = { reason, message, exitCode, hint, pc }
  }

  private finish(reason: StopReason, message: string, exitCode?: number, hint?: string, pc?: bigint): StopInfo {
    const info: StopInfo = { reason, message, exitCode, step: this.x86.instret, pc: pc ?? this.x86.getReg('rip'), ...(hint ? { hint } : {}) }
    this.stopInfo = info
    this.emit({ kind: 'stop', step: info.step, stop: info })
    return info
  }

  private emitConsole(byte: number): void {
    this.pollSince = undefined
    this.quietSince = undefined
    this.console.push(byte)
    this.emit({ kind: 'uart', step: this.x86.instret, byte })
  }

  private emit(e: MachineEvent): void {
    for (const l of this.listeners) l(e)
  }
}
