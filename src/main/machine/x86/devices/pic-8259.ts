/**
 * The PC's two cascaded 8259A programmable interrupt controllers (Intel 8259A datasheet; QEMU
 * `hw/intc/i8259.c` is the behaviour kernels are tested against): master at ports 0x20/0x21 with
 * IRQ 0–7, slave at 0xA0/0xA1 with IRQ 8–15 cascaded into the master's IRQ 2, and the edge/level
 * control registers (ELCR) at 0x4D0/0x4D1. Initialisation words ICW1–ICW4 (the vector base:
 * "remapping"), the interrupt mask (OCW1), EOI and rotation commands (OCW2), reading IRR/ISR and
 * polling (OCW3), auto-EOI, special mask, and the spurious IRQ 7/15 a withdrawn request leaves.
 * The master's INT output is the hart's INTR line; the hart's interrupt-acknowledge cycle is
 * `acknowledge()`, which returns the vector.
 */
import type { IrqLine } from '../../devices/bus'
import type { PortDevice, PortSize } from '../../devices/port-io'

export const PIC_MASTER_PORT = 0x20
export const PIC_SLAVE_PORT = 0xa0
export const PIC_ELCR_PORT = 0x4d0
/** The master input the slave's INT output drives. */
export const PIC_CASCADE_IRQ = 2

// Command bits (8259A datasheet, "Initialization Command Words", "Operation Command Words").
const ICW1 = 0x10
const ICW1_IC4 = 0x01
const ICW1_SNGL = 0x02
const OCW3 = 0x08
const OCW3_P = 0x04
const OCW3_RR = 0x02
const OCW3_RIS = 0x01
const OCW3_ESMM = 0x40
const ICW4_AEOI = 0x02
const ICW4_SFNM = 0x10

/** One chip's registers (plain data, so checkpoints copy it). */
interface Chip {
  lastIrr: number
  irr: number
  imr: number
  isr: number
  priorityAdd: number
  irqBase: number
  readIsr: boolean
  poll: boolean
  specialMask: boolean
  /** 0: normal; 1–3: waiting for ICW2–ICW4. */
  initState: number
  autoEoi: boolean
  rotateOnAutoEoi: boolean
  specialFullyNested: boolean
  init4: boolean
  single: boolean
  /** Level-triggered inputs (ELCR); not reset by ICW1. */
  elcr: number
  elcrMask: number
}

function chip(elcrMask: number): Chip {
  return {
    lastIrr: 0, irr: 0, imr: 0, isr: 0, priorityAdd: 0, irqBase: 0, readIsr: false, poll: false, specialMask: false,
    initState: 0, autoEoi: false, rotateOnAutoEoi: false, specialFullyNested: false, init4: false, single: false, elcr: 0, elcrMask,
  }
}

/** The highest-priority set bit of `mask` as a priority number 0..7 (8 = none), honouring rotation. */
function priority(c: Chip, mask: number): number {
  if (mask === 0) return 8
  let p = 0
  while ((mask & (1 << ((p + c.priorityAdd) & 7))) === 0) p++
  return p
}

export interface PicOptions {
  /** The master's INT output: the hart's INTR line. */
  intr: (level: boolean) => void
}

/** The power-on / BIOS-left state the platform may set before entry (vector bases, masks). */
export interface PicSetup {
  masterBase: number
  slaveBase: number
  masterMask: number
  slaveMask: number
}

export class PicPair {
  private master = chip(0xf8)
  private slave = chip(0xde)
  private intrLevel = false

  constructor(private readonly opts: PicOptions) {}

  /** IRQ input `irq` (0–15) as a wire a device drives. */
  line(irq: number): IrqLine {
    return (level) => this.setIrq(irq, level)
  }

  setIrq(irq: number, level: boolean): void {
    if (irq >= 8) {
      this.setChipIrq(this.slave, irq - 8, level)
      this.update()
    } else {
      this.setChipIrq(this.master, irq, level)
      this.update()
    }
  }

  /** As a BIOS leaves the chips: ICW1–ICW4 done, bases and masks set. */
  setup(s: PicSetup): void {
    this.master.irqBase = s.masterBase & 0xf8
    this.slave.irqBase = s.slaveBase & 0xf8
    this.master.imr = s.masterMask
    this.slave.imr = s.slaveMask
    this.master.init4 = this.slave.init4 = true
    this.update()
  }

  /** Whether the INT output is high (an unmasked request outranks what is in service). */
  get pending(): boolean {
    return this.intrLevel
  }

  /** Is IRQ `irq` masked (for a slave IRQ: or the cascade)? */
  masked(irq: number): boolean {
    if (irq < 8) return (this.master.imr & (1 << irq)) !== 0
    return (this.slave.imr & (1 << (irq - 8))) !== 0 || (this.master.imr & (1 << PIC_CASCADE_IRQ)) !== 0
  }

  /** The vector bases after the guest's ICW2 (for explanations: "IRQ 0 arrives at vector 8"). */
  get vectorBases(): { master: number; slave: number } {
    return { master: this.master.irqBase, slave: this.slave.irqBase }
  }

  /** The interrupt-acknowledge cycle: the vector to deliver (a spurious IRQ 7/15 when the request went away). */
  acknowledge(): number {
    const m = this.master
    let irq = this.chipIrq(m)
    let vector: number
    if (irq >= 0) {
      if (irq === PIC_CASCADE_IRQ && !m.single) {
        let irq2 = this.chipIrq(this.slave)
        if (irq2 >= 0) this.intack(this.slave, irq2)
        else irq2 = 7 // spurious IRQ 15
        vector = this.slave.irqBase + irq2
      } else {
        vector = m.irqBase + irq
      }
      this.intack(m, irq)
    } else {
      irq = 7 // spurious IRQ 7
      vector = m.irqBase + irq
    }
    this.update()
    return vector
  }

  /** Ports: master 0x20–0x21, slave 0xA0–0xA1, ELCR 0x4D0–0x4D1. */
  ports(): PortDevice[] {
    const chipPorts = (name: string, port: number, c: () => Chip): PortDevice => ({
      name,
      port,
      count: 2,
      read: (offset) => this.readChip(c(), offset),
      write: (offset, _size: PortSize, value) => this.writeChip(c(), offset, value & 0xff),
    })
    return [
      chipPorts('pic-master', PIC_MASTER_PORT, () => this.master),
      chipPorts('pic-slave', PIC_SLAVE_PORT, () => this.slave),
      {
        name: 'elcr',
        port: PIC_ELCR_PORT,
        count: 2,
        read: (offset) => (offset === 0 ? this.master : this.slave).elcr,
        write: (offset, _size, value) => {
          const c = offset === 0 ? this.master : this.slave
          c.elcr = value & c.elcrMask
        },
      },
    ]
  }

  private setChipIrq(c: Chip, irq: number, level: boolean): void {
    const mask = 1 << irq
    if (c.elcr & mask) {
      if (level) {
        c.irr |= mask
        c.lastIrr |= mask
      } else {
        c.irr &= ~mask
        c.lastIrr &= ~mask
      }
    } else if (level) {
      if ((c.lastIrr & mask) === 0) c.irr |= mask // a rising edge
      c.lastIrr |= mask
    } else {
      c.lastIrr &= ~mask
    }
  }

  /** The IRQ this chip would raise now, or -1. */
  private chipIrq(c: Chip): number {
    const p = priority(c, c.irr & ~c.imr)
    if (p === 8) return -1
    let inService = c.isr
    if (c.specialMask) inService &= ~c.imr
    if (c.specialFullyNested && c === this.master) inService &= ~(1 << PIC_CASCADE_IRQ)
    return p < priority(c, inService) ? (p + c.priorityAdd) & 7 : -1
  }

  private intack(c: Chip, irq: number): void {
    if (c.autoEoi) {
      if (c.rotateOnAutoEoi) c.priorityAdd = (irq + 1) & 7
    } else {
      c.isr |= 1 << irq
    }
    if (!(c.elcr & (1 << irq))) c.irr &= ~(1 << irq) // edge-triggered: the request is consumed
  }

  /** The slave's output feeds master IRQ 2; the master's output is INTR. */
  private update(): void {
    this.setChipIrq(this.master, PIC_CASCADE_IRQ, this.chipIrq(this.slave) >= 0)
    const level = this.chipIrq(this.master) >= 0
    if (level !== this.intrLevel) {
      this.intrLevel = level
      this.opts.intr(level)
    }
  }

  private initReset(c: Chip): void {
    Object.assign(c, { ...chip(c.elcrMask), elcr: c.elcr, irr: c.irr & c.elcr })
  }

  private writeChip(c: Chip, offset: number, v: number): void {
    if (offset === 0) {
      if (v & ICW1) {
        this.initReset(c)
        c.initState = 1
        c.init4 = (v & ICW1_IC4) !== 0
        c.single = (v & ICW1_SNGL) !== 0
      } else if (v & OCW3) {
        if (v & OCW3_P) c.poll = true
        if (v & OCW3_RR) c.readIsr = (v & OCW3_RIS) !== 0
        if (v & OCW3_ESMM) c.specialMask = ((v >> 5) & 1) !== 0
      } else {
        this.ocw2(c, v)
      }
    } else {
      switch (c.initState) {
        case 0:
          c.imr = v
          break
        case 1:
          c.irqBase = v & 0xf8
          c.initState = c.single ? (c.init4 ? 3 : 0) : 2
          break
        case 2:
          c.initState = c.init4 ? 3 : 0
          break
        case 3:
          c.specialFullyNested = (v & ICW4_SFNM) !== 0
          c.autoEoi = (v & ICW4_AEOI) !== 0
          c.initState = 0
          break
      }
    }
    this.update()
  }

  /** OCW2: EOI (non-specific, specific), rotation, priority. */
  private ocw2(c: Chip, v: number): void {
    const cmd = v >> 5
    switch (cmd) {
      case 0:
      case 4:
        c.rotateOnAutoEoi = cmd >> 2 === 1
        break
      case 1: // non-specific EOI
      case 5: {
        const p = priority(c, c.isr)
        if (p !== 8) {
          const irq = (p + c.priorityAdd) & 7
          c.isr &= ~(1 << irq)
          if (cmd === 5) c.priorityAdd = (irq + 1) & 7
        }
        break
      }
      case 3: // specific EOI
        c.isr &= ~(1 << (v & 7))
        break
      case 6: // set priority
        c.priorityAdd = (v + 1) & 7
        break
      case 7: // rotate on specific EOI
        c.isr &= ~(1 << (v & 7))
        c.priorityAdd = ((v & 7) + 1) & 7
        break
    }
  }

  private readChip(c: Chip, offset: number): number {
    if (c.poll) {
      c.poll = false
      const irq = this.chipIrq(c)
      if (irq < 0) return 0
      this.intack(c, irq)
      this.update()
      return irq | 0x80
    }
    return offset === 0 ? (c.readIsr ? c.isr : c.irr) : c.imr
  }
}
