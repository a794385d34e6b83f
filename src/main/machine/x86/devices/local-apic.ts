/**
 * The local APIC in xAPIC mode at 0xFEE00000 (SDM vol. 3A chapter 11, "Advanced Programmable
 * Interrupt Controller"; QEMU `hw/intc/apic.c`): ID, version, task and processor priority, EOI,
 * logical destination, spurious-interrupt vector (the software enable), the in-service, trigger-
 * mode and request registers (256 bits each), error status, the interrupt command register (a
 * self-IPI is all one CPU can send), the local vector table (timer, LINT0, LINT1, error…) and the
 * timer (one-shot and periodic, with the divide configuration) counting at QEMU's 1 GHz bus clock
 * in deterministic guest time. LINT0 in ExtINT mode passes the 8259's INTR through, as the BIOS
 * leaves it; interrupts from the I/O APIC arrive with `accept`.
 */
import type { AccessSize, Device } from '../../devices/bus'
import { NS_PER_STEP } from './pc-time'

const NS_PER_SECOND = 1_000_000_000n

export const LAPIC_BASE = 0xfee0_0000n
export const LAPIC_SIZE = 0x1000n

// Register offsets (SDM Table 11-1).
const REG_ID = 0x20
const REG_VERSION = 0x30
const REG_TPR = 0x80
const REG_APR = 0x90
const REG_PPR = 0xa0
const REG_EOI = 0xb0
const REG_LDR = 0xd0
const REG_DFR = 0xe0
const REG_SVR = 0xf0
const REG_ISR = 0x100
const REG_TMR = 0x180
const REG_IRR = 0x200
const REG_ESR = 0x280
const REG_ICR_LOW = 0x300
const REG_ICR_HIGH = 0x310
const REG_LVT_TIMER = 0x320
const REG_LVT_ERROR = 0x370
const REG_TIMER_INITIAL = 0x380
const REG_TIMER_CURRENT = 0x390
const REG_TIMER_DIVIDE = 0x3e0

const LVT_COUNT = 7 // timer, thermal, performance, LINT0, LINT1, error, CMCI — in register order 0x320…0x370 (CMCI at 0x2F0)
const LVT_TIMER = 0
const LVT_LINT0 = 3
const LVT_LINT1 = 4
const LVT_MASKED = 1 << 16
const LVT_TIMER_PERIODIC = 1 << 17
const LVT_LEVEL = 1 << 15
const LVT_DELIVERY_MASK = 7 << 8
const DELIVERY_EXTINT = 7 << 8
const DELIVERY_NMI = 4 << 8
const SVR_ENABLE = 1 << 8
/** Version 0x14 with 6 LVT entries (max LVT = 5), as QEMU reports. */
const APIC_VERSION = 0x0005_0014
/** QEMU's APIC bus clock: the timer counts at 1 GHz before the divider. */
const APIC_BUS_HZ = 1_000_000_000n

const bitTest = (set: number[], v: number) => (set[v >> 5] & (1 << (v & 31))) !== 0
const bitSet = (set: number[], v: number) => void (set[v >> 5] |= 1 << (v & 31))
const bitClear = (set: number[], v: number) => void (set[v >> 5] &= ~(1 << (v & 31)))
function highest(set: number[]): number {
  for (let i = 7; i >= 0; i--) if (set[i]) return i * 32 + (31 - Math.clz32(set[i]))
  return -1
}

export interface LocalApicOptions {
  /** Guest time in steps (`hart.time`). */
  now: () => bigint
  /** Something changed that may raise or lower the hart's INTR line. */
  changed: () => void
  /** LINT1 in NMI mode, or an NMI IPI: the platform raises the hart's NMI. */
  nmi: () => void
  /** End of a level-triggered interrupt (TMR set): the I/O APIC clears its remote IRR. */
  eoi: (vector: number) => void
}

export class LocalApic implements Device {
  readonly name = 'lapic'
  readonly base = LAPIC_BASE
  readonly size = LAPIC_SIZE
  private id = 0
  private tpr = 0
  private ldr = 0
  private dfr = 0xffff_ffff
  private svr = 0xff
  private readonly isr = new Array(8).fill(0)
  private readonly tmr = new Array(8).fill(0)
  private readonly irr = new Array(8).fill(0)
  private esr = 0
  private icrLow = 0
  private icrHigh = 0
  private readonly lvt = new Array(LVT_COUNT).fill(LVT_MASKED)
  private timerInitial = 0
  private timerDivideConfig = 0
  /** Guest step at which the timer was (re)loaded, and the expiries signalled since. */
  private timerLoadStep = 0n
  private timerExpiries = 0n

  constructor(private readonly opts: LocalApicOptions) {}

  /**
   * As SeaBIOS leaves the APIC at a Multiboot entry: software-enabled, LINT0 ExtINT (the 8259), LINT1 NMI,
   * both with the level trigger bit set — QEMU's registers read 0x8700 and 0x8400 (lapic-timer.asm).
   */
  setupAsBios(): void {
    this.svr = SVR_ENABLE | 0xff
    this.lvt[LVT_LINT0] = DELIVERY_EXTINT | LVT_LEVEL
    this.lvt[LVT_LINT1] = DELIVERY_NMI | LVT_LEVEL
  }

  private get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0
  }

  /** The 8259's INTR reaches the CPU through LINT0 when it is unmasked in ExtINT mode (QEMU apic_accept_pic_intr). */
  acceptsPicInterrupt(globallyEnabled: boolean): boolean {
    if (!globallyEnabled) return true
    const l = this.lvt[LVT_LINT0]
    return (l & LVT_MASKED) === 0 && (l & LVT_DELIVERY_MASK) === DELIVERY_EXTINT
  }

  /** An interrupt from the I/O APIC (or a self-IPI): requested in IRR; `level` sets TMR. */
  accept(vector: number, level: boolean): void {
    if (!this.softwareEnabled || vector < 16) return
    bitSet(this.irr, vector)
    if (level) bitSet(this.tmr, vector)
    else bitClear(this.tmr, vector)
    this.opts.changed()
  }

  /** Processor priority (SDM §11.8.3.1): the higher of TPR and the in-service class. */
  private ppr(): number {
    const isrv = highest(this.isr)
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0
    return (this.tpr & 0xf0) >= isrClass ? this.tpr : isrClass
  }

  /** The vector the APIC would deliver now, or undefined (SDM §11.8.3: its class must exceed the PPR's). */
  deliverable(): number | undefined {
    const v = highest(this.irr)
    if (v < 0) return undefined
    return (v & 0xf0) > (this.ppr() & 0xf0) ? v : undefined
  }

  /** The interrupt-acknowledge cycle for an APIC vector: IRR → ISR. */
  acknowledge(vector: number): void {
    bitClear(this.irr, vector)
    bitSet(this.isr, vector)
    this.opts.changed()
  }

  /** `mov cr8`: CR8 is TPR[7:4]. */
  setTaskPriorityFromCr8(cr8: bigint): void {
    this.tpr = Number(cr8 & 0xfn) << 4
    this.opts.changed()
  }

  private divideShift(): number {
    const v = this.timerDivideConfig
    const d = (v & 3) | ((v & 8) >> 1) // bits 0,1,3
    return d === 7 ? 0 : d + 1 // divide by 2^(d+1); 0b111 = divide by 1
  }

  /** Timer ticks (after the divider) since the load. */
  private timerTicks(): bigint {
    const ns = (this.opts.now() - this.timerLoadStep) * NS_PER_STEP
    return ((ns * APIC_BUS_HZ) / NS_PER_SECOND) >> BigInt(this.divideShift())
  }

  private currentCount(): number {
    if (this.timerInitial === 0) return 0
    const t = this.timerTicks()
    const n = BigInt(this.timerInitial)
    if (this.periodic) return Number(n - (t % n))
    return t >= n ? 0 : Number(n - t)
  }

  private get periodic(): boolean {
    return (this.lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) !== 0
  }

  /** The step at which the timer next expires, or undefined. */
  nextEventStep(): bigint | undefined {
    if (this.timerInitial === 0 || (!this.periodic && this.timerExpiries > 0n)) return undefined
    // The bus clock is 1 GHz: one count per nanosecond before the divider.
    const ns = ((this.timerExpiries + 1n) * BigInt(this.timerInitial)) << BigInt(this.divideShift())
    return this.timerLoadStep + (ns + NS_PER_STEP - 1n) / NS_PER_STEP
  }

  /** Raises the timer interrupt for an expiry due by now. */
  update(): void {
    if (this.timerInitial === 0) return
    let e = this.timerTicks() / BigInt(this.timerInitial)
    if (!this.periodic && e > 1n) e = 1n
    if (e <= this.timerExpiries) return
    this.timerExpiries = e
    const l = this.lvt[LVT_TIMER]
    if (!(l & LVT_MASKED)) this.accept(l & 0xff, false)
  }

  read(offset: number, _size: AccessSize): bigint {
    return BigInt(this.readReg(offset & 0xff0) >>> 0)
  }

  private readReg(r: number): number {
    if (r >= REG_ISR && r < REG_ISR + 0x80) return this.isr[(r - REG_ISR) >> 4]
    if (r >= REG_TMR && r < REG_TMR + 0x80) return this.tmr[(r - REG_TMR) >> 4]
    if (r >= REG_IRR && r < REG_IRR + 0x80) return this.irr[(r - REG_IRR) >> 4]
    if (r >= REG_LVT_TIMER && r <= REG_LVT_ERROR) return this.lvt[(r - REG_LVT_TIMER) >> 4]
    switch (r) {
      case REG_ID:
        return this.id << 24
      case REG_VERSION:
        return APIC_VERSION
      case REG_TPR:
        return this.tpr
      case REG_APR:
        return 0
      case REG_PPR:
        return this.ppr()
      case REG_LDR:
        return this.ldr
      case REG_DFR:
        return this.dfr
      case REG_SVR:
        return this.svr
      case REG_ESR:
        return this.esr
      case REG_ICR_LOW:
        return this.icrLow
      case REG_ICR_HIGH:
        return this.icrHigh
      case REG_TIMER_INITIAL:
        return this.timerInitial
      case REG_TIMER_CURRENT:
        return this.currentCount()
      case REG_TIMER_DIVIDE:
        return this.timerDivideConfig
      default:
        return 0
    }
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    const r = offset & 0xff0
    const v = Number(value & 0xffff_ffffn)
    if (r >= REG_LVT_TIMER && r <= REG_LVT_ERROR) {
      const i = (r - REG_LVT_TIMER) >> 4
      this.lvt[i] = this.softwareEnabled ? v : v | LVT_MASKED
      if (i === LVT_TIMER) this.update()
      this.opts.changed()
      return
    }
    switch (r) {
      case REG_ID:
        this.id = (v >>> 24) & 0xff
        break
      case REG_TPR:
        this.tpr = v & 0xff
        this.opts.changed()
        break
      case REG_EOI: {
        const vec = highest(this.isr)
        if (vec >= 0) {
          bitClear(this.isr, vec)
          if (bitTest(this.tmr, vec)) this.opts.eoi(vec)
        }
        this.opts.changed()
        break
      }
      case REG_LDR:
        this.ldr = v & 0xff00_0000
        break
      case REG_DFR:
        this.dfr = v | 0x0fff_ffff
        break
      case REG_SVR:
        this.svr = v & 0x1ff
        if (!this.softwareEnabled) for (let i = 0; i < LVT_COUNT; i++) this.lvt[i] |= LVT_MASKED
        this.opts.changed()
        break
      case REG_ESR:
        this.esr = 0
        break
      case REG_ICR_HIGH:
        this.icrHigh = v
        break
      case REG_ICR_LOW:
        this.icrLow = v & ~(1 << 12) // delivery status: idle at once
        this.sendIpi(v)
        break
      case REG_TIMER_INITIAL:
        this.timerInitial = v
        this.timerLoadStep = this.opts.now()
        this.timerExpiries = 0n
        this.opts.changed()
        break
      case REG_TIMER_DIVIDE:
        this.timerDivideConfig = v & 0xb
        break
    }
  }

  /** ICR: with one CPU only a self-IPI (shorthand 01, or destination = own ID) and NMI do anything. */
  private sendIpi(low: number): void {
    const shorthand = (low >> 18) & 3
    const mode = (low >> 8) & 7
    const dest = (this.icrHigh >>> 24) & 0xff
    const toSelf = shorthand === 1 || shorthand === 2 || (shorthand === 0 && (dest === this.id || dest === 0xff))
    if (!toSelf) return
    if (mode === 4) this.opts.nmi()
    else if (mode === 0) this.accept(low & 0xff, false)
  }
}
