/**
 * GNU as for x86 speed (issue 14), each against its real peer in the same run:
 * - `bootscope build` of seed 000 (the higher-half GAS stub + the gcc -m32 kernel object, AT()
 *   script) in process, against `as --32` + `ld -m elf_i386` (process start-up included: that is
 *   what a user waits for). The GAS object is checked byte-identical to as's first;
 * - the front end (`assembleGasX86`) on a generated 50 000-line AT&T x86-64 program, against
 *   `as --64` on the same file, after the same identity check.
 * Ours is the code as it ships (bundled, shipped.ts; one row shows the seed build through tsx for
 * comparison), warm (after LARGE_WARMUPS calls on the large file; the first call is its own row);
 * wall and CPU time both, the peers' CPU time from bash's `times`.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as devBuild from '../src/main/toolchain/build'
import type { ObjectFile } from '../src/main/toolchain/object'
import { readRelocatable } from '../src/shared/elf/read-relocatable'
import { LARGE_WARMUPS, medianMillis, medianTimes, peerCpuMillis, timeOnce, warmTimes, type BenchResult } from './bench-types'
import { importShipped } from './shipped'

type GasX86 = typeof import('../src/main/toolchain/asm/gas-x86')
type Build = typeof import('../src/main/toolchain/build')

const SEED_DIR = fileURLToPath(new URL('../test/fixtures/link-x86/seed-000-higher-half-i386/', import.meta.url))
const LARGE_LINES = 50_000

/** Kernel-like AT&T x86-64 code: functions with loops, calls, memory operands, local labels, data. */
export function generateGas(lines: number): string {
  const out = ['\t.text', '\t.globl _start', '_start:', '\tleaq stack_top(%rip), %rsp', '\tcall fn0']
  let fn = 0
  while (out.length < lines - 200) {
    out.push(`\t.globl fn${fn}`, `fn${fn}:`, '\tpushq %rbp', '\tmovq %rsp, %rbp', `\tleaq table${fn % 64}(%rip), %rsi`, `\tmovl $${fn * 4099}, %eax`)
    out.push('1:\tmovq (%rsi), %rcx', '\taddq %rcx, %rax', '\taddq $8, %rsi', '\ttestq %rcx, %rcx', '\tjnz 1b', '\tmovq %rax, -8(%rbp)')
    out.push(`\tcall fn${fn + 1}`, '\tshlq $3, %rax', '\timulq $5, %rax, %rax', '\tpopq %rbp', '\tret')
    fn++
  }
  out.push(`fn${fn}:`, '\tret', '\t.data', '\t.p2align 3')
  for (let i = 0; i < 64; i++) out.push(`table${i}:`, `\t.quad ${i}, fn${i % fn}, 0`)
  out.push('\t.bss', '\t.p2align 12', '\t.skip 16384', 'stack_top:')
  return out.join('\n') + '\n'
}

function haveTool(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The benchmark measures correct work only: every section's bytes must be as's. */
function checkSameBytes(ours: ObjectFile, asObject: string, what: string): void {
  const theirs = readRelocatable(new Uint8Array(readFileSync(asObject)), asObject)
  if (!theirs.ok) throw new Error(theirs.error.message)
  const bytes = (o: ObjectFile) => o.sections.filter((s) => s.data.length).map((s) => `${s.name}:${Buffer.from(s.data).toString('hex')}`).join(' ')
  if (bytes(ours) !== bytes(theirs.value)) throw new Error(`${what}: our section bytes differ from as's`)
}

export default async function (): Promise<BenchResult[]> {
  const tools = haveTool('as') && haveTool('ld') && haveTool('gcc') && haveTool('cpp')
  if (!tools) return [{ name: 'GNU as x86 (needs binutils, gcc-multilib and cpp)', value: 0, unit: 'skipped' }]
  const { assembleGasX86 } = await importShipped<GasX86>('src/main/toolchain/asm/gas-x86/index.ts')
  const { build } = await importShipped<Build>('src/main/toolchain/build.ts')
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-gas-x86-bench-'))
  try {
    // Seed 000: the C object is built once by gcc (a user's input, like a Rust staticlib).
    execFileSync('gcc', ['-m32', '-ffreestanding', '-nostdlib', '-O2', '-fno-pic', '-fno-asynchronous-unwind-tables', '-c', join(SEED_DIR, 'kernel.c'), '-o', join(dir, 'kernel.o')])
    const bootS = readFileSync(join(SEED_DIR, 'boot.S'), 'utf8')
    const script = readFileSync(join(SEED_DIR, 'script.ld'), 'utf8')
    const kernelO = new Uint8Array(readFileSync(join(dir, 'kernel.o')))
    execFileSync('cpp', ['-P', '-undef', '-x', 'assembler-with-cpp', join(SEED_DIR, 'boot.S'), '-o', join(dir, 'boot.s')])
    execFileSync('as', ['--32', join(dir, 'boot.s'), '-o', join(dir, 'boot.o')])
    const seedObject = assembleGasX86(bootS, { file: 'boot.S', elf: 32 }).object
    if (!seedObject) throw new Error('seed 000 boot.S failed')
    checkSameBytes(seedObject, join(dir, 'boot.o'), 'seed 000 boot.S')
    const seedBuildWith = (b: Build['build']) => () => {
      const r = b({ files: [{ path: 'boot.S', text: bootS }, { path: 'script.ld', text: script }], script: 'script.ld', arch: 'i386', objects: [{ path: 'kernel.o', bytes: kernelO }] })
      if (!r.elf) throw new Error(`seed 000 build failed: ${r.diagnostics[0]?.message}`)
    }
    const seedBuild = seedBuildWith(build)
    const seedBuildDev = seedBuildWith(devBuild.build)
    const q = (f: string) => `'${join(dir, f).replaceAll("'", "'\\''")}'`
    const gnuSeedLine = `as --32 ${q('boot.s')} -o ${q('boot.o')} && ld -m elf_i386 -T '${join(SEED_DIR, 'script.ld')}' ${q('boot.o')} ${q('kernel.o')} -o ${q('kernel.elf')}`
    const gnuSeed = () => {
      execFileSync('as', ['--32', join(dir, 'boot.s'), '-o', join(dir, 'boot.o')])
      execFileSync('ld', ['-m', 'elf_i386', '-T', join(SEED_DIR, 'script.ld'), join(dir, 'boot.o'), join(dir, 'kernel.o'), '-o', join(dir, 'kernel.elf')], { stdio: 'ignore' })
    }
    for (let i = 0; i < 20; i++) seedBuild()
    const seed = await medianTimes(50, seedBuild)
    for (let i = 0; i < 20; i++) seedBuildDev()
    const seedDev = await medianTimes(50, seedBuildDev)
    const gnuSeedMs = await medianMillis(10, gnuSeed)
    const gnuSeedCpu = peerCpuMillis(gnuSeedLine, 10)

    const large = generateGas(LARGE_LINES)
    writeFileSync(join(dir, 'large.s'), large)
    const assembleLarge = (): ObjectFile => {
      const r = assembleGasX86(large, { file: 'large.s', elf: 64 })
      if (!r.object) throw new Error(`generated program failed: ${r.diagnostics[0]?.message}`)
      return r.object
    }
    execFileSync('as', ['--64', join(dir, 'large.s'), '-o', join(dir, 'large.o')])
    const first = timeOnce(assembleLarge)
    checkSameBytes(first.result, join(dir, 'large.o'), 'the generated program')
    const big = await warmTimes(LARGE_WARMUPS, 7, assembleLarge)
    const asLine = `as --64 ${q('large.s')} -o ${q('large.o')}`
    const asLarge = await medianMillis(3, () => execFileSync('as', ['--64', join(dir, 'large.s'), '-o', join(dir, 'large.o')]))
    const asLargeCpu = peerCpuMillis(asLine, 3)
    const seedGoal = '≤ 10 ms'
    const asGoal = '≥ 2× faster than as'
    return [
      { name: 'bootscope build of seed 000 (GAS stub + gcc -m32 object, warm, in process, as shipped), wall', value: seed.wallMs, unit: 'ms', peer: { name: 'as --32 + ld -m elf_i386', value: gnuSeedMs }, goal: seedGoal, met: seed.wallMs <= 10 },
      { name: 'the same, CPU time', value: seed.cpuMs, unit: 'ms CPU', peer: { name: 'as --32 + ld -m elf_i386', value: gnuSeedCpu }, goal: seedGoal, met: seed.cpuMs <= 10 },
      { name: 'the same through tsx (npm run bench\'s transform: not what ships), wall', value: seedDev.wallMs, unit: 'ms' },
      { name: `assemble a ${LARGE_LINES}-line AT&T x86-64 program (warm, as shipped), wall`, value: big.wallMs, unit: 'ms', peer: { name: 'as --64', value: asLarge }, goal: asGoal, met: big.wallMs * 2 <= asLarge },
      { name: 'the same, CPU time', value: big.cpuMs, unit: 'ms CPU', peer: { name: 'as --64', value: asLargeCpu }, goal: asGoal, met: big.cpuMs * 2 <= asLargeCpu },
      { name: 'the same, the first call on it (cold: our code not yet optimised by V8), CPU time', value: first.cpuMs, unit: 'ms CPU', peer: { name: 'as --64', value: asLargeCpu } },
      { name: 'GNU as x86 front end throughput', value: LARGE_LINES / (big.wallMs / 1000) / 1e6, unit: 'M lines/s' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
