/**
 * The 8254 programmable interval timer (Intel 8254 datasheet; QEMU `hw/timer/i8254.c`): three
 * 16-bit counters at ports 0x40–0x42 and the control word at 0x43, clocked at 1.193182 MHz from
 * deterministic guest time (`pc-time.ts`). Counter 0's output is IRQ 0; counter 2's gate and
 * output are bits 0 and 5 of port 0x61 (the speaker port, used by calibration loops). Modes 0–5
 * as QEMU models them (2, rate generator, and 3, square wave, are what kernels program), the
 * LSB/MSB/word access modes, counter latch and read-back commands.
 *
 * The machine asks `nextEventStep` where counter 0's output changes next and runs the hart no
 * further, then calls `update`: the IRQ 0 edge lands on the exact step, every time.
 */
import type { IrqLine } from '../../devices/bus'
import type { PortDevice } from '../../devices/port-io'
import { PIT_HZ, stepOfTick, ticksAt } from './pc-time'

export const PIT_PORT = 0x40
export const PIT_IRQ = 0
export const SPEAKER_PORT = 0x61

// Access modes of the control word (bits 5:4), and the read/write state machine (QEMU's RW_STATE_*).
const RW_LSB = 1
const RW_MSB = 2
const RW_WORD0 = 3
const RW_WORD1 = 4

interface Counter {
  /** Reload value: 1..0x10000 (0 written means 0x10000). */
  count: number
  latchedCount: number
  /** Pending latched-count read state (0 = none). */
  countLatched: number
  statusLatched: boolean
  status: number
  readState: number
  writeState: number
  writeLatch: number
  rwMode: number
  mode: number
  bcd: number
  gate: boolean
  /** PIT tick at which the count was loaded. */
  loadTick: bigint
  /** A count has been written since the mode was set (the counter runs). */
  loaded: boolean
}

const counter = (gate: boolean): Counter => ({
  count: 0x10000, latchedCount: 0, countLatched: 0, statusLatched: false, status: 0, readState: RW_LSB, writeState: RW_LSB,
  writeLatch: 0, rwMode: 0, mode: 0, bcd: 0, gate, loadTick: 0n, loaded: false,
})

export interface PitOptions {
  /** IRQ 0 (to the PIC, and the I/O APIC). */
  irq: IrqLine
  /** Guest time in steps (`hart.time`). */
  now: () => bigint
}

export class Pit8254 {
  private readonly counters: Counter[] = [counter(true), counter(true), counter(false)]
  private irqLevel = false
  /** Port 0x61 bit 1 (speaker data enable) and the refresh bit QEMU toggles on each read. */
  private speakerData = 0
  private refreshToggle = 0

  constructor(private readonly opts: PitOptions) {}

  /** As a BIOS leaves counter 0: mode 2 (or 3), count `count` (0 = 65536), LSB then MSB. */
  setup(mode: number, count: number): void {
    const c = this.counters[0]
    Object.assign(c, { rwMode: RW_WORD0, readState: RW_WORD0, writeState: RW_WORD0, mode })
    this.load(c, count)
  }

  private tick(): bigint {
    return ticksAt(this.opts.now(), PIT_HZ)
  }

  private elapsed(c: Counter, tick: bigint): bigint {
    return tick - c.loadTick
  }

  /** The counting element's value now (QEMU pit_get_count). */
  private countNow(c: Counter, tick: bigint): number {
    const d = this.elapsed(c, tick)
    const n = BigInt(c.count)
    switch (c.mode) {
      case 0:
      case 1:
      case 4:
      case 5:
        return Number((n - d) & 0xffffn)
      case 3:
        return Number(n - ((2n * d) % n))
      default:
        return Number(n - (d % n))
    }
  }

  /** The OUT pin at `tick` (QEMU pit_get_out). */
  private out(c: Counter, tick: bigint): boolean {
    if (!c.loaded) return false // as QEMU: no edges until a count is written
    const d = this.elapsed(c, tick)
    const n = BigInt(c.count)
    switch (c.mode) {
      case 1:
        return d < n
      case 2:
      case 6:
        return d % n === 0n && d !== 0n
      case 3:
      case 7:
        return d % n < (n + 1n) >> 1n
      case 4:
      case 5:
        return d === n
      default:
        return d >= n
    }
  }

  /** The next tick at which OUT changes, or undefined (QEMU get_next_transition_time). */
  private nextTransition(c: Counter, tick: bigint): bigint | undefined {
    if (!c.loaded) return undefined
    const d = this.elapsed(c, tick)
    const n = BigInt(c.count)
    let next: bigint
    switch (c.mode) {
      case 1:
        if (d >= n) return undefined
        next = n
        break
      case 2:
      case 6:
        // OUT pulses high for the one tick at each multiple of the count: rise there, fall one tick later.
        next = d % n === 0n && d !== 0n ? d + 1n : (d / n) * n + n
        break
      case 3:
      case 7: {
        const base = (d / n) * n
        const half = (n + 1n) >> 1n
        next = d - base < half ? base + half : base + n
        break
      }
      case 4:
      case 5:
        if (d < n) next = n
        else if (d === n) next = n + 1n
        else return undefined
        break
      default:
        if (d >= n) return undefined
        next = n
    }
    return c.loadTick + next
  }

  /** The step at which counter 0's output next changes (the IRQ 0 edges), or undefined. */
  nextEventStep(): bigint | undefined {
    const tick = this.next0()
    return tick === undefined ? undefined : stepOfTick(tick, PIT_HZ)
  }

  private next0(): bigint | undefined {
    return this.nextTransition(this.counters[0], this.tick())
  }

  /** Drives IRQ 0 from counter 0's output at the current time. */
  update(): void {
    const level = this.out(this.counters[0], this.tick())
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.opts.irq(level)
    }
  }

  private load(c: Counter, value: number): void {
    c.count = value === 0 ? 0x10000 : value
    c.loadTick = this.tick()
    c.loaded = true
    if (c === this.counters[0]) this.update()
  }

  private latchCount(c: Counter): void {
    if (c.countLatched) return
    c.latchedCount = this.countNow(c, this.tick())
    c.countLatched = c.rwMode
  }

  /** Ports 0x40–0x43 and the speaker port 0x61. */
  ports(): PortDevice[] {
    return [
      { name: 'pit', port: PIT_PORT, count: 4, read: (o) => this.read(o), write: (o, _s, v) => this.write(o, v & 0xff) },
      { name: 'speaker', port: SPEAKER_PORT, count: 1, read: () => this.readSpeaker(), write: (_o, _s, v) => this.writeSpeaker(v) },
    ]
  }

  private write(offset: number, v: number): void {
    if (offset === 3) {
      const channel = v >> 6
      if (channel === 3) {
        // Read-back: bit 5 clear latches the counts, bit 4 clear latches the status, bits 1..3 pick counters.
        for (let i = 0; i < 3; i++) {
          if (!(v & (2 << i))) continue
          const c = this.counters[i]
          if (!(v & 0x20)) this.latchCount(c)
          if (!(v & 0x10) && !c.statusLatched) {
            c.status = ((this.out(c, this.tick()) ? 1 : 0) << 7) | (c.rwMode << 4) | (c.mode << 1) | c.bcd
            c.statusLatched = true
          }
        }
        return
      }
      const c = this.counters[channel]
      const access = (v >> 4) & 3
      if (access === 0) {
        this.latchCount(c)
        return
      }
      c.rwMode = access
      c.readState = access
      c.writeState = access
      c.mode = (v >> 1) & 7
      c.bcd = v & 1
      c.loaded = false
      if (c === this.counters[0]) this.update()
      return
    }
    const c = this.counters[offset]
    switch (c.writeState) {
      case RW_MSB:
        this.load(c, v << 8)
        break
      case RW_WORD0:
        c.writeLatch = v
        c.writeState = RW_WORD1
        break
      case RW_WORD1:
        this.load(c, c.writeLatch | (v << 8))
        c.writeState = RW_WORD0
        break
      default:
        this.load(c, v)
    }
  }

  private read(offset: number): number {
    if (offset === 3) return 0xff // the control word is write-only
    const c = this.counters[offset]
    if (c.statusLatched) {
      c.statusLatched = false
      return c.status
    }
    if (c.countLatched) {
      switch (c.countLatched) {
        case RW_MSB:
          c.countLatched = 0
          return (c.latchedCount >> 8) & 0xff
        case RW_WORD0:
          c.countLatched = RW_MSB
          return c.latchedCount & 0xff
        default:
          c.countLatched = 0
          return c.latchedCount & 0xff
      }
    }
    const count = this.countNow(c, this.tick())
    switch (c.readState) {
      case RW_MSB:
        return (count >> 8) & 0xff
      case RW_WORD0:
        c.readState = RW_WORD1
        return count & 0xff
      case RW_WORD1:
        c.readState = RW_WORD0
        return (count >> 8) & 0xff
      default:
        return count & 0xff
    }
  }

  private readSpeaker(): number {
    const c2 = this.counters[2]
    this.refreshToggle ^= 0x10
    const out = c2.gate && this.out(c2, this.tick()) ? 0x20 : 0
    return (this.speakerData << 1) | (c2.gate ? 1 : 0) | this.refreshToggle | out
  }

  private writeSpeaker(v: number): void {
    const c2 = this.counters[2]
    const gate = (v & 1) !== 0
    // A rising gate restarts counter 2 in modes 1, 2, 3 and 5 (8254 datasheet, "Gate").
    if (gate && !c2.gate && c2.loaded) c2.loadTick = this.tick()
    c2.gate = gate
    this.speakerData = (v >> 1) & 1
  }
}
