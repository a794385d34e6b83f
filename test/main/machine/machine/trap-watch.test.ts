import { describe, expect, it } from 'vitest'
import { CSR } from '../../../../src/main/machine/boot/csr-numbers'
import { TrapWatch, TRAP_REPEAT_LIMIT } from '../../../../src/main/machine/trap-watch'

const SV39 = 8n << 60n

describe('TrapWatch', () => {
  /** A physical memory of 64-bit words (absent = outside memory) and a one-entry Sv39 root table. */
  const RAM = { base: 0x8000_0000n, size: 0x800_0000n }
  const ROOT = 0x8020_2000n
  function memoryWith(ptes: Record<number, bigint>): (pa: bigint) => bigint | undefined {
    return (pa) => {
      if (pa < RAM.base || pa >= RAM.base + RAM.size) return undefined
      const index = Number((pa - ROOT) / 8n)
      return pa >= ROOT && pa < ROOT + 4096n ? (ptes[index] ?? 0n) : 0n
    }
  }
  const HIGH_HALF_ONLY = memoryWith({ 510: (0x80000n << 10n) | 0xcfn })
  const satp = SV39 | (ROOT >> 12n)

  it('explains an instruction page fault right after satp was written: the physical PC is not mapped', () => {
    const w = new TrapWatch()
    w.observeSatp(0n, 100n)
    w.observeSatp(satp, 109n)
    const loop = w.checkFetchFault({ cause: 12n, epc: 0x8020_0020n, tval: 0x8020_0020n, fromPriv: 1 }, satp, 110n, { memory: HIGH_HALF_ONLY, ram: RAM, stvec: 0n })
    expect(loop?.message).toBe(
      'instruction page fault at 0x80200020, right after satp was written (satp = 0x8000000000080202, root table at PA 0x80202000): ' +
        'the code still runs at its physical address, and the new table does not map it — the level-2 PTE (index 2 at 0x80202010) is not valid (V=0): nothing is mapped there',
    )
    expect(loop?.hint).toContain('identity mapping')
  })

  it('explains a jump to an unmapped higher-half address by the walk, not by the identity mapping', () => {
    const w = new TrapWatch()
    w.observeSatp(satp, 108n)
    const identityOnly = memoryWith({ 2: (0x80000n << 10n) | 0xcfn })
    const loop = w.checkFetchFault({ cause: 12n, epc: 0xffff_ffff_8020_0036n, tval: 0xffff_ffff_8020_0036n, fromPriv: 1 }, satp, 114n, { memory: identityOnly, ram: RAM, stvec: 0n })
    expect(loop?.message).toContain('instruction page fault at 0xffffffff80200036, 6 instructions after satp was written')
    expect(loop?.message).toContain('the level-2 PTE (index 510 at 0x80202ff0) is not valid (V=0)')
    expect(loop?.message).toContain('stvec = 0x0 is not mapped either')
    expect(loop?.hint).not.toContain('identity mapping')
  })

  it('leaves a fault to the kernel when its trap vector is mapped', () => {
    const w = new TrapWatch()
    w.observeSatp(satp, 108n)
    const identityOnly = memoryWith({ 2: (0x80000n << 10n) | 0xcfn })
    expect(w.checkFetchFault({ cause: 12n, epc: 0xffff_ffff_8020_0036n, tval: 0n, fromPriv: 1 }, satp, 114n, { memory: identityOnly, ram: RAM, stvec: 0x8020_0100n })).toBeUndefined()
  })

  it('does not blame satp for a page fault long after paging was enabled', () => {
    const w = new TrapWatch()
    w.observeSatp(satp, 100n)
    expect(w.checkFetchFault({ cause: 12n, epc: 0x8030_0000n, tval: 0n, fromPriv: 1 }, satp, 1_000_000n, { memory: HIGH_HALF_ONLY, ram: RAM, stvec: 0xffff_ffff_8020_0000n })).toBeUndefined()
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
