/**
 * A long-running kernel of our own for billion-step recordings (issue 11 item 9: the checkpoint
 * bench and the late-step replay tests), built with our toolchain. M-mode at 0x8000_0000, no
 * firmware. It behaves as a busy kernel does, so its recording has what real ones have:
 * - it fills `REGION_MIB` MiB with an LCG's output (pages nobody can deduplicate);
 * - then `rounds` rounds of: a compute loop over a 16 KiB buffer (loads, stores, multiplies,
 *   branches; `INNER` iterations), one 8-byte store at a pseudo-random place of the region (so
 *   every checkpoint interval writes a few scattered pages), and every `PRINT_EVERY` rounds a
 *   line `round N` on the UART;
 * - a machine-timer interrupt every `TICK` mtime ticks counts itself in `ticks` (trap events);
 * - at the end it writes the checksum to `result` and stops through the test finisher (shutdown).
 * Steps: about `STEPS_PER_ROUND` per round plus the fill (`fillSteps`).
 */
import { build } from '../../src/main/toolchain/build'
import { formatDiagnostic } from '../../src/shared/api/result'
import { DEFAULT_SCRIPT } from './build-program'
import { mixedLoop } from '../../bench/hart-kernels'

export const REGION_MIB = 24
const REGION_BASE = 0x8100_0000
const INNER = 4096
const PRINT_EVERY = 1024
const TICK = 10_000
/** Steps per round, near enough to size a run (measured: the compute loop averages 19.75 instructions). */
export const STEPS_PER_ROUND = 80_927
/** Steps of the fill before the first round (5 instructions per 8 bytes). */
export const fillSteps = (REGION_MIB * 2 ** 20 / 8) * 5


function source(rounds: number): string {
  return `
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  la t0, trap
  csrw mtvec, t0
  # The region: an LCG's output, 8 bytes at a time.
  li s1, 0x2545F4914F6CDD1D
  li s2, 0x5851F42D4C957F2D
  li s5, ${REGION_BASE}
  li t1, ${REGION_MIB * 2 ** 20}
  add t1, t1, s5
  mv t0, s5
1:
  mul s1, s1, s2
  addi s1, s1, 1
  sd s1, 0(t0)
  addi t0, t0, 8
  bltu t0, t1, 1b
  # The timer: the first tick, then interrupts on.
  li t0, 0x200bff8
  ld t1, 0(t0)
  li t2, ${TICK}
  add t1, t1, t2
  li t0, 0x2004000
  sd t1, 0(t0)
  li t0, 0x80
  csrs mie, t0
  csrsi mstatus, 8
  li s0, ${rounds}
  la s3, buf
  li s4, 0
  li s9, 0                    # rounds done
round:
  li s8, ${INNER}
inner:
${mixedLoop({ increment: '1', counter: 's8', back: 'inner' })}
  # One store somewhere in the region.
  srli t0, s1, 17
  li t1, ${REGION_MIB * 2 ** 20 - 8}
  and t0, t0, t1
  andi t0, t0, -8
  add t0, t0, s5
  sd s4, 0(t0)
  addi s9, s9, 1
  andi t0, s9, ${PRINT_EVERY - 1}
  bnez t0, 4f
  mv a0, s9
  call print_round
4:
  addi s0, s0, -1
  bnez s0, round
  la t0, result
  sd s4, 0(t0)
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
5: j 5b

# "round N\\n" on the UART (N in decimal, from a0).
print_round:
  la t0, words
  li t1, 0x10000000
6:
  lbu t2, 0(t0)
  beqz t2, 7f
  sb t2, 0(t1)
  addi t0, t0, 1
  j 6b
7:
  la t3, digits_end
  li t4, 10
8:
  remu t5, a0, t4
  divu a0, a0, t4
  addi t5, t5, 48
  addi t3, t3, -1
  sb t5, 0(t3)
  bnez a0, 8b
  la t4, digits_end
9:
  lbu t2, 0(t3)
  sb t2, 0(t1)
  addi t3, t3, 1
  bltu t3, t4, 9b
  li t2, 10
  sb t2, 0(t1)
  ret

  .align 2
trap:
  csrw mscratch, t0
  la t0, trap_save
  sd t1, 0(t0)
  sd t2, 8(t0)
  la t1, ticks
  ld t2, 0(t1)
  addi t2, t2, 1
  sd t2, 0(t1)
  li t1, 0x2004000
  ld t2, 0(t1)
  li t0, ${TICK}
  add t2, t2, t0
  sd t2, 0(t1)
  la t0, trap_save
  ld t1, 0(t0)
  ld t2, 8(t0)
  csrr t0, mscratch
  mret

  .data
  .align 12
buf: .space 16384
words: .asciz "round "
  .align 3
digits: .space 24
digits_end:
  .align 3
ticks: .dword 0
result: .dword 0
trap_save: .dword 0, 0
  .align 12
  .space 8192
stack_top:
`
}

/** The kernel's ELF for `rounds` rounds. */
export function longKernel(rounds: number): Uint8Array {
  const r = build({ files: [{ path: 'long.S', text: source(rounds) }, { path: 'long.ld', text: DEFAULT_SCRIPT }], script: 'long.ld' })
  if (!r.ok || !r.elf) throw new Error(`our toolchain failed:\n${r.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`)
  return r.elf
}

/** Rounds for about `steps` steps. */
export function roundsFor(steps: number): number {
  return Math.max(1, Math.ceil((steps - fillSteps) / STEPS_PER_ROUND))
}
