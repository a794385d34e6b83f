/**
 * The CMOS RAM and real-time clock (Motorola MC146818A datasheet; QEMU `hw/rtc/mc146818rtc.c` and
 * the CMOS bytes `pc_cmos_init` fills): index port 0x70, data port 0x71, IRQ 8. The clock is
 * deterministic — a fixed date (`RTC_EPOCH_SECONDS`, or the machine's choice) plus guest time —
 * so a kernel printing the date prints the same thing on every replay. BCD or binary and 12/24
 * hour formats per register B, the update-in-progress bit during the last 244 µs of each second,
 * the periodic, update-ended and alarm interrupts with register C's flags, and the memory sizes
 * a BIOS would have stored (base memory, extended memory below and above 16 MiB).
 */
import type { IrqLine } from '../../devices/bus'
import type { PortDevice } from '../../devices/port-io'
import { STEPS_PER_SECOND, stepOfTick, ticksAt } from './pc-time'

export const CMOS_PORT = 0x70
export const RTC_IRQ = 8
/** 2025-01-01 00:00:00 UTC: the date the clock shows at step 0 unless the machine says otherwise. */
export const RTC_EPOCH_SECONDS = 1_735_689_600

// Register indices (MC146818A "Address Map"; 0x32 is the century byte PC BIOSes use).
const REG_SECONDS = 0x00
const REG_SECONDS_ALARM = 0x01
const REG_MINUTES = 0x02
const REG_MINUTES_ALARM = 0x03
const REG_HOURS = 0x04
const REG_HOURS_ALARM = 0x05
const REG_DAY_OF_WEEK = 0x06
const REG_DAY_OF_MONTH = 0x07
const REG_MONTH = 0x08
const REG_YEAR = 0x09
const REG_A = 0x0a
const REG_B = 0x0b
const REG_C = 0x0c
const REG_D = 0x0d
const REG_CENTURY = 0x32

const REG_A_UIP = 0x80
const REG_B_SET = 0x80
const REG_B_PIE = 0x40
const REG_B_AIE = 0x20
const REG_B_UIE = 0x10
const REG_B_DM = 0x04 // binary (not BCD)
const REG_B_24H = 0x02
const REG_C_IRQF = 0x80
const REG_C_PF = 0x40
const REG_C_AF = 0x20
const REG_C_UF = 0x10
const REG_D_VRT = 0x80

/** The time base's crystal: 32.768 kHz. */
const RTC_HZ = 32_768n
/** UIP is set this long before each update (datasheet: 244 µs). */
const UIP_STEPS = (244n * STEPS_PER_SECOND) / 1_000_000n

export interface CmosOptions {
  irq: IrqLine
  /** Guest time in steps (`hart.time`). */
  now: () => bigint
  /** Bytes of RAM, for the memory-size bytes. */
  ramBytes: number
  /** Seconds since 1970 at step 0. */
  epochSeconds?: number
}

export class CmosRtc {
  private index = 0
  /** The 128 bytes of CMOS RAM; the clock registers 0x00–0x0D are computed, not kept here. */
  private readonly ram: number[] = new Array(128).fill(0)
  private regA = 0x26 // 32.768 kHz time base, rate 6 (1024 Hz)
  private regB = REG_B_24H
  private regC = 0
  private alarm = [0, 0, 0]
  /** Periodic-interrupt ticks (of the 32.768 kHz base) already signalled. */
  private periodicTick = 0n
  /** Whole guest seconds already signalled as updates. */
  private updateSecond = 0n
  private irqLevel = false
  private readonly epoch: bigint

  constructor(private readonly opts: CmosOptions) {
    this.epoch = BigInt(opts.epochSeconds ?? RTC_EPOCH_SECONDS)
    this.fillBiosBytes(opts.ramBytes)
  }

  /** The memory and equipment bytes QEMU's pc_cmos_init stores (and a BIOS would have). */
  private fillBiosBytes(ramBytes: number): void {
    const KiB = 1024
    const MiB = 1024 * KiB
    const put16 = (at: number, v: number) => {
      this.ram[at] = v & 0xff
      this.ram[at + 1] = (v >> 8) & 0xff
    }
    put16(0x15, 640) // base memory, KiB
    const extKiB = Math.min(0xffff, Math.max(0, (ramBytes - MiB) / KiB))
    put16(0x17, extKiB)
    put16(0x30, extKiB)
    put16(0x34, Math.min(0xffff, Math.max(0, (ramBytes - 16 * MiB) / (64 * KiB))))
    // What QEMU 7.2's pc_cmos_init stores for `-kernel` on its default PC (cmos.asm compares them):
    this.ram[0x10] = 0x50 // diskette types: drive A type 5 (QEMU's default fd0, no medium), no drive B
    this.ram[0x14] = 0x07 // equipment: a diskette drive, a math coprocessor, a PS/2 mouse; EGA/VGA video (bits 4-5 = 0)
    this.ram[0x3d] = 0x12 // boot devices 1 and 2: hard disk, then diskette (QEMU's default order "cad")
    this.ram[0x38] = 0x30 // boot device 3: CD-ROM; diskette signature check on
    this.ram[REG_CENTURY] = 0 // computed on read
  }

  ports(): PortDevice[] {
    return [{ name: 'cmos', port: CMOS_PORT, count: 2, read: (o) => (o === 0 ? 0xff : this.readData()), write: (o, _s, v) => (o === 0 ? (this.index = v & 0x7f) : this.writeData(v & 0xff)) }]
  }

  /** Guest seconds since step 0, and the step within the current second. */
  private clock(): { seconds: bigint; into: bigint } {
    const t = this.opts.now()
    return { seconds: t / STEPS_PER_SECOND, into: t % STEPS_PER_SECOND }
  }

  private date(): Date {
    return new Date(Number((this.epoch + this.clock().seconds) * 1000n))
  }

  /** A value in the format register B asks for: BCD unless DM, 12-hour with the PM bit unless 24H. */
  private encode(v: number): number {
    return this.regB & REG_B_DM ? v : ((v / 10) << 4) | v % 10
  }

  private encodeHours(h: number): number {
    if (this.regB & REG_B_24H) return this.encode(h)
    const pm = h >= 12
    const h12 = h % 12 === 0 ? 12 : h % 12
    return this.encode(h12) | (pm ? 0x80 : 0)
  }

  private readData(): number {
    const d = this.date()
    switch (this.index) {
      case REG_SECONDS:
        return this.encode(d.getUTCSeconds())
      case REG_MINUTES:
        return this.encode(d.getUTCMinutes())
      case REG_HOURS:
        return this.encodeHours(d.getUTCHours())
      case REG_DAY_OF_WEEK:
        return this.encode(d.getUTCDay() + 1)
      case REG_DAY_OF_MONTH:
        return this.encode(d.getUTCDate())
      case REG_MONTH:
        return this.encode(d.getUTCMonth() + 1)
      case REG_YEAR:
        return this.encode(d.getUTCFullYear() % 100)
      case REG_CENTURY:
        return this.encode(Math.floor(d.getUTCFullYear() / 100))
      case REG_SECONDS_ALARM:
        return this.alarm[0]
      case REG_MINUTES_ALARM:
        return this.alarm[1]
      case REG_HOURS_ALARM:
        return this.alarm[2]
      case REG_A:
        return this.regA | (this.clock().into >= STEPS_PER_SECOND - UIP_STEPS ? REG_A_UIP : 0)
      case REG_B:
        return this.regB
      case REG_C: {
        this.update()
        const v = this.regC
        this.regC = 0
        this.setIrq(false)
        return v
      }
      case REG_D:
        return REG_D_VRT
      default:
        return this.ram[this.index]
    }
  }

  private writeData(v: number): void {
    switch (this.index) {
      case REG_SECONDS_ALARM:
        this.alarm[0] = v
        break
      case REG_MINUTES_ALARM:
        this.alarm[1] = v
        break
      case REG_HOURS_ALARM:
        this.alarm[2] = v
        break
      case REG_A:
        this.regA = v & 0x7f
        this.periodicTick = ticksAt(this.opts.now(), RTC_HZ) / this.period()
        break
      case REG_B: {
        const turnedOn = v & ~this.regB
        this.regB = v & ~(v & REG_B_SET ? REG_B_UIE : 0)
        // Start counting periods and seconds from now: only events after the enable are signalled.
        if (turnedOn & REG_B_PIE) this.periodicTick = ticksAt(this.opts.now(), RTC_HZ) / this.period()
        if (turnedOn & (REG_B_UIE | REG_B_AIE)) this.updateSecond = this.clock().seconds
        break
      }
      case REG_C:
      case REG_D:
        break // read-only
      default:
        if (this.index <= REG_YEAR || this.index === REG_CENTURY) break // the clock cannot be set: time is the boot's
        this.ram[this.index] = v
    }
  }

  /** Periodic-interrupt period in 32.768 kHz ticks (rate in register A's low bits; 0 = off). */
  private period(): bigint {
    const rate = this.regA & 0x0f
    if (rate === 0) return 0n
    const r = rate <= 2 ? rate + 7 : rate
    return 1n << BigInt(r - 1)
  }

  /** The next step at which IRQ 8 may rise, or undefined. */
  nextEventStep(): bigint | undefined {
    let next: bigint | undefined
    const p = this.period()
    if (this.regB & REG_B_PIE && p) next = stepOfTick((this.periodicTick + 1n) * p, RTC_HZ)
    if (this.regB & (REG_B_UIE | REG_B_AIE)) {
      const s = (this.updateSecond + 1n) * STEPS_PER_SECOND
      if (next === undefined || s < next) next = s
    }
    return next
  }

  /** Signals the periodic, update and alarm events due by now. */
  update(): void {
    const now = this.opts.now()
    const p = this.period()
    if (this.regB & REG_B_PIE && p) {
      const tick = ticksAt(now, RTC_HZ) / p
      if (tick > this.periodicTick) {
        this.periodicTick = tick
        this.regC |= REG_C_PF
      }
    }
    const seconds = now / STEPS_PER_SECOND
    if (seconds > this.updateSecond) {
      this.updateSecond = seconds
      this.regC |= REG_C_UF
      const d = this.date()
      const match = (alarm: number, v: number) => (alarm & 0xc0) === 0xc0 || alarm === this.encode(v)
      if (match(this.alarm[0], d.getUTCSeconds()) && match(this.alarm[1], d.getUTCMinutes()) && match(this.alarm[2], d.getUTCHours())) this.regC |= REG_C_AF
    }
    const enabled = (this.regC & REG_C_PF && this.regB & REG_B_PIE) || (this.regC & REG_C_UF && this.regB & REG_B_UIE) || (this.regC & REG_C_AF && this.regB & REG_B_AIE)
    if (enabled) this.regC |= REG_C_IRQF
    this.setIrq((this.regC & REG_C_IRQF) !== 0)
  }

  private setIrq(level: boolean): void {
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.opts.irq(level)
    }
  }
}
