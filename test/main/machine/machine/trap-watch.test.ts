import { describe, expect, it } from 'vitest'
import { CSR } from '../../../../src/main/machine/boot/csr-numbers'
import { TrapWatch, TRAP_REPEAT_LIMIT } from '../../../../src/main/machine/trap-watch'

const SV39 = 8n << 60n

describe('TrapWatch', () => {
  it('explains an instruction page fault right after satp was written', () => {
    const w = new TrapWatch()
    w.observeSatp(0n, 100n)
    const loop = w.checkFetchFaultAfterSatp({ cause: 12n, epc: 0x8020_0020n, tval: 0x8020_0020n, fromPriv: 1 }, SV39 | 0x80202n, 110n)
    expect(loop?.message).toBe('instruction page fault at 0x80200020 right after satp was written (satp = 0x8000000000080202): the current PC has no mapping')
    expect(loop?.hint).toContain('identity mapping')
  })

  it('does not blame satp for a page fault long after paging was enabled', () => {
    const w = new TrapWatch()
    w.observeSatp(SV39 | 1n, 100n)
    expect(w.checkFetchFaultAfterSatp({ cause: 12n, epc: 0x1000n, tval: 0x1000n, fromPriv: 0 }, SV39 | 1n, 1_000_000n)).toBeUndefined()
  })

  it('stops on the same trap repeated with nothing in between, not before', () => {
    const w = new TrapWatch()
    const trap = { cause: 2n, epc: 0x8020_0000n, tval: 0n, fromPriv: 1 }
    for (let i = 1; i < TRAP_REPEAT_LIMIT; i++) expect(w.checkRepeat(trap)).toBeUndefined()
    expect(w.checkRepeat(trap)?.message).toContain('illegal instruction, epc 0x80200000')
    w.resetRepeats()
    expect(w.checkRepeat(trap)).toBeUndefined()
  })

  it('recognizes a fetch fault at the trap vector itself as a loop that can never end', () => {
    const w = new TrapWatch()
    const csrs = new Map<number, bigint>([
      [CSR.scause, 12n],
      [CSR.sepc, 0n],
      [CSR.stvec, 0n],
      [CSR.satp, SV39 | 0x80202n],
    ])
    w.observeSatp(0n, 0n)
    const loop = w.checkVectorLoop({ pc: 0n, priv: 1, getCsr: (n) => csrs.get(n) ?? 0n }, 5000n)
    expect(loop?.message).toContain('instruction page fault at 0x0 (stvec) after satp was written')
    csrs.set(CSR.sepc, 0x8020_0000n)
    expect(w.checkVectorLoop({ pc: 0n, priv: 1, getCsr: (n) => csrs.get(n) ?? 0n }, 6000n)).toBeUndefined()
  })

  it('names an unfetchable mtvec in M-mode', () => {
    const w = new TrapWatch()
    const csrs = new Map<number, bigint>([
      [CSR.mcause, 1n],
      [CSR.mepc, 0x4000_0000n],
      [CSR.mtvec, 0x4000_0000n],
    ])
    const loop = w.checkVectorLoop({ pc: 0x4000_0000n, priv: 3, getCsr: (n) => csrs.get(n) ?? 0n }, 10n)
    expect(loop?.message).toBe('instruction access fault at 0x40000000, the trap vector (mtvec) itself: every trap lands on an address that traps again, forever')
  })
})
