# The boot code of a higher-half kernel (seed 004): one 1 GiB page maps the whole kernel,
# so code, constants and data are all readable, writable and executable (V R W X A D).
#
# TODO (step 3): build three-level Sv39 tables at run time instead, from the linker's symbols:
#   .text (text_start..rodata_start) R X, .rodata (..data_start) R, .data and .bss
#   (..kernel_end) R W, with 4 KiB pages; keep a 1 GiB identity mapping only until the jump.

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
