/**
 * A long-running kernel for the GDB stub's continue/reverse-continue benchmark and tests: M-mode,
 * no firmware. It writes `flag` once at the start, then loops `iterations` times incrementing
 * `counter` (7 instructions a loop); every `trapEvery` loops it takes an `ecall` into
 * `trap_entry` (which counts it in `traps`) and reads `flag`; then it exits through QEMU virt's
 * test finisher. `flag`, `counter` and `traps` each have a page of their own, so the checkpoints
 * can tell which intervals wrote which.
 */
export const DEBUG_LOOP_STEPS_PER_ITERATION = 7

export function debugLoopKernel(iterations: number, trapEvery = 4096): string {
  if ((trapEvery & (trapEvery - 1)) !== 0) throw new Error('trapEvery must be a power of two')
  return `
  .section .text.init
  .globl _start
_start:
  la t0, trap_entry
  csrw mtvec, t0
  la s2, counter
  la s3, flag
  la s5, traps
  li t1, 0x1234
  .globl flag_store
flag_store:
  sd t1, 0(s3)
  li s1, ${iterations}
  .globl loop
loop:
  ld t0, 0(s2)
  addi t0, t0, 1
  .globl counter_store
counter_store:
  sd t0, 0(s2)
  slli t1, t0, ${64 - Math.log2(trapEvery)}    # zero when the low bits of the count are
  bnez t1, 1f
  .globl ecall_site
ecall_site:
  ecall
  .globl flag_load
flag_load:
  ld t4, 0(s3)
1:
  addi s1, s1, -1
  bnez s1, loop
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
2:
  j 2b

  .balign 4
  .globl trap_entry
trap_entry:
  csrr t2, mepc
  addi t2, t2, 4
  csrw mepc, t2
  ld t3, 0(s5)
  addi t3, t3, 1
  sd t3, 0(s5)
  mret

  .data
  .balign 4096
  .globl counter
counter: .quad 0
  .balign 4096
  .globl flag
flag: .quad 0
  .balign 4096
  .globl traps
traps: .quad 0
`
}
