/**
 * Lab checks that name C functions, decided on recordings of the C test kernel (make with
 * riscv64-unknown-elf-gcc -g) through the lab evaluator's recording context: `kernel_main`
 * reached by a step (the step where gdb-style stepping first has the PC at its entry), and not
 * by a step before it; an inlined helper (`write_satp`) reached through its inlined copy; a
 * function that does not exist named as such; a store page fault inside `poke` (a variant that
 * stores to an unmapped address), not inside `kernel_main`, and `absent` deciding the other way.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { Recorder } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { ReplaySession } from '../../../src/main/trace/replay'
import { RecordingContext } from '../../../src/main/labs/evaluate'
import { SymbolTable } from '../../../src/main/labs/select-events'
import type { FaultInFunctionCheck, FunctionReachedCheck } from '../../../src/shared/labs/lab-format'
import { build } from '../../../src/main/toolchain/build'
import { EXAMPLE } from '../../support/build-workspace'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const nm = oracle('riscv64-unknown-elf-nm', 'binutils-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const base = { id: 'c', title: 't', message: 'm', points: 1 }

let dir = ''
/** The C kernel and a variant whose `poke` stores to an unmapped address after paging is on. */
const recordings = { ok: '', faulting: '' }
let kernelMain = 0n

async function record(src: string, out: string): Promise<string> {
  const elf = join(dir, `${out}.elf`)
  execFileSync(make.path!, ['-s', '-B', '-C', src, `OUT=${elf}`], { stdio: 'pipe' })
  const path = join(dir, `${out}.sqlite`)
  const started = await Recorder.start({ recordingPath: path, kernel: { file: `${out}.elf`, bytes: readFileSync(elf) }, maxSteps: 100_000, writtenBy: 'test' })
  if (!started.ok) throw new Error(started.error.message)
  await started.value.run()
  if (out === 'ok') kernelMain = BigInt(`0x${/^([0-9a-f]+) T kernel_main$/m.exec(execFileSync(nm.path!, [elf], { encoding: 'utf8' }))![1]}`)
  return path
}

/** The evaluator's context on a recording (no build symbols: the names come from the recording's DWARF). */
function context(path: string): { ctx: RecordingContext; close: () => void } {
  const reader = RecordingReader.open(path)
  if (!reader.ok) throw new Error(reader.error.message)
  return { ctx: new RecordingContext(reader.value, new SymbolTable([]), path), close: () => reader.value.close() }
}

describe('lab checks naming functions of an assembly kernel (its ELF symbols with a size)', () => {
  it('decides function_reached on a label given .type/.size, and names what the kernel has when the label has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-fn-asm-'))
    const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8').replace('rust_main:\n', '    .type rust_main, @function\nrust_main:\n') + '\n    .section .text\n    .size rust_main, 3b + 4 - rust_main\n'
    const files = ['entry.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
    const built = build({ files: [...files, { path: 'main.S', text: main }], script: 'linker.ld' })
    if (!built.ok || !built.elf) throw new Error(built.diagnostics.map((d) => d.message).join('; '))
    const path = join(dir, 'asm.sqlite')
    const started = await Recorder.start({ recordingPath: path, kernel: { file: 'k.elf', bytes: built.elf }, writtenBy: 'test' })
    if (!started.ok) throw new Error(started.error.message)
    await started.value.run()
    const reader = RecordingReader.open(path)
    if (!reader.ok) throw new Error(reader.error.message)
    try {
      expect(reader.value.functions()).toEqual([]) // no DWARF: the names come from the symbols
      const ctx = new RecordingContext(reader.value, new SymbolTable(built.symbols), path, built.symbols)
      const rustMain = built.symbols.find((s) => s.name === 'rust_main')!
      expect(rustMain.size).toBeGreaterThan(0n)
      const yes = await ctx.functionReached({ ...base, kind: 'function_reached', function: 'rust_main' })
      expect(yes.passed).toBe(true)
      expect(yes.detail).toMatch(/^the PC reached `rust_main` \(0x[0-9a-f]+\) at step \d+$/)
      expect(yes.detail).toContain(`(0x${rustMain.value.toString(16)})`)
      // _start has no .size: not a function by the symbols.
      const none = await ctx.functionReached({ ...base, kind: 'function_reached', function: '_start' })
      expect(none.detail).toBe('the kernel has no function `_start` (its functions: rust_main)')
    } finally {
      reader.value.close()
    }
  }, 60_000)
})

describe.skipIf(make.missing || gcc.missing || nm.missing)('lab checks naming C functions (DWARF)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootscope-fn-checks-'))
    recordings.ok = await record(C_KERNEL, 'ok')
    const variant = join(dir, 'faulting')
    cpSync(C_KERNEL, variant, { recursive: true })
    const main = readFileSync(join(variant, 'main.c'), 'utf8')
    writeFileSync(
      join(variant, 'main.c'),
      main
        .replace('void kernel_main(void)\n', '__attribute__((noinline)) void poke(volatile uint64_t *p)\n{\n    *p = 1;\n}\n\nvoid kernel_main(void)\n')
        // 0x40000000 is in the second gigapage, which the root table leaves unmapped.
        .replace('    sbi_shutdown();\n}', '    poke((volatile uint64_t *)0x40000000UL);\n    sbi_shutdown();\n}'),
    )
    recordings.faulting = await record(variant, 'faulting')
  }, 120_000)

  it('decides function_reached: kernel_main by the step its entry runs, not one step before; an inlined helper; an unknown name', async () => {
    // The oracle: the first step at which the PC is kernel_main's address (nm), by stepping the replay.
    const s = await ReplaySession.open(recordings.ok)
    if (!s.ok) throw new Error(s.error.message)
    let entered = -1
    for (let step = 0; step < 200 && entered < 0; step++) {
      await s.value.seek(BigInt(step))
      if (s.value.machineAtStep.hart.pc === kernelMain) entered = step
    }
    expect(entered).toBeGreaterThan(0)
    const { ctx, close } = context(recordings.ok)
    try {
      const reached = (fn: string, beforeStep?: number) => ctx.functionReached({ ...base, kind: 'function_reached', function: fn, ...(beforeStep ? { beforeStep } : {}) } satisfies FunctionReachedCheck)
      const yes = await reached('kernel_main', entered)
      expect(yes).toMatchObject({ passed: true, step: entered })
      expect(yes.detail).toBe(`the PC reached \`kernel_main\` (0x${kernelMain.toString(16)}) at step ${entered}`)
      const late = await reached('kernel_main', entered - 1)
      expect(late.passed).toBe(false)
      expect(late.detail).toMatch(new RegExp(`^the PC never reached \`kernel_main\` \\(0x[0-9a-f]+\\) by step ${entered - 1}; it is reached later, at step ${entered};`))
      // write_satp is always_inline: reached where its inlined copy starts, inside kernel_main.
      const inlined = await reached('write_satp')
      expect(inlined.passed).toBe(true)
      expect(inlined.step!).toBeGreaterThan(entered)
      const none = await reached('kmain')
      expect(none).toMatchObject({ passed: false })
      expect(none.detail).toMatch(/^the kernel has no function `kmain` \(its functions: .*kernel_main/)
    } finally {
      close()
    }
  }, 60_000)

  it('decides fault_in_function: the page fault is inside poke, not kernel_main; absent the other way', () => {
    const fault = (fn: string, o: Partial<FaultInFunctionCheck> = {}) => ({ ...base, kind: 'fault_in_function' as const, function: fn, absent: false, ...o })
    const faulting = context(recordings.faulting)
    try {
      const inPoke = faulting.ctx.decide(fault('poke', { cause: 15 }))
      expect(inPoke.passed).toBe(true)
      expect(inPoke.detail).toMatch(/^an exception of cause 15 inside `poke`: cause 15 at epc 0x8020[0-9a-f]+ \(in poke\), step \d+$/)
      expect(faulting.ctx.decide(fault('poke')).passed).toBe(true)
      const inMain = faulting.ctx.decide(fault('kernel_main'))
      expect(inMain.passed).toBe(false)
      expect(inMain.detail).toMatch(/^no exception inside `kernel_main`; the exceptions were elsewhere: cause 15 at epc \S+ \(in poke\)/)
      expect(faulting.ctx.decide(fault('poke', { absent: true })).passed).toBe(false)
      expect(faulting.ctx.decide(fault('poke', { cause: 13 })).passed).toBe(false)
    } finally {
      faulting.close()
    }
    // The kernel that does not fault.
    const ok = context(recordings.ok)
    try {
      expect(ok.ctx.decide(fault('kernel_main', { absent: true }))).toMatchObject({ passed: true, detail: 'no exception inside `kernel_main`' })
      expect(ok.ctx.decide(fault('map_gigapage')).detail).toMatch(/^no exception inside `map_gigapage`; the boot ended at step \d+/)
    } finally {
      ok.close()
    }
  })
})
