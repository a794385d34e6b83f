# rust_main, written in assembly: prints where it runs and what entry 2 of the boot page table
# (the identity mapping of 0x80000000) holds by the time the kernel runs in the higher half,
# then shuts the machine down.

    .section .text
    .globl rust_main
rust_main:
    lla a0, hello
    call puts
    auipc a0, 0             # the address this instruction was fetched from
    call put_hex
    li a0, 10               # '\n'
    call putchar
    lla a0, entry2
    call puts
    lla t0, boot_page_table
    ld a0, 16(t0)           # entry 2 = bytes 16..23
    call put_hex
    li a0, 10
    call putchar
    call shutdown

    .section .rodata
hello:
    .asciz "Hello from rust_main, running at "
entry2:
    .asciz "boot_page_table[2] = "
