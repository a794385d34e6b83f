# rust_main, written in assembly: runs in the higher half, prints a line through the SBI
# console and shuts the machine down through SBI SRST.

    .section .text
    .globl rust_main
rust_main:
    lla s0, message
1:  lbu a0, 0(s0)
    beqz a0, 2f
    li a7, 0x01            # legacy SBI console_putchar(a0)
    ecall
    addi s0, s0, 1
    j 1b
2:  li a7, 0x53525354      # SBI SRST system_reset
    li a6, 0
    li a0, 0               # type: shutdown
    li a1, 0               # reason: none
    ecall
3:  wfi                    # not reached
    j 3b

    .section .rodata
message:
    .asciz "Hello from the higher half!\n"
