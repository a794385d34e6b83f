/**
 * Guest programs written for the block compiler's equivalence tests (riscv-tests-like: each
 * exercises one thing the compiler must get exactly right, ends with `ebreak`, and leaves its
 * results in registers and memory the lockstep harness compares): hot loops that rewrite their own
 * code, timer interrupts arriving inside compiled loops, Sv39 loops through an alias mapping with
 * page faults in the middle of compiled blocks, loads and stores that straddle pages.
 */

/** A hot loop that rewrites one of its own instructions every 64 iterations (with fence.i when `fence`). */
export function selfModifyingProgram(iterations: number, fence: boolean): string {
  return `
  .section .text.init
  .globl _start
_start:
  li s0, ${iterations}
  li s1, 0
  la s2, patch
  la s3, cross
  .option push
  .option norvc
1:
patch:
  addi s1, s1, 1
  .option pop
  ld t3, 0(s3)                # 8 bytes across a page boundary
  add s4, s4, t3
  sd s4, 0(s3)
  addi s0, s0, -1
  andi t0, s0, 63
  bnez t0, 2f
  andi t1, s0, 0x3ff          # new immediate
  slli t1, t1, 20
  li t2, (9 << 15) | (9 << 7) | 0x13   # addi s1, s1, imm
  or t1, t1, t2
  sw t1, 0(s2)
  ${fence ? 'fence.i' : 'nop'}
2:
  bnez s0, 1b
  ebreak
  .data
  .align 12
  .space 4092
cross: .dword 0x1122334455667788
  .space 4096
`
}

/** A hot ALU loop interrupted by the machine timer every `period` ticks (the handler re-arms it and counts). */
export function timerInterruptProgram(iterations: number, period: number): string {
  return `
  .section .text.init
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  call arm
  li t0, 0x80                 # MTIE
  csrw mie, t0
  csrsi mstatus, 8            # MIE
  li s0, ${iterations}
1:
  addi s1, s1, 3
  xor s2, s2, s1
  slli s3, s2, 5
  add s2, s2, s3
  addi s0, s0, -1
  bnez s0, 1b
  csrci mstatus, 8
  ebreak
arm:
  li t5, 0x200bff8
  ld t6, 0(t5)
  addi t6, t6, ${period}
  li t5, 0x2004000
  sd t6, 0(t5)
  ret
  .align 2
mtrap:
  csrw mscratch, ra
  addi s5, s5, 1
  csrr t5, mepc
  xor s6, s6, t5              # where each interrupt landed
  csrr t5, mcause
  add s7, s7, t5
  call arm
  csrr ra, mscratch
  mret
`
}

/**
 * M-mode builds an Sv39 table (identity gigapage for RAM, and an alias gigapage at VA 0x4000_0000),
 * then runs a loop in S-mode that loads and stores through the alias and, every 1024 iterations,
 * touches an unmapped address: the load page fault (cause 13) lands in the middle of a compiled
 * block; the M-mode handler skips the load. The S-mode ecall at the end stops the program.
 */
export function sv39LoopProgram(iterations: number): string {
  return `
  .section .text.init
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, root
  li t1, (0x80000000 >> 12) << 10 | 0xcf     # V R W X A D
  sd t1, 16(t0)                               # VPN[2] = 2: identity
  sd t1, 8(t0)                                # VPN[2] = 1: alias at 0x4000_0000
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  la t0, s_entry
  csrw mepc, t0
  li t0, 1 << 11                              # MPP = S
  csrs mstatus, t0
  mret
s_entry:
  li s0, ${iterations}
  la s3, buf
  li t0, 0x40000000
  sub s3, s3, t0                              # buf through the alias
  mv s6, s3
1:
  ld t2, 0(s3)
  add s4, s4, t2
  addi s4, s4, 7
  sd s4, 8(s3)
  andi t0, s0, 1023
  bnez t0, 2f
  li t1, 0xc0000000
  .option push
  .option norvc
  ld t1, 0(t1)                                # load page fault, skipped by the handler
  .option pop
  addi s7, s7, 1
2:
  addi s3, s3, 16
  sub t0, s3, s6
  li t1, 0x3ff0
  and t0, t0, t1
  add s3, s6, t0
  addi s0, s0, -1
  bnez s0, 1b
  ecall
  .align 2
mtrap:
  csrr t5, mcause
  li t6, 9
  beq t5, t6, 3f
  addi s8, s8, 1
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret
3:
  ebreak
  .data
  .align 12
root: .space 4096
buf: .space 16384
`
}

/** A loop whose instruction the host rewrites (as DMA would) while it runs: `addi s1, s1, 1` at `hot`. */
export function hostPatchedProgram(iterations: number): string {
  return `
  .section .text.init
  .globl _start
_start:
  li s0, ${iterations}
  .option push
  .option norvc
1:
  .globl hot
hot:
  addi s1, s1, 1
  .option pop
  xor s2, s2, s1
  addi s0, s0, -1
  bnez s0, 1b
  ebreak
`
}

/**
 * A hot loop that calls two functions of its own page, one directly (`call`) and one through a
 * register (`jalr`), each returning with `ret`: with compiled blocks the returns land on their call
 * sites inside the same compiled function (no exit to the hart). A jump through a table of two
 * in-page targets (`jr`, no link) leaves and re-enters as before.
 */
export function callReturnProgram(iterations: number): string {
  return `
  .section .text.init
  .globl _start
_start:
  li s0, ${iterations}
1:
  mv a0, s0
  call leaf
  add s1, s1, a0
  la t0, leaf2
  jalr t0
  add s2, s2, a0
  andi t1, s0, 1
  slli t1, t1, 3
  la t2, table
  add t2, t2, t1
  ld t2, 0(t2)
  jr t2
even:
  addi s3, s3, 1
  j 2f
odd:
  addi s4, s4, 1
2:
  addi s0, s0, -1
  bnez s0, 1b
  ebreak
leaf:
  slli a0, a0, 3
  xori a0, a0, 0x55
  ret
leaf2:
  addi a0, a0, 7
  ret
  .data
  .align 3
table: .dword even, odd
`
}
