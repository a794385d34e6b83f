/*
 * The boot stub of a 32-bit higher-half kernel (seed 000). A Multiboot 1 loader (GRUB, QEMU's
 * -kernel, Bootscope) puts the kernel at 1 MiB and jumps to _start with paging off, EAX = the
 * Multiboot magic and EBX = the boot information's physical address.
 *
 * The stub maps the first 4 MiB twice with 4 MiB pages (CR4.PSE): at 0 (the identity mapping,
 * so the instruction after `mov %edx, %cr0` can still be fetched at its physical address) and
 * at 0xC0000000 (the higher half, where the kernel is linked). It turns paging on, jumps high,
 * removes the identity mapping and calls kmain.
 */
        .set KERNEL_VMA, 0xC0000000
        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x3                      /* page-align modules, give the memory sizes */

        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .boot.text, "ax"
        .globl _start
_start:
        /* The page directory is linked high: use its physical address while paging is off. */
        movl $(boot_page_directory - KERNEL_VMA), %ecx
        movl $0x00000083, 0(%ecx)               /* PDE 0: 0 → 0, 4 MiB, writable, present */
        movl $0x00000083, 768*4(%ecx)           /* PDE 768: 0xC0000000 → 0 (768 = 0xC0000000 >> 22) */

        movl %cr4, %edx
        orl $0x00000010, %edx                   /* CR4.PSE: 4 MiB pages */
        movl %edx, %cr4
        movl %ecx, %cr3                         /* the page directory's physical address */
        movl %cr0, %edx
        orl $0x80010000, %edx                   /* CR0.PG (paging) and CR0.WP */
        movl %edx, %cr0

        /* Still running at 0x001xxxxx thanks to PDE 0: jump to the higher half. */
        lea higher_half, %edx
        jmp *%edx

        .text
higher_half:
        /* TODO (step 2): running in the higher half now, nothing needs PDE 0 any more. Remove the
         * identity mapping here, and flush its translation from the TLB. (Step 3: try doing it
         * before `jmp *%edx` instead, and look at the timeline.) */
        movl $stack_top, %esp
        addl $KERNEL_VMA, %ebx                  /* the boot information, through the higher half */
        pushl %ebx
        pushl %eax
        call kmain
1:      cli
        hlt
        jmp 1b

        .section .bss
        .align 4096
        .globl boot_page_directory
boot_page_directory:
        .skip 4096
stack_bottom:
        .skip 16384
stack_top:
