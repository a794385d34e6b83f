# The boot code of a higher-half kernel (seed 004), with one entry missing.
# The firmware enters _start in S-mode at the physical address 0x80200000 with satp = Bare.
# _start points satp at boot_page_table, turns on Sv39 and jumps to rust_main in the higher half.
#
# Someone deleted the identity mapping (entry 2) from boot_page_table "because the kernel runs
# in the higher half anyway". Boot it and look at the timeline: what happens right after
# `csrw satp`, and why?
# TODO (step 1): put the identity mapping back so the kernel boots.
# TODO (step 2): once running in the higher half (at high_start), remove it again correctly:
#                clear entry 2 and flush the TLB with sfence.vma.

    .section .text.entry
    .globl _start
_start:
    # The physical page number of boot_page_table: its VMA minus the kernel's offset
    lui t0, %hi(boot_page_table)
    li t1, 0xffffffff00000000
    sub t0, t0, t1
    srli t0, t0, 12
    # 8 << 60 is Sv39 in satp's MODE field
    li t1, (8 << 60)
    or t0, t0, t1
    # Turn paging on and flush the TLB
    csrw satp, t0
    sfence.vma

    # Jump to high_start at its higher-half address
    lui t0, %hi(high_start)
    addi t0, t0, %lo(high_start)
    jr t0

high_start:
    # From here on the PC is in the higher half.
    lui sp, %hi(boot_stack_top)
    addi sp, sp, %lo(boot_stack_top)
    call rust_main

    .section .bss.stack
    .globl boot_stack
boot_stack:
    .space 4096 * 16
    .globl boot_stack_top
boot_stack_top:

    # The boot page table: 1 GiB leaves; 0xcf = V R W X A D
    .section .data
    .align 12
    .globl boot_page_table
boot_page_table:
    .quad 0
    .quad 0
    .quad 0                 # entry 2: 0x8000_0000 -> 0x8000_0000 (the identity mapping), deleted
    .zero 507 * 8
    # Entry 510: 0xffff_ffff_8000_0000 -> 0x8000_0000
    .quad (0x80000 << 10) | 0xcf
    .quad 0
