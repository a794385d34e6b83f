# The kernel's first instructions. The firmware enters _start in S-mode at the physical address
# 0x80200000, with a0 = hart id, a1 = device-tree address and satp = 0 (Bare: no translation).
#
# Today _start sets up a stack and calls rust_main without turning paging on.
# TODO (step 2): fill boot_page_table with two 1 GiB leaves (entry 2: 0x80000000 -> 0x80000000,
#                entry 510: 0xffffffff80000000 -> 0x80000000).
# TODO (step 3): write satp (MODE = 8 for Sv39, PPN = physical address of boot_page_table >> 12),
#                then sfence.vma.
# TODO (step 4): load the higher-half addresses of the stack and of rust_main with lui/addi
#                (%hi/%lo) and jump there with jr.

    .section .text.entry
    .globl _start
_start:
    lla sp, boot_stack_top
    call rust_main

    .section .bss.stack
    .globl boot_stack
boot_stack:
    .space 4096 * 16
    .globl boot_stack_top
boot_stack_top:

    # The boot page table: 512 entries of 8 bytes, aligned to 4 KiB as satp requires.
    .section .data
    .align 12
boot_page_table:
    .zero 512 * 8
