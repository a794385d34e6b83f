/**
 * A live riscv64 boot under gdb (`bootscope boot|record KERNEL --gdb [PORT]`): the boot runs in a
 * replay-style session (`ReplaySession.live`) only as far as gdb asks, stopped at its first
 * instruction until then. It keeps checkpoints as it goes, so gdb can go backward over what has
 * run (reverse-stepi over the satp write, reverse-continue to a watchpoint) exactly as over a
 * recording. The furthest step reached is the frontier: each time it moves, `follow` is told
 * (the recorder's own machine runs on to it and records; `boot` prints the new console output).
 */
import type { DebugStops } from '../../machine/core/boot-machine'
import type { ReplaySession } from '../../trace/replay'
import { RiscvReplayTarget } from './replay-target'

export class RiscvLiveTarget extends RiscvReplayTarget {
  /** The furthest step the boot has reached. */
  frontier = 0n

  constructor(
    session: ReplaySession,
    private readonly follow: (frontier: bigint) => Promise<void>,
  ) {
    super(session)
  }

  override async seek(step: bigint): Promise<boolean> {
    const r = await super.seek(step)
    await this.moved()
    return r
  }

  override async runToStop(to: bigint, stops: DebugStops, skip: { breakpoint: boolean; watch: boolean }, interrupted: () => boolean) {
    const r = await super.runToStop(to, stops, skip, interrupted)
    await this.moved()
    return r
  }

  private async moved(): Promise<void> {
    if (this.session.step <= this.frontier) return
    this.frontier = this.session.step
    await this.follow(this.frontier)
  }
}
