import { describe, it, expect } from 'vitest'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { decodeTraceRecords, TRACE_KIND, type TraceRecord } from '../../../../src/main/machine/hart/trace-layout'
import { runAsm, program } from './run-asm'
import { toolchainMissing } from '../../../support/build-program'

const BOOT = `
  la t0, mtrap
  csrw mtvec, t0
  la t1, root
  li t0, (0x80000000 >> 2) | 0x0f     # identity gigapage, A/D clear: the walker will set them
  sd t0, 16(t1)
  li t0, (0x80000000 >> 2) | 0xcf     # the higher half (VPN2 510)
  addi t2, t1, 2040
  sd t0, 2040(t2)
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, 1 << 11
  csrs mstatus, t0
  la t0, sup
  csrw mepc, t0
  mret
sup:
  la t0, hi
  li t1, 0xffffffff00000000
  add t0, t0, t1
jump:
  jr t0
hi:
  ecall
`
const DATA = `
  .align 12
root: .fill 512, 8, 0
`
const HANDLER = `
  .text
mtrap:
  ebreak
`

describe.skipIf(toolchainMissing())('trace rings (traced build)', () => {
  it('records page-table stores, satp, sfence.vma, xRET, the higher-half region change and the trap', async () => {
    const records: TraceRecord[] = []
    const r = await runAsm(program(BOOT, DATA) + HANDLER, {
      trace: true,
      setup: (h, prog) => {
        h.watchPage(prog.symbols.get('root')!)
        h.regionShift = 21
      },
    })
    // A satp write also ends the run with TraceFull, so the recorder can walk the new table in time.
    let exit = r.exit
    let fulls = 0
    for (;;) {
      records.push(...decodeTraceRecords(r.hart.drainTrace()))
      if (exit !== HartExit.TraceFull) break
      fulls++
      exit = r.hart.run(1_000_000)
    }
    expect(exit).toBe(HartExit.Halt)
    expect(fulls).toBe(1)
    const root = r.prog.symbols.get('root')!
    const stores = records.filter((x) => x.kind === TRACE_KIND.STORE)
    expect(stores.map((s) => s.a)).toEqual([root + 16n, root + 510n * 8n, root + 16n])
    expect(stores[0]).toMatchObject({ aux: 8, c: 0n, d: 0x2000000fn })
    expect(stores[2].d).toBe(0x2000004fn) // hardware A update of the identity gigapage (fetches set A, not D)
    const satp = records.find((x) => x.kind === TRACE_KIND.CSR && x.aux === 0x180)!
    expect(satp.d >> 60n).toBe(8n)
    expect(records.some((x) => x.kind === TRACE_KIND.SFENCE && x.aux === 3)).toBe(true)
    const xret = records.find((x) => x.kind === TRACE_KIND.XRET)!
    expect(xret.aux).toBe(3 | (1 << 8))
    const regions = records.filter((x) => x.kind === TRACE_KIND.REGION)
    const hi = regions.find((x) => x.b >> 32n === 0xffffffffn)!
    expect(hi.a).toBe(r.prog.symbols.get('jump')) // the jr in the low half
    expect(hi.aux).toBe(1) // in S-mode
    const trap = records.find((x) => x.kind === TRACE_KIND.TRAP)!
    expect(trap.a).toBe(9n)
    expect(trap.aux).toBe(1 | (3 << 8))
    // Steps are non-decreasing: the ring is in execution order.
    for (let i = 1; i < records.length; i++) expect(records[i].step >= records[i - 1].step).toBe(true)
  })

  it('exits with TraceFull before the ring overflows and loses nothing across drains', async () => {
    const n = 40_000
    const r = await runAsm(program(`
  la t0, buf
  li t1, ${n}
1:
  sd t1, 0(t0)
  addi t1, t1, -1
  bnez t1, 1b
`, `
  .align 12
buf: .dword 0
`), { trace: true, maxSteps: 10_000_000, setup: (h, prog) => h.watchPage(prog.symbols.get('buf')!) })
    let exit = r.exit
    let stores = 0
    let fulls = 0
    for (;;) {
      stores += decodeTraceRecords(r.hart.drainTrace()).filter((x) => x.kind === TRACE_KIND.STORE).length
      if (exit !== HartExit.TraceFull) break
      fulls++
      exit = r.hart.run(10_000_000)
    }
    expect(exit).toBe(HartExit.Halt)
    expect(fulls).toBeGreaterThan(1)
    expect(stores).toBe(n)
  })

  it('records each PTE the walker reads when walk tracing is on', async () => {
    const r = await runAsm(program(BOOT, DATA) + HANDLER, { trace: true, setup: (h) => { h.traceWalks = true } })
    const records: TraceRecord[] = []
    let exit = r.exit
    for (;;) {
      records.push(...decodeTraceRecords(r.hart.drainTrace()))
      if (exit !== HartExit.TraceFull) break
      exit = r.hart.run(1_000_000)
    }
    const walks = records.filter((x) => x.kind === TRACE_KIND.WALK)
    const root = r.prog.symbols.get('root')!
    // The first fetch in S-mode walks one level: the identity gigapage at root[2] (level 2).
    expect(walks[0]).toMatchObject({ aux: 2, b: root + 16n, c: 0x2000000fn })
    expect(walks.some((w) => w.a >> 32n === 0xffffffffn && w.b === root + 510n * 8n)).toBe(true)
  })

  it('records nothing for stores to pages nobody watches', async () => {
    const r = await runAsm(program(`
  la t0, buf
  sd t0, 0(t0)
`, `
  .align 12
buf: .dword 0
`), { trace: true })
    expect(decodeTraceRecords(r.hart.drainTrace()).filter((x) => x.kind === TRACE_KIND.STORE)).toEqual([])
  })
})
