/**
 * Runs one program on two harts side by side — the interpreter and the block compiler — in
 * slices of varying length (1 step to a million), and after every slice compares what the rest of
 * the machine can see: the exit, the pending MMIO access, the step count, pc, privilege, every
 * register and CSR (the whole state block), and the trace records drained from both rings. At the
 * end RAM is compared too. MMIO is answered identically on both (a UART that collects output and is
 * always ready, the sifive_test finisher), so a difference anywhere shows up at the slice it happens in.
 */
import { Hart } from '../../../../src/main/machine/hart/hart'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { loadProgram, type Program } from '../../../support/build-program'

export const UART_BASE = 0x1000_0000n
export const FINISHER_BASE = 0x10_0000n
/** CLINT mtimecmp (hart 0) and mtime (QEMU virt), served from the hart's own timer as the machine's CLINT does. */
export const CLINT_MTIMECMP = 0x200_4000n
export const CLINT_MTIME = 0x200_bff8n
/** Slice lengths the harness cycles through (mixed so slices end inside compiled regions, at budgets and between). */
const SLICES = [1, 1_000_000, 3, 17, 250_000, 100, 1000, 7, 50_000, 2, 65_536]

export interface LockstepOptions {
  trace?: boolean
  maxSteps?: number
  /** Hot threshold of the compiled hart (1 = compile every pc at first sight). */
  hotThreshold?: number
  /** The compiled hart's compile time budget (HartOptions.compileBudget). */
  compileBudget?: { share: number; floorMs: number }
  ramSize?: number
  /** Called on both harts after loading (CSRs, halt on ebreak…). */
  setup?: (hart: Hart) => void
  /** Called on both harts between slices, at the same step (host writes into RAM, as DMA does). */
  between?: (hart: Hart, slice: number) => void
}

export interface LockstepResult {
  /** '' when the two harts agreed at every slice; else where and how they first differed. */
  difference: string
  steps: bigint
  slices: number
  output: string
  finisher?: number
  exit: HartExit
  compiledSteps: bigint
  regionsCompiled: number
  invalidated: number
  /** Compile requests the compile time budget put off. */
  deferred: number
  /** How calls into compiled code ended (the compiled hart's stats). */
  exits: { left: bigint; slow: bigint; budget: bigint }
  traceRecords: number
  /** The two harts as they ended (for a closer look when they differ). */
  interpreter: Hart
  compiled: Hart
}

const hex = (v: bigint): string => '0x' + v.toString(16)

function firstByteDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

/** Answers a pending MMIO access on one hart (UART output collected, finisher value kept). */
export function serveMmio(h: Hart, out: { text: string; finisher?: number }): void {
  const m = h.mmio
  if (m.addr === CLINT_MTIMECMP && m.size === 8) {
    if (m.isWrite) h.mtimecmp = m.value
    h.completeMmio(m.isWrite ? 0n : h.mtimecmp)
  } else if (!m.isWrite && m.addr === CLINT_MTIME && m.size === 8) {
    h.completeMmio(h.mtime)
  } else if (m.isWrite && m.addr === UART_BASE) {
    out.text += String.fromCharCode(Number(m.value & 0xffn))
    h.completeMmio(0n)
  } else if (!m.isWrite && m.addr === UART_BASE + 5n) {
    h.completeMmio(0x60n)
  } else if (m.isWrite && m.addr === FINISHER_BASE) {
    out.finisher = Number(m.value & 0xffffffffn)
    h.completeMmio(0n)
  } else {
    h.completeMmio(0n, !m.isWrite || m.addr < UART_BASE || m.addr >= UART_BASE + 8n)
  }
}

function compare(a: Hart, b: Hart, where: string): string {
  // The state block holds x0..x31 (+ the x0 write slot), f0..f31, pc, instret, privilege and every CSR.
  const sa = a.saveState()
  const sb = b.saveState()
  if (Buffer.from(sa.buffer, sa.byteOffset, sa.length).equals(sb)) return ''
  if (a.instret !== b.instret) return `${where}: instret ${a.instret} vs ${b.instret}`
  if (a.pc !== b.pc) return `${where}: pc ${hex(a.pc)} vs ${hex(b.pc)}`
  if (a.priv !== b.priv) return `${where}: priv ${a.priv} vs ${b.priv}`
  for (let i = 1; i < 32; i++) if (a.getX(i) !== b.getX(i)) return `${where}: x${i} ${hex(a.getX(i))} vs ${hex(b.getX(i))}`
  return `${where}: state block differs at byte ${firstByteDifference(sa, sb)}`
}

export function runLockstep(prog: Program, opts: LockstepOptions = {}): LockstepResult {
  const make = (engine: 'interpreter' | 'blocks'): Hart => {
    const h = new Hart({ ramSize: opts.ramSize ?? 8 * 1024 * 1024, trace: opts.trace, engine, hotThreshold: opts.hotThreshold ?? 1, compileBudget: opts.compileBudget })
    loadProgram(h, prog)
    opts.setup?.(h)
    return h
  }
  const ref = make('interpreter')
  const jit = make('blocks')
  const outRef: { text: string; finisher?: number } = { text: '' }
  const outJit: { text: string; finisher?: number } = { text: '' }
  const maxSteps = BigInt(opts.maxSteps ?? 50_000_000)
  let difference = ''
  let slices = 0
  let traceRecords = 0
  let exit = HartExit.StepsDone
  while (ref.instret < maxSteps && !difference) {
    const n = SLICES[slices % SLICES.length]
    const where = `slice ${slices} (${n} steps from step ${ref.instret}, pc ${hex(ref.pc)})`
    opts.between?.(ref, slices)
    opts.between?.(jit, slices)
    exit = ref.run(n)
    const e2 = jit.run(n)
    slices++
    if (exit !== e2) { difference = `${where}: exit ${exit} vs ${e2}`; break }
    if (opts.trace) {
      const ta = ref.drainTrace()
      const tb = jit.drainTrace()
      traceRecords += ta.length / 48
      const d = firstByteDifference(ta, tb)
      if (d >= 0) { difference = `${where}: trace records differ at record ${Math.floor(d / 48)} (${ta.length / 48} vs ${tb.length / 48} records)`; break }
    }
    difference = compare(ref, jit, where)
    if (difference) break
    if (exit === HartExit.Mmio) {
      const ma = ref.mmio
      const mb = jit.mmio
      if (ma.addr !== mb.addr || ma.size !== mb.size || ma.isWrite !== mb.isWrite || ma.value !== mb.value) {
        difference = `${where}: MMIO ${JSON.stringify(ma, (_, v) => (typeof v === 'bigint' ? hex(v) : v))} vs ${JSON.stringify(mb, (_, v) => (typeof v === 'bigint' ? hex(v) : v))}`
        break
      }
      serveMmio(ref, outRef)
      serveMmio(jit, outJit)
      if (outRef.finisher !== undefined) break
      continue
    }
    if (exit === HartExit.StepsDone || exit === HartExit.TraceFull) continue
    break // Halt (ebreak), Wfi, FirmwareTrap: the program's end
  }
  if (!difference && outRef.text !== outJit.text) difference = 'UART output differs'
  if (!difference) {
    const d = firstByteDifference(ref.ram, jit.ram)
    if (d >= 0) difference = `RAM differs at 0x${(0x8000_0000 + d).toString(16)}`
  }
  const st = jit.blockStats!
  return {
    difference, steps: ref.instret, slices, output: outRef.text, finisher: outRef.finisher, exit,
    compiledSteps: st.compiledSteps, regionsCompiled: st.regionsCompiled, invalidated: st.invalidated, deferred: st.deferred, exits: st.exits, traceRecords,
    interpreter: ref, compiled: jit,
  }
}
