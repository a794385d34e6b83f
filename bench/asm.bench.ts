/**
 * Assembler speed: our `assemble()` on the seed 004 kernel entry (warm) and on a generated
 * 50 000-line program, with GNU `as -march=rv64gc -mno-relax` on the same input as the peer
 * (process start-up included: that is what a user waits for).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assemble } from '../src/main/toolchain/asm'
import { medianMillis, type BenchResult } from './bench-types'

const SEED = fileURLToPath(new URL('../test/fixtures/asm/seed-004-entry.S', import.meta.url))
const GNU_AS = 'riscv64-unknown-elf-as'
const LARGE_LINES = 50_000

/** Kernel-like code: functions with loops, calls, loads/stores, li constants, CSR writes, data. */
function generate(lines: number): string {
  const out = ['    .text', '    .globl _start', '_start:', '    la sp, stack_top', '    call fn0']
  let fn = 0
  while (out.length < lines - 200) {
    out.push(`    .globl fn${fn}`, `fn${fn}:`, '    addi sp, sp, -16', '    sd ra, 8(sp)', `    la a0, table${fn % 64}`, `    li t0, ${fn * 4099}`)
    out.push('1:  ld t1, 0(a0)', '    add t0, t0, t1', '    addi a0, a0, 8', '    bnez t1, 1b', '    csrw sscratch, t0')
    out.push(`    call fn${fn + 1}`, '    mv a0, t0', '    slli a0, a0, 3', '    ld ra, 8(sp)', '    addi sp, sp, 16', '    ret')
    fn++
  }
  out.push(`fn${fn}:`, '    ret', '    .data', '    .align 3')
  for (let i = 0; i < 64; i++) out.push(`table${i}:`, `    .quad ${i}, fn${i % fn}, 0`)
  out.push('    .bss', '    .align 12', '    .space 16384', 'stack_top:')
  return out.join('\n') + '\n'
}

function gnuMillis(dir: string, file: string, runs: number): Promise<number> {
  return medianMillis(runs, () => execFileSync(GNU_AS, ['-march=rv64gc', '-mno-relax', '-o', join(dir, 'out.o'), join(dir, file)]))
}

export default async function (): Promise<BenchResult[]> {
  const seed = readFileSync(SEED, 'utf8')
  const large = generate(LARGE_LINES)
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-asm-bench-'))
  try {
    // The seed is a .S file; GNU as gets the same text (it has no cpp directives).
    writeFileSync(join(dir, 'seed.s'), seed)
    writeFileSync(join(dir, 'large.s'), large)
    for (let i = 0; i < 20; i++) assemble(seed, { file: 'entry.S' })
    const seedMs = await medianMillis(200, () => assemble(seed, { file: 'entry.S' }))
    assemble(large, { file: 'large.s' })
    const largeMs = await medianMillis(5, () => assemble(large, { file: 'large.s' }))
    const r = assemble(large, { file: 'large.s' })
    if (!r.object) throw new Error(`generated program failed: ${r.diagnostics[0]?.message}`)
    let gnuSeed: number | undefined
    let gnuLarge: number | undefined
    try {
      gnuSeed = await gnuMillis(dir, 'seed.s', 20)
      gnuLarge = await gnuMillis(dir, 'large.s', 5)
    } catch {
      // GNU as missing: report ours alone.
    }
    return [
      { name: 'assemble seed 004 entry.S (warm)', value: seedMs, unit: 'ms', peer: gnuSeed === undefined ? undefined : { name: 'GNU as', value: gnuSeed }, goal: '≈ 1 ms warm', met: seedMs <= 1.5 },
      { name: `assemble ${LARGE_LINES}-line program (warm)`, value: largeMs, unit: 'ms', peer: gnuLarge === undefined ? undefined : { name: 'GNU as', value: gnuLarge }, goal: 'well under 1 s', met: largeMs < 1000 },
      { name: `assembler throughput`, value: LARGE_LINES / (largeMs / 1000) / 1e6, unit: 'M lines/s' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
