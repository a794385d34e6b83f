# rust_main, written in assembly: prints where it runs (its own program counter, read with
# `auipc`) and shuts the machine down. Linked and jumped to correctly, that address is in the
# higher half (0xffffffff8020....); run from the physical load address, it is 0x8020....

    .section .text
    .globl rust_main
rust_main:
    lla a0, hello
    call puts
    auipc a0, 0             # the address this instruction was fetched from
    call put_hex
    li a0, 10               # '\n'
    call putchar
    call shutdown

    .section .rodata
hello:
    .asciz "Hello from rust_main, running at "
