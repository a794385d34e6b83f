# rust_main, written in assembly: counts the boot in a .data variable (a write, which needs
# .data mapped writable), prints where it runs (its own program counter, read with `auipc`)
# and shuts the machine down.

    .section .text
    .globl rust_main
rust_main:
    lla t0, boot_count
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
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

    .section .data
    .globl boot_count
boot_count:
    .quad 0
