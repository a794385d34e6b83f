; A double-fault handler on its own stack (x86-64). kernel_main has made the page below the
; stack a guard page and jumps here. This code loads a GDT with a TSS, fills the #PF and #DF
; gates of an IDT, and recurses until the stack overflows into the guard page:
;
;   the push into the guard page raises #PF (vector 14); delivering it pushes the #PF frame on the
;   same stack, which faults again: a fault while delivering a page fault is a double fault (#DF,
;   vector 8). If #DF's gate also used this stack, delivering #DF would fault a third time: a
;   triple fault, and the CPU shuts down. With an IST index in its gate, the CPU switches to the
;   stack whose top is in the TSS's IST entry before it pushes anything: the handler runs.
global overflow_stack
extern puts
extern puthex

DEBUG_EXIT     equ 0xf4
CODE_SELECTOR  equ 0x08                         ; the 64-bit code segment (as in boot.asm's gdt64)
TSS_SELECTOR   equ 0x10
TSS_IST1       equ 0x24                         ; offset of IST1 in the 64-bit TSS (SDM vol. 3, Figure 8-11)
DF_IST         equ 1                            ; the IST index #DF's gate uses

section .text
bits 64
overflow_stack:
    ; The TSS descriptor (16 bytes in long mode): base = tss, limit = 103, type 0x9 (available 64-bit TSS).
    mov rax, tss
    mov [gdt.tss + 2], ax
    shr rax, 16
    mov [gdt.tss + 4], al
    mov [gdt.tss + 7], ah
    shr rax, 16
    mov [gdt.tss + 8], eax
    ; TODO (step 2): put the top of the double-fault stack (ist1_top) in the TSS's IST1 entry.
    lgdt [gdtr]
    mov ax, TSS_SELECTOR
    ltr ax

    mov rax, df_handler
    mov rdi, idt + 8 * 16
    mov bl, 0                                   ; TODO (step 3): make #DF switch to IST1
    call set_gate
    mov rax, pf_handler
    mov rdi, idt + 14 * 16
    mov bl, 0                                   ; #PF stays on the current stack
    call set_gate
    lidt [idtr]

    mov rsi, msg_recursing
    call puts
    call recurse
recurse:
    sub rsp, 256
    call recurse

; A 64-bit interrupt gate: RAX = handler, RDI = the gate, BL = IST index (0: no stack switch).
set_gate:
    mov [rdi], ax
    mov word [rdi + 2], CODE_SELECTOR
    mov [rdi + 4], bl
    mov byte [rdi + 5], 0x8e                    ; present, DPL 0, interrupt gate
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    ret

pf_handler:
    mov rsi, msg_pf
    call puts
    mov al, 0x7e
    jmp exit

df_handler:
    mov rsi, msg_df
    call puts
    mov rax, rsp
    call puthex
    mov rsi, msg_nl
    call puts
    mov al, 0x10
exit:
    mov dx, DEBUG_EXIT
    out dx, al
    hlt

section .rodata
msg_recursing: db "recursing until the stack overflows", 10, 0
msg_pf:        db "page fault handler: it cannot run on an overflowed stack", 10, 0
msg_df:        db "double fault handled on the IST1 stack, rsp = ", 0
msg_nl:        db 10, 0

section .data
align 16
gdt:
    dq 0
    dq (1 << 43) | (1 << 44) | (1 << 47) | (1 << 53)  ; 0x08: 64-bit code, as in boot.asm
.tss:
    dq 0x0000890000000067                       ; 0x10: 64-bit TSS, limit 103 (base filled in)
    dq 0
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dq gdt
idtr:
    dw 256 * 16 - 1
    dq idt

section .bss
align 4096
idt:        resb 256 * 16
tss:        resb 104
alignb 16
ist1_bottom: resb 4096
ist1_top:
