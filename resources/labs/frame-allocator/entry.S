# The boot code of a higher-half kernel (seed 004, as in the first lab). The firmware enters
# _start in S-mode at 0x80200000 with a0 = hart id and a1 = the physical address of the device
# tree (FDT); _start leaves a0 and a1 alone, so rust_main receives both. boot_page_table maps
# two 1 GiB pages, so all of RAM is reachable at PA + 0xffffffff00000000 (and at PA itself).

    .section .text.entry
    .globl _start
_start:
    # The physical page number of boot_page_table
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

    # The stack, at its higher-half address
    lui sp, %hi(boot_stack_top)
    addi sp, sp, %lo(boot_stack_top)
    # Jump to rust_main in the higher half
    lui t0, %hi(rust_main)
    addi t0, t0, %lo(rust_main)
    jr t0

    .section .bss.stack
    .global boot_stack
boot_stack:
    .space 4096 * 16
    .global boot_stack_top
boot_stack_top:

    # The boot page table: two 1 GiB leaves
    .section .data
    .align 12
boot_page_table:
    .quad 0
    .quad 0
    # Entry 2: 0x8000_0000 -> 0x8000_0000 (the identity mapping); 0xcf = V R W X A D
    .quad (0x80000 << 10) | 0xcf
    .zero 507 * 8
    # Entry 510: 0xffff_ffff_8000_0000 -> 0x8000_0000
    .quad (0x80000 << 10) | 0xcf
    .quad 0
