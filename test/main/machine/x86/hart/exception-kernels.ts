/**
 * Test kernels for exceptions and interrupts (NASM, on kernel-lib.ts): delivery through 32-bit
 * and 64-bit IDTs with error codes, traps vs faults (int3 and into return after the instruction,
 * #DE and #UD to it), a ring-3 → ring-0 transition through an `int 0x80` gate with the stack
 * from the TSS, an `int 6` from ring 3 refused by its gate's DPL (#GP, returning to the int),
 * syscall/sysret and sysenter/sysexit round trips, a double fault from a missing #PF gate, the
 * stack-overflow kernel whose #DF handler runs on an IST stack, and the triple-fault kernel of
 * the issue's example (the #PF handler is not mapped, its IST stack neither).
 */
import { ENTER32, GDT32, IDT32, IDT64, IO32, IO64, SAY, STACK, TO_LONG } from './kernel-lib'

/** A 32-bit handler for `vec` that prints the vector, the error code when `err`, EIP and CS, and resumes at `resume`. */
function handler32(vec: number, err: boolean): string {
  const eipAt = err ? 8 : 4
  return `
h${vec}:
  push eax
  SAY 'vec ${vec.toString(16).padStart(2, '0')}'
  ${err ? "SAY ' err='\n  mov eax, [esp+4]\n  call puthex" : ''}
  SAY ' eip='
  mov eax, [esp+${eipAt}]
  sub eax, _start
  call puthex
  SAY ' cs='
  mov eax, [esp+${eipAt + 4}]
  call puthex
  call nl
  mov eax, [resume]
  test eax, eax
  jz .keep
  mov [esp+${eipAt}], eax
.keep:
  pop eax
  ${err ? 'add esp, 4' : ''}
  iret`
}

const GATES32: [number, boolean][] = [[0, false], [3, false], [4, false], [6, false], [11, true], [13, true], [14, true]]

/** Exceptions in 32-bit protected mode, a ring-3 int 0x80 with the TSS stack, sysenter/sysexit, and a double fault. */
export const EXCEPTIONS32 = `
${SAY}
${ENTER32}
${GATES32.map(([v]) => `  mov eax, ${v}\n  mov ebx, h${v}\n  mov ecx, 0x8E\n  call set_gate32`).join('\n')}
  mov eax, 0x80
  mov ebx, syscall80
  mov ecx, 0xEE                        ; interrupt gate, DPL 3: reachable from ring 3
  call set_gate32
  call lidt32
  mov dword [resume], .t1
  xor edx, edx
  xor ecx, ecx
  mov eax, 7
  div ecx                              ; #DE: a fault, EIP of the div
.t1:
  mov dword [resume], 0
  int3                                 ; #BP: a trap, EIP after it
  mov al, 0x7f
  add al, 1                            ; OF = 1
  into                                 ; #OF: a trap
  mov dword [resume], .t2
  ud2
.t2:
  mov dword [resume], .t3
  mov ax, 0x1234
  mov ds, ax                           ; beyond the GDT limit: #GP(0x1230)
.t3:
  mov dword [resume], .t4
  mov byte [gdt + 0x28 + 5], 0x72      ; user data descriptor, P = 0
  mov ax, 0x2b
  mov es, ax                           ; #NP(0x28)
.t4:
  mov byte [gdt + 0x28 + 5], 0xF2
  mov dword [resume], 0
  ; ring 3 through iret, back through int 0x80 (stack from TSS.ESP0)
  mov dword [tss+4], stack_top
  mov dword [tss+8], 0x10
  mov eax, tss
  mov [gdt_tss+2], ax
  shr eax, 16
  mov [gdt_tss+4], al
  mov [gdt_tss+7], ah
  mov ax, 0x38
  ltr ax
  mov ax, 0x2b
  mov ds, ax
  mov es, ax
  push dword 0x2b
  push dword user_stack_top
  push dword 0x3002                    ; IOPL 3 (cli/sti allowed), IF = 0: no timer interrupts in QEMU
  push dword 0x23
  push dword user_code
  iret
user_code:
  mov dword [resume], .after_int6
  int 6                                ; gate DPL 0 from ring 3: #GP((6 << 3) | 2), a fault of the int: EIP of the int
.after_int6:
  mov dword [resume], 0
  mov eax, 1
  int 0x80
  mov eax, 2
  int 0x80
  hlt                                  ; privileged in ring 3: #GP(0)
syscall80:
  SAY 'int80 eax='
  call puthex
  SAY ' esp0 frame ok='
  push eax
  lea eax, [esp+4+20]
  cmp eax, stack_top
  sete al
  movzx eax, al
  call puthex
  SAY ' user ss:esp='
  mov eax, [esp+4+16]
  call puthex
  SAY ':'
  mov eax, [esp+4+12]
  call puthex
  SAY ' if='
  pushfd
  pop eax
  shr eax, 9
  and eax, 1
  call puthex
  call nl
  pop eax
  cmp eax, 2
  je .sysenter
  iret
.sysenter:
  ; sysenter/sysexit: CS = IA32_SYSENTER_CS (0x08), SS = CS + 8; back to ring 3 at EDX with ESP = ECX
  mov ecx, 0x174
  xor edx, edx
  mov eax, 0x08
  wrmsr
  mov ecx, 0x175
  mov eax, stack_top
  wrmsr
  mov ecx, 0x176
  mov eax, sysenter_entry
  wrmsr
  ; sysexit goes to CS = SYSENTER_CS + 16 | 3 = 0x1b: make that the ring-3 code32 descriptor
  mov eax, [gdt+0x20]
  mov [gdt+0x18], eax
  mov eax, [gdt+0x24]
  mov [gdt+0x1c], eax
  mov edx, user2
  mov ecx, user_stack_top
  sysexit
user2:
  SAY 'ring 3 again, cs='
  mov eax, cs
  call puthex
  call nl
  sysenter
sysenter_entry:
  SAY 'sysenter cs='
  mov eax, cs
  call puthex
  SAY ' ss='
  mov eax, ss
  call puthex
  call nl
  ; a double fault: #PF with its gate not present (#NP while delivering a page fault)
  mov eax, 8
  mov ebx, double_fault
  mov ecx, 0x8E
  call set_gate32
  mov byte [idt + 14*8 + 5], 0x0E      ; #PF gate: P = 0
  mov dword [pdx], pt0x + 3
  IDENTITY_PT32 pt0x, 3
  mov eax, pdx
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov eax, [0x800000]                  ; not mapped
double_fault:
  SAY 'double fault err='
  mov eax, [esp]
  call puthex
  SAY ' eip='
  mov eax, [esp+4]
  sub eax, _start
  call puthex
  call nl
  mov al, 0
  call exit
${GATES32.map(([v, e]) => handler32(v, e)).join('\n')}
${IO32}
${IDT32}
${GDT32}
section .data
resume: dd 0
section .bss
alignb 4096
pdx: resb 4096
pt0x: resb 4096
tss: resb 104
alignb 16
resb 4096
user_stack_top:
${STACK}
`

/** A 64-bit handler that prints the vector, the error code, RIP and CS, and resumes at `resume`. */
function handler64(vec: number, err: boolean): string {
  const ripAt = err ? 16 : 8
  return `
h${vec}:
  push rax
  SAY 'vec ${vec.toString(16).padStart(2, '0')}'
  ${err ? "SAY ' err='\n  mov rax, [rsp+8]\n  call puthex" : ''}
  SAY ' rip='
  mov rax, [rsp+${ripAt}]
  sub rax, _start
  call puthex
  SAY ' cs='
  mov rax, [rsp+${ripAt + 8}]
  call puthex
  call nl
  mov rax, [resume]
  test rax, rax
  jz .keep
  mov [rsp+${ripAt}], rax
.keep:
  pop rax
  ${err ? 'add rsp, 8' : ''}
  iretq`
}

const GATES64: [number, boolean][] = [[0, false], [3, false], [6, false], [13, true], [14, true]]

/** Long mode: exceptions through 16-byte gates, int 0x80 from ring 3 with RSP0, syscall/sysret. */
export const EXCEPTIONS64 = `
${SAY}
${ENTER32}
  mov eax, tss64
  mov [gdt_tss+2], ax
  shr eax, 16
  mov [gdt_tss+4], al
  mov [gdt_tss+7], ah
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
${GATES64.map(([v]) => `  mov eax, ${v}\n  mov rbx, h${v}\n  mov ecx, 0x8E\n  xor edx, edx\n  call set_gate64`).join('\n')}
  mov eax, 0x80
  mov rbx, int80
  mov ecx, 0xEE
  xor edx, edx
  call set_gate64
  call lidt64
  mov qword [tss64+4], stack_top       ; RSP0
  mov ax, 0x38
  ltr ax
  mov qword [resume], .t1
  xor edx, edx
  xor ecx, ecx
  mov eax, 7
  div ecx
.t1:
  mov qword [resume], 0
  int3
  mov qword [resume], .t2
  ud2
.t2:
  ; syscall/sysret: STAR[47:32] = 0x18 (CS 0x18 code64, SS 0x20), STAR[63:48] = 0x20 (sysret: CS 0x33, SS 0x2b)
  mov dword [gdt+0x20], 0x0000FFFF     ; 0x20 becomes ring-0 data for syscall's SS
  mov dword [gdt+0x24], 0x00CF9200
  mov ecx, 0xC0000081
  xor eax, eax
  mov edx, 0x00200018
  wrmsr
  mov ecx, 0xC0000082
  mov rax, syscall_entry
  mov rdx, rax
  shr rdx, 32
  wrmsr
  mov ecx, 0xC0000084
  mov eax, 0x200                       ; FMASK: clear IF
  xor edx, edx
  wrmsr
  mov ecx, 0xC0000080
  rdmsr
  or eax, 1                            ; SCE
  wrmsr
  ; to ring 3 with iretq
  push qword 0x2b
  push qword user_stack_top
  push qword 0x3002                    ; IOPL 3: ring 3 may print through the port
  push qword 0x33
  push qword user64
  iretq
user64:
  mov eax, 1
  int 0x80
  mov eax, 2
  syscall
after_syscall:
  SAY 'back in ring 3 after sysret, cs='
  mov eax, cs
  call puthex
  SAY ' r11 if='
  mov rax, r11
  shr rax, 9
  and eax, 1
  call puthex
  call nl
  mov eax, 3
  int 0x80
int80:
  SAY 'int80 rax='
  call puthex
  SAY ' rsp0 frame ok='
  push rax
  lea rax, [rsp+8+40]
  cmp rax, stack_top
  sete al
  movzx eax, al
  call puthex
  SAY ' user ss='
  mov rax, [rsp+8+32]
  call puthex
  SAY ' cs='
  mov rax, [rsp+8+8]
  call puthex
  call nl
  pop rax
  cmp eax, 3
  je .done
  iretq
.done:
  mov al, 0
  call exit
syscall_entry:
  push rax
  SAY 'syscall rcx ok='
  lea rax, [rel after_syscall]
  cmp rax, rcx
  sete al
  movzx eax, al
  call puthex
  SAY ' cs='
  mov eax, cs
  call puthex
  SAY ' ss='
  mov eax, ss
  call puthex
  SAY ' if='
  pushfq
  pop rax
  shr eax, 9
  and eax, 1
  call puthex
  call nl
  pop rax
  o64 sysret
${GATES64.map(([v, e]) => handler64(v, e)).join('\n')}
${IO64}
${IDT64}
section .data
resume: dq 0
section .bss
alignb 16
tss64: resb 104
resb 4096
user_stack_top:
bits 32
${GDT32}
${STACK}
`

/**
 * Long-mode layout shared by the #DF kernels: 0x400000-0x5FFFFF mapped with 4 KiB pages where the
 * page at 0x400000 is not present (a guard page) and the stack starts at 0x404000, just above it.
 */
const GUARDED_STACK = `
  mov rax, gpt + 7
  mov [pd + 2*8], rax                  ; 4-6 MiB through 4 KiB pages
  mov ecx, 1
.gp:
  mov rax, rcx
  shl rax, 12
  add rax, 0x400000 + 7
  mov [gpt + rcx*8], rax
  inc ecx
  cmp ecx, 512
  jne .gp
  mov qword [gpt], 0                   ; the guard page
  mov rax, cr3
  mov cr3, rax
  mov rsp, 0x404000
`

/** Recursion until the stack reaches the guard page: the #PF cannot be delivered on that stack, so #DF runs on IST1. */
export const DF_ON_IST = `
${SAY}
${ENTER32}
  mov eax, tss64
  mov [gdt_tss+2], ax
  shr eax, 16
  mov [gdt_tss+4], al
  mov [gdt_tss+7], ah
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
  mov qword [tss64+4], stack_top       ; RSP0
  mov rax, ist1_top
  mov [tss64+0x24], rax                ; IST1
  mov ax, 0x38
  ltr ax
  mov eax, 14
  mov rbx, page_fault
  mov ecx, 0x8E
  xor edx, edx
  call set_gate64
  mov eax, 8
  mov rbx, double_fault
  mov ecx, 0x8E
  mov edx, 1                           ; IST1
  call set_gate64
  call lidt64
${GUARDED_STACK}
  SAY 'recursing', 10
recurse:
  push rax
  call recurse
page_fault:
  SAY 'page fault handler (not expected)', 10
  mov al, 1
  call exit
double_fault:
  SAY 'double fault err='
  mov rax, [rsp]
  call puthex
  SAY ' on IST1='
  lea rax, [rsp+48]
  cmp rax, ist1_top
  sete al
  movzx eax, al
  call puthex
  SAY ' cr2='
  mov rax, cr2
  call puthex
  SAY ' saved rsp at the guard='
  mov rax, [rsp+32]
  cmp rax, 0x401000
  setbe al
  movzx eax, al
  call puthex
  call nl
  mov al, 0
  call exit
${IO64}
${IDT64}
section .bss
alignb 4096
gpt: resb 4096
alignb 16
tss64: resb 104
alignb 16
resb 4096
ist1_top:
bits 32
${GDT32}
${STACK}
`

/** The issue's triple fault: the #PF handler's code is not mapped, and neither is the #DF handler's IST1 stack. */
export const TRIPLE_FAULT = `
${SAY}
${ENTER32}
  mov eax, tss64
  mov [gdt_tss+2], ax
  shr eax, 16
  mov [gdt_tss+4], al
  mov [gdt_tss+7], ah
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
  mov rax, 0x7ff000000000
  mov [tss64+0x24], rax                ; IST1: not mapped
  mov ax, 0x38
  ltr ax
  mov eax, 14
  mov rbx, 0xffff900000001000          ; the #PF handler's address: not mapped
  mov ecx, 0x8E
  xor edx, edx
  call set_gate64
  mov eax, 8
  mov rbx, double_fault
  mov ecx, 0x8E
  mov edx, 1
  call set_gate64
  call lidt64
${GUARDED_STACK}
  SAY 'touching 0xdead0000', 10
  mov rax, [0xdead0000]
double_fault:
  SAY 'double fault handler (not expected)', 10
  mov al, 1
  call exit
${IO64}
${IDT64}
section .bss
alignb 4096
gpt: resb 4096
alignb 16
tss64: resb 104
bits 32
${GDT32}
${STACK}
`

/**
 * The SDM's double-fault table (vol. 3, 6.15, Table 6-5), one row at a time in 32-bit protected
 * mode, each resumed by its handler: a contributory fault (#DE) whose gate is empty (#GP,
 * contributory) → #DF; a benign fault (#UD) whose gate is not present → the #NP is delivered;
 * a contributory fault (#GP) whose IDT entry is on a page that is not present → the #PF is
 * delivered (contributory then page fault is handled serially), with CR2 = that entry.
 */
export const DF_TABLE32 = `
${SAY}
${ENTER32}
  mov eax, 8
  mov ebx, df8
  mov ecx, 0x8E
  call set_gate32
  mov eax, 13
  mov ebx, h13
  mov ecx, 0x8E
  call set_gate32
  mov eax, 11
  mov ebx, h11
  mov ecx, 0x8E
  call set_gate32
  mov eax, 6
  mov ebx, h11
  mov ecx, 0x0E                        ; an interrupt gate with P = 0
  call set_gate32
  call lidt32                          ; gate 0 is left empty (type 0)
  mov dword [resume], .t1
  xor edx, edx
  xor ecx, ecx
  mov eax, 7
  div ecx                              ; #DE → #GP(IDT 0) → #DF
.t1:
  mov dword [resume], .t2
  ud2                                  ; #UD → #NP(IDT 6), delivered
.t2:
  ; identity-map 0-4 MiB but the page holding IDT entries 0-13 of idt2 (entry 14 starts the next page)
  IDENTITY_PT32 ptd, 3
  mov eax, idt2
  shr eax, 12
  mov dword [ptd+eax*4], 0
  mov dword [pdd], ptd + 3
  mov eax, 14
  mov ebx, pf14
  mov ecx, 0x8E
  lea edi, [idt2 + 14*8]
  mov word [edi], bx
  mov word [edi+2], 0x08
  mov byte [edi+4], 0
  mov byte [edi+5], cl
  shr ebx, 16
  mov word [edi+6], bx
  mov eax, pdd
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  lidt [idtr2]
  mov dword [resume], .t3
  mov ax, 0x1234
  mov ds, ax                           ; #GP(0x1230) → reading IDT entry 13 faults → #PF, delivered
.t3:
  SAY 'done'
  call nl
  mov al, 0
  call exit
df8:
  SAY 'double fault err='
  mov eax, [esp]
  call puthex
  call nl
  mov eax, [resume]
  mov [esp+4], eax
  add esp, 4
  iret
pf14:
  push eax
  SAY 'vec 0e err='
  mov eax, [esp+4]
  call puthex
  SAY ' cr2=idt2+'
  mov eax, cr2
  sub eax, idt2
  call puthex
  SAY ' eip='
  mov eax, [esp+8]
  sub eax, _start
  call puthex
  call nl
  mov eax, [resume]
  mov [esp+8], eax
  pop eax
  add esp, 4
  iret
${handler32(11, true)}
${handler32(13, true)}
${IO32}
${IDT32}
${GDT32}
section .data
resume: dd 0
align 8
idtr2:
  dw 256*8 - 1
  dd idt2
section .bss
alignb 4096
pdd: resb 4096
ptd: resb 4096
resb 4096 - 14*8
idt2: resb 256*8
${STACK}
`
