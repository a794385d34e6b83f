import { describe, it, expect } from 'vitest'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { runAsm, program } from './run-asm'
import { toolchainMissing } from '../../../support/build-program'

describe.skipIf(toolchainMissing())('run loop', () => {
  it('sums 1..100 in a loop', async () => {
    const r = await runAsm(program(`
      li a0, 0
      li a1, 100
1:    add a0, a0, a1
      addi a1, a1, -1
      bnez a1, 1b
    `))
    expect(r.exit).toBe(HartExit.Halt)
    expect(r.hart.getX(10)).toBe(5050n)
  })
})
