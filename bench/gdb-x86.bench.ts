/**
 * The GDB stub on an x86 recording of ~100 M steps, as gdb.bench.ts measures it on riscv64: the
 * x86 hart serves the stops (debug-stops.ts). The kernel (NASM, Multiboot 1, 32-bit) writes `flag`
 * once at its start, then loops incrementing `counter`, taking `int 0x80` into `trap_entry` every
 * 2^20 iterations (the handler reads `flag`). What is measured, and the peer (the stub stepping one
 * instruction at a time, what it did on x86 before the hart served stops): gdb-stops.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Recorder } from '../src/main/trace/recorder'
import { ReplaySession } from '../src/main/trace/replay'
import { X86ReplayTarget } from '../src/main/gdb/x86/replay-target'
import { readElf } from '../src/shared/elf/reader'
import { buildKernel } from '../test/main/machine/x86/hart/mb1-harness'
import { ensureX86Wasm } from '../test/main/machine/x86/hart/x86-run'
import { gates32, GATE_TABLES32 } from '../test/main/machine/x86/hart/kernel-lib'
import type { BenchResult } from './bench-types'
import { stubSpeeds } from './gdb-stops'

const STEPS = 100_000_000
/** Instructions per loop iteration (mov, inc, mov, test, jnz, dec, jnz). */
const PER_ITERATION = 7

function kernel(iterations: number): Uint8Array {
  return buildKernel(`
section .text
global flag_store
global trap_entry
_start:
${gates32([0x80])}
  mov esp, stack_top
flag_store:
  mov dword [flag], 0x1234
  mov ebp, ${iterations}
.loop:
  mov eax, [counter]
  inc eax
  mov [counter], eax
  test eax, 0xfffff
  jnz .next
  int 0x80
.next:
  dec ebp
  jnz .loop
  mov al, 0
  out 0xf4, al
  cli
  hlt
trap_entry:
vec_128:
  mov ecx, [flag]
  iretd
${GATE_TABLES32}
section .data
align 4096
flag: dd 0
align 4096
counter: dd 0
section .bss
resb 4096
stack_top:
`)
}

export default async function gdbX86Bench(): Promise<BenchResult[]> {
  ensureX86Wasm()
  const elf = kernel(Math.ceil(STEPS / PER_ITERATION))
  const parsed = readElf(elf)
  if (!parsed.ok) throw new Error(parsed.error.message)
  const sym = (n: string) => parsed.value.symbols.find((s) => s.name === n)!.value
  const flag = parsed.value.symbols.find((s) => s.name === 'flag')!.value
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bench-gdb-x86-'))
  try {
    const path = join(dir, 'loop.sqlite')
    const rec = await Recorder.start({ recordingPath: path, kernel: { file: 'loop.elf', bytes: elf }, writtenBy: 'bench', maxSteps: BigInt(2 * STEPS) })
    if (!rec.ok) throw new Error(rec.error.message)
    const done = await rec.value.run()
    if (done.stop.reason !== 'shutdown') throw new Error(`the kernel did not exit: ${done.stop.message}`)
    const steps = BigInt(done.steps)
    const opened = await ReplaySession.open(path)
    if (!opened.ok) throw new Error(opened.error.message)
    const target = new X86ReplayTarget(opened.value, path)
    // A write watchpoint reverse-continued to stops just after the store (`mov dword [flag], imm32`: 10 bytes).
    return await stubSpeeds(target, steps, { flag, flagLength: 4, afterFlagStore: sym('flag_store') + 10n, trapEntry: sym('trap_entry') }, 'x86: ')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
