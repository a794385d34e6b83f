/**
 * Differential instruction tests: instruction sequences generated from the x86 table (every
 * general-purpose row the generator covers, random operands, registers, flags and memory) run as
 * a Multiboot kernel in QEMU (`qemu-system-x86_64 -kernel`) and on our hart, in a 16-bit code
 * segment, in 32-bit protected mode and in 64-bit long mode; the register, flag and memory dumps
 * after every instruction must be equal, apart from the flags the SDM leaves undefined.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { oracle } from '../../../../support/oracles'
import { diffKernels, sseKernels, parseDumps, type DumpRecord } from './diff-kernel'
import type { DiffCase, DiffMode } from './diff-gen'
import { runKernel, runInQemu } from './mb1-harness'
import { ensureX86Wasm } from './x86-run'

const qemu = oracle('qemu-system-x86_64', 'qemu-system-x86')
const nasm = oracle('nasm', 'nasm')
/** QEMU's qemu64 model plus the features our CPUID advertises and the generator uses (lzcnt, popcnt). */
const QEMU_CPU = 'qemu64,+abm,+popcnt'
const REGS: Record<number, string[]> = {
  4: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
  8: ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'],
}

/** The differences between QEMU's dump and ours after one case, as readable lines. */
function differences(c: DiffCase, q: DumpRecord, o: DumpRecord, width: number): string[] {
  const out: string[] = []
  q.regs.forEach((v, i) => { if (v !== o.regs[i]) out.push(`${REGS[width][i]}: QEMU 0x${v.toString(16)}, ours 0x${o.regs[i].toString(16)}`) })
  const keep = ~BigInt(c.flagMask)
  if ((q.flags & keep) !== (o.flags & keep)) out.push(`flags: QEMU 0x${q.flags.toString(16)}, ours 0x${o.flags.toString(16)} (undefined ignored: 0x${c.flagMask.toString(16)})`)
  if (Buffer.compare(Buffer.from(q.scratch), Buffer.from(o.scratch)) !== 0) out.push(`memory: QEMU ${Buffer.from(q.scratch).toString('hex')}, ours ${Buffer.from(o.scratch).toString('hex')}`)
  for (let x = 0; x < q.xmm.length / 16; x++) {
    const a = Buffer.from(q.xmm.subarray(x * 16, x * 16 + 16)).toString('hex')
    const b = Buffer.from(o.xmm.subarray(x * 16, x * 16 + 16)).toString('hex')
    if (a !== b) out.push(`xmm${x}: QEMU ${a}, ours ${b}`)
  }
  return out
}

describe.skipIf(qemu.missing || nasm.missing)('generated instruction sequences agree with QEMU', () => {
  beforeAll(() => ensureX86Wasm())

  const modes: [DiffMode, string, number, boolean][] = [
    [16, 'a 16-bit code segment', 101, false], [32, '32-bit protected mode', 202, false], [64, '64-bit long mode', 303, false],
    [32, '32-bit protected mode (SSE/SSE2, XMM registers compared too)', 404, true], [64, '64-bit long mode (SSE/SSE2, XMM0-15 compared too)', 505, true],
  ]
  for (const [mode, name, seed, sse] of modes) {
    it(`in ${name}: registers, flags and memory after every instruction`, () => {
      let cases = 0
      const failures: string[] = []
      for (const k of sse ? sseKernels(mode, seed, 3) : diffKernels(mode, seed, 2)) {
        const q = runInQemu(k.elf, qemu.path!, 60_000, QEMU_CPU)
        const o = runKernel(k.elf, { maxSteps: 100_000_000 })
        const qd = parseDumps(q.serial, mode, sse)
        const od = parseDumps(o.serial, mode, sse)
        // Both end at the kernel's debug-exit write (value 0 → status 1), not by a timeout or a step budget.
        expect({ timedOut: q.timedOut, status: q.status }, 'QEMU reached the exit').toEqual({ timedOut: false, status: 1 })
        expect(o.exitStatus, 'the hart reached the exit').toBe(1)
        expect(qd.length, 'QEMU ran every case').toBe(k.cases.length)
        expect(od.length, 'the hart ran every case').toBe(k.cases.length)
        for (let i = 0; i < k.cases.length; i++) {
          const d = differences(k.cases[i], qd[i], od[i], mode === 64 ? 8 : 4)
          if (d.length) failures.push(`${k.cases[i].text}\n    ${d.join('\n    ')}`)
        }
        cases += k.cases.length
      }
      console.log(`x86 differential (${name}): ${cases} cases compared with QEMU, ${failures.length} differ`)
      expect(cases).toBeGreaterThan(500)
      expect(failures.slice(0, 20).join('\n')).toBe('')
    }, 600_000)
  }
})
