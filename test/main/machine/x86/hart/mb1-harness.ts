/**
 * A minimal Multiboot 1 harness for the hart's tests, until the x86 platform's loader and
 * devices are the test bed: build a kernel from NASM source (Multiboot 1 header added, `nasm
 * -felf32` + `ld -m elf_i386` at 1 MiB), load its ELF32 PT_LOAD segments at p_paddr, enter it
 * as QEMU's `-kernel` does (32-bit flat protected mode, paging off, EAX = 0x2BADB002, EBX = a
 * minimal info block), and run it serving only COM1 output (0x3F8, LSR at 0x3FD always ready) and
 * QEMU's isa-debug-exit (0xF4). The same ELF runs in `qemu-system-x86_64 -kernel` for the
 * differential tests (`runInQemu`), with the serial port written to a file as raw bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readElf } from '../../../../../src/shared/elf/reader'
import { PT_LOAD } from '../../../../../src/shared/elf/constants'
import { X86Hart } from '../../../../../src/main/machine/x86/hart/hart'
import { X86HartExit } from '../../../../../src/main/machine/x86/hart/hart-api'
import { ensureX86Wasm } from './x86-run'

/** The header and entry every test kernel starts with (Multiboot 1: magic, flags 0, checksum). */
const MB1_PRELUDE = `
bits 32
section .multiboot progbits alloc noexec nowrite align=4
  dd 0x1BADB002, 0, -0x1BADB002
section .text
global _start
`

/** Builds a Multiboot 1 ELF32 kernel from NASM source (text starts in 32-bit protected mode at `_start`). */
export function buildKernel(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'x86-mb1-'))
  try {
    writeFileSync(join(dir, 'k.asm'), MB1_PRELUDE + source)
    writeFileSync(join(dir, 'k.ld'), `ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .text : { *(.multiboot) *(.text) }
  .data : { *(.data) *(.rodata) }
  .bss : { *(.bss) }
}
`)
    try {
      execFileSync('nasm', ['-f', 'elf32', '-w-all', '-o', join(dir, 'k.o'), join(dir, 'k.asm')], { stdio: 'pipe', maxBuffer: 64 << 20 })
    } catch (e) {
      // Name the lines nasm rejected, with their text.
      const lines = (MB1_PRELUDE + source).split('\n')
      const msg = String((e as { stderr?: Buffer }).stderr ?? e)
      const detail = [...msg.matchAll(/k\.asm:(\d+): (.*)/g)].map((m) => `line ${m[1]}: ${m[2]}: ${lines[Number(m[1]) - 1]}`)
      throw new Error(`nasm failed:\n${detail.join('\n') || msg}`, { cause: e })
    }
    execFileSync('ld', ['-m', 'elf_i386', '-T', join(dir, 'k.ld'), '-o', join(dir, 'k.elf'), join(dir, 'k.o')], { stdio: 'pipe' })
    return new Uint8Array(readFileSync(join(dir, 'k.elf')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Where the harness puts its Multiboot information block (flags = 0: nothing described). */
export const MB1_INFO_ADDR = 0x9000

/** Loads an ELF32 kernel's PT_LOAD segments at p_paddr (BSS zeroed) and sets the Multiboot 1 entry state. */
export function loadMultiboot1(hart: X86Hart, elf: Uint8Array): void {
  const r = readElf(elf)
  if (!r.ok) throw new Error(r.error.message)
  const ram = hart.ram
  for (const s of r.value.segments) {
    if (s.type !== PT_LOAD) continue
    const pa = Number(s.paddr)
    ram.set(elf.subarray(s.offset, s.offset + s.filesz), pa)
    ram.fill(0, pa + s.filesz, pa + Number(s.memsz))
  }
  ram.fill(0, MB1_INFO_ADDR, MB1_INFO_ADDR + 64)
  // QEMU's -kernel (and GRUB): flat 4 GiB CS/DS, PE on, paging off, IF = 0, EAX = magic, EBX = info.
  hart.setReg('cr0', 0x11n)
  hart.setSegment('cs', { selector: 0x10, base: 0n, limit: 0xffffffff, attrs: 0xc09b })
  for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) hart.setSegment(s, { selector: 0x18, base: 0n, limit: 0xffffffff, attrs: 0xc093 })
  hart.setReg('rflags', 2n)
  hart.setReg('rax', 0x2badb002n)
  hart.setReg('rbx', BigInt(MB1_INFO_ADDR))
  hart.setReg('rip', r.value.header.entry)
  hart.invalidateCaches()
}

export interface KernelRun {
  hart: X86Hart
  exit: X86HartExit
  serial: Uint8Array
  /** isa-debug-exit: QEMU's process exit status `(value << 1) | 1`, or undefined when the kernel never wrote it. */
  exitStatus: number | undefined
}

/** Runs a kernel on our hart until debug-exit, a triple fault, `cli; hlt`, or the step budget. */
export function runKernel(elf: Uint8Array, opts: { maxSteps?: number; trace?: boolean; ramSize?: number; setup?: (h: X86Hart) => void } = {}): KernelRun {
  ensureX86Wasm()
  const hart = new X86Hart({ ramSize: opts.ramSize ?? 32 * 1024 * 1024, trace: opts.trace })
  loadMultiboot1(hart, elf)
  opts.setup?.(hart)
  const serial: number[] = []
  let exitStatus: number | undefined
  let budget = opts.maxSteps ?? 50_000_000
  let exit: X86HartExit
  for (;;) {
    const before = hart.instret
    exit = hart.run(Math.max(budget, 1))
    budget -= Number(hart.instret - before)
    if (exit === X86HartExit.TraceFull) { hart.drainTrace(); continue }
    if (exit === X86HartExit.Io) {
      const io = hart.io
      if (io.isWrite && io.port === 0x3f8) serial.push(io.value & 0xff)
      if (io.isWrite && io.port === 0xf4) { exitStatus = ((io.value & 0xff) << 1) | 1; hart.completeIo(0); break }
      hart.completeIo(io.isWrite ? 0 : io.port === 0x3fd ? 0x60 : 0xff)
      continue
    }
    if (exit === X86HartExit.StepsDone && budget > 0) continue
    break
  }
  return { hart, exit, serial: Uint8Array.from(serial), exitStatus }
}

export interface QemuRun {
  serial: Uint8Array
  status: number | null
  /** true when QEMU was killed by the timeout. */
  timedOut: boolean
}

/** Runs the kernel in `qemu-system-x86_64 -kernel` (Multiboot 1), serial to a file, with isa-debug-exit. */
export function runInQemu(elf: Uint8Array, qemuPath: string, timeoutMs = 60_000, cpu = 'qemu64'): QemuRun {
  const dir = mkdtempSync(join(tmpdir(), 'x86-qemu-'))
  try {
    const k = join(dir, 'k.elf')
    const out = join(dir, 'serial.bin')
    writeFileSync(k, elf)
    const r = spawnSync(qemuPath, [
      '-cpu', cpu, '-kernel', k, '-display', 'none', '-monitor', 'none', '-serial', `file:${out}`, '-no-reboot',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-m', '32',
    ], { timeout: timeoutMs })
    const serial = existsSync(out) ? new Uint8Array(readFileSync(out)) : new Uint8Array()
    return { serial, status: r.status, timedOut: r.error !== undefined || r.signal !== null }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
