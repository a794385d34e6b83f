/**
 * The block compiler runs every guest program exactly as the interpreter does: same exits, same
 * step counts, same registers, CSRs and RAM, same trace records — compared slice by slice by the
 * lockstep harness, with the compile threshold at 1 (every pc compiled at first sight) and at the
 * default. Programs: the hart's own differential programs (RV64IM + C + AMOs, F/D, privileged:
 * traps, delegation, Sv39), the bench kernel, and the compiler-specific ones in programs.ts.
 */
import { describe, it, expect } from 'vitest'
import { buildProgram, toolchainMissing, type Program } from '../../../support/build-program'
import { ensureWasm } from '../hart/run-asm'
import { UART_PRINT_ASM } from '../hart/uart-run'
import { intDiffProgram } from '../hart/int-vectors'
import { fpDiffProgram } from '../hart/fp-vectors'
import { privProgram } from '../hart/priv-program'
import { computeKernel } from '../../../../bench/hart-kernels'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { HOT_THRESHOLD } from '../../../../src/main/machine/blocks/block-engine'
import type { Hart } from '../../../../src/main/machine/hart/hart'
import { runLockstep, type LockstepOptions } from './lockstep'
import { callReturnProgram, hostPatchedProgram, selfModifyingProgram, sv39LoopProgram, timerInterruptProgram } from './programs'

const haltOnEbreak = (h: Hart): void => {
  h.haltOnEbreak = true
}

async function agree(source: string, opts: LockstepOptions = {}): Promise<ReturnType<typeof runLockstep> & { prog: Program }> {
  ensureWasm()
  const prog = await buildProgram(source)
  const r = runLockstep(prog, { setup: haltOnEbreak, ...opts })
  expect(r.difference).toBe('')
  return { ...r, prog }
}

describe.skipIf(toolchainMissing())('compiled blocks run guest programs exactly as the interpreter', () => {
  it('the RV64IM / compressed / AMO differential program (every pc compiled, UART output polled in compiled loops)', async () => {
    const r = await agree(intDiffProgram(40, UART_PRINT_ASM))
    expect(r.finisher).toBe(0x5555)
    expect(r.output.length).toBeGreaterThan(1000)
    expect(r.compiledSteps).toBeGreaterThan(r.steps / 4n)
  }, 120_000)

  it('the F/D program: floating point leaves compiled code and comes back', async () => {
    const r = await agree(fpDiffProgram(30, UART_PRINT_ASM))
    expect(r.finisher).toBe(0x5555)
    expect(r.compiledSteps).toBeGreaterThan(0n)
  }, 120_000)

  it('the privileged program (CSRs, exceptions, delegation, Sv39, A/D, SUM/MXR, higher half), untraced and traced', async () => {
    for (const trace of [false, true]) {
      const r = await agree(privProgram(UART_PRINT_ASM), {
        trace,
        setup: (h) => {
          h.regionShift = 12
          h.traceWalks = true
        },
      })
      expect(r.finisher).toBe(0x5555)
      if (trace) expect(r.traceRecords).toBeGreaterThan(10)
    }
  }, 120_000)

  it('the compute kernel at the default hot threshold, mostly compiled', async () => {
    // The default threshold compiles a pc after ~HOT_THRESHOLD × 512 interpreted steps near it (tiering:
    // only code that keeps running is worth a compile), so the loop runs long enough to amortise that.
    const r = await agree(computeKernel(1_500_000, false), { hotThreshold: HOT_THRESHOLD, maxSteps: 100_000_000 })
    expect(r.exit).toBe(HartExit.Halt)
    expect(Number(r.compiledSteps) / Number(r.steps)).toBeGreaterThan(0.8)
  }, 120_000)

  it('returns to call sites in the same page continue inside compiled code; a jump through a table leaves', async () => {
    const iterations = 30_000
    const r = await agree(callReturnProgram(iterations))
    expect(r.exit).toBe(HartExit.Halt)
    expect(Number(r.compiledSteps) / Number(r.steps)).toBeGreaterThan(0.9)
    // Two calls per iteration return without leaving; the table jump (no link) leaves once per iteration.
    expect(Number(r.exits.left)).toBeGreaterThan(iterations * 0.9)
    expect(Number(r.exits.left)).toBeLessThan(iterations * 1.1)
  }, 120_000)

  it('a spent compile budget defers compile requests: the program runs interpreted, with the same results', async () => {
    // Budget 0 after the first compile: every later request is put off (and asked again much later).
    const r = await agree(callReturnProgram(5000), { compileBudget: { share: 0, floorMs: 0 } })
    expect(r.exit).toBe(HartExit.Halt)
    expect(r.regionsCompiled).toBe(1)
    expect(r.deferred).toBeGreaterThan(0)
  }, 120_000)

  it('self-modifying code in a hot loop, with and without fence.i, and loads straddling a page', async () => {
    for (const fence of [true, false]) {
      const r = await agree(selfModifyingProgram(20_000, fence))
      expect(r.exit).toBe(HartExit.Halt)
      expect(r.invalidated).toBeGreaterThan(10)
    }
  }, 120_000)

  it('timer interrupts arrive at the same step inside compiled loops', async () => {
    const r = await agree(timerInterruptProgram(400_000, 700))
    expect(r.exit).toBe(HartExit.Halt)
    expect(Number(r.compiledSteps) / Number(r.steps)).toBeGreaterThan(0.5)
  }, 120_000)

  it('an Sv39 loop in S-mode through an alias mapping, with page faults in mid-block, untraced and traced', async () => {
    for (const trace of [false, true]) {
      const r = await agree(sv39LoopProgram(60_000), {
        trace,
        setup: (h) => {
          h.haltOnEbreak = true
          h.regionShift = 12
          h.traceWalks = true
        },
      })
      expect(r.exit).toBe(HartExit.Halt)
      expect(Number(r.compiledSteps) / Number(r.steps)).toBeGreaterThan(0.5)
    }
  }, 120_000)

  it('host writes into compiled code (DMA) between slices drop the stale blocks', async () => {
    ensureWasm()
    const prog = await buildProgram(hostPatchedProgram(2_000_000))
    const hot = Number(prog.symbols.get('hot')! - 0x8000_0000n)
    const r = runLockstep(prog, {
      setup: haltOnEbreak,
      between: (h, slice) => {
        if (slice % 9 !== 8) return
        // addi s1, s1, imm with a new immediate: the host writes the code and drops the hart's caches.
        const word = ((slice & 0x3ff) << 20) | (9 << 15) | (9 << 7) | 0x13
        new DataView(h.ram.buffer, h.ram.byteOffset).setUint32(hot, word >>> 0, true)
        h.invalidateCaches()
      },
    })
    expect(r.difference).toBe('')
    expect(r.exit).toBe(HartExit.Halt)
    expect(r.invalidated).toBeGreaterThan(0)
  }, 120_000)
})
