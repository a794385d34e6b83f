/**
 * Test kernels for paging, written in NASM on kernel-lib.ts: each builds its own paging
 * structures, provokes the cases the SDM describes (not-present, write to read-only with and
 * without CR0.WP, 4 MiB PSE pages, accessed/dirty updates, invlpg, user access to supervisor
 * pages, PAE with execute-disable, 4-level with 1 GiB and 2 MiB pages, non-canonical addresses)
 * and prints what it sees — values read, #PF error codes and CR2, paging-entry values — so the
 * tests can compare QEMU's output with the hart's and assert the architectural answers.
 */
import { ENTER32, GDT32, IDT32, IDT64, IO32, IO64, SAY, STACK, TO_LONG } from './kernel-lib'

/**
 * #PF handler (32-bit, interrupt gate): prints the error code, CR2 and the CPL it came from,
 * then resumes at the address in `resume` (same privilege) or ends the kernel (from ring 3).
 */
const PF32 = `
pf_handler:
  SAY 'PF err='
  push eax
  mov eax, [esp+4]
  call puthex
  SAY ' cr2='
  mov eax, cr2
  call puthex
  SAY ' from cpl '
  mov eax, [esp+12]
  and eax, 3
  call puthex
  call nl
  test dword [esp+12], 3
  jnz .user
  mov eax, [resume]
  mov [esp+8], eax
  pop eax
  add esp, 4
  iret
.user:
  SAY 'end', 10
  mov al, 0
  call exit
section .data
resume: dd 0
section .text
`

/** Sets `resume` to the label after the faulting instruction. */
const RESUME = (label: string): string => `mov dword [resume], ${label}`

/** 32-bit paging: 4 KiB pages and 4 MiB PSE pages, WP, A/D, invlpg, and a user access to a supervisor page. */
export const PAGING32 = `
${SAY}
${ENTER32}
  mov eax, 14
  mov ebx, pf_handler
  mov ecx, 0x8E
  call set_gate32
  call lidt32
  ; identity-map 0-4 MiB with user-accessible 4 KiB pages (pt0), and the test region at 4 MiB (pt1)
  IDENTITY_PT32 pt0, 7
  mov dword [pd32], pt0 + 7
  mov dword [pd32+4], pt1 + 3
  mov dword [pt1], data_a + 3          ; 0x400000 → data_a, supervisor, writable
  mov dword [pt1+4], 0                 ; 0x401000 not present
  mov dword [pt1+8], data_c + 1        ; 0x402000 → data_c, read-only
  mov dword [pd32+8], 0x83             ; 0x800000 → physical 0, a 4 MiB page (PS)
  mov eax, pd32
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10                         ; PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  SAY 'paging on', 10

  SAY 'read A='
  HEX [0x400000]
  call nl
  SAY 'pte A='
  HEX [pt1]
  call nl

  ${RESUME('.t2')}
  mov eax, [0x401000]
.t2:
  ${RESUME('.t3')}
  mov dword [0x402000], 0x1234         ; WP = 0: a supervisor write to a read-only page succeeds
.t3:
  SAY 'C after write='
  HEX [data_c]
  call nl
  mov eax, cr0
  or eax, 0x10000                      ; WP
  mov cr0, eax
  ${RESUME('.t4')}
  mov dword [0x402000], 5
.t4:
  SAY 'read through 4 MiB page='
  HEX [0x800000 + data_a]
  call nl
  mov dword [0x400000], 0xabcd
  SAY 'pte A after write='
  HEX [pt1]
  call nl
  SAY 'pde 4M after read='
  HEX [pd32+8]
  call nl
  mov dword [pt1], data_c + 3          ; remap A to C's frame
  invlpg [0x400000]
  SAY 'A after invlpg='
  HEX [0x400000]
  call nl
  ; ring 3: a user read of the supervisor page at 0x400000
  mov dword [tss+4], stack_top         ; ESP0
  mov dword [tss+8], 0x10              ; SS0
  mov eax, tss
  mov [gdt_tss+2], ax
  shr eax, 16
  mov [gdt_tss+4], al
  mov [gdt_tss+7], ah
  mov ax, 0x38
  ltr ax
  mov ax, 0x2b                         ; ring-3 data segments (a ring-0 DS would be nulled by the iret)
  mov ds, ax
  mov es, ax
  push dword 0x2b
  push dword user_stack_top
  push dword 2
  push dword 0x23
  push dword user_code
  iret
user_code:
  mov eax, [0x400000]
  hlt
${PF32}
${IO32}
${IDT32}
${GDT32}
section .data
align 4096
data_a: dd 0x11111111
align 4096
data_c: dd 0x33333333
section .bss
alignb 4096
pd32: resb 4096
pt0: resb 4096
pt1: resb 4096
tss: resb 104
alignb 16
resb 4096
user_stack_top:
${STACK}
`

/** PAE paging with EFER.NXE: a 2 MiB page, a not-present PDPTE's region, and an execute-disabled page. */
export const PAGING_PAE = `
${SAY}
${ENTER32}
  mov eax, 14
  mov ebx, pf_handler
  mov ecx, 0x8E
  call set_gate32
  call lidt32
  ; PDPTE0 → pdp0 (identity 0-1 GiB with 2 MiB pages, but 2-4 MiB via 4 KiB pages in pt2)
  mov edi, pdp0
  xor eax, eax
.pde:
  mov edx, eax
  shl edx, 21
  or edx, 0x83
  mov [edi+eax*8], edx
  mov dword [edi+eax*8+4], 0
  inc eax
  cmp eax, 512
  jne .pde
  mov dword [pdp0+8], pt2 + 3          ; 2-4 MiB: 4 KiB pages
  mov dword [pt2], data_x + 3          ; 0x200000 → data_x, executable
  mov dword [pt2+8], data_x + 3        ; 0x201000 → data_x, execute-disabled
  mov dword [pt2+12], 0x80000000
  mov dword [pdpt_pae], pdp0 + 1
  mov dword [pdpt_pae+8], 0            ; 1-2 GiB: PDPTE not present
  mov ecx, 0xC0000080
  rdmsr
  or eax, 0x800                        ; NXE
  wrmsr
  mov eax, pdpt_pae
  mov cr3, eax
  mov eax, cr4
  or eax, 0x20                         ; PAE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80010000                   ; PG, WP
  mov cr0, eax
  SAY 'pae on', 10
  SAY 'exec ok='
  call 0x200000
  HEX eax
  call nl
  ${RESUME('.t2')}
  call 0x201000
.t2:
  ${RESUME('.t3')}
  mov eax, [0x40000000]
.t3:
  SAY 'pte x='
  HEX [pt2]
  SAY ' '
  HEX [pt2+8]
  call nl
  mov al, 0
  call exit
${PF32}
${IO32}
${IDT32}
${GDT32}
section .data
align 4096
data_x:
  mov eax, 0x5a5a5a5a
  ret
section .bss
alignb 4096
pdp0: resb 4096
pt2: resb 4096
alignb 32
pdpt_pae: resb 32
${STACK}
`

/** #PF handler (64-bit): error code, CR2; resumes at `resume`. */
const PF64 = `
pf_handler:
  SAY 'PF err='
  push rax
  mov rax, [rsp+8]
  call puthex
  SAY ' cr2='
  mov rax, cr2
  call puthex
  call nl
  mov rax, [resume]
  mov [rsp+16], rax
  pop rax
  add rsp, 8
  iretq
gp_handler:
  SAY 'GP err='
  push rax
  mov rax, [rsp+8]
  call puthex
  call nl
  mov rax, [resume]
  mov [rsp+16], rax
  pop rax
  add rsp, 8
  iretq
section .data
resume: dq 0
section .text
`

/** 4-level paging: 4 KiB, 2 MiB and 1 GiB pages high in the address space, A/D, NX, non-canonical #GP, a recursive PML4 slot. */
export const PAGING64 = `
${SAY}
${ENTER32}
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
  mov eax, 14
  mov rbx, pf_handler
  mov ecx, 0x8E
  xor edx, edx
  call set_gate64
  mov eax, 13
  mov rbx, gp_handler
  call set_gate64
  call lidt64
  ; PML4[256] (0xFFFF800000000000) → hp; hp[0]: a 1 GiB page → physical 0; hp[1] → hd (2 MiB page → physical 0,
  ; hd[1] → ht with 4 KiB pages: ht[0] → data_y, ht[1] not present, ht[2] → data_y no-execute)
  mov rax, hp + 3
  mov [pml4 + 256*8], rax
  mov qword [hp], 0x83
  mov rax, hd + 3
  mov [hp + 8], rax
  mov qword [hd], 0x83
  mov rax, ht + 3
  mov [hd + 8], rax
  mov rax, data_y + 3
  mov [ht], rax
  mov qword [ht + 8], 0
  mov rax, data_y + 3
  bts rax, 63
  mov [ht + 16], rax
  mov rax, pml4 + 3                  ; recursive slot 511
  mov [pml4 + 511*8], rax
  mov rax, cr3
  mov cr3, rax
  SAY 'long on', 10
  mov rbx, 0xFFFF800000000000
  SAY 'via 1G='
  mov rax, data_y
  HEX [rbx + rax]
  call nl
  mov rbx, 0xFFFF800040000000
  SAY 'via 2M='
  mov rax, data_y
  HEX [rbx + rax]
  call nl
  mov rbx, 0xFFFF800040200000
  SAY 'via 4K='
  HEX [rbx]
  call nl
  mov qword [rbx], 0x77
  SAY 'pte after write='
  HEX [ht]
  call nl
  SAY 'pml4e 256='
  HEX [pml4 + 256*8]
  call nl
  SAY 'recursive pml4 read='
  mov rax, 0xFFFFFFFFFFFFF000
  HEX [rax + 256*8]
  call nl
  mov qword [resume], .t2
  mov rax, 0xFFFF800040201000
  mov rax, [rax]
.t2:
  mov qword [resume], .t3
  mov rax, 0xFFFF800040202000
  call rax
.t3:
  mov qword [resume], .t4
  mov rax, 0x0000800000000000          ; non-canonical
  mov rax, [rax]
.t4:
  mov qword [resume], .t5
  mov rax, 0x0000000080000000          ; PML4 0, PDPT 2: not present
  mov rax, [rax]
.t5:
  mov al, 0
  call exit
${PF64}
${IO64}
${IDT64}
section .data
align 4096
data_y:
  dq 0x1234567887654321
section .bss
alignb 4096
hp: resb 4096
hd: resb 4096
ht: resb 4096
bits 32
${GDT32}
${STACK}
`
