# The boot code of a higher-half kernel that maps each section with its own permissions.
# The firmware enters _start in S-mode at the physical address 0x80200000 with satp = Bare.
# _start builds three-level Sv39 tables at run time from the linker's symbols (text_start,
# rodata_start, data_start, kernel_end), with 4 KiB pages:
#   .text R X, .rodata R, .data and .bss R W     (never W and X together)
# plus a 1 GiB identity mapping of 0x80000000 that lives only until the jump to the higher half.
# The kernel must fit in the 2 MiB that one level-0 table covers (0xffffffff80200000..803fffff).

    .equ KERNEL_MAP_OFFSET, 0xffffffff00000000   # VMA - LMA of every kernel byte
    .equ PTE_V, 1 << 0
    .equ PTE_R, 1 << 1
    .equ PTE_W, 1 << 2
    .equ PTE_X, 1 << 3
    .equ PTE_A, 1 << 6
    .equ PTE_D, 1 << 7
    .equ PAGE_SIZE_BYTES, 4096

    .section .text.entry
    .globl _start
_start:
    # Paging is off, so `lla` (PC-relative) yields physical addresses here.
    lla s0, root_table
    lla s1, level1_table
    lla s2, level0_table

    # Clear the three tables (root, level 1, level 0: contiguous, one page each).
    mv t0, s0
    li t1, 3 * PAGE_SIZE_BYTES
    add t1, t0, t1
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b

    # root[2]: 1 GiB identity leaf 0x80000000 -> 0x80000000, for the instructions between
    # `csrw satp` and the jump high.
    li t0, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    sd t0, 2 * 8(s0)

    # root[VPN[2] of the kernel] -> level1_table (a pointer: V only)
    lui a0, %hi(text_start)
    addi a0, a0, %lo(text_start)
    srli t0, s1, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    srli t1, a0, 30
    andi t1, t1, 0x1ff
    slli t1, t1, 3
    add t1, s0, t1
    sd t0, 0(t1)

    # level1[VPN[1] of the kernel] -> level0_table
    srli t0, s2, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    srli t1, a0, 21
    andi t1, t1, 0x1ff
    slli t1, t1, 3
    add t1, s1, t1
    sd t0, 0(t1)

    # .text: R X
    lui a1, %hi(rodata_start)
    addi a1, a1, %lo(rodata_start)
    li a2, PTE_R | PTE_X
    call map_pages
    # .rodata: R
    mv a0, a1
    lui a1, %hi(data_start)
    addi a1, a1, %lo(data_start)
    li a2, PTE_R
    call map_pages
    # .data and .bss (stack and page tables included): R W
    mv a0, a1
    lui a1, %hi(kernel_end)
    addi a1, a1, %lo(kernel_end)
    li a2, PTE_R | PTE_W
    call map_pages

    # satp = Sv39 (MODE 8) | PPN of root_table
    srli t0, s0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma

    # Jump to high_start at its higher-half address
    lui t0, %hi(high_start)
    addi t0, t0, %lo(high_start)
    jr t0

high_start:
    # Running in the higher half: remove the identity leaf (it would map the kernel's code
    # writable a second time) and flush it from the TLB.
    lui t0, %hi(root_table)
    addi t0, t0, %lo(root_table)
    sd zero, 2 * 8(t0)
    sfence.vma

    lui sp, %hi(boot_stack_top)
    addi sp, sp, %lo(boot_stack_top)
    call rust_main

# map_pages(a0 = first VA, a1 = end VA (exclusive), a2 = permission bits): fills level0_table
# (physical address in s2) with 4 KiB leaves VA -> VA - KERNEL_MAP_OFFSET. Clobbers t0..t3.
map_pages:
    mv t0, a0
    li t3, KERNEL_MAP_OFFSET
1:  bgeu t0, a1, 2f
    sub t1, t0, t3          # physical address
    srli t1, t1, 12
    slli t1, t1, 10
    or t1, t1, a2
    ori t1, t1, PTE_V | PTE_A | PTE_D
    srli t2, t0, 12         # VPN[0] selects the entry
    andi t2, t2, 0x1ff
    slli t2, t2, 3
    add t2, s2, t2
    sd t1, 0(t2)
    li t2, PAGE_SIZE_BYTES
    add t0, t0, t2
    j 1b
2:  ret

    .section .bss.stack
    .globl boot_stack
boot_stack:
    .space 4096 * 16
    .globl boot_stack_top
boot_stack_top:

    # The page tables, one 4 KiB page each, filled by _start.
    .section .bss.pagetables
    .align 12
    .globl root_table, level1_table, level0_table
root_table:
    .space PAGE_SIZE_BYTES
level1_table:
    .space PAGE_SIZE_BYTES
level0_table:
    .space PAGE_SIZE_BYTES
