import { describe, expect, it } from 'vitest'
import { CSR } from '../../../../src/main/machine/boot/csr-numbers'
import * as S from '../../../../src/main/machine/boot/sbi'

/** A small register file standing in for the hart's: x registers, CSRs, the CLINT timer compare. */
class RegisterFile implements S.SbiHart {
  readonly x = new Array<bigint>(32).fill(0n)
  readonly csr = new Map<number, bigint>()
  mtimecmp = (1n << 64n) - 1n
  getX(i: number) {
    return this.x[i]
  }
  setX(i: number, v: bigint) {
    if (i !== 0) this.x[i] = v
  }
  getCsr(n: number) {
    return this.csr.get(n) ?? 0n
  }
  setCsr(n: number, v: bigint) {
    this.csr.set(n, v)
  }
}

function setup(input: number[] = []) {
  const hart = new RegisterFile()
  const out: number[] = []
  const resets: [number, number][] = []
  const flushes: string[] = []
  const mem = new Uint8Array(0x1000)
  let hartStopped = false
  const sbi = new S.BuiltinSbi(hart, {
    consolePutchar: (b) => out.push(b),
    consoleGetchar: () => input.shift() ?? -1,
    readPhys: (a, n) => (a >= 0x8000_0000n && a + BigInt(n) <= 0x8000_1000n ? mem.slice(Number(a - 0x8000_0000n), Number(a - 0x8000_0000n) + n) : undefined),
    writePhys: (a, d) => (a >= 0x8000_0000n && a + BigInt(d.length) <= 0x8000_1000n ? (mem.set(d, Number(a - 0x8000_0000n)), true) : false),
    systemReset: (t, r) => resets.push([t, r]),
    hartStop: () => (hartStopped = true),
    flushLocal: (k) => flushes.push(k),
  })
  const call = (eid: number, fid: number, ...args: bigint[]) => {
    hart.x[17] = BigInt(eid)
    hart.x[16] = BigInt(fid)
    args.forEach((a, i) => (hart.x[10 + i] = a))
    const action = sbi.handleTrap({ cause: 9n, epc: 0x8020_0000n, tval: 0n, fromPriv: 1 })
    return { action, a0: BigInt.asIntN(64, hart.x[10]), a1: hart.x[11] }
  }
  return { hart, sbi, out, resets, flushes, mem, call, stopped: () => hartStopped }
}

describe('BuiltinSbi', () => {
  it('returns to the instruction after the ecall in S-mode', () => {
    const s = setup()
    expect(s.call(S.SBI_EXT_BASE, 0).action).toEqual({ kind: 'resume', pc: 0x8020_0004n, priv: 1 })
  })

  it('answers Base: spec version 2.0, implementation id, probe', () => {
    const s = setup()
    expect(s.call(S.SBI_EXT_BASE, 0)).toMatchObject({ a0: 0n, a1: 0x0200_0000n })
    expect(s.call(S.SBI_EXT_BASE, 1)).toMatchObject({ a0: 0n, a1: S.SBI_IMPL_ID_BOOTSCOPE })
    expect(s.call(S.SBI_EXT_BASE, 3, BigInt(S.SBI_EXT_TIME))).toMatchObject({ a0: 0n, a1: 1n })
    expect(s.call(S.SBI_EXT_BASE, 3, BigInt(S.SBI_EXT_DBCN))).toMatchObject({ a0: 0n, a1: 1n })
    expect(s.call(S.SBI_EXT_BASE, 3, 0x4849_4a4bn)).toMatchObject({ a0: 0n, a1: 0n })
  })

  it('answers SBI_ERR_NOT_SUPPORTED for an unknown extension or function', () => {
    const s = setup()
    expect(s.call(0x1234_5678, 0).a0).toBe(-2n)
    expect(s.call(S.SBI_EXT_TIME, 7).a0).toBe(-2n)
  })

  it('prints with the legacy console_putchar and reads with console_getchar (-1 when empty)', () => {
    const s = setup([0x71])
    s.call(S.SBI_EXT_LEGACY_CONSOLE_PUTCHAR, 0, 0x41n)
    expect(s.out).toEqual([0x41])
    s.call(S.SBI_EXT_LEGACY_CONSOLE_PUTCHAR, 0, 0x0an) // like OpenSBI: "\n" goes out as "\r\n"
    expect(s.out).toEqual([0x41, 0x0d, 0x0a])
    expect(s.call(S.SBI_EXT_LEGACY_CONSOLE_GETCHAR, 0).a0).toBe(0x71n)
    expect(s.call(S.SBI_EXT_LEGACY_CONSOLE_GETCHAR, 0).a0).toBe(-1n)
  })

  it('programs mtimecmp on set_timer, clears STIP and enables MTIE; the M timer trap sets STIP and masks MTIE', () => {
    const s = setup()
    s.hart.setCsr(CSR.mip, 1n << 5n)
    expect(s.call(S.SBI_EXT_TIME, 0, 12345n).a0).toBe(0n)
    expect(s.hart.mtimecmp).toBe(12345n)
    expect(s.hart.getCsr(CSR.mip) & (1n << 5n)).toBe(0n)
    expect(s.hart.getCsr(CSR.mie) & (1n << 7n)).toBe(1n << 7n)
    const action = s.sbi.handleTrap({ cause: (1n << 63n) | 7n, epc: 0x8020_0100n, tval: 0n, fromPriv: 1 })
    expect(action).toEqual({ kind: 'resume', pc: 0x8020_0100n, priv: 1 })
    expect(s.hart.getCsr(CSR.mip) & (1n << 5n)).toBe(1n << 5n)
    expect(s.hart.getCsr(CSR.mie) & (1n << 7n)).toBe(0n)
  })

  it('shuts down with SRST (reason passed on) and refuses an unknown reset type', () => {
    const s = setup()
    expect(s.call(S.SBI_EXT_SRST, 0, 5n, 0n).a0).toBe(-3n)
    expect(s.sbi.stopped).toBe(false)
    const r = s.call(S.SBI_EXT_SRST, 0, 0n, 1n)
    expect(r.action).toEqual({ kind: 'stop' })
    expect(s.resets).toEqual([[0, 1]])
  })

  it('treats the legacy shutdown as a clean power-off', () => {
    const s = setup()
    expect(s.call(S.SBI_EXT_LEGACY_SHUTDOWN, 0).action).toEqual({ kind: 'stop' })
    expect(s.resets).toEqual([[0, 0]])
  })

  it('reports hart 0 started and refuses to start it again or to start other harts (HSM)', () => {
    const s = setup()
    expect(s.call(S.SBI_EXT_HSM, 2, 0n)).toMatchObject({ a0: 0n, a1: 0n })
    expect(s.call(S.SBI_EXT_HSM, 2, 1n).a0).toBe(-3n)
    expect(s.call(S.SBI_EXT_HSM, 0, 0n, 0x8020_0000n).a0).toBe(-6n)
    expect(s.call(S.SBI_EXT_HSM, 0, 3n, 0x8020_0000n).a0).toBe(-3n)
    s.call(S.SBI_EXT_HSM, 1)
    expect(s.stopped()).toBe(true)
  })

  it('raises SSIP for an IPI to hart 0 and flushes for a remote sfence.vma that includes hart 0', () => {
    const s = setup()
    s.call(S.SBI_EXT_IPI, 0, 1n, 0n)
    expect(s.hart.getCsr(CSR.mip) & 2n).toBe(2n)
    s.call(S.SBI_EXT_RFENCE, 1, 0n, (1n << 64n) - 1n, 0n, 0n)
    s.call(S.SBI_EXT_RFENCE, 0, 2n, 0n)
    expect(s.flushes).toEqual(['sfence.vma'])
  })

  it('writes a buffer from physical memory and reads input into it (DBCN)', () => {
    const s = setup([0x61, 0x62])
    s.mem.set(new TextEncoder().encode('hi\n'), 0x10)
    expect(s.call(S.SBI_EXT_DBCN, 0, 3n, 0x8000_0010n, 0n)).toMatchObject({ a0: 0n, a1: 3n })
    expect(String.fromCharCode(...s.out)).toBe('hi\r\n')
    expect(s.call(S.SBI_EXT_DBCN, 1, 8n, 0x8000_0100n, 0n)).toMatchObject({ a0: 0n, a1: 2n })
    expect(Array.from(s.mem.subarray(0x100, 0x102))).toEqual([0x61, 0x62])
    expect(s.call(S.SBI_EXT_DBCN, 0, 3n, 0x9000_0000n, 0n).a0).toBe(-3n)
    s.call(S.SBI_EXT_DBCN, 2, 0x7an)
    expect(s.out.at(-1)).toBe(0x7a)
  })

  it('redirects other exceptions to stvec as delegation would: scause, sepc, stval, SPP, SPIE', () => {
    const s = setup()
    s.hart.setCsr(CSR.stvec, 0x8020_1001n) // vectored mode: exceptions still go to the base
    s.hart.setCsr(CSR.sstatus, 1n << 1n) // SIE on
    const action = s.sbi.handleTrap({ cause: 2n, epc: 0x8020_0040n, tval: 0xdeadn, fromPriv: 1 })
    expect(action).toEqual({ kind: 'resume', pc: 0x8020_1000n, priv: 1 })
    expect(s.hart.getCsr(CSR.scause)).toBe(2n)
    expect(s.hart.getCsr(CSR.sepc)).toBe(0x8020_0040n)
    expect(s.hart.getCsr(CSR.stval)).toBe(0xdeadn)
    const sstatus = s.hart.getCsr(CSR.sstatus)
    expect(sstatus & (1n << 8n)).toBe(1n << 8n) // SPP = S
    expect(sstatus & (1n << 5n)).toBe(1n << 5n) // SPIE = old SIE
    expect(sstatus & (1n << 1n)).toBe(0n) // SIE cleared
  })

  it('sets up delegation like OpenSBI, keeping instruction page faults for the satp check', () => {
    const s = setup()
    s.sbi.initMachineState()
    expect(s.hart.getCsr(CSR.medeleg)).toBe(0xa109n)
    expect(s.hart.getCsr(CSR.mideleg)).toBe(0x222n)
    expect(s.hart.getCsr(CSR.mcounteren)).toBe(0xffff_ffffn)
    expect(s.hart.getCsr(CSR.pmpcfg0)).toBe(0x1fn)
  })
})
