/**
 * The SiFive PLIC at 0x0c00_0000 (QEMU `hw/intc/sifive_plic.c`; RISC-V PLIC specification 1.0.0):
 * 96 sources, two contexts for hart 0 (0 = M-mode, 1 = S-mode). Per source a priority (0 = never)
 * and a pending bit, per context an enable bitmap, a threshold and a claim/complete register. A
 * context's output drives MEIP (bit 11) or SEIP (bit 9) through the machine's `setInterruptLine`.
 *
 * The gateway is QEMU's (`sifive_plic_irq_request`), which kernels are tested against: each time a
 * device drives its wire, the pending bit becomes the wire's level; a claim clears it; a completion
 * only ends the claim — it does not look at the wire again. So a wire left high by a driver that
 * never quiets its device (xv6 never reads the 16550's IIR) interrupts once, not for ever; the
 * device's next drive of the wire (QEMU's devices drive it on each register access that may change
 * it) is what makes the source pending again.
 */
import type { AccessSize, Device } from './bus'
import { MIP_MEIP, MIP_SEIP, PLIC_BASE, PLIC_NUM_SOURCES, PLIC_SIZE_BYTES } from './memory-map'

// Register blocks (PLIC spec 1.0.0, "Memory Map").
export const PLIC_PRIORITY = 0x0
export const PLIC_PENDING = 0x1000
export const PLIC_ENABLE = 0x2000
export const PLIC_ENABLE_STRIDE_BYTES = 0x80
export const PLIC_CONTEXT = 0x20_0000
export const PLIC_CONTEXT_STRIDE_BYTES = 0x1000
export const PLIC_CONTEXT_THRESHOLD = 0x0
export const PLIC_CONTEXT_CLAIM = 0x4
/** QEMU virt: VIRT_IRQCHIP_NUM_PRIO_BITS = 3, so priorities are 0..7. */
export const PLIC_PRIORITY_MASK = 0x7
export const PLIC_CONTEXTS = 2

/** Context number → the mip bit it drives (context 0 = hart 0 M-mode, 1 = hart 0 S-mode). */
const CONTEXT_MIP_BIT = [MIP_MEIP, MIP_SEIP]

export class Plic implements Device {
  readonly name = 'plic'
  readonly base = PLIC_BASE
  readonly size = PLIC_SIZE_BYTES

  private readonly priority = new Uint32Array(PLIC_NUM_SOURCES + 1)
  private readonly pending = new Uint8Array(PLIC_NUM_SOURCES + 1)
  /** Claimed and not yet completed: not offered again until completion, even when pending again. */
  private readonly inService = new Uint8Array(PLIC_NUM_SOURCES + 1)
  private readonly enable = [new Uint32Array(4), new Uint32Array(4)]
  private readonly threshold = new Uint32Array(PLIC_CONTEXTS)
  private readonly outputs = [false, false]

  constructor(private readonly setInterruptLine: (bit: number, level: boolean) => void) {}

  /** A device's interrupt wire for `source` (1..96). */
  line(source: number): (level: boolean) => void {
    return (level) => this.setSourceLevel(source, level)
  }

  /** A device drives its wire: the source's pending bit takes the level (QEMU's gateway, see above). */
  setSourceLevel(source: number, level: boolean): void {
    if (source < 1 || source > PLIC_NUM_SOURCES) return
    this.pending[source] = level ? 1 : 0
    this.update()
  }

  read(offset: number, _size: AccessSize): bigint {
    if (offset < PLIC_PENDING) {
      const src = offset >> 2
      return src <= PLIC_NUM_SOURCES ? BigInt(this.priority[src]) : 0n
    }
    if (offset < PLIC_ENABLE) {
      const word = (offset - PLIC_PENDING) >> 2
      let bits = 0
      for (let i = 0; i < 32; i++) {
        const src = word * 32 + i
        if (src <= PLIC_NUM_SOURCES && this.pending[src]) bits |= 1 << i
      }
      return BigInt(bits >>> 0)
    }
    if (offset < PLIC_CONTEXT) {
      const ctx = Math.floor((offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE_BYTES)
      const word = ((offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE_BYTES) >> 2
      if (ctx >= PLIC_CONTEXTS || word >= 4) return 0n
      return BigInt(this.enable[ctx][word])
    }
    const ctx = Math.floor((offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE_BYTES)
    const reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE_BYTES
    if (ctx >= PLIC_CONTEXTS) return 0n
    if (reg === PLIC_CONTEXT_THRESHOLD) return BigInt(this.threshold[ctx])
    if (reg === PLIC_CONTEXT_CLAIM) return BigInt(this.claim(ctx))
    return 0n
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    const v = Number(value & 0xffff_ffffn)
    if (offset < PLIC_PENDING) {
      const src = offset >> 2
      if (src >= 1 && src <= PLIC_NUM_SOURCES) this.priority[src] = v & PLIC_PRIORITY_MASK
    } else if (offset < PLIC_ENABLE) {
      return // pending bits are read-only
    } else if (offset < PLIC_CONTEXT) {
      const ctx = Math.floor((offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE_BYTES)
      const word = ((offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE_BYTES) >> 2
      if (ctx >= PLIC_CONTEXTS || word >= 4) return
      // Source 0 does not exist: its enable bit is hardwired to zero.
      this.enable[ctx][word] = (word === 0 ? v & ~1 : v) >>> 0
    } else {
      const ctx = Math.floor((offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE_BYTES)
      const reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE_BYTES
      if (ctx >= PLIC_CONTEXTS) return
      if (reg === PLIC_CONTEXT_THRESHOLD) this.threshold[ctx] = v & PLIC_PRIORITY_MASK
      else if (reg === PLIC_CONTEXT_CLAIM) this.complete(ctx, v)
    }
    this.update()
  }

  private isEnabled(ctx: number, src: number): boolean {
    return ((this.enable[ctx][src >> 5] >>> (src & 31)) & 1) === 1
  }

  /** The pending, unclaimed, enabled source of highest priority above the threshold (ties: lowest id), or 0. */
  private best(ctx: number): number {
    let best = 0
    let bestPrio = this.threshold[ctx]
    for (let src = 1; src <= PLIC_NUM_SOURCES; src++) {
      if (this.pending[src] && !this.inService[src] && this.isEnabled(ctx, src) && this.priority[src] > bestPrio) {
        best = src
        bestPrio = this.priority[src]
      }
    }
    return best
  }

  private claim(ctx: number): number {
    const src = this.best(ctx)
    if (src !== 0) {
      this.pending[src] = 0
      this.inService[src] = 1
    }
    this.update()
    return src
  }

  private complete(ctx: number, src: number): void {
    // The spec ignores completions for sources not enabled for this context.
    if (src < 1 || src > PLIC_NUM_SOURCES || !this.isEnabled(ctx, src)) return
    this.inService[src] = 0
  }

  private update(): void {
    for (let ctx = 0; ctx < PLIC_CONTEXTS; ctx++) {
      const out = this.best(ctx) !== 0
      if (out !== this.outputs[ctx]) {
        this.outputs[ctx] = out
        this.setInterruptLine(CONTEXT_MIP_BIT[ctx], out)
      }
    }
  }

  /** True when some context has an interrupt to deliver (for waking a `wfi`). */
  get asserted(): boolean {
    return this.outputs[0] || this.outputs[1]
  }
}
