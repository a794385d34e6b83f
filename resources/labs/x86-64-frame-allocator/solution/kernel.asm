; kernel_main (64-bit, NASM): seed 002's "Allocating Frames" in assembly.
;
; 1. Reads the Multiboot 2 memory map (tag 6) from the boot information (RDI) and prints the
;    available areas.
; 2. Reads the kernel's ELF sections (tag 9) for the kernel's physical range, and the boot
;    information's own range (given).
; 3. An area frame allocator: hands out 4 KiB frames from the available areas, lowest first,
;    skipping every frame that holds the kernel or the boot information, until memory runs out.
; 4. Allocates every frame and prints them as runs of consecutive frames (given).
global kernel_main

COM1        equ 0x3f8
DEBUG_EXIT  equ 0xf4
PAGE        equ 4096
SHF_ALLOC   equ 2
TAG_MMAP    equ 6
TAG_ELF_SECTIONS equ 9
AREA_AVAILABLE equ 1
NO_FRAME    equ -1                              ; allocate_frame's answer when memory has run out

section .text
bits 64
kernel_main:
    mov [mbi], rdi
    mov eax, [rdi]                              ; total_size of the boot information
    add rax, rdi
    mov [mbi_end], rax
    mov rsi, msg_hello
    call puts

    ; ---- TODO 1: the memory map (tag 6): entries of { base u64, length u64, type u32, reserved u32 }
    ; after the tag's type, size, entry_size and entry_version (u32 each). Keep the tag in
    ; [mmap_tag] for the allocator and print each available area (type 1).
    mov rsi, msg_areas
    call puts
    mov esi, TAG_MMAP
    call find_tag
    mov [mmap_tag], rax
    mov rbx, rax
    mov r12d, [rbx + 8]                         ; entry_size
    lea r13, [rbx + 16]                         ; first entry
    mov r14d, [rbx + 4]
    add r14, rbx                                ; end of the tag
.area:
    cmp r13, r14
    jae .areas_done
    cmp dword [r13 + 16], AREA_AVAILABLE
    jne .next_area
    mov rsi, msg_start
    call puts
    mov rax, [r13]
    call puthex
    mov rsi, msg_length
    call puts
    mov rax, [r13 + 8]
    call puthex
    call newline
.next_area:
    add r13, r12
    jmp .area
.areas_done:

    ; ---- the kernel's physical range, from its allocated ELF sections (tag 9): num u32, entsize u32,
    ;      shndx u32, then the section headers (sh_flags at +8, sh_addr at +16, sh_size at +32)
    mov esi, TAG_ELF_SECTIONS
    call find_tag
    mov qword [kernel_start], -1
    mov qword [kernel_end], 0
    mov r12d, [rax + 8]                         ; num
    mov r15d, [rax + 12]                        ; entsize
    lea r13, [rax + 20]                         ; first header
.section:
    test r12, r12
    jz .sections_done
    test qword [r13 + 8], SHF_ALLOC
    jz .next_section
    mov rax, [r13 + 16]
    cmp rax, [kernel_start]
    jae .not_lower
    mov [kernel_start], rax
.not_lower:
    add rax, [r13 + 32]
    cmp rax, [kernel_end]
    jbe .next_section
    mov [kernel_end], rax
.next_section:
    add r13, r15
    dec r12
    jmp .section
.sections_done:
    mov rsi, msg_kernel_start
    call puts
    mov rax, [kernel_start]
    call puthex
    mov rsi, msg_kernel_end
    call puts
    mov rax, [kernel_end]
    call puthex
    mov rsi, msg_mb_start
    call puts
    mov rax, [mbi]
    call puthex
    mov rsi, msg_mb_end
    call puts
    mov rax, [mbi_end]
    call puthex
    call newline

    ; ---- every frame, printed as runs of consecutive frames: "frames FIRST .. LAST"
    call frame_allocator_init
    xor r12d, r12d                              ; frames handed out
    mov r13, NO_FRAME                           ; first frame of the current run
    mov r14, NO_FRAME                           ; last frame of the current run
.allocate:
    call allocate_frame
    cmp rax, NO_FRAME
    je .all_allocated
    inc r12
    lea rcx, [r14 + PAGE]
    cmp r14, NO_FRAME
    je .new_run
    cmp rax, rcx
    je .extend_run
    call print_run
.new_run:
    mov r13, rax
.extend_run:
    mov r14, rax
    jmp .allocate
.all_allocated:
    cmp r14, NO_FRAME
    je .no_run
    call print_run
.no_run:
    mov rsi, msg_allocated
    call puts
    mov rax, r12
    call puthex
    mov rsi, msg_frames
    call puts
    mov dx, DEBUG_EXIT
    mov al, 0x10                                ; isa-debug-exit: status (0x10 << 1) | 1 = 33
    out dx, al
.halt:
    hlt
    jmp .halt

; print_run: "frames R13 .. R14" and a newline.
print_run:
    push rax
    mov rsi, msg_run
    call puts
    mov rax, r13
    call puthex
    mov rsi, msg_dots
    call puts
    mov rax, r14
    call puthex
    call newline
    pop rax
    ret

; ---- the area frame allocator ------------------------------------------------------------
; A frame is free when all its 4096 bytes lie in an available area of the memory map and none of
; them belongs to the kernel ([kernel_start, kernel_end)) or the boot information ([mbi, mbi_end)).

; frame_allocator_init: starts at frame 0, in the lowest area that has a free frame.
frame_allocator_init:
    mov qword [next_free_frame], 0
    call choose_next_area
    ret

; TODO 2 — choose_next_area: [current_area] = the available area (type 1) with the lowest base
; among those whose last whole frame is at or above [next_free_frame], or 0 when there is none;
; then [next_free_frame] = at least the area's first whole frame.
choose_next_area:
    push rbx
    xor r8d, r8d                                ; the best area so far
    mov rbx, [mmap_tag]
    test rbx, rbx
    jz .chosen
    mov r11d, [rbx + 8]                         ; entry_size
    lea r9, [rbx + 16]
    mov r10d, [rbx + 4]
    add r10, rbx
.entry:
    cmp r9, r10
    jae .chosen
    cmp dword [r9 + 16], AREA_AVAILABLE
    jne .next
    mov rax, [r9]
    add rax, [r9 + 8]
    and rax, -PAGE                              ; end of the area's last whole frame
    mov rcx, [next_free_frame]
    add rcx, PAGE
    cmp rax, rcx
    jb .next                                    ; no whole frame at or above next_free_frame
    test r8, r8
    jz .better
    mov rax, [r9]
    cmp rax, [r8]
    jae .next
.better:
    mov r8, r9
.next:
    add r9, r11
    jmp .entry
.chosen:
    mov [current_area], r8
    test r8, r8
    jz .done
    mov rax, [r8]
    add rax, PAGE - 1
    and rax, -PAGE                              ; the area's first whole frame
    cmp rax, [next_free_frame]
    jbe .done
    mov [next_free_frame], rax
.done:
    pop rbx
    ret

; TODO 3 — allocate_frame: the next free frame in RAX (NO_FRAME when memory has run out).
; Frames that hold the kernel or the boot information are never handed out.
allocate_frame:
.retry:
    mov r8, [current_area]
    test r8, r8
    jz .none
    mov rax, [r8]
    add rax, [r8 + 8]
    and rax, -PAGE                              ; end of the area's whole frames
    mov rcx, [next_free_frame]
    lea rdx, [rcx + PAGE]                       ; end of the candidate frame
    cmp rdx, rax
    ja .next_area                               ; the area is used up
    cmp rcx, [kernel_end]                       ; does the frame overlap the kernel?
    jae .not_kernel
    cmp rdx, [kernel_start]
    jbe .not_kernel
    mov rax, [kernel_end]
    jmp .skip_to
.not_kernel:
    cmp rcx, [mbi_end]                          ; the boot information?
    jae .free
    cmp rdx, [mbi]
    jbe .free
    mov rax, [mbi_end]
.skip_to:
    add rax, PAGE - 1
    and rax, -PAGE                              ; the first frame after it
    mov [next_free_frame], rax
    jmp .retry
.next_area:
    call choose_next_area
    jmp .retry
.free:
    mov [next_free_frame], rdx
    mov rax, rcx
    ret
.none:
    mov rax, NO_FRAME
    ret

; find_tag: the first tag of type ESI in the boot information, in RAX (tags are 8-byte aligned).
find_tag:
    mov rax, [mbi]
    add rax, 8
.next:
    mov ecx, [rax]
    test ecx, ecx
    jz .none
    cmp ecx, esi
    je .found
    mov ecx, [rax + 4]
    add rcx, 7
    and rcx, -8
    add rax, rcx
    jmp .next
.none:
    xor eax, eax
.found:
    ret

; putc: AL to COM1, once the transmitter holding register is empty (LSR bit 5).
putc:
    push rdx
    push rax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop rax
    mov dx, COM1
    out dx, al
    pop rdx
    ret

; puts: the zero-terminated string at RSI.
puts:
    push rax
.next:
    lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop rax
    ret

newline:
    push rax
    mov al, 10
    call putc
    pop rax
    ret

; puthex: RAX as 0x and its hex digits, without leading zeros.
puthex:
    push rcx
    push rdx
    push rbx
    mov rdx, rax
    mov al, "0"
    call putc
    mov al, "x"
    call putc
    mov ecx, 16
    xor ebx, ebx                                ; a digit printed yet?
.digit:
    rol rdx, 4
    mov eax, edx
    and eax, 15
    cmp ecx, 1
    je .print                                   ; the last digit always
    test ebx, ebx
    jnz .print
    test eax, eax
    jz .skip
.print:
    mov ebx, 1
    mov al, [hex_digits + rax]
    call putc
.skip:
    loop .digit
    pop rbx
    pop rdx
    pop rcx
    ret

section .rodata
hex_digits:       db "0123456789abcdef"
msg_hello:        db "Hello World!", 10, 0
msg_areas:        db "memory areas:", 10, 0
msg_start:        db "    start: ", 0
msg_length:       db ", length: ", 0
msg_kernel_start: db "kernel_start: ", 0
msg_kernel_end:   db ", kernel_end: ", 0
msg_mb_start:     db 10, "multiboot_start: ", 0
msg_mb_end:       db ", multiboot_end: ", 0
msg_run:          db "frames ", 0
msg_dots:         db " .. ", 0
msg_allocated:    db "allocated ", 0
msg_frames:       db " frames", 10, 0

section .bss
alignb 8
mbi:             resq 1
mbi_end:         resq 1
mmap_tag:        resq 1
kernel_start:    resq 1
kernel_end:      resq 1
current_area:    resq 1
next_free_frame: resq 1
