/**
 * Compute kernels shared by the hart benchmark and the QEMU differential test: bare-metal
 * programs that start at 0x8000_0000 in M-mode, compute a checksum, store it at `result`, then
 * either halt with `ebreak` (our hart, haltOnEbreak) or write to QEMU virt's test finisher
 * (sifive_test at 0x100000) so QEMU exits: FINISHER_PASS (0x5555) when `exitViaFinisher` is set.
 */

/**
 * The mixed loop's body (about 20 instructions an iteration): the LCG in s1 (multiplier s2) picks
 * an aligned slot of the 16 KiB buffer at s3 (a 2 KiB window of 8-byte slots), loads, xors and
 * stores it, folds it into the checksum s4 with a rotate and a data-dependent branch, decrements
 * `counter` and branches to `back` while it is not zero. Uses t0–t6 and the local labels 2 and 3.
 */
export function mixedLoop(o: { increment: string; counter: string; back: string }): string {
  return `  mul s1, s1, s2
  addi s1, s1, ${o.increment}
  srli t0, s1, 33
  andi t1, t0, 0x7f8          # aligned offset into buf (2 KiB window of 8-byte slots)
  add t1, t1, s3
  ld t2, 0(t1)
  xor t2, t2, s1
  sd t2, 0(t1)
  add s4, s4, t2
  slli t3, s4, 7
  srli t4, s4, 57
  or s4, t3, t4
  andi t5, t0, 3
  beqz t5, 2f
  addi s4, s4, 3
  j 3f
2:
  sub s4, s4, t0
3:
  lw t6, 4(t1)
  addw s4, s4, t6
  addi ${o.counter}, ${o.counter}, -1
  bnez ${o.counter}, ${o.back}`
}

/**
 * A mixed integer kernel: an LCG drives loads/stores over a 16 KiB buffer, with multiplies,
 * shifts, xors, compressed and uncompressed ALU ops and data-dependent branches. `iterations`
 * loops of ~20 instructions each (at least 1).
 */
export function computeKernel(iterations: number, exitViaFinisher: boolean): string {
  return `
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  li s0, ${iterations}
  li s1, 0x2545F4914F6CDD1D   # LCG state
  li s2, 0x5851F42D4C957F2D   # multiplier
  la s3, buf
  li s4, 0                    # checksum
1:
${mixedLoop({ increment: '1442695040888963407 & 0x7ff', counter: 's0', back: '1b' })}
  la t0, result
  sd s4, 0(t0)
${exitViaFinisher ? `
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
4: j 4b` : '  ebreak'}
  .data
  .align 12
buf: .space 16384
result: .dword 0
  .space 4096
stack_top:
`
}

/** The end of a bench kernel: `ebreak` (our hart, haltOnEbreak) or the virt test finisher (QEMU, the machine). */
function kernelExit(exitViaFinisher: boolean): string {
  return exitViaFinisher ? `
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
9: j 9b` : '  ebreak'
}

/** A pure ALU loop: 6 dependent register ops per iteration (issue 17's "ALU loop"), no memory. */
export function aluKernel(iterations: number, exitViaFinisher: boolean): string {
  return `
  .section .text.init
  .globl _start
_start:
  li s0, ${iterations}
  li a0, 1
  li a1, 3
1:
  add a0, a0, a1
  xor a1, a1, a0
  slli a2, a0, 3
  sub a0, a0, a2
  addi s0, s0, -1
  bnez s0, 1b
${kernelExit(exitViaFinisher)}
`
}

/**
 * A memory loop: `passes` read-modify-write sweeps over `bytes` of RAM (ld, xor, sd, addi, bne per
 * dword). With `sv39`, M-mode maps RAM with an identity Sv39 gigapage and runs the loop in S-mode.
 */
export function memoryKernel(bytes: number, passes: number, sv39: boolean, exitViaFinisher: boolean): string {
  const loop = `
  li s0, ${passes}
  la s1, buf
  li t0, ${bytes}
  add s2, s1, t0
2:
  mv a0, s1
1:
  ld t1, 0(a0)
  xor t1, t1, s0
  sd t1, 0(a0)
  addi a0, a0, 8
  bne a0, s2, 1b
  addi s0, s0, -1
  bnez s0, 2b`
  return `
  .section .text.init
  .globl _start
_start:
${sv39 ? `
  la t0, mtrap
  csrw mtvec, t0
  li t0, -1                                  # PMP: all memory RWX for S-mode (QEMU denies S-mode without an entry)
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  la t0, root
  li t1, (0x80000000 >> 12) << 10 | 0xcf
  sd t1, 16(t0)
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  la t0, s_mode
  csrw mepc, t0
  li t0, 1 << 11
  csrs mstatus, t0
  mret
s_mode:${loop}
  ecall
  .align 2
mtrap:` : loop}
${kernelExit(exitViaFinisher)}
  .data
  .align 12
root: .space 4096
buf: .space ${bytes}
`
}
