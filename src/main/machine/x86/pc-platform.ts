/**
 * The PC around the x86 hart (REFERENCE.md "x86 PC"): the devices on the port bus (COM1 at
 * 0x3F8 on IRQ 4, the 8259 pair, the 8254 with the speaker port, the i8042 keyboard, CMOS/RTC,
 * VGA's CRTC, isa-debug-exit, POST) and on the MMIO bus (local APIC, I/O APIC), each ISA IRQ
 * wired to both the 8259s and the I/O APIC pin QEMU's MADT names, and the hart's INTR line:
 * high while the local APIC has a vector to give or the 8259's INT gets through LINT0. The timers
 * read deterministic guest time; `nextEventStep` says where the next timer edge falls so the run
 * loop stops the hart right there. `setupAsBios` leaves everything as SeaBIOS and GRUB would at a
 * Multiboot entry.
 */
import { Bus } from '../devices/bus'
import { PortBus, portFront } from '../devices/port-io'
import { Uart16550 } from '../devices/uart-16550'
import { saveDeviceState, loadDeviceState, type DeviceState } from '../device-state'
import { PicPair } from './devices/pic-8259'
import { Pit8254, PIT_IRQ } from './devices/pit-8254'
import { I8042, KEYBOARD_IRQ } from './devices/i8042'
import { CmosRtc, RTC_IRQ } from './devices/cmos-rtc'
import { VgaText, VGA_COLUMNS, VGA_ROWS, VGA_TEXT_BASE, type VgaScreen } from './devices/vga-text'
import { debugExitPorts } from './devices/debug-exit'
import { LocalApic } from './devices/local-apic'
import { IoApic, isaIrqPin } from './devices/io-apic'

export const COM1_PORT = 0x3f8
export const COM1_IRQ = 4
const COM_PORTS = 8
/** IA32_APIC_BASE bit 11: the local APIC is globally enabled. */
const APIC_GLOBAL_ENABLE = 1n << 11n

/** What the platform needs of the hart. */
export interface PlatformHart {
  readonly time: bigint
  readonly ram: Uint8Array
  intrLine: boolean
  raiseNmi(): void
  getMsr(num: number): bigint | undefined
}

export interface PlatformEvents {
  /** A byte COM1 transmitted. */
  serial(byte: number): void
  /** isa-debug-exit: QEMU's exit status. */
  debugExit(status: number, value: number): void
  /** The guest asked for a reset (i8042 pulse). */
  reset(): void
}

export class PcPlatform {
  readonly ports = new PortBus()
  readonly mmio = new Bus()
  readonly pic: PicPair
  readonly pit: Pit8254
  readonly keyboard: I8042
  readonly cmos: CmosRtc
  readonly vga = new VgaText()
  readonly com1: Uart16550
  readonly lapic: LocalApic
  readonly ioapic: IoApic

  constructor(
    private readonly hart: PlatformHart,
    events: PlatformEvents,
    opts: { rtcEpochSeconds?: number } = {},
  ) {
    const now = () => hart.time
    const changed = () => this.updateIntr()
    this.pic = new PicPair({ intr: changed })
    this.lapic = new LocalApic({ now, changed, nmi: () => hart.raiseNmi(), eoi: (v) => this.ioapic.endOfInterrupt(v) })
    this.ioapic = new IoApic({ deliver: (v, level) => this.lapic.accept(v, level) })
    this.pit = new Pit8254({ irq: this.isaIrq(PIT_IRQ), now })
    this.keyboard = new I8042({ irq: this.isaIrq(KEYBOARD_IRQ), reset: () => events.reset() })
    this.cmos = new CmosRtc({ irq: this.isaIrq(RTC_IRQ), now, ramBytes: hart.ram.length, epochSeconds: opts.rtcEpochSeconds })
    this.com1 = new Uart16550({ irq: this.isaIrq(COM1_IRQ), output: (b) => events.serial(b), now })
    this.ports.attach(portFront(this.com1, COM1_PORT, COM_PORTS, 'com1'))
    for (const p of [...this.pic.ports(), ...this.pit.ports(), ...this.keyboard.ports(), ...this.cmos.ports(), ...this.vga.ports(), ...debugExitPorts(events.debugExit)]) this.ports.attach(p)
    this.mmio.attach(this.lapic)
    this.mmio.attach(this.ioapic)
  }

  /** ISA IRQ `irq` as a wire to the 8259s and to its I/O APIC pin. */
  private isaIrq(irq: number): (level: boolean) => void {
    const pin = isaIrqPin(irq)
    return (level) => {
      this.pic.setIrq(irq, level)
      this.ioapic.setPin(pin, level)
    }
  }

  private get apicEnabled(): boolean {
    return ((this.hart.getMsr(0x1b) ?? 0n) & APIC_GLOBAL_ENABLE) !== 0n
  }

  /** The hart's INTR: the local APIC has a deliverable vector, or the 8259's INT passes LINT0. */
  updateIntr(): void {
    this.hart.intrLine = this.lapic.deliverable() !== undefined || (this.pic.pending && this.lapic.acceptsPicInterrupt(this.apicEnabled))
  }

  /** The interrupt-acknowledge cycle: the vector to deliver, or null when nothing is there any more. */
  acknowledge(): number | null {
    let vector: number | null = null
    const apicVector = this.lapic.deliverable()
    if (apicVector !== undefined) {
      this.lapic.acknowledge(apicVector)
      vector = apicVector
    } else if (this.pic.pending && this.lapic.acceptsPicInterrupt(this.apicEnabled)) {
      vector = this.pic.acknowledge()
    }
    this.updateIntr()
    return vector
  }

  /** The guest step at which the next timer edge falls (PIT, local APIC timer, RTC), or undefined. */
  nextEventStep(): bigint | undefined {
    let next: bigint | undefined
    for (const s of [this.pit.nextEventStep(), this.lapic.nextEventStep(), this.cmos.nextEventStep()]) if (s !== undefined && (next === undefined || s < next)) next = s
    return next
  }

  /** Brings every timer up to the current time (raising the IRQs that are due). */
  serviceTimers(): void {
    this.pit.update()
    this.lapic.update()
    this.cmos.update()
  }

  /**
   * Typed input goes where the guest listens: to the keyboard once the guest has touched the i8042
   * (a kernel with a keyboard driver), otherwise to COM1 (a serial console) — decided from guest
   * state alone, so replay routes it the same way.
   */
  deliverInput(bytes: Uint8Array): 'keyboard' | 'serial' {
    if (this.keyboard.inUse) {
      this.keyboard.type(bytes)
      return 'keyboard'
    }
    this.com1.receive(bytes)
    return 'serial'
  }

  /** Bytes typed but not yet read by the guest. */
  get pendingInput(): number {
    return this.com1.pendingInput + this.keyboard.pendingInput
  }

  /** Could a typed key wake a halted CPU? The keyboard's or COM1's receive interrupt reaches the CPU. */
  inputCanInterrupt(): boolean {
    const routed = (irq: number) => !this.pic.masked(irq) || !this.ioapic.pinMasked(isaIrqPin(irq))
    return (this.keyboard.interruptEnabled && routed(KEYBOARD_IRQ)) || (this.com1.rxInterruptEnabled && routed(COM1_IRQ))
  }

  /** The text screen now. */
  screen(): VgaScreen {
    return this.vga.screen(this.hart.ram)
  }

  /**
   * What SeaBIOS and GRUB leave behind at a Multiboot entry: the 8259s at vectors 0x08/0x70 with
   * the timer, keyboard and cascade unmasked, the PIT's counter 0 in mode 3 at 18.2 Hz, the local
   * APIC enabled with LINT0 = ExtINT, a blank 80×25 text screen, and the BIOS data area's COM1
   * port, EBDA segment and base-memory size (kernels such as xv6 read them).
   */
  setupAsBios(): void {
    this.pic.setup({ masterBase: 0x08, slaveBase: 0x70, masterMask: 0xb8, slaveMask: 0x8e })
    this.pit.setup(3, 0)
    this.lapic.setupAsBios()
    const ram = this.hart.ram
    for (let i = 0; i < VGA_COLUMNS * VGA_ROWS; i++) {
      ram[VGA_TEXT_BASE + i * 2] = 0x20
      ram[VGA_TEXT_BASE + i * 2 + 1] = 0x07
    }
    const bda = new DataView(ram.buffer, ram.byteOffset + 0x400, 0x100)
    bda.setUint16(0x00, COM1_PORT, true) // COM1 base
    bda.setUint16(0x0e, 0x9fc0, true) // EBDA segment
    bda.setUint16(0x10, 0x0027, true) // equipment: VGA 80x25 colour, a math coprocessor, one serial port
    bda.setUint16(0x13, 639, true) // base memory, KiB
    this.updateIntr()
  }

  /** Every device's own state, for checkpoints (plain data only). */
  saveState(): DeviceState[] {
    return this.stateful().map((d) => saveDeviceState(d))
  }

  loadState(states: (DeviceState | undefined)[]): void {
    this.stateful().forEach((d, i) => {
      const s = states[i]
      if (s) loadDeviceState(d, s)
    })
    this.updateIntr()
  }

  private stateful(): object[] {
    return [this.pic, this.pit, this.keyboard, this.cmos, this.vga, this.com1, this.lapic, this.ioapic]
  }
}
