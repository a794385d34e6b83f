/**
 * The privileged differential program: CSR WARL behaviour, synchronous exceptions (cause, tval,
 * epc), delegation to S-mode, Sv39 translation with 4 KiB pages, gigapages, hardware A/D
 * updates, SUM, MXR, U-bit rules, a misaligned superpage, a non-canonical address, and the jump
 * to a higher-half alias (as in the rCore-style seed kernel). Every observation is printed over
 * the UART so QEMU and our hart can be compared line by line.
 */
export function privProgram(uartAsm: string): string {
  const p = '  call print_hex\n'
  const nl = '  li a0, 10\n  call print_char\n'
  const probe = (csr: string, value: string) => `  li t0, ${value}\n  csrw ${csr}, t0\n  csrr a0, ${csr}\n${p}`
  return `
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  la t0, mtrap
  csrw mtvec, t0
  csrr a0, misa
  andi a0, a0, ~(1 << 7)                # QEMU's default CPU also has H; compare the rest
${p}
  csrw mie, zero
  csrw mip, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrr a0, mstatus
${p}
  li t0, 0x6000
  csrs mstatus, t0
  csrr a0, mstatus
${p}  csrr a0, sstatus
${p}${probe('satp', '0x1000000000000005')}${probe('satp', '0x8fffe00000012345')}${probe('satp', '0x9000000000000001')}
  csrw satp, zero
${probe('mtvec', '0x80000003')}${probe('stvec', '0x80000101')}${probe('mepc', '-2')}${probe('sepc', '0x1234')}
${probe('mcounteren', '5')}${probe('scounteren', '2')}
${probe('mscratch', '-1')}${probe('mcause', '-1')}${probe('stval', '-1')}
  la t0, mtrap
  csrw mtvec, t0
${probe('mstatus', '0x1800')}${probe('mstatus', '0x0800')}${probe('fcsr', '-1')}${probe('frm', '7')}${probe('fflags', '0x3f')}
  csrr a0, mhartid
${p}  csrr a0, mvendorid
${p}${nl}
  .option push
  .option norvc
  # Synchronous exceptions in M-mode (the handler prints mcause, mtval, mepc and skips 4 bytes).
  .word 0
  .word 0xffffffff
  csrr a0, 0x7c0
  csrw mvendorid, zero
  ecall
  ebreak
  la t0, scratch
  mv t1, t0
  li a1, 0x11
  amoadd.w a0, a1, (t1)
  addi t1, t0, 2
  amoadd.w a0, a1, (t1)
  lr.d a0, (t1)
  sc.d a0, a1, (t1)
  ld a0, 3(t0)
${p}${nl}
  # Pointer PTEs need link-time addresses: built here, identically on both machines.
  la t0, pt_l1
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 1
  la t1, pt_root
  sd t0, 24(t1)
  la t0, pt_l0
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 1
  la t1, pt_l1
  sd t0, 0(t1)
  li t0, ((0x80000000 >> 12) + 1) << 10 | 0xcf   # a megapage leaf whose ppn is not 2 MiB aligned
  sd t0, 8(t1)
  la t1, pt_l0
  la t0, page0
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 0x03                      # V R (no A/D yet)
  sd t0, 0(t1)
  la t0, page1
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 0x17                      # V R W U
  sd t0, 8(t1)
  la t0, page2
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 0x09                      # V X (execute-only)
  sd t0, 16(t1)
  # One NAPOT PMP entry covering everything, RWX: like firmware does before entering S-mode
  # (QEMU 7.2 refuses mret to S/U while no PMP rule exists).
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  csrr a0, pmpcfg0
${p}${nl}
  # Into S-mode with Sv39; page faults 13 are delegated to S, the rest stay in M.
  la t0, strap
  csrw stvec, t0
  li t0, 1 << 13
  csrw medeleg, t0
  la t0, pt_root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, 1 << 11
  csrs mstatus, t0
  la t0, smode
  csrw mepc, t0
  mret

smode:
  li s1, 0xC0000000
  li s3, 0xC0001000
  li s4, 0xC0002000
  li s5, 0xC0003000
  ld a0, 0(s1)
${p}  sd a0, 0(s1)
  ld a0, 0(s3)
  li t0, 1 << 18
  csrs sstatus, t0
  ld a0, 0(s3)
${p}  sd a0, 0(s3)
  csrc sstatus, t0
  ld a0, 0(s4)
  li t0, 1 << 19
  csrs sstatus, t0
  ld a0, 0(s4)
${p}  csrc sstatus, t0
  ld a0, 0(s5)
  li s2, 0xC0200000
  ld a0, 0(s2)
  li s2, 0x0000008000000000
  ld a0, 0(s2)
  li s2, 0xffffff8000000000 - 0x1000
  ld a0, 0(s2)
  jalr ra, 0(s1)                       # fetch from a non-executable page: the M handler returns to ra
  # The higher half: run at 0xffffffff8xxxxxxx, the alias of this code.
  la t0, higher
  li t1, 0xffffffff00000000
  add t0, t0, t1
  jr t0
higher:
  auipc a0, 0
${p}  la t0, back
  jr t0
back:
  csrr a0, sstatus
${p}  ecall
  .option pop

mtrap:
  addi sp, sp, -64
  sd t0, 0(sp)
  sd t1, 8(sp)
  sd t2, 16(sp)
  sd t3, 24(sp)
  sd t4, 32(sp)
  mv s10, a0
  mv s11, ra
  li a0, 'M'
  call print_char
  csrr a0, mcause
${p}  csrr a0, mtval
${p}  csrr a0, mepc
${p}  csrr a0, mstatus
${p}${nl}
  csrr t0, mcause
  li t1, 9
  beq t0, t1, from_s_ecall
  li t1, 12
  bne t0, t1, 1f
  csrw mepc, s11
  mv a0, s10
  mv ra, s11
  ld t0, 0(sp)
  ld t1, 8(sp)
  ld t2, 16(sp)
  ld t3, 24(sp)
  ld t4, 32(sp)
  addi sp, sp, 64
  mret
1:
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mv a0, s10
  mv ra, s11
  ld t0, 0(sp)
  ld t1, 8(sp)
  ld t2, 16(sp)
  ld t3, 24(sp)
  ld t4, 32(sp)
  addi sp, sp, 64
  mret

strap:
  addi sp, sp, -64
  sd t0, 0(sp)
  sd t1, 8(sp)
  sd t2, 16(sp)
  sd t3, 24(sp)
  sd t4, 32(sp)
  mv s10, a0
  mv s11, ra
  li a0, 'S'
  call print_char
  csrr a0, scause
${p}  csrr a0, stval
${p}  csrr a0, sepc
${p}  csrr a0, sstatus
${p}${nl}
  csrr t0, sepc
  addi t0, t0, 4
  csrw sepc, t0
  mv a0, s10
  mv ra, s11
  ld t0, 0(sp)
  ld t1, 8(sp)
  ld t2, 16(sp)
  ld t3, 24(sp)
  ld t4, 32(sp)
  addi sp, sp, 64
  sret

from_s_ecall:
  # Back in M: show what the hardware did to the PTEs (A and D bits).
  la s6, pt_l0
  ld a0, 0(s6)
${p}  ld a0, 8(s6)
${p}  ld a0, 16(s6)
${p}  la s6, pt_root
  ld a0, 16(s6)
${p}${nl}
  j finish
${uartAsm}

  .data
  .align 12
pt_root:
  .dword (0x00000000 >> 2) | 0xcf       # VPN2 0: gigapage 0..1 GiB (UART), V R W X A D
  .dword 0
  .dword (0x80000000 >> 2) | 0x0f       # VPN2 2: identity gigapage for RAM, A/D clear (hardware sets them)
  .dword 0                              # VPN2 3: pointer to pt_l1, written at run time
  .fill 506, 8, 0
  .dword (0x80000000 >> 2) | 0xcf       # VPN2 510: the higher half alias
  .dword 0
  .align 12
pt_l1:
  .fill 512, 8, 0
  .align 12
pt_l0:
  .fill 512, 8, 0
  .align 12
page0: .dword 0x1111111111111111
  .align 12
page1: .dword 0x2222222222222222
  .align 12
page2: .dword 0x3333333333333333
  .align 12
scratch: .dword 0x0123456789abcdef, 0xfedcba9876543210
  .align 4
  .space 4096
stack_top:
`
}
