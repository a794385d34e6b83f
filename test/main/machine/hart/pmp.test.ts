import { describe, it, expect } from 'vitest'
import { runAsm, program } from './run-asm'
import { toolchainMissing } from '../../../support/build-program'

const HANDLER = `
  .text
  .align 2
mtrap:
  csrr a5, mcause
  csrr a6, mtval
  ebreak
`
/** Sets PMP entries (cfg byte list for pmpcfg0, addresses for pmpaddr0..), then runs `body` in S-mode. */
const inS = (cfg: string, addrs: string[], body: string): string => program(`
  la t0, mtrap
  csrw mtvec, t0
${addrs.map((a, i) => `  li t0, ${a}\n  csrw pmpaddr${i}, t0`).join('\n')}
  li t0, ${cfg}
  csrw pmpcfg0, t0
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, 1 << 11
  csrs mstatus, t0
  la t0, sup
  csrw mepc, t0
  mret
sup:
${body}
`, `
  .align 12
page: .dword 0x1234
  .align 12
other: .dword 0x5678
`) + HANDLER

describe.skipIf(toolchainMissing())('PMP', () => {
  it('lets S-mode reach memory inside a TOR region and faults outside it', async () => {
    // Entry 0 TOR [0, other) RWX: code and `page` are in, `other` (the next page) is not.
    const tor = (body: string) => runAsm(inS('0x0f', ['TOP'], body).replace('  li t0, TOP\n', '  la t0, other\n  srli t0, t0, 2\n'))
    const ok = await tor(`  la t0, page\n  ld a0, 0(t0)\n  ebreak`)
    expect(ok.hart.getX(10)).toBe(0x1234n)
    const out = await tor(`  la t0, other\n  ld a0, 0(t0)\n  ebreak`)
    const other = out.prog.symbols.get('other')!
    expect(out.hart.getX(15)).toBe(5n)
    expect(out.hart.getX(16)).toBe(other)
  })

  it('applies NAPOT permissions: a read-only region faults stores with cause 7', async () => {
    // Entry 0: NAPOT 0x80000000..+16 MiB, R X only; entry 1: NAPOT everything RWX (lower priority).
    const r = await runAsm(inS('(0x1f << 8) | 0x1d', ['(0x80000000 >> 2) | ((1 << 21) - 1)', '-1'], `  la t0, page\n  ld a0, 0(t0)\n  sd a0, 0(t0)\n  ebreak`))
    expect(r.hart.getX(10)).toBe(0x1234n)
    expect(r.hart.getX(15)).toBe(7n)
  })

  it('matches a NA4 entry on exactly four bytes, and an access that only partly matches fails', async () => {
    // Entry 0: NA4 at page (R only), entry 1: NAPOT everything (RWX). An 8-byte ld at page only partly matches entry 0: fail.
    const r = await runAsm(inS('(0x1f << 8) | 0x11', ['PAGE_NA4', '-1'], `  la t0, page\n  lw a0, 0(t0)\n  ld a1, 0(t0)\n  ebreak`)
      .replace('  li t0, PAGE_NA4\n', '  la t0, page\n  srli t0, t0, 2\n'))
    expect(r.hart.getX(10)).toBe(0x1234n)
    expect(r.hart.getX(15)).toBe(5n)
  })

  it('does not restrict M-mode unless the entry is locked', async () => {
    const r = await runAsm(program(`
  la t0, mtrap
  csrw mtvec, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x18                 # NAPOT everything, no permissions, not locked
  csrw pmpcfg0, t0
  la t0, page
  ld a0, 0(t0)
  la t0, page                 # a 4 KiB NAPOT entry over page, no permissions, locked: M-mode is bound too
  srli t0, t0, 2
  ori t0, t0, 0x1ff
  csrw pmpaddr0, t0
  li t0, 0x98
  csrw pmpcfg0, t0
  la t0, page
  ld a1, 0(t0)
  ebreak
`, `
  .align 12
page: .dword 0x1234
`) + HANDLER)
    expect(r.hart.getX(10)).toBe(0x1234n)
    expect(r.hart.getX(15)).toBe(5n)
    expect(r.hart.getX(16)).toBe(r.prog.symbols.get('page'))
  })
})
