/**
 * Toolchain speed: `build()` (our assembler + linker) on the seed 004 kernel, warm, and on a
 * generated 50 000-line file; GNU as + ld on the very same inputs as peers, measured in the same
 * run (process start-up included for GNU, since that is what a user waits for too).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from '../src/main/toolchain/build'
import { medianMillis, type BenchResult } from './bench-types'

const SEED_DIR = fileURLToPath(new URL('../test/fixtures/link/seed-004-higher-half', import.meta.url))
const LARGE_LINES = 50_000
const GNU_AS = 'riscv64-unknown-elf-as'
const GNU_LD = 'riscv64-unknown-elf-ld'

/** (Function names avoid f0…f31, which are FP registers.) A plausible kernel-ish source: functions with loops, calls, loads/stores, pc-relative addresses, data. */
export function generateSource(lines: number): string {
  const out: string[] = ['    .text', '    .globl _start', '_start:', '    la sp, stack_top', '    call fn0']
  let fn = 0
  while (out.length < lines - 40) {
    out.push(`    .globl fn${fn}`, `fn${fn}:`, '    addi sp, sp, -16', '    sd ra, 8(sp)', `    la a0, table${fn % 64}`, '    li t0, 0')
    out.push(`.Lloop${fn}:`, '    ld t1, 0(a0)', '    add t0, t0, t1', '    addi a0, a0, 8', `    bnez t1, .Lloop${fn}`)
    out.push(`    call fn${fn + 1}`, '    mv a0, t0', '    slli a0, a0, 3', '    ld ra, 8(sp)', '    addi sp, sp, 16', '    ret')
    fn++
  }
  out.push(`fn${fn}:`, '    ret', '    .data', '    .align 3')
  for (let i = 0; i < 64; i++) out.push(`table${i}:`, `    .quad ${i}, fn${i % fn}, 0`)
  out.push('    .bss', '    .align 12', '    .space 16384', 'stack_top:')
  return out.join('\n') + '\n'
}

const LARGE_SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0x80200000;
  .text : { *(.text .text.*) }
  . = ALIGN(4K);
  .rodata : { *(.rodata .rodata.*) }
  . = ALIGN(4K);
  .data : { *(.data .data.*) }
  .bss : { *(.bss .bss.*) }
}
`

function gnuBuild(dir: string, sources: string[], script: string): void {
  const objs = sources.map((s) => {
    const o = s.replace(/\.[sS]$/, '.o')
    execFileSync(GNU_AS, ['-march=rv64gc', '-mno-relax', join(dir, s), '-o', join(dir, o)])
    return join(dir, o)
  })
  execFileSync(GNU_LD, ['--no-relax', '-T', join(dir, script), ...objs, '-o', join(dir, 'gnu.elf')])
}

function haveGnu(): boolean {
  try {
    execFileSync(GNU_AS, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export default async function (): Promise<BenchResult[]> {
  const seedFiles = ['entry.S', 'main.S', 'script.ld'].map((f) => ({ path: f, text: readFileSync(join(SEED_DIR, f), 'utf8') }))
  const large = [{ path: 'big.S', text: generateSource(LARGE_LINES) }, { path: 'big.ld', text: LARGE_SCRIPT }]
  const check = (r: ReturnType<typeof build>) => {
    if (!r.ok) throw new Error(`build failed: ${r.diagnostics.map((d) => d.message).join('; ')}`)
  }
  check(build({ files: seedFiles, script: 'script.ld' }))
  for (let i = 0; i < 20; i++) build({ files: seedFiles, script: 'script.ld' })
  const seedMs = await medianMillis(50, () => check(build({ files: seedFiles, script: 'script.ld' })))
  check(build({ files: large, script: 'big.ld' }))
  const largeMs = await medianMillis(5, () => check(build({ files: large, script: 'big.ld' })))

  let seedPeer: number | undefined
  let largePeer: number | undefined
  if (haveGnu()) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-toolchain-'))
    try {
      for (const f of [...seedFiles, ...large]) writeFileSync(join(dir, f.path), f.text)
      gnuBuild(dir, ['entry.S', 'main.S'], 'script.ld')
      seedPeer = await medianMillis(10, () => gnuBuild(dir, ['entry.S', 'main.S'], 'script.ld'))
      largePeer = await medianMillis(3, () => gnuBuild(dir, ['big.S'], 'big.ld'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return [
    {
      name: 'build seed 004 kernel (warm)', value: seedMs, unit: 'ms', goal: '≤ 10 ms warm', met: seedMs <= 10,
      ...(seedPeer !== undefined ? { peer: { name: 'GNU as + ld', value: seedPeer } } : {}),
    },
    {
      name: `build generated ${LARGE_LINES.toLocaleString('en')}-line file`, value: largeMs, unit: 'ms', goal: '≤ 1 s', met: largeMs <= 1000,
      ...(largePeer !== undefined ? { peer: { name: 'GNU as + ld', value: largePeer } } : {}),
    },
  ]
}
