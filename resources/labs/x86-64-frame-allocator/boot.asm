; Seed 002's boot code ("Entering Long Mode" and "Remapping the Kernel", NASM). A Multiboot 2
; loader (GRUB, Bootscope) loads the kernel at 2 MiB (linker.ld) and jumps to `start` in 32-bit protected
; mode with paging off, EAX = 0x36d76289 and EBX = the boot information's physical address.
;
; The code checks that it was loaded by Multiboot 2 and that the CPU has CPUID and long mode,
; builds P4 → P3 → P2 with 2 MiB pages identity-mapping the first GiB, makes P4 entry 511
; point at P4 itself (the recursive entry), turns on PAE, EFER.LME and paging, loads a 64-bit
; GDT and far-jumps into 64-bit code, which calls kernel_main with the boot information in RDI.
global start
global p4_table
global stack_bottom
global stack_top
extern kernel_main

section .multiboot2
align 8
header_start:
    dd 0xe85250d6                               ; Multiboot 2 magic
    dd 0                                        ; architecture: i386 protected mode
    dd header_end - header_start                ; header length
    dd 0x100000000 - (0xe85250d6 + 0 + (header_end - header_start))  ; checksum
    dw 0, 0                                     ; end tag
    dd 8
header_end:

section .text
bits 32
start:
    mov esp, stack_top
    mov edi, ebx                                ; the boot information, for kernel_main
    call check_multiboot
    call check_cpuid
    call check_long_mode
    call set_up_page_tables
    call enable_paging
    lgdt [gdt64.pointer]
    jmp gdt64.code:long_mode_start              ; far jump: CS = the 64-bit code segment

check_multiboot:
    cmp eax, 0x36d76289
    jne .no
    ret
.no:
    mov al, "0"
    jmp error

; CPUID exists if bit 21 (ID) of EFLAGS can be flipped.
check_cpuid:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    cmp eax, ecx
    je .no
    ret
.no:
    mov al, "1"
    jmp error

; Long mode exists if CPUID leaf 0x80000001 says so in EDX bit 29.
check_long_mode:
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no
    ret
.no:
    mov al, "2"
    jmp error

set_up_page_tables:
    mov eax, p4_table                           ; the recursive entry: P4[511] → P4
    or eax, 0b11                                ; present, writable
    mov [p4_table + 511 * 8], eax
    mov eax, p3_table                           ; P4[0] → P3
    or eax, 0b11
    mov [p4_table], eax
    mov eax, p2_table                           ; P3[0] → P2
    or eax, 0b11
    mov [p3_table], eax
    mov ecx, 0
.map_p2_table:                                  ; P2[i] → 2 MiB page i: the first GiB, identity
    mov eax, 0x200000
    mul ecx
    or eax, 0b10000011                          ; present, writable, huge
    mov [p2_table + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jne .map_p2_table
    ret

; The order matters: CR3, then CR4.PAE and EFER.LME, then CR0.PG (which makes EFER.LMA 1).
enable_paging:
    mov eax, p4_table
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5                              ; CR4.PAE
    mov cr4, eax
    mov ecx, 0xC0000080                         ; IA32_EFER
    rdmsr
    or eax, 1 << 8                              ; EFER.LME
    wrmsr
    mov eax, cr0
    or eax, 1 << 31                             ; CR0.PG
    mov cr0, eax
    ret

; Prints "ERR: " and the code in AL on COM1, then stops.
error:
    mov bl, al
    mov esi, errmsg
.next:
    lodsb
    test al, al
    jz .code
    mov dx, 0x3f8
    out dx, al
    jmp .next
.code:
    mov al, bl
    out dx, al
    mov dx, 0xf4
    mov al, 0x7f
    out dx, al
    hlt

bits 64
long_mode_start:
    mov ax, 0                                   ; data segments: the null selector is fine in 64-bit mode
    mov ss, ax
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov edi, edi                                ; zero-extend the boot information's address
    call kernel_main
.halt:
    hlt
    jmp .halt

section .rodata
errmsg: db "ERR: ", 0
gdt64:
    dq 0                                        ; the null descriptor
.code: equ $ - gdt64
    dq (1 << 43) | (1 << 44) | (1 << 47) | (1 << 53)  ; code, descriptor type, present, 64-bit
.pointer:
    dw $ - gdt64 - 1
    dq gdt64

section .bss
align 4096
p3_table: resb 4096
p2_table: resb 4096
p4_table: resb 4096
stack_bottom: resb 4096 * 4
stack_top:
