# rust_main(a0 = hart id, a1 = device-tree physical address), written in assembly: asks
# memory.S for the RAM region described by the device tree, prints it, starts the frame
# allocator on the free memory after the kernel and prints the first frames it hands out.

    .equ KERNEL_MAP_OFFSET, 0xffffffff00000000   # VA - PA of every kernel byte
    .equ FRAMES_SHOWN, 3

    .section .text
    .globl rust_main
rust_main:
    mv s1, a1
    lla a0, s_fdt
    call puts
    mv a0, s1
    call put_hex
    li a0, 10               # '\n'
    call putchar

    mv a0, s1
    call fdt_memory_region  # a0 = base, a1 = size (both 0 when not found)
    mv s2, a0
    add s3, a0, a1
    lla a0, s_memory
    call puts
    mv a0, s2
    call put_hex
    lla a0, s_dots
    call puts
    mv a0, s3
    call put_hex
    li a0, 10
    call putchar

    lla a0, s_kernel_end
    call puts
    lui t0, %hi(kernel_end)
    addi t0, t0, %lo(kernel_end)
    li t1, KERNEL_MAP_OFFSET
    sub a0, t0, t1
    call put_hex
    li a0, 10
    call putchar

    mv a0, s2
    mv a1, s3
    call frame_init
    li s4, 0
1:  lla a0, s_frame
    call puts
    addi a0, s4, 48         # '0' + i
    call putchar
    lla a0, s_colon
    call puts
    call frame_alloc
    call put_hex
    li a0, 10
    call putchar
    addi s4, s4, 1
    li t0, FRAMES_SHOWN
    blt s4, t0, 1b
    call shutdown

    .section .rodata
s_fdt:
    .asciz "device tree at "
s_memory:
    .asciz "memory: "
s_dots:
    .asciz " .. "
s_kernel_end:
    .asciz "kernel_end (physical): "
s_frame:
    .asciz "frame "
s_colon:
    .asciz ": "
