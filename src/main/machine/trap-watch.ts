/**
 * Spots a guest that can never make progress again and says why, instead of burning the step
 * budget. Three cases, from most to least precise:
 *  - the classic paging mistake: satp written while the current PC has no mapping in the new
 *    table — the very next fetch takes an instruction page fault (REFERENCE.md, "Sv39 / Sv48");
 *  - the same trap (cause, epc, tval) taken again and again with nothing else in between;
 *  - a fetch fault at the trap vector itself (stvec/mtvec unmapped or outside memory): every trap
 *    lands on an address that traps again, forever. QEMU 7.2 hangs there; we stop and explain.
 */
import type { TrapInfo } from './hart/hart-api'
import { translate, type PhysReader } from '../../shared/paging/page-walk'
import { causeName } from '../../shared/trace/causes'
import { CAUSE_INSTRUCTION_ACCESS_FAULT, CAUSE_INSTRUCTION_PAGE_FAULT, CSR } from './boot/csr-numbers'

/** A satp change seen within this many steps of a fetch page fault counts as "right after". */
export const SATP_RECENT_STEPS = 4096n
/** Identical consecutive traps before we call it a loop. */
export const TRAP_REPEAT_LIMIT = 64

const hex = (x: bigint) => `0x${x.toString(16)}`

/** The first trap of a chain the hart took without retiring anything (`HartApi.trapChainStart`). */
export interface TrapChainStart {
  epc: bigint
  cause: bigint
  tval: bigint
}

export interface TrapLoop {
  message: string
  hint: string
  pc: bigint
}

/** What a fetch fault check reads besides the trap: memory (for the walk), RAM's range, stvec. */
export interface FetchFaultContext {
  memory: PhysReader
  ram: { base: bigint; size: bigint }
  stvec: bigint
}

/** The CSR reads the watch needs (the hart satisfies it). */
export interface WatchedHart {
  readonly pc: bigint
  readonly priv: number
  getCsr(num: number): bigint | undefined
}

export class TrapWatch {
  private satp = 0n
  private satpChangedAt = -1n
  private lastTrapKey = ''
  private repeats = 0

  /** Called at every hart exit: notices satp changes (the hart reports no satp-write event itself). */
  observeSatp(satp: bigint, step: bigint): void {
    if (satp !== this.satp) {
      this.satp = satp
      this.satpChangedAt = step
    }
  }

  get satpChangedAtStep(): bigint {
    return this.satpChangedAt
  }

  /**
   * An instruction page fault taken to the built-in firmware (before it is redirected to S-mode),
   * with paging on. Walks the table satp points to and explains the fault when it can never be
   * handled: the classic mistake (the code that enabled paging still runs at its physical address,
   * which the new table does not map) or a jump to an unmapped virtual address while the trap
   * vector is not mapped either. A fault the kernel's own handler can serve is left to it.
   */
  checkFetchFault(trap: TrapInfo, satp: bigint, step: bigint, ctx: FetchFaultContext): TrapLoop | undefined {
    this.observeSatp(satp, step)
    if (trap.cause !== CAUSE_INSTRUCTION_PAGE_FAULT || satp >> 60n === 0n) return undefined
    const walk = translate(ctx.memory, satp, trap.epc, { access: 'fetch', priv: trap.fromPriv })
    if (walk.ok) return undefined
    const since = this.satpChangedAt >= 0n ? step - this.satpChangedAt : -1n
    const satpText = `satp = ${hex(satp)}, root table at PA ${hex((satp & ((1n << 44n) - 1n)) << 12n)}`
    const inRam = trap.epc >= ctx.ram.base && trap.epc < ctx.ram.base + ctx.ram.size
    if (inRam && since >= 0n && since <= SATP_RECENT_STEPS) {
      const when = since <= 1n ? 'right after satp was written' : `${since} instructions after satp was written`
      return {
        pc: trap.epc,
        message: `instruction page fault at ${hex(trap.epc)}, ${when} (${satpText}): the code still runs at its physical address, and the new table does not map it — ${walk.reason}`,
        hint:
          'after `csrw satp` the next fetch is translated; map the code that enables paging at its current (physical) address too — ' +
          'an identity mapping — or reach the higher half before writing satp',
      }
    }
    const vector = ctx.stvec & ~3n
    const vectorWalk = translate(ctx.memory, satp, vector, { access: 'fetch', priv: 1 })
    if (vectorWalk.ok) return undefined
    return {
      pc: trap.epc,
      message:
        `instruction page fault at ${hex(trap.epc)}${since >= 0n ? `, ${since} instructions after satp was written` : ''} (${satpText}): ${walk.reason}; ` +
        `the trap vector stvec = ${hex(vector)} is not mapped either, so the fault can never be handled`,
      hint: `map ${hex(trap.epc)} in the page table (check that the linker script's addresses and the table's entries agree), and point stvec at a mapped handler before enabling paging`,
    }
  }

  /** A trap the firmware redirects to S-mode at `vector`: counts identical repeats. */
  checkRepeat(trap: TrapInfo, vector?: bigint): TrapLoop | undefined {
    const fetchFault = trap.cause === CAUSE_INSTRUCTION_PAGE_FAULT || trap.cause === CAUSE_INSTRUCTION_ACCESS_FAULT
    if (fetchFault && vector !== undefined && trap.epc === vector) {
      // The handler's own address cannot be fetched: the redirect lands on the same fault again.
      return {
        pc: vector,
        message: `${causeName(trap.cause)} at ${hex(vector)}, the trap vector (stvec) itself: every trap lands on an address that traps again, forever`,
        hint: `set stvec to a handler in mapped, executable memory (stvec = ${hex(vector)} now)`,
      }
    }
    const key = `${trap.cause}:${trap.epc}:${trap.tval}:${trap.fromPriv}`
    this.repeats = key === this.lastTrapKey ? this.repeats + 1 : 1
    this.lastTrapKey = key
    if (this.repeats < TRAP_REPEAT_LIMIT) return undefined
    return {
      pc: trap.epc,
      message: `the same trap (${causeName(trap.cause)}, epc ${hex(trap.epc)}, tval ${hex(trap.tval)}) was taken ${this.repeats} times in a row with no progress`,
      hint: 'the trap handler returns to the faulting instruction without fixing its cause (or skipping it with sepc += 4)',
    }
  }

  /** Any other firmware trap (an SBI call) breaks a run of repeats. */
  resetRepeats(): void {
    this.repeats = 0
    this.lastTrapKey = ''
  }

  /**
   * At a slice boundary: is the hart parked on a fetch fault at its own trap vector? Then every
   * further trap lands on the same unfetchable address and nothing can ever change that. This
   * needs `HartApi.run` to come back while the hart loops on traps that retire no instruction.
   * `chain` (the hart's first trap of the loop) names the instruction whose fault began it — under
   * real firmware, the one after `csrw satp` — rather than only the vector.
   */
  checkVectorLoop(hart: WatchedHart, step: bigint, chain?: TrapChainStart): TrapLoop | undefined {
    const mode = hart.priv === 3 ? 'm' : hart.priv === 1 ? 's' : undefined
    if (!mode) return undefined
    const cause = hart.getCsr(mode === 'm' ? CSR.mcause : CSR.scause) ?? 0n
    const epc = hart.getCsr(mode === 'm' ? CSR.mepc : CSR.sepc) ?? 0n
    const tvec = (hart.getCsr(mode === 'm' ? CSR.mtvec : CSR.stvec) ?? 0n) & ~3n
    if (cause !== CAUSE_INSTRUCTION_PAGE_FAULT && cause !== CAUSE_INSTRUCTION_ACCESS_FAULT) return undefined
    if (epc !== tvec || hart.pc !== tvec) return undefined
    const satp = hart.getCsr(CSR.satp) ?? 0n
    this.observeSatp(satp, step)
    const vec = `${mode}tvec`
    const first = chain && chain.epc !== tvec ? chain : undefined
    const afterSatp = (first ? first.cause : cause) === CAUSE_INSTRUCTION_PAGE_FAULT && this.satpChangedAt >= 0n && satp >> 60n !== 0n
    if (afterSatp && first) {
      return {
        pc: first.epc,
        message:
          `instruction page fault at ${hex(first.epc)} after satp was written (satp = ${hex(satp)}): the code still runs at an address ` +
          `the new table does not map, and the trap handler (${vec} = ${hex(tvec)}) is not mapped either, so the hart faults there forever`,
        hint: 'map the code that enables paging at its current (physical) address too — an identity mapping — or reach the higher half before writing satp; and point stvec at a mapped handler',
      }
    }
    if (afterSatp) {
      return {
        pc: tvec,
        message:
          `instruction page fault at ${hex(tvec)} (${vec}) after satp was written (satp = ${hex(satp)}): the current PC has no mapping, ` +
          `and neither has the trap handler, so the hart faults forever`,
        hint: 'map the code that enables paging at its current address too (an identity mapping), and point stvec at a mapped handler before writing satp',
      }
    }
    const began = first ? `; the loop began with ${causeName(first.cause)} at ${hex(first.epc)}` : ''
    return {
      pc: first?.epc ?? tvec,
      message: `${causeName(cause)} at ${hex(tvec)}, the trap vector (${vec}) itself: every trap lands on an address that traps again, forever${began}`,
      hint: `set ${vec} to a handler in mapped, executable memory (${vec} = ${hex(tvec)} now)`,
    }
  }

  /** The hart took traps for many slices without retiring an instruction, in a loop none of the checks above names. */
  stalled(hart: WatchedHart, step: bigint, chain?: TrapChainStart): TrapLoop {
    const began = chain ? `, beginning with ${causeName(chain.cause)} at ${hex(chain.epc)} (tval ${hex(chain.tval)})` : ''
    return {
      pc: chain?.epc ?? hart.pc,
      message: `the hart takes trap after trap without retiring an instruction (step ${step}, pc ${hex(hart.pc)})${began}: it can never make progress`,
      hint: 'the trap handler cannot run: check that mtvec/stvec point at mapped, executable code',
    }
  }
}
