/**
 * A live boot under gdb (`bootscope boot|record KERNEL --gdb [PORT]`), for any architecture's
 * replay target: the boot runs in a replay-style session (`ReplaySession.live`) only as far as gdb
 * asks, stopped at its first instruction until then. It keeps checkpoints as it goes, so gdb can go
 * backward over what has run (reverse-stepi over the paging switch, reverse-continue to a
 * watchpoint) exactly as over a recording. The furthest step reached is the frontier: each time it
 * moves, `follow` is told (the recorder's own machine runs on to it and records; `boot` prints the
 * new console output).
 */
import type { DebugStops } from '../machine/core/boot-machine'
import { RiscvReplayTarget } from './riscv64/replay-target'

/** A replay target class (riscv64's, or one derived from it such as x86's); constructed with the session. */
type ReplayTargetClass = new (...args: any[]) => RiscvReplayTarget

/** `Base` followed live: seeks and runs past the frontier move it and tell `follow`. */
export function liveTargetOf<B extends ReplayTargetClass>(Base: B) {
  return class LiveTarget extends Base {
    /** The furthest step the boot has reached. */
    frontier = 0n
    follow: (frontier: bigint) => Promise<void> = () => Promise.resolve()

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
      if (this.step <= this.frontier) return
      this.frontier = this.step
      await this.follow(this.frontier)
    }
  }
}
