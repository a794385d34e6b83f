/**
 * Runs a bare-metal ELF the way QEMU `virt -bios none` would (M-mode at the ELF entry, a0 =
 * hartid 0) on our hart, with just enough devices for differential tests: UART 16550 output
 * (THR at 0x1000_0000; LSR always "transmitter empty") and the sifive_test finisher at
 * 0x10_0000. The devices here are test doubles of the machine engineer's real ones, which are
 * not part of the hart; they only collect output.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hart } from '../../../../src/main/machine/hart/hart'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { loadProgram, type Program } from '../../../support/build-program'

export const UART_BASE = 0x1000_0000n
export const FINISHER_BASE = 0x10_0000n

export interface UartRun {
  output: string
  finisher: number | undefined
  instret: bigint
  hart: Hart
}

export function runWithUart(prog: Program, maxSteps = 500_000_000, trace = false): UartRun {
  const hart = new Hart({ ramSize: 16 * 1024 * 1024, trace })
  loadProgram(hart, prog)
  let output = ''
  let finisher: number | undefined
  while (hart.instret < BigInt(maxSteps)) {
    const exit = hart.run(10_000_000)
    if (exit === HartExit.StepsDone) continue
    if (exit === HartExit.TraceFull) { hart.drainTrace(); continue }
    if (exit !== HartExit.Mmio) throw new Error(`unexpected exit ${exit} at pc 0x${hart.pc.toString(16)}`)
    const m = hart.mmio
    if (m.isWrite && m.addr === UART_BASE) {
      output += String.fromCharCode(Number(m.value & 0xffn))
      hart.completeMmio(0n)
    } else if (!m.isWrite && m.addr === UART_BASE + 5n) {
      hart.completeMmio(0x60n)
    } else if (m.isWrite && m.addr === FINISHER_BASE) {
      finisher = Number(m.value & 0xffffffffn)
      hart.completeMmio(0n)
      break
    } else {
      hart.completeMmio(0n, !m.isWrite || m.addr < UART_BASE || m.addr >= UART_BASE + 8n)
    }
  }
  return { output, finisher, instret: hart.instret, hart }
}

/**
 * QEMU 7.2's default rv64 CPU adds extensions we do not implement (H, Svpbmt,
 * Sstc, Sscofpmf); turning them off makes its CSR masks those of a plain RV64GC hart.
 */
export const QEMU_CPU = 'rv64,h=false,svpbmt=false,sstc=false,sscofpmf=false'

/** Runs the ELF under `qemu-system-riscv64 -M virt -bios none` and returns its UART output. */
export function runQemu(qemuPath: string, elf: Uint8Array, timeoutMs = 60_000): string {
  const dir = mkdtempSync(join(tmpdir(), 'hart-qemu-'))
  try {
    const file = join(dir, 'k.elf')
    writeFileSync(file, elf)
    return execFileSync(qemuPath, ['-M', 'virt', '-cpu', QEMU_CPU, '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-kernel', file], {
      encoding: 'latin1',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Assembly: `print_hex` prints a0 as 16 hex digits, `print_char` prints a0 (both clobber t0-t4). */
export const UART_PRINT_ASM = `
# Polls LSR.THRE before each byte: QEMU drops bytes written while its transmitter is busy.
putc_t2:
  li t0, 0x10000000
5:
  lbu t3, 5(t0)
  andi t3, t3, 0x20
  beqz t3, 5b
  sb t2, 0(t0)
  ret
print_char:
  mv t4, ra
  mv t2, a0
  call putc_t2
  mv ra, t4
  ret
print_hex:
  mv t4, ra
  li t1, 60
1:
  srl t2, a0, t1
  andi t2, t2, 15
  li t3, 10
  blt t2, t3, 2f
  addi t2, t2, 'a' - 10
  j 3f
2:
  addi t2, t2, '0'
3:
  call putc_t2
  addi t1, t1, -4
  bgez t1, 1b
  mv ra, t4
  ret
finish:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
4: j 4b
`
