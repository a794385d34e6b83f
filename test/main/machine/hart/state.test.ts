import { describe, it, expect } from 'vitest'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { Hart } from '../../../../src/main/machine/hart/hart'
import { buildProgram, loadProgram, toolchainMissing } from '../../../support/build-program'
import { computeKernel } from '../../../../bench/hart-kernels'
import { ensureWasm, runAsm, program } from './run-asm'

describe.skipIf(toolchainMissing())('snapshot and restore', () => {
  it('replays to the same state from a snapshot (seek = restore + run forward)', async () => {
    ensureWasm()
    const prog = await buildProgram(computeKernel(20_000, false))
    const hart = new Hart({ ramSize: 1 << 20 })
    loadProgram(hart, prog)
    hart.haltOnEbreak = true
    expect(hart.run(123_457)).toBe(HartExit.StepsDone)
    const snap = hart.snapshot()
    const regsAt = Array.from({ length: 32 }, (_, i) => hart.getX(i))
    expect(hart.run(10_000_000)).toBe(HartExit.Halt)
    const end = { instret: hart.instret, a: hart.getX(20), ram: hart.ram.slice() }
    hart.restore(snap)
    expect(hart.instret).toBe(123_457n)
    expect(Array.from({ length: 32 }, (_, i) => hart.getX(i))).toEqual(regsAt)
    expect(hart.run(10_000_000)).toBe(HartExit.Halt)
    expect(hart.instret).toBe(end.instret)
    expect(hart.getX(20)).toBe(end.a)
    expect(Buffer.compare(hart.ram, end.ram)).toBe(0)
    // Stepping in pieces retires the same instructions as one long run.
    hart.restore(snap)
    while (hart.run(777) === HartExit.StepsDone);
    expect(hart.instret).toBe(end.instret)
    expect(hart.getX(20)).toBe(end.a)
  })

  it('rejects a snapshot from a hart with a different RAM size', () => {
    ensureWasm()
    const a = new Hart({ ramSize: 1 << 20 })
    const b = new Hart({ ramSize: 2 << 20 })
    expect(() => b.restore(a.snapshot())).toThrow(/RAM size/)
  })
})

describe.skipIf(toolchainMissing())('dirty pages', () => {
  it('marks exactly the pages written since clearDirty', async () => {
    const r = await runAsm(program(`
  la t0, page_x
  sd t0, 0(t0)
  ebreak
second:
  la t0, page_y
  sw t0, 8(t0)
`, `
  .align 12
page_x: .dword 0
  .align 12
page_y: .dword 0
`))
    const base = 0x8000_0000n
    const px = Number((r.prog.symbols.get('page_x')! - base) >> 12n)
    const py = Number((r.prog.symbols.get('page_y')! - base) >> 12n)
    expect(r.hart.dirtyPages()).toContain(px)
    r.hart.clearDirty()
    expect(r.hart.dirtyPages()).toEqual([])
    r.hart.pc = r.prog.symbols.get('second')!
    expect(r.hart.run(100)).toBe(HartExit.Halt)
    expect(r.hart.dirtyPages()).toEqual([py])
  })
})

describe.skipIf(toolchainMissing())('registers and CSRs from the host', () => {
  it('reads x0 as zero, round-trips registers and reports unimplemented CSRs as undefined', async () => {
    ensureWasm()
    const h = new Hart({ ramSize: 1 << 20 })
    h.setX(0, 5n)
    h.setX(5, -1n)
    h.setF(3, 0x3ff0000000000000n)
    expect(h.getX(0)).toBe(0n)
    expect(h.getX(5)).toBe(0xffffffffffffffffn)
    expect(h.getF(3)).toBe(0x3ff0000000000000n)
    expect(h.getCsr(0x7c0)).toBeUndefined()
    expect(h.getCsr(0x301)).toBe(0x800000000014112dn)
    expect(h.pc).toBe(0x1000n)
    expect(h.priv).toBe(3)
    h.setCsr(0x304, 0xffffn)
    expect(h.getCsr(0x304)).toBe(0xaaan)
    h.setCsr(0x303, -1n)
    expect(h.getCsr(0x303)).toBe(0x222n)
    h.setCsr(0x302, -1n)
    expect(h.getCsr(0x302)).toBe(0xb3ffn)
    expect(() => h.setCsr(0x7c0, 0n)).toThrow(/not implemented/)
  })

  it('boots from the ROM at 0x1000 after reset', async () => {
    ensureWasm()
    const h = new Hart({ ramSize: 1 << 20 })
    // li a0, 42 ; ebreak
    new DataView(h.rom.buffer, h.rom.byteOffset).setUint32(0, 0x02a00513, true)
    new DataView(h.rom.buffer, h.rom.byteOffset).setUint32(4, 0x00100073, true)
    h.haltOnEbreak = true
    expect(h.run(10)).toBe(HartExit.Halt)
    expect(h.getX(10)).toBe(42n)
    expect(h.pc).toBe(0x1004n)
  })
})
