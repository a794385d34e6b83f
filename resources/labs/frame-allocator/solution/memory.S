# The kernel's view of physical memory: where RAM is, read from the device tree (FDT) the
# firmware passes in a1, and a bump frame allocator that hands out free 4 KiB frames after
# kernel_end. The FDT format is the Devicetree Specification's "Flattened Devicetree (DTB)
# Format": a big-endian header, then a structure block of 32-bit tokens.

    .equ KERNEL_MAP_OFFSET, 0xffffffff00000000   # VA - PA: RAM is reachable at PA + this
    .equ FDT_MAGIC, 0xd00dfeed
    .equ FDT_BEGIN_NODE, 1
    .equ FDT_END_NODE, 2
    .equ FDT_PROP, 3
    .equ FDT_NOP, 4
    .equ PAGE_SIZE_BYTES, 4096

    .section .text
    .globl fdt_memory_region, frame_init, frame_alloc

# be32(a0 = address) -> a0 = the big-endian 32-bit word there (RISC-V is little-endian).
be32:
    lbu t0, 0(a0)
    lbu t1, 1(a0)
    lbu t2, 2(a0)
    lbu t3, 3(a0)
    slli t0, t0, 24
    slli t1, t1, 16
    slli t2, t2, 8
    or t0, t0, t1
    or t0, t0, t2
    or a0, t0, t3
    ret

# read_cells(a0 = address, a1 = number of 32-bit cells, 1 or 2) -> a0 = the value
read_cells:
    addi sp, sp, -32
    sd ra, 24(sp)
    sd s0, 16(sp)
    sd s1, 8(sp)
    mv s0, a0
    mv s1, a1
    call be32
    li t0, 2
    bne s1, t0, 1f
    slli s1, a0, 32         # high cell first
    addi a0, s0, 4
    call be32
    or a0, a0, s1
1:  ld ra, 24(sp)
    ld s0, 16(sp)
    ld s1, 8(sp)
    addi sp, sp, 32
    ret

# streq(a0, a1: NUL-terminated strings) -> a0 = 1 when equal, else 0
streq:
1:  lbu t0, 0(a0)
    lbu t1, 0(a1)
    bne t0, t1, 2f
    beqz t0, 3f
    addi a0, a0, 1
    addi a1, a1, 1
    j 1b
2:  li a0, 0
    ret
3:  li a0, 1
    ret

# is_memory_node(a0 = node name) -> a0 = 1 for "memory" or "memory@<unit address>"
is_memory_node:
    lla t2, s_memory
1:  lbu t1, 0(t2)
    beqz t1, 2f
    lbu t0, 0(a0)
    bne t0, t1, 3f
    addi a0, a0, 1
    addi t2, t2, 1
    j 1b
2:  lbu t0, 0(a0)
    beqz t0, 4f
    li t1, 64               # '@'
    beq t0, t1, 4f
3:  li a0, 0
    ret
4:  li a0, 1
    ret

# fdt_memory_region(a0 = FDT physical address) -> a0 = RAM base, a1 = RAM size; 0, 0 when
# the blob is not a device tree or has no /memory node.
# s0 = token pointer, s1 = strings block, s2 = depth, s3 = inside /memory, s4 = #address-cells,
# s5 = #size-cells, s6 = property value, s7 = property name.
fdt_memory_region:
    addi sp, sp, -80
    sd ra, 72(sp)
    sd s0, 64(sp)
    sd s1, 56(sp)
    sd s2, 48(sp)
    sd s3, 40(sp)
    sd s4, 32(sp)
    sd s5, 24(sp)
    sd s6, 16(sp)
    sd s7, 8(sp)
    li t0, KERNEL_MAP_OFFSET
    add s0, a0, t0          # the blob's virtual address
    mv s6, s0
    mv a0, s0
    call be32               # magic
    li t0, FDT_MAGIC
    bne a0, t0, not_found
    addi a0, s6, 12
    call be32               # off_dt_strings
    add s1, s6, a0
    addi a0, s6, 8
    call be32               # off_dt_struct
    add s0, s6, a0
    li s2, 0
    li s3, 0
    li s4, 2                # the spec's defaults: #address-cells = 2, #size-cells = 1
    li s5, 1

next_token:
    mv a0, s0
    call be32
    addi s0, s0, 4
    li t0, FDT_BEGIN_NODE
    beq a0, t0, begin_node
    li t0, FDT_END_NODE
    beq a0, t0, end_node
    li t0, FDT_PROP
    beq a0, t0, prop
    li t0, FDT_NOP
    beq a0, t0, next_token
    j not_found             # FDT_END or garbage

begin_node:
    addi s2, s2, 1
    li t0, 2                # a child of the root
    bne s2, t0, 1f
    mv a0, s0
    call is_memory_node
    mv s3, a0
1:  lbu t0, 0(s0)           # skip the name and its NUL, then pad to 4 bytes
    addi s0, s0, 1
    bnez t0, 1b
    addi s0, s0, 3
    andi s0, s0, -4
    j next_token

end_node:
    li s3, 0
    addi s2, s2, -1
    j next_token

prop:
    mv a0, s0
    call be32
    mv s7, a0               # len, for now
    addi a0, s0, 4
    call be32
    add t0, s1, a0          # name = strings + nameoff
    addi s6, s0, 8          # value
    add s0, s6, s7          # next token: value + len, padded to 4 bytes
    addi s0, s0, 3
    andi s0, s0, -4
    mv s7, t0
    li t0, 1
    bne s2, t0, 2f
    # Root properties: the cell sizes of its children's `reg`
    mv a0, s7
    lla a1, s_address_cells
    call streq
    beqz a0, 1f
    mv a0, s6
    call be32
    mv s4, a0
    j next_token
1:  mv a0, s7
    lla a1, s_size_cells
    call streq
    beqz a0, next_token
    mv a0, s6
    call be32
    mv s5, a0
    j next_token
2:  beqz s3, next_token
    mv a0, s7
    lla a1, s_reg
    call streq
    beqz a0, next_token
    # reg = <base size>, the first pair (one RAM bank on QEMU virt)
    mv a0, s6
    mv a1, s4
    call read_cells
    mv s7, a0
    slli t0, s4, 2
    add a0, s6, t0
    mv a1, s5
    call read_cells
    mv a1, a0
    mv a0, s7
    j done

not_found:
    li a0, 0
    li a1, 0
done:
    ld ra, 72(sp)
    ld s0, 64(sp)
    ld s1, 56(sp)
    ld s2, 48(sp)
    ld s3, 40(sp)
    ld s4, 32(sp)
    ld s5, 24(sp)
    ld s6, 16(sp)
    ld s7, 8(sp)
    addi sp, sp, 80
    ret

# frame_init(a0 = RAM start, a1 = RAM end): free frames run from the first page at or after
# both kernel_end (as a physical address) and the RAM start, up to the RAM end.
frame_init:
    lui t0, %hi(kernel_end)
    addi t0, t0, %lo(kernel_end)
    li t1, KERNEL_MAP_OFFSET
    sub t0, t0, t1
    bgeu t0, a0, 1f
    mv t0, a0
1:  li t1, PAGE_SIZE_BYTES - 1
    add t0, t0, t1
    not t1, t1
    and t0, t0, t1
    lla t2, next_frame
    sd t0, 0(t2)
    lla t2, frames_end
    sd a1, 0(t2)
    ret

# frame_alloc() -> a0 = physical address of a free 4 KiB frame, or 0 when none is left.
frame_alloc:
    lla t2, next_frame
    ld a0, 0(t2)
    li t1, PAGE_SIZE_BYTES
    add t0, a0, t1
    lla t1, frames_end
    ld t1, 0(t1)
    bgtu t0, t1, 1f
    sd t0, 0(t2)
    ret
1:  li a0, 0
    ret

    .section .rodata
s_memory:
    .asciz "memory"
s_address_cells:
    .asciz "#address-cells"
s_size_cells:
    .asciz "#size-cells"
s_reg:
    .asciz "reg"

    .section .data
    .align 3
next_frame:
    .quad 0
frames_end:
    .quad 0
