import { describe, it, expect } from 'vitest'
import { qemu } from '../../../support/oracles'
import { buildProgram, toolchainMissing } from '../../../support/build-program'
import { ensureWasm } from './run-asm'
import { runWithUart, runQemu, UART_PRINT_ASM } from './uart-run'
import { fpDiffProgram } from './fp-vectors'

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
    const prog = await buildProgram(fpDiffProgram(160, UART_PRINT_ASM))
    const ours = runWithUart(prog)
    const ref = runQemu(q.path!, prog.elf)
    expect(ours.finisher).toBe(0x5555)
    expect(ref.length).toBeGreaterThan(1000)
    expect(firstDiff(ours.output, ref)).toBe('')
  })
})
