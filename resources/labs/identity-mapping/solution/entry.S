# The boot code of a higher-half kernel (seed 004), with the identity mapping kept exactly as
# long as it is needed. The firmware enters _start in S-mode at the physical address 0x80200000
# with satp = Bare. _start points satp at boot_page_table, turns on Sv39 and jumps high; there
# the identity mapping is removed, because nothing runs at physical addresses any more.

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
    # Turn paging on. The next fetch (sfence.vma, at PC 0x8020....) is translated through
    # boot_page_table: only the identity mapping (entry 2) makes that address valid.
    csrw satp, t0
    sfence.vma

    # Jump to high_start at its higher-half address
    lui t0, %hi(high_start)
    addi t0, t0, %lo(high_start)
    jr t0

high_start:
    # The PC is in the higher half now: the identity mapping has done its job. Clear entry 2
    # (through its higher-half address) and flush the stale translation from the TLB.
    lui t0, %hi(boot_page_table)
    addi t0, t0, %lo(boot_page_table)
    sd zero, 16(t0)
    sfence.vma

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
    # Entry 2: 0x8000_0000 -> 0x8000_0000 (the identity mapping), removed after the jump
    .quad (0x80000 << 10) | 0xcf
    .zero 507 * 8
    # Entry 510: 0xffff_ffff_8000_0000 -> 0x8000_0000
    .quad (0x80000 << 10) | 0xcf
    .quad 0
