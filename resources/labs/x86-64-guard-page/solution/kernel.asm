; kernel_main (64-bit, NASM): what "Remapping the Kernel" does, in assembly.
;
; 1. Reads the Multiboot 2 boot information (RDI): prints the available memory areas (tag 6)
;    and the kernel's ELF sections (tag 9), and from them the kernel's and the boot
;    information's physical ranges.
; 2. Builds a new four-level page table in frames taken after both (a bump frame allocator):
;    P4 entry 511 points at the new P4 itself (the recursive entry), each allocated section is
;    identity-mapped with 4 KiB pages and the permissions its ELF flags ask for (writable only
;    with SHF_WRITE, no-execute without SHF_EXECINSTR), and so are the VGA buffer and the boot
;    information. It sets EFER.NXE and CR0.WP first, so those permissions are enforced.
; 3. Switches CR3 to the new table, then unmaps the page of the boot code's P4 — right below
;    the stack — by clearing its P1 entry through the recursive mapping: a guard page. A stack
;    overflow now faults instead of silently overwriting memory.
global kernel_main
global puts
global puthex
extern p4_table
extern probe_guard_page

COM1        equ 0x3f8
DEBUG_EXIT  equ 0xf4
PAGE        equ 4096
PRESENT     equ 1 << 0
WRITABLE    equ 1 << 1
SHF_WRITE   equ 1
SHF_ALLOC   equ 2
SHF_EXECINSTR equ 4
TAG_MMAP    equ 6
TAG_ELF_SECTIONS equ 9
; Through P4 entry 511 → P4, the P1 entry of page VA is at this base + ((VA >> 9) & P1_INDEX_MASK).
RECURSIVE_P1_BASE equ 0xffffff8000000000
P1_INDEX_MASK equ 0x0000007ffffffff8

section .text
bits 64
kernel_main:
    mov [mbi], rdi
    mov eax, [rdi]                              ; total_size of the boot information
    add rax, rdi
    mov [mbi_end], rax
    mov rsi, msg_hello
    call puts

    ; ---- memory areas (tag 6): entries of { base u64, length u64, type u32, reserved u32 }
    mov rsi, msg_areas
    call puts
    mov esi, TAG_MMAP
    call find_tag
    mov rbx, rax                                ; RBX = the tag
    mov r12d, [rbx + 8]                         ; entry_size
    lea r13, [rbx + 16]                         ; first entry
    mov r14d, [rbx + 4]
    add r14, rbx                                ; end of the tag
.area:
    cmp r13, r14
    jae .areas_done
    cmp dword [r13 + 16], 1                     ; type 1: available RAM
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

    ; ---- kernel sections (tag 9): num u32, entsize u32, shndx u32, then the section headers
    mov rsi, msg_sections
    call puts
    mov esi, TAG_ELF_SECTIONS
    call find_tag
    mov [elf_tag], rax
    mov qword [kernel_start], -1
    mov qword [kernel_end], 0
    mov r12d, [rax + 8]                         ; num
    lea r13, [rax + 20]                         ; first header
.section:
    test r12, r12
    jz .sections_done
    cmp dword [r13 + 4], 0                      ; sh_type 0: the null section
    je .next_section
    mov rsi, msg_addr
    call puts
    mov rax, [r13 + 16]                         ; sh_addr
    call puthex
    mov rsi, msg_size
    call puts
    mov rax, [r13 + 32]                         ; sh_size
    call puthex
    mov rsi, msg_flags
    call puts
    mov rax, [r13 + 8]                          ; sh_flags
    call puthex
    call newline
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
    mov rax, [elf_tag]
    mov eax, [rax + 12]                         ; entsize
    add r13, rax
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

    ; ---- the first free frame: after the kernel and after the boot information
    mov rax, [kernel_end]
    cmp rax, [mbi_end]
    jae .above
    mov rax, [mbi_end]
.above:
    add rax, PAGE - 1
    and rax, -PAGE
    mov [next_free_frame], rax

    ; ---- EFER.NXE (bit 11) for no-execute pages, CR0.WP so ring 0 honours read-only pages
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 11
    wrmsr
    mov rax, cr0
    or rax, 1 << 16
    mov cr0, rax

    ; ---- the new P4, recursive in its own entry 511
    call allocate_frame
    mov [new_p4], rax
    mov rcx, rax
    or rcx, PRESENT | WRITABLE
    mov [rax + 511 * 8], rcx

    ; ---- each allocated section, page by page, with its ELF permissions
    mov rax, [elf_tag]
    mov r12d, [rax + 8]
    lea r13, [rax + 20]
.map_section:
    test r12, r12
    jz .sections_mapped
    mov rax, [r13 + 8]
    test rax, SHF_ALLOC
    jz .next_map
    cmp qword [r13 + 32], 0
    je .next_map
    xor r15d, r15d                              ; R15 = the entry's flags
    test rax, SHF_WRITE
    jz .read_only
    or r15, WRITABLE
.read_only:
    test rax, SHF_EXECINSTR
    jnz .executable
    bts r15, 63                                 ; NO_EXECUTE
.executable:
    mov rbx, [r13 + 16]
    and rbx, -PAGE                              ; first page
    mov r14, [r13 + 16]
    add r14, [r13 + 32]                         ; end of the section
.map_page:
    mov rdi, rbx
    mov rdx, r15
    call identity_map
    add rbx, PAGE
    cmp rbx, r14
    jb .map_page
.next_map:
    mov rax, [elf_tag]
    mov eax, [rax + 12]
    add r13, rax
    dec r12
    jmp .map_section
.sections_mapped:

    ; ---- the VGA text buffer (writable, no-execute) and the boot information (read-only, no-execute)
    mov rdi, 0xb8000
    mov rdx, WRITABLE
    bts rdx, 63
    call identity_map
    mov rbx, [mbi]
    and rbx, -PAGE
.map_mbi:
    mov rdi, rbx
    xor edx, edx
    bts rdx, 63
    call identity_map
    add rbx, PAGE
    cmp rbx, [mbi_end]
    jb .map_mbi

    ; ---- switch to the new table
    mov rax, [new_p4]
    mov cr3, rax
    mov rsi, msg_new_table
    call puts

    ; ---- the guard page: clear the P1 entry of the old P4's page through the recursive mapping
    mov rax, p4_table
    shr rax, 9
    mov rcx, P1_INDEX_MASK
    and rax, rcx
    mov rcx, RECURSIVE_P1_BASE
    or rax, rcx                                 ; the P1 entry's virtual address
    mov qword [rax], 0
    mov rax, p4_table
    invlpg [rax]
    mov rsi, msg_guard
    call puts
    mov rax, p4_table
    call puthex
    mov rsi, msg_no_crash
    call puts

    ; ---- the VGA text screen, through the new mapping
    mov rdi, 0xb8000
    mov rsi, vga_line0
    mov ah, 0x2f                                ; white on green
    call vga_puts
    mov rdi, 0xb8000 + 160
    mov rsi, vga_line1
    mov ah, 0x1e                                ; yellow on blue
    call vga_puts

    jmp probe_guard_page                        ; probe.asm: write below the stack, report, exit

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

; allocate_frame: the next free frame, zeroed (still reachable: the first GiB is identity-mapped
; by the boot table while the new table is built), in RAX.
allocate_frame:
    push rdi
    push rcx
    mov rax, [next_free_frame]
    lea rcx, [rax + PAGE]
    mov [next_free_frame], rcx
    push rax
    mov rdi, rax
    mov ecx, PAGE / 8
    xor eax, eax
    rep stosq
    pop rax
    pop rcx
    pop rdi
    ret

; next_table: the table entry RCX of table RAX points to, created if absent, in RAX.
next_table:
    lea rsi, [rax + rcx * 8]
    mov rax, [rsi]
    test rax, PRESENT
    jnz .present
    call allocate_frame
    mov rcx, rax
    or rcx, PRESENT | WRITABLE
    mov [rsi], rcx
    ret
.present:
    and rax, -PAGE
    shl rax, 12                                 ; drop the NX bit and flags: keep bits 12..51
    shr rax, 12
    ret

; identity_map: page RDI → frame RDI with flags RDX, in the new table. A page already mapped
; keeps its entry: GRUB may put the boot information on a page of the kernel's own sections.
identity_map:
    mov rax, [new_p4]
    mov rcx, rdi
    shr rcx, 39
    and ecx, 511
    call next_table                             ; P3
    mov rcx, rdi
    shr rcx, 30
    and ecx, 511
    call next_table                             ; P2
    mov rcx, rdi
    shr rcx, 21
    and ecx, 511
    call next_table                             ; P1
    mov rcx, rdi
    shr rcx, 12
    and ecx, 511
    test qword [rax + rcx * 8], PRESENT
    jnz .mapped
    mov rsi, rdi
    or rsi, rdx
    or rsi, PRESENT
    mov [rax + rcx * 8], rsi
.mapped:
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

; vga_puts: the string at RSI to the screen at RDI, attribute AH.
vga_puts:
.next:
    lodsb
    test al, al
    jz .done
    mov [rdi], ax
    add rdi, 2
    jmp .next
.done:
    ret

section .rodata
hex_digits:       db "0123456789abcdef"
msg_hello:        db "Hello World!", 10, 0
msg_areas:        db "memory areas:", 10, 0
msg_start:        db "    start: ", 0
msg_length:       db ", length: ", 0
msg_sections:     db "kernel sections:", 10, 0
msg_addr:         db "    addr: ", 0
msg_size:         db ", size: ", 0
msg_flags:        db ", flags: ", 0
msg_kernel_start: db "kernel_start: ", 0
msg_kernel_end:   db ", kernel_end: ", 0
msg_mb_start:     db 10, "multiboot_start: ", 0
msg_mb_end:       db ", multiboot_end: ", 0
msg_new_table:    db "NEW TABLE!", 10, 0
msg_guard:        db "guard page at ", 0
msg_no_crash:     db 10, "It did not crash!", 10, 0
vga_line0:        db "Long mode: the kernel runs in its own page table", 0
vga_line1:        db "P4[511] is recursive; the page below the stack is a guard page", 0

section .bss
alignb 8
mbi:             resq 1
mbi_end:         resq 1
elf_tag:         resq 1
kernel_start:    resq 1
kernel_end:      resq 1
next_free_frame: resq 1
new_p4:          resq 1
