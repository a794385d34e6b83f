/**
 * A National Semiconductor 16550A UART as QEMU models it (`hw/char/serial.c`), at 0x1000_0000 with
 * register shift 0. Enough of the chip for the drivers people boot here — Linux 8250 (autoconfig
 * probes the FIFO bits in IIR and the scratch register), U-Boot's ns16550, OpenSBI's uart8250 and
 * xv6 — to work unchanged: divisor latch behind LCR.DLAB, a 16-byte receive FIFO fed from host
 * input, THR-empty and received-data interrupts gated by IER, and an interrupt wire to the PLIC.
 * Transmission is instant: every byte written to THR goes to the sink with the step it was written.
 *
 * The interrupt wire is driven the way QEMU's `serial_update_irq` drives it: re-asserted (or
 * lowered) at each of QEMU's call sites — a THR write (lowered, then raised again as the byte
 * leaves), an IER change, an FCR write, an RBR read, an IIR read that reports THRE, received data —
 * and at no other time. QEMU's PLIC takes every such call as the new pending state, so a guest whose
 * handler never reads IIR (xv6) gets one THRE interrupt per transmitted byte, not an endless stream.
 */
import type { AccessSize, Device, IrqLine } from './bus'
import { UART0_BASE, UART0_SIZE_BYTES } from './memory-map'

// Register offsets (serial.c, "UART_*" and the 16550A datasheet, table 2).
export const UART_RBR = 0 // receive buffer (read, DLAB=0)
export const UART_THR = 0 // transmit holding (write, DLAB=0)
export const UART_DLL = 0 // divisor latch LSB (DLAB=1)
export const UART_IER = 1 // interrupt enable (DLAB=0)
export const UART_DLM = 1 // divisor latch MSB (DLAB=1)
export const UART_IIR = 2 // interrupt identification (read)
export const UART_FCR = 2 // FIFO control (write)
export const UART_LCR = 3
export const UART_MCR = 4
export const UART_LSR = 5
export const UART_MSR = 6
export const UART_SCR = 7

export const UART_IER_RDI = 0x01 // received data available
export const UART_IER_THRI = 0x02 // transmitter holding register empty
export const UART_IER_RLSI = 0x04 // receiver line status
export const UART_IER_MSI = 0x08 // modem status

export const UART_IIR_NO_INT = 0x01
export const UART_IIR_THRI = 0x02
export const UART_IIR_RDI = 0x04
export const UART_IIR_RLSI = 0x06
export const UART_IIR_FIFO_ENABLED = 0xc0

export const UART_FCR_FE = 0x01 // FIFO enable
export const UART_FCR_RFR = 0x02 // receive FIFO reset
export const UART_FCR_XFR = 0x04 // transmit FIFO reset

export const UART_LCR_DLAB = 0x80

export const UART_MCR_LOOP = 0x10

export const UART_LSR_DR = 0x01 // data ready
export const UART_LSR_THRE = 0x20 // transmit holding register empty
export const UART_LSR_TEMT = 0x40 // transmitter empty

/** QEMU's reset value for MSR: DCD | DSR | CTS asserted (a cable is plugged in). */
export const UART_MSR_RESET = 0xb0

export const UART_FIFO_DEPTH_BYTES = 16
/** Marks a FIFO entry that came from loopback rather than from host input. */
const LOOPBACK_TAG = 0x100

export interface UartOptions {
  /** Interrupt wire to PLIC source 10. */
  irq: IrqLine
  /** Each transmitted byte, with the step (retired instructions) at which the guest wrote it. */
  output: (byte: number, step: bigint) => void
  /** The current step, for output timestamps. */
  now: () => bigint
  /**
   * Told after every change of the device's state: the byte each of the 8 registers reads now, which
   * reads change nothing (bit i = register i), and whether no input is pending — so the hart can
   * serve those reads itself (`hart/assembly/uart-mirror.ts`).
   */
  mirror?: (registers: Uint8Array, pure: number, inputIdle: boolean) => void
}

/** The number of byte registers (offsets 0..7). */
export const UART_REGISTER_COUNT = 8

export class Uart16550 implements Device {
  readonly name = 'uart0'
  readonly base = UART0_BASE
  readonly size = UART0_SIZE_BYTES

  private ier = 0
  private lcr = 0x03 // 8N1, as QEMU resets it
  private mcr = 0
  private scr = 0
  private fcr = 0
  private divisor = 0x0c
  /** THR-empty interrupt pending: set when THR empties with THRI on, cleared by reading IIR or writing THR. */
  private thrIpending = false
  private readonly rxFifo: number[] = []
  /** Host input not yet in the FIFO: moved in as the guest drains the FIFO, so delivery is deterministic. */
  private readonly hostQueue: number[] = []

  private readonly published = new Uint8Array(UART_REGISTER_COUNT)

  constructor(private readonly opts: UartOptions) {
    this.publish()
  }

  /**
   * Host input (typed keys): queued, and moved into the receive FIFO when the guest looks (reads
   * LSR, RBR or IIR) or has the received-data interrupt on. So input given before the driver has
   * set the chip up survives the driver's FIFO reset, and delivery depends only on guest actions.
   */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.hostQueue.push(b & 0xff)
    // QEMU's serial_receive1 ends with serial_update_irq: the wire is driven when data arrives.
    if (this.ier & UART_IER_RDI) this.refill()
    this.updateIrq()
    this.publish()
  }

  /** Takes one byte of host input directly (SBI console_getchar), or -1 when there is none. */
  takeInputByte(): number {
    const b = this.rxFifo.length ? this.rxFifo.shift()! & 0xff : this.hostQueue.shift()
    this.refill()
    this.updateIrq()
    this.publish()
    return b ?? -1
  }

  /** True when the guest enabled the received-data interrupt (input could wake a `wfi`). */
  get rxInterruptEnabled(): boolean {
    return (this.ier & UART_IER_RDI) !== 0
  }

  /** Bytes received from the host but not yet read by the guest. */
  get pendingInput(): number {
    return this.rxFifo.length + this.hostQueue.length
  }

  read(offset: number, _size: AccessSize): bigint {
    const v = this.readRegister(offset)
    this.publish()
    return BigInt(v)
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    this.writeRegister(offset, size, value)
    this.publish()
  }

  /** A register read with its side effects on the FIFO and the interrupt wire. */
  private readRegister(offset: number): number {
    const dlab = (this.lcr & UART_LCR_DLAB) !== 0
    switch (offset) {
      case UART_RBR: {
        if (dlab) return this.peek(offset)
        const b = (this.rxFifo.shift() ?? 0) & 0xff
        this.refill()
        this.updateIrq()
        return b
      }
      case UART_IIR: {
        if (this.refill()) this.updateIrq()
        const iir = this.iir()
        // Reading IIR while it reports THRE clears that interrupt (16550A datasheet, table 4).
        if ((iir & 0x0f) === UART_IIR_THRI) {
          this.thrIpending = false
          this.updateIrq()
        }
        return iir
      }
      case UART_LSR:
        // QEMU drives the wire on an LSR read only for break/overrun, which never happen here;
        // host input moving into the FIFO is data arriving, which does.
        if (this.refill()) this.updateIrq()
        return this.lsr()
      default:
        return this.peek(offset)
    }
  }

  /** What reading register `offset` returns now, without its side effects. */
  private peek(offset: number): number {
    const dlab = (this.lcr & UART_LCR_DLAB) !== 0
    switch (offset) {
      case UART_RBR:
        return dlab ? this.divisor & 0xff : (this.rxFifo[0] ?? 0) & 0xff
      case UART_IER:
        return dlab ? (this.divisor >> 8) & 0xff : this.ier
      case UART_IIR:
        return this.iir()
      case UART_LCR:
        return this.lcr
      case UART_MCR:
        return this.mcr
      case UART_LSR:
        return this.lsr()
      case UART_MSR:
        if (this.mcr & UART_MCR_LOOP) {
          // Loopback: MCR outputs appear on the modem-status inputs (DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD).
          const m = this.mcr
          return ((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x04) << 4) | ((m & 0x08) << 4)
        }
        return UART_MSR_RESET
      case UART_SCR:
        return this.scr
      default:
        return 0
    }
  }

  /**
   * Which register reads change nothing now (bit i = register i): all but RBR (it takes a byte from
   * the FIFO, unless DLAB shows the divisor), LSR and IIR while host input waits to move into the
   * FIFO, and IIR while it reports THRE (the read clears it).
   */
  private pureReads(): number {
    let pure = 0xff
    if (!(this.lcr & UART_LCR_DLAB)) pure &= ~(1 << UART_RBR)
    const inputWaits = this.hostQueue.length > 0 && this.rxFifo.length < UART_FIFO_DEPTH_BYTES
    if (inputWaits) pure &= ~(1 << UART_LSR)
    if (inputWaits || (this.iir() & 0x0f) === UART_IIR_THRI) pure &= ~(1 << UART_IIR)
    return pure
  }

  /** Tells the mirror (if any) the state after a change. */
  private publish(): void {
    const mirror = this.opts.mirror
    if (!mirror) return
    for (let i = 0; i < UART_REGISTER_COUNT; i++) this.published[i] = this.peek(i)
    mirror(this.published, this.pureReads(), this.pendingInput === 0)
  }

  private writeRegister(offset: number, _size: AccessSize, value: bigint): void {
    const v = Number(value & 0xffn)
    const dlab = (this.lcr & UART_LCR_DLAB) !== 0
    switch (offset) {
      case UART_THR:
        if (dlab) {
          this.divisor = (this.divisor & 0xff00) | v
          return
        }
        // QEMU serial_ioport_write: THR full (THRE interrupt cleared, wire driven), then serial_xmit
        // sends the byte at once: THR empty again, THRE interrupt pending, wire driven again.
        this.thrIpending = false
        this.updateIrq()
        if (this.mcr & UART_MCR_LOOP) {
          this.rxFifo.push(v | LOOPBACK_TAG)
        } else {
          this.opts.output(v, this.opts.now())
        }
        this.thrIpending = true
        this.updateIrq()
        return
      case UART_IER:
        if (dlab) {
          this.divisor = (this.divisor & 0x00ff) | (v << 8)
          return
        }
        {
          const changed = (this.ier ^ v) & 0x0f
          this.ier = v & 0x0f
          const moved = this.ier & UART_IER_RDI ? this.refill() : false
          // A change of THRI samples THR (always empty here): turning it on raises the THRE
          // interrupt even if an IIR read had cleared it; turning it off forgets it (QEMU).
          if (changed & UART_IER_THRI) this.thrIpending = (this.ier & UART_IER_THRI) !== 0
          if (changed || moved) this.updateIrq()
        }
        return
      case UART_FCR:
        // A receive-FIFO reset drops loopback bytes but not typed input: a driver's init (U-Boot's
        // ns16550 resets the FIFO after OpenSBI has been polling LSR) must not eat keys a user or a
        // test scripted ahead of time. On a real board those keys would not have been typed yet.
        if (v & UART_FCR_RFR) {
          const typed = this.rxFifo.filter((b) => b < LOOPBACK_TAG)
          this.rxFifo.length = 0
          this.rxFifo.push(...typed)
        }
        // A transmit-FIFO reset leaves THR empty: THRE interrupt pending (QEMU).
        if (v & UART_FCR_XFR) this.thrIpending = true
        this.fcr = v & 0xc9
        this.updateIrq()
        return
      case UART_LCR:
        this.lcr = v
        return
      case UART_MCR:
        this.mcr = v & 0x1f
        return
      case UART_SCR:
        this.scr = v
        return
      default:
        return
    }
  }

  /** The interrupt identification value: highest-priority pending source (datasheet, table 4). */
  private iir(): number {
    const fifo = this.fcr & UART_FCR_FE ? UART_IIR_FIFO_ENABLED : 0
    if (this.ier & UART_IER_RDI && this.rxFifo.length > 0) return fifo | UART_IIR_RDI
    if (this.thrIpending && this.ier & UART_IER_THRI) return fifo | UART_IIR_THRI
    return fifo | UART_IIR_NO_INT
  }

  /** LSR: the transmitter is always empty (bytes leave at once); DR while the FIFO holds a byte. */
  private lsr(): number {
    return UART_LSR_THRE | UART_LSR_TEMT | (this.rxFifo.length > 0 ? UART_LSR_DR : 0)
  }

  /** Moves queued host input into the FIFO; true when a byte moved (data arrived, for the guest). */
  private refill(): boolean {
    const before = this.rxFifo.length
    while (this.rxFifo.length < UART_FIFO_DEPTH_BYTES && this.hostQueue.length > 0) {
      this.rxFifo.push(this.hostQueue.shift()!)
    }
    return this.rxFifo.length !== before
  }

  /** QEMU's serial_update_irq: drives the wire to the current state every time, changed or not. */
  private updateIrq(): void {
    this.opts.irq((this.iir() & UART_IIR_NO_INT) === 0)
  }
}
