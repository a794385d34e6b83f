/**
 * The i8042 PS/2 controller with a keyboard behind it (the "8042" and PS/2 keyboard interfaces as
 * QEMU's `hw/input/pckbd.c` and `ps2.c` present them): data port 0x60, status/command port 0x64,
 * IRQ 1 when the controller's configuration byte enables it. Keys typed in the console reach the
 * guest as scan code set 1 — what the controller's translation (on by default) delivers — make
 * then break codes, with Shift or Ctrl around characters that need them (`scancodes.ts`).
 * Controller commands kernels use (read/write configuration, self tests, enable/disable the
 * keyboard port, the output port with A20, pulse reset) and keyboard commands (reset, enable,
 * disable, LEDs, scan code set, identify, echo, typematic) answer as QEMU's do.
 */
import type { IrqLine } from '../../devices/bus'
import type { PortDevice } from '../../devices/port-io'
import { scanCodesFor } from './scancodes'

export const I8042_DATA_PORT = 0x60
export const I8042_STATUS_PORT = 0x64
export const KEYBOARD_IRQ = 1

// Status register (port 0x64 read).
const STAT_OBF = 0x01
const STAT_SELFTEST = 0x04
const STAT_CMD = 0x08
const STAT_UNLOCKED = 0x10
// Configuration ("command") byte.
const CFG_KBD_INT = 0x01
const CFG_SYS = 0x04
const CFG_KBD_DISABLED = 0x10
const CFG_AUX_DISABLED = 0x20
const CFG_XLATE = 0x40
/** QEMU's reset configuration: keyboard interrupt on, system flag, translation on. */
const CFG_RESET = CFG_KBD_INT | CFG_SYS | CFG_XLATE

// Keyboard replies.
const KBD_ACK = 0xfa
const KBD_SELFTEST_OK = 0xaa
const KBD_ECHO = 0xee
const KBD_RESEND = 0xfe

/** Keyboard queue depth (ps2.c PS2_QUEUE_SIZE). */
const QUEUE_BYTES = 16

export interface I8042Options {
  irq: IrqLine
  /** The guest pulsed the reset line (command 0xFE, or output port bit 0 cleared). */
  reset: () => void
}

export class I8042 {
  private config = CFG_RESET
  private status = STAT_UNLOCKED | STAT_SELFTEST
  /** Controller replies (command results) waiting in the output buffer ahead of keyboard bytes. */
  private controllerOut: number[] = []
  /** Bytes from the keyboard (replies and scan codes) not yet read. */
  private keyboardOut: number[] = []
  /** Scan codes typed by the host, moved to the keyboard queue as it drains (deterministic). */
  private typed: number[] = []
  /** A controller command waiting for its parameter byte on port 0x60 (0 = none). */
  private pendingCommand = 0
  /** A keyboard command waiting for its parameter byte (0xED LEDs, 0xF0 scan set, 0xF3 rate). */
  private keyboardParam = 0
  private scanning = true
  private scanSet = 2
  private outputPort = 0x03 // bit 0: reset line high, bit 1: A20 on
  private irqLevel = false
  /** The guest has touched the controller or the keyboard (typed keys then go here, not to COM1). */
  private used = false

  constructor(private readonly opts: I8042Options) {}

  /** Whether the guest uses the keyboard: it touched the controller, or enabled the keyboard interrupt path. */
  get inUse(): boolean {
    return this.used
  }

  /** Keys typed in the console: queued as scan code set 1 and handed over as the guest reads. */
  type(bytes: Iterable<number>): void {
    for (const b of bytes) this.typed.push(...scanCodesFor(b))
    this.refill()
    this.update()
  }

  /** Keys typed but not yet read by the guest. */
  get pendingInput(): number {
    return this.typed.length + this.keyboardOut.length
  }

  /** True when a typed key would raise IRQ 1 (the wake-up a `hlt` can wait for). */
  get interruptEnabled(): boolean {
    return (this.config & CFG_KBD_INT) !== 0 && (this.config & CFG_KBD_DISABLED) === 0
  }

  ports(): PortDevice[] {
    return [
      { name: 'i8042-data', port: I8042_DATA_PORT, count: 1, read: () => this.readData(), write: (_o, _s, v) => this.writeData(v & 0xff) },
      { name: 'i8042-status', port: I8042_STATUS_PORT, count: 1, read: () => this.readStatus(), write: (_o, _s, v) => this.writeCommand(v & 0xff) },
    ]
  }

  private readStatus(): number {
    this.used = true
    this.refill()
    return this.status | (this.outputReady() ? STAT_OBF : 0)
  }

  private outputReady(): boolean {
    return this.controllerOut.length > 0 || (this.keyboardOut.length > 0 && !(this.config & CFG_KBD_DISABLED))
  }

  private readData(): number {
    this.used = true
    let v: number
    if (this.controllerOut.length) v = this.controllerOut.shift()!
    else if (this.keyboardOut.length && !(this.config & CFG_KBD_DISABLED)) v = this.keyboardOut.shift()!
    else v = 0 // nothing new: the last byte stays in the buffer on real hardware; kernels never rely on it
    this.refill()
    // Reading deasserts IRQ 1, and more data reasserts it: a new edge for the edge-triggered PIC (ps2.c).
    if (this.irqLevel) {
      this.irqLevel = false
      this.opts.irq(false)
    }
    this.update()
    return v
  }

  private writeCommand(cmd: number): void {
    this.used = true
    this.status |= STAT_CMD
    switch (cmd) {
      case 0x20: // read configuration byte
        this.reply(this.config)
        break
      case 0x60: // write configuration byte (next data byte)
      case 0xd1: // write output port
      case 0xd2: // write keyboard output buffer
      case 0xd3: // write aux output buffer
      case 0xd4: // write to the aux device
        this.pendingCommand = cmd
        break
      case 0xa7: // disable aux
        this.config |= CFG_AUX_DISABLED
        break
      case 0xa8: // enable aux
        this.config &= ~CFG_AUX_DISABLED
        break
      case 0xa9: // test aux port: no mouse here → 0x00 means "ok" in QEMU too
      case 0xab: // test keyboard port
        this.reply(0x00)
        break
      case 0xaa: // controller self test
        this.status |= STAT_SELFTEST
        this.reply(0x55)
        break
      case 0xad: // disable keyboard
        this.config |= CFG_KBD_DISABLED
        break
      case 0xae: // enable keyboard
        this.config &= ~CFG_KBD_DISABLED
        break
      case 0xc0: // read input port
        this.reply(0x00)
        break
      case 0xd0: // read output port
        this.reply(this.outputPort)
        break
      case 0xdd: // disable A20 (A20 stays on: the hart always has it on)
      case 0xdf: // enable A20
        break
      case 0xfe: // pulse the reset line
        this.opts.reset()
        break
      default:
        if (cmd >= 0xf0) {
          if (!(cmd & 1)) this.opts.reset() // pulse output bits: bit 0 low = reset
        }
    }
    this.update()
  }

  private writeData(v: number): void {
    this.used = true
    this.status &= ~STAT_CMD
    const cmd = this.pendingCommand
    this.pendingCommand = 0
    switch (cmd) {
      case 0x60:
        this.config = v
        break
      case 0xd1:
        this.outputPort = v
        if (!(v & 1)) this.opts.reset()
        break
      case 0xd2:
        this.keyboardOut.push(v)
        break
      case 0xd3:
      case 0xd4:
        break // no mouse
      default:
        this.keyboardCommand(v)
    }
    this.update()
  }

  /** A byte for the keyboard itself (ps2.c ps2_write_keyboard). */
  private keyboardCommand(v: number): void {
    // Writing to the keyboard enables its port (the controller clears the disable bit, as QEMU does).
    this.config &= ~CFG_KBD_DISABLED
    const param = this.keyboardParam
    if (param) {
      this.keyboardParam = 0
      if (param === 0xf0) {
        if (v === 0) {
          this.keyboardOut.push(KBD_ACK, this.scanSet)
          return
        }
        if (v >= 1 && v <= 3) this.scanSet = v
        this.keyboardOut.push(KBD_ACK)
        return
      }
      this.keyboardOut.push(KBD_ACK) // LEDs (0xED), typematic (0xF3)
      return
    }
    switch (v) {
      case 0xed:
      case 0xf0:
      case 0xf3:
        this.keyboardParam = v
        this.keyboardOut.push(KBD_ACK)
        break
      case 0xee:
        this.keyboardOut.push(KBD_ECHO)
        break
      case 0xf2: // identify: MF2 keyboard, translated
        this.keyboardOut.push(KBD_ACK, 0xab, this.config & CFG_XLATE ? 0x41 : 0x83)
        break
      case 0xf4:
        this.scanning = true
        this.keyboardOut.push(KBD_ACK)
        break
      case 0xf5:
        this.scanning = false
        this.keyboardOut.push(KBD_ACK)
        break
      case 0xf6:
        this.scanning = true
        this.scanSet = 2
        this.keyboardOut.push(KBD_ACK)
        break
      case 0xff:
        this.scanning = true
        this.scanSet = 2
        this.keyboardOut.push(KBD_ACK, KBD_SELFTEST_OK)
        break
      default:
        if (v >= 0xf7 && v <= 0xfd) this.keyboardOut.push(KBD_ACK)
        else this.keyboardOut.push(KBD_RESEND)
    }
  }

  private reply(v: number): void {
    this.controllerOut.push(v)
  }

  /** Moves typed scan codes into the keyboard queue while there is room and the keyboard scans. */
  private refill(): void {
    if (!this.scanning) return
    while (this.typed.length && this.keyboardOut.length < QUEUE_BYTES) this.keyboardOut.push(this.typed.shift()!)
  }

  /** IRQ 1 is high while keyboard data waits and the configuration byte enables the interrupt. */
  private update(): void {
    const level = this.outputReady() && (this.config & CFG_KBD_INT) !== 0
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.opts.irq(level)
    }
  }
}
