/**
 * The QEMU-`virt` machine around the hart: builds the devices on a bus, the device tree, the boot
 * ROM and the images (`boot/boot-plan.ts`), then runs the hart in slices and serves its exits —
 * MMIO to the bus, firmware traps to the built-in SBI, `wfi` by fast-forwarding time to the next
 * timer event — until the guest shuts down or gets stuck, which it explains (`trap-watch.ts`).
 * Everything is driven by the step count (retired instructions), so the same inputs give the same
 * run: host input is queued and handed to the UART at the step `sendInput` is called between runs.
 */
import { err, ok, type Result } from '../../shared/api/result'
import { DEFAULT_BOOT_MAX_STEPS } from '../../shared/api/boot'
import type { HartApi, HartOptions } from './hart/hart-api'
import { HartExit } from './hart/hart-api'
import { Hart } from './hart/hart'
import { Bus, type AccessSize, type DmaMemory } from './devices/bus'
import { Clint } from './devices/clint'
import { CowDisk, type DiskBase } from './devices/cow-disk'
import { virtDeviceTree, writeFdt } from './devices/fdt'
import { DRAM_BASE, DRAM_DEFAULT_SIZE_BYTES, MIP_MEIP, MIP_SEIP, TIMEBASE_FREQUENCY_HZ, UART0_BASE, UART0_IRQ, VIRTIO_IRQ, VIRTIO_MMIO_BASE, VIRTIO_MMIO_COUNT, VIRTIO_MMIO_STRIDE_BYTES } from './devices/memory-map'
import { Plic } from './devices/plic'
import { TestFinisher, type FinisherRequest } from './devices/test-finisher'
import { UART_LSR, Uart16550 } from './devices/uart-16550'
import { VirtioMmioBlock } from './devices/virtio-mmio-block'
import { planBoot, type BiosChoice, type BootPlan, type ImageFile, type KernelFile } from './boot/boot-plan'
import { CAUSE_INSTRUCTION_PAGE_FAULT, CSR } from './boot/csr-numbers'
import { symbolAddress } from './boot/loader'
import { BuiltinSbi, SBI_SRST_RESET_REASON_SYSFAIL, SBI_SRST_RESET_TYPE_SHUTDOWN } from './boot/sbi'
import type { MachineEvent, MachineListener, StopInfo, StopReason } from './machine-events'
import { ramReader } from '../../shared/paging/page-walk'
import { TrapWatch, type TrapLoop } from './trap-watch'
import { TohostWatch } from './tohost'
import { loadDeviceState, saveDeviceState } from './device-state'
import type { BootMachine, CancelReason, MachineSnapshot, RunOptions } from './core/boot-machine'
import type { LoadedImage } from './boot/loader'
import { RiscvView } from './riscv/riscv-view'
import { ConsoleRing } from './core/console-ring'
import { YieldPacer } from './core/yield-pacer'

export type { MachineEvent, MachineListener, StopInfo, StopReason } from './machine-events'
export type { MachineSnapshot, RunOptions } from './core/boot-machine'

/** The default step budget (`DEFAULT_BOOT_MAX_STEPS`: 5 G steps, enough for xv6 and Linux to boot). */
export const DEFAULT_MAX_STEPS = BigInt(DEFAULT_BOOT_MAX_STEPS)
export const DEFAULT_SLICE_STEPS = 1_000_000
/** Shorter slices while a tohost guest may be waiting on the host, or firmware has not handed off yet. */
export const TOHOST_SLICE_STEPS = 10_000
export const HANDOFF_WATCH_SLICE_STEPS = 4096
/** The yield clock (core/yield-pacer.ts) is looked at after every full slice, and once per this many (+1) other hart exits. */
const YIELD_CHECK_EVERY_EXITS = 63

/**
 * Hart exits in a row with no instruction retired before the machine calls it a fault loop, whatever
 * the trap watch recognised: each is a slice of traps (the hart returns after a slice's worth of
 * them, or when its trace ring fills), so a loop of traps that never retires anything still ends —
 * the step budget alone would never run out.
 */
export const STALLED_EXITS_LIMIT = 64

const MIE_MTIE = 1n << 7n
const MIE_EXTERNAL = (1n << BigInt(MIP_MEIP)) | (1n << BigInt(MIP_SEIP))

/** Process exit codes for stops that are not the guest's own. */
export const EXIT_CODE_BUDGET = 124
export const EXIT_CODE_STUCK = 125
export const EXIT_CODE_CANCELLED = 130

export interface MachineConfig {
  /** An ELF, a RISC-V Linux Image, or a raw binary with its `rawAddr` (`boot/kernel-image.ts`). */
  kernel?: KernelFile
  /** Default: 'builtin'. */
  bios?: BiosChoice
  /** Loaded where QEMU's -initrd puts it; `/chosen` says where. */
  initrd?: ImageFile
  disk?: DiskBase
  memBytes?: number
  /** Watch the kernel's `tohost` symbol (riscv-tests protocol). */
  tohost?: boolean
  /** The kernel command line (`/chosen/bootargs`, QEMU's -append). */
  bootargs?: string
  /** The strict-TLB teaching mode: only sfence.vma flushes the TLB, so a missing fence shows up (QEMU flushes on satp writes too). */
  strictTlb?: boolean
  trace?: boolean
  /** Guest time (mtime ticks) of pure UART input polling that counts as waiting for input (default `INPUT_POLL_IDLE_TICKS`). */
  inputPollIdleTicks?: bigint
  /**
   * Serve the UART's side-effect-free register reads (a polled line status) inside the hart instead
   * of as MMIO exits (default true). The run is the same either way, only faster; off is for
   * measuring and for the tests that prove it.
   */
  uartReadsInHart?: boolean
  /** Where the hart comes from (default: `Hart.create` from `hart/hart.ts`). */
  createHart?: (options: HartOptions) => Promise<HartApi>
  listener?: MachineListener
}

/**
 * Guest time of nothing but polling the UART for input before the machine says the guest waits
 * for input: 1.5 s, longer than the second between two lines of U-Boot's autoboot countdown (which
 * polls the same way), shorter than the default step budget.
 */
export const INPUT_POLL_IDLE_TICKS = (3n * BigInt(TIMEBASE_FREQUENCY_HZ)) / 2n

/** A polling streak this long (10 ms of guest time) when the budget runs out counts as waiting for input. */
const POLL_STREAK_AT_BUDGET_TICKS = BigInt(TIMEBASE_FREQUENCY_HZ) / 100n

/**
 * A polling streak this long (10 ms of guest time) means the guest asks for input: held input
 * (`typeWhenAsked`) is typed then. U-Boot's autoboot countdown polls every 10 ms between the
 * seconds it prints; OpenSBI's console polls the line status only around each byte it writes.
 */
export const INPUT_ASK_TICKS = BigInt(TIMEBASE_FREQUENCY_HZ) / 100n

/** Machine fields that are wiring or history, not the state a checkpoint restores. */
const MACHINE_WIRING = ['exits', 'stalledExits', 'bus', 'uart', 'plic', 'virtio', 'sbi', 'console', 'listeners', 'trapWatch', 'tohost', 'plan', 'hart', 'config', 'hostWritten', 'disk', 'cancelRequested', 'pauseRequested', 'view', 'exitHooks', 'pacer']

async function defaultCreateHart(options: HartOptions): Promise<HartApi> {
  return new Hart(options)
}

const hex = (x: bigint) => `0x${x.toString(16)}`

export class Machine implements BootMachine {
  readonly arch = 'riscv64' as const
  readonly preset = 'riscv64-virt' as const
  readonly ramBase = DRAM_BASE
  readonly view: RiscvView
  readonly bus = new Bus()
  readonly uart: Uart16550
  readonly plic: Plic
  readonly virtio: VirtioMmioBlock[] = []
  /** The disk behind virtio0 (`--disk`), seen through its copy-on-write overlay. */
  private readonly disk?: CowDisk
  readonly sbi?: BuiltinSbi
  /** Everything the UART (and the SBI console) printed, for callers that want the text. */
  readonly console = new ConsoleRing()
  private readonly listeners: MachineListener[] = []
  private readonly trapWatch = new TrapWatch()
  private readonly tohost?: TohostWatch
  private plan!: BootPlan
  private pendingStop?: { reason: StopReason; message: string; exitCode?: number; hint?: string; pc?: bigint }
  private stopInfo?: StopInfo
  /** Set by `cancel`: the run ends with this at the next exit or slice end. */
  private cancelRequested: { reason: CancelReason; message: string; exitCode: number } | undefined = undefined
  private pauseRequested = false
  private handoffSeen: boolean
  /** The firmware has prepared an mret into the kernel (MPP = S, mepc in the kernel): run one step at a time until the privilege drops. */
  private handoffArmed = false
  private wfiStalls = 0
  /** Set by host writes into RAM; the caches are dropped before the hart runs again. */
  private cachesStale = false
  /** RAM pages written by the host (DMA, SBI) since `takeHostWrittenPages`: the hart's dirty bits do not see them. */
  private hostWritten = new Set<number>()
  /** Input held back until the guest asks for it (`typeWhenAsked`). */
  private heldInput?: Uint8Array
  /** When `run` lets the event loop in, paced across calls (core/yield-pacer.ts). Not state. */
  private readonly pacer = new YieldPacer()
  /** Hart exits so far (for the yield check's pace; not state). */
  private exits = 0
  private readonly exitHooks: ((exit: number) => void)[] = []
  /** Hart exits in a row that retired no instruction: only a fault loop does that (see `STALLED_EXITS_LIMIT`). */
  private stalledExits = 0

  private constructor(
    readonly hart: HartApi,
    readonly config: MachineConfig,
  ) {
    if (config.listener) this.listeners.push(config.listener)
    this.view = new RiscvView(hart, DRAM_BASE)
    this.plic = new Plic((bit, level) => hart.setInterruptLine(bit, level))
    const inHart = config.uartReadsInHart ?? true
    this.uart = new Uart16550({
      irq: this.plic.line(UART0_IRQ),
      output: (b, step) => this.emitConsole(b, step),
      now: () => hart.instret,
      mirror: inHart ? (registers, pure, idle) => hart.publishUart(registers, pure, idle) : undefined,
    })
    hart.mirrorUart(inHart ? UART0_BASE : 0n, UART_LSR)
    hart.inputPollSince = undefined
    this.setPollLimit()
    const memory: DmaMemory = { read: (a, out) => this.readPhys(a, out), write: (a, d) => this.writePhys(a, d) }
    const disk = config.disk ? new CowDisk(config.disk, (sector, data) => this.emit({ kind: 'disk-write', step: hart.instret, sector, data })) : undefined
    this.disk = disk
    for (let i = 0; i < VIRTIO_MMIO_COUNT; i++) {
      const dev = new VirtioMmioBlock({
        name: `virtio${i}`,
        base: VIRTIO_MMIO_BASE + BigInt(i) * VIRTIO_MMIO_STRIDE_BYTES,
        irq: this.plic.line(VIRTIO_IRQ + i),
        memory,
        disk: i === 0 ? disk : undefined,
        onError: (message) => this.emit({ kind: 'warning', step: hart.instret, message }),
      })
      this.virtio.push(dev)
      this.bus.attach(dev)
    }
    this.bus.attach(this.uart)
    this.bus.attach(this.plic)
    this.bus.attach(new Clint(hart))
    this.bus.attach(new TestFinisher((r) => this.onFinisher(r)))
    const bios = config.bios ?? 'builtin'
    this.handoffSeen = typeof bios === 'string'
    if (bios === 'builtin') {
      this.sbi = new BuiltinSbi(hart, {
        consolePutchar: (b) => this.emitConsole(b, hart.instret),
        consoleGetchar: () => this.uart.takeInputByte(),
        readPhys: (a, n) => {
          const out = new Uint8Array(n)
          return this.readPhys(a, out) ? out : undefined
        },
        writePhys: (a, d) => this.writePhys(a, d),
        systemReset: (type, reason) => {
          if (type === SBI_SRST_RESET_TYPE_SHUTDOWN) {
            const code = reason === SBI_SRST_RESET_REASON_SYSFAIL ? 1 : 0
            this.requestStop('shutdown', `the guest shut down through SBI${reason === SBI_SRST_RESET_REASON_SYSFAIL ? ' (reason: system failure)' : ''}`, code)
          } else {
            this.requestStop('reset', `the guest asked for a ${type === 1 ? 'cold' : 'warm'} reboot through SBI SRST; Bootscope stops here`, 0)
          }
        },
        hartStop: () => this.requestStop('hart-stopped', 'the only hart stopped itself (SBI HSM hart_stop): nothing is left running', EXIT_CODE_STUCK),
        flushLocal: () => this.invalidateHartCaches(),
      })
    }
    if (config.tohost) this.tohost = new TohostWatch()
  }

  /** Builds the machine and loads the images; user mistakes (bad ELF, segment outside RAM…) are error values. */
  static async create(config: MachineConfig): Promise<Result<Machine>> {
    const ramSize = config.memBytes ?? DRAM_DEFAULT_SIZE_BYTES
    let hart: HartApi
    try {
      hart = await (config.createHart ?? defaultCreateHart)({ ramBase: DRAM_BASE, ramSize, trace: config.trace })
    } catch (e) {
      // A missing or broken wasm build is not the user's kernel's fault: say what to do.
      return err('machine.hart_unavailable', `cannot start the hart: ${(e as Error).message}`, { hint: 'run `npm run build:wasm`, then try again' })
    }
    const m = new Machine(hart, config)
    const plan = planBoot({
      ram: { base: DRAM_BASE, bytes: hart.ram },
      rom: hart.rom,
      deviceTree: ({ initrd }) => writeFdt(virtDeviceTree({ ramBase: DRAM_BASE, ramSize: hart.ram.length, bootargs: config.bootargs, initrd })),
      bios: config.bios ?? 'builtin',
      kernel: config.kernel,
      initrd: config.initrd,
    })
    if (!plan.ok) return plan
    m.plan = plan.value
    if (config.tohost) {
      const va = plan.value.kernel && symbolAddress(plan.value.kernel, 'tohost')
      if (va === undefined) {
        return err('boot.no_tohost', `${config.kernel?.file ?? 'kernel'}: --tohost needs a \`tohost\` symbol, and the kernel has none`, {
          hint: 'riscv-tests define it in section .tohost; drop --tohost for other kernels',
        })
      }
      const pa = m.physOf(va) ?? va
      m.tohost!.attach(pa)
      hart.exitOnStore?.(pa)
    }
    if (config.strictTlb) hart.strictTlb = true
    m.start()
    return ok(m)
  }

  addListener(l: MachineListener): void {
    this.listeners.push(l)
  }

  get bootPlan(): BootPlan {
    return this.plan
  }

  get images(): LoadedImage[] {
    return [this.plan.kernel, this.plan.firmware].filter((i): i is LoadedImage => !!i)
  }

  onHartExit(fn: (exit: number) => void): void {
    this.exitHooks.push(fn)
  }

  /** Replay: input recorded at this step goes to the UART without a new input event. */
  deliverInput(bytes: Uint8Array): void {
    this.hart.inputPollSince = undefined // as when it was typed (`sendInput`), so replay stops where the boot did
    this.uart.receive(bytes)
  }

  get steps(): bigint {
    return this.hart.instret
  }

  /** The console output so far as text. */
  consoleText(): string {
    return this.console.text()
  }

  /** Host input (typed keys): handed to the UART now, recorded with the current step. */
  sendInput(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
    this.emit({ kind: 'input', step: this.hart.instret, bytes: data })
    this.hart.inputPollSince = undefined
    this.uart.receive(data)
  }

  /**
   * Input typed when the guest first asks for it, not now (the command line's --input): a key given
   * at step 0 would be read and dropped by firmware that empties the UART as it starts (OpenSBI
   * reads RBR once), long before U-Boot's autoboot countdown looks for a key. The guest asks by
   * polling the line status with no input pending for `INPUT_ASK_TICKS` of guest time, or by turning
   * on the received-data interrupt (interrupt-driven drivers: Linux, xv6). The input is recorded at
   * the step it is typed, so replay needs nothing of this.
   */
  typeWhenAsked(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
    const held = this.heldInput ?? new Uint8Array(0)
    this.heldInput = new Uint8Array([...held, ...data])
    this.setPollLimit()
    if (this.uart.rxInterruptEnabled) this.typeHeldInput()
  }

  /** Input still held back because the guest has not asked for input yet. */
  get inputHeldBack(): number {
    return this.heldInput?.length ?? 0
  }

  private typeHeldInput(): void {
    const data = this.heldInput
    if (!data) return
    this.heldInput = undefined
    this.setPollLimit()
    this.sendInput(data)
  }

  /** The polling streak at which a poll served in the hart comes to the host instead: when it would decide something. */
  private setPollLimit(): void {
    const idle = this.config.inputPollIdleTicks ?? INPUT_POLL_IDLE_TICKS
    this.hart.inputPollLimit = this.heldInput && INPUT_ASK_TICKS < idle ? INPUT_ASK_TICKS : idle
  }

  /**
   * Everything but RAM, for replay checkpoints: the hart's registers and CSRs, every device, and
   * the run's own state (a pending or final stop, the hand-off watch). Needs a hart with `saveState`.
   */
  saveState(): MachineSnapshot {
    const h = this.hart
    if (!h.saveState) throw new Error('this hart cannot save its state')
    const devices = [this.uart, this.plic, ...this.virtio, this.sbi, this.trapWatch, this.tohost].map((d) => (d ? saveDeviceState(d) : undefined))
    return {
      step: h.instret,
      hart: h.saveState(),
      devices,
      run: saveDeviceState(this, MACHINE_WIRING),
      consoleLength: this.console.length,
      ...(this.disk ? { disk: this.disk.snapshot() } : {}),
    }
  }

  /** Puts back a `saveState` (RAM is the caller's business, see `takeHostWrittenPages`). */
  loadState(s: MachineSnapshot): void {
    const h = this.hart
    if (!h.loadState) throw new Error('this hart cannot load a state')
    h.loadState(s.hart)
    this.pendingStop = undefined
    this.stopInfo = undefined
    ;[this.uart, this.plic, ...this.virtio, this.sbi, this.trapWatch, this.tohost].forEach((d, i) => {
      const saved = s.devices[i]
      if (d && saved) loadDeviceState(d, saved)
    })
    loadDeviceState(this, s.run)
    if (this.disk && s.disk) this.disk.restore(s.disk)
    this.console.truncate(s.consoleLength)
    this.cancelRequested = undefined
    this.pauseRequested = false
    this.stalledExits = 0
  }

  readDiskSector(sector: number, out: Uint8Array): boolean {
    if (!this.disk || sector < 0 || sector >= this.disk.sectors) return false
    this.disk.readSector(sector, out)
    return true
  }

  /** RAM pages (4 KiB, from the RAM base) the host wrote since the last call. */
  takeHostWrittenPages(): number[] {
    const pages = [...this.hostWritten]
    this.hostWritten.clear()
    return pages
  }

  /**
   * Stops a running `run` at the next exit or slice end (final): 'cancelled' by the user, or on the
   * recorder's behalf — 'interrupted' by a signal, 'size-limit' when the recording is full.
   */
  cancel(reason: CancelReason = 'cancelled', message = 'cancelled by the user', exitCode = EXIT_CODE_CANCELLED): void {
    this.cancelRequested ??= { reason, message, exitCode }
  }

  /** Stops a running `run` at the next exit with reason 'paused'; `run` can continue later. */
  pause(): void {
    this.pauseRequested = true
  }

  private start(): void {
    const h = this.hart
    const p = this.plan
    for (const img of [p.firmware, p.kernel]) for (const segment of img?.segments ?? []) this.emit({ kind: 'segment-loaded', step: 0n, segment })
    if (p.initrd) {
      const { start, end } = p.initrd
      this.emit({ kind: 'segment-loaded', step: 0n, segment: { image: 'initrd', vaddr: start, paddr: start, filesz: Number(end - start), memsz: end - start, sections: [] } })
    }
    for (const message of p.warnings) this.emit({ kind: 'warning', step: 0n, message })
    h.pc = p.start.pc
    h.priv = p.start.priv
    h.setX(10, p.start.a0)
    h.setX(11, p.start.a1)
    if (this.sbi) {
      this.sbi.initMachineState()
      h.firmwareTraps = true
      this.emit({ kind: 'firmware-handoff', step: 0n, from: 'builtin', mode: 'S', entry: p.start.pc, a0: p.start.a0, a1: p.start.a1, exact: true })
    } else {
      // The ROM runs six instructions, then jumps to DRAM base with a0 = hart id, a1 = FDT.
      this.emit({ kind: 'firmware-handoff', step: 0n, from: 'rom', mode: 'M', entry: DRAM_BASE, a0: 0n, a1: p.fdtAddr, exact: true })
    }
  }

  /** Runs until a stop; returns why. A 'paused' run can be continued by calling `run` again. */
  async run(opts: RunOptions = {}): Promise<StopInfo> {
    if (this.stopInfo) return this.stopInfo
    const h = this.hart
    const budget = BigInt(opts.maxSteps ?? DEFAULT_MAX_STEPS)
    let lastExit: HartExit | undefined
    for (;;) {
      if (this.cancelRequested) return this.finish(this.cancelRequested.reason, this.cancelRequested.message, this.cancelRequested.exitCode)
      if (this.pauseRequested) {
        this.pauseRequested = false
        return { reason: 'paused', message: 'paused', step: h.instret, pc: h.pc }
      }
      if (this.pendingStop) {
        const p = this.pendingStop
        this.pendingStop = undefined
        // Waiting for input is not the end: after `sendInput`, `run` continues the same boot.
        if (p.reason === 'waiting-for-input') return { reason: p.reason, message: p.message, exitCode: p.exitCode, step: h.instret, pc: h.pc }
        return this.finish(p.reason, p.message, p.exitCode, p.hint, p.pc)
      }
      const now = h.instret
      if (opts.pauseAt !== undefined && now >= opts.pauseAt) return { reason: 'paused', message: `paused at step ${now}`, step: now, pc: h.pc }
      if (now >= budget) {
        // Out of steps while the guest has been polling for input for a while: it is waiting for
        // the user, not running away — say so (resumable) rather than end the boot.
        const pollSince = h.inputPollSince
        if (pollSince !== undefined && h.mtime - pollSince >= POLL_STREAK_AT_BUDGET_TICKS) {
          return { reason: 'waiting-for-input', message: `the guest polls the UART for input (pc ${hex(h.pc)}) and none is queued`, step: now, pc: h.pc }
        }
        return this.finish(
          'budget',
          budget === DEFAULT_MAX_STEPS
            ? `stopped after ${now} steps: the default step budget (${DEFAULT_MAX_STEPS} steps, about a minute of emulation) is exhausted — the guest may be in an infinite loop`
            : `stopped after ${now} steps: the step budget is exhausted — the guest may be in an infinite loop`,
          EXIT_CODE_BUDGET,
          'if the boot needs more steps, raise the budget (--max-steps on the command line, Step budget in Open ELF…); the timeline shows where it was spinning',
        )
      }
      const slice = this.handoffArmed ? 1 : (opts.sliceSteps ?? (!this.handoffSeen ? HANDOFF_WATCH_SLICE_STEPS : this.tohost ? TOHOST_SLICE_STEPS : DEFAULT_SLICE_STEPS))
      const limit = opts.pauseAt !== undefined && opts.pauseAt < budget ? opts.pauseAt : budget
      const n = limit - now < BigInt(slice) ? Number(limit - now) : slice
      if (this.cachesStale) this.invalidateHartCaches()
      // Let the host's other work in (typed input, a cancel, requests) every few milliseconds —
      // also when device exits end every slice early (a guest polling the UART).
      if ((lastExit === HartExit.StepsDone || (this.exits++ & YIELD_CHECK_EVERY_EXITS) === 0) && this.pacer.due) await this.pacer.yieldNow()
      const exit = h.run(n)
      lastExit = exit
      for (const hook of this.exitHooks) hook(exit)
      if (!this.handoffSeen) this.watchHandoff()
      // A slice (or a full trace ring) with nothing retired is a slice of traps; device and firmware exits are not counted.
      if (h.instret !== now) this.stalledExits = 0
      else if (exit === HartExit.StepsDone || exit === HartExit.TraceFull) this.stalledExits++
      switch (exit) {
        case HartExit.StepsDone:
          this.sliceEnd()
          break
        case HartExit.Mmio:
          this.serveMmio()
          break
        case HartExit.FirmwareTrap:
          this.serveFirmwareTrap()
          break
        case HartExit.Wfi:
          this.serveWfi()
          break
        case HartExit.TraceFull:
          // The recorder drains the rings from its listener. A fault loop fills them without
          // retiring anything: look at it as at a slice end.
          if (this.stalledExits > 0) this.sliceEnd()
          break
        case HartExit.DebugStop:
          return { reason: 'paused', message: `stopped by the debugger at ${hex(h.pc)}`, step: h.instret, pc: h.pc, debugStop: true }
        case HartExit.Halt:
          this.requestStop('halt', `the hart halted at ${hex(h.pc)} (ebreak or host request)`, EXIT_CODE_STUCK)
          break
        default:
          this.requestStop('guest-error', `the hart returned an unknown exit code ${exit as number}`, EXIT_CODE_STUCK)
      }
    }
  }

  private serveMmio(): void {
    const h = this.hart
    const a = h.mmio
    this.watchInputPolling(a.addr, a.isWrite)
    if (a.isFetch) {
      h.completeMmio(0n, true) // devices are not executable: instruction access fault
      return
    }
    const size = a.size as AccessSize
    if (a.isWrite) {
      const okWrite = this.bus.write(a.addr, size, a.value)
      h.completeMmio(0n, !okWrite)
      if (this.heldInput && this.uart.rxInterruptEnabled) this.typeHeldInput()
    } else {
      const v = this.bus.read(a.addr, size)
      h.completeMmio(v ?? 0n, v === undefined)
    }
  }

  /**
   * A guest that does nothing but read the UART's line status with no input queued, for
   * `INPUT_POLL_IDLE_TICKS` of guest time (1.5 s), is waiting for a key (U-Boot at its prompt, a polling
   * shell): say so, as for a wfi that only input can end, instead of burning the step budget. Any
   * other device access, firmware call or output breaks the streak (U-Boot's autoboot countdown
   * prints every second, so it never gets this far). Polls the hart serves itself keep the same
   * streak (`hart/assembly/uart-mirror.ts`) and come here once it reaches `inputPollLimit`. A streak
   * of `INPUT_ASK_TICKS` types held input (`typeWhenAsked`) before this poll reads the line status.
   */
  private watchInputPolling(addr: bigint, isWrite: boolean): void {
    const h = this.hart
    const polling = !isWrite && addr === UART0_BASE + BigInt(UART_LSR) && this.uart.pendingInput === 0
    if (!polling) {
      h.inputPollSince = undefined
      return
    }
    const now = h.mtime
    const since = h.inputPollSince
    if (since === undefined) h.inputPollSince = now
    else if (this.heldInput && now - since >= INPUT_ASK_TICKS) this.typeHeldInput()
    else if (now - since >= (this.config.inputPollIdleTicks ?? INPUT_POLL_IDLE_TICKS) && !this.pendingStop) {
      this.requestStop('waiting-for-input', `the guest polls the UART for input (pc ${hex(h.pc)}) and none is queued`, 0)
    }
  }

  private serveFirmwareTrap(): void {
    const h = this.hart
    h.inputPollSince = undefined
    const sbi = this.sbi
    const trap = h.trap
    if (!sbi) {
      this.requestStop('guest-error', `a firmware trap with no built-in firmware (cause ${trap.cause}, epc ${hex(trap.epc)})`, EXIT_CODE_STUCK)
      return
    }
    const satp = h.getCsr(CSR.satp) ?? 0n
    if (trap.cause === CAUSE_INSTRUCTION_PAGE_FAULT) {
      const loop = this.trapWatch.checkFetchFault(trap, satp, h.instret, {
        memory: ramReader(h.ram, DRAM_BASE),
        ram: { base: DRAM_BASE, size: BigInt(h.ram.length) },
        stvec: h.getCsr(CSR.stvec) ?? 0n,
      })
      if (loop) return this.stopOnLoop(loop)
    } else {
      this.trapWatch.observeSatp(satp, h.instret)
    }
    const action = sbi.handleTrap(trap)
    if (action.kind === 'stop') {
      if (!this.pendingStop) {
        this.requestStop('halt', `the built-in firmware cannot handle trap cause ${hex(trap.cause)} from privilege ${trap.fromPriv} at ${hex(trap.epc)}`, EXIT_CODE_STUCK)
      }
      return
    }
    // Redirected exceptions (not SBI calls, not the timer) are where a trap loop shows up.
    const isRedirect = action.priv === 1 && action.pc !== trap.epc + 4n && (trap.cause >> 63n) === 0n
    if (isRedirect) {
      const loop = this.trapWatch.checkRepeat(trap, action.pc)
      if (loop) return this.stopOnLoop(loop)
    } else {
      this.trapWatch.resetRepeats()
    }
    h.resumeAt(action.pc, action.priv)
  }

  private serveWfi(): void {
    const h = this.hart
    const mie = h.getCsr(CSR.mie) ?? 0n
    if (mie & MIE_MTIE && h.mtimecmp > h.mtime) {
      h.mtime = h.mtimecmp // nothing else can happen before the timer fires: skip the idle time
      this.wfiStalls = 0
      return
    }
    if (mie & MIE_MTIE || this.plic.asserted) {
      // An interrupt is already due; the hart takes it on re-entry. Three such exits in a row
      // without a slice ending in between means it never will.
      if (++this.wfiStalls < 3) return
    }
    if (mie & MIE_EXTERNAL && this.uart.rxInterruptEnabled) {
      this.requestStop('waiting-for-input', `the guest waits (wfi at ${hex(h.pc)}) for an interrupt only input can bring, and no input is queued`, 0)
      return
    }
    this.requestStop('wfi-deadlock', `wfi with interrupts disabled and no timer at ${hex(h.pc)}: nothing can ever wake the hart`, EXIT_CODE_STUCK)
  }

  /**
   * A firmware file hands over to the kernel with `mret`; the hand-off is the privilege change
   * into the kernel. We look at each exit: once the hart runs below M-mode, the hand-off has
   * happened — exactly here when the PC is the kernel's entry (a0/a1 are then the firmware's real
   * arguments, e.g. OpenSBI fw_jump's "Next Arg1"). In M-mode with mstatus.MPP = S and mepc at the
   * kernel's entry the firmware has prepared that mret: run one step at a time until the privilege
   * drops, so the `mret` is caught at its step rather than a few instructions early, still in
   * M-mode, with guessed registers. With mepc elsewhere in the kernel image the kernel already runs
   * and this is one of its SBI calls: the hand-off was earlier, inside the last slice.
   */
  private watchHandoff(): void {
    const h = this.hart
    if (h.priv === 3) {
      const mpp = ((h.getCsr(CSR.mstatus) ?? 0n) >> 11n) & 3n
      const mepc = h.getCsr(CSR.mepc) ?? 0n
      const k = this.plan.kernel
      const entry = this.plan.kernelEntry
      this.handoffArmed = mpp === 1n && entry !== undefined && mepc === entry
      if (this.handoffArmed || mpp !== 1n || !k || mepc < k.lowestPaddr || mepc >= k.highestPaddrEnd) return
    }
    this.handoffArmed = false
    this.handoffSeen = true
    const bios = this.config.bios
    const from = typeof bios === 'object' ? bios.file : 'firmware'
    const entry = this.plan.kernelEntry ?? h.pc
    const exact = h.priv === 1 && h.pc === entry
    this.emit({
      kind: 'firmware-handoff',
      step: h.instret,
      from,
      mode: 'S',
      entry,
      a0: exact ? h.getX(10) : 0n,
      a1: exact ? h.getX(11) : this.plan.fdtAddr,
      exact,
    })
  }

  private sliceEnd(): void {
    const h = this.hart
    const step = h.instret
    this.wfiStalls = 0
    this.trapWatch.observeSatp(h.getCsr(CSR.satp) ?? 0n, step)
    if (this.tohost) {
      const r = this.tohost.poll(this.hart.ram, DRAM_BASE, (b) => this.emitConsole(b, step))
      if (r) this.requestStop('tohost', r.message, r.exitCode)
    }
    if (!this.pendingStop) {
      const loop = this.trapWatch.checkVectorLoop(h, step, h.trapChainStart) ?? (this.stalledExits >= STALLED_EXITS_LIMIT ? this.trapWatch.stalled(h, step, h.trapChainStart) : undefined)
      if (loop) this.stopOnLoop(loop)
    }
  }

  private stopOnLoop(loop: TrapLoop): void {
    this.requestStop('trap-loop', loop.message, EXIT_CODE_STUCK, loop.hint, loop.pc)
  }

  private onFinisher(r: FinisherRequest): void {
    if (r.kind === 'reset') this.requestStop('reset', 'the guest asked for a reset through the test finisher (0x7777); Bootscope stops here', 0)
    else this.requestStop('shutdown', r.kind === 'pass' ? 'the guest powered off (test finisher: pass)' : `the guest powered off with exit code ${r.code} (test finisher: fail)`, r.code)
  }

  /** `pc`: the instruction to blame when it is not where the hart stands (the faulting one of a trap loop). */
  private requestStop(reason: StopReason, message: string, exitCode?: number, hint?: string, pc?: bigint): void {
    if (!this.pendingStop) this.pendingStop = { reason, message, exitCode, hint, pc }
  }

  private finish(reason: StopReason, message: string, exitCode?: number, hint?: string, pc?: bigint): StopInfo {
    const info: StopInfo = { reason, message, exitCode, step: this.hart.instret, pc: pc ?? this.hart.pc, ...(hint ? { hint } : {}) }
    this.stopInfo = info
    this.emit({ kind: 'stop', step: info.step, stop: info })
    return info
  }

  private emitConsole(byte: number, step: bigint): void {
    this.console.push(byte)
    this.emit({ kind: 'uart', step, byte })
  }

  private emit(e: MachineEvent): void {
    for (const l of this.listeners) l(e)
  }

  /** A kernel virtual address → physical, through the loaded segments (for symbols like tohost). */
  private physOf(va: bigint): bigint | undefined {
    for (const s of this.plan.kernel?.segments ?? []) {
      if (va >= s.vaddr && va < s.vaddr + s.memsz) return s.paddr + (va - s.vaddr)
    }
    return undefined
  }

  private readPhys(addr: bigint, out: Uint8Array): boolean {
    const ram = this.hart.ram
    if (addr < DRAM_BASE || addr + BigInt(out.length) > DRAM_BASE + BigInt(ram.length)) return false
    const at = Number(addr - DRAM_BASE)
    out.set(ram.subarray(at, at + out.length))
    return true
  }

  /** Host writes to RAM (DMA, SBI console_read): the hart's decode cache and TLB must not keep stale copies. */
  private writePhys(addr: bigint, data: Uint8Array): boolean {
    const ram = this.hart.ram
    if (addr < DRAM_BASE || addr + BigInt(data.length) > DRAM_BASE + BigInt(ram.length)) return false
    const at = Number(addr - DRAM_BASE)
    ram.set(data, at)
    for (let p = at >>> 12; p <= (at + Math.max(0, data.length - 1)) >>> 12; p++) this.hostWritten.add(p)
    this.cachesStale = true
    return true
  }

  private invalidateHartCaches(): void {
    const h = this.hart as HartApi & { invalidateCaches?: () => void }
    h.invalidateCaches?.()
    this.cachesStale = false
  }
}
