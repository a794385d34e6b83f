; The lab's probe (do not change it): once kernel_main has switched to its own table, install an
; IDT whose #PF gate reports the fault, then write 8 bytes below the stack — into the page the
; kernel should have made a guard page. A guard page faults: the handler prints CR2 and exits.
; No fault: the probe says so and exits; either way the boot ends through isa-debug-exit.
global probe_guard_page
extern stack_bottom
extern puts
extern puthex

DEBUG_EXIT  equ 0xf4
CODE_SELECTOR equ 0x08                          ; gdt64.code in boot.asm

section .text
bits 64
probe_guard_page:
    mov rax, pf_handler                         ; IDT entry 14: a 64-bit interrupt gate
    mov rdi, idt + 14 * 16
    mov [rdi], ax
    mov word [rdi + 2], CODE_SELECTOR
    mov byte [rdi + 4], 0                       ; no IST
    mov byte [rdi + 5], 0x8e                    ; present, DPL 0, interrupt gate
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    lidt [idtr]
    mov rsi, msg_probe
    call puts
    mov qword [stack_bottom - 8], 0             ; into the page below the stack
    mov rsi, msg_no_fault
    call puts
    mov al, 0x11
    jmp exit

pf_handler:
    mov rsi, msg_fault
    call puts
    mov rax, cr2
    call puthex
    mov rsi, msg_nl
    call puts
    mov al, 0x10
exit:
    mov dx, DEBUG_EXIT
    out dx, al
    hlt

section .rodata
msg_probe:    db "probing the page below the stack", 10, 0
msg_no_fault: db "the write below the stack did not fault: there is no guard page", 10, 0
msg_fault:    db "page fault below the stack: CR2 = ", 0
msg_nl:       db 10, 0

section .data
align 8
idtr:
    dw 256 * 16 - 1
    dq idt

section .bss
align 16
idt: resb 256 * 16
