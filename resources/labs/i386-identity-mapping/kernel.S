/*
 * kmain, running in the higher half at 0xC01xxxxx: it prints where it runs, what the loader
 * passed and the two page-directory entries over COM1, writes two lines to the VGA text screen
 * (through the higher half too: physical 0xB8000 is at 0xC00B8000), and ends the boot by writing
 * to QEMU's isa-debug-exit port.
 *
 * kmain(magic, info) is called with cdecl: the arguments on the stack.
 */
        .set COM1, 0x3f8
        .set VGA, 0xC00B8000                    /* physical 0xB8000 through PDE 768 */
        .set DEBUG_EXIT, 0xf4

        .text
        .globl kmain
kmain:
        pushl %ebp
        movl %esp, %ebp
        pushl %ebx
        pushl %esi

        movl $msg_runs, %esi
        call puts
        movl $kmain, %eax
        call puthex
        movl $msg_high, %esi
        call puts

        movl $msg_magic, %esi
        call puts
        movl 8(%ebp), %eax                      /* magic: 0x2BADB002 from a Multiboot 1 loader */
        call puthex
        movl $msg_upper, %esi
        call puts
        movl 12(%ebp), %ebx                     /* the boot information (a higher-half address) */
        movl 8(%ebx), %eax                      /* mem_upper: KiB of RAM above 1 MiB */
        call puthex
        movl $msg_kib, %esi
        call puts

        movl $msg_pde0, %esi
        call puts
        movl boot_page_directory, %eax          /* PDE 0: 0 now, the identity mapping is gone */
        call puthex
        movl $msg_pde768, %esi
        call puts
        movl boot_page_directory + 768*4, %eax  /* PDE 768: 0x83, 4 MiB page at 0 */
        call puthex
        movl $msg_end, %esi
        call puts
        movl $kernel_end, %eax
        call puthex
        movl $msg_nl, %esi
        call puts

        /* The VGA text screen: 80×25 cells of (attribute << 8) | character. */
        movl $VGA, %edi
        movl $vga_line0, %esi
        movb $0x1f, %ah                         /* white on blue */
        call vga_puts
        movl $VGA + 160, %edi
        movl $vga_line1, %esi
        movb $0x2e, %ah                         /* yellow on green */
        call vga_puts

        movw $DEBUG_EXIT, %dx                   /* QEMU exits with status (0x10 << 1) | 1 = 33 */
        movb $0x10, %al
        outb %al, %dx

        popl %esi
        popl %ebx
        popl %ebp
        ret

/* putc: AL to COM1, once the transmitter holding register is empty (LSR bit 5). */
putc:
        pushl %edx
        pushl %eax
        movw $COM1 + 5, %dx
1:      inb %dx, %al
        testb $0x20, %al
        jz 1b
        popl %eax
        movw $COM1, %dx
        outb %al, %dx
        popl %edx
        ret

/* puts: the zero-terminated string at ESI. */
puts:
        pushl %eax
1:      lodsb
        testb %al, %al
        jz 2f
        call putc
        jmp 1b
2:      popl %eax
        ret

/* puthex: EAX as 0x and 8 hex digits. */
puthex:
        pushl %ecx
        pushl %edx
        movl %eax, %edx
        movb $'0', %al
        call putc
        movb $'x', %al
        call putc
        movl $8, %ecx
1:      roll $4, %edx
        movl %edx, %eax
        andl $0xf, %eax
        movb hex_digits(%eax), %al
        call putc
        loop 1b
        popl %edx
        popl %ecx
        ret

/* vga_puts: the string at ESI to the screen at EDI, attribute AH. */
vga_puts:
1:      lodsb
        testb %al, %al
        jz 2f
        movw %ax, (%edi)
        addl $2, %edi
        jmp 1b
2:      ret

        .section .rodata
hex_digits:     .ascii "0123456789abcdef"
msg_runs:       .asciz "hello from the higher half: kmain runs at "
msg_high:       .asciz "\n"
msg_magic:      .asciz "multiboot magic "
msg_upper:      .asciz ", mem_upper "
msg_kib:        .asciz " KiB\n"
msg_pde0:       .asciz "PDE 0 (identity) "
msg_pde768:     .asciz ", PDE 768 (higher half) "
msg_end:        .asciz "\nkernel ends at "
msg_nl:         .asciz "\n"
vga_line0:      .asciz "Hello from the higher half: this kernel runs at 0xC0100000"
vga_line1:      .asciz "PDE 0 (the identity mapping) is gone; PDE 768 maps 0xC0000000 to 0"
