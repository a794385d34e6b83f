import { describe, expect, it } from 'vitest'
import {
  Uart16550,
  UART_DLL,
  UART_DLM,
  UART_FCR,
  UART_IER,
  UART_IIR,
  UART_LCR,
  UART_LSR,
  UART_MCR,
  UART_MSR,
  UART_RBR,
  UART_SCR,
  UART_THR,
} from '../../../../src/main/machine/devices/uart-16550'

function setup() {
  const out: [number, bigint][] = []
  const irq: boolean[] = []
  let step = 0n
  const uart = new Uart16550({ irq: (l) => irq.push(l), output: (b, s) => out.push([b, s]), now: () => step })
  const r = (off: number) => Number(uart.read(off, 1))
  const w = (off: number, v: number) => uart.write(off, 1, BigInt(v))
  return { uart, out, irq, r, w, setStep: (s: bigint) => (step = s) }
}

describe('Uart16550', () => {
  it('sends THR writes to the sink with the step they were written at', () => {
    const u = setup()
    u.setStep(42n)
    u.w(UART_THR, 0x41)
    u.setStep(43n)
    u.w(UART_THR, 0x0a)
    expect(u.out).toEqual([
      [0x41, 42n],
      [0x0a, 43n],
    ])
  })

  it('always reports the transmitter empty (THRE and TEMT) in LSR', () => {
    const u = setup()
    expect(u.r(UART_LSR) & 0x60).toBe(0x60)
    expect(u.r(UART_LSR) & 0x01).toBe(0)
  })

  it('hides the divisor latch behind LCR.DLAB', () => {
    const u = setup()
    u.w(UART_LCR, 0x80)
    u.w(UART_DLL, 0x01)
    u.w(UART_DLM, 0x02)
    expect(u.r(UART_DLL)).toBe(0x01)
    expect(u.r(UART_DLM)).toBe(0x02)
    u.w(UART_LCR, 0x03)
    expect(u.r(UART_IER)).toBe(0)
    expect(u.out).toEqual([]) // a DLL write is not a transmitted byte
    expect(u.r(UART_LCR)).toBe(0x03)
  })

  it('delivers host input through RBR with DR set while bytes remain', () => {
    const u = setup()
    u.uart.receive([0x68, 0x69])
    expect(u.r(UART_LSR) & 1).toBe(1)
    expect(u.r(UART_RBR)).toBe(0x68)
    expect(u.r(UART_RBR)).toBe(0x69)
    expect(u.r(UART_LSR) & 1).toBe(0)
  })

  it('keeps input beyond the 16-byte FIFO queued and refills as the guest reads', () => {
    const u = setup()
    const text = Array.from({ length: 40 }, (_, i) => 0x30 + (i % 10))
    u.uart.receive(text)
    const got: number[] = []
    while (u.r(UART_LSR) & 1) got.push(u.r(UART_RBR))
    expect(got).toEqual(text)
    expect(u.uart.pendingInput).toBe(0)
  })

  it('raises the received-data interrupt only when IER.ERBFI is set, and drops it when drained', () => {
    const u = setup()
    u.uart.receive([0x31])
    expect(u.r(UART_IIR) & 0x0f).toBe(0x01)
    expect(u.irq).not.toContain(true) // data arrived: the wire is driven, but low while RDI is off
    u.w(UART_IER, 0x01)
    expect(u.irq.at(-1)).toBe(true)
    expect(u.r(UART_IIR) & 0x0f).toBe(0x04)
    u.r(UART_RBR)
    expect(u.irq.at(-1)).toBe(false)
  })

  it('raises THRE when THRI is enabled, clears it on an IIR read, re-arms it after a THR write', () => {
    const u = setup()
    u.w(UART_IER, 0x02)
    expect(u.irq).toEqual([true])
    expect(u.r(UART_IIR) & 0x0f).toBe(0x02)
    expect(u.irq).toEqual([true, false])
    expect(u.r(UART_IIR) & 0x0f).toBe(0x01)
    u.w(UART_THR, 0x41)
    // THR full (lowered), then the byte leaves and THR is empty again (raised): QEMU's two drives.
    expect(u.irq).toEqual([true, false, false, true])
  })

  it('drives the wire only where QEMU does: LSR reads and unchanged IER writes leave it alone', () => {
    const u = setup()
    u.w(UART_IER, 0x03)
    expect(u.irq).toEqual([true])
    for (let i = 0; i < 5; i++) u.r(UART_LSR) // xv6's uartgetc in its interrupt handler
    u.w(UART_IER, 0x03)
    expect(u.irq).toEqual([true])
    u.w(UART_FCR, 0x07) // an FCR write always drives it
    expect(u.irq).toEqual([true, true])
  })

  it('re-raises THRE when THRI is turned off and on again, even after an IIR read cleared it', () => {
    const u = setup()
    u.w(UART_IER, 0x02)
    u.r(UART_IIR)
    u.w(UART_IER, 0x00)
    u.w(UART_IER, 0x02)
    expect(u.irq).toEqual([true, false, false, true])
    expect(u.r(UART_IIR) & 0x0f).toBe(0x02)
  })

  it('shows FIFO-enabled bits in IIR after FCR enables the FIFO (Linux 16550A autodetect)', () => {
    const u = setup()
    expect(u.r(UART_IIR) & 0xc0).toBe(0)
    u.w(UART_FCR, 0x01)
    expect(u.r(UART_IIR) & 0xc0).toBe(0xc0)
  })

  it('drops loopback bytes on an FCR receive-FIFO reset', () => {
    const u = setup()
    u.w(UART_MCR, 0x10)
    u.w(UART_THR, 0x55)
    u.w(UART_FCR, 0x03)
    expect(u.r(UART_LSR) & 1).toBe(0)
  })

  it('keeps typed input across a driver’s FIFO reset, even after it polled LSR', () => {
    const u = setup()
    u.uart.receive([0x76])
    expect(u.r(UART_LSR) & 1).toBe(1)
    u.w(UART_FCR, 0x07) // a driver's init: enable and clear both FIFOs
    expect(u.r(UART_LSR) & 1).toBe(1)
    expect(u.r(UART_RBR)).toBe(0x76)
  })

  it('keeps the scratch register and reports carrier, DSR and CTS in MSR', () => {
    const u = setup()
    u.w(UART_SCR, 0x5a)
    expect(u.r(UART_SCR)).toBe(0x5a)
    expect(u.r(UART_MSR)).toBe(0xb0)
  })

  it('loops THR back to RBR in loopback mode instead of transmitting', () => {
    const u = setup()
    u.w(UART_MCR, 0x10)
    u.w(UART_THR, 0x55)
    expect(u.out).toEqual([])
    expect(u.r(UART_RBR)).toBe(0x55)
  })
})
