# SBI console helpers shared by the kernel's code: putchar, puts, put_hex and shutdown.
# They call the firmware through `ecall` (SBI: a7 = extension id, arguments in a0..a5), so they
# need no device mapping and work before and after paging is turned on.

    .section .text.console
    .globl putchar, puts, put_hex, shutdown

# putchar(a0 = character): legacy SBI console_putchar (extension 0x01).
putchar:
    li a7, 0x01
    ecall
    ret

# puts(a0 = address of a NUL-terminated string)
puts:
    addi sp, sp, -16
    sd ra, 8(sp)
    sd s0, 0(sp)
    mv s0, a0
1:  lbu a0, 0(s0)
    beqz a0, 2f
    call putchar
    addi s0, s0, 1
    j 1b
2:  ld ra, 8(sp)
    ld s0, 0(sp)
    addi sp, sp, 16
    ret

# put_hex(a0 = value): prints "0x" and 16 hex digits, so addresses line up.
put_hex:
    addi sp, sp, -32
    sd ra, 24(sp)
    sd s0, 16(sp)
    sd s1, 8(sp)
    mv s0, a0
    li a0, 48               # '0'
    call putchar
    li a0, 120              # 'x'
    call putchar
    li s1, 60               # shift of the most significant nibble
1:  srl a0, s0, s1
    andi a0, a0, 0xf
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 39         # 10..15 -> 'a'..'f' ('a' - '0' - 10 = 39)
2:  addi a0, a0, 48         # + '0'
    call putchar
    addi s1, s1, -4
    bgez s1, 1b
    ld ra, 24(sp)
    ld s0, 16(sp)
    ld s1, 8(sp)
    addi sp, sp, 32
    ret

# shutdown(): SBI SRST system_reset(type 0 = shutdown, reason 0 = none). Does not return.
shutdown:
    li a7, 0x53525354
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
1:  wfi
    j 1b
