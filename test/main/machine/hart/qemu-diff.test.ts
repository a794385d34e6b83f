import { describe, it, expect } from 'vitest'
import { qemu } from '../../../support/oracles'
import { buildProgram, toolchainMissing } from '../../../support/build-program'
import { ensureWasm } from './run-asm'
import { runWithUart, runQemu, UART_PRINT_ASM } from './uart-run'
import { fpDiffProgram } from './fp-vectors'
import { intDiffProgram } from './int-vectors'
import { privProgram } from './priv-program'

const q = qemu()

function firstDiff(a: string, b: string): string {
  const la = a.split('\n'), lb = b.split('\n')
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i}:\n ours: ${la[i]}\n qemu: ${lb[i]}`
  }
  return ''
}

describe.skipIf(q.missing || toolchainMissing())('differential against QEMU 7.2 (virt, -bios none)', () => {
  it('F/D arithmetic, conversions and flags match SoftFloat in every rounding mode', async () => {
    ensureWasm()
    const prog = await buildProgram(fpDiffProgram(400, UART_PRINT_ASM))
    const ours = runWithUart(prog)
    const ref = runQemu(q.path!, prog.elf)
    expect(ours.finisher).toBe(0x5555)
    expect(ref.length).toBeGreaterThan(1000)
    expect(firstDiff(ours.output, ref)).toBe('')
  })

  it('RV64IM, compressed forms, loads/stores (misaligned too), LR/SC and AMOs match', async () => {
    ensureWasm()
    const prog = await buildProgram(intDiffProgram(120, UART_PRINT_ASM))
    const ours = runWithUart(prog)
    const ref = runQemu(q.path!, prog.elf)
    expect(ours.finisher).toBe(0x5555)
    expect(ref.length).toBeGreaterThan(1000)
    expect(firstDiff(ours.output, ref)).toBe('')
  })

  it('CSR WARL values, exceptions, delegation, Sv39 (A/D, SUM, MXR, U, superpages, canonical) and the higher half match', async () => {
    ensureWasm()
    const prog = await buildProgram(privProgram(UART_PRINT_ASM))
    const ours = runWithUart(prog)
    const ref = runQemu(q.path!, prog.elf)
    expect(ref.length).toBeGreaterThan(500)
    expect(firstDiff(ours.output, ref)).toBe('')
    expect(ours.finisher).toBe(0x5555)
  })
})
