/**
 * The I/O APIC at 0xFEC00000 (Intel 82093AA datasheet; QEMU `hw/intc/ioapic.c`): an index
 * register (IOREGSEL, +0x00) and a data window (IOWIN, +0x10) onto the ID, version (24 pins) and
 * arbitration registers and 24 64-bit redirection entries — vector, delivery mode, polarity,
 * trigger mode, remote IRR, mask, destination. Device IRQs reach it next to the 8259s; ISA IRQ 0
 * arrives on pin 2, as QEMU's MADT interrupt-source override says. Edge-triggered pins deliver
 * on a rising edge; level-triggered ones while asserted, once per EOI (remote IRR).
 */
import type { AccessSize, Device } from '../../devices/bus'

export const IOAPIC_BASE = 0xfec0_0000n
export const IOAPIC_SIZE = 0x1000n
export const IOAPIC_PINS = 24

const IOREGSEL = 0x00
const IOWIN = 0x10
const REG_ID = 0x00
const REG_VERSION = 0x01
const REG_ARB = 0x02
const REG_REDTBL = 0x10
/** Version 0x20 with 24 entries (max redirection entry 23), as QEMU's. */
const IOAPIC_VERSION = 0x0017_0020

const RTE_MASKED = 1n << 16n
const RTE_LEVEL = 1n << 15n
const RTE_REMOTE_IRR = 1n << 14n
const RTE_DELIVERY_STATUS = 1n << 12n
const RTE_READ_ONLY = RTE_REMOTE_IRR | RTE_DELIVERY_STATUS
const RTE_DELIVERY_MASK = 7n << 8n

/** ISA IRQ → I/O APIC pin (QEMU's MADT: IRQ 0 is overridden to pin 2; the rest are identity). */
export function isaIrqPin(irq: number): number {
  return irq === 0 ? 2 : irq
}

export interface IoApicOptions {
  /** Delivers `vector` to the local APIC; `level` for level-triggered entries. */
  deliver: (vector: number, level: boolean) => void
}

export class IoApic implements Device {
  readonly name = 'ioapic'
  readonly base = IOAPIC_BASE
  readonly size = IOAPIC_SIZE
  private select = 0
  private id = 0
  private readonly table: bigint[] = new Array(IOAPIC_PINS).fill(RTE_MASKED)
  /** The level each pin sees (after polarity). */
  private readonly pins: boolean[] = new Array(IOAPIC_PINS).fill(false)

  constructor(private readonly opts: IoApicOptions) {}

  /** A device's wire on `pin` (active high on the ISA side). */
  setPin(pin: number, level: boolean): void {
    const was = this.pins[pin]
    this.pins[pin] = level
    const rte = this.table[pin]
    if (rte & RTE_LEVEL) {
      if (level) this.service(pin)
    } else if (level && !was) {
      this.service(pin)
    }
  }

  /** Is the redirection entry of `pin` masked? */
  pinMasked(pin: number): boolean {
    return (this.table[pin] & RTE_MASKED) !== 0n
  }

  /** The local APIC's EOI of a level-triggered vector: remote IRR clears, and a still-asserted pin delivers again. */
  endOfInterrupt(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const rte = this.table[pin]
      if (Number(rte & 0xffn) !== vector || !(rte & RTE_LEVEL) || !(rte & RTE_REMOTE_IRR)) continue
      this.table[pin] = rte & ~RTE_REMOTE_IRR
      if (this.pins[pin]) this.service(pin)
    }
  }

  private service(pin: number): void {
    const rte = this.table[pin]
    if (rte & RTE_MASKED) return
    const level = (rte & RTE_LEVEL) !== 0n
    if (level) {
      if (rte & RTE_REMOTE_IRR) return
      this.table[pin] = rte | RTE_REMOTE_IRR
    }
    // One CPU: fixed and lowest-priority deliveries go to it whatever the destination says.
    const mode = Number((rte & RTE_DELIVERY_MASK) >> 8n)
    if (mode === 0 || mode === 1) this.opts.deliver(Number(rte & 0xffn), level)
  }

  read(offset: number, _size: AccessSize): bigint {
    if (offset === IOREGSEL) return BigInt(this.select)
    if (offset !== IOWIN) return 0n
    const r = this.select
    if (r === REG_ID) return BigInt(this.id << 24)
    if (r === REG_VERSION) return BigInt(IOAPIC_VERSION)
    if (r === REG_ARB) return BigInt(this.id << 24)
    const index = (r - REG_REDTBL) >> 1
    if (index < 0 || index >= IOAPIC_PINS) return 0xffff_ffffn
    const rte = this.table[index]
    return r & 1 ? rte >> 32n : rte & 0xffff_ffffn
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    const v = value & 0xffff_ffffn
    if (offset === IOREGSEL) {
      this.select = Number(v & 0xffn)
      return
    }
    if (offset !== IOWIN) return
    const r = this.select
    if (r === REG_ID) {
      this.id = Number((v >> 24n) & 0xfn)
      return
    }
    const index = (r - REG_REDTBL) >> 1
    if (index < 0 || index >= IOAPIC_PINS) return
    const old = this.table[index]
    // Remote IRR and delivery status are read-only (QEMU's IOAPIC_RO_BITS; ioapic.asm); the rest of the low
    // dword, or the destination dword, is written.
    this.table[index] = r & 1 ? (old & 0xffff_ffffn) | (v << 32n) : (old & (0xffff_ffff_0000_0000n | RTE_READ_ONLY)) | (v & ~RTE_READ_ONLY)
    // Unmasking an asserted level-triggered pin delivers it.
    if (old & RTE_MASKED && !(this.table[index] & RTE_MASKED) && this.table[index] & RTE_LEVEL && this.pins[index]) this.service(index)
  }
}
