/**
 * Test helper for the x86 hart: assembles a NASM program (Debian's `nasm`, `-f bin`), loads it
 * into a fresh hart at 1 MiB and starts it in the mode a test asks for — real mode (16-bit code at
 * 0x7C00), flat 32-bit protected mode as a Multiboot loader leaves it, or 64-bit long mode with
 * identity-mapped 2 MiB pages for the first GiB — then runs it, serving COM1 (0x3F8: collected as
 * text) and QEMU's isa-debug-exit (0xF4: stops the run) on the port bus. A program ends with `hlt`
 * with interrupts off, or an exit write.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { X86Hart } from '../../../../../src/main/machine/x86/hart/hart'
import { X86HartExit } from '../../../../../src/main/machine/x86/hart/hart-api'

let built = false
/** Builds the wasm once per test process (idempotent and fast when up to date). */
export function ensureX86Wasm(): void {
  if (built) return
  execFileSync(process.execPath, [fileURLToPath(new URL('../../../../../scripts/build-wasm.mjs', import.meta.url))], { stdio: 'pipe' })
  built = true
}

/** Assembles NASM source to a flat binary. */
export function nasm(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'x86-nasm-'))
  try {
    writeFileSync(join(dir, 'p.asm'), source)
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'p.bin'), join(dir, 'p.asm')], { stdio: 'pipe' })
    return new Uint8Array(readFileSync(join(dir, 'p.bin')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export type StartMode = 'real16' | 'prot32' | 'long64'
export const LOAD_ADDR = 0x100000
export const REAL_LOAD_ADDR = 0x7c00
/** Long-mode tables built by the helper: PML4 at 0x1000, PDPT 0x2000, PD 0x3000 (1 GiB of 2 MiB pages). */
export const PML4_ADDR = 0x1000

const FLAT_CODE32 = 0xc09b
const FLAT_DATA32 = 0xc093
const CODE64 = 0xa09b

/** Puts the hart in `mode` with RIP at the loaded code, as the tests' "firmware". */
export function enterMode(hart: X86Hart, mode: StartMode, entry: number): void {
  if (mode === 'real16') {
    hart.setSegment('cs', { selector: 0, base: 0n, limit: 0xffff, attrs: 0x9b })
    for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) hart.setSegment(s, { selector: 0, base: 0n, limit: 0xffff, attrs: 0x93 })
    hart.setReg('rsp', 0x7000n)
    hart.setReg('rip', BigInt(entry))
    return
  }
  hart.setReg('cr0', 0x11n)
  for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) hart.setSegment(s, { selector: 0x10, base: 0n, limit: 0xffffffff, attrs: FLAT_DATA32 })
  if (mode === 'prot32') {
    hart.setSegment('cs', { selector: 0x08, base: 0n, limit: 0xffffffff, attrs: FLAT_CODE32 })
  } else {
    const dv = new DataView(hart.ram.buffer, hart.ram.byteOffset)
    dv.setBigUint64(PML4_ADDR, 0x2000n | 3n, true)
    dv.setBigUint64(0x2000, 0x3000n | 3n, true)
    for (let i = 0; i < 512; i++) dv.setBigUint64(0x3000 + i * 8, BigInt(i) * 0x200000n | 0x83n, true)
    hart.setReg('cr3', BigInt(PML4_ADDR))
    hart.setReg('cr4', 0x20n)
    hart.setReg('efer', 0x500n)
    hart.setReg('cr0', 0x80000011n)
    hart.setSegment('cs', { selector: 0x08, base: 0n, limit: 0xffffffff, attrs: CODE64 })
  }
  hart.setReg('rsp', 0x90000n)
  hart.setReg('rip', BigInt(entry))
}

export interface X86RunResult {
  hart: X86Hart
  exit: X86HartExit
  /** Text written to COM1. */
  serial: string
  /** Value written to port 0xF4, if any. */
  debugExit: number | undefined
  /** Every port access (for tests of in/out). */
  ports: Array<{ port: number; size: number; isWrite: boolean; value: number }>
}

export interface X86RunOptions {
  mode?: StartMode
  maxSteps?: number
  trace?: boolean
  ramSize?: number
  /** Value an `in` returns, by port (default 0xFF…). */
  portIn?: (port: number, size: number) => number
  setup?: (hart: X86Hart) => void
}

/** Runs a hart until hlt, a debug-exit write, a triple fault or the step budget. */
export function runHart(hart: X86Hart, opts: X86RunOptions = {}): X86RunResult {
  let serial = ''
  let debugExit: number | undefined
  const ports: X86RunResult['ports'] = []
  let budget = opts.maxSteps ?? 2_000_000
  let exit: X86HartExit
  for (;;) {
    const before = hart.instret
    exit = hart.run(budget)
    budget -= Number(hart.instret - before)
    if (exit === X86HartExit.Io) {
      const io = hart.io
      ports.push({ port: io.port, size: io.size, isWrite: io.isWrite, value: io.value })
      if (io.isWrite && io.port === 0x3f8) serial += String.fromCharCode(io.value & 0xff)
      if (io.isWrite && io.port === 0xf4) { debugExit = io.value; hart.completeIo(0); break }
      const v = io.isWrite ? 0 : (opts.portIn?.(io.port, io.size) ?? (io.port === 0x3fd ? 0x20 : 0xffffffff))
      hart.completeIo(v)
      continue
    }
    if (exit === X86HartExit.StepsDone && budget > 0) continue
    break
  }
  return { hart, exit, serial, debugExit, ports }
}

/** Assembles `source` (NASM, with `bits`/`org` added for the mode), loads and runs it. */
export function runX86(source: string, opts: X86RunOptions = {}): X86RunResult {
  ensureX86Wasm()
  const mode = opts.mode ?? 'prot32'
  const bits = mode === 'real16' ? 16 : mode === 'prot32' ? 32 : 64
  const addr = mode === 'real16' ? REAL_LOAD_ADDR : LOAD_ADDR
  const code = nasm(`bits ${bits}\norg 0x${addr.toString(16)}\n${source}\n`)
  const hart = new X86Hart({ ramSize: opts.ramSize ?? 8 * 1024 * 1024, trace: opts.trace })
  hart.ram.set(code, addr)
  enterMode(hart, mode, addr)
  opts.setup?.(hart)
  return runHart(hart, opts)
}
