import { describe, it, expect } from 'vitest'
import { runAsm, program } from './run-asm'
import { toolchainMissing } from '../../../support/build-program'

const M_HANDLER = `
  .align 2
mtrap:
  csrr a5, mcause
  csrr a6, mtval
  csrr a7, mepc
  ebreak
`
/** ppn field of a PTE for the address in register `reg` (clobbers it). */
const ptePpn = (reg: string): string => `  srli ${reg}, ${reg}, 12\n  slli ${reg}, ${reg}, 10\n`

/**
 * Sv48 tables: root[0] → l2; l2[2] = identity gigapage for RAM; root[256] → l2 too (so the high
 * half 0xffff_8000_8000_0000 aliases RAM); l2[3] → l1; l1[0] → l0; l0[0] = page_a (R W), l1[1] = a
 * 2 MiB leaf with a misaligned ppn.
 */
const SV48 = `
  la t0, mtrap
  csrw mtvec, t0
  la t1, root
  la t0, l2
${ptePpn('t0')}  ori t0, t0, 1
  sd t0, 0(t1)
  addi t2, t1, 2047
  sd t0, 1(t2)
  la t1, l2
  li t0, (0x80000000 >> 2) | 0xcf
  sd t0, 16(t1)
  la t0, l1
${ptePpn('t0')}  ori t0, t0, 1
  sd t0, 24(t1)
  la t1, l1
  la t0, l0
${ptePpn('t0')}  ori t0, t0, 1
  sd t0, 0(t1)
  li t0, ((0x80000000 >> 12) + 3) << 10 | 0xcf
  sd t0, 8(t1)
  la t1, l0
  la t0, page_a
${ptePpn('t0')}  ori t0, t0, 0x07
  sd t0, 0(t1)
  la t0, root
  srli t0, t0, 12
  li t1, 9 << 60
  or t0, t0, t1
  csrw satp, t0
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, 1 << 11
  csrs mstatus, t0
  la t0, sup
  csrw mepc, t0
  mret
sup:
`
const SV48_DATA = `
  .align 12
root: .fill 512, 8, 0
l2: .fill 512, 8, 0
l1: .fill 512, 8, 0
l0: .fill 512, 8, 0
page_a: .dword 0xaaaa5555aaaa5555
  .align 12
page_b: .dword 0xbbbb6666bbbb6666
  .align 12
`

describe.skipIf(toolchainMissing())('Sv48', () => {
  it('walks four levels, sets A and D in hardware, and runs the high-half alias', async () => {
    const r = await runAsm(program(`${SV48}
  li s1, 0xC0000000
  ld a0, 0(s1)
  sd a0, 8(s1)
  la t0, hi
  li t1, 0xffff800000000000
  add t0, t0, t1
  jr t0
hi:
  auipc a1, 0
  ebreak
`, SV48_DATA) + `\n  .text\n${M_HANDLER}`)
    expect(r.hart.getX(10)).toBe(0xaaaa5555aaaa5555n)
    expect(r.hart.getX(11) >> 44n).toBe(0xffff8n)
    expect(r.u64('l0') & 0xc0n).toBe(0xc0n) // A and D set by the store
  })

  it('faults on a non-canonical address (bit 47 set, bits 63..48 clear) with stval = the address', async () => {
    const r = await runAsm(program(`${SV48}
  li s1, 0x0000800000000000
  ld a0, 0(s1)
`, SV48_DATA) + `\n  .text\n${M_HANDLER}`)
    expect(r.hart.getX(15)).toBe(13n)
    expect(r.hart.getX(16)).toBe(0x0000800000000000n)
  })

  it('faults on a misaligned superpage and on a store to a page without W', async () => {
    const mis = await runAsm(program(`${SV48}
  li s1, 0xC0200000
  ld a0, 0(s1)
`, SV48_DATA) + `\n  .text\n${M_HANDLER}`)
    expect(mis.hart.getX(15)).toBe(13n)
    const ro = await runAsm(program(`${SV48.replace('ori t0, t0, 0x07', 'ori t0, t0, 0x03')}
  li s1, 0xC0000000
  sd zero, 0(s1)
`, SV48_DATA) + `\n  .text\n${M_HANDLER}`)
    expect(ro.hart.getX(15)).toBe(15n)
    expect(ro.hart.getX(16)).toBe(0xC0000000n)
  })

  it('ignores satp writes with an unsupported mode (the whole write has no effect)', async () => {
    const r = await runAsm(program(`
  li t0, (8 << 60) | 5
  csrw satp, t0
  li t0, (10 << 60) | 7
  csrw satp, t0
  csrr a0, satp
`))
    expect(r.hart.getX(10)).toBe((8n << 60n) | 5n)
  })
})

/** Remaps 0xC0000000 from page_a to page_b by rewriting the PTE, then observes three loads. */
const REMAP = `${SV48}
  li s1, 0xC0000000
  ld s2, 0(s1)              # page_a, now cached in the TLB
  la t0, page_b
${ptePpn('t0')}  ori t0, t0, 0x07
  la t1, l0
  sd t0, 0(t1)              # PTE now points at page_b, no fence yet
  ld s3, 0(s1)              # stale in every mode: nothing flushed
  csrr t0, satp
  csrw satp, t0             # QEMU-style flush here; strict mode keeps the stale entry
  ld s4, 0(s1)
  sfence.vma
  ld s5, 0(s1)              # always page_b
  ebreak
`
describe.skipIf(toolchainMissing())('TLB', () => {
  const A = 0xaaaa5555aaaa5555n
  const B = 0xbbbb6666bbbb6666n
  it('keeps a translation until a flush; by default a satp write flushes (like QEMU)', async () => {
    const r = await runAsm(program(REMAP, SV48_DATA) + `\n  .text\n${M_HANDLER}`)
    expect([r.hart.getX(18), r.hart.getX(19), r.hart.getX(20), r.hart.getX(21)]).toEqual([A, A, B, B])
  })

  it('in strict mode only sfence.vma flushes, so a missing fence after a satp write shows up', async () => {
    const r = await runAsm(program(REMAP, SV48_DATA) + `\n  .text\n${M_HANDLER}`, { setup: (h) => { h.strictTlb = true } })
    expect([r.hart.getX(18), r.hart.getX(19), r.hart.getX(20), r.hart.getX(21)]).toEqual([A, A, A, B])
  })

  it('sfence.vma by address flushes that page only; by another ASID keeps global entries', async () => {
    const r = await runAsm(program(`${REMAP.replace('  sfence.vma\n', '  li t0, 0xC0000000\n  sfence.vma t0, zero\n')}`, SV48_DATA) + `\n  .text\n${M_HANDLER}`, {
      setup: (h) => { h.strictTlb = true },
    })
    expect(r.hart.getX(21)).toBe(B)
    const g = await runAsm(program(`${REMAP.replace('ori t0, t0, 0x07\n  sd t0, 0(t1)\n  la t0, root', 'ori t0, t0, 0x27\n  sd t0, 0(t1)\n  la t0, root').replace('  sfence.vma\n', '  li t0, 5\n  sfence.vma zero, t0\n')}`, SV48_DATA) + `\n  .text\n${M_HANDLER}`, {
      setup: (h) => { h.strictTlb = true },
    })
    expect(g.hart.getX(21)).toBe(A) // global page: an ASID-specific fence does not drop it
  })
})

describe.skipIf(toolchainMissing())('code changes', () => {
  it('re-decodes an instruction after a store overwrites it (self-modifying code, fence.i)', async () => {
    const r = await runAsm(program(`
  .option norvc
  li a0, 0
  la t0, patch
  li s1, 2
again:
patch:
  addi a0, a0, 1
  lw t1, 0(t0)
  li t2, 0x00550513          # addi a0, a0, 5
  sw t2, 0(t0)
  fence.i
  addi s1, s1, -1
  bnez s1, again
`))
    expect(r.hart.getX(10)).toBe(6n)
  })

  it('executes a 32-bit instruction that straddles a page boundary', async () => {
    const r = await runAsm(program(`
  la t0, target
  jr t0
  .balign 4096
  .skip 4094
target:
  .option norvc
  addi a0, zero, 77
`))
    expect(r.hart.getX(10)).toBe(77n)
    expect(BigInt(r.prog.symbols.get('target')!) & 0xfffn).toBe(0xffen)
  })
})
