import { describe, it, expect } from 'vitest'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { runAsm, program } from './run-asm'
import { toolchainMissing } from '../../../support/build-program'

const INT = 1n << 63n
/** M-mode trap handler: a5 = mcause, a6 = mtval, a7 = mepc, s11 = mstatus, then halt. */
const M_HANDLER = `
  .align 2
mtrap:
  csrr a5, mcause
  csrr a6, mtval
  csrr a7, mepc
  csrr s11, mstatus
  ebreak
`
/** S-mode handler: a5 = scause, a6 = stval, a7 = sepc, s10 = 1 (so tests see S handled it), then halt. */
const S_HANDLER = `
  .align 2
strap:
  csrr a5, scause
  csrr a6, stval
  csrr a7, sepc
  li s10, 1
  ebreak
`
const withHandlers = (body: string): string => program(`
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
${body}`) + `
  .text
${M_HANDLER}${S_HANDLER}`

/** Switches to privilege `mpp` (0 U, 1 S) at label `to` via mret. */
const enter = (mpp: number, to: string): string => `
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, ${mpp} << 11
  csrs mstatus, t0
  la t0, ${to}
  csrw mepc, t0
  mret
`

describe.skipIf(toolchainMissing())('exceptions', () => {
  it('raises illegal instruction with the instruction bits in mtval, epc at the instruction', async () => {
    const r = await runAsm(withHandlers(`
bad:
  .word 0xffffffff
`))
    expect(r.hart.getX(15)).toBe(2n)
    expect(r.hart.getX(16)).toBe(0xffffffffn)
    expect(r.hart.getX(17)).toBe(r.prog.symbols.get('bad'))
  })

  it('puts the 16-bit parcel in mtval for an illegal compressed instruction (c.lwsp x0 is reserved)', async () => {
    const r = await runAsm(withHandlers(`
  .hword 0x4002
`))
    expect(r.hart.getX(15)).toBe(2n)
    expect(r.hart.getX(16)).toBe(0x4002n)
  })

  it('reports ecall from U, S and M with causes 8, 9 and 11', async () => {
    for (const [mpp, cause] of [[0, 8n], [1, 9n]] as const) {
      const r = await runAsm(withHandlers(`${enter(mpp, 'lower')}
lower:
  ecall
`))
      expect(r.hart.getX(15)).toBe(cause)
    }
    const m = await runAsm(withHandlers('  ecall\n'))
    expect(m.hart.getX(15)).toBe(11n)
  })

  it('delegates an exception from U to S through medeleg, and never delegates traps taken in M', async () => {
    const r = await runAsm(withHandlers(`
  li t0, 1 << 8
  csrw medeleg, t0
${enter(0, 'user')}
user:
  ecall
`))
    expect(r.hart.getX(26)).toBe(1n) // s10: the S handler ran
    expect(r.hart.getX(15)).toBe(8n)
    expect(r.hart.priv).toBe(1)
    const sstatus = r.hart.getCsr(0x100)!
    expect((sstatus >> 8n) & 1n).toBe(0n) // SPP = U
    const m = await runAsm(withHandlers(`
  li t0, -1
  csrw medeleg, t0
  ecall
`))
    expect(m.hart.getX(26)).toBe(0n)
    expect(m.hart.getX(15)).toBe(11n)
  })

  it('makes sret illegal in S when mstatus.TSR is set, and satp/sfence.vma illegal under TVM', async () => {
    const tsr = await runAsm(withHandlers(`
  li t0, 1 << 22
  csrs mstatus, t0
${enter(1, 'sup')}
sup:
  sret
`))
    expect(tsr.hart.getX(15)).toBe(2n)
    const tvm = await runAsm(withHandlers(`
  li t0, 1 << 20
  csrs mstatus, t0
${enter(1, 'sup')}
sup:
  csrr a0, satp
`))
    expect(tvm.hart.getX(15)).toBe(2n)
    const fence = await runAsm(withHandlers(`
  li t0, 1 << 20
  csrs mstatus, t0
${enter(1, 'sup')}
sup:
  sfence.vma
`))
    expect(fence.hart.getX(15)).toBe(2n)
  })

  it('makes wfi illegal in U always and in S under TW', async () => {
    const u = await runAsm(withHandlers(`${enter(0, 'user')}
user:
  wfi
`))
    expect(u.hart.getX(15)).toBe(2n)
    const s = await runAsm(withHandlers(`
  li t0, 1 << 21
  csrs mstatus, t0
${enter(1, 'sup')}
sup:
  wfi
`))
    expect(s.hart.getX(15)).toBe(2n)
  })

  it('checks mcounteren and scounteren for cycle/time/instret below M', async () => {
    const denied = await runAsm(withHandlers(`${enter(1, 'sup')}
sup:
  rdtime a0
`))
    expect(denied.hart.getX(15)).toBe(2n)
    const sOk = await runAsm(withHandlers(`
  li t0, 7
  csrw mcounteren, t0
${enter(1, 'sup')}
sup:
  rdinstret a0
  ebreak
`))
    expect(sOk.hart.getX(15)).toBe(0n)
    expect(sOk.hart.getX(10)).toBeGreaterThan(0n)
    const uDenied = await runAsm(withHandlers(`
  li t0, 7
  csrw mcounteren, t0
${enter(0, 'user')}
user:
  rdcycle a0
`))
    expect(uDenied.hart.getX(15)).toBe(2n)
  })

  it('mret restores MIE from MPIE, sets MPIE, leaves MPP = U and clears MPRV when returning below M', async () => {
    const r = await runAsm(withHandlers(`
  li t0, (1 << 17) | (1 << 7)
  csrs mstatus, t0
${enter(1, 'sup')}
sup:
  ecall
`))
    const ms = r.hart.getX(27) // mstatus seen by the M handler after the ecall from S
    expect((ms >> 17n) & 1n).toBe(0n) // MPRV cleared by mret to S
    expect((ms >> 11n) & 3n).toBe(1n) // MPP = S (the trap came from S)
    expect((ms >> 7n) & 1n).toBe(1n) // MPIE = old MIE (1, restored by mret from MPIE)
  })
})

describe.skipIf(toolchainMissing())('interrupts and the timer', () => {
  const spin = `
  la t0, mtrap
  csrw mtvec, t0
  li t0, 1 << 7
  csrw mie, t0
  csrsi mstatus, 8
1:
  addi a0, a0, 1
  j 1b
` 
  it('takes the machine timer interrupt exactly when mtime reaches mtimecmp (mtime = instret / 10)', async () => {
    const r = await runAsm(program(spin) + `\n  .text\n${M_HANDLER}`, { setup: (h) => { h.mtimecmp = 100n } })
    expect(r.hart.getX(15)).toBe(INT | 7n)
    // The interrupt is taken before the instruction at step 1000 executes; the handler then retires 4 csrr.
    expect(r.hart.instret).toBe(1004n)
    expect(r.hart.mtime).toBe(100n)
  })

  it('exits with Wfi when nothing is pending, and wakes into the handler after the host fast-forwards mtime', async () => {
    const src = program(`
  la t0, mtrap
  csrw mtvec, t0
  li t0, 1 << 7
  csrw mie, t0
  csrsi mstatus, 8
  wfi
after:
  nop
`) + `\n  .text\n${M_HANDLER}`
    const r = await runAsm(src, { setup: (h) => { h.mtimecmp = 1_000_000n }, expectExit: HartExit.Wfi })
    expect(r.exit).toBe(HartExit.Wfi)
    expect(r.hart.pc).toBe(r.prog.symbols.get('after'))
    r.hart.mtime = r.hart.mtimecmp
    expect(r.hart.run(1000)).toBe(HartExit.Halt)
    expect(r.hart.getX(15)).toBe(INT | 7n)
    expect(r.hart.getX(17)).toBe(r.prog.symbols.get('after'))
  })

  it('orders simultaneous interrupts MEI, MSI, MTI, SEI, SSI, STI', async () => {
    const src = program(`
  la t0, mtrap
  csrw mtvec, t0
  li t0, 0xaaa
  csrw mie, t0
  li t0, 0x222
  csrs mip, t0
  csrsi mstatus, 8
  nop
`) + `\n  .text\n${M_HANDLER}`
    const r = await runAsm(src, {
      setup: (h) => {
        h.setInterruptLine(11, true)
        h.msip = true
        h.mtimecmp = 0n
      },
    })
    expect(r.hart.getX(15)).toBe(INT | 11n)
    const r2 = await runAsm(src, { setup: (h) => { h.msip = true; h.mtimecmp = 0n } })
    expect(r2.hart.getX(15)).toBe(INT | 3n)
    const r3 = await runAsm(src, { setup: (h) => { h.mtimecmp = 0n } })
    expect(r3.hart.getX(15)).toBe(INT | 7n)
    const r4 = await runAsm(src)
    expect(r4.hart.getX(15)).toBe(INT | 9n)
  })

  it('routes a delegated supervisor timer interrupt to S, masked in S by SIE and always taken from U', async () => {
    const src = program(`
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  li t0, 1 << 5
  csrw mideleg, t0
  csrw mie, t0
${enter(1, 'sup')}
sup:
  li s9, 1
  nop
  nop
  li t0, 1 << 8
  csrc sstatus, t0
  la t0, user
  csrw sepc, t0
  sret
user:
  li s8, 1
  nop
`) + `\n  .text\n${M_HANDLER}${S_HANDLER}`
    const r = await runAsm(src, { setup: (h) => h.setInterruptLine(5, true) })
    expect(r.hart.getX(26)).toBe(1n) // S handler
    expect(r.hart.getX(15)).toBe(INT | 5n)
    expect(r.hart.getX(25)).toBe(1n) // ran through S with SIE = 0
    expect(r.hart.getX(24)).toBe(0n) // taken before U's first instruction
    expect(r.hart.getX(17)).toBe(r.prog.symbols.get('user'))
  })

  it('hands M-mode traps to the host as FirmwareTrap when firmwareTraps is on, and resumes with resumeAt', async () => {
    const src = program(`${enter(1, 'sup')}
sup:
  li a7, 0x54494d45
  ecall
  li s9, 42
`)
    const r = await runAsm(src, { setup: (h) => { h.firmwareTraps = true }, expectExit: HartExit.FirmwareTrap })
    expect(r.exit).toBe(HartExit.FirmwareTrap)
    expect(r.hart.trap.cause).toBe(9n)
    expect(r.hart.trap.fromPriv).toBe(1)
    expect(r.hart.getCsr(0x342)).toBe(0n) // the guest's mcause is untouched
    r.hart.resumeAt(r.hart.trap.epc + 4n, 1)
    expect(r.hart.run(100)).toBe(HartExit.Halt)
    expect(r.hart.getX(25)).toBe(42n)
  })
})

describe.skipIf(toolchainMissing())('MMIO', () => {
  it('exits on a device load, resumes with the value the host supplies', async () => {
    const r = await runAsm(program(`
  li t0, 0x10000000
  lbu a0, 5(t0)
  addi a1, a0, 1
`), { expectExit: HartExit.Mmio })
    expect(r.exit).toBe(HartExit.Mmio)
    expect(r.hart.mmio).toEqual({ addr: 0x10000005n, size: 1, isWrite: false, value: 0n, isFetch: false })
    const before = r.hart.instret
    r.hart.completeMmio(0x1ffn)
    expect(r.hart.instret).toBe(before + 1n)
    expect(r.hart.run(100)).toBe(HartExit.Halt)
    expect(r.hart.getX(10)).toBe(0xffn) // truncated to the access size
    expect(r.hart.getX(11)).toBe(0x100n)
  })

  it('reports device stores with size and value, and raises an access fault when the host says so', async () => {
    const r = await runAsm(program(`
  la t0, mtrap
  csrw mtvec, t0
  li t0, 0x10000000
  li t1, 0x1234
  sh t1, 2(t0)
  ld a0, 8(t0)
`) + `\n  .text\n${M_HANDLER}`)
    expect(r.exit).toBe(HartExit.Mmio)
    expect(r.hart.mmio).toMatchObject({ addr: 0x10000002n, size: 2, isWrite: true, value: 0x1234n })
    r.hart.completeMmio(0n)
    expect(r.hart.run(100)).toBe(HartExit.Mmio)
    r.hart.completeMmio(0n, true)
    expect(r.hart.run(100)).toBe(HartExit.Halt)
    expect(r.hart.getX(15)).toBe(5n)
    expect(r.hart.getX(16)).toBe(0x10000008n)
  })

  it('raises an instruction access fault when fetching from a device address', async () => {
    const r = await runAsm(program(`
  la t0, mtrap
  csrw mtvec, t0
  li t0, 0x10000000
  jr t0
`) + `\n  .text\n${M_HANDLER}`)
    expect(r.hart.getX(15)).toBe(1n)
    expect(r.hart.getX(16)).toBe(0x10000000n)
  })
})
